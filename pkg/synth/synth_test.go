package synth

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

// testBlocks is the size of the city most tests look at; the level counts
// are checked up to 100,000 blocks in TestLevelCounts.
const testBlocks = 3000

var (
	cityOnce sync.Once
	cityDir  string
	citySum  Summary
	cityErr  error
)

// testCity writes the 3,000-block city once per test binary.
func testCity(t *testing.T) (string, Summary) {
	t.Helper()
	cityOnce.Do(func() {
		cityDir, cityErr = os.MkdirTemp("", "synth-test-")
		if cityErr == nil {
			citySum, cityErr = Write(filepath.Join(cityDir, "city"), Options{Blocks: testBlocks, Seed: 42})
		}
	})
	if cityErr != nil {
		t.Fatal(cityErr)
	}
	return filepath.Join(cityDir, "city"), citySum
}

func TestMain(m *testing.M) {
	code := m.Run()
	if cityDir != "" {
		os.RemoveAll(cityDir)
	}
	os.Exit(code)
}

// feature is a unit as read back from a GeoJSON file.
type feature struct {
	code, name, parent string
	props              map[string]any
	polys              [][][][2]float64
}

func readUnitsFile(t *testing.T, path string) []feature {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type string `json:"type"`
		CRS  struct {
			Type       string `json:"type"`
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"crs"`
		Features []struct {
			Type       string         `json:"type"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string           `json:"type"`
				Coordinates [][][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if fc.Type != "FeatureCollection" || fc.CRS.Type != "name" || fc.CRS.Properties.Name != "urn:ogc:def:crs:EPSG::25832" {
		t.Fatalf("%s: type %q, crs %+v; want a FeatureCollection in urn:ogc:def:crs:EPSG::25832", path, fc.Type, fc.CRS)
	}
	var out []feature
	for _, f := range fc.Features {
		if f.Geometry.Type != "MultiPolygon" {
			t.Fatalf("%s: geometry %s, want MultiPolygon", path, f.Geometry.Type)
		}
		code, _ := f.Properties["code"].(string)
		name, _ := f.Properties["name"].(string)
		parent, _ := f.Properties["parent"].(string)
		out = append(out, feature{code: code, name: name, parent: parent, props: f.Properties, polys: f.Geometry.Coordinates})
	}
	return out
}

func readLevels(t *testing.T, dir string) [4][]feature {
	var lv [4][]feature
	for i, f := range levelFiles {
		lv[i] = readUnitsFile(t, filepath.Join(dir, f))
	}
	return lv
}

func TestWriteDeterministic(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, o Options) (string, Summary) {
		t.Helper()
		d := filepath.Join(dir, name)
		s, err := Write(d, o)
		if err != nil {
			t.Fatal(err)
		}
		return d, s
	}
	base := Options{Blocks: 1500, Seed: 7, Dates: 4}
	a, sa := write("a", base)
	for _, tc := range []struct {
		name string
		opts Options
		same bool
	}{
		{"same options", base, true},
		{"other seed", Options{Blocks: 1500, Seed: 8, Dates: 4}, false},
		{"negative seed", Options{Blocks: 1500, Seed: -7, Dates: 4}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, sb := write(strings.ReplaceAll(tc.name, " ", "_"), tc.opts)
			if len(sa.Files) != len(sb.Files) || len(sa.Files) == 0 {
				t.Fatalf("files %v and %v", sa.Files, sb.Files)
			}
			for _, f := range sa.Files {
				x, err := os.ReadFile(filepath.Join(a, f))
				if err != nil {
					t.Fatal(err)
				}
				y, err := os.ReadFile(filepath.Join(b, f))
				if err != nil {
					t.Fatal(err)
				}
				if tc.same && !bytes.Equal(x, y) {
					t.Errorf("%s differs between two runs with the same options", f)
				}
				if !tc.same && bytes.Equal(x, y) {
					t.Errorf("%s is the same for seeds %d and %d", f, base.Seed, tc.opts.Seed)
				}
			}
			if tc.same && !slices.Equal(sa.Files, sb.Files) {
				t.Errorf("summaries differ: %+v, %+v", sa, sb)
			}
		})
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		opts    Options
		wantErr bool
		want    Options
	}{
		{Options{}, false, Options{Blocks: DefaultBlocks, Dates: DefaultDates}},
		{Options{Blocks: 500, Seed: 3, Dates: 1}, false, Options{Blocks: 500, Seed: 3, Dates: 1}},
		{Options{Blocks: MinBlocks - 1}, true, Options{}},
		{Options{Blocks: MaxBlocks + 1}, true, Options{}},
		{Options{Blocks: -5}, true, Options{}},
		{Options{Blocks: 500, Dates: -1}, true, Options{}},
		{Options{Blocks: 500, Dates: MaxDates + 1}, true, Options{}},
	} {
		got, err := tc.opts.normalized()
		switch {
		case tc.wantErr && err == nil:
			t.Errorf("%+v: no error", tc.opts)
		case !tc.wantErr && err != nil:
			t.Errorf("%+v: %v", tc.opts, err)
		case !tc.wantErr && got != tc.want:
			t.Errorf("%+v: normalized to %+v, want %+v", tc.opts, got, tc.want)
		}
	}
	if _, err := Write(t.TempDir(), Options{Blocks: 10}); err == nil {
		t.Error("Write with 10 blocks: no error")
	}
}

