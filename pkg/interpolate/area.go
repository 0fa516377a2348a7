package interpolate

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/tidwall/rtree"
)

// AreaWeights measures the overlap of every source unit with every target
// unit as the area of their intersection, in m² on the WGS84 ellipsoid.
// Units are lon/lat multipolygons that must be valid (as the importer
// stores them); an invalid one is reported with its set and index. Edges
// are straight lines in lon/lat, as in GeoJSON; units must not cross the
// antimeridian or enclose a pole.
//
// Method: candidate pairs are those whose bounding boxes meet, found with
// an R-tree of the targets. For a pair whose boundaries come nowhere near
// each other (no two edges with overlapping boxes, within 1e-9°), the
// intersection is found by point-in-polygon tests alone: it is the source
// when the source lies inside the target, and so on, ring by ring. Where
// one of the two is a convex polygon without holes (a grid square, as in
// tobler's and the census's grids), the other is clipped to it
// (Sutherland–Hodgman), which yields the area exactly and fast. Every
// other pair is intersected in the lon/lat plane, as PostGIS's
// ST_Intersection does, with the polygon overlay of
// github.com/peterstace/simplefeatures (pure Go, noding with snapping,
// robust on shared and collinear borders), each operand first cut down to
// the other's bounding box where the cut leaves a valid polygon; the exact
// ellipsoidal area of the result is taken (see ellipsoid.go for why not
// geo.Area). Pairs are worked on in parallel.
func AreaWeights(source, target []orb.MultiPolygon) (*Weights, error) {
	src, err := prepareAll("source", source)
	if err != nil {
		return nil, err
	}
	tgt, err := prepareAll("target", target)
	if err != nil {
		return nil, err
	}
	var tree rtree.RTreeG[int]
	for i, u := range tgt {
		if len(u.parts) > 0 {
			tree.Insert(u.bound.Min, u.bound.Max, i)
		}
	}

	pairs := make([][]Weight, len(src))
	errs := make([]error, len(src))
	parallel(len(src), func(s int) {
		u := &src[s]
		if len(u.parts) == 0 {
			return
		}
		var cand []int
		tree.Search(u.bound.Min, u.bound.Max, func(_, _ [2]float64, t int) bool {
			cand = append(cand, t)
			return true
		})
		slices.Sort(cand)
		for _, t := range cand {
			a, err := intersectionArea(u, &tgt[t])
			if err != nil {
				errs[s] = fmt.Errorf("area weights: source %d and target %d: %w", s, t, err)
				return
			}
			if a > 0 {
				pairs[s] = append(pairs[s], Weight{S: s, T: t, W: a})
			}
		}
	})

	w := &Weights{SourceTotal: make([]float64, len(src)), TargetTotal: make([]float64, len(tgt))}
	for s := range src {
		if errs[s] != nil {
			return nil, errs[s]
		}
		w.Pairs = append(w.Pairs, pairs[s]...)
		w.SourceTotal[s] = src[s].area
	}
	for t := range tgt {
		w.TargetTotal[t] = tgt[t].area
	}
	return w, nil
}

// unit is a source or target unit prepared for intersection.
type unit struct {
	bound orb.Bound
	parts []part
	area  float64 // m²
}

// part is one polygon of a unit.
type part struct {
	bound orb.Bound
	poly  sf.Polygon
	rings []ring
	// convex is +1 or -1 for a polygon without holes whose ring is convex
	// (counter-clockwise or clockwise), 0 otherwise.
	convex int
}

type ring struct {
	pts   orb.Ring // closed
	bound orb.Bound
	area  float64 // m², positive for the exterior ring, negative for holes
}

