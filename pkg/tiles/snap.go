package tiles

import (
	"errors"
	"slices"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
)

// snap rounds a multipolygon in tile coordinates to whole numbers and
// cleans what rounding breaks: repeated points, spikes (a point where the
// ring doubles back on itself) and rings that collapsed to a line or a
// point. Exterior rings get positive shoelace area, holes negative (the
// MVT winding: clockwise and counter-clockwise on screen); a polygon whose
// exterior ring collapsed goes with its holes. Collinear points are kept:
// a neighbour that shares the point may turn there.
func snap(mp orb.MultiPolygon) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		rings := make([]orb.Ring, len(poly))
		for i, r := range poly {
			rings[i] = snapRing(oriented(r, i == 0))
		}
		out = append(out, assemble(rings)...)
	}
	return out
}

// assemble makes polygons of a snapped exterior ring and its holes. A ring
// that rounding (or clipping) made touch itself is split where it touches:
// loops of an exterior ring with positive area are parts of their own,
// those with negative area holes (a pinched-off bay); loops of a hole
// with positive area are left out.
func assemble(rings []orb.Ring) []orb.Polygon {
	var exteriors, holes []orb.Ring
	for i, r := range rings {
		for _, loop := range loops(onEdges(r)) {
			a := shoelace(loop)
			if a > 0 && i == 0 {
				exteriors = append(exteriors, loop)
			} else if a < 0 {
				holes = append(holes, loop)
			}
		}
	}
	if len(exteriors) == 0 {
		return nil
	}
	out := make([]orb.Polygon, len(exteriors))
	for i, e := range exteriors {
		out[i] = orb.Polygon{e}
	}
	for _, h := range holes {
		k := holder(out, h)
		out[k] = append(out[k], h)
	}
	return out
}

// repair makes a snapped multipolygon valid where rounding broke it, as
// geomcheck (the rules of ST_IsValid) finds: at the place of a problem
// the ring is made to pass through the nearest whole point, which turns a
// crossing or a touch into a shared point where assemble splits the ring;
// what still is invalid (a sliver crossing a hole, a loop outside its
// exterior ring) is left out, ring by ring. Valid input comes back as it
// is; dropped counts the rings left out.
func repair(mp orb.MultiPolygon) (out orb.MultiPolygon, dropped int) {
	for tries := 0; len(mp) > 0; tries++ {
		_, _, err := geomcheck.MultiPolygon(mp)
		var ge *geomcheck.Error
		if err == nil || !errors.As(err, &ge) || ge.Polygon < 0 || ge.Polygon >= len(mp) {
			return mp, dropped
		}
		p, r := ge.Polygon, max(ge.Ring, 0)
		poly := mp[p]
		if tries < 64 && ge.HasPoint && r < len(poly) {
			at := orb.Point{round(ge.At[0]), round(ge.At[1])}
			if ring, changed := through(poly[r], at); changed {
				rings := slices.Clone(poly)
				rings[r] = ring
				mp = slices.Concat(mp[:p], assemble(rings), mp[p+1:])
				continue
			}
		}
		dropped++
		if r > 0 && r < len(poly) {
			mp[p] = slices.Delete(slices.Clone(poly), r, r+1)
		} else {
			mp = slices.Delete(slices.Clone(mp), p, p+1)
		}
	}
	return mp, dropped
}

// through makes ring r pass through point q on every segment that passes
// within one unit of it; changed is false when none does.
func through(r orb.Ring, q orb.Point) (orb.Ring, bool) {
	out := make(orb.Ring, 0, len(r)+4)
	changed := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		out = append(out, a)
		if a != q && b != q && nearSegment(a, b, q) {
			out = append(out, q)
			changed = true
		}
	}
	return append(out, r[len(r)-1]), changed
}

// nearSegment says whether q lies within one unit of segment ab, between
// its ends.
func nearSegment(a, b, q orb.Point) bool {
	dx, dy := b[0]-a[0], b[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return false
	}
	t := ((q[0]-a[0])*dx + (q[1]-a[1])*dy) / l2
	if t <= 0 || t >= 1 {
		return false
	}
	cross := (q[0]-a[0])*dy - (q[1]-a[1])*dx
	return cross*cross < l2 // distance below one unit
}

// holder is the index of the polygon whose exterior ring holds hole h:
// the one that holds most of its points (a hole may touch its exterior
// ring in a point).
func holder(polys []orb.Polygon, h orb.Ring) int {
	if len(polys) == 1 {
		return 0
	}
	best, most := 0, -1
	for i, p := range polys {
		n := 0
		for _, q := range h[:len(h)-1] {
			if inRing(q, p[0]) {
				n++
			}
		}
		if n > most {
			best, most = i, n
		}
	}
	return best
}

