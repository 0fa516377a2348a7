package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The targets.
const (
	coldFactor   = 10.0 // cold cache throughput over the baseline's, at z12 and z14
	z8MaxBytes   = 500 * 1024
	z8MaxMillis  = 100.0
	warmFraction = 0.70                 // warm cache throughput over the bare handler's
	maxRSSkB     = 1_000_000_000 / 1024 // 1 GB
)

type runKey struct {
	target, phase string
	zoom          int
}

// readResults reads the JSON lines that load appended.
func readResults(r io.Reader) ([]result, error) {
	var out []result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var res result
		if err := json.Unmarshal([]byte(line), &res); err != nil {
			return nil, fmt.Errorf("results: %v", err)
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// mergeRuns adds up the runs of one target, phase and zoom (the cold
// passes, one per fresh process, and the rounds of a run): throughput is
// all requests over all time; the percentiles are the worst run's (wrk
// gives no samples to pool).
func mergeRuns(rs []result) result {
	m := rs[0]
	m.Status = map[string]int{}
	m.Requests, m.Seconds, m.Errors = 0, 0, 0
	for _, r := range rs {
		m.Requests += r.Requests
		m.Seconds += r.Seconds
		m.Errors += r.Errors
		for k, v := range r.Status {
			m.Status[k] += v
		}
		m.P50ms, m.P99ms = max(m.P50ms, r.P50ms), max(m.P99ms, r.P99ms)
		m.Maxms, m.Firstms = max(m.Maxms, r.Maxms), max(m.Firstms, r.Firstms)
		m.HWMkB, m.RSSkB = max(m.HWMkB, r.HWMkB), max(m.RSSkB, r.RSSkB)
		m.Sizes.Max = max(m.Sizes.Max, r.Sizes.Max)
	}
	return m
}

type runs map[runKey]result

func groupRuns(rs []result) runs {
	groups := map[runKey][]result{}
	for _, r := range rs {
		k := runKey{r.Target, r.Phase, r.Zoom}
		groups[k] = append(groups[k], r)
	}
	out := runs{}
	for k, g := range groups {
		out[k] = mergeRuns(g)
	}
	return out
}

func (rs runs) get(target, phase string, zoom int) (result, bool) {
	r, ok := rs[runKey{target, phase, zoom}]
	return r, ok
}

// zooms lists the zooms of the load runs in ascending order.
func (rs runs) zooms() []int {
	var zs []int
	for k := range rs {
		if (strings.HasPrefix(k.phase, "cold") || k.phase == "warm") && !slices.Contains(zs, k.zoom) {
			zs = append(zs, k.zoom)
		}
	}
	slices.Sort(zs)
	return zs
}

// report is the subcommand: the Markdown tables of a results file.
func report(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: tilebench report RESULTS.jsonl")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	rs, err := readResults(f)
	if err != nil {
		return err
	}
	writeReport(os.Stdout, groupRuns(rs))
	return nil
}

func writeReport(w io.Writer, rs runs) {
	fmt.Fprintln(w, "| zoom | tiles | server | pass | requests | req/s | p50 | p99 | gzipped KB mean / max | 204 | other / errors |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, z := range rs.zooms() {
		for _, tp := range [][2]string{{"ours", "cold"}, {"ours", "cold-pass"}, {"ours", "cold-start"}, {"ours", "warm"}, {"bare", "warm"}, {"baseline", "cold-pass"}, {"baseline", "warm"}} {
			r, ok := rs.get(tp[0], tp[1], z)
			if !ok {
				continue
			}
			size, empty := "–", "–" // not counted by a load over a duration
			if r.Sizes.Tiles > 0 {
				size = fmt.Sprintf("%.1f / %.1f", float64(r.Sizes.Mean)/1024, float64(r.Sizes.Max)/1024)
			}
			if n, ok := r.Status["204"]; ok {
				empty = strconv.Itoa(n)
			}
			fmt.Fprintf(w, "| %d | %d | %s | %s | %d | %s | %.2f ms | %.2f ms | %s | %s | %d / %d |\n",
				z, r.ListTiles, tp[0], tp[1], r.Requests, thousands(r.rps()), r.P50ms, r.P99ms, size, empty, r.nonOK(), r.Errors)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | measured | |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, z := range []int{12, 14} {
		for _, ph := range []struct{ phase, what string }{
			{"cold", "every request a miss, tiles prepared"},
			{"cold-pass", "fresh process, tiles prepared, each tile once"},
			{"cold-start", "fresh process right after /readyz, tiles being prepared, each tile once"},
		} {
			ours, ok1 := rs.get("ours", ph.phase, z)
			base, ok2 := bestBaseline(rs, z)
			name := fmt.Sprintf("cold cache (%s) ≥ %.0f× baseline at z%d", ph.what, coldFactor, z)
			switch {
			case !ok1 || !ok2:
				fmt.Fprintf(w, "| %s | not measured | |\n", name)
			case served(ours) == 0:
				fmt.Fprintf(w, "| %s | not served: %s | **missed** |\n", name, statusText(ours))
			default:
				ratio := ours.rps() / base.rps()
				misses := ""
				if c, ok := rs.get("ours", "cold-cache", z); ok && ph.phase == "cold" {
					misses = fmt.Sprintf(" (tile cache: %d misses, %d hits)", c.CacheMisses, c.CacheHits)
				}
				fmt.Fprintf(w, "| %s | %s req/s against %s req/s (baseline %s) = **%.2f×**%s | %s |\n",
					name, thousands(ours.rps()), thousands(base.rps()), base.Phase, ratio, misses, verdict(ratio >= coldFactor && ours.nonOK() == 0))
			}
		}
	}
	writeZ8(w, rs)
	for _, z := range rs.zooms() {
		ours, ok1 := rs.get("ours", "warm", z)
		b, ok2 := rs.get("bare", "warm", z)
		if !ok1 || !ok2 || b.rps() == 0 {
			continue
		}
		if served(ours) == 0 {
			fmt.Fprintf(w, "| warm cache ≥ %.0f %% of a bare handler at z%d | not served: %s | **missed** |\n", warmFraction*100, z, statusText(ours))
			continue
		}
		frac := ours.rps() / b.rps()
		fmt.Fprintf(w, "| warm cache ≥ %.0f %% of a bare handler at z%d | %s against %s req/s = **%.0f %%** | %s |\n",
			warmFraction*100, z, thousands(ours.rps()), thousands(b.rps()), frac*100, verdict(frac >= warmFraction))
	}
	if p, ok := rs.get("ours", "pyramid", -1); ok {
		fmt.Fprintf(w, "| the level with its pyramid in ≤ 1 GB RSS | peak RSS **%.0f MB** after %d tiles of zooms %s (%d answered 200, %d 204, %d other, %d errors) | %s |\n",
			float64(p.HWMkB)/1024, p.Requests, zoomRange(p), p.Status["200"], p.Status["204"], p.nonOK(), p.Errors, verdict(p.HWMkB > 0 && p.HWMkB <= maxRSSkB))
	}
	var peak int64
	for k, r := range rs {
		if k.target == "ours" {
			peak = max(peak, r.HWMkB)
		}
	}
	if peak > 0 {
		fmt.Fprintf(w, "| (peak RSS of our server over all runs) | %.0f MB | |\n", float64(peak)/1024)
	}
}

// bestBaseline is the baseline's higher throughput at zoom z: its first
// pass or its steady run, whichever is faster, so that the comparison
// never flatters us.
func bestBaseline(rs runs, z int) (result, bool) {
	c, okc := rs.get("baseline", "cold-pass", z)
	wm, okw := rs.get("baseline", "warm", z)
	switch {
	case okc && okw:
		if c.rps() > wm.rps() {
			return c, true
		}
		return wm, true
	case okw:
		return wm, true
	default:
		return c, okc
	}
}

// writeZ8 reads the z8 target: a z8 tile of the block level within 500
// KB and 100 ms, or a minzoom above 8 that the level's TileJSON declares.
func writeZ8(w io.Writer, rs runs) {
	if p, ok := rs.get("ours", "prepare", -1); ok && p.MinZoom != nil {
		fmt.Fprintf(w, "| tiles prepared by a fresh server | %.1f s after /readyz | |\n", p.PrepareS)
		if *p.MinZoom > 8 {
			fmt.Fprintf(w, "| z8 block tile ≤ 500 KB gzipped and made in ≤ 100 ms, or a minzoom the TileJSON states | the level starts at **minzoom %d** (TileJSON); z8 and z10 answer 400 | met |\n", *p.MinZoom)
			return
		}
	}
	var size int64
	var slowest float64
	for k, r := range rs {
		if k.target == "ours" && k.zoom == 8 && strings.HasPrefix(k.phase, "cold") {
			size, slowest = max(size, r.Sizes.Max), max(slowest, r.Maxms)
		}
	}
	if size == 0 {
		fmt.Fprintln(w, "| z8 block tile ≤ 500 KB gzipped and made in ≤ 100 ms | no z8 tile measured | **missed** |")
		return
	}
	fmt.Fprintf(w, "| z8 block tile ≤ 500 KB gzipped and made in ≤ 100 ms | largest **%.1f KB**, slowest cold answer **%.1f ms** | %s |\n",
		float64(size)/1024, slowest, verdict(size <= z8MaxBytes && slowest <= z8MaxMillis))
}

// served counts the answers with a tile or an empty tile.
func served(r result) int { return r.Status["200"] + r.Status["204"] + r.Status["2xx"] }

// statusText lists the answers by status, e.g. "49 × 400".
func statusText(r result) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.Status)) {
		parts = append(parts, fmt.Sprintf("%d × %s", r.Status[k], k))
	}
	if r.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d errors", r.Errors))
	}
	return strings.Join(parts, ", ")
}

func zoomRange(r result) string {
	if r.Zooms != "" {
		return r.Zooms
	}
	return fmt.Sprint(r.Zoom)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// thousands formats a rate with a thousands separator and no decimals
// (one decimal below 100).
func thousands(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