func TestLevelCounts(t *testing.T) {
	type span struct{ lo, hi int }
	for _, tc := range []struct {
		blocks             int
		bez, teil, sr      span
		dates, wantDateLen int
	}{
		{blocks: 3000, bez: span{1, 3}, teil: span{3, 6}, sr: span{12, 20}, dates: 10},
		{blocks: 20000, bez: span{4, 7}, teil: span{10, 20}, sr: span{90, 110}, dates: 3},
		{blocks: 100000, bez: span{10, 14}, teil: span{50, 90}, sr: span{450, 550}, dates: 10},
	} {
		t.Run(strconv.Itoa(tc.blocks), func(t *testing.T) {
			m, err := generate(Options{Blocks: tc.blocks, Seed: 1, Dates: tc.dates})
			if err != nil {
				t.Fatal(err)
			}
			got := [4]int{len(m.levels[0]), len(m.levels[1]), len(m.levels[2]), len(m.levels[3])}
			for i, s := range []span{tc.bez, tc.teil, tc.sr, {tc.blocks, tc.blocks}} {
				if got[i] < s.lo || got[i] > s.hi {
					t.Errorf("%d %s units, want %d to %d", got[i], levelIDs[i], s.lo, s.hi)
				}
			}
			// Sozialräume of about 150 to 250 blocks, none degenerate.
			mean := float64(tc.blocks) / float64(got[2])
			if mean < 150 || mean > 250 {
				t.Errorf("Sozialräume have %.0f blocks on average, want 150 to 250", mean)
			}
			for _, u := range m.levels[2] {
				if n := float64(len(u.cells)); n < 0.4*mean || n > 2*mean {
					t.Errorf("Sozialraum %s has %.0f blocks (mean %.0f)", u.code, n, mean)
				}
			}
			// Every upper unit is one contiguous piece here (the outline
			// code handles more, see TestOutline).
			for lvl := 0; lvl < 3; lvl++ {
				for _, u := range m.levels[lvl] {
					if len(u.polys) != 1 {
						t.Errorf("%s %s has %d parts", levelIDs[lvl], u.code, len(u.polys))
					}
				}
			}
			if len(m.years) != tc.dates || m.years[len(m.years)-1] != LastYear {
				t.Errorf("years %v", m.years)
			}
		})
	}
}

