package tiles

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
)

func TestTileMath(t *testing.T) {
	// Alexanderplatz at zoom 12 is tile 2200/1343 (as OpenStreetMap's tiles).
	if got := At(ProjectPoint(orb.Point{13.4132, 52.5219}), 12); got != (Tile{12, 2200, 1343}) {
		t.Errorf("At: %v", got)
	}
	b := Bound(Tile{1, 1, 0})
	if b.Min != (orb.Point{0, 0}) || math.Abs(b.Max[0]-worldSize/2) > 1e-6 || math.Abs(b.Max[1]-worldSize/2) > 1e-6 {
		t.Errorf("Bound 1/1/0: %v", b)
	}
	tl := Tile{12, 2200, 1343}
	corner := tl.ToTile(Bound(tl).Min) // south-west: x 0, y Extent
	if math.Abs(corner[0]) > 1e-6 || math.Abs(corner[1]-Extent) > 1e-6 {
		t.Errorf("south-west corner in tile coordinates: %v", corner)
	}
	if p := tl.FromTile(tl.ToTile(orb.Point{1.49e6, 6.89e6})); math.Abs(p[0]-1.49e6) > 1e-6 || math.Abs(p[1]-6.89e6) > 1e-6 {
		t.Errorf("round trip: %v", p)
	}
	for _, tc := range []struct {
		t   Tile
		err string
	}{
		{Tile{0, 0, 0}, ""}, {Tile{16, 65535, 65535}, ""},
		{Tile{17, 0, 0}, "zoom 17 is outside 0..16"},
		{Tile{2, 4, 0}, "tile 2/4/0 does not exist: x and y go from 0 to 3 at zoom 2"},
		{Tile{5, 0, 0}, ""},
	} {
		err := tc.t.Check(0, MaxZoom)
		if (err == nil) != (tc.err == "") || err != nil && err.Error() != tc.err {
			t.Errorf("%v: %v, want %q", tc.t, err, tc.err)
		}
	}
	if err := (Tile{5, 0, 0}).Check(10, 16); err == nil || err.Error() != "zoom 5 is outside 10..16" {
		t.Errorf("below minzoom: %v", err)
	}
	// Half a screen pixel: 305.75 m at zoom 8, 4.78 m at zoom 14.
	if math.Abs(Tolerance(8)-305.748) > 0.01 || math.Abs(Tolerance(14)-4.777) > 0.01 {
		t.Errorf("tolerance %v %v", Tolerance(8), Tolerance(14))
	}
}

func TestMinZoom(t *testing.T) {
	city := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{70000, 60000}} // Berlin in Web Mercator metres, about
	for _, tc := range []struct{ n, want int }{{12, 0}, {542, 0}, {100000, 13}} {
		if got := MinZoom(tc.n, city, 2000); got != tc.want {
			t.Errorf("MinZoom(%d): %d, want %d", tc.n, got, tc.want)
		}
	}
}

