package geomcheck

import (
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// ring checks ring r of polygon p on its own and returns a repaired copy:
// closed, without repeated consecutive points, counter-clockwise if it is
// the exterior ring (r == 0) and clockwise if it is a hole (RFC 7946 §3.1.6).
// Each repair is appended to repairs.
func (c *checker) ring(p, r int, in orb.Ring, repairs *[]Repair) (orb.Ring, error) {
	out := make(orb.Ring, 0, len(in)+1)
	repeated := 0
	for _, pt := range in {
		if !finite(pt[0]) || !finite(pt[1]) {
			return nil, errAt(p, r, pt, "non-finite coordinate")
		}
		if len(out) > 0 && pt == out[len(out)-1] {
			repeated++
			continue
		}
		out = append(out, pt)
	}
	switch {
	case repeated == 1:
		*repairs = append(*repairs, Repair{Polygon: p, Ring: r, What: "removed 1 repeated point"})
	case repeated > 1:
		*repairs = append(*repairs, Repair{Polygon: p, Ring: r, What: fmt.Sprintf("removed %d repeated points", repeated)})
	}
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
		*repairs = append(*repairs, Repair{Polygon: p, Ring: r, What: "closed the ring"})
	}

	if len(out) < 4 {
		distinct := len(out)
		if distinct > 1 {
			distinct-- // the closing point
		}
		err := &Error{Polygon: p, Ring: r, Reason: fmt.Sprintf("too few points: %d distinct, a ring needs at least 3", distinct)}
		if len(out) > 0 {
			err.At, err.HasPoint = out[0], true
		}
		return nil, err
	}
	if collinearRing(out) {
		return nil, errAt(p, r, out[0], "zero area: all points are collinear")
	}
	if err := c.simple(p, r, out); err != nil {
		return nil, err
	}
	if ccw := counterClockwise(out); ccw != (r == 0) {
		slices.Reverse(out)
		what := "reversed the exterior ring to counter-clockwise (RFC 7946)"
		if r > 0 {
			what = "reversed the hole to clockwise (RFC 7946)"
		}
		*repairs = append(*repairs, Repair{Polygon: p, Ring: r, What: what, Normalised: true})
	}
	return out, nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// collinearRing reports whether all points of r lie on one line, so that it
// encloses no area. r[0] != r[1].
func collinearRing(r orb.Ring) bool {
	for _, pt := range r[2:] {
		if orient(r[0], r[1], pt) != 0 {
			return false
		}
	}
	return true
}

// simple returns an error unless the closed ring r (no repeated consecutive
// points, not all collinear) is simple: no two of its segments meet except
// consecutive ones at their common vertex.
func (c *checker) simple(p, r int, ring orb.Ring) error {
	n := len(ring) - 1 // segments, and distinct vertices
	// Consecutive segments meet elsewhere than in their common vertex only
	// if the second doubles back over the first.
	for i := range n {
		prev, v, next := ring[(i+n-1)%n], ring[i], ring[i+1]
		if sameDirection(v, prev, next) {
			return errAt(p, r, v, "self-intersection: spike, the ring doubles back on itself")
		}
	}
	boxes := c.scratch(n)
	for i := range n {
		boxes = append(boxes, segmentBox(ring[i], ring[i+1], 0, i))
	}
	return overlapping(boxes, func(s, t *box) error {
		i, j := s.b, t.b
		if d := abs(i - j); d == 1 || d == n-1 {
			return nil // consecutive: checked above
		}
		switch m, at := intersect(ring[i], ring[i+1], ring[j], ring[j+1]); m {
		case cross:
			return errAt(p, r, at, "self-intersection")
		case touch:
			return errAt(p, r, at, "self-intersection: the ring touches itself")
		case overlap:
			return errAt(p, r, at, "self-intersection: the ring runs along itself")
		}
		return nil
	})
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// counterClockwise reports whether the simple closed ring r runs
// counter-clockwise. It looks at the turn at the lowest (then leftmost)
// vertex, which is convex in a simple ring, so the answer is exact.
func counterClockwise(r orb.Ring) bool {
	n := len(r) - 1
	k := 0
	for i := 1; i < n; i++ {
		if r[i][1] < r[k][1] || r[i][1] == r[k][1] && r[i][0] < r[k][0] {
			k = i
		}
	}
	return orient(r[(k+n-1)%n], r[k], r[k+1]) > 0
}
