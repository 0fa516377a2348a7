package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// result is one load run against one target, one JSON line in the
// results file.
type result struct {
	Target    string         `json:"target"`          // ours, baseline, bare
	Phase     string         `json:"phase"`           // cold, cold-pass, cold-start, warm, pyramid, prepare, cold-cache
	Load      string         `json:"load,omitempty"`  // the load generator: wrk (wrk.lua), or tilebench load when empty
	Zoom      int            `json:"zoom"`            // -1 when the list has several zooms
	Zooms     string         `json:"zooms,omitempty"` // then these
	ListTiles int            `json:"list_tiles"`      // tiles in the list
	Clients   int            `json:"clients"`
	Requests  int            `json:"requests"`
	Seconds   float64        `json:"seconds"`
	P50ms     float64        `json:"p50_ms"`
	P99ms     float64        `json:"p99_ms"`
	Maxms     float64        `json:"max_ms"`
	Firstms   float64        `json:"first_ms"` // latency of the first request sent
	Sizes     sizes          `json:"sizes"`    // body bytes of distinct tiles answered 200
	Status    map[string]int `json:"status"`   // answers by status code
	Errors    int            `json:"errors"`   // requests without an answer, or with a broken one
	HWMkB     int64          `json:"hwm_kb,omitempty"`
	RSSkB     int64          `json:"rss_kb,omitempty"`
	// The prepare line (written by scripts/bench-tiles): the level's
	// TileJSON minzoom and the seconds a fresh server took to prepare its
	// tiles after /readyz.
	MinZoom  *int    `json:"minzoom,omitempty"`
	PrepareS float64 `json:"prepare_s,omitempty"`
	// The cold-cache line (scripts/bench-tiles): our tile cache's hits and
	// misses after the cold run, from the server's /metrics.
	CacheHits   int64 `json:"cache_hits,omitempty"`
	CacheMisses int64 `json:"cache_misses,omitempty"`
}

func (r result) rps() float64 {
	if r.Seconds == 0 {
		return 0
	}
	return float64(r.Requests) / r.Seconds
}

// nonOK counts answers other than 200 and 204 (an empty tile); "2xx"
// counts both where a load counted no finer (wrk over a duration).
func (r result) nonOK() int {
	n := 0
	for code, c := range r.Status {
		if code != "200" && code != "204" && code != "2xx" {
			n += c
		}
	}
	return n
}

// loadConfig is what one run does.
type loadConfig struct {
	template string
	tiles    []tile
	clients  int
	passes   int           // each tile this many times, or
	duration time.Duration // loop over the list this long
	timeout  time.Duration // a bound on the whole run
	// warm, when set, is a URL every client asks once, all at the same
	// moment, before the clock starts: the connections are open when the
	// run begins, so that a short run (a cold pass) does not time dialling.
	warm string
}

// sample is one answered (or failed) request.
type sample struct {
	idx     int
	started time.Time
	took    time.Duration
	status  int
	bytes   int64
	err     bool
}

