package geo

import (
	"math"
	"math/big"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// Locator assigns points to the units (areas) that contain them. It is built
// once from the units' geometries and is then safe for concurrent use.
//
// Border rule: a point on the boundary of a unit belongs to the unit that
// lies immediately east of it; on an east-west (horizontal) boundary, to the
// unit immediately north of it. Formally, p belongs to the unit that
// contains p + (ε, δ) for infinitely small 0 < δ ≪ ε. So a unit contains the
// points of its western and southern boundary and not those of its eastern
// and northern one, and a point on an edge or a vertex shared by several
// units of a gap-free partition belongs to exactly one of them (on the
// partition's outer boundary, to one or to none). This is the half-open
// crossing-number rule: a ray is cast from p towards east, and an edge
// counts when one end has y ≤ p.y and the other y > p.y and the edge passes
// strictly east of p. "Strictly east" is decided exactly (an orientation
// test with a floating-point filter and an exact rational fallback, as in
// Shewchuk's robust predicates), so points exactly on an edge are
// recognised as such, shared edges are judged identically for both units,
// and points off the boundary are located as PostGIS ST_Contains
// locates them, however close to an edge they are.
//
// Points outside every unit get -1. Where units overlap, the containing unit
// with the lowest index wins.
type Locator struct {
	tree  rtree.RTreeG[int32] // bounding boxes of parts, value: index in parts
	parts []part
}

// part is one polygon (exterior ring and holes) of a unit.
type part struct {
	unit  int32
	minY  float64
	invH  float64 // buckets per degree of latitude
	edges []edge  // grouped by bucket if start != nil
	start []int32 // bucket b holds edges[start[b]:start[b+1]]
}

// edge is a non-horizontal edge from (x0, y0) up to (x1, y1), y0 < y1.
type edge struct {
	x0, y0, x1, y1 float64
}

// bucketMin is the number of edges from which a part's edges are bucketed
// by latitude; smaller parts (a city block has 4 to 20 edges) are scanned
// whole, which is faster than any lookup.
const bucketMin = 24

// NewLocator builds a Locator for units; Locate returns indices into units.
// Rings need not be closed and may have any orientation; holes and
// multipolygons are handled by the crossing-number (even-odd) rule over all
// rings of a polygon. Empty polygons and polygons with non-finite
// coordinates are never found.
func NewLocator(units []orb.MultiPolygon) *Locator {
	l := &Locator{}
	for u, mp := range units {
		for _, poly := range mp {
			pt, b, ok := newPart(int32(u), poly)
			if !ok {
				continue
			}
			l.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, int32(len(l.parts)))
			l.parts = append(l.parts, pt)
		}
	}
	return l
}

func newPart(unit int32, poly orb.Polygon) (part, orb.Bound, bool) {
	var edges []edge
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, ring := range poly {
		n := len(ring)
		for i := 0; i < n; i++ {
			b = b.Extend(ring[i])
			a, c := ring[i], ring[(i+1)%n]
			if a[1] == c[1] {
				continue // horizontal edges never cross the ray
			}
			if a[1] > c[1] {
				a, c = c, a
			}
			edges = append(edges, edge{x0: a[0], y0: a[1], x1: c[0], y1: c[1]})
		}
	}
	if sum := b.Min[0] + b.Min[1] + b.Max[0] + b.Max[1]; len(edges) == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		return part{}, b, false
	}
	pt := part{unit: unit, minY: b.Min[1], edges: edges}
	if len(edges) >= bucketMin && b.Max[1] > b.Min[1] {
		pt.bucket(b.Max[1] - b.Min[1])
	}
	return pt, b, true
}

// bucket groups the edges into horizontal bands of equal height, an edge
// into every band its y-range touches, so that a point only tests the
// edges of its own band. About four edges per band keeps the copies few
// (most edges of a detailed boundary are short) and a band's list short.
func (pt *part) bucket(height float64) {
	nb := len(pt.edges)/4 + 1
	for {
		pt.invH = float64(nb) / height
		total := 0
		for _, e := range pt.edges {
			total += pt.band(e.y1, nb) - pt.band(e.y0, nb) + 1
		}
		// Long edges spanning many bands (rare in real boundaries) would
		// multiply the copies: use fewer, taller bands then.
		if total <= 8*len(pt.edges) || nb == 1 {
			pt.fill(nb, total)
			return
		}
		nb /= 2
	}
}

