package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

// startServe runs `sozialatlas serve` in-process on a free port and returns
// its base URL; the server stops (as on SIGTERM) when the test ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "-addr", "127.0.0.1:0"}, args...), io.Discard, pw)
		pw.Close()
	}()
	url := make(chan string, 1)
	var logs bytes.Buffer
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`"msg":"serving","url":"([^"]+)"`)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				url <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited with %d after shutdown, want 0; logs:\n%s", code, logs.String())
		}
	})
	select {
	case u := <-url:
		return u
	case code := <-done:
		t.Fatalf("serve exited with %d before serving; logs:\n%s", code, logs.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("serve did not start; logs:\n%s", logs.String())
	}
	return ""
}

func getJSON(t *testing.T, url string, v any) *http.Response {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp
}

// TestServeBerlinDemo is what `make run` promises: a fresh data directory,
// the Berlin demo imported on first start, the four levels and 542
// Planungsräume served.
func TestServeBerlinDemo(t *testing.T) {
	base := startServe(t, "-data", t.TempDir())

	var health map[string]string
	if resp := getJSON(t, base+"/healthz", &health); resp.StatusCode != 200 || health["status"] != "ok" {
		t.Errorf("/healthz: got %d %v", resp.StatusCode, health)
	}
	if resp := getJSON(t, base+"/readyz", &health); resp.StatusCode != 200 || health["status"] != "ready" {
		t.Errorf("/readyz: got %d %v", resp.StatusCode, health)
	}
	var levels []atlas.Level
	getJSON(t, base+"/api/v1/levels", &levels)
	var got []string
	for _, l := range levels {
		got = append(got, fmt.Sprintf("%s<%s:%d", l.ID, l.Parent, l.Units))
	}
	want := "bezirk<:12 prognoseraum<bezirk:58 bezirksregion<prognoseraum:143 planungsraum<bezirksregion:542"
	if strings.Join(got, " ") != want {
		t.Errorf("levels: got %v, want %s", got, want)
	}

	var fc struct {
		Type     string
		Features []struct {
			ID         string
			Properties map[string]any
			Geometry   struct {
				Type        string
				Coordinates [][][][2]float64
			}
		}
		NumberReturned int
	}
	resp := getJSON(t, base+"/api/v1/levels/planungsraum/units", &fc)
	if ct := resp.Header.Get("Content-Type"); ct != "application/geo+json" {
		t.Errorf("units content type: got %q, want application/geo+json", ct)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 542 || fc.NumberReturned != 542 {
		t.Fatalf("units: got %s with %d features (numberReturned %d), want 542", fc.Type, len(fc.Features), fc.NumberReturned)
	}
	f := fc.Features[0]
	if f.ID != "01100101" || f.Properties["name"] != "Stülerstraße" || f.Properties["parent"] != "011001" || f.Geometry.Type != "MultiPolygon" {
		t.Errorf("first unit: got %s %v %s", f.ID, f.Properties, f.Geometry.Type)
	}

	var prob map[string]any
	if resp := getJSON(t, base+"/api/v1/levels/nope/units", &prob); resp.StatusCode != 404 || prob["detail"] != `level "nope" does not exist` {
		t.Errorf("unknown level: got %d %v", resp.StatusCode, prob)
	}
	if resp := getJSON(t, base+"/api/v1/levels/planungsraum/units?bbox=1,2", &prob); resp.StatusCode != 400 {
		t.Errorf("bad bbox: got %d %v, want 400", resp.StatusCode, prob)
	}
	// The catalog was computed on first start: the MSS index has classes.
	var vals struct {
		Values []struct {
			Code   string
			Status string
			Class  *string
		}
	}
	getJSON(t, base+"/api/v1/indicators/mss-status-index/values?level=planungsraum", &vals)
	classed := 0
	for _, v := range vals.Values {
		if v.Status == "ok" && v.Class != nil {
			classed++
		}
	}
	if len(vals.Values) != 542 || classed != 536 {
		t.Errorf("mss-status-index: %d values, %d with a class; want 542 and 536", len(vals.Values), classed)
	}
	// The second page of Bezirksregionen follows the next link.
	var page struct {
		Features []any
		Links    []struct{ Rel, Href string }
	}
	rels := func() map[string]string {
		m := map[string]string{}
		for _, l := range page.Links {
			m[l.Rel] = l.Href
		}
		return m
	}
	getJSON(t, base+"/api/v1/levels/bezirksregion/units?limit=100", &page)
	next := rels()["next"]
	if len(page.Features) != 100 || !strings.HasPrefix(next, base+"/api/v1/levels/bezirksregion/units?") {
		t.Fatalf("first page: got %d features, links %v", len(page.Features), page.Links)
	}
	page.Features, page.Links = nil, nil
	getJSON(t, next, &page)
	if l := rels(); len(page.Features) != 43 || l["next"] != "" || l["prev"] == "" {
		t.Errorf("second page: got %d features, links %v; want the other 43, a prev link and no next link", len(page.Features), page.Links)
	}
}

// TestSIGTERMDuringDemoImport sends SIGTERM to a real process while it
// imports the demo on first start: the import rolls back (nothing half
// done), and the next start imports it whole. (The store contract's
// CancelledApplyWritesNothing cancels a write deterministically.)
func TestSIGTERMDuringDemoImport(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "sozialatlas")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := t.TempDir()
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-data", data)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		logs.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "importing the Berlin demo") {
			cmd.Process.Signal(syscall.SIGTERM)
			break
		}
	}
	io.Copy(&logs, stderr)
	err = cmd.Wait()
	if !strings.Contains(logs.String(), "nothing was written") {
		t.Fatalf("SIGTERM during the import: exit %v; logs:\n%s", err, logs.String())
	}

	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(data, "sozialatlas.db"))
	if err != nil {
		t.Fatal(err)
	}
	levels, err1 := s.Levels(ctx)
	imports, err2 := s.Imports(ctx, 0)
	s.Close()
	if err1 != nil || err2 != nil || len(levels) != 0 || len(imports) != 0 {
		t.Fatalf("after an interrupted import: %d levels, %d imports (%v, %v); want an empty store", len(levels), len(imports), err1, err2)
	}

	base := startServe(t, "-data", data)
	var got []atlas.Level
	getJSON(t, base+"/api/v1/levels", &got)
	if len(got) != 4 || got[3].Units != 542 {
		t.Errorf("after restart: got %+v, want the four Berlin levels", got)
	}
}