func TestHierarchy(t *testing.T) {
	dir, sum := testCity(t)
	lv := readLevels(t, dir)
	counts := [4]int{sum.Stadtbezirke, sum.Stadtteile, sum.Sozialraeume, sum.Blocks}
	codeLen := [4]int{2, 4, 6, 9}
	var prev map[string]bool
	for i, units := range lv {
		if len(units) != counts[i] {
			t.Errorf("%s: %d units in the file, summary says %d", levelIDs[i], len(units), counts[i])
		}
		codes := map[string]bool{}
		children := map[string]int{}
		for _, u := range units {
			switch {
			case len(u.code) != codeLen[i] || strings.Trim(u.code, "0123456789") != "":
				t.Errorf("%s: code %q, want %d digits", levelIDs[i], u.code, codeLen[i])
			case codes[u.code]:
				t.Errorf("%s: code %s twice", levelIDs[i], u.code)
			case u.name == "":
				t.Errorf("%s %s: no name", levelIDs[i], u.code)
			case u.props["synthetic"] != true:
				t.Errorf("%s %s: synthetic is %v, want true", levelIDs[i], u.code, u.props["synthetic"])
			}
			codes[u.code] = true
			if i == 0 {
				if u.parent != "" {
					t.Errorf("Stadtbezirk %s has parent %q", u.code, u.parent)
				}
				continue
			}
			if !prev[u.parent] || !strings.HasPrefix(u.code, u.parent) {
				t.Errorf("%s %s: parent %q does not exist or is not the code's prefix", levelIDs[i], u.code, u.parent)
			}
			children[u.parent]++
		}
		if i > 0 {
			for c := range prev {
				if children[c] == 0 {
					t.Errorf("%s %s has no units below", levelIDs[i-1], c)
				}
			}
		}
		prev = codes
	}
	for i, want := range map[int]string{0: "Mitte", 2: "Sozialraum S-001", 3: "Synthetischer Baublock 00001"} {
		if lv[i][0].name != want {
			t.Errorf("first %s is named %q, want %q", levelIDs[i], lv[i][0].name, want)
		}
	}
}

// edge is a directed edge between two vertices.
type edge [2][2]float64

// boundary returns the directed ring edges of the units with every pair of
// opposite edges (an edge shared by two neighbours) removed.
func boundary(units []feature) map[edge]bool {
	out := map[edge]bool{}
	for _, u := range units {
		for _, poly := range u.polys {
			for _, ring := range poly {
				for i := 0; i+1 < len(ring); i++ {
					e := edge{ring[i], ring[i+1]}
					if r := (edge{e[1], e[0]}); out[r] {
						delete(out, r)
					} else {
						out[e] = true
					}
				}
			}
		}
	}
	return out
}

// area returns the planar area (shoelace) of units' polygons, computed
// relative to origin to keep the products small.
func area(polys [][][][2]float64, origin [2]float64) float64 {
	a := 0.0
	for _, poly := range polys {
		for _, ring := range poly {
			for i := 0; i+1 < len(ring); i++ {
				x0, y0 := ring[i][0]-origin[0], ring[i][1]-origin[1]
				x1, y1 := ring[i+1][0]-origin[0], ring[i+1][1]-origin[1]
				a += x0*y1 - x1*y0
			}
		}
	}
	return a / 2
}

func TestNesting(t *testing.T) {
	dir, _ := testCity(t)
	lv := readLevels(t, dir)
	origin := lv[3][0].polys[0][0][0]
	var totals [4]float64
	for i, units := range lv {
		for _, u := range units {
			a := area(u.polys, origin)
			if a <= 0 {
				t.Errorf("%s %s: area %g", levelIDs[i], u.code, a)
			}
			totals[i] += a
		}
	}
	for i := 1; i < 4; i++ {
		if d := math.Abs(totals[i]-totals[0]) / totals[0]; d >= 1e-9 {
			t.Errorf("total area of %s %.3f m², of %s %.3f m² (relative difference %g)", levelIDs[i], totals[i], levelIDs[0], totals[0], d)
		}
	}
	for lvl := 0; lvl < 3; lvl++ {
		t.Run(levelIDs[lvl], func(t *testing.T) {
			kids := map[string][]feature{}
			for _, c := range lv[lvl+1] {
				kids[c.parent] = append(kids[c.parent], c)
			}
			for _, u := range lv[lvl] {
				// Areas: the unit's equals the sum of its children's.
				sum := 0.0
				for _, c := range kids[u.code] {
					sum += area(c.polys, origin)
				}
				a := area(u.polys, origin)
				if d := math.Abs(a-sum) / a; d >= 1e-9 {
					t.Errorf("%s %s: area %.4f m², its %s units sum to %.4f m²", levelIDs[lvl], u.code, a, levelIDs[lvl+1], sum)
				}
				// Vertices: the unit's rings are exactly the outer edges of
				// its children, vertex for vertex.
				got := boundary(kids[u.code])
				want := boundary([]feature{u})
				if len(got) != len(want) {
					t.Errorf("%s %s: %d boundary edges, its children have %d outer edges", levelIDs[lvl], u.code, len(want), len(got))
					continue
				}
				for e := range want {
					if !got[e] {
						t.Errorf("%s %s: edge %v is not an outer edge of its children", levelIDs[lvl], u.code, e)
						break
					}
				}
			}
		})
	}
}