// loops splits a closed ring at the points it passes twice into closed
// loops that touch only where it was split.
func loops(r orb.Ring) []orb.Ring {
	if len(r) < 4 {
		return nil
	}
	var out []orb.Ring
	stack := make(orb.Ring, 0, len(r))
	at := make(map[orb.Point]int, len(r))
	for _, p := range r[:len(r)-1] {
		if k, seen := at[p]; seen {
			loop := clean(stack[k:])
			for _, q := range stack[k+1:] {
				delete(at, q)
			}
			stack = stack[:k+1]
			if loop != nil {
				out = append(out, loop)
			}
			continue
		}
		at[p] = len(stack)
		stack = append(stack, p)
	}
	if loop := clean(stack); loop != nil {
		out = append(out, loop)
	}
	return out
}

// clean closes a copy of an open ring of whole numbers without repeats
// and spikes; nil when it collapsed.
func clean(r orb.Ring) orb.Ring {
	s := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		s = push(s, p)
	}
	return closeRing(s)
}

// snapRing rounds a closed ring; nil when fewer than three points remain.
func snapRing(r orb.Ring) orb.Ring {
	if len(r) > 0 {
		r = r[:len(r)-1] // open: the closing point comes back at the end
	}
	s := make(orb.Ring, 0, len(r)+1)
	for _, p := range r {
		s = push(s, orb.Point{round(p[0]), round(p[1])})
	}
	return closeRing(s)
}

// closeRing closes an open ring without repeats or spikes, removing those
// across the seam where its end meets its start; nil when fewer than three
// points remain.
func closeRing(s orb.Ring) orb.Ring {
	for len(s) >= 3 {
		n := len(s)
		switch {
		case s[n-1] == s[0]:
			s = s[:n-1]
		case doublesBack(s[n-2], s[n-1], s[0]):
			s = s[:n-1]
		case doublesBack(s[n-1], s[0], s[1]):
			s = s[1:]
		default:
			return append(s, s[0])
		}
	}
	return nil
}

// push appends p to the open ring s, dropping a repeat of the last point
// and the tip of a spike that p would close.
func push(s orb.Ring, p orb.Point) orb.Ring {
	for {
		n := len(s)
		if n > 0 && s[n-1] == p {
			return s
		}
		if n >= 2 && doublesBack(s[n-2], s[n-1], p) {
			s = s[:n-1]
			continue
		}
		return append(s, p)
	}
}

// doublesBack says whether the path a, b, c turns back at b on the same
// line (a spike of zero width).
func doublesBack(a, b, c orb.Point) bool {
	ux, uy := b[0]-a[0], b[1]-a[1]
	vx, vy := c[0]-b[0], c[1]-b[1]
	return ux*vy-uy*vx == 0 && ux*vx+uy*vy < 0
}

// onEdges puts into r's stretches along the clip box's edge (from
// clipping) the ring's other points that rounding moved onto them, so
// that loops sees where the ring touches itself.
func onEdges(r orb.Ring) orb.Ring {
	const lo, hi = -Buffer, Extent + Buffer
	onEdge := func(p orb.Point) bool { return p[0] == lo || p[0] == hi || p[1] == lo || p[1] == hi }
	var edge []orb.Point
	for _, p := range r {
		if onEdge(p) {
			edge = append(edge, p)
		}
	}
	if len(edge) < 3 {
		return r
	}
	var out orb.Ring
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		out = append(out, a)
		if !onEdge(a) || !onEdge(b) || (a[0] != b[0] && a[1] != b[1]) {
			continue
		}
		var between []orb.Point
		for _, p := range edge {
			if p != a && p != b && onSegment(a, b, p) {
				between = append(between, p)
			}
		}
		// In order from a to b, each once.
		slices.SortFunc(between, func(p, q orb.Point) int {
			return int(sign(dist1(a, p) - dist1(a, q)))
		})
		out = append(out, slices.Compact(between)...)
	}
	return append(out, r[len(r)-1])
}

// onSegment says whether p lies on the axis-parallel segment ab.
func onSegment(a, b, p orb.Point) bool {
	if a[0] == b[0] {
		return p[0] == a[0] && p[1] > min(a[1], b[1]) && p[1] < max(a[1], b[1])
	}
	return p[1] == a[1] && p[0] > min(a[0], b[0]) && p[0] < max(a[0], b[0])
}

func dist1(a, b orb.Point) float64 { return abs(a[0]-b[0]) + abs(a[1]-b[1]) }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v float64) float64 {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