// runLoad is a closed loop: clients goroutines each send the next tile of
// the list as soon as their previous answer has been read, with
// Accept-Encoding: gzip, until passes × len(tiles) requests have been
// sent or the duration is over.
func runLoad(ctx context.Context, cfg loadConfig) (result, [][]sample, error) {
	if len(cfg.tiles) == 0 {
		return result{}, nil, errors.New("no tiles to request")
	}
	if cfg.clients < 1 {
		return result{}, nil, errors.New("clients must be at least 1")
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	client := newClient(cfg.clients)
	urls := make([]string, len(cfg.tiles))
	for i, t := range cfg.tiles {
		urls[i] = tileURL(cfg.template, t)
	}
	total := int64(cfg.passes * len(cfg.tiles))
	var deadline time.Time
	if cfg.duration > 0 {
		total = -1
		deadline = time.Now().Add(cfg.duration)
	}
	if cfg.warm != "" {
		if err := warmConnections(ctx, client, cfg.warm, cfg.clients); err != nil {
			return result{}, nil, err
		}
	}
	var next atomic.Int64
	perClient := make([][]sample, cfg.clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n := next.Add(1) - 1
				if total >= 0 && n >= total || total < 0 && time.Now().After(deadline) {
					return
				}
				i := int(n % int64(len(urls)))
				perClient[c] = append(perClient[c], fetch(ctx, client, urls[i], i))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return result{}, nil, fmt.Errorf("the run did not finish within %s: %w", cfg.timeout, err)
	}
	return summarize(cfg, perClient, elapsed), perClient, nil
}

// warmConnections has n clients ask url at once, which opens about n
// keep-alive connections.
func warmConnections(ctx context.Context, client *http.Client, url string, n int) error {
	var wg sync.WaitGroup
	var failed atomic.Int64
	gate := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			if s := fetch(ctx, client, url, 0); s.err || s.status/100 != 2 {
				failed.Add(1)
			}
		}()
	}
	close(gate)
	wg.Wait()
	if failed.Load() > 0 {
		return fmt.Errorf("warming the connections: %s did not answer 2xx", url)
	}
	return nil
}

