package topo

import (
	"math"
	"math/big"

	"github.com/paulmach/orb"
)

// Whether two simplified segments cross decides whether an arc must be
// simplified less, so the decision must be exact: a float64 determinant
// with the wrong sign would let a crossing through, or reject a collapse
// onto a shared segment. orient is Shewchuk's filtered predicate, as in
// pkg/geomcheck (whose helpers are not exported): float64 where the error
// bound proves the sign, exact rationals in the rare near-degenerate rest.

// orientBound is the relative error bound of the float64 determinant,
// (3 + 16ε)ε with ε = 2⁻⁵³.
const orientBound = (3 + 16*0x1p-53) * 0x1p-53

// orient returns +1 if c lies left of the directed line a→b, -1 if right,
// 0 if the three points are collinear.
func orient(a, b, c orb.Point) int {
	if c == a || c == b {
		return 0 // common (segments sharing an end), and the filter cannot prove it
	}
	l := (b[0] - a[0]) * (c[1] - a[1])
	r := (b[1] - a[1]) * (c[0] - a[0])
	det := l - r
	bound := orientBound * (math.Abs(l) + math.Abs(r))
	if bound > 0x1p-900 && bound < math.MaxFloat64 {
		switch {
		case det > bound:
			return 1
		case -det > bound:
			return -1
		}
	} else if l == 0 && r == 0 {
		return 0
	}
	return orientExact(a, b, c)
}

func orientExact(a, b, c orb.Point) int {
	r := func(f float64) *big.Rat { return new(big.Rat).SetFloat64(f) }
	bx, by := r(b[0]), r(b[1])
	cx, cy := r(c[0]), r(c[1])
	ax, ay := r(a[0]), r(a[1])
	bx.Sub(bx, ax)
	by.Sub(by, ay)
	cx.Sub(cx, ax)
	cy.Sub(cy, ay)
	bx.Mul(bx, cy)
	by.Mul(by, cx)
	return bx.Cmp(by)
}

// meeting says how two segments meet.
type meeting int

const (
	apart   meeting = iota
	touch           // in one point, an end point of at least one of them
	cross           // in one point inside both
	overlap         // along a piece of positive length
)

// intersect says how the segments p1–p2 and q1–q2 (each of positive
// length) meet.
func intersect(p1, p2, q1, q2 orb.Point) meeting {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	if o1 != 0 && o1 == o2 {
		return apart
	}
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if o3 != 0 && o3 == o4 {
		return apart
	}
	switch {
	case o1 == 0 && o2 == 0:
		return collinear(p1, p2, q1, q2)
	case o1 == 0 || o2 == 0 || o3 == 0 || o4 == 0:
		return touch
	}
	return cross
}

// collinear is intersect for segments on one line: compare their extents
// along an axis on which the line is not constant.
func collinear(p1, p2, q1, q2 orb.Point) meeting {
	axis := 0
	if p1[0] == p2[0] {
		axis = 1
	}
	lo := max(min(p1[axis], p2[axis]), min(q1[axis], q2[axis]))
	hi := min(max(p1[axis], p2[axis]), max(q1[axis], q2[axis]))
	switch {
	case lo > hi:
		return apart
	case lo == hi:
		return touch
	}
	return overlap
}

// collinearRing reports whether all the points lie on one line.
func collinearRing(pts []orb.Point) bool {
	for _, p := range pts[2:] {
		if orient(pts[0], pts[1], p) != 0 {
			return false
		}
	}
	return true
}

// signedArea returns twice the signed area of the polygon through pts (a
// cyclic list: the last point joins the first), positive if
// counter-clockwise. Coordinates are taken relative to the first point, so
// that large projected coordinates do not cancel the digits of small rings.
func signedArea(pts []orb.Point) float64 {
	o := pts[0]
	s := 0.0
	for i := 1; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		s += (a[0]-o[0])*(b[1]-o[1]) - (b[0]-o[0])*(a[1]-o[1])
	}
	return s
}
