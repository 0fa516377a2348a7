package spatialstats

import (
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// rect is a closed counter-clockwise rectangle ring.
func rect(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func mp(rings ...orb.Ring) orb.MultiPolygon { return orb.MultiPolygon{orb.Polygon(rings)} }

// A 4x3 grid of unit squares (with Berlin-like coordinates) gives exactly
// the queen lattice: shared edges and shared corners.
func TestQueenGrid(t *testing.T) {
	const rows, cols, step = 3, 4, 0.01
	var geoms []orb.MultiPolygon
	for r := range rows {
		for c := range cols {
			x, y := 13.3+float64(c)*step, 52.5+float64(r)*step
			geoms = append(geoms, mp(rect(x, y, x+step, y+step)))
		}
	}
	got := Queen(geoms)
	want := lattice(t, rows, cols, true)
	if !reflect.DeepEqual(got.Pairs(), want.Pairs()) {
		t.Errorf("pairs %v, want the queen lattice %v", got.Pairs(), want.Pairs())
	}
	if got.Links() != 2*len(got.Pairs()) {
		t.Errorf("%d links for %d pairs: not symmetric", got.Links(), len(got.Pairs()))
	}
	if _, wt := got.Neighbours(5); len(wt) != 8 || wt[0] != 1 {
		t.Errorf("inner unit: weights %v, want 8 binary weights", wt)
	}
}

func TestQueenCases(t *testing.T) {
	const eps = 1e-10 // noise below QueenTolerance
	cases := []struct {
		name  string
		geoms []orb.MultiPolygon
		pairs [][2]int
	}{
		{
			// B and C sit on A's long top edge: their corners lie on an
			// edge of A that has no vertex there (T-junction)
			"vertex on edge",
			[]orb.MultiPolygon{mp(rect(0, 0, 2, 1)), mp(rect(0.5, 1, 1, 2)), mp(rect(1, 1, 1.5, 2))},
			[][2]int{{0, 1}, {0, 2}, {1, 2}},
		},
		{
			"vertex on edge with noise below the tolerance",
			[]orb.MultiPolygon{mp(rect(0, 0, 2, 1)), mp(rect(0.5, 1+eps, 1, 2))},
			[][2]int{{0, 1}},
		},
		{
			"gap wider than the tolerance",
			[]orb.MultiPolygon{mp(rect(0, 0, 2, 1)), mp(rect(0.5, 1+1e-7, 1, 2))},
			nil,
		},
		{
			"single shared corner",
			[]orb.MultiPolygon{mp(rect(0, 0, 1, 1)), mp(rect(1, 1, 2, 2))},
			[][2]int{{0, 1}},
		},
		{
			"corner touching an edge's interior",
			[]orb.MultiPolygon{mp(rect(0, 0, 2, 1)), mp(orb.Ring{{1, 1}, {2, 2}, {0, 2}, {1, 1}})},
			[][2]int{{0, 1}},
		},
		{
			// an enclave fills its surrounding unit's hole
			"enclave in a hole",
			[]orb.MultiPolygon{mp(rect(0, 0, 3, 3), rect(1, 1, 2, 2).Clone()), mp(rect(1, 1, 2, 2))},
			[][2]int{{0, 1}},
		},
		{
			"nested without touching (not a partition)",
			[]orb.MultiPolygon{mp(rect(0, 0, 3, 3)), mp(rect(1, 1, 2, 2))},
			nil,
		},
		{
			"crossing edges (overlap)",
			[]orb.MultiPolygon{mp(rect(0, 0, 2, 2)), mp(rect(1, -1, 3, 1))},
			[][2]int{{0, 1}},
		},
		{
			"multipolygon part touches",
			[]orb.MultiPolygon{
				{orb.Polygon{rect(0, 0, 1, 1)}, orb.Polygon{rect(5, 0, 6, 1)}},
				mp(rect(6, 0, 7, 1)),
				mp(rect(3, 0, 4, 1)),
			},
			[][2]int{{0, 1}},
		},
		{
			"ring not explicitly closed",
			[]orb.MultiPolygon{mp(orb.Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}}), mp(rect(-1, 0.2, 0, 0.5))},
			[][2]int{{0, 1}},
		},
		{
			"empty geometry is an island",
			[]orb.MultiPolygon{mp(rect(0, 0, 1, 1)), nil, mp(rect(1, 0, 2, 1))},
			[][2]int{{0, 2}},
		},
	}
	for _, tc := range cases {
		w := Queen(tc.geoms)
		if w.N() != len(tc.geoms) {
			t.Errorf("%s: %d units, want %d", tc.name, w.N(), len(tc.geoms))
		}
		if got := w.Pairs(); !reflect.DeepEqual(got, tc.pairs) {
			t.Errorf("%s: pairs %v, want %v", tc.name, got, tc.pairs)
		}
	}
}

// bruteQueen is the obvious test without an index: for every pair of
// units whose bounding boxes meet, every segment of one against every
// segment of the other that reaches into the boxes' overlap.
func bruteQueen(geoms []orb.MultiPolygon) [][2]int {
	type seg struct {
		p, q orb.Point
		b    orb.Bound
	}
	segs := make([][]seg, len(geoms))
	bounds := make([]orb.Bound, len(geoms))
	for u, m := range geoms {
		bounds[u] = m.Bound().Pad(QueenTolerance)
		for _, p := range m {
			for _, r := range p {
				for k := 0; k+1 < len(r); k++ {
					b := orb.MultiPoint{r[k], r[k+1]}.Bound().Pad(QueenTolerance)
					segs[u] = append(segs[u], seg{r[k], r[k+1], b})
				}
			}
		}
	}
	near := func(ss []seg, box orb.Bound) []seg {
		var out []seg
		for _, s := range ss {
			if s.b.Intersects(box) {
				out = append(out, s)
			}
		}
		return out
	}
	var pairs [][2]int
	for a := range geoms {
		for b := a + 1; b < len(geoms); b++ {
			if !bounds[a].Intersects(bounds[b]) {
				continue
			}
			box := orb.Bound{
				Min: orb.Point{max(bounds[a].Min[0], bounds[b].Min[0]), max(bounds[a].Min[1], bounds[b].Min[1])},
				Max: orb.Point{min(bounds[a].Max[0], bounds[b].Max[0]), min(bounds[a].Max[1], bounds[b].Max[1])},
			}
			sb := near(segs[b], box)
		search:
			for _, s := range near(segs[a], box) {
				for _, q := range sb {
					if segmentsTouch(s.p, s.q, q.p, q.q, QueenTolerance) {
						pairs = append(pairs, [2]int{a, b})
						break search
					}
				}
			}
		}
	}
	return pairs
}

// On the 542 Berlin Planungsräume the R-tree search finds exactly the
// pairs of the exhaustive comparison.
func TestQueenBerlinMatchesBruteForce(t *testing.T) {
	_, geoms := berlinPLR(t)
	got := Queen(geoms).Pairs()
	want := bruteQueen(geoms)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("R-tree search: %d pairs, exhaustive: %d", len(got), len(want))
	}
	t.Logf("%d units, %d neighbour pairs", len(geoms), len(got))
}
