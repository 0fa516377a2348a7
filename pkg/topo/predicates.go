package topo

import (
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
)

// Whether two simplified segments cross decides whether an arc must be
// simplified less, so the decision must be exact: a float64 determinant
// with the wrong sign would let a crossing through, or reject a collapse
// onto a shared segment. orient is geomcheck's exact predicate.
func orient(a, b, c orb.Point) int { return geomcheck.Orient(a, b, c) }

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
