package topo

import (
	"cmp"
	"fmt"
	"github.com/sozialatlas/sozialatlas/pkg/tiles"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/crs"
	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
	"github.com/sozialatlas/sozialatlas/pkg/synth"
)

// ---- data ----

var berlinOnce = sync.OnceValues(func() ([]orb.MultiPolygon, error) {
	_, polys, err := geodata.BerlinAreas("plr")
	if err != nil {
		return nil, err
	}
	return polys, crs.Reproject(polys, 4326, 3857)
})

// berlin returns Berlin's 542 Planungsräume in Web Mercator metres. Callers
// must not change them.
func berlin(tb testing.TB) []orb.MultiPolygon {
	tb.Helper()
	polys, err := berlinOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return polys
}

var blocksOnce = sync.OnceValues(func() ([]orb.MultiPolygon, error) {
	return synth.BlocksWebMercator(synth.Options{Blocks: 100000, Seed: 1})
})

// blocks returns the 100,000 blocks of the synthetic city (seed 1) in Web
// Mercator metres.
func blocks(tb testing.TB) []orb.MultiPolygon {
	tb.Helper()
	polys, err := blocksOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return polys
}

// ---- helpers ----

func ring(xy ...float64) orb.Ring {
	r := orb.Ring{}
	for i := 0; i+1 < len(xy); i += 2 {
		r = append(r, orb.Point{xy[i], xy[i+1]})
	}
	return append(r, r[0])
}

func rect(x0, y0, x1, y1 float64) orb.Ring { return ring(x0, y0, x1, y0, x1, y1, x0, y1) }

func mp(rings ...orb.Ring) orb.MultiPolygon { return orb.MultiPolygon{orb.Polygon(rings)} }

func build(t *testing.T, polys ...orb.MultiPolygon) *Topology {
	t.Helper()
	topo, err := Build(polys)
	if err != nil {
		t.Fatal(err)
	}
	return topo
}

