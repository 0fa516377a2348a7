package geomcheck

import (
	"fmt"

	"github.com/paulmach/orb"
)

// The checks below run on rings that have passed checker.ring: closed,
// simple, exterior rings counter-clockwise and holes clockwise, so that the
// polygon's interior lies to the left of every ring.

// polygon checks how the rings of polygon p lie to one another: they may not
// cross or share a segment, every hole lies inside the exterior ring and
// outside every other hole, and the rings touch (in single points) without
// cutting the interior in two.
func (c *checker) polygon(p int, poly orb.Polygon) error {
	if len(poly) == 1 {
		return nil
	}
	n := 0
	for _, ring := range poly {
		n += len(ring) - 1
	}
	boxes := c.scratch(n)
	for r, ring := range poly {
		for i := 0; i+1 < len(ring); i++ {
			boxes = append(boxes, segmentBox(ring[i], ring[i+1], r, i))
		}
	}
	var touches []touching
	err := overlapping(boxes, func(s, t *box) error {
		if s.a == t.a {
			return nil // within one ring: checked by simple
		}
		if s.a > t.a {
			s, t = t, s // t is the later ring, the one the error names
		}
		m, at := meet(poly[s.a], s.b, poly[t.a], t.b)
		switch m {
		case cross:
			return errAt(p, t.a, at, "crosses %s", ringName(s.a))
		case overlap:
			return errAt(p, t.a, at, "overlaps %s along a segment", ringName(s.a))
		case touch:
			touches = append(touches, touching{s.a, t.a, at})
		}
		return nil
	})
	if err != nil {
		return err
	}

	shell := poly[0]
	for h := 1; h < len(poly); h++ {
		if in, at := ringWithin(poly[h], shell, true); !in {
			return errAt(p, h, at, "hole is outside the exterior ring")
		}
	}
	if len(poly) > 2 {
		boxes = c.scratch(len(poly))
		for h := 1; h < len(poly); h++ {
			boxes = append(boxes, ringBox(poly[h], h, 0))
		}
		err := overlapping(boxes, func(s, t *box) error {
			for _, pair := range [2][2]*box{{s, t}, {t, s}} {
				inner, outer := pair[0], pair[1]
				if !inner.within(outer) {
					continue
				}
				if in, at := ringWithin(poly[inner.a], poly[outer.a], false); in {
					return errAt(p, inner.a, at, "hole is inside ring %d", outer.a)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return connected(p, len(poly), touches)
}

func ringName(r int) string {
	if r == 0 {
		return "the exterior ring"
	}
	return fmt.Sprintf("ring %d", r)
}

// meet says how segment i of ring a and segment j of ring b, two different
// rings that are each simple, meet. Where they touch in a point, it looks at
// all four ring edges at that point: if b passes from one side of a to the
// other there, the rings cross; if an edge of b runs along an edge of a, they
// overlap; otherwise they merely touch.
func meet(a orb.Ring, i int, b orb.Ring, j int) (meeting, orb.Point) {
	m, at := intersect(a[i], a[i+1], b[j], b[j+1])
	if m != touch {
		return m, at
	}
	pa, na := around(a, i, at)
	pb, nb := around(b, j, at)
	switch {
	case sameDirection(at, pa, pb), sameDirection(at, pa, nb),
		sameDirection(at, na, pb), sameDirection(at, na, nb):
		return overlap, at
	case inSector(at, na, pa, pb) != inSector(at, na, pa, nb):
		return cross, at
	}
	return touch, at
}

// around returns the ring's neighbours of point v, which lies on segment i:
// the previous and next vertex if v is a vertex, otherwise the segment's ends.
func around(r orb.Ring, i int, v orb.Point) (prev, next orb.Point) {
	n := len(r) - 1
	switch v {
	case r[i]:
		return r[(i+n-1)%n], r[i+1]
	case r[i+1]:
		return r[i], r[(i+2)%n]
	}
	return r[i], r[i+1]
}

// ringWithin reports whether ring q lies within the region enclosed by ring
// r, given that their boundaries neither cross nor overlap (they may touch),
// and returns the point of q it decided on. ccw says how r is oriented.
func ringWithin(q, r orb.Ring, ccw bool) (bool, orb.Point) {
	for _, v := range q[:len(q)-1] {
		switch locate(v, r) {
		case inside:
			return true, v
		case outside:
			return false, v
		}
	}
	// Every vertex of q lies on r: decide by the direction q leaves its
	// first vertex in, relative to r's edges there.
	v, d := q[0], q[1]
	for i := 0; i+1 < len(r); i++ {
		if onSegment(r[i], r[i+1], v) {
			prev, next := around(r, i, v)
			if ccw {
				return inSector(v, next, prev, d), v // enclosed region to the left
			}
			return inSector(v, prev, next, d), v
		}
	}
	panic("geomcheck: vertex on ring boundary but on none of its segments")
}

// touching is a point where two rings of a polygon touch.
type touching struct {
	a, b int
	at   orb.Point
}

// connected returns an error if the rings of polygon p, touching at the given
// points, cut its interior in two. Take rings and touching points as the
// nodes of a graph, with an edge where a ring passes through a point: the
// interior is disconnected exactly when this graph has a cycle, e.g. a hole
// that touches the exterior ring twice, or three holes touching in a ring.
func connected(p, rings int, touches []touching) error {
	parent := make([]int, rings)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	points := map[orb.Point]int{}
	type incidence struct {
		ring int
		at   orb.Point
	}
	seen := map[incidence]bool{}
	for _, t := range touches {
		node, ok := points[t.at]
		if !ok {
			node = len(parent)
			parent = append(parent, node)
			points[t.at] = node
		}
		for _, r := range [2]int{t.a, t.b} {
			if seen[incidence{r, t.at}] {
				continue
			}
			seen[incidence{r, t.at}] = true
			x, y := find(r), find(node)
			if x == y {
				return errAt(p, r, t.at, "interior is disconnected: rings touch in a cycle")
			}
			parent[x] = y
		}
	}
	return nil
}

// parts checks that the polygons of mp have disjoint interiors: their rings
// neither cross nor share a segment (touching in points is allowed), and
// none lies inside another (except inside one of its holes).
func (c *checker) parts(mp orb.MultiPolygon) error {
	if len(mp) == 1 {
		return nil
	}
	type ref struct{ poly, ring int }
	var refs []ref
	n := 0
	for _, poly := range mp {
		for _, ring := range poly {
			n += len(ring) - 1
		}
	}
	boxes := c.scratch(n)
	for p, poly := range mp {
		for r, ring := range poly {
			for i := 0; i+1 < len(ring); i++ {
				boxes = append(boxes, segmentBox(ring[i], ring[i+1], len(refs), i))
			}
			refs = append(refs, ref{p, r})
		}
	}
	err := overlapping(boxes, func(s, t *box) error {
		a, b := refs[s.a], refs[t.a]
		if a.poly == b.poly {
			return nil // checked by polygon
		}
		if a.poly > b.poly {
			s, t, a, b = t, s, b, a
		}
		switch m, at := meet(mp[a.poly][a.ring], s.b, mp[b.poly][b.ring], t.b); m {
		case cross:
			return errAt(b.poly, b.ring, at, "crosses polygon %d, ring %d", a.poly, a.ring)
		case overlap:
			return errAt(b.poly, b.ring, at, "overlaps polygon %d, ring %d along a segment", a.poly, a.ring)
		}
		return nil
	})
	if err != nil {
		return err
	}

	boxes = c.scratch(len(mp))
	for p, poly := range mp {
		boxes = append(boxes, ringBox(poly[0], p, 0))
	}
	return overlapping(boxes, func(s, t *box) error {
		if s.a > t.a {
			s, t = t, s
		}
		if t.within(s) {
			if in, at := polygonHolds(mp[s.a], mp[t.a][0]); in {
				return errAt(t.a, 0, at, "lies inside polygon %d", s.a)
			}
		}
		if s.within(t) {
			if in, at := polygonHolds(mp[t.a], mp[s.a][0]); in {
				return errAt(t.a, 0, at, "contains polygon %d", s.a)
			}
		}
		return nil
	})
}

// polygonHolds reports whether the exterior ring q of another polygon lies
// in the interior of poly: inside its exterior ring and in none of its holes.
func polygonHolds(poly orb.Polygon, q orb.Ring) (bool, orb.Point) {
	in, at := ringWithin(q, poly[0], true)
	if !in {
		return false, at
	}
	for _, h := range poly[1:] {
		if inHole, _ := ringWithin(q, h, false); inHole {
			return false, at
		}
	}
	return true, at
}
