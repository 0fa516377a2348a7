package tiles

import (
	"slices"

	"github.com/paulmach/orb"
)

// Polygons are clipped to the tile's box by walking each ring, keeping the
// stretches inside the box (chains, from where the ring enters the box to
// where it leaves it) and joining them along the box's edge. Unlike
// clipping ring by ring (Sutherland-Hodgman), which joins the pieces of a
// concave area by zero-width bridges along the box's edge, this gives
// valid polygons: one per piece, with the holes that fall into it.
//
// Rings are oriented with the area on their left (positive shoelace area
// for exterior rings, negative for holes; in tile coordinates, y down,
// that is the MVT winding), and the box's edge is walked the same way.
// A crossing of the box's edge is computed from the segment's end points
// in a fixed order, so two neighbours that share a segment get the same
// crossing point.

// clipMultiPolygon clips every polygon to box.
func clipMultiPolygon(mp orb.MultiPolygon, box orb.Bound) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range mp {
		out = append(out, clipPolygon(poly, box)...)
	}
	return out
}

// chain is a stretch of a ring inside the box, from its entry to its exit.
type chain struct {
	pts         []orb.Point
	entry, exit float64 // positions on the box's edge (see edgePos)
}

type clipper struct {
	box       orb.Bound
	w, h      float64
	chains    []chain
	insideNow []orb.Ring // holes wholly inside the box
}

func clipPolygon(poly orb.Polygon, box orb.Bound) []orb.Polygon {
	if len(poly) == 0 {
		return nil
	}
	c := &clipper{box: box, w: box.Max[0] - box.Min[0], h: box.Max[1] - box.Min[1]}
	outer := oriented(poly[0], true)
	outerState := c.walk(outer)
	holesOutside := []orb.Ring{}
	for _, hole := range poly[1:] {
		h := oriented(hole, false)
		switch c.walk(h) {
		case ringInside:
			c.insideNow = append(c.insideNow, h)
		case ringOutside:
			holesOutside = append(holesOutside, h)
		}
	}
	if len(c.chains) == 0 {
		switch outerState {
		case ringInside:
			return []orb.Polygon{append(orb.Polygon{outer}, c.insideNow...)}
		case ringOutside:
			corner := box.Min
			if !inRing(corner, outer) {
				return nil // the area misses the box
			}
			for _, h := range holesOutside {
				if inRing(corner, h) {
					return nil // the box lies in a hole
				}
			}
			return []orb.Polygon{append(orb.Polygon{boxRing(box)}, c.insideNow...)}
		}
	}
	var out []orb.Polygon
	for _, r := range c.stitch() {
		out = append(out, orb.Polygon{r})
	}
	// A hole inside the box belongs to the piece that holds it.
	for _, h := range c.insideNow {
		for i := range out {
			if inRing(h[0], out[i][0]) {
				out[i] = append(out[i], h)
				break
			}
		}
	}
	return out
}

const (
	ringCrosses = iota
	ringInside
	ringOutside
)

// walk adds the chains of ring r to c and says whether r crosses the box's
// edge or lies wholly inside or outside.
func (c *clipper) walk(r orb.Ring) int {
	n := len(r) - 1 // r is closed
	start := -1
	for i := 0; i < n; i++ {
		if !c.inside(r[i]) {
			start = i
			break
		}
	}
	if start < 0 {
		return ringInside
	}
	before := len(c.chains)
	var cur *chain
	for k := 0; k < n; k++ {
		a, b := r[(start+k)%n], r[(start+k+1)%n]
		ain, bin := c.inside(a), c.inside(b)
		if ain && bin {
			if cur != nil {
				cur.pts = append(cur.pts, b)
			}
			continue
		}
		t0, t1, e0, e1, ok := c.liangBarsky(a, b)
		if !ok || t0 > t1 {
			continue
		}
		if !ain {
			p := c.crossing(a, b, e0)
			cur = &chain{pts: []orb.Point{p}, entry: c.edgePos(p, e0)}
		}
		if cur == nil { // cannot happen: the walk starts outside
			continue
		}
		if bin {
			cur.pts = append(cur.pts, b)
			continue
		}
		p := c.crossing(a, b, e1)
		cur.pts = append(cur.pts, p)
		cur.exit = c.edgePos(p, e1)
		if !allSame(cur.pts) { // a ring that only touches the box adds nothing
			c.chains = append(c.chains, *cur)
		}
		cur = nil
	}
	if len(c.chains) > before {
		return ringCrosses
	}
	return ringOutside
}

func allSame(pts []orb.Point) bool {
	for _, p := range pts[1:] {
		if p != pts[0] {
			return false
		}
	}
	return true
}

func (c *clipper) inside(p orb.Point) bool {
	return p[0] >= c.box.Min[0] && p[0] <= c.box.Max[0] && p[1] >= c.box.Min[1] && p[1] <= c.box.Max[1]
}

// Edges of the box: 0 x = min, 1 x = max, 2 y = min, 3 y = max.
const (
	edgeMinX = iota
	edgeMaxX
	edgeMinY
	edgeMaxY
)

