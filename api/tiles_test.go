package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	sozialatlas "github.com/sozialatlas/sozialatlas"
	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/tiles"
)

// The tiles are read back by readers that share no code with the server:
// @mapbox/vector-tile (the reference MVT decoder) and
// @placemarkio/check-geojson under node, from testdata/tiletest (versions
// pinned in its package.json and package-lock.json), and GDAL's MVT
// driver (ogrinfo). A missing tool fails the tests: make test installs
// them (scripts/deps).

const tileTestDir = "../testdata/tiletest"

var tileTools struct {
	once sync.Once
	err  error
}

// needNodeReader installs the node readers (npm ci) once per test run.
func needNodeReader(t *testing.T) {
	t.Helper()
	tileTools.once.Do(func() {
		for _, tool := range []string{"node", "npm"} {
			if _, err := exec.LookPath(tool); err != nil {
				tileTools.err = fmt.Errorf("%s is not installed; make test installs it (scripts/deps), or apt-get install nodejs npm", tool)
				return
			}
		}
		lock, _ := os.Stat(filepath.Join(tileTestDir, "package-lock.json"))
		installed, err := os.Stat(filepath.Join(tileTestDir, "node_modules", ".package-lock.json"))
		if err == nil && lock != nil && !installed.ModTime().Before(lock.ModTime()) {
			return
		}
		cmd := exec.Command("npm", "ci", "--prefix", tileTestDir, "--no-audit", "--no-fund", "--loglevel=error")
		if out, err := cmd.CombinedOutput(); err != nil {
			tileTools.err = fmt.Errorf("npm ci in testdata/tiletest: %v\n%s", err, out)
		}
	})
	if tileTools.err != nil {
		t.Fatal(tileTools.err)
	}
}

type nodeFeature struct {
	ID         float64          `json:"id"`
	Type       int              `json:"type"`
	Properties map[string]any   `json:"properties"`
	Rings      [][][2]float64   `json:"rings"`
	Geometry   orb.MultiPolygon `json:"-"` // rings grouped, in tile coordinates
}

type nodeLayer struct {
	Version  int           `json:"version"`
	Extent   int           `json:"extent"`
	Features []nodeFeature `json:"features"`
}

type nodeResult struct {
	Layers map[string]nodeLayer `json:"layers"`
	Issues []string             `json:"issues"`
}

// readWithNode reads tile files with testdata/tiletest/read.mjs.
func readWithNode(t *testing.T, files []string) map[string]nodeResult {
	t.Helper()
	needNodeReader(t)
	out := map[string]nodeResult{}
	for len(files) > 0 { // in batches: command lines are bounded
		n := min(len(files), 200)
		cmd := exec.Command("node", append([]string{filepath.Join(tileTestDir, "read.mjs")}, files[:n]...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("node read.mjs: %v\n%s", err, stderr.String())
		}
		var part map[string]nodeResult
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatal(err)
		}
		for k, v := range part {
			for _, l := range v.Layers {
				for i := range l.Features {
					l.Features[i].Geometry = polygonsOf(l.Features[i].Rings)
				}
			}
			out[k] = v
		}
		files = files[n:]
	}
	return out
}

// polygonsOf groups decoded rings as the MVT specification says: a ring
// of positive area (clockwise on screen) starts a polygon, the following
// ones of negative area are its holes.
func polygonsOf(rings [][][2]float64) orb.MultiPolygon {
	var mp orb.MultiPolygon
	for _, r := range rings {
		ring := make(orb.Ring, 0, len(r)+1)
		for _, p := range r {
			ring = append(ring, orb.Point{p[0], p[1]})
		}
		if len(ring) > 0 && ring[0] != ring[len(ring)-1] {
			ring = append(ring, ring[0])
		}
		var a float64
		for i := 0; i+1 < len(ring); i++ {
			a += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
		}
		if a > 0 || len(mp) == 0 {
			mp = append(mp, orb.Polygon{ring})
		} else {
			mp[len(mp)-1] = append(mp[len(mp)-1], ring)
		}
	}
	return mp
}

// getTile fetches a tile with gzip, checks the answer's headers and
// returns the uncompressed body; nil for 204.
func getTile(t *testing.T, srv http.Handler, target, token string) []byte {
	t.Helper()
	w := request(t, srv, "GET", target, token, nil, "Accept-Encoding", "gzip")
	if w.Code == http.StatusNoContent {
		return nil
	}
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s: %d %s %.300s", target, w.Code, w.Header(), w.Body.String())
	}
	b, err := tiles.Gunzip(w.Body.Bytes())
	if err != nil {
		t.Fatalf("%s: %v", target, err)
	}
	return b
}

// getGzipped is a tile's body as sent to a client that takes gzip.
func getGzipped(t *testing.T, srv http.Handler, target string) []byte {
	t.Helper()
	w := request(t, srv, "GET", target, "", nil, "Accept-Encoding", "gzip")
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("%s: %d %s %.300s", target, w.Code, w.Header(), w.Body.String())
	}
	return w.Body.Bytes()
}

// berlinUnits are the Planungsräume by code (the MVT ids' order) with
// their geometry.
func berlinUnits(t *testing.T, st atlas.Store) []atlas.Unit {
	t.Helper()
	units, err := st.Units(context.Background(), "planungsraum", atlas.UnitQuery{})
	if err != nil || len(units) != 542 {
		t.Fatalf("units: %d %v", len(units), err)
	}
	slices.SortFunc(units, func(a, b atlas.Unit) int { return strings.Compare(a.Code, b.Code) })
	return units
}