func TestImportCommand(t *testing.T) {
	data := t.TempDir()
	base := "../../testdata/badinput/base/sozialatlas.yaml"
	var out, errOut bytes.Buffer
	ctx := context.Background()

	if code := run(ctx, []string{"import", "-data", data, "-dry-run", base}, &out, &errOut); code != 0 {
		t.Fatalf("dry run: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "dry run, would write") {
		t.Errorf("dry run output: %s", out.String())
	}
	out.Reset()
	if code := run(ctx, []string{"import", "-data", data, base}, &out, &errOut); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "units 6/0/0") {
		t.Errorf("import output lacks the unit counts: %s", out.String())
	}

	// A refused import exits 1 and says why.
	out.Reset()
	code := run(ctx, []string{"import", "-data", data, "../../testdata/badinput/unknown-units/sozialatlas.yaml"}, &out, &errOut)
	if code != exitFail || !strings.Contains(out.String(), `unit "0909" does not exist`) || !strings.Contains(out.String(), "nothing was written") {
		t.Errorf("bad input: exit %d, output:\n%s", code, out.String())
	}

	// A single file, with a new indicator declared on the command line.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "alo.csv"), []byte("code;wert\n0101;4,2\n0102;–\n"), 0o644)
	out.Reset()
	code = run(ctx, []string{"import", "values", "-data", data, "-level", "sozialraum", "-unit", "code", "-indicator", "alo",
		"-indicator-name", "Arbeitslosigkeit", "-polarity", "higher_worse", "-date", "2021-12-31", "-value-column", "wert", "-json",
		filepath.Join(dir, "alo.csv")}, &out, &errOut)
	var rep struct {
		Errors  int
		Changes atlas.Changes
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || code != 0 || rep.Changes.Values.Inserted != 2 || rep.Changes.Indicators.Inserted != 1 {
		t.Errorf("single-file import: exit %d, %v, report %s", code, err, out.String())
	}

	// Wrong usage exits 2.
	if code := run(ctx, []string{"import", "units", "-data", data, "x.geojson"}, &out, &errOut); code != exitUsage {
		t.Errorf("units without -level: exit %d, want %d", code, exitUsage)
	}
}

// TestComputeCommand: an import computes what depends on it, compute
// recomputes on demand, and a broken catalog is refused with file and line.
func TestComputeCommand(t *testing.T) {
	data := t.TempDir()
	var out, errOut bytes.Buffer
	ctx := context.Background()
	if code := run(ctx, []string{"import", "-data", data, "../../geodata/berlin/sozialatlas.yaml"}, &out, &errOut); code != 0 {
		t.Fatalf("import: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "computed 37 indicators") || !strings.Contains(out.String(), "mss-status-index") {
		t.Errorf("import did not compute the catalog:\n%s", out.String())
	}
	out.Reset()
	if code := run(ctx, []string{"compute", "-data", data, "-only", "mss-status-index", "-json"}, &out, &errOut); code != 0 {
		t.Fatalf("compute: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	var rep struct {
		Computed []struct{ ID string }
		Changes  atlas.Changes
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Computed) != 1 || rep.Changes.Values.Unchanged != 542 {
		t.Errorf("compute -only: %v %s", err, out.String())
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "x.yaml"), []byte("indicators:\n  - id: a\n    name: A\n    unit: \"%\"\n    polarity: neutral\n    compute: {op: ratio, numerator: b, denominator: a, scale: 100}\n"), 0o644)
	out.Reset()
	errOut.Reset()
	code := run(ctx, []string{"compute", "-data", data, "-catalog", bad}, &out, &errOut)
	if code != exitFail || !strings.Contains(errOut.String(), `x.yaml:6 (a, compute.numerator): numerator "b" is neither a declared input nor a defined indicator`) ||
		!strings.Contains(errOut.String(), "denominator refers to the indicator itself") {
		t.Errorf("broken catalog: exit %d: %s", code, errOut.String())
	}
}

// TestTokenCommand: create prints a secret that the store knows only by
// its hash; list shows the token without it; revoke ends it.
func TestTokenCommand(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"token", "create", "-data", data, "-name", "QGIS Jugendamt", "-role", "analyst", "-user", "it"}, &out, &errOut); code != 0 {
		t.Fatalf("create: %d %s", code, errOut.String())
	}
	secret := strings.TrimSpace(out.String())
	if !auth.IsAPIToken(secret) {
		t.Fatalf("create printed %q, want a token", secret)
	}
	s, err := sqlite.Open(ctx, filepath.Join(data, "sozialatlas.db"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.TokenByHash(ctx, auth.HashToken(secret))
	s.Close()
	if err != nil || tok.Role != "analyst" || tok.CreatedBy != "it" {
		t.Fatalf("stored token: %+v %v", tok, err)
	}
	out.Reset()
	if code := run(ctx, []string{"token", "list", "-data", data}, &out, &errOut); code != 0 || !strings.Contains(out.String(), `"name": "QGIS Jugendamt"`) || strings.Contains(out.String(), secret) {
		t.Errorf("list: %d %s", code, out.String())
	}
	if code := run(ctx, []string{"token", "revoke", "-data", data, "-id", strconv.FormatInt(tok.ID, 10)}, &out, &errOut); code != 0 {
		t.Errorf("revoke: %d %s", code, errOut.String())
	}
	if code := run(ctx, []string{"token", "create", "-data", data, "-name", "x", "-role", "root"}, &out, &errOut); code != exitUsage {
		t.Errorf("unknown role: exit %d, want %d", code, exitUsage)
	}
}

// TestServeNegativeCache: a cache of less than 0 MB stops serve with a
// clear error before anything is opened.
func TestServeNegativeCache(t *testing.T) {
	var stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "-addr", "127.0.0.1:0", "-data", t.TempDir(), "-tile-cache-mb", "-1"}, io.Discard, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "-tile-cache-mb -1, -cache-mb 256: a cache's size is 0 MB or more") {
		t.Fatalf("serve -tile-cache-mb -1: exit %d, %s", code, stderr.String())
	}
}

// TestCacheBytes: -tile-cache-mb 0 and -cache-mb 0 keep nothing, where
// api.Config's 0 would mean its default.
func TestCacheBytes(t *testing.T) {
	if cacheBytes(0) >= 0 || cacheBytes(1) != 1<<20 || cacheBytes(256) != 256<<20 {
		t.Errorf("cacheBytes: 0 → %d, 1 → %d, 256 → %d", cacheBytes(0), cacheBytes(1), cacheBytes(256))
	}
}