func prepareAll(set string, mps []orb.MultiPolygon) ([]unit, error) {
	units := make([]unit, len(mps))
	errs := make([]error, len(mps))
	parallel(len(mps), func(i int) {
		units[i], errs[i] = prepare(mps[i])
		if errs[i] != nil {
			errs[i] = fmt.Errorf("area weights: %s %d: %w", set, i, errs[i])
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return units, nil
}

// prepare checks a unit's geometry and converts it for the overlay.
func prepare(mp orb.MultiPolygon) (unit, error) {
	var u unit
	var polys []sf.Polygon
	for i, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		var p part
		var lines []sf.LineString
		for j, r := range poly {
			if len(r) > 0 && r[0] != r[len(r)-1] {
				r = append(slices.Clip(r), r[0])
			}
			if len(r) < 4 {
				return unit{}, fmt.Errorf("polygon %d, ring %d: %d points, want at least 3 distinct ones", i, j, len(r))
			}
			coords := make([]float64, 0, 2*len(r))
			for _, pt := range r {
				if !(pt[0] >= -180 && pt[0] <= 180 && pt[1] >= -90 && pt[1] <= 90) {
					return unit{}, fmt.Errorf("polygon %d, ring %d: (%v, %v) is not a longitude/latitude", i, j, pt[0], pt[1])
				}
				coords = append(coords, pt[0], pt[1])
			}
			lines = append(lines, sf.NewLineString(sf.NewSequence(coords, sf.DimXY)))
			a := math.Abs(ringArea(r))
			if j > 0 {
				a = -a
			}
			p.rings = append(p.rings, ring{pts: r, bound: r.Bound(), area: a})
			u.area += a
		}
		p.poly = sf.NewPolygon(lines)
		if err := p.poly.Validate(); err != nil {
			return unit{}, fmt.Errorf("polygon %d is not valid: %w", i, err)
		}
		p.bound = p.rings[0].bound
		if len(p.rings) == 1 {
			p.convex = convexity(p.rings[0].pts)
		}
		polys = append(polys, p.poly)
		if len(u.parts) == 0 {
			u.bound = p.bound
		} else {
			u.bound = u.bound.Union(p.bound)
		}
		u.parts = append(u.parts, p)
	}
	if len(polys) > 1 {
		if err := sf.NewMultiPolygon(polys).Validate(); err != nil {
			return unit{}, fmt.Errorf("multipolygon is not valid: %w", err)
		}
	}
	return u, nil
}

// intersectionArea returns the area of a ∩ b in m².
func intersectionArea(a, b *unit) (float64, error) {
	pa := overlapping(a.parts, b.bound)
	pb := overlapping(b.parts, a.bound)
	if len(pa) == 0 || len(pb) == 0 {
		return 0, nil
	}
	if !bordersMeet(pa, pb) {
		return nestedArea(pa, pb) + nestedArea(pb, pa), nil
	}
	if len(pb) == 1 && pb[0].convex != 0 {
		return clipArea(pa, pb[0]), nil
	}
	if len(pa) == 1 && pa[0].convex != 0 {
		return clipArea(pb, pa[0]), nil
	}
	return overlayArea(pa, pb)
}

// overlapping returns the parts whose bounding box meets b.
func overlapping(parts []part, b orb.Bound) []*part {
	var out []*part
	for i := range parts {
		if parts[i].bound.Intersects(b) {
			out = append(out, &parts[i])
		}
	}
	return out
}

// overlayArea intersects two sets of polygons with simplefeatures and
// returns the area of the result.
func overlayArea(pa, pb []*part) (area float64, err error) {
	// The overlay runs in AreaWeights's goroutines, where a panic on some
	// unforeseen input would end the program: report it as an error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("polygon overlay failed: %v", r)
		}
	}()
	ga, gb := multi(pa), multi(pb)
	// Cut each operand down to the other's bounding box first: the
	// overlay's cost grows with the vertices of both, and a large unit
	// (a district) has only a few of them near a small one.
	if g, ok := preclip(pa, boundOf(pb)); ok {
		ga = g
	}
	if g, ok := preclip(pb, boundOf(pa)); ok {
		gb = g
	}
	g, err := sf.Intersection(ga, gb)
	if err != nil {
		return 0, err
	}
	var mp orb.MultiPolygon
	collectPolygons(g, &mp)
	return multiPolygonArea(mp), nil
}

func multi(parts []*part) sf.Geometry {
	if len(parts) == 1 {
		return parts[0].poly.AsGeometry()
	}
	polys := make([]sf.Polygon, len(parts))
	for i, p := range parts {
		polys[i] = p.poly
	}
	return sf.NewMultiPolygon(polys).AsGeometry()
}

// collectPolygons appends the polygons of g to mp, dropping the points and
// lines where the operands only touch.
func collectPolygons(g sf.Geometry, mp *orb.MultiPolygon) {
	switch g.Type() {
	case sf.TypePolygon:
		*mp = append(*mp, toOrb(g.MustAsPolygon()))
	case sf.TypeMultiPolygon:
		m := g.MustAsMultiPolygon()
		for i := 0; i < m.NumPolygons(); i++ {
			*mp = append(*mp, toOrb(m.PolygonN(i)))
		}
	case sf.TypeGeometryCollection:
		c := g.MustAsGeometryCollection()
		for i := 0; i < c.NumGeometries(); i++ {
			collectPolygons(c.GeometryN(i), mp)
		}
	}
}