// sampleTiles are the tiles of three Planungsräume (the first, one in the
// middle and the last by code) at zooms 10 to 14.
func sampleTiles(units []atlas.Unit) []tiles.Tile {
	var out []tiles.Tile
	for _, u := range []atlas.Unit{units[0], units[271], units[541]} {
		p := tiles.ProjectPoint(geo.InteriorPoint(u.Geometry))
		for z := 10; z <= 14; z++ {
			out = append(out, tiles.At(p, z))
		}
	}
	return out
}

func tilePath(set string, tl tiles.Tile, ext string) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.%s", set, tl.Z, tl.X, tl.Y, ext)
}

// mustHold are the units that cover sample points inside the tile: they
// must be in it. mayHold are those whose box meets the tile with its
// buffer and a pixel: nothing else may be.
func mustHold(tl tiles.Tile, units []atlas.Unit, loc *geo.Locator) (must, may map[int]bool) {
	must, may = map[int]bool{}, map[int]bool{}
	for i := 1; i < 8; i++ {
		for j := 1; j < 8; j++ {
			p := tiles.Unproject(tl.FromTile(orb.Point{float64(i) * tiles.Extent / 8, float64(j) * tiles.Extent / 8}))
			if u := loc.Locate(p); u >= 0 {
				must[u] = true
			}
		}
	}
	pad := float64(tiles.Buffer + 16)
	lo := tiles.Unproject(tl.FromTile(orb.Point{-pad, tiles.Extent + pad}))
	hi := tiles.Unproject(tl.FromTile(orb.Point{tiles.Extent + pad, -pad}))
	box := orb.Bound{Min: lo, Max: hi}
	for i, u := range units {
		if u.Geometry.Bound().Intersects(box) {
			may[i] = true
		}
	}
	return must, may
}

// TestTilesReadByMapboxDecoder: tiles of Berlin at zooms 10 to 14, with
// and without an indicator, decoded by @mapbox/vector-tile, hold the
// units that cover the tile and no others, each with its id (position by
// code), code, name and parent, and the value, status and class that
// /api/v1/indicators/{id}/values gives.
func TestTilesReadByMapboxDecoder(t *testing.T) {
	srv, st := berlinServer(t)
	units := berlinUnits(t, st)
	geoms := make([]orb.MultiPolygon, len(units))
	for i, u := range units {
		geoms[i] = u.Geometry
	}
	loc := geo.NewLocator(geoms)

	var vals valuesDoc
	w := do(t, srv, "/api/v1/indicators/mss-status-index/values?level=planungsraum&method=quantile&k=4")
	if err := json.Unmarshal(w.Body.Bytes(), &vals); err != nil || w.Code != 200 {
		t.Fatalf("values: %d %s", w.Code, w.Body.String())
	}
	want := map[string]valueDoc{}
	for _, v := range vals.Values {
		want[v.Code] = v
	}

	// The tiles as sent, gzipped, for Node's zlib to unzip: each first
	// answer (gzipped quickly) and, for the tiles without an indicator,
	// the second (compressed properly in the cache), which must read the
	// same.
	dir := t.TempDir()
	var files, seconds []string
	samples := sampleTiles(units)
	for i, tl := range samples {
		for j, q := range []string{"", "?indicator=mss-status-index&method=quantile&k=4"} {
			f := filepath.Join(dir, fmt.Sprintf("%d-%d.mvt.gz", i, j))
			os.WriteFile(f, getGzipped(t, srv, tilePath("planungsraum", tl, "mvt")+q), 0o644)
			files = append(files, f)
		}
		f := filepath.Join(dir, fmt.Sprintf("%d-again.mvt.gz", i))
		os.WriteFile(f, getGzipped(t, srv, tilePath("planungsraum", tl, "mvt")), 0o644)
		seconds = append(seconds, f)
	}
	read := readWithNode(t, append(slices.Clip(files), seconds...))
	for i := range samples {
		first, _ := json.Marshal(read[files[2*i]])
		second, _ := json.Marshal(read[seconds[i]])
		if !bytes.Equal(first, second) {
			t.Errorf("%v: the second answer reads otherwise than the first", samples[i])
		}
	}
	classes := map[string]int{}
	for i, tl := range samples {
		must, may := mustHold(tl, units, loc)
		for j := range 2 {
			res := read[files[2*i+j]]
			l, found := res.Layers["planungsraum"]
			if !found || len(res.Layers) != 1 || l.Version != 2 || l.Extent != 4096 {
				t.Fatalf("%v: layers %v", tl, res.Layers)
			}
			seen := map[int]bool{}
			for _, f := range l.Features {
				id := int(f.ID)
				if f.Type != 3 || id < 0 || id >= len(units) || !may[id] || seen[id] {
					t.Fatalf("%v: feature id %v type %d: not a polygon of a unit near the tile, or twice", tl, f.ID, f.Type)
				}
				seen[id] = true
				u := units[id]
				if f.Properties["code"] != u.Code || f.Properties["name"] != u.Name || f.Properties["parent"] != u.Parent {
					t.Errorf("%v id %d: properties %v, want code %s name %s parent %s", tl, id, f.Properties, u.Code, u.Name, u.Parent)
				}
				if j == 0 {
					if len(f.Properties) != 3 {
						t.Errorf("%v id %d: properties %v without an indicator", tl, id, f.Properties)
					}
					continue
				}
				v := want[u.Code]
				value, hasValue := f.Properties["value"]
				class, hasClass := f.Properties["class"]
				switch {
				case f.Properties["status"] != v.Status:
					t.Errorf("%v %s: status %v, want %s", tl, u.Code, f.Properties["status"], v.Status)
				case v.Value == nil && (hasValue || hasClass):
					t.Errorf("%v %s: %s value with a number or class: %v", tl, u.Code, v.Status, f.Properties)
				case v.Value != nil && (value != *v.Value || class != *v.Class):
					t.Errorf("%v %s: value %v class %v, want %v %v", tl, u.Code, value, class, *v.Value, *v.Class)
				}
				if hasClass {
					classes[class.(string)]++
				}
			}
			for u := range must {
				if !seen[u] {
					t.Errorf("%v: unit %s covers the tile but is not in it", tl, units[u].Code)
				}
			}
		}
	}
	if len(classes) != 4 {
		t.Errorf("classes seen in the tiles: %v, want the 4 quantile classes", classes)
	}
	t.Logf("%d tiles, classes seen %v", len(samples), classes)
}