// vertices returns the distinct vertices of a multipolygon, sorted.
func vertices(m orb.MultiPolygon) []orb.Point {
	var vs []orb.Point
	for _, p := range m {
		for _, r := range p {
			vs = append(vs, r...)
		}
	}
	slices.SortFunc(vs, func(a, b orb.Point) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	return slices.Compact(vs)
}

// where returns the vertices of m that satisfy f.
func where(m orb.MultiPolygon, f func(orb.Point) bool) []orb.Point {
	var out []orb.Point
	for _, v := range vertices(m) {
		if f(v) {
			out = append(out, v)
		}
	}
	return out
}

func pts(xy ...float64) []orb.Point {
	var out []orb.Point
	for i := 0; i+1 < len(xy); i += 2 {
		out = append(out, orb.Point{xy[i], xy[i+1]})
	}
	return out
}

// mustValid fails unless every non-empty polygon passes pkg/geomcheck.
func mustValid(t *testing.T, out []orb.MultiPolygon) {
	t.Helper()
	for i, m := range out {
		if len(m) == 0 {
			continue
		}
		if _, _, err := geomcheck.MultiPolygon(m); err != nil {
			t.Errorf("polygon %d invalid: %v", i, err)
		}
	}
}

// ---- Berlin ----

// TestBerlinCoverage simplifies Berlin's 542 Planungsräume at zooms 8 to
// 14 and checks the coverage: neighbours keep common vertices; no vertex of
// one polygon lies on another's boundary without being its vertex too (no
// gap, no sliver); no two polygons' edges cross (no overlap); every polygon
// is valid per pkg/geomcheck; and the total area stays within a tenth of a
// half-pixel strip along Berlin's outline of the original (area moves only
// at the outline, since inner borders are shared). Each polygon's own area
// stays within a half-pixel strip along its perimeter.
func TestBerlinCoverage(t *testing.T) {
	polys := berlin(t)
	topo := build(t, polys...)
	st := topo.Stats()
	// Berlin's LOR files are topologically clean: shared borders have
	// identical vertices, so there is nothing to snap.
	if st.Polygons != 542 || st.TJunctions != 0 || st.Snapped != 0 || st.CollapsedRings != 0 {
		t.Fatalf("stats %+v: want 542 polygons, no T-junctions, nothing snapped or collapsed", st)
	}
	// Only the outline's arcs have one side.
	if st.SharedArcs < st.Arcs*9/10 {
		t.Errorf("stats %+v: want at least 90%% of arcs shared", st)
	}

	neighbours := sharedBorders(polys)
	if len(neighbours) < 1400 {
		t.Fatalf("%d neighbour pairs, want over 1,400 (each Planungsraum has 5 or so)", len(neighbours))
	}
	outline, perimeter := outlineLength(polys)
	var area0 float64
	areas0 := make([]float64, len(polys))
	for i, m := range polys {
		areas0[i] = planar.Area(m)
		area0 += areas0[i]
	}

	for z := 8; z <= 14; z++ {
		t.Run(fmt.Sprintf("z%d", z), func(t *testing.T) {
			tol := tiles.Tolerance(z)
			out, rep := topo.SimplifyReport(tol)
			if len(out) != len(polys) {
				t.Fatalf("%d polygons, want %d", len(out), len(polys))
			}
			if rep.Invalid != 0 || rep.Flipped != 0 {
				t.Errorf("report %+v: want nothing invalid or flipped", rep)
			}
			mustValid(t, out)
			n := 0
			for i, m := range out {
				if len(m) == 0 {
					t.Errorf("polygon %d vanished: every Planungsraum has junctions, which stay", i)
				}
				for _, p := range m {
					for _, r := range p {
						n += len(r)
					}
				}
			}
			if n >= 197545 {
				t.Errorf("%d points: not simplified at all", n)
			}

			common := 0
			sets := make([]map[orb.Point]bool, len(out))
			for i, m := range out {
				sets[i] = map[orb.Point]bool{}
				for _, v := range vertices(m) {
					sets[i][v] = true
				}
			}
			for pair := range neighbours {
				shared := false
				for v := range sets[pair[0]] {
					if sets[pair[1]][v] {
						shared = true
						break
					}
				}
				if shared {
					common++
				} else {
					t.Errorf("neighbours %d and %d share no vertex", pair[0], pair[1])
				}
			}
			checkCoverage(t, out)

			var area float64
			for i, m := range out {
				a := planar.Area(m)
				area += a
				if d := math.Abs(a - areas0[i]); d > tol*perimeter[i] {
					t.Errorf("polygon %d: area changed by %.0f m², more than tol × perimeter = %.0f m²", i, d, tol*perimeter[i])
				}
			}
			if d, bound := math.Abs(area-area0), 0.1*tol*outline; d > bound {
				t.Errorf("total area changed by %.0f m², more than 0.1 × tol × outline = %.0f m²", d, bound)
			}
			t.Logf("tol %.1f m: %d points, %d neighbour pairs share vertices, area %+.2e relative, %+v",
				tol, n, common, (area-area0)/area0, rep)
		})
	}
}

// sharedBorders returns the pairs of polygons that share at least one edge
// (the same two points, either way round).
func sharedBorders(polys []orb.MultiPolygon) map[[2]int]bool {
	owner := map[[2]orb.Point]int{}
	pairs := map[[2]int]bool{}
	for i, m := range polys {
		for _, p := range m {
			for _, r := range p {
				for k := 0; k+1 < len(r); k++ {
					e := edgeKey(r[k], r[k+1])
					if j, ok := owner[e]; ok && j != i {
						pairs[[2]int{j, i}] = true
					}
					owner[e] = i
				}
			}
		}
	}
	return pairs
}

func edgeKey(a, b orb.Point) [2]orb.Point {
	if b[0] < a[0] || b[0] == a[0] && b[1] < a[1] {
		a, b = b, a
	}
	return [2]orb.Point{a, b}
}

// outlineLength returns the length of the coverage's outline (edges used
// by one polygon only) and each polygon's perimeter.
func outlineLength(polys []orb.MultiPolygon) (float64, []float64) {
	uses := map[[2]orb.Point]int{}
	perimeter := make([]float64, len(polys))
	for i, m := range polys {
		for _, p := range m {
			for _, r := range p {
				for k := 0; k+1 < len(r); k++ {
					uses[edgeKey(r[k], r[k+1])]++
					perimeter[i] += planar.Distance(r[k], r[k+1])
				}
			}
		}
	}
	outline := 0.0
	for e, n := range uses {
		if n == 1 {
			outline += planar.Distance(e[0], e[1])
		}
	}
	return outline, perimeter
}

// checkCoverage fails where a vertex of one polygon lies on an edge of
// another (within 1e-9) without being a vertex of it, or where edges of two
// polygons cross. It indexes edges in a grid of its own, independent of
// the package's.
func checkCoverage(t *testing.T, out []orb.MultiPolygon) {
	t.Helper()
	type edge struct {
		a, b orb.Point
		poly int
	}
	const cell = 200.0
	grid := map[[2]int][]edge{}
	key := func(x, y float64) [2]int { return [2]int{int(math.Floor(x / cell)), int(math.Floor(y / cell))} }
	for i, m := range out {
		for _, p := range m {
			for _, r := range p {
				for k := 0; k+1 < len(r); k++ {
					a, b := r[k], r[k+1]
					lo, hi := key(min(a[0], b[0]), min(a[1], b[1])), key(max(a[0], b[0]), max(a[1], b[1]))
					for x := lo[0]; x <= hi[0]; x++ {
						for y := lo[1]; y <= hi[1]; y++ {
							grid[[2]int{x, y}] = append(grid[[2]int{x, y}], edge{a, b, i})
						}
					}
				}
			}
		}
	}
	gaps, crossings := 0, 0
	for c, edges := range grid {
		for _, e := range edges {
			for _, f := range edges {
				if e.poly >= f.poly {
					continue
				}
				// Look at each pair once: in the cell where their boxes'
				// overlap begins.
				if key(max(min(e.a[0], e.b[0]), min(f.a[0], f.b[0])), max(min(e.a[1], e.b[1]), min(f.a[1], f.b[1]))) != c {
					continue
				}
				for _, v := range [4]orb.Point{e.a, e.b, f.a, f.b} {
					g := f
					if v == f.a || v == f.b {
						g = e
					}
					if v != g.a && v != g.b && distToSegment(v, g.a, g.b) <= 1e-9 {
						gaps++
						if gaps <= 5 {
							t.Errorf("vertex %v lies on an edge of polygon %d without being its vertex", v, g.poly)
						}
					}
				}
				if properCross(e.a, e.b, f.a, f.b) {
					crossings++
					if crossings <= 5 {
						t.Errorf("edges of polygons %d and %d cross near %v", e.poly, f.poly, e.a)
					}
				}
			}
		}
	}
	if gaps+crossings > 0 {
		t.Errorf("%d vertices on foreign edges, %d crossings", gaps, crossings)
	}
}

func distToSegment(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	s := ((p[0]-a[0])*dx + (p[1]-a[1])*dy) / (dx*dx + dy*dy)
	s = min(max(s, 0), 1)
	return math.Hypot(a[0]+s*dx-p[0], a[1]+s*dy-p[1])
}

// properCross reports whether the segments cross at a point inside both.
func properCross(a, b, c, d orb.Point) bool {
	side := func(p, q, r orb.Point) float64 { return (q[0]-p[0])*(r[1]-p[1]) - (q[1]-p[1])*(r[0]-p[0]) }
	d1, d2 := side(a, b, c), side(a, b, d)
	d3, d4 := side(c, d, a), side(c, d, b)
	return (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0)
}

// TestDeterministicConcurrent: Simplify gives the same result whether
// called alone or from several goroutines at once.
func TestDeterministicConcurrent(t *testing.T) {
	topo := build(t, berlin(t)...)
	tol := tiles.Tolerance(10)
	want := topo.Simplify(tol)
	again := make([][]orb.MultiPolygon, 4)
	var wg sync.WaitGroup
	for g := range again {
		wg.Go(func() { again[g] = topo.Simplify(tol) })
	}
	wg.Wait()
	for g := range again {
		if !reflect.DeepEqual(again[g], want) {
			t.Fatalf("goroutine %d: result differs", g)
		}
	}
	// A second Build of the same input gives the same arcs.
	if other := build(t, berlin(t)...); !reflect.DeepEqual(other.Simplify(tol), want) {
		t.Fatal("a second Build simplifies differently")
	}
}

// ---- small cases ----

// TestSharedEdgeZigzag: two squares share an edge with a collinear vertex
// and a zigzag of ±0.05 on it. Both get the identical edge: straight at a
// tolerance above the zigzag, the same zigzag (without the collinear
// vertex, 0.025 off the chord to the first zigzag vertex) below it.
func TestSharedEdgeZigzag(t *testing.T) {
	left := mp(ring(0, 0, 10, 0, 10, 2, 10.05, 4, 9.95, 6, 10.05, 8, 10, 10, 0, 10))
	right := mp(ring(10, 0, 20, 0, 20, 10, 10, 10, 10.05, 8, 9.95, 6, 10.05, 4, 10, 2))
	topo := build(t, left, right)
	if st := topo.Stats(); st.SharedArcs != 1 || st.Junctions != 2 {
		t.Fatalf("stats %+v: want 1 shared arc between 2 junctions", st)
	}
	onEdge := func(p orb.Point) bool { return p[0] > 9 && p[0] < 11 }

	out := topo.Simplify(0.1)
	mustValid(t, out)
	if got, want := vertices(out[0]), pts(0, 0, 0, 10, 10, 0, 10, 10); !reflect.DeepEqual(got, want) {
		t.Errorf("left at 0.1: %v, want the square %v", got, want)
	}
	if got, want := vertices(out[1]), pts(10, 0, 10, 10, 20, 0, 20, 10); !reflect.DeepEqual(got, want) {
		t.Errorf("right at 0.1: %v, want the square %v", got, want)
	}

	out = topo.Simplify(0.03)
	mustValid(t, out)
	want := pts(9.95, 6, 10, 0, 10, 10, 10.05, 4, 10.05, 8)
	if l, r := where(out[0], onEdge), where(out[1], onEdge); !reflect.DeepEqual(l, want) || !reflect.DeepEqual(r, want) {
		t.Errorf("shared edge at 0.03: left %v, right %v, want both %v", l, r, want)
	}
}

// TestGridJunction: four squares of a 2×2 grid with extra vertices on
// every edge. The middle, where all four meet, stays at every tolerance;
// at a huge tolerance each square becomes a triangle on the middle and the
// grid a diamond of exactly half the area.
func TestGridJunction(t *testing.T) {
	// Each square with a collinear vertex in the middle of each edge and a
	// slight bump on its inner edges, shared with the neighbour.
	polys := []orb.MultiPolygon{
		mp(ring(0, 0, 5, 0, 10, 0, 10.2, 5, 10, 10, 5, 9.8, 0, 10, 0, 5)),        // bottom left
		mp(ring(10, 0, 15, 0, 20, 0, 20, 5, 20, 10, 15, 10, 10, 10, 10.2, 5)),    // bottom right
		mp(ring(0, 10, 5, 9.8, 10, 10, 10, 15, 10, 20, 5, 20, 0, 20, 0, 15)),     // top left
		mp(ring(10, 10, 15, 10, 20, 10, 20, 15, 20, 20, 15, 20, 10, 20, 10, 15)), // top right
	}
	topo := build(t, polys...)
	middle := orb.Point{10, 10}
	for _, tol := range []float64{0.1, 1, 3, 100} {
		out := topo.Simplify(tol)
		mustValid(t, out)
		checkCoverage(t, out)
		for i, m := range out {
			if !slices.Contains(vertices(m), middle) {
				t.Errorf("tol %g: square %d lost the middle junction: %v", tol, i, vertices(m))
			}
		}
		if tol == 3 {
			// Bumps and collinear vertices gone, corners kept.
			if got, want := vertices(out[0]), pts(0, 0, 0, 10, 10, 0, 10, 10); !reflect.DeepEqual(got, want) {
				t.Errorf("tol 3: bottom left %v, want %v", got, want)
			}
		}
		if tol == 100 {
			total := 0.0
			for _, m := range out {
				total += planar.Area(m)
			}
			if total != 200 {
				t.Errorf("tol 100: area %g, want the diamond's 200", total)
			}
		}
	}
}

// TestHoleAndIsland: a square with a hole filled by a second polygon (the
// hole and the island are one arc with no junction: a fixed point starts
// it), and a third polygon with an empty hole. Hole and island keep the
// same vertices; at a tolerance larger than the island both collapse
// together, the island's polygon is empty and the outer square has no
// hole, so nothing is left uncovered.
func TestHoleAndIsland(t *testing.T) {
	hole := ring(3, 3, 3, 7, 5, 7.05, 7, 7, 7, 3, 5, 2.9)   // clockwise
	island := ring(3, 3, 5, 2.9, 7, 3, 7, 7, 5, 7.05, 3, 7) // counter-clockwise
	polys := []orb.MultiPolygon{
		mp(rect(0, 0, 10, 10), hole),
		mp(island),
		mp(rect(20, 0, 30, 10), ring(22, 2, 22, 8, 28, 8, 28, 2)),
	}
	topo := build(t, polys...)
	if st := topo.Stats(); st.FixedPoints != 4 || st.SharedArcs != 1 {
		t.Fatalf("stats %+v: want 4 fixed points (rings without junctions: both squares, the hole and island, the empty hole) and 1 shared arc", st)
	}

	out := topo.Simplify(0.01)
	mustValid(t, out)
	if len(out[0]) != 1 || len(out[0][0]) != 2 || len(out[2][0]) != 2 {
		t.Fatalf("tol 0.01: want both squares with their hole, got %v", out)
	}
	if h, i := vertices(mp(out[0][0][1])), vertices(out[1]); !reflect.DeepEqual(h, i) || len(h) != 6 {
		t.Errorf("tol 0.01: hole %v and island %v differ", h, i)
	}

	// The bump at the top goes; the one at the bottom is the ring's fixed
	// point (its lowest vertex), which stays like a junction.
	out = topo.Simplify(0.2)
	mustValid(t, out)
	if h, i := vertices(mp(out[0][0][1])), vertices(out[1]); !reflect.DeepEqual(h, i) || !reflect.DeepEqual(i, pts(3, 3, 3, 7, 5, 2.9, 7, 3, 7, 7)) {
		t.Errorf("tol 0.2: hole %v and island %v, want both the square with its fixed point", h, i)
	}

	// No vertex of the island is more than 4.6 from the fixed point, and
	// none of the 6 × 6 hole more than 5 from its diagonal: both collapse,
	// the 10 × 10 squares stay.
	out = topo.Simplify(5)
	mustValid(t, out)
	if out[1] == nil || len(out[1]) != 0 {
		t.Errorf("tol 5: island %v, want an empty MultiPolygon", out[1])
	}
	for _, i := range []int{0, 2} {
		if len(out[i]) != 1 || len(out[i][0]) != 1 || len(out[i][0][0]) != 5 {
			t.Errorf("tol 5: square %d is %v, want it without its hole", i, out[i])
		}
	}
}

// TestTJunction: a square whose right edge runs along two rectangles has
// no vertex where they meet (a T-junction). Build inserts it, so the
// square and both rectangles share it; without snapping it would be
// missing and a sliver could open there.
func TestTJunction(t *testing.T) {
	for _, off := range []float64{0, 1e-9} {
		x := 10 + off // the T vertex exactly on the square's edge, or just off it
		square := mp(rect(0, 0, 10, 10))
		lower := mp(ring(10, 0, 20, 0, 20, 5, x, 5))
		upper := mp(ring(x, 5, 20, 5, 20, 10, 10, 10))
		topo := build(t, square, lower, upper)
		if st := topo.Stats(); st.TJunctions != 1 {
			t.Fatalf("offset %g: stats %+v, want 1 T-junction", off, st)
		}
		out := topo.Simplify(0.5)
		mustValid(t, out)
		checkCoverage(t, out)
		for i, m := range out {
			if !slices.Contains(vertices(m), orb.Point{x, 5}) {
				t.Errorf("offset %g: polygon %d lacks the T vertex: %v", off, i, vertices(m))
			}
		}

		// Without snapping the square keeps its plain edge.
		raw, err := BuildEpsilon([]orb.MultiPolygon{square, lower, upper}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if st := raw.Stats(); st.TJunctions != 0 || slices.Contains(vertices(raw.Simplify(0.5)[0]), orb.Point{x, 5}) {
			t.Errorf("offset %g: snapping off still inserted the T vertex (%+v)", off, st)
		}
	}
}

// TestSnapVertices: corners a nanometre apart are merged into the first.
func TestSnapVertices(t *testing.T) {
	topo := build(t, mp(rect(0, 0, 10, 10)), mp(ring(10+1e-9, 0, 20, 0, 20, 10, 10, 10+1e-9)))
	if st := topo.Stats(); st.Snapped != 2 || st.SharedArcs != 1 {
		t.Fatalf("stats %+v: want 2 snapped vertices and 1 shared arc", st)
	}
	out := topo.Simplify(0.1)
	if got, want := vertices(out[1]), pts(10, 0, 10, 10, 20, 0, 20, 10); !reflect.DeepEqual(got, want) {
		t.Errorf("right square %v, want %v", got, want)
	}
}

// TestIslandCollapses: a polygon with no neighbour, an octagon of radius
// 1, keeps its shape at a small tolerance and is dropped at a coarse one;
// a large square beside it is untouched.
func TestIslandCollapses(t *testing.T) {
	var oct []float64
	for k := range 8 {
		a := float64(k) * math.Pi / 4
		oct = append(oct, 100+math.Cos(a), 100+math.Sin(a))
	}
	topo := build(t, mp(rect(0, 0, 50, 50)), mp(ring(oct...)))
	out := topo.Simplify(0.05)
	mustValid(t, out)
	if n := len(vertices(out[1])); n != 8 {
		t.Errorf("tol 0.05: octagon has %d vertices, want 8", n)
	}
	out = topo.Simplify(2.5)
	if out[1] == nil || len(out[1]) != 0 {
		t.Errorf("tol 2.5: octagon %v, want an empty MultiPolygon", out[1])
	}
	if got := planar.Area(out[0]); got != 2500 {
		t.Errorf("tol 2.5: square's area %g, want 2500", got)
	}
}

// TestCrossingFallback: plain Douglas–Peucker at tolerance 1.7 cuts the
// corner of the border between P (above) and Q (below) straight through
// R, an island in a hole of Q. Simplify finds the crossing and simplifies
// that border with half the tolerance, which keeps the corner.
func TestCrossingFallback(t *testing.T) {
	border := orb.LineString{{0, 0}, {4, -0.5}, {5, -3}, {10, 0}}
	corner := orb.Point{4, -0.5}
	island := ring(2, -0.9, 0.5, -5, 3.5, -5)
	plain := simplify.DouglasPeucker(1.7).Simplify(border.Clone()).(orb.LineString)
	if len(plain) != 3 || !properCross(plain[0], plain[1], island[0], island[1]) {
		t.Fatalf("precondition: plain Douglas–Peucker gives %v, which should cross the island", plain)
	}
	p := mp(ring(0, 0, 4, -0.5, 5, -3, 10, 0, 10, 5, 0, 5))
	hole := orb.Ring{island[0], island[2], island[1], island[0]}
	q := mp(ring(0, 0, 0, -8, 10, -8, 10, 0, 5, -3, 4, -0.5), hole)
	topo := build(t, p, q, mp(island))

	out, rep := topo.SimplifyReport(1.7)
	mustValid(t, out)
	checkCoverage(t, out)
	for i := range 2 {
		if !slices.Contains(vertices(out[i]), corner) {
			t.Errorf("polygon %d lost the corner %v: %v", i, corner, vertices(out[i]))
		}
	}
	if got := vertices(out[2]); !reflect.DeepEqual(got, vertices(mp(island))) {
		t.Errorf("island %v, want it unchanged", got)
	}
	if rep.Refined != 1 || rep.Full != 0 {
		t.Errorf("report %+v: want exactly the border refined, once", rep)
	}
}

// TestRemoveSpikes: spikes and repeats go, also where the cyclic list
// wraps around, and the result starts where the list did.
func TestRemoveSpikes(t *testing.T) {
	for _, c := range []struct{ in, want []int32 }{
		{[]int32{1, 2, 3, 4}, []int32{1, 2, 3, 4}},
		{[]int32{1, 2, 1, 3, 4}, []int32{1, 3, 4}},
		{[]int32{1, 2, 2, 3, 1}, []int32{1, 2, 3}},
		{[]int32{1, 2, 3, 2}, []int32{1, 2}},
		{[]int32{5, 1, 2, 3, 1}, []int32{1, 2, 3}}, // spike at the first vertex
		{[]int32{1, 2, 3, 4, 5, 1}, []int32{1, 2, 3, 4, 5}},
		{[]int32{1, 2, 3, 4, 9, 4}, []int32{1, 2, 3, 4}}, // spike at the last vertex
		{[]int32{7, 1, 2, 3, 1, 8, 1}, []int32{1, 2, 3}},
	} {
		in := slices.Clone(c.in)
		got := removeSpikes(in)
		if !slices.Equal(got, c.want) || len(got) > 0 && &got[0] != &in[0] {
			t.Errorf("removeSpikes(%v) = %v, want %v as a prefix of the input", c.in, got, c.want)
		}
	}
}

// TestBuildErrors: coordinates that are not numbers and rings without
// area are refused with their place.
func TestBuildErrors(t *testing.T) {
	for _, c := range []struct {
		polys []orb.MultiPolygon
		want  string
	}{
		{[]orb.MultiPolygon{mp(rect(0, 0, 1, 1)), mp(ring(0, 0, math.NaN(), 1, 1, 1))}, "polygon 1, part 0, ring 0: non-finite coordinate"},
		{[]orb.MultiPolygon{mp(rect(0, 0, 1, 1), ring(0.2, 0.2, 0.5, 0.5, 0.2, 0.2))}, "polygon 0, part 0, ring 1: 2 distinct points"},
	} {
		_, err := Build(c.polys)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
	topo, err := Build(nil)
	if err != nil || len(topo.Simplify(1)) != 0 {
		t.Errorf("no polygons: %v, want an empty topology", err)
	}
}

// TestUnsimplified: tolerance 0 gives the input back (closed rings, same
// orientation, repeated points removed).
func TestUnsimplified(t *testing.T) {
	in := mp(ring(0, 0, 10, 0, 10, 0, 10, 10, 0, 10))
	out := build(t, in).Simplify(0)
	if want := (orb.MultiPolygon{{ring(0, 0, 10, 0, 10, 10, 0, 10)}}); !reflect.DeepEqual(out[0], want) {
		t.Errorf("got %v, want %v", out[0], want)
	}
}

// TestBlocks: the synthetic city's 100,000 blocks, at the coarsest and the
// finest zoom: every block keeps its corners (all are junctions), blocks
// stay valid and gap-free. (Simplify leaves sub-pixel blocks in place: at
// zoom 8 a block is a fraction of a pixel, and dropping them is a choice
// for the tile engine.)
func TestBlocks(t *testing.T) {
	polys := blocks(t)
	topo := build(t, polys...)
	if st := topo.Stats(); st.Polygons != 100000 || st.TJunctions != 0 {
		t.Fatalf("stats %+v", st)
	}
	for _, z := range []int{8, 14} {
		out, rep := topo.SimplifyReport(tiles.Tolerance(z))
		if rep.Invalid != 0 {
			t.Errorf("z%d: report %+v", z, rep)
		}
		for i, m := range out {
			if len(m) == 0 {
				t.Fatalf("z%d: block %d vanished", z, i)
			}
		}
		mustValid(t, out[:2000])
		checkCoverage(t, out)
	}
}