// TestEncodeMVT checks the encoding against the MVT 2.1 specification's
// examples (4.3.5): a point at (25, 17) is MoveTo(1) 25 17, i.e. 9 50 34;
// a polygon's ring is MoveTo, LineTo of all but the closing point,
// ClosePath.
func TestEncodeMVT(t *testing.T) {
	cmds, typ := appendCommands(nil, orb.Point{25, 17})
	if typ != typePoint || !slices.Equal(varintsOf(cmds), []uint64{9, 50, 34}) {
		t.Errorf("point: %v", varintsOf(cmds))
	}
	square := orb.MultiPolygon{{{{3, 6}, {8, 12}, {20, 34}, {3, 6}}}}
	cmds, typ = appendCommands(nil, square)
	// The specification's polygon example: 9 6 12 18 10 12 24 44 15.
	if typ != typePolygon || !slices.Equal(varintsOf(cmds), []uint64{9, 6, 12, 18, 10, 12, 24, 44, 15}) {
		t.Errorf("polygon: %v", varintsOf(cmds))
	}

	feats := []Feature{{Index: 7, Geometry: orb.MultiPolygon{{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}}}, {Index: 9, Geometry: orb.Point{5, 5}}}
	cols, err := NewColumns([]string{"code", "n", "x", "ok", "none"}, 10, func(i, k int) any {
		return []any{"c" + string(rune('0'+i)), i, 1.5, true, nil}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	b := EncodeMVT("units", feats, func(i int) uint64 { return uint64(i * 10) }, cols)
	layers, err := DecodeMVT(b)
	if err != nil || len(layers) != 1 || layers[0].Name != "units" || layers[0].Version != 2 || layers[0].Extent != 4096 || len(layers[0].Features) != 2 {
		t.Fatalf("decoded %+v, %v", layers, err)
	}
	f := layers[0].Features[0]
	if f.ID != 70 || f.Properties["code"] != "c7" || f.Properties["n"] != int64(7) || f.Properties["x"] != 1.5 || f.Properties["ok"] != true {
		t.Errorf("feature: %+v", f)
	}
	if _, has := f.Properties["none"]; has {
		t.Error("a nil property was written")
	}
	if !orb.Equal(f.Geometry, feats[0].Geometry) || !orb.Equal(layers[0].Features[1].Geometry, orb.MultiPoint{{5, 5}}) {
		t.Errorf("geometry %v %v", f.Geometry, layers[0].Features[1].Geometry)
	}
	// Each distinct value is written once: 1.5 and true are shared by
	// both features.
	if got := len(layers[0].Values); got != 2*2+2 {
		t.Errorf("%d values, want 6 (two codes, two numbers, 1.5, true)", got)
	}
	if _, err := NewColumns([]string{"bad"}, 1, func(int, int) any { return math.NaN() }); err == nil {
		t.Error("NaN taken")
	}
}

func varintsOf(b []byte) []uint64 {
	v, _ := varints(b)
	return v
}

func validTile(t *testing.T, what string, mp orb.MultiPolygon) {
	t.Helper()
	if _, _, err := geomcheck.MultiPolygon(mp); err != nil {
		t.Errorf("%s: %v in %v", what, err, mp)
	}
	for _, poly := range mp {
		for i, r := range poly {
			if a := shoelace(r); (i == 0) != (a > 0) {
				t.Errorf("%s: ring %d has area %v: wrong winding", what, i, a/2)
			}
		}
	}
}

func TestClip(t *testing.T) {
	box := orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}
	// An upside-down U whose base lies above the box: two pieces, not
	// one joined by a bridge along the edge (as Sutherland-Hodgman has it).
	u := orb.Polygon{{{2, 2}, {4, 2}, {4, 12}, {6, 12}, {6, 2}, {8, 2}, {8, 14}, {2, 14}, {2, 2}}}
	got := clipMultiPolygon(orb.MultiPolygon{u}, box)
	validTile(t, "U", got)
	if len(got) != 2 || math.Abs(areaOf(got)-2*2*8) > 1e-9 {
		t.Errorf("U: area %v in %v", areaOf(got), got)
	}
	// The right way up, it stays one piece.
	u = orb.Polygon{{{2, 2}, {8, 2}, {8, 14}, {6, 14}, {6, 4}, {4, 4}, {4, 14}, {2, 14}, {2, 2}}}
	got = clipMultiPolygon(orb.MultiPolygon{u}, box)
	validTile(t, "U", got)
	if len(got) != 1 || math.Abs(areaOf(got)-(6*8-2*6)) > 1e-9 {
		t.Errorf("U: area %v in %v", areaOf(got), got)
	}
	// An area around the box with a hole across its edge and one inside.
	around := orb.Polygon{{{-5, -5}, {15, -5}, {15, 15}, {-5, 15}, {-5, -5}},
		{{8, 4}, {8, 6}, {12, 6}, {12, 4}, {8, 4}}, {{2, 2}, {2, 3}, {3, 3}, {3, 2}, {2, 2}}}
	got = clipMultiPolygon(orb.MultiPolygon{around}, box)
	validTile(t, "around", got)
	if len(got) != 1 || len(got[0]) != 2 || math.Abs(areaOf(got)-(100-4-1)) > 1e-9 {
		t.Errorf("around: %v", got)
	}
	// The box inside a hole: nothing; an area that misses the box: nothing.
	hole := orb.Polygon{{{-20, -20}, {30, -20}, {30, 30}, {-20, 30}, {-20, -20}}, {{-10, -10}, {-10, 20}, {20, 20}, {20, -10}, {-10, -10}}}
	if got := clipMultiPolygon(orb.MultiPolygon{hole, {{{20, 20}, {30, 20}, {30, 30}, {20, 20}}}}, box); len(got) != 0 {
		t.Errorf("outside: %v", got)
	}
	// A shared edge across the box's edge is cut at the same point from
	// both sides.
	a := orb.Polygon{{{5, 5}, {13.3, 7.7}, {13.3, 0}, {5, 5}}}
	b := orb.Polygon{{{5, 5}, {13.3, 7.7}, {5, 9}, {5, 5}}}
	pa, pb := clipMultiPolygon(orb.MultiPolygon{a}, box), clipMultiPolygon(orb.MultiPolygon{b}, box)
	shared := 0
	for _, p := range pa[0][0][1:] {
		if p[0] == 10 && slices.Contains(pb[0][0], p) {
			shared++
		}
	}
	if shared != 1 {
		t.Errorf("crossing of the shared edge: %v and %v", pa, pb)
	}
}

func areaOf(mp orb.MultiPolygon) float64 {
	var s float64
	for _, poly := range mp {
		for _, r := range poly {
			s += shoelace(r) / 2
		}
	}
	return s
}

func TestSnap(t *testing.T) {
	// Repeated points, a spike and a ring that collapses when rounded.
	mp := orb.MultiPolygon{
		{{{0, 0}, {0.2, 0.1}, {10, 0}, {10, 10}, {10, 15}, {10.2, 10}, {0, 10}, {0, 0}}},
		{{{20, 20}, {20.2, 20}, {20.2, 20.2}, {20, 20}}},
	}
	got := snap(mp)
	want := orb.MultiPolygon{{{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}}}
	if !orb.Equal(got, want) {
		t.Errorf("snap: %v, want %v", got, want)
	}
	// A ring that rounding makes touch itself is split in two parts.
	pinch := orb.MultiPolygon{{{{0, 0}, {4, 0}, {5.1, 5}, {10, 0}, {10, 10}, {4.9, 5}, {0, 10}, {0, 0}}}}
	got = snap(pinch)
	validTile(t, "pinch", got)
	if len(got) != 2 {
		t.Errorf("pinch: %v", got)
	}
	// Rounding moves a point onto another edge: repair makes the ring
	// pass through it.
	touch := orb.MultiPolygon{{{{0, 0}, {10, 0}, {10, 10}, {6, 10}, {5, 0.4}, {4, 10}, {0, 10}, {0, 0}}}}
	rep, dropped := repair(snap(touch))
	validTile(t, "touch", rep)
	if dropped != 0 || math.Abs(areaOf(rep)-areaOf(touch)) > 6 {
		t.Errorf("touch: %v, %d dropped", rep, dropped)
	}
}

func TestGeoJSON(t *testing.T) {
	tl := Tile{12, 2200, 1343}
	feats := []Feature{{Index: 0, Geometry: orb.MultiPolygon{{{{0, 0}, {100, 0}, {100, 100}, {0, 100}, {0, 0}}}}}}
	cols, err := NewColumns([]string{"code", "value", "name"}, 1, func(_, k int) any { return []any{"0100", nil, "<Mitte>"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	b := EncodeGeoJSON(tl, feats, func(int) string { return "0100" }, cols)
	var fc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Coordinates [][][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil || len(fc.Features) != 1 {
		t.Fatalf("%s: %v", b, err)
	}
	f := fc.Features[0]
	if f.ID != "0100" || f.Properties["value"] != nil || f.Properties["name"] != "<Mitte>" || !bytes.Contains(b, []byte(`"value":null`)) {
		t.Errorf("feature: %s", b)
	}
	ring := f.Geometry.Coordinates[0][0]
	var a float64
	for i := 0; i+1 < len(ring); i++ {
		a += ring[i][0]*ring[i+1][1] - ring[i+1][0]*ring[i][1]
	}
	nw := Unproject(tl.FromTile(orb.Point{0, 0}))
	if a <= 0 || !slices.ContainsFunc(ring, func(p [2]float64) bool {
		return math.Abs(p[0]-nw[0]) < 1e-7 && math.Abs(p[1]-nw[1]) < 1e-7
	}) {
		t.Errorf("ring %v: area %v (want counter-clockwise), corner %v", ring, a, nw)
	}
	if strings.Contains(string(b), "e-") || strings.Contains(string(b), "e+") {
		t.Errorf("exponent in coordinates: %s", b)
	}
}

func TestCache(t *testing.T) {
	c := NewCache(3 * (entryOverhead + 2 + 100))
	body := bytes.Repeat([]byte{1}, 100)
	for _, k := range []string{"k1", "k2", "k3"} {
		c.Put(k, body, false)
	}
	c.Get("k1") // k2 is now the least recently used
	c.Put("k4", body, false)
	if _, found := c.Get("k2"); found {
		t.Error("k2 was not evicted")
	}
	for _, k := range []string{"k1", "k3", "k4"} {
		if b, found := c.Get(k); !found || len(b) != 100 {
			t.Errorf("%s lost", k)
		}
	}
	if c.Len() != 3 || c.Bytes() > 3*(entryOverhead+2+100) {
		t.Errorf("%d entries, %d bytes", c.Len(), c.Bytes())
	}
	c.Put("empty", nil, false) // an empty tile is kept too
	if b, found := c.Get("empty"); !found || b != nil {
		t.Error("empty tile lost")
	}
	c.Put("huge", make([]byte, 1000), false)
	if _, found := c.Get("huge"); found {
		t.Error("a tile larger than the cache was kept")
	}
	c.Clear()
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Error("not cleared")
	}
}

func TestPoints(t *testing.T) {
	tl := Tile{14, 8800, 5373}
	b := Bound(tl)
	inside := orb.Point{(b.Min[0] + b.Max[0]) / 2, (b.Min[1] + b.Max[1]) / 2}
	inBuffer := orb.Point{b.Max[0] + TileSize(14)*32/Extent, inside[1]}
	outside := orb.Point{b.Max[0] + TileSize(14)*100/Extent, inside[1]}
	got := NewPoints([]orb.Point{outside, inside, inBuffer}).Tile(tl)
	if len(got) != 2 || got[0].Index != 1 || got[0].Geometry != (orb.Point{2048, 2048}) || got[1].Index != 2 || got[1].Geometry != (orb.Point{4128, 2048}) {
		t.Errorf("points: %+v", got)
	}
}

// TestTolerance: half a pixel of a 256-pixel tile.
func TestTolerance(t *testing.T) {
	for z, want := range map[int]float64{0: 78271.517, 8: 305.748, 14: 4.777} {
		if got := Tolerance(z); math.Abs(got-want) > 1e-3 {
			t.Errorf("zoom %d: %.4f, want %.3f", z, got, want)
		}
	}
}
