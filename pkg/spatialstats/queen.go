package spatialstats

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// QueenTolerance is the distance, in coordinate units (degrees for WGS84
// lon/lat, about 0.1 mm on the ground), within which Queen takes a vertex
// to lie on another unit's boundary. It absorbs floating-point noise in
// vertices that sit on a neighbour's edge (T-junctions) without linking
// units that are merely close: real gaps between units are far wider.
const QueenTolerance = 1e-9

// Queen derives binary queen contiguity from the unit geometries: units i
// and j are neighbours when their boundaries (outer rings and holes) share
// at least one point: a common vertex, a vertex on the other's edge
// (within QueenTolerance), or a crossing of edges. Shared edges and
// single shared corners both count.
//
// The geometries are meant to form a partition (units tile the area without
// overlaps, as official small-area units do). A unit lying strictly inside
// another without touching its boundary is not its neighbour. Empty
// geometries become islands.
//
// An R-tree on the units' bounding boxes (grown by the tolerance) proposes
// candidate pairs; for each, only the segments reaching into the overlap
// of the two boxes are compared, by a sweep along x, so the work grows
// with the length of shared boundaries, not with the square of the number
// of vertices.
func Queen(geoms []orb.MultiPolygon) Weights {
	units := make([]unitBoundary, len(geoms))
	var tr rtree.RTreeG[int]
	for u, mp := range geoms {
		units[u] = boundaryOf(mp)
		if len(units[u].segs) > 0 {
			tr.Insert(units[u].lo, units[u].hi, u)
		}
	}
	nbrs := make([][]int, len(geoms))
	var sw sweeper
	for u := range units {
		a := &units[u]
		if len(a.segs) == 0 {
			continue
		}
		tr.Search(a.lo, a.hi, func(_, _ [2]float64, v int) bool {
			// the test is symmetric: look at each pair from its lower unit
			if v > u && sw.touch(a, &units[v]) {
				nbrs[u] = append(nbrs[u], v)
				nbrs[v] = append(nbrs[v], u)
			}
			return true
		})
	}
	return binary(nbrs)
}

// segment is one boundary edge with its bounding box grown by the
// tolerance.
type segment struct {
	p, q   orb.Point
	lo, hi [2]float64
}

// unitBoundary holds all boundary segments of one unit and their box.
type unitBoundary struct {
	segs   []segment
	lo, hi [2]float64
}

func boundaryOf(mp orb.MultiPolygon) unitBoundary {
	var b unitBoundary
	add := func(p, q orb.Point) {
		s := segment{p: p, q: q,
			lo: [2]float64{min(p[0], q[0]) - QueenTolerance, min(p[1], q[1]) - QueenTolerance},
			hi: [2]float64{max(p[0], q[0]) + QueenTolerance, max(p[1], q[1]) + QueenTolerance},
		}
		if len(b.segs) == 0 {
			b.lo, b.hi = s.lo, s.hi
		}
		b.lo = [2]float64{min(b.lo[0], s.lo[0]), min(b.lo[1], s.lo[1])}
		b.hi = [2]float64{max(b.hi[0], s.hi[0]), max(b.hi[1], s.hi[1])}
		b.segs = append(b.segs, s)
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for k := 0; k+1 < len(ring); k++ {
				add(ring[k], ring[k+1])
			}
			switch {
			case len(ring) == 1:
				add(ring[0], ring[0])
			case len(ring) > 2 && ring[0] != ring[len(ring)-1]:
				// tolerate rings that are not explicitly closed
				add(ring[len(ring)-1], ring[0])
			}
		}
	}
	return b
}

// sweeper compares the boundaries of two units; its buffers are reused
// from pair to pair.
type sweeper struct {
	events           []event
	activeA, activeB []*segment
}

type event struct {
	s    *segment
	side int // 0: first unit, 1: second
}

// touch reports whether any segment of a touches any segment of b. Only
// segments reaching into the overlap of the two boxes can; they are sorted
// by their left edge and swept, each compared with the other unit's
// segments whose x-range it overlaps.
func (sw *sweeper) touch(a, b *unitBoundary) bool {
	lo := [2]float64{max(a.lo[0], b.lo[0]), max(a.lo[1], b.lo[1])}
	hi := [2]float64{min(a.hi[0], b.hi[0]), min(a.hi[1], b.hi[1])}
	if lo[0] > hi[0] || lo[1] > hi[1] {
		return false
	}
	sw.events = sw.events[:0]
	for side, u := range [2]*unitBoundary{a, b} {
		for k := range u.segs {
			s := &u.segs[k]
			if s.lo[0] <= hi[0] && s.hi[0] >= lo[0] && s.lo[1] <= hi[1] && s.hi[1] >= lo[1] {
				sw.events = append(sw.events, event{s, side})
			}
		}
	}
	slices.SortFunc(sw.events, func(x, y event) int { return cmp.Compare(x.s.lo[0], y.s.lo[0]) })
	sw.activeA, sw.activeB = sw.activeA[:0], sw.activeB[:0]
	for _, e := range sw.events {
		own, other := &sw.activeA, &sw.activeB
		if e.side == 1 {
			own, other = other, own
		}
		// drop segments of the other unit that end left of this one; the
		// rest overlap it in x
		kept := (*other)[:0]
		for _, o := range *other {
			if o.hi[0] < e.s.lo[0] {
				continue
			}
			kept = append(kept, o)
			if o.lo[1] <= e.s.hi[1] && o.hi[1] >= e.s.lo[1] &&
				segmentsTouch(e.s.p, e.s.q, o.p, o.q, QueenTolerance) {
				return true
			}
		}
		*other = kept
		*own = append(*own, e.s)
	}
	return false
}

// segmentsTouch reports whether segments pq and rs share a point: they
// cross, or an endpoint of one lies within tol of the other.
func segmentsTouch(p, q, r, s orb.Point, tol float64) bool {
	d1 := orient(r, s, p)
	d2 := orient(r, s, q)
	d3 := orient(p, q, r)
	d4 := orient(p, q, s)
	if ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)) {
		return true // proper crossing
	}
	t2 := tol * tol
	return distSqPointSegment(p, r, s) <= t2 || distSqPointSegment(q, r, s) <= t2 ||
		distSqPointSegment(r, p, q) <= t2 || distSqPointSegment(s, p, q) <= t2
}

// orient is twice the signed area of triangle abc: > 0 when c lies left of
// the line from a to b.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// distSqPointSegment is the squared distance from p to segment ab.
func distSqPointSegment(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	px, py := p[0]-a[0], p[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 > 0 {
		t := (px*dx + py*dy) / l2
		switch {
		case t >= 1:
			px, py = p[0]-b[0], p[1]-b[1]
		case t > 0:
			px, py = px-t*dx, py-t*dy
		}
	}
	return px*px + py*py
}