// TestTilesReadByGDAL: GDAL's MVT driver reads a tile written as
// z/x/y.pbf (so that it knows where the tile lies) and finds the same
// features, codes and names as @mapbox/vector-tile, as polygons in
// EPSG:3857 within the tile.
func TestTilesReadByGDAL(t *testing.T) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatal("ogrinfo (GDAL) is not installed; make test installs it (scripts/deps), or apt-get install gdal-bin")
	}
	srv, st := berlinServer(t)
	units := berlinUnits(t, st)
	dir := t.TempDir()
	for _, tl := range sampleTiles(units)[:5] {
		body := getTile(t, srv, tilePath("planungsraum", tl, "mvt"), "")
		f := filepath.Join(dir, strconv.Itoa(tl.Z), strconv.Itoa(tl.X), strconv.Itoa(tl.Y)+".pbf")
		os.MkdirAll(filepath.Dir(f), 0o755)
		os.WriteFile(f, body, 0o644)
		node := readWithNode(t, []string{f})[f].Layers["planungsraum"].Features
		out, err := exec.Command("ogrinfo", "-ro", "-al", "-oo", "CLIP=NO", f).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", f, err, out)
		}
		text := string(out)
		codes := regexp.MustCompile(`(?m)^\s+code \(String\) = (.*)$`).FindAllStringSubmatch(text, -1)
		names := regexp.MustCompile(`(?m)^\s+name \(String\) = (.*)$`).FindAllStringSubmatch(text, -1)
		geoms := regexp.MustCompile(`(?m)^\s+(MULTI)?POLYGON \(\(`).FindAllString(text, -1)
		if !strings.Contains(text, "Layer name: planungsraum") || !strings.Contains(text, "Pseudo-Mercator") ||
			len(codes) != len(node) || len(names) != len(node) || len(geoms) != len(node) {
			t.Fatalf("%v: GDAL read %d codes, %d names, %d polygons; the node decoder %d features:\n%.2000s", tl, len(codes), len(names), len(geoms), len(node), text)
		}
		for i, f := range node {
			if codes[i][1] != f.Properties["code"] || names[i][1] != f.Properties["name"] {
				t.Errorf("%v feature %d: GDAL %s %q, node %v", tl, i, codes[i][1], names[i][1], f.Properties)
			}
		}
		// The extent GDAL reports lies within the tile and its reach.
		m := regexp.MustCompile(`Extent: \(([-0-9.]+), ([-0-9.]+)\) - \(([-0-9.]+), ([-0-9.]+)\)`).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("%v: no extent in\n%.1000s", tl, text)
		}
		pad := tiles.TileSize(tl.Z) * (tiles.Reach + 1) / tiles.Extent
		lo, hi := tl.FromTile(orb.Point{0, tiles.Extent}), tl.FromTile(orb.Point{tiles.Extent, 0})
		for k, limit := range []float64{lo[0] - pad, lo[1] - pad, hi[0] + pad, hi[1] + pad} {
			v, _ := strconv.ParseFloat(m[k+1], 64)
			if (k < 2 && v < limit) || (k >= 2 && v > limit) {
				t.Errorf("%v: GDAL's extent %s reaches beyond the tile's reach (%v..%v)", tl, m[0], lo, hi)
			}
		}
	}
}