func summarize(cfg loadConfig, perClient [][]sample, elapsed time.Duration) result {
	r := result{ListTiles: len(cfg.tiles), Clients: cfg.clients, Seconds: elapsed.Seconds(), Status: map[string]int{}}
	var lat []time.Duration
	bySize := map[tile]int64{}
	var first sample
	for _, ss := range perClient {
		for _, s := range ss {
			r.Requests++
			lat = append(lat, s.took)
			if first.started.IsZero() || s.started.Before(first.started) {
				first = s
			}
			if s.err {
				r.Errors++
				continue
			}
			r.Status[strconv.Itoa(s.status)]++
			if s.status == http.StatusOK {
				bySize[cfg.tiles[s.idx]] = s.bytes
			}
		}
	}
	sorted := sortedCopy(lat)
	r.P50ms = ms(percentile(sorted, 50))
	r.P99ms = ms(percentile(sorted, 99))
	r.Maxms = ms(percentile(sorted, 100))
	r.Firstms = ms(first.took)
	r.Sizes = sizeStats(bySize)
	return r
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fetch sends one GET and reads the whole body; a body that is not the
// length the server announced counts as an error.
func fetch(ctx context.Context, client *http.Client, u string, idx int) sample {
	s := sample{idx: idx, started: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		s.err = true
		return s
	}
	// Set by hand, Go's transport does not unzip: we count the bytes sent.
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := client.Do(req)
	if err != nil {
		s.took, s.err = time.Since(s.started), true
		return s
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.took, s.status, s.bytes = time.Since(s.started), resp.StatusCode, n
	if err != nil || resp.ContentLength >= 0 && n != resp.ContentLength {
		s.err = true
	}
	return s
}

// newClient keeps one connection per concurrent client open.
func newClient(clients int) *http.Client {
	tr := &http.Transport{
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		MaxConnsPerHost:     clients,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
	return &http.Client{Transport: tr, Timeout: time.Minute}
}

// checkLoopback refuses any target that is not on this machine's loopback.
func checkLoopback(template string) error {
	u, err := url.Parse(tileURL(template, tile{}))
	if err != nil {
		return fmt.Errorf("url %q: %v", template, err)
	}
	if u.Scheme != "http" {
		return fmt.Errorf("url %q: want http://127.0.0.1:PORT/...", template)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("url %q: the benchmark only sends traffic to loopback addresses (127.0.0.0/8, ::1, localhost)", template)
}

// procMemory reads a process's peak and current resident set (kB).
func procMemory(pid int) (hwm, rss int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "VmHWM:":
			hwm, _ = strconv.ParseInt(f[1], 10, 64)
		case "VmRSS:":
			rss, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return hwm, rss, nil
}

// tileFlags are the flags that choose the tile list; every subcommand that
// needs the list takes the same ones, so targets get the same tiles.
type tileFlags struct {
	bbox  string
	zooms string
	max   int
	seed  uint64
}

func (tf *tileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&tf.bbox, "bbox", "", "the city's bounding box in WGS84: minlon,minlat,maxlon,maxlat")
	fs.StringVar(&tf.zooms, "zoom", "14", "zoom, or comma-separated zooms")
	fs.IntVar(&tf.max, "max", 0, "at most this many tiles per zoom, a deterministic sample (0: all)")
	fs.Uint64Var(&tf.seed, "seed", 1, "seed of the tile order")
}

func (tf *tileFlags) lists() (map[int][]tile, []int, error) {
	b, err := parseBBox(tf.bbox)
	if err != nil {
		return nil, nil, err
	}
	out := map[int][]tile{}
	var zooms []int
	for _, s := range strings.Split(tf.zooms, ",") {
		z, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || z < 0 || z > 22 {
			return nil, nil, fmt.Errorf("zoom %q: want a whole number 0..22", s)
		}
		out[z] = tileList(b, z, tf.max, tf.seed)
		zooms = append(zooms, z)
	}
	return out, zooms, nil
}

// load is the subcommand: one run against one target, appended to the
// results file as a JSON line and printed as a line of text.
func load(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	var tf tileFlags
	tf.register(fs)
	template := fs.String("url", "", "tile URL template with {z}, {x}, {y} on 127.0.0.1")
	target := fs.String("target", "ours", "name of the target in the results: ours, baseline or bare")
	phase := fs.String("phase", "warm", "name of the phase in the results: cold-start, cold, warm or pyramid")
	clients := fs.Int("clients", 16, "concurrent clients")
	passes := fs.Int("passes", 1, "request every tile this many times (when -duration is 0)")
	duration := fs.Duration("duration", 0, "loop over the list this long instead of -passes")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up when the run takes longer")
	pid := fs.Int("pid", 0, "the server's process id, for its peak RSS after the run")
	warm := fs.Bool("warm-connections", true, "open the clients' connections (GET /healthz on the target, all at once) before the clock starts")
	out := fs.String("out", "", "append the result as a JSON line to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkLoopback(*template); err != nil {
		return err
	}
	lists, zooms, err := tf.lists()
	if err != nil {
		return err
	}
	var list []tile
	for _, z := range zooms {
		list = append(list, lists[z]...)
	}
	cfg := loadConfig{template: *template, tiles: list, clients: *clients, passes: *passes, duration: *duration, timeout: *timeout}
	if *warm {
		u, _ := url.Parse(tileURL(*template, tile{})) // checked by checkLoopback
		cfg.warm = u.Scheme + "://" + u.Host + "/healthz"
	}
	r, _, err := runLoad(ctx, cfg)
	if err != nil {
		return err
	}
	r.Target, r.Phase, r.Zoom = *target, *phase, zooms[0]
	if len(zooms) > 1 {
		r.Zoom, r.Zooms = -1, tf.zooms
	}
	if *pid > 0 {
		if r.HWMkB, r.RSSkB, err = procMemory(*pid); err != nil {
			return fmt.Errorf("memory of process %d: %w", *pid, err)
		}
	}
	fmt.Printf("%-8s %-12s z%-2d %5d tiles %3d clients: %7d requests in %6.2f s = %9.1f req/s, p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms, mean %6.1f KB, max %6.1f KB, status %v, errors %d",
		r.Target, r.Phase, r.Zoom, r.ListTiles, r.Clients, r.Requests, r.Seconds, r.rps(), r.P50ms, r.P99ms, r.Maxms,
		float64(r.Sizes.Mean)/1024, float64(r.Sizes.Max)/1024, r.Status, r.Errors)
	if r.HWMkB > 0 {
		fmt.Printf(", server peak RSS %.0f MB", float64(r.HWMkB)/1024)
	}
	fmt.Println()
	if *out != "" {
		return appendJSON(*out, r)
	}
	return nil
}

func appendJSON(path string, v any) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(f).Encode(v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