func TestSharedVertices(t *testing.T) {
	dir, _ := testCity(t)
	lv := readLevels(t, dir)
	blocks := lv[3]
	owner := map[edge]string{}
	perVertex := map[[2]float64]int{}
	for _, b := range blocks {
		if len(b.polys) != 1 || len(b.polys[0]) != 1 || len(b.polys[0][0]) != 5 {
			t.Fatalf("block %s is not a single quadrilateral: %v", b.code, b.polys)
		}
		ring := b.polys[0][0]
		for i := 0; i < 4; i++ {
			owner[edge{ring[i], ring[i+1]}] = b.code
			perVertex[ring[i]]++
		}
	}
	// Pick the neighbours across every edge: they must have the reversed
	// edge, that is, the same two vertices.
	shared, outer := 0, 0
	neighbours := map[string]int{}
	for e, code := range owner {
		other, ok := owner[edge{e[1], e[0]}]
		switch {
		case ok && other == code:
			t.Errorf("block %s borders itself", code)
		case ok:
			shared++
			neighbours[code]++
		default:
			outer++
		}
	}
	if shared/2 < 19*len(blocks)/10 {
		t.Errorf("%d pairs of blocks share an edge, want about 2 per block", shared/2)
	}
	for _, b := range blocks {
		if neighbours[b.code] == 0 {
			t.Errorf("block %s shares no edge with another block", b.code)
		}
	}
	// Edges that no other block shares are exactly the city's outline,
	// as the Stadtbezirke draw it: no gaps inside.
	city := boundary(lv[0])
	if outer != len(city) {
		t.Errorf("%d block edges are unshared, the city outline has %d", outer, len(city))
	}
	for e := range city {
		if _, ok := owner[e]; !ok {
			t.Errorf("outline edge %v is no block's edge", e)
			break
		}
	}
	// Corners are shared by up to four blocks, and distinct vertices are
	// never a rounding error apart.
	four := 0
	pts := make([][2]float64, 0, len(perVertex))
	for v, n := range perVertex {
		if n > 4 {
			t.Errorf("vertex %v is in %d blocks", v, n)
		}
		if n == 4 {
			four++
		}
		pts = append(pts, v)
	}
	if four < len(blocks)/2 {
		t.Errorf("only %d vertices are shared by four blocks", four)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i][0] < pts[j][0] })
	for i := range pts {
		for j := i + 1; j < len(pts) && pts[j][0]-pts[i][0] < 1; j++ {
			if math.Abs(pts[j][1]-pts[i][1]) < 1 {
				t.Errorf("distinct vertices %v and %v are less than a metre apart", pts[i], pts[j])
			}
		}
	}
	// Every unit is valid as the importer checks it, and needs no repair,
	// not even of its orientation.
	for i, units := range lv {
		for _, u := range units {
			if _, repairs, err := geomcheck.MultiPolygon(toOrb(u.polys)); err != nil || len(repairs) > 0 {
				t.Errorf("%s %s: %v, repairs %v", levelIDs[i], u.code, err, repairs)
			}
		}
	}
}

func toOrb(polys [][][][2]float64) orb.MultiPolygon {
	mp := orb.MultiPolygon{}
	for _, p := range polys {
		var poly orb.Polygon
		for _, r := range p {
			ring := orb.Ring{}
			for _, pt := range r {
				ring = append(ring, orb.Point(pt))
			}
			poly = append(poly, ring)
		}
		mp = append(mp, poly)
	}
	return mp
}