// TestTilesGeoJSON: GeoJSON tiles pass @placemarkio/check-geojson, carry
// the same units as the MVT tile, wind as RFC 7946 asks (exterior rings
// counter-clockwise) and are valid by pkg/geomcheck in longitude and
// latitude; a withheld value is null.
func TestTilesGeoJSON(t *testing.T) {
	srv, st := berlinServer(t)
	units := berlinUnits(t, st)
	dir := t.TempDir()
	var files []string
	samples := sampleTiles(units)
	for i, tl := range samples {
		f := filepath.Join(dir, strconv.Itoa(i)+".geojson")
		os.WriteFile(f, getTile(t, srv, tilePath("planungsraum", tl, "geojson")+"?indicator=mss-status-index", ""), 0o644)
		files = append(files, f)
	}
	read := readWithNode(t, files)
	for i, tl := range samples {
		if issues := read[files[i]].Issues; issues == nil || len(issues) > 0 {
			t.Errorf("%v: check-geojson: %v", tl, issues)
		}
		b, _ := os.ReadFile(files[i])
		var fc struct {
			Type     string `json:"type"`
			Features []struct {
				ID         string         `json:"id"`
				Properties map[string]any `json:"properties"`
				Geometry   struct {
					Type        string           `json:"type"`
					Coordinates [][][][2]float64 `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" {
			t.Fatalf("%v: %v", tl, err)
		}
		mvt, err := tiles.DecodeMVT(getTile(t, srv, tilePath("planungsraum", tl, "mvt"), ""))
		if err != nil || len(mvt) != 1 || len(mvt[0].Features) != len(fc.Features) {
			t.Fatalf("%v: %d GeoJSON features, MVT %v", tl, len(fc.Features), err)
		}
		for k, f := range fc.Features {
			if f.ID != units[mvt[0].Features[k].ID].Code || f.Properties["code"] != f.ID || f.Geometry.Type != "MultiPolygon" {
				t.Errorf("%v feature %d: id %s, MVT %d", tl, k, f.ID, mvt[0].Features[k].ID)
			}
			if _, has := f.Properties["value"]; !has || (f.Properties["status"] != "ok") != (f.Properties["value"] == nil) {
				t.Errorf("%v %s: value %v with status %v", tl, f.ID, f.Properties["value"], f.Properties["status"])
			}
			var mp orb.MultiPolygon
			for _, poly := range f.Geometry.Coordinates {
				var p orb.Polygon
				for _, r := range poly {
					ring := make(orb.Ring, len(r))
					for j, pt := range r {
						ring[j] = orb.Point(pt)
					}
					p = append(p, ring)
				}
				mp = append(mp, p)
			}
			_, repairs, err := geomcheck.MultiPolygon(mp)
			if err != nil || len(repairs) > 0 {
				t.Errorf("%v %s: %v, repairs %v", tl, f.ID, err, repairs)
			}
		}
	}
}

// berlinSweep lists the tiles of Berlin at zooms 8 to 14 (all of them at
// 8 to 11, a block of 5×5 around Alexanderplatz above).
func berlinSweep() []tiles.Tile {
	var out []tiles.Tile
	lo, hi := tiles.ProjectPoint(orb.Point{13.08, 52.33}), tiles.ProjectPoint(orb.Point{13.77, 52.68})
	alex := tiles.ProjectPoint(orb.Point{13.4132, 52.5219})
	for z := 8; z <= 14; z++ {
		a, b := tiles.At(orb.Point{lo[0], hi[1]}, z), tiles.At(orb.Point{hi[0], lo[1]}, z)
		if z >= 12 {
			c := tiles.At(alex, z)
			a, b = tiles.Tile{Z: z, X: c.X - 2, Y: c.Y - 2}, tiles.Tile{Z: z, X: c.X + 2, Y: c.Y + 2}
		}
		for x := a.X; x <= b.X; x++ {
			for y := a.Y; y <= b.Y; y++ {
				out = append(out, tiles.Tile{Z: z, X: x, Y: y})
			}
		}
	}
	return out
}

// sweepDecoded fetches the sweep's tiles and decodes them with node.
func sweepDecoded(t *testing.T, srv http.Handler) (map[tiles.Tile][]nodeFeature, int) {
	dir := t.TempDir()
	var files []string
	var have []tiles.Tile
	for _, tl := range berlinSweep() {
		body := getTile(t, srv, tilePath("planungsraum", tl, "mvt"), "")
		if body == nil {
			continue
		}
		f := filepath.Join(dir, fmt.Sprintf("%d-%d-%d.mvt", tl.Z, tl.X, tl.Y))
		os.WriteFile(f, body, 0o644)
		files, have = append(files, f), append(have, tl)
	}
	read := readWithNode(t, files)
	out := map[tiles.Tile][]nodeFeature{}
	n := 0
	for i, tl := range have {
		out[tl] = read[files[i]].Layers["planungsraum"].Features
		n += len(out[tl])
	}
	return out, n
}

// TestTilesValidPolygons: every polygon of every tile of the sweep, as
// @mapbox/vector-tile decodes it, is valid by pkg/geomcheck (the rules of
// ST_IsValid) in tile coordinates divided by the extent.
func TestTilesValidPolygons(t *testing.T) {
	srv, _ := berlinServer(t)
	decoded, n := sweepDecoded(t, srv)
	for tl, feats := range decoded {
		for _, f := range feats {
			mp := make(orb.MultiPolygon, len(f.Geometry))
			for i, poly := range f.Geometry {
				for _, r := range poly {
					ring := make(orb.Ring, len(r))
					for k, p := range r {
						ring[k] = orb.Point{p[0] / tiles.Extent, p[1] / tiles.Extent}
					}
					mp[i] = append(mp[i], ring)
				}
			}
			if _, _, err := geomcheck.MultiPolygon(mp); err != nil {
				t.Errorf("%v feature %v (%v): %v", tl, f.ID, f.Properties["code"], err)
			}
		}
	}
	if len(decoded) < 100 || n < 1000 {
		t.Errorf("only %d tiles with %d features checked", len(decoded), n)
	}
	t.Logf("%d tiles, %d features valid", len(decoded), n)
}

// TestTilesSharedBorders: neighbouring Planungsräume keep identical
// vertices along their common border in the encoded tiles at zooms 8 to
// 14, which needs a topological simplification (pkg/topo): a decoded
// vertex of one unit that can only come from source vertices of its
// common border with a neighbour (vertices both have in the source data,
// within 5 cm) must be a vertex of the neighbour in the same tile too. Simplifying each
// unit on its own keeps different vertices of the same border on its two
// sides, and fails here. Where rounding to whole tile coordinates squeezed
// a sliver into a spike (which is removed), the vertex may instead lie
// within a unit of the neighbour's edge: that is counted and must stay
// rare.
func TestTilesSharedBorders(t *testing.T) {
	srv, st := berlinServer(t)
	units := berlinUnits(t, st)
	merc := make([]orb.MultiPolygon, len(units))
	for i, u := range units {
		merc[i] = tiles.Project(u.Geometry)
	}
	// Each unit's source vertices, hashed on a 10 cm grid.
	type cell [2]int64
	cellOf := func(p orb.Point) cell { return cell{int64(math.Floor(p[0] / 0.1)), int64(math.Floor(p[1] / 0.1))} }
	grids := make([]map[cell][]orb.Point, len(units))
	for i, mp := range merc {
		grids[i] = map[cell][]orb.Point{}
		for _, poly := range mp {
			for _, r := range poly {
				for _, p := range r {
					grids[i][cellOf(p)] = append(grids[i][cellOf(p)], p)
				}
			}
		}
	}
	hasVertex := func(u int, p orb.Point) bool {
		c := cellOf(p)
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for _, q := range grids[u][cell{c[0] + dx, c[1] + dy}] {
					if math.Hypot(p[0]-q[0], p[1]-q[1]) <= 0.05 {
						return true
					}
				}
			}
		}
		return false
	}
	vertices := func(f nodeFeature) map[orb.Point]bool {
		m := map[orb.Point]bool{}
		for _, poly := range f.Geometry {
			for _, r := range poly {
				for _, p := range r {
					m[p] = true
				}
			}
		}
		return m
	}
	decoded, _ := sweepDecoded(t, srv)
	checked, pairs, onEdges := map[int]int{}, 0, 0
	for tl, feats := range decoded {
		// The source vertices each decoded vertex may come from.
		sources := make(map[int]map[orb.Point][]orb.Point, len(feats))
		for _, f := range feats {
			m := map[orb.Point][]orb.Point{}
			for _, poly := range merc[int(f.ID)] {
				for _, r := range poly {
					for _, p := range r {
						q := tl.ToTile(p)
						k := orb.Point{math.Floor(q[0] + 0.5), math.Floor(q[1] + 0.5)}
						m[k] = append(m[k], p)
					}
				}
			}
			sources[int(f.ID)] = m
		}
		for _, a := range feats {
			for _, b := range feats {
				if a.ID == b.ID || !a.Geometry.Bound().Pad(2).Intersects(b.Geometry.Bound()) {
					continue
				}
				vb, shared := vertices(b), 0
				for v := range vertices(a) {
					if v[0] <= -tiles.Buffer || v[1] <= -tiles.Buffer || v[0] >= tiles.Extent+tiles.Buffer || v[1] >= tiles.Extent+tiles.Buffer {
						continue // on the buffer's edge: made by clipping
					}
					// Only a vertex that can come from nothing but the
					// common border: near a junction, a vertex of another
					// border may round to the same point.
					from := sources[int(a.ID)][v]
					if len(from) == 0 || slices.ContainsFunc(from, func(p orb.Point) bool { return !hasVertex(int(b.ID), p) }) {
						continue
					}
					shared++
					switch {
					case vb[v]:
					case nearEdge(v, b.Geometry):
						// Rounding squeezed a sliver of b at v into a
						// spike, which was removed: v lies within a unit
						// of b's edge, a gap or overlap of no width.
						onEdges++
					default:
						t.Errorf("%v: vertex %v of %s is on its border with %s, which does not have it", tl, v, a.Properties["code"], b.Properties["code"])
					}
				}
				if shared > 0 {
					checked[tl.Z] += shared
					pairs++
				}
			}
		}
	}
	for z := 8; z <= 14; z++ {
		if checked[z] < 100 {
			t.Errorf("zoom %d: only %d border vertices checked", z, checked[z])
		}
	}
	total := 0
	for _, n := range checked {
		total += n
	}
	if onEdges*1000 > total {
		t.Errorf("%d of %d border vertices only lie near the neighbour's edge", onEdges, total)
	}
	t.Logf("%d neighbour pairs, border vertices checked by zoom: %v; %d of them near the neighbour's edge, not a vertex", pairs, checked, onEdges)
}

// nearEdge says whether point v lies within one tile unit of an edge of mp.
func nearEdge(v orb.Point, mp orb.MultiPolygon) bool {
	for _, poly := range mp {
		for _, r := range poly {
			for i := 0; i+1 < len(r); i++ {
				a, b := r[i], r[i+1]
				dx, dy := b[0]-a[0], b[1]-a[1]
				l2, k := dx*dx+dy*dy, 0.0
				if l2 > 0 {
					k = math.Max(0, math.Min(1, ((v[0]-a[0])*dx+(v[1]-a[1])*dy)/l2))
				}
				if math.Hypot(a[0]+k*dx-v[0], a[1]+k*dy-v[1]) <= 1 {
					return true
				}
			}
		}
	}
	return false
}

// TestTilesVisibility: an internal indicator's tiles answer 404 to the
// public and a viewer, as if it did not exist, and come to an analyst
// with Cache-Control private; a suppressed value has no number in a tile
// (no value in MVT, null in GeoJSON), an ok one its number.
func TestTilesVisibility(t *testing.T) {
	srv, st := berlinServer(t)
	units := berlinUnits(t, st)
	addInternal(t, st, "planungsraum")
	b := &atlas.Batch{Source: atlas.Source{Name: "test"}, Indicators: []atlas.Indicator{{ID: "x_quote", Name: "Quote",
		Unit: "%", Polarity: atlas.HigherWorse, Precision: 1, Visibility: atlas.Public, Topic: "Armut"}}}
	for i, u := range units {
		v := atlas.Value{Indicator: "x_quote", Level: "planungsraum", Unit: u.Code, Date: 20231231, Value: float64(i) + 0.5, Status: atlas.OK}
		if i%3 == 0 {
			v.Value, v.Status = 0, atlas.Suppressed
		}
		b.Values = append(b.Values, v)
	}
	if _, err := st.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	viewer, analyst := newToken(t, st, "leser", auth.Viewer), newToken(t, st, "planung", auth.Analyst)
	tl := sampleTiles(units)[0] // zoom 10
	for _, target := range []string{tilePath("planungsraum", tl, "mvt") + "?indicator=x_geheim",
		tilePath("planungsraum", tl, "geojson") + "?indicator=x_geheim", "/tiles/planungsraum.json?indicator=x_geheim"} {
		for _, token := range []string{"", viewer} {
			w := request(t, srv, "GET", target, token, nil)
			if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), `indicator \"x_geheim\" does not exist`) {
				t.Errorf("%s (token %t): %d %s, want 404", target, token != "", w.Code, w.Body.String())
			}
		}
		w := request(t, srv, "GET", target, analyst, nil)
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "private, max-age=60" {
			t.Errorf("%s as analyst: %d %s", target, w.Code, w.Header())
		}
	}
	// The analyst's tile is not served from the cache to the public.
	if w := do(t, srv, tilePath("planungsraum", tl, "mvt")+"?indicator=x_geheim"); w.Code != http.StatusNotFound {
		t.Errorf("internal tile after an analyst's: %d", w.Code)
	}

	layers, err := tiles.DecodeMVT(getTile(t, srv, tilePath("planungsraum", tl, "mvt")+"?indicator=x_quote", ""))
	if err != nil || len(layers) != 1 {
		t.Fatal(err)
	}
	suppressed := 0
	for _, f := range layers[0].Features {
		i := int(f.ID)
		value, has := f.Properties["value"]
		if i%3 == 0 {
			suppressed++
			if has || f.Properties["status"] != "suppressed" {
				t.Errorf("%s: suppressed value carries %v", units[i].Code, f.Properties)
			}
		} else if value != float64(i)+0.5 || f.Properties["status"] != "ok" {
			t.Errorf("%s: value %v, want %v", units[i].Code, f.Properties, float64(i)+0.5)
		}
	}
	gj := string(getTile(t, srv, tilePath("planungsraum", tl, "geojson")+"?indicator=x_quote", ""))
	if suppressed == 0 || strings.Count(gj, `"value":null,"status":"suppressed"`) != suppressed || suppressedWithNumber.MatchString(gj) {
		t.Errorf("%d suppressed in the MVT tile; GeoJSON: %.500s", suppressed, gj)
	}
	if w := do(t, srv, tilePath("planungsraum", tl, "mvt")+"?indicator=x_quote"); w.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("public indicator's tile: %s", w.Header())
	}
}

