package geomcheck

import (
	"math"
	"math/big"

	"github.com/paulmach/orb"
)

// Robustness.
//
// Every topological decision (which side of a line a point lies on, whether
// it lies on a segment, whether two segments cross) goes through orient, which
// returns the exact sign of the orientation determinant for any finite
// float64 input. It evaluates the determinant in float64 and trusts the sign
// when its magnitude exceeds a forward error bound (Shewchuk's bound for this
// formula); only near-degenerate triples, where the float64 result could have
// the wrong sign, are evaluated again exactly with math/big.
//
// Exact signs rather than a relative tolerance, because a tolerance makes
// decisions inconsistent with one another (a point "on" a segment by
// tolerance need not be "on" its neighbour) and reports distinct vertices a
// few nanodegrees apart as touching, which PostGIS, deciding with exact or
// double-double arithmetic, does not. The exact path is rare and costs a few
// microseconds.

// orientBound is the relative error bound of the float64 determinant in
// orient: (3 + 16ε)ε with ε = 2⁻⁵³ (Shewchuk, "Adaptive Precision
// Floating-Point Arithmetic and Fast Robust Geometric Predicates", 1997).
const orientBound = (3 + 16*0x1p-53) * 0x1p-53

// Orient returns +1 if c lies to the left of the directed line a→b
// (a, b, c counter-clockwise), -1 if to the right, and 0 if the three points
// are collinear, exactly for any finite input (see Robustness above).
// Other packages that make topological decisions (pkg/topo) use it.
func Orient(a, b, c orb.Point) int { return orient(a, b, c) }

func orient(a, b, c orb.Point) int {
	if c == a || c == b {
		return 0 // segments sharing an end: common, and the filter cannot prove it
	}
	l := (b[0] - a[0]) * (c[1] - a[1])
	r := (b[1] - a[1]) * (c[0] - a[0])
	det := l - r
	bound := orientBound * (math.Abs(l) + math.Abs(r))
	// The bound does not cover underflow or overflow: tiny or
	// non-finite magnitudes take the exact path, too.
	if bound > 0x1p-900 && bound < math.MaxFloat64 {
		switch {
		case det > bound:
			return 1
		case -det > bound:
			return -1
		}
	} else if l == 0 && r == 0 && (a[0] == b[0] || a[1] == c[1]) && (a[1] == b[1] || a[0] == c[0]) {
		return 0 // both products are exactly zero: a common case on axis-parallel edges
	}
	return orientExact(a, b, c)
}

// orientExact is orient in exact rational arithmetic.
func orientExact(a, b, c orb.Point) int {
	r := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	ax, ay := r(a[0]), r(a[1])
	bx := r(b[0])
	bx.Sub(bx, ax)
	by := r(b[1])
	by.Sub(by, ay)
	cx := r(c[0])
	cx.Sub(cx, ax)
	cy := r(c[1])
	cy.Sub(cy, ay)
	bx.Mul(bx, cy)
	by.Mul(by, cx)
	return bx.Cmp(by)
}

// sameDirection reports whether d lies on the ray from v through a (v, a and
// d distinct from v).
func sameDirection(v, a, d orb.Point) bool {
	if orient(v, a, d) != 0 {
		return false
	}
	if a[0] != v[0] {
		return (a[0] > v[0]) == (d[0] > v[0])
	}
	return (a[1] > v[1]) == (d[1] > v[1])
}

// inSector reports whether the direction from v towards d lies strictly inside
// the counter-clockwise sweep from direction v→a to direction v→b. The
// directions v→a and v→b must differ.
func inSector(v, a, b, d orb.Point) bool {
	ad, db := orient(v, a, d), orient(v, d, b)
	switch orient(v, a, b) {
	case 1: // convex sector
		return ad > 0 && db > 0
	case -1: // reflex sector: everything but the closed convex one from b to a
		return ad > 0 || db > 0
	default: // a and b opposite: a half-plane
		return ad > 0
	}
}

// onSegment reports whether p lies on the closed segment a–b.
func onSegment(a, b, p orb.Point) bool {
	return between(a[0], b[0], p[0]) && between(a[1], b[1], p[1]) && orient(a, b, p) == 0
}

func between(a, b, x float64) bool {
	return min(a, b) <= x && x <= max(a, b)
}

// meeting says how two segments meet.
type meeting int

const (
	apart   meeting = iota
	touch           // in one point that is an endpoint of at least one of them
	cross           // in one point interior to both
	overlap         // along a piece of positive length
)

// intersect says how the segments p1–p2 and q1–q2 (each of positive length)
// meet, and where: the crossing point (rounded), the touching endpoint, or an
// endpoint of the common piece.
func intersect(p1, p2, q1, q2 orb.Point) (meeting, orb.Point) {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	if o1 != 0 && o1 == o2 {
		return apart, orb.Point{}
	}
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if o3 != 0 && o3 == o4 {
		return apart, orb.Point{}
	}
	switch {
	case o1 == 0 && o2 == 0:
		return collinear(p1, p2, q1, q2)
	case o1 == 0:
		return touch, q1
	case o2 == 0:
		return touch, q2
	case o3 == 0:
		return touch, p1
	case o4 == 0:
		return touch, p2
	}
	return cross, crossingPoint(p1, p2, q1, q2)
}

// collinear handles intersect for segments on one line.
func collinear(p1, p2, q1, q2 orb.Point) (meeting, orb.Point) {
	axis := 0
	if p1[0] == p2[0] {
		axis = 1
	}
	lo, hi := p1, p2
	if lo[axis] > hi[axis] {
		lo, hi = hi, lo
	}
	qlo, qhi := q1, q2
	if qlo[axis] > qhi[axis] {
		qlo, qhi = qhi, qlo
	}
	if qlo[axis] > lo[axis] {
		lo = qlo
	}
	if qhi[axis] < hi[axis] {
		hi = qhi
	}
	switch {
	case lo[axis] > hi[axis]:
		return apart, orb.Point{}
	case lo[axis] == hi[axis]:
		return touch, lo
	}
	return overlap, lo
}

// crossingPoint approximates where two properly crossing segments cross; it is
// used only to say where in a message.
func crossingPoint(p1, p2, q1, q2 orb.Point) orb.Point {
	dx, dy := p2[0]-p1[0], p2[1]-p1[1]
	ex, ey := q2[0]-q1[0], q2[1]-q1[1]
	t := ((q1[0]-p1[0])*ey - (q1[1]-p1[1])*ex) / (dx*ey - dy*ex)
	t = min(max(t, 0), 1)
	return orb.Point{p1[0] + t*dx, p1[1] + t*dy}
}

// location is where a point lies relative to a ring.
type location int

const (
	outside location = iota
	inside
	onBoundary
)

// locate says where p lies relative to the closed simple ring r, counting
// crossings of a ray from p towards +x (half-open rule at vertices).
func locate(p orb.Point, r orb.Ring) location {
	in := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if a == p {
			return onBoundary
		}
		if a[1] == p[1] && b[1] == p[1] {
			if between(a[0], b[0], p[0]) {
				return onBoundary
			}
			continue
		}
		if (a[1] > p[1]) == (b[1] > p[1]) {
			continue
		}
		switch o := orient(a, b, p); {
		case o == 0:
			return onBoundary
		case (o > 0) == (b[1] > a[1]):
			in = !in
		}
	}
	if in {
		return inside
	}
	return outside
}