// TestOutline traces cell sets whose outlines touch themselves, enclose
// holes or fall apart, and checks the result against geomcheck: valid,
// correctly oriented (no repairs at all), with the expected parts and holes
// and the area of the cells.
func TestOutline(t *testing.T) {
	for _, tc := range []struct {
		name         string
		rows         []string // top row first; # is a cell of the set
		parts, holes int
	}{
		{"one cell", []string{"#"}, 1, 0},
		{"square", []string{"##", "##"}, 1, 0},
		{"L", []string{"#.", "#.", "##"}, 1, 0},
		{"ring", []string{"###", "#.#", "###"}, 1, 1},
		{"thick ring", []string{"#####", "#...#", "#...#", "#####"}, 1, 1},
		{"diagonal pair", []string{"#.", ".#"}, 2, 0},
		{"diagonal chain", []string{"#..", ".#.", "..#"}, 3, 0},
		{"C closed at a corner", []string{".##", "#.#", "###"}, 1, 1},
		{"C closed at a corner, other side", []string{"##.", "#.#", "###"}, 1, 1},
		{"two holes touching at a corner", []string{"####", "#.##", "##.#", "####"}, 1, 2},
		{"diamond of cells touching at corners", []string{".#.", "#.#", ".#."}, 4, 0},
		{"island in a hole", []string{"#####", "#...#", "#.#.#", "#...#", "#####"}, 2, 1},
		{"peninsula into a hole", []string{"#####", "#...#", "#..##", "#...#", "#####"}, 1, 1},
		{"island touching its hole at a corner", []string{"#####", "#...#", "#.#.#", "#..##", "#####"}, 2, 1},
		{"checkerboard", []string{"#.#.", ".#.#", "#.#.", ".#.#"}, 8, 0},
		{"spiral", []string{"######", "#....#", "#.##.#", "#.#..#", "#.####", "#....."}, 1, 0},
		{"comb with pinches", []string{"#.#.#", ".###.", "#.#.#"}, 5, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, w := len(tc.rows)+4, len(tc.rows[0])+4
			g := &city{w: w, h: h, in: make([]bool, w*h)}
			var cells []int32
			for r, row := range tc.rows {
				y := h - 3 - r
				for x, ch := range row {
					if ch == '#' {
						g.in[y*w+x+2] = true
					}
				}
			}
			for c, in := range g.in {
				if in {
					cells = append(cells, int32(c))
				}
			}
			polys, err := g.outline(cells, func(c int32) bool { return g.in[c] })
			if err != nil {
				t.Fatal(err)
			}
			holes := 0
			mp := orb.MultiPolygon{}
			var a int64
			for _, p := range polys {
				holes += len(p) - 1
				var poly orb.Polygon
				for _, r := range p {
					a += g.area2(r)
					seen := map[int32]bool{}
					ring := orb.Ring{}
					for i, v := range r {
						if i < len(r)-1 && seen[v] {
							t.Errorf("ring visits vertex %d twice: %v", v, r)
						}
						seen[v] = true
						ring = append(ring, orb.Point{float64(v % int32(w+1)), float64(v / int32(w+1))})
					}
					poly = append(poly, ring)
				}
				mp = append(mp, poly)
			}
			if len(polys) != tc.parts || holes != tc.holes {
				t.Errorf("%d parts and %d holes, want %d and %d", len(polys), holes, tc.parts, tc.holes)
			}
			if a != 2*int64(len(cells)) {
				t.Errorf("area %d/2, want %d cells", a, len(cells))
			}
			_, repairs, err := geomcheck.MultiPolygon(mp)
			if err != nil {
				t.Errorf("invalid: %v", err)
			}
			if len(repairs) > 0 {
				t.Errorf("repairs: %v", repairs)
			}
		})
	}
}

