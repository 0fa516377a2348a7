package interpolate

import (
	"math"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// convexity returns +1 if the closed ring is convex and counter-clockwise,
// -1 if convex and clockwise, 0 if not convex. The ring must be simple (as
// validation ensures): then turning the same way at every vertex (straight
// on allowed) means convex.
func convexity(r orb.Ring) int {
	n := len(r) - 1 // r[n] == r[0]
	sign := 0
	for i := range n {
		a, b, c := r[(i+n-1)%n], r[i], r[(i+1)%n]
		cross := (b[0]-a[0])*(c[1]-b[1]) - (b[1]-a[1])*(c[0]-b[0])
		switch {
		case cross > 0 && sign >= 0:
			sign = 1
		case cross < 0 && sign <= 0:
			sign = -1
		case cross != 0:
			return 0
		}
	}
	return sign
}

// clipArea returns the area of parts ∩ c for a convex part c, by clipping
// every ring of parts to c with the Sutherland–Hodgman algorithm. A clipped
// ring may run back and forth along c's edges where the ring leaves and
// re-enters c; such edges enclose nothing, and the clipped ring's signed
// area is that of the ring's inside within c. So exterior rings add and
// holes subtract their clipped areas.
func clipArea(parts []*part, c *part) float64 {
	clip := c.rings[0].pts
	sum := 0.0
	var buf [2][]orb.Point
	for _, p := range parts {
		for j, r := range p.rings {
			if !r.bound.Intersects(c.bound) {
				continue
			}
			a := math.Abs(ringArea(clipRing(r.pts, clip, float64(c.convex), &buf)))
			if j == 0 {
				sum += a
			} else {
				sum -= a
			}
		}
	}
	return sum
}

// clipRing clips the closed ring r to the convex closed ring clip, whose
// orientation is dir (+1 counter-clockwise, -1 clockwise), and returns the
// result as a closed ring (empty if nothing is left). buf is reused
// scratch space.
func clipRing(r, clip orb.Ring, dir float64, buf *[2][]orb.Point) orb.Ring {
	in := append(buf[0][:0], r[:len(r)-1]...)
	out := buf[1][:0]
	for i := 1; i < len(clip) && len(in) > 0; i++ {
		c0, c1 := clip[i-1], clip[i]
		dx, dy := c1[0]-c0[0], c1[1]-c0[1]
		if dx == 0 && dy == 0 {
			continue
		}
		// side > 0 inside, < 0 outside, 0 on the line through c0, c1.
		side := func(p orb.Point) float64 { return dir * (dx*(p[1]-c0[1]) - dy*(p[0]-c0[0])) }
		out = out[:0]
		prev := in[len(in)-1]
		sp := side(prev)
		for _, cur := range in {
			sc := side(cur)
			if (sp < 0) != (sc < 0) && sp != 0 && sc != 0 {
				t := sp / (sp - sc)
				out = append(out, orb.Point{prev[0] + t*(cur[0]-prev[0]), prev[1] + t*(cur[1]-prev[1])})
			}
			if sc >= 0 {
				out = append(out, cur)
			}
			prev, sp = cur, sc
		}
		in, out = out, in
	}
	buf[0], buf[1] = in, out
	if len(in) < 3 {
		return nil
	}
	return append(in, in[0])
}

// preclip returns the parts clipped to the box b (padded), if that leaves
// a valid multipolygon with less than half the vertices. The clipped parts
// equal the parts within the box, so their intersection with anything
// inside b (the other operand, whose bounding box b is) is unchanged.
// Sutherland–Hodgman clipping joins the places where a ring leaves and
// re-enters the box with runs along the box's edges; where two such runs
// overlap (a ring leaving the box several times on the same side, or two
// rings leaving it at the same place), the result is not valid, and the
// caller keeps the whole parts.
func preclip(parts []*part, b orb.Bound) (sf.Geometry, bool) {
	// The padding keeps the box's edges, along which the clipped rings
	// may run, clear of the other operand.
	b = b.Pad(math.Max(1e-7, 1e-6*math.Max(b.Max[0]-b.Min[0], b.Max[1]-b.Min[1])))
	box := orb.Ring{b.Min, {b.Max[0], b.Min[1]}, b.Max, {b.Min[0], b.Max[1]}, b.Min}
	var buf [2][]orb.Point
	var polys []sf.Polygon
	before, after := 0, 0
parts:
	for _, p := range parts {
		var rings []sf.LineString
		for j, r := range p.rings {
			before += len(r.pts)
			var c orb.Ring
			if r.bound.Intersects(b) {
				c = clipRing(r.pts, box, 1, &buf)
			}
			if len(c) == 0 { // the ring lies outside the box
				if j == 0 {
					continue parts
				}
				continue
			}
			after += len(c)
			coords := make([]float64, 0, 2*len(c))
			for _, pt := range c {
				coords = append(coords, pt[0], pt[1])
			}
			rings = append(rings, sf.NewLineString(sf.NewSequence(coords, sf.DimXY)))
		}
		polys = append(polys, sf.NewPolygon(rings))
	}
	if 2*after >= before {
		return sf.Geometry{}, false // not worth it
	}
	mp := sf.NewMultiPolygon(polys)
	if err := mp.Validate(); err != nil {
		return sf.Geometry{}, false
	}
	return mp.AsGeometry(), true
}
