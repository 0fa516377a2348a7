-- The timed load of make bench-tiles, for wrk (scripts/bench-tiles): a
-- load generator in C costs the two shared cores a small part of what a
-- Go HTTP client does, so the servers, not the client, are measured.
--
--   TILES=paths.txt MODE=once|loop OUT=results.jsonl TARGET=ours PHASE=cold \
--   ZOOM=14 [PID=1234] wrk -t2 -c16 -d60s -s wrk.lua http://127.0.0.1:PORT -- 2
--
-- The argument after -- is the number of threads (-t). TILES has one
-- path a line, in the benchmark's order. MODE once: every tile once, dealt
-- to the threads in turn; a thread stops when its share is answered, and
-- the time runs from its first request to its last answer (wrk's own
-- clock runs for the whole -d). MODE loop: each thread walks its share
-- over and over until -d is over. done() appends one JSON line in the
-- format of tilebench report to OUT.
--
-- wrk's main thread sleeps for the whole -d; in MODE once the last thread
-- to finish its share wakes it with SIGINT, as Ctrl-C would (each thread
-- marks its end with a file DONE.<thread>, so that the last one knows).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
int getpid(void);
int kill(int pid, int sig);
]]
local ts = ffi.new("bench_timespec")
local function now_us() -- CLOCK_MONOTONIC
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local mode = os.getenv("MODE") or "loop"
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- Per thread (each has its own Lua state).
local paths, nexti, reserved, nthreads = {}, 0, 0, 1
local first, last, answered = 0, 0, 0
local n200, n204, nother, bytes200, max200 = 0, 0, 0, 0, 0

function init(args)
  nthreads = tonumber(args[1]) or 1
  -- Each thread takes every nthreads-th tile: no tile is asked for by
  -- two threads, so a thread's walk alone decides when a tile comes back
  -- (threads that walked one list from two offsets would drift together,
  -- and a small cache would hit where it should miss).
  local k = 0
  for line in io.lines(os.getenv("TILES")) do
    if k % nthreads == id then paths[#paths + 1] = line end
    k = k + 1
  end
end

local headers = { ["Accept-Encoding"] = "gzip" }

if mode == "once" then
  -- A connection asks for a tile only while tiles of the share are left;
  -- the others wait until the thread stops, so no request is sent beyond
  -- the list.
  function delay()
    if reserved < #paths then
      reserved = reserved + 1
      return 0
    end
    return 3600000
  end

  function request()
    -- wrk asks thread 0 for one request before the run, to check it;
    -- that one is not sent, and takes no tile of the share.
    if nexti >= reserved then return wrk.format("GET", paths[1], headers) end
    nexti = nexti + 1
    if first == 0 then first = now_us() end
    return wrk.format("GET", paths[nexti], headers)
  end

  function response(status, hdrs, body)
    answered = answered + 1
    last = now_us()
    if status == 200 then
      n200 = n200 + 1
      bytes200 = bytes200 + #body
      if #body > max200 then max200 = #body end
    elseif status == 204 then
      n204 = n204 + 1
    else
      nother = nother + 1
    end
    if answered >= #paths then
      wrk.thread:set("first", first)
      wrk.thread:set("last", last)
      wrk.thread:set("answered", answered)
      wrk.thread:set("n200", n200)
      wrk.thread:set("n204", n204)
      wrk.thread:set("nother", nother)
      wrk.thread:set("bytes200", bytes200)
      wrk.thread:set("max200", max200)
      wrk.thread:stop()
      finished()
    end
  end

  -- finished marks this thread's end and, when every thread has ended,
  -- wakes wrk's main thread.
  function finished()
    local prefix = assert(os.getenv("DONE"), "MODE once needs DONE, a path prefix for the threads' end marks")
    assert(io.open(prefix .. "." .. id, "w")):close()
    for i = 0, nthreads - 1 do
      local f = io.open(prefix .. "." .. i)
      if not f then return end
      f:close()
    end
    ffi.C.kill(ffi.C.getpid(), 2)
  end
else
  function request()
    nexti = nexti % #paths + 1
    return wrk.format("GET", paths[nexti], headers)
  end
end

-- peakRSS is the VmHWM and VmRSS of a process in kB, or nil.
local function peakRSS(pid)
  local f = pid and io.open("/proc/" .. pid .. "/status")
  if not f then return nil end
  local hwm, rss
  for line in f:lines() do
    hwm = hwm or tonumber(line:match("^VmHWM:%s+(%d+)"))
    rss = rss or tonumber(line:match("^VmRSS:%s+(%d+)"))
  end
  f:close()
  return hwm, rss
end

function done(summary, latency, requests)
  local errs = summary.errors
  local r = {
    target = os.getenv("TARGET"), phase = os.getenv("PHASE"),
    zoom = tonumber(os.getenv("ZOOM")), clients = tonumber(os.getenv("CLIENTS")),
    load = "wrk",
    errors = errs.connect + errs.read + errs.write + errs.timeout,
  }
  local lines = 0
  for _ in io.lines(os.getenv("TILES")) do lines = lines + 1 end
  r.list_tiles = lines
  if mode == "once" then
    local t0, t1, n, n200, n204, nother, b200, m200 = math.huge, 0, 0, 0, 0, 0, 0, 0
    for _, t in ipairs(threads) do
      local f = t:get("first")
      if f then
        t0, t1 = math.min(t0, f), math.max(t1, t:get("last"))
        n = n + t:get("answered")
        n200, n204, nother = n200 + t:get("n200"), n204 + t:get("n204"), nother + t:get("nother")
        b200, m200 = b200 + t:get("bytes200"), math.max(m200, t:get("max200"))
      end
    end
    r.requests, r.seconds = n, (n > 0) and (t1 - t0) / 1e6 or 0
    r.status = { ["200"] = n200, ["204"] = n204, other = nother }
    r.sizes = { Tiles = n200, Mean = (n200 > 0) and math.floor(b200 / n200) or 0, Max = m200 }
    if n < lines then r.errors = r.errors + lines - n end
  else
    r.requests, r.seconds = summary.requests, summary.duration / 1e6
    r.status = { ["2xx"] = summary.requests - errs.status, other = errs.status }
  end
  -- wrk's percentiles, after its correction for coordinated omission
  -- (it adds the answers a stalled connection would have sent), which is
  -- why passes keep no samples to pool: the report takes the worst pass.
  r.p50_ms, r.p99_ms, r.max_ms = latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3
  r.hwm_kb, r.rss_kb = peakRSS(os.getenv("PID"))
  local out = assert(io.open(os.getenv("OUT"), "a"))
  out:write(json(r), "\n")
  out:close()
  io.write(string.format("%s %s z%s: %d requests in %.3f s = %.1f req/s, p50 %.2f ms, p99 %.2f ms\n",
    r.target, r.phase, r.zoom, r.requests, r.seconds, r.requests / math.max(r.seconds, 1e-9), r.p50_ms, r.p99_ms))
end

-- json encodes tables, strings and numbers (what done writes).
function json(v)
  local t = type(v)
  if t == "number" then
    if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%d", v) end
    return string.format("%.6g", v)
  elseif t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
  elseif t == "nil" then
    return "null"
  end
  if #v > 0 then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = json(x) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local parts, keys = {}, {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do parts[#parts + 1] = json(k) .. ":" .. json(v[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end