// readValues reads the values files: indicator → block → one value per date.
func readValues(t *testing.T, dir string) (map[string]map[string][]int, []string) {
	t.Helper()
	out := map[string]map[string][]int{}
	var dates []string
	for _, ind := range indicators {
		b, err := os.ReadFile(filepath.Join(dir, "werte_"+ind.id+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = ';'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if recs[0][0] != "block" {
			t.Fatalf("%s: header %v", ind.id, recs[0])
		}
		dates = recs[0][1:]
		out[ind.id] = map[string][]int{}
		prev := ""
		for _, rec := range recs[1:] {
			if rec[0] <= prev {
				t.Fatalf("%s: block %s after %s; rows are not sorted", ind.id, rec[0], prev)
			}
			prev = rec[0]
			vs := make([]int, len(rec)-1)
			for i, s := range rec[1:] {
				if vs[i], err = strconv.Atoi(s); err != nil {
					t.Fatalf("%s: %v", ind.id, err)
				}
			}
			out[ind.id][rec[0]] = vs
		}
	}
	return out, dates
}

func TestValues(t *testing.T) {
	dir, sum := testCity(t)
	vals, dates := readValues(t, dir)
	var want []string
	for y := LastYear - DefaultDates + 1; y <= LastYear; y++ {
		want = append(want, fmt.Sprintf("%d-12-31", y))
	}
	if !slices.Equal(dates, want) {
		t.Errorf("dates %v, want %v", dates, want)
	}
	blocks := readUnitsFile(t, filepath.Join(dir, fileBlocks))
	n := 0
	for _, ind := range indicators {
		n += len(vals[ind.id]) * len(dates)
		if len(vals[ind.id]) != len(vals["ew_u6"]) {
			t.Errorf("%s has %d blocks, ew_u6 %d", ind.id, len(vals[ind.id]), len(vals["ew_u6"]))
		}
	}
	if n != sum.Values {
		t.Errorf("%d values in the files, summary says %d", n, sum.Values)
	}
	// Parks and industry (about 15 %) have no values, homes have.
	populated := 0
	for _, b := range blocks {
		_, has := vals["ew_u6"][b.code]
		if home := b.props["nutzung"] == "Wohnen"; home != has {
			t.Errorf("block %s (%v): values %v", b.code, b.props["nutzung"], has)
		}
		if has {
			populated++
		}
	}
	if share := 1 - float64(populated)/float64(len(blocks)); share < 0.12 || share > 0.18 {
		t.Errorf("%.1f %% of the blocks have no residents, want about 15 %%", 100*share)
	}
	// Counts never exceed their population base.
	get := func(id, b string, d int) int { return vals[id][b][d] }
	checks := []struct {
		what string
		ok   func(b string, d int) bool
	}{
		{"counts are not negative", func(b string, d int) bool {
			for _, ind := range indicators {
				if get(ind.id, b, d) < 0 {
					return false
				}
			}
			return true
		}},
		{"a block with residents has some", func(b string, d int) bool {
			return get("ew_u6", b, d)+get("ew_6_15", b, d)+get("ew_15_65", b, d)+get("ew_65plus", b, d) > 0
		}},
		{"sgb2_u65 ≤ ew_u6+ew_6_15+ew_15_65", func(b string, d int) bool {
			return get("sgb2_u65", b, d) <= get("ew_u6", b, d)+get("ew_6_15", b, d)+get("ew_15_65", b, d)
		}},
		{"sgb2_u15 ≤ ew_u6+ew_6_15", func(b string, d int) bool {
			return get("sgb2_u15", b, d) <= get("ew_u6", b, d)+get("ew_6_15", b, d)
		}},
		{"sgb2_u15 ≤ sgb2_u65", func(b string, d int) bool { return get("sgb2_u15", b, d) <= get("sgb2_u65", b, d) }},
		{"alo_sgb2 ≤ ew_15_65", func(b string, d int) bool { return get("alo_sgb2", b, d) <= get("ew_15_65", b, d) }},
		{"alo_sgb2 ≤ sgb2_u65-sgb2_u15", func(b string, d int) bool {
			return get("alo_sgb2", b, d) <= get("sgb2_u65", b, d)-get("sgb2_u15", b, d)
		}},
		{"grusi_65plus ≤ ew_65plus", func(b string, d int) bool { return get("grusi_65plus", b, d) <= get("ew_65plus", b, d) }},
	}
	for _, c := range checks {
		bad := 0
		for b := range vals["ew_u6"] {
			for d := range dates {
				if !c.ok(b, d) {
					bad++
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: violated %d times", c.what, bad)
		}
	}

	// Smooth in time: the residents of a block change by a few per cent a
	// year, the city's by less.
	pop := func(b string, d int) float64 {
		return float64(get("ew_u6", b, d) + get("ew_6_15", b, d) + get("ew_15_65", b, d) + get("ew_65plus", b, d))
	}
	var changes []float64
	totals := make([]float64, len(dates))
	for b := range vals["ew_u6"] {
		for d := range dates {
			totals[d] += pop(b, d)
			if d > 0 && pop(b, d-1) >= 50 {
				changes = append(changes, math.Abs(pop(b, d)/pop(b, d-1)-1))
			}
		}
	}
	if med := quantile(changes, 0.5); med > 0.05 {
		t.Errorf("median yearly change of a block's residents is %.1f %%", 100*med)
	}
	for d := 1; d < len(dates); d++ {
		if c := math.Abs(totals[d]/totals[d-1] - 1); c > 0.03 {
			t.Errorf("the city's residents change by %.1f %% from %s to %s", 100*c, dates[d-1], dates[d])
		}
	}

	// Spatial structure: a dense centre and Sozialräume of very different
	// poverty.
	srOf := map[string]string{}
	var cx, cy float64
	centre := map[string][2]float64{}
	for _, b := range blocks {
		srOf[b.code] = b.parent
		var x, y float64
		for _, p := range b.polys[0][0][:4] {
			x, y = x+p[0]/4, y+p[1]/4
		}
		centre[b.code] = [2]float64{x, y}
		cx, cy = cx+x/float64(len(blocks)), cy+y/float64(len(blocks))
	}
	var inner, outerPop, nIn, nOut float64
	rate := map[string][2]float64{}
	last := len(dates) - 1
	for b := range vals["ew_u6"] {
		d := math.Hypot(centre[b][0]-cx, centre[b][1]-cy)
		switch {
		case d < 1500:
			inner, nIn = inner+pop(b, last), nIn+1
		case d > 3000:
			outerPop, nOut = outerPop+pop(b, last), nOut+1
		}
		r := rate[srOf[b]]
		r[0] += float64(get("sgb2_u65", b, last))
		r[1] += pop(b, last) - float64(get("ew_65plus", b, last))
		rate[srOf[b]] = r
	}
	if nIn == 0 || nOut == 0 || inner/nIn < 2*outerPop/nOut {
		t.Errorf("residents per block: %.0f in the centre (%v blocks), %.0f at the edge (%v blocks); want a dense centre", inner/nIn, nIn, outerPop/nOut, nOut)
	}
	lo, hi := math.Inf(1), 0.0
	for _, r := range rate {
		lo, hi = min(lo, r[0]/r[1]), max(hi, r[0]/r[1])
	}
	if hi < 2*lo {
		t.Errorf("SGB II rates of the Sozialräume range only from %.3f to %.3f", lo, hi)
	}
}

func TestOffers(t *testing.T) {
	dir, sum := testCity(t)
	blocks := map[string]feature{}
	for _, b := range readUnitsFile(t, filepath.Join(dir, fileBlocks)) {
		blocks[b.code] = b
	}
	total := 0
	for _, l := range offerLayers {
		t.Run(l.id, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, offerFilePfx+l.id+".geojson"))
			if err != nil {
				t.Fatal(err)
			}
			var fc struct {
				CRS struct {
					Properties struct{ Name string } `json:"properties"`
				} `json:"crs"`
				Features []struct {
					Properties map[string]any `json:"properties"`
					Geometry   struct {
						Type        string     `json:"type"`
						Coordinates [2]float64 `json:"coordinates"`
					} `json:"geometry"`
				} `json:"features"`
			}
			if err := json.Unmarshal(b, &fc); err != nil {
				t.Fatal(err)
			}
			if fc.CRS.Properties.Name != "urn:ogc:def:crs:EPSG::25832" || len(fc.Features) == 0 {
				t.Fatalf("crs %q, %d features", fc.CRS.Properties.Name, len(fc.Features))
			}
			total += len(fc.Features)
			ids := map[string]bool{}
			for _, f := range fc.Features {
				p := f.Properties
				id, _ := p["id"].(string)
				if id == "" || ids[id] {
					t.Errorf("id %q missing or repeated", id)
				}
				ids[id] = true
				for _, k := range []string{"name", "category", "subcategory", "traeger", "adresse", "zielgruppe_1"} {
					if s, _ := p[k].(string); s == "" {
						t.Errorf("%s: %s is %v", id, k, p[k])
					}
				}
				if pt := p["traeger_art"]; pt != "öffentlicher Träger" && pt != "freier Träger" {
					t.Errorf("%s: traeger_art %v", id, pt)
				}
				if p["synthetic"] != true {
					t.Errorf("%s: synthetic is %v", id, p["synthetic"])
				}
				c, hasCap := p["kapazitaet"].(float64)
				if l.capacity != hasCap || hasCap && (c < 20 || c > 150 || c != math.Trunc(c)) {
					t.Errorf("%s: kapazitaet %v", id, p["kapazitaet"])
				}
				// The point lies inside its block, and the block has residents.
				code, _ := p["baublock"].(string)
				blk, ok := blocks[code]
				if !ok || blk.props["nutzung"] != "Wohnen" {
					t.Errorf("%s: block %q is unknown or has no residents", id, code)
					continue
				}
				if f.Geometry.Type != "Point" || !insideConvex(blk.polys[0][0], f.Geometry.Coordinates) {
					t.Errorf("%s: %s %v is not inside block %s", id, f.Geometry.Type, f.Geometry.Coordinates, code)
				}
			}
		})
	}
	if total != sum.Offers {
		t.Errorf("%d offers in the files, summary says %d", total, sum.Offers)
	}
	if want := testBlocks / 40; total < want*9/10 || total > want*11/10 {
		t.Errorf("%d offers, want about %d (one per 40 blocks)", total, want)
	}
}

// insideConvex reports whether p lies strictly inside the counter-clockwise
// convex ring r.
func insideConvex(r [][2]float64, p [2]float64) bool {
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if (b[0]-a[0])*(p[1]-a[1])-(b[1]-a[1])*(p[0]-a[0]) <= 0 {
			return false
		}
	}
	return true
}