func toOrb(p sf.Polygon) orb.Polygon {
	out := make(orb.Polygon, 0, p.NumRings())
	for i := 0; i < p.NumRings(); i++ {
		ls := p.ExteriorRing()
		if i > 0 {
			ls = p.InteriorRingN(i - 1)
		}
		seq := ls.Coordinates()
		r := make(orb.Ring, seq.Length())
		for j := range r {
			xy := seq.GetXY(j)
			r[j] = orb.Point{xy.X, xy.Y}
		}
		out = append(out, r)
	}
	return out
}

// borderEps is the gap, in degrees (about 0.1 mm), below which two edges
// count as meeting and the pair goes to the overlay.
const borderEps = 1e-9

// box is the bounding box of an edge, with the side it belongs to.
type box struct {
	minX, maxX, minY, maxY float64
	b                      bool
}

// bordersMeet reports whether an edge of pa and an edge of pb have
// bounding boxes that overlap or come within borderEps. When they do not,
// the boundaries of the two are disjoint with a gap, and each ring lies
// wholly inside or wholly outside the other unit. The check is a sweep
// over the edges near the other unit's bounding box, sorted by minimum x.
func bordersMeet(pa, pb []*part) bool {
	ba, bb := boundOf(pb), boundOf(pa)
	var edges []box
	edges = appendEdges(edges, pa, ba, false)
	na := len(edges)
	edges = appendEdges(edges, pb, bb, true)
	if na == 0 || na == len(edges) {
		return false
	}
	slices.SortFunc(edges, func(x, y box) int {
		switch {
		case x.minX < y.minX:
			return -1
		case x.minX > y.minX:
			return 1
		}
		return 0
	})
	var active [2][]box
	for _, e := range edges {
		other := 0
		if !e.b {
			other = 1
		}
		// Drop the other side's edges that end left of e; those left
		// cover e's minimum x.
		kept := active[other][:0]
		for _, o := range active[other] {
			if o.maxX+borderEps >= e.minX {
				kept = append(kept, o)
			}
		}
		active[other] = kept
		for _, o := range kept {
			if o.minY-borderEps <= e.maxY && e.minY-borderEps <= o.maxY {
				return true
			}
		}
		self := 1 - other
		active[self] = append(active[self], e)
	}
	return false
}

func boundOf(parts []*part) orb.Bound {
	b := parts[0].bound
	for _, p := range parts[1:] {
		b = b.Union(p.bound)
	}
	return b
}

// appendEdges appends the boxes of the edges of parts that come within
// borderEps of near.
func appendEdges(dst []box, parts []*part, near orb.Bound, side bool) []box {
	near = near.Pad(borderEps)
	for _, p := range parts {
		for _, r := range p.rings {
			if !r.bound.Intersects(near) {
				continue
			}
			for i := 1; i < len(r.pts); i++ {
				p0, p1 := r.pts[i-1], r.pts[i]
				e := box{math.Min(p0[0], p1[0]), math.Max(p0[0], p1[0]), math.Min(p0[1], p1[1]), math.Max(p0[1], p1[1]), side}
				if e.maxX >= near.Min[0] && e.minX <= near.Max[0] && e.maxY >= near.Min[1] && e.minY <= near.Max[1] {
					dst = append(dst, e)
				}
			}
		}
	}
	return dst
}

// nestedArea is, for borders that do not meet, the part of area(a ∩ b)
// bounded by a's rings: the signed areas (exterior +, hole −) of the rings
// of a that lie inside b. By Green's theorem the boundary of a ∩ b is made
// of exactly those rings and the rings of b inside a, in their own
// orientation, so nestedArea(a, b) + nestedArea(b, a) is the area of a ∩ b.
func nestedArea(a, b []*part) float64 {
	bb := boundOf(b)
	sum := 0.0
	for _, p := range a {
		for _, r := range p.rings {
			if r.bound.Intersects(bb) && inside(b, r.pts[0]) {
				sum += r.area
			}
		}
	}
	return sum
}

// inside reports whether pt lies inside the polygons, by the even-odd
// rule over all their rings (the parts of a valid multipolygon do not
// overlap). pt must not lie on a boundary.
func inside(parts []*part, pt orb.Point) bool {
	in := false
	for _, p := range parts {
		for _, r := range p.rings {
			if !r.bound.Contains(pt) {
				continue
			}
			for i := 1; i < len(r.pts); i++ {
				a, b := r.pts[i-1], r.pts[i]
				if (a[1] > pt[1]) != (b[1] > pt[1]) &&
					pt[0] < a[0]+(pt[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
					in = !in
				}
			}
		}
	}
	return in
}

// parallel calls f(0) … f(n-1) on GOMAXPROCS goroutines.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}