// TestTilesHTTP: encodings, conditional requests, empty tiles, errors,
// TileJSON, offer layers and a new data version.
func TestTilesHTTP(t *testing.T) {
	srv, st := berlinServer(t)
	units := berlinUnits(t, st)
	tl := sampleTiles(units)[2] // zoom 12
	path := tilePath("planungsraum", tl, "mvt")

	// gzip when the client takes it, the same bytes plain otherwise; the
	// .pbf alias answers the same.
	gz := request(t, srv, "GET", path, "", nil, "Accept-Encoding", "gzip, deflate")
	plain := request(t, srv, "GET", path, "", nil)
	alias := request(t, srv, "GET", tilePath("planungsraum", tl, "pbf"), "", nil)
	unzipped, err := tiles.Gunzip(gz.Body.Bytes())
	if err != nil || gz.Header().Get("Content-Encoding") != "gzip" || plain.Header().Get("Content-Encoding") != "" ||
		!bytes.Equal(unzipped, plain.Body.Bytes()) || !bytes.Equal(alias.Body.Bytes(), plain.Body.Bytes()) ||
		plain.Header().Get("Content-Type") != "application/vnd.mapbox-vector-tile" || plain.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("gzip %d %v (%v), plain %d %v", gz.Code, gz.Header(), err, plain.Code, plain.Header())
	}
	// Each answer says its length (not chunked).
	for _, w := range []*httptest.ResponseRecorder{gz, plain, alias} {
		if w.Header().Get("Content-Length") != strconv.Itoa(w.Body.Len()) {
			t.Errorf("Content-Length %q for %d bytes", w.Header().Get("Content-Length"), w.Body.Len())
		}
	}
	// The tile was cut once and answered from the cache twice (/metrics).
	m := request(t, srv, "GET", "/metrics", "", nil).Body.String()
	if !strings.Contains(m, `sozialatlas_tile_cache_answers_total{result="miss"} 1`+"\n") ||
		!strings.Contains(m, `sozialatlas_tile_cache_answers_total{result="hit"} 2`+"\n") ||
		!strings.Contains(m, "sozialatlas_tile_cache_bytes ") {
		t.Errorf("metrics of the tile cache: %s", grepLines(m, "sozialatlas_tile_cache"))
	}
	if w := request(t, srv, "GET", path, "", nil, "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got %s", w.Header())
	}
	// 304 for the ETag the client has.
	if etag := plain.Header().Get("ETag"); etag == "" {
		t.Error("no ETag")
	} else if w := request(t, srv, "GET", path, "", nil, "If-None-Match", etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", w.Code)
	}
	// An empty tile: 204. Far out at sea.
	if w := do(t, srv, "/tiles/planungsraum/10/0/0.mvt"); w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Errorf("empty tile: %d %d bytes", w.Code, w.Body.Len())
	}
	for _, tt := range []struct {
		target string
		status int
		detail string
	}{
		{"/tiles/planungsraum/17/0/0.mvt", 400, `z "17": want a whole number from 0 (z at most 16, x and y below 2^z)`},
		{"/tiles/planungsraum/3/8/0.mvt", 400, `3/8/0: tile 3/8/0 does not exist: x and y go from 0 to 7 at zoom 3 (tileset planungsraum starts at zoom 0, see /tiles/planungsraum.json)`},
		{"/tiles/planungsraum/3/0/-1.mvt", 400, `y "-1": want a whole number from 0 (z at most 16, x and y below 2^z)`},
		{"/tiles/planungsraum/3/0/0.png", 400, `tile "0.png": want <y>.mvt, <y>.pbf or <y>.geojson`},
		{"/tiles/planungsraum/3/0/0.mvt?indicator=mss-status-index&k=40", 400, `k "40": want a whole number from 2 to 12`},
		{"/tiles/planungsraum/3/0/0.mvt?date=2020-12-31", 400, `date applies to an indicator's values: say indicator=<id> too`},
		{"/tiles/planungsraum/3/0/0.mvt?color=red", 400, `query parameter "color" is not known here; known: indicator, date, method, k, scheme`},
		{"/tiles/offers-kitas/3/0/0.mvt?indicator=mss-status-index", 400, `tileset offers-kitas holds offers, which carry no indicator values; indicators go with a level`},
		{"/tiles/planungsraum/3/0/0.mvt?indicator=mss-status-index&date=2019-12-31", 404, `indicator mss-status-index has no values at planungsraum on 2019-12-31; dates: 2020-12-31`},
		{"/tiles/nowhere/3/0/0.mvt", 404, `tileset "nowhere" does not exist: tilesets are the level ids of /api/v1/levels and offers-<layer> for the offer layers of /api/v1/layers`},
		{"/tiles/nowhere.json", 404, `tileset "nowhere" does not exist: tilesets are the level ids of /api/v1/levels and offers-<layer> for the offer layers of /api/v1/layers`},
		{"/tiles/planungsraum", 404, `/tiles/planungsraum: a tileset's TileJSON is /tiles/<id>.json, its tiles /tiles/<id>/{z}/{x}/{y}.mvt`},
	} {
		w := do(t, srv, tt.target)
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != tt.status || p.Detail != tt.detail || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: got %d %q, want %d %q", tt.target, w.Code, p.Detail, tt.status, tt.detail)
		}
	}

	// TileJSON.
	var doc tileJSONDoc
	w := do(t, srv, "http://atlas.example/tiles/planungsraum.json?indicator=mss-status-index")
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
		t.Fatalf("tilejson: %d %s", w.Code, w.Body.String())
	}
	if doc.TileJSON != "3.0.0" || doc.Name != "Planungsraum" || doc.MinZoom != 0 || doc.MaxZoom != 16 ||
		len(doc.Tiles) != 1 || doc.Tiles[0] != "http://atlas.example/tiles/planungsraum/{z}/{x}/{y}.mvt?indicator=mss-status-index" ||
		!strings.Contains(doc.Attribution, "Amt für Statistik Berlin-Brandenburg") || !strings.Contains(doc.Attribution, "CC BY 3.0 DE") ||
		len(doc.VectorLayers) != 1 || doc.VectorLayers[0].ID != "planungsraum" || len(doc.VectorLayers[0].Fields) != 6 ||
		doc.Bounds[0] < 13.08 || doc.Bounds[0] > 13.1 || doc.Bounds[3] < 52.67 || doc.Bounds[3] > 52.68 {
		t.Errorf("tilejson: %+v", doc)
	}

	// Offers: points, one per kita within the tile and its buffer.
	kitas, err := st.Offers(context.Background(), "kitas", atlas.OfferQuery{})
	if err != nil || len(kitas) == 0 {
		t.Fatal(err)
	}
	pt := tiles.At(tiles.ProjectPoint(kitas[0].Geometry), 14)
	layers, err := tiles.DecodeMVT(getTile(t, srv, tilePath("offers-kitas", pt, "mvt"), ""))
	if err != nil || len(layers) != 1 || layers[0].Name != "offers-kitas" {
		t.Fatalf("offers tile: %v %v", layers, err)
	}
	inside := 0
	for _, k := range kitas {
		p := pt.ToTile(tiles.ProjectPoint(k.Geometry))
		if p[0] >= -tiles.Buffer && p[0] <= tiles.Extent+tiles.Buffer && p[1] >= -tiles.Buffer && p[1] <= tiles.Extent+tiles.Buffer {
			inside++
		}
	}
	found := false
	for _, f := range layers[0].Features {
		k := kitas[f.ID]
		if f.Properties["id"] != k.ID || f.Properties["name"] != k.Name {
			t.Errorf("offer %d: %v, want %s %s", f.ID, f.Properties, k.ID, k.Name)
		}
		found = found || f.ID == 0
	}
	if !found || len(layers[0].Features) != inside {
		t.Errorf("offers tile %v: %d points, %d kitas inside; the first found: %v", pt, len(layers[0].Features), inside, found)
	}
	if w := do(t, srv, "/tiles/offers-kitas.json"); w.Code != 200 || !strings.Contains(w.Body.String(), `"tiles":["http://example.com/tiles/offers-kitas/{z}/{x}/{y}.mvt"]`) {
		t.Errorf("offers tilejson: %d %s", w.Code, w.Body.String())
	}

	// A new data version: the tile shows the new name at once.
	before := string(getTile(t, srv, tilePath("planungsraum", tl, "geojson"), ""))
	u := units[0]
	u.Name = "Umbenannt"
	if _, err := st.Apply(context.Background(), &atlas.Batch{Source: atlas.Source{Name: "rename"}, Units: []atlas.Unit{u}}, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	after := string(getTile(t, srv, tilePath("planungsraum", tl, "geojson"), ""))
	if strings.Contains(before, "Umbenannt") || !strings.Contains(after, `"code":"`+u.Code+`","name":"Umbenannt"`) {
		t.Errorf("after renaming %s the tile says %.300s", u.Code, after)
	}
}