func TestImport(t *testing.T) {
	dir, sum := testCity(t)
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sozialatlas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fsys := os.DirFS(dir)
	run := func() *importer.Report {
		t.Helper()
		m, err := importer.ReadManifest(fsys, ManifestName)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := importer.Import(ctx, store, fsys, m, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	text := func(r *importer.Report) string {
		var b strings.Builder
		r.WriteText(&b)
		return b.String()
	}
	rep := run()
	if !rep.OK() || rep.Warnings != 0 {
		t.Fatalf("import: %d errors, %d warnings:\n%s", rep.Errors, rep.Warnings, text(rep))
	}
	c := rep.Changes
	units := sum.Blocks + sum.Sozialraeume + sum.Stadtteile + sum.Stadtbezirke
	if c == nil || c.Levels.Inserted != 4 || c.Units.Inserted != units || c.Indicators.Inserted != len(indicators) ||
		c.Layers.Inserted != len(offerLayers) || c.Offers.Inserted != sum.Offers || c.Values.Inserted != sum.Values {
		t.Errorf("changes %+v; want %d units, %d offers, %d values", c, units, sum.Offers, sum.Values)
	}
	levels, err := store.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range levels {
		got = append(got, fmt.Sprintf("%s:%d", l.ID, l.Units))
	}
	want := fmt.Sprintf("stadtbezirk:%d stadtteil:%d sozialraum:%d baublock:%d", sum.Stadtbezirke, sum.Stadtteile, sum.Sozialraeume, sum.Blocks)
	if strings.Join(got, " ") != want {
		t.Errorf("levels %v, want %s", got, want)
	}

	again := run()
	if !again.OK() || again.Warnings != 0 || again.Changes == nil || again.Changes.Changed() {
		t.Errorf("re-import changed %+v, want nothing:\n%s", again.Changes, text(again))
	}
}