// liangBarsky finds where segment ab enters (t0, on edge e0) and leaves
// (t1, on edge e1) the box; ok is false when it misses the box.
func (c *clipper) liangBarsky(a, b orb.Point) (t0, t1 float64, e0, e1 int, ok bool) {
	dx, dy := b[0]-a[0], b[1]-a[1]
	p := [4]float64{-dx, dx, -dy, dy}
	q := [4]float64{a[0] - c.box.Min[0], c.box.Max[0] - a[0], a[1] - c.box.Min[1], c.box.Max[1] - a[1]}
	t0, t1, e0, e1 = 0, 1, -1, -1
	for i := 0; i < 4; i++ {
		if p[i] == 0 {
			if q[i] < 0 {
				return 0, 0, 0, 0, false
			}
			continue
		}
		r := q[i] / p[i]
		if p[i] < 0 {
			if r > t1 {
				return 0, 0, 0, 0, false
			}
			if r > t0 {
				t0, e0 = r, i
			}
		} else {
			if r < t0 {
				return 0, 0, 0, 0, false
			}
			if r < t1 {
				t1, e1 = r, i
			}
		}
	}
	return t0, t1, e0, e1, e0 >= 0 || e1 >= 0
}

// crossing is where segment ab meets the line of edge e. The end points
// are ordered first, so that ba gives the very same point.
func (c *clipper) crossing(a, b orb.Point, e int) orb.Point {
	if b[0] < a[0] || b[0] == a[0] && b[1] < a[1] {
		a, b = b, a
	}
	clamp := func(v, lo, hi float64) float64 { return min(max(v, lo), hi) }
	switch e {
	case edgeMinX, edgeMaxX:
		x := c.box.Min[0]
		if e == edgeMaxX {
			x = c.box.Max[0]
		}
		y := a[1] + (b[1]-a[1])*(x-a[0])/(b[0]-a[0])
		return orb.Point{x, clamp(y, c.box.Min[1], c.box.Max[1])}
	default:
		y := c.box.Min[1]
		if e == edgeMaxY {
			y = c.box.Max[1]
		}
		x := a[0] + (b[0]-a[0])*(y-a[1])/(b[1]-a[1])
		return orb.Point{clamp(x, c.box.Min[0], c.box.Max[0]), y}
	}
}

// edgePos is the position of a point on edge e along the box's edge,
// walked with the box on the left: from the corner (min, min) along
// y = min, up x = max, back along y = max and down x = min.
func (c *clipper) edgePos(p orb.Point, e int) float64 {
	switch e {
	case edgeMinY:
		return p[0] - c.box.Min[0]
	case edgeMaxX:
		return c.w + p[1] - c.box.Min[1]
	case edgeMaxY:
		return c.w + c.h + c.box.Max[0] - p[0]
	default:
		return 2*c.w + c.h + c.box.Max[1] - p[1]
	}
}

// stitch joins the chains into rings: from a chain's exit along the box's
// edge (passing its corners) to the next entry, until the ring closes.
func (c *clipper) stitch() []orb.Ring {
	perimeter := 2 * (c.w + c.h)
	corners := [4]struct {
		pos float64
		p   orb.Point
	}{
		{0, c.box.Min},
		{c.w, orb.Point{c.box.Max[0], c.box.Min[1]}},
		{c.w + c.h, c.box.Max},
		{2*c.w + c.h, orb.Point{c.box.Min[0], c.box.Max[1]}},
	}
	ahead := func(from, to float64) float64 { // distance along the edge
		d := to - from
		if d < 0 {
			d += perimeter
		}
		return d
	}
	used := make([]bool, len(c.chains))
	var rings []orb.Ring
	for first := range c.chains {
		if used[first] {
			continue
		}
		var ring orb.Ring
		cur := first
		for {
			used[cur] = true
			ring = append(ring, c.chains[cur].pts...)
			exit := c.chains[cur].exit
			next, best := -1, perimeter+1
			for j := range c.chains {
				if (!used[j] || j == first) && ahead(exit, c.chains[j].entry) < best {
					next, best = j, ahead(exit, c.chains[j].entry)
				}
			}
			var passed []int
			for k, cn := range corners {
				if d := ahead(exit, cn.pos); d > 0 && d < best {
					passed = append(passed, k)
				}
			}
			slices.SortFunc(passed, func(a, b int) int {
				da, db := ahead(exit, corners[a].pos), ahead(exit, corners[b].pos)
				switch {
				case da < db:
					return -1
				case da > db:
					return 1
				}
				return 0
			})
			for _, k := range passed {
				ring = append(ring, corners[k].p)
			}
			if next == first || next < 0 {
				break
			}
			cur = next
		}
		ring = append(ring, ring[0])
		rings = append(rings, ring)
	}
	return rings
}

func boxRing(b orb.Bound) orb.Ring {
	return orb.Ring{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}
}

// oriented is r closed, with positive shoelace area for an exterior ring
// and negative for a hole.
func oriented(r orb.Ring, exterior bool) orb.Ring {
	out := slices.Clone(r)
	if len(out) > 0 && out[0] != out[len(out)-1] {
		out = append(out, out[0])
	}
	if a := shoelace(out); a < 0 == exterior {
		slices.Reverse(out)
	}
	return out
}

// shoelace is twice the signed area of a closed ring.
func shoelace(r orb.Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s
}

// inRing says whether p lies inside ring r (even-odd rule).
func inRing(p orb.Point, r orb.Ring) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0]-a[0])*(p[1]-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