// BenchmarkTilesHTTP requests the sweep's tiles of one zoom with an
// indicator through the whole server, gzip accepted, from the tile cache
// (the first round, which cuts them, runs before the clock), with the
// data version read at most once a second as serve's default has it.
// ns/op is per tile.
func BenchmarkTilesHTTP(b *testing.B) {
	st, cat := berlinStore(b)
	srv := New(st, Config{Catalog: cat, Logger: slog.New(slog.DiscardHandler), Freshness: time.Second})
	t := &testing.T{} // for request, which only reports through it
	for _, z := range []int{8, 10, 12, 14} {
		var paths []string
		for _, tl := range berlinSweep() {
			if tl.Z == z {
				paths = append(paths, tilePath("planungsraum", tl, "mvt")+"?indicator=mss-status-index")
			}
		}
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			for _, p := range paths {
				request(t, srv, "GET", p, "", nil, "Accept-Encoding", "gzip")
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if w := request(t, srv, "GET", paths[i%len(paths)], "", nil, "Accept-Encoding", "gzip"); w.Code != 200 && w.Code != 204 {
					b.Fatalf("%s: %d", paths[i%len(paths)], w.Code)
				}
			}
		})
	}
}

// TestTilesPrepared: a server that prepares its tiles loads every tileset
// and says so in /readyz; after a change through the API it prepares the
// new data version's snapshot, and tiles come from the new data.
func TestTilesPrepared(t *testing.T) {
	_, st := berlinServer(t)
	cat, err := indicator.Load(indicators.FS(), "berlin")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(st, Config{OpenAPI: sozialatlas.OpenAPI, Catalog: cat, PrepareTiles: true, Logger: slog.New(slog.DiscardHandler)})
	waitPrepared := func(version int64) *tileSnapshot {
		t.Helper()
		for range 600 {
			var ready struct{ Status, Tiles string }
			w := do(t, srv, "/readyz")
			if err := json.Unmarshal(w.Body.Bytes(), &ready); err != nil || w.Code != 200 {
				t.Fatalf("readyz: %d %s", w.Code, w.Body.String())
			}
			srv.tiles.mu.Lock()
			sn := srv.tiles.snap
			srv.tiles.mu.Unlock()
			if ready.Tiles == "prepared" && sn.version >= version {
				return sn
			}
			if ready.Tiles != "preparing" && ready.Tiles != "prepared" {
				t.Fatalf("readyz tiles %q", ready.Tiles)
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal("tiles not prepared within a minute")
		return nil
	}
	sn := waitPrepared(0)
	if len(sn.sets) == 0 {
		t.Fatal("no tilesets listed")
	}
	for id, set := range sn.sets {
		if !set.loaded.Load() {
			t.Errorf("tileset %s not loaded", id)
		}
	}
	// A change through the API (a computation, which is logged as a new
	// data version) makes the new version's snapshot be prepared without a
	// tile asked for.
	editor := newToken(t, st, "statistik", auth.Editor)
	if w := request(t, srv, "POST", "/api/v1/compute", editor, nil); w.Code != 200 {
		t.Fatalf("compute: %d %.300s", w.Code, w.Body.String())
	}
	next := waitPrepared(sn.version + 1)
	if next == sn || len(next.sets) == 0 {
		t.Fatal("no new snapshot after the change")
	}
	for id, set := range next.sets {
		if !set.loaded.Load() {
			t.Errorf("new version: tileset %s not loaded", id)
		}
	}
	if w := do(t, srv, "/tiles/planungsraum/10/550/335.mvt"); w.Code != 200 {
		t.Errorf("tile after the change: %d %s", w.Code, w.Body.String())
	}
}

// grepLines are the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestTilesNoCache: with a tile cache of less than 0 bytes (serve
// -tile-cache-mb 0) no tile is kept: every request makes its tile.
func TestTilesNoCache(t *testing.T) {
	st, cat := berlinStore(t)
	srv := New(st, Config{OpenAPI: sozialatlas.OpenAPI, Catalog: cat, TileCacheSize: -1})
	path := tilePath("planungsraum", sampleTiles(berlinUnits(t, st))[2], "mvt")
	first, second := getGzipped(t, srv, path), getGzipped(t, srv, path)
	if !bytes.Equal(first, second) {
		t.Error("the same tile made twice differs")
	}
	m := request(t, srv, "GET", "/metrics", "", nil).Body.String()
	if !strings.Contains(m, `sozialatlas_tile_cache_answers_total{result="miss"} 2`+"\n") ||
		!strings.Contains(m, `sozialatlas_tile_cache_answers_total{result="hit"} 0`+"\n") {
		t.Errorf("metrics of the tile cache: %s", grepLines(m, "sozialatlas_tile_cache"))
	}
}