func (pt *part) fill(nb, total int) {
	start := make([]int32, nb+1)
	for _, e := range pt.edges {
		for b := pt.band(e.y0, nb); b <= pt.band(e.y1, nb); b++ {
			start[b+1]++
		}
	}
	for b := 1; b <= nb; b++ {
		start[b] += start[b-1]
	}
	out := make([]edge, total)
	next := append([]int32(nil), start[:nb]...)
	for _, e := range pt.edges {
		for b := pt.band(e.y0, nb); b <= pt.band(e.y1, nb); b++ {
			out[next[b]] = e
			next[b]++
		}
	}
	pt.edges, pt.start = out, start
}

// band is the band of latitude y. It is monotonic in y, so an edge whose
// y-range contains y is in band(y) when it is in the bands from band(y0)
// to band(y1).
func (pt *part) band(y float64, nb int) int {
	b := int((y - pt.minY) * pt.invH)
	return max(0, min(b, nb-1))
}

// contains applies the half-open crossing-number rule to p.
func (pt *part) contains(x, y float64) bool {
	es := pt.edges
	if pt.start != nil {
		b := pt.band(y, len(pt.start)-1)
		es = es[pt.start[b]:pt.start[b+1]]
	}
	in := false
	for i := range es {
		e := &es[i]
		if y < e.y0 || y >= e.y1 {
			continue
		}
		if x < e.x0 && x < e.x1 { // the edge lies wholly east of p
			in = !in
		} else if (x < e.x0 || x < e.x1) && orient(e.x0, e.y0, e.x1, e.y1, x, y) > 0 {
			in = !in // p is strictly left of (west of) the upward edge
		}
	}
	return in
}

// ccwErrBound bounds the rounding error of orient's floating-point
// determinant relative to |detleft|+|detright| (Shewchuk, "Adaptive
// Precision Floating-Point Arithmetic and Fast Robust Geometric
// Predicates", 1997: ccwerrboundA = (3 + 16ε)ε with ε = 2⁻⁵³).
const ccwErrBound = (3 + 16*0x1p-53) * 0x1p-53

// orient returns a value whose sign is that of the orientation of the
// triangle a, b, c: positive if counter-clockwise (c left of a→b), negative
// if clockwise, 0 if collinear. The sign is exact.
func orient(ax, ay, bx, by, cx, cy float64) float64 {
	detLeft := (ax - cx) * (by - cy)
	detRight := (ay - cy) * (bx - cx)
	det := detLeft - detRight
	var detSum float64
	switch {
	case detLeft > 0:
		if detRight <= 0 {
			return det
		}
		detSum = detLeft + detRight
	case detLeft < 0:
		if detRight >= 0 {
			return det
		}
		detSum = -detLeft - detRight
	default:
		return det
	}
	if bound := ccwErrBound * detSum; det >= bound || -det >= bound {
		return det
	}
	return orientExact(ax, ay, bx, by, cx, cy)
}

// orientExact evaluates the orientation determinant in exact rational
// arithmetic. It is reached only for points within rounding distance of
// the line through a and b (on or next to an edge), so its allocations do
// not matter.
func orientExact(ax, ay, bx, by, cx, cy float64) float64 {
	r := func(v float64) *big.Rat { return new(big.Rat).SetFloat64(v) }
	dx1 := new(big.Rat).Sub(r(ax), r(cx))
	dy1 := new(big.Rat).Sub(r(by), r(cy))
	dy2 := new(big.Rat).Sub(r(ay), r(cy))
	dx2 := new(big.Rat).Sub(r(bx), r(cx))
	left := dx1.Mul(dx1, dy1)
	right := dy2.Mul(dy2, dx2)
	return float64(left.Cmp(right))
}

// Locate returns the index of the unit containing p under the border rule
// of Locator, or -1.
func (l *Locator) Locate(p orb.Point) int {
	best := int32(-1)
	x, y := p[0], p[1]
	l.tree.Search(p, p, func(_, _ [2]float64, i int32) bool {
		pt := &l.parts[i]
		if (best < 0 || pt.unit < best) && pt.contains(x, y) {
			best = pt.unit
		}
		return true
	})
	return int(best)
}

// LocateAll locates every point, in parallel on GOMAXPROCS goroutines;
// result i is Locate(points[i]).
func (l *Locator) LocateAll(points []orb.Point) []int {
	out := make([]int, len(points))
	const chunk = 2048
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), len(points)/chunk+1)
	for range workers {
		wg.Go(func() {
			for {
				s := int(next.Add(chunk)) - chunk
				if s >= len(points) {
					return
				}
				for i := s; i < min(s+chunk, len(points)); i++ {
					out[i] = l.Locate(points[i])
				}
			}
		})
	}
	wg.Wait()
	return out
}
