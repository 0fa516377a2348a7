package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWrkScript runs the benchmark's load (wrk.lua) against a test server:
// a pass asks for every tile of the list exactly once, ends when the last
// is answered (not when wrk's -d is over), and writes a line the report
// reads; a loop runs for -d over the list.
func TestWrkScript(t *testing.T) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		t.Fatal("wrk is missing (scripts/deps installs it): ", err)
	}
	var mu sync.Mutex
	asked := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked[r.URL.Path]++
		mu.Unlock()
		if r.Header.Get("Accept-Encoding") != "gzip" {
			w.WriteHeader(http.StatusNotAcceptable)
			return
		}
		var n int
		fmt.Sscanf(r.URL.Path, "/t/%d", &n)
		if n%5 == 0 {
			w.WriteHeader(http.StatusNoContent) // an empty tile
			return
		}
		w.Write(bytes.Repeat([]byte("x"), 100+n))
	}))
	defer srv.Close()
	dir := t.TempDir()
	var list strings.Builder
	for i := range 50 {
		fmt.Fprintf(&list, "/t/%d\n", i)
	}
	paths := filepath.Join(dir, "paths.txt")
	if err := os.WriteFile(paths, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "results.jsonl")
	run := func(mode, duration string) time.Duration {
		cmd := exec.Command(wrk, "-t", "2", "-c", "4", "-d", duration, "-s", "wrk.lua", srv.URL, "--", "2")
		cmd.Env = append(os.Environ(), "TILES="+paths, "MODE="+mode, "OUT="+out, "DONE="+filepath.Join(dir, "done"),
			"TARGET=ours", "PHASE="+mode, "ZOOM=14", "CLIENTS=4")
		start := time.Now()
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("wrk %s: %v\n%s", mode, err, b)
		}
		return time.Since(start)
	}

	if took := run("once", "120s"); took > 60*time.Second {
		t.Errorf("the pass ran %v: it did not end with its last answer", took)
	}
	for i := range 50 {
		if p := fmt.Sprintf("/t/%d", i); asked[p] != 1 {
			t.Errorf("%s asked %d times in the pass, want once", p, asked[p])
		}
	}
	if len(asked) != 50 {
		t.Errorf("the pass asked %d paths, want the 50 of the list: %v", len(asked), asked)
	}
	clear(asked)
	run("loop", "1s")
	if asked["/t/0"] < 2 || asked["/t/49"] < 2 || len(asked) != 50 {
		t.Errorf("the loop did not go round the list: %v", asked)
	}

	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := readResults(f)
	if err != nil || len(rs) != 2 {
		t.Fatalf("results: %v %+v", err, rs)
	}
	pass, loop := rs[0], rs[1]
	if pass.Requests != 50 || pass.ListTiles != 50 || pass.Status["200"] != 40 || pass.Status["204"] != 10 || pass.nonOK() != 0 ||
		pass.Errors != 0 || pass.P50ms <= 0 || pass.P50ms > pass.P99ms || pass.Seconds <= 0 || pass.Seconds > 60 || pass.Load != "wrk" ||
		pass.Sizes.Tiles != 40 || pass.Sizes.Max != 149 || pass.Target != "ours" || pass.Zoom != 14 {
		t.Errorf("pass: %+v", pass)
	}
	if loop.Requests < 100 || loop.Status["2xx"] != loop.Requests || loop.nonOK() != 0 || loop.Seconds < 0.9 || loop.Seconds > 5 {
		t.Errorf("loop: %+v", loop)
	}
}
