package synth

import "fmt"

// outline traces the boundary of a set of cells and returns it as polygons
// of vertex indices: each polygon is its exterior ring (counter-clockwise)
// followed by its holes (clockwise), every ring closed. member reports
// whether a cell belongs to the set.
//
// Every cell contributes its four edges counter-clockwise; an edge whose
// reverse is also contributed (the neighbour across it is in the set) is
// interior and dropped. The rest are chained into rings. Where two cells of
// the set touch only at a corner, two edges leave that vertex: the chain
// takes the left turn, and a ring that still visits a vertex twice is split
// there, so that every ring is simple (OGC rings must not touch
// themselves); the pieces become an exterior ring and a hole touching it
// in one point, two holes touching in a point, or two parts of the
// MultiPolygon touching in a point, all of which are valid.
//
// All of this is exact: the topology is decided on integer grid indices,
// never on coordinates.
func (g *city) outline(cells []int32, member func(int32) bool) ([][][]int32, error) {
	w := int32(g.w)
	var from, to []int32
	for _, c := range cells {
		k := g.corners(c)
		for side, nb := range [4]int32{c - w, c + 1, c + w, c - 1} {
			if !member(nb) {
				from = append(from, k[side])
				to = append(to, k[(side+1)%4])
			}
		}
	}
	out := make(map[int32][2]int32, len(from))
	for i, v := range from {
		e, ok := out[v]
		switch {
		case !ok:
			out[v] = [2]int32{int32(i), -1}
		case e[1] < 0:
			out[v] = [2]int32{e[0], int32(i)}
		default:
			return nil, fmt.Errorf("synth: vertex %d has more than two outgoing boundary edges", v)
		}
	}
	w1 := int32(g.w + 1)
	dir := func(e int32) (int32, int32) {
		a, b := from[e], to[e]
		return b%w1 - a%w1, b/w1 - a/w1
	}
	next := func(in int32) int32 {
		e := out[to[in]]
		if e[1] < 0 {
			return e[0]
		}
		ix, iy := dir(in)
		ox, oy := dir(e[0])
		if ix*oy-iy*ox > 0 { // left turn
			return e[0]
		}
		return e[1]
	}

	used := make([]bool, len(from))
	var rings [][]int32
	for i := range from {
		if used[i] {
			continue
		}
		ring := []int32{from[i]}
		for e := int32(i); ; {
			used[e] = true
			ring = append(ring, to[e])
			n := next(e)
			if n == int32(i) {
				break
			}
			if used[n] {
				return nil, fmt.Errorf("synth: boundary chain at vertex %d runs into a used edge", to[e])
			}
			e = n
		}
		rings = append(rings, splitRing(ring)...)
	}

	// Exterior rings run counter-clockwise, holes clockwise. A hole belongs
	// to the smallest exterior ring around it.
	var polys [][][]int32
	var areas []int64
	for _, r := range rings {
		if a := g.area2(r); a > 0 {
			polys = append(polys, [][]int32{r})
			areas = append(areas, a)
		}
	}
	for _, r := range rings {
		if g.area2(r) > 0 {
			continue
		}
		// A point certainly inside the hole: the centre of the cell right
		// of its first edge, in doubled index coordinates (both odd, so it
		// never lies on a grid line).
		ax, ay := int64(r[0]%w1), int64(r[0]/w1)
		dx, dy := int64(r[1]%w1)-ax, int64(r[1]/w1)-ay
		px, py := 2*ax+dx+dy, 2*ay+dy-dx
		best := -1
		for j, p := range polys {
			if g.inside(px, py, p[0]) && (best < 0 || areas[j] < areas[best]) {
				best = j
			}
		}
		if best < 0 {
			return nil, fmt.Errorf("synth: hole at vertex %d lies in no exterior ring", r[0])
		}
		polys[best] = append(polys[best], r)
	}
	return polys, nil
}

// splitRing splits a closed ring at every vertex it visits twice.
func splitRing(ring []int32) [][]int32 {
	seen := make(map[int32]int, len(ring))
	for j := 0; j < len(ring)-1; j++ {
		i, ok := seen[ring[j]]
		if !ok {
			seen[ring[j]] = j
			continue
		}
		loop := append([]int32(nil), ring[i:j+1]...)
		rest := append(append([]int32(nil), ring[:i]...), ring[j:]...)
		return append(splitRing(loop), splitRing(rest)...)
	}
	return [][]int32{ring}
}

// area2 returns twice the signed area of a closed ring in grid units.
func (g *city) area2(r []int32) int64 {
	w1 := int32(g.w + 1)
	var a int64
	for i := 0; i+1 < len(r); i++ {
		x0, y0 := int64(r[i]%w1), int64(r[i]/w1)
		x1, y1 := int64(r[i+1]%w1), int64(r[i+1]/w1)
		a += x0*y1 - x1*y0
	}
	return a
}

// inside reports whether the point (px, py), in doubled grid coordinates
// with both odd, lies inside the closed ring r. Ring edges are axis-parallel
// in grid coordinates, so only the vertical ones can cross the ray.
func (g *city) inside(px, py int64, r []int32) bool {
	w1 := int32(g.w + 1)
	in := false
	for i := 0; i+1 < len(r); i++ {
		ax, ay := 2*int64(r[i]%w1), 2*int64(r[i]/w1)
		by := 2 * int64(r[i+1]/w1)
		if (ay > py) != (by > py) && px < ax {
			in = !in
		}
	}
	return in
}
