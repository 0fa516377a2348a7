package topo

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/paulmach/orb"
)

// builder holds a coverage while Build turns it into a Topology. Rings are
// kept as cyclic lists of vertex ids (no closing repeat), all in one slice
// (ring r is verts[ringAt[r]:ringAt[r+1]]) so that 100,000 small rings do
// not cost 100,000 allocations.
type builder struct {
	pts    []orb.Point
	ids    map[orb.Point]int32
	verts  []int32
	ringAt []int32
	partAt []int32
	polyAt []int32
	bound  orb.Bound
	stats  Stats
}

func (b *builder) ring(r int) []int32 { return b.verts[b.ringAt[r]:b.ringAt[r+1]] }

func (b *builder) rings() int { return len(b.ringAt) - 1 }

// collect reads the polygons into a builder, giving every distinct point an
// id in input order (which makes everything after deterministic).
func collect(polys []orb.MultiPolygon) (*builder, error) {
	b := &builder{ids: make(map[orb.Point]int32), ringAt: []int32{0}, partAt: []int32{0}, polyAt: []int32{0}}
	for i, mp := range polys {
		for p, poly := range mp {
			if len(poly) == 0 {
				continue // an empty part has nothing to draw
			}
			for r, ring := range poly {
				if err := b.addRing(ring); err != nil {
					return nil, fmt.Errorf("topo: polygon %d, part %d, ring %d: %w", i, p, r, err)
				}
			}
			b.partAt = append(b.partAt, int32(b.rings()))
		}
		b.polyAt = append(b.polyAt, int32(len(b.partAt)-1))
	}
	if len(b.pts) > math.MaxInt32/2 || len(b.verts) > math.MaxInt32/2 {
		return nil, errors.New("topo: too many vertices (ids are 32-bit)")
	}
	if len(b.pts) > 0 {
		b.bound = orb.MultiPoint(b.pts).Bound()
	}
	b.stats.Polygons, b.stats.Parts, b.stats.Rings = len(polys), len(b.partAt)-1, b.rings()
	return b, nil
}

// addRing appends a ring without repeated consecutive points and without
// the closing point.
func (b *builder) addRing(ring orb.Ring) error {
	start := len(b.verts)
	for _, pt := range ring {
		if math.IsNaN(pt[0]) || math.IsInf(pt[0], 0) || math.IsNaN(pt[1]) || math.IsInf(pt[1], 0) {
			return fmt.Errorf("non-finite coordinate %v", pt)
		}
		id, ok := b.ids[pt]
		if !ok {
			id = int32(len(b.pts))
			b.ids[pt] = id
			b.pts = append(b.pts, pt)
		}
		if len(b.verts) > start && b.verts[len(b.verts)-1] == id {
			continue
		}
		b.verts = append(b.verts, id)
	}
	for len(b.verts)-start > 1 && b.verts[len(b.verts)-1] == b.verts[start] {
		b.verts = b.verts[:len(b.verts)-1]
	}
	if n := len(b.verts) - start; n < 3 {
		return fmt.Errorf("%d distinct points, a ring needs at least 3", n)
	}
	b.ringAt = append(b.ringAt, int32(len(b.verts)))
	return nil
}

// snapVertices merges vertices closer than eps (and chains of them) into
// the one that came first in the input.
func (b *builder) snapVertices(eps float64) {
	rep := make([]int32, len(b.pts))
	for i := range rep {
		rep[i] = int32(i)
	}
	find := func(x int32) int32 {
		for rep[x] != x {
			rep[x] = rep[rep[x]]
			x = rep[x]
		}
		return x
	}
	b.closePairs(eps, func(i, j int32) {
		ri, rj := find(i), find(j)
		if ri != rj {
			rep[max(ri, rj)] = min(ri, rj) // the earlier id stays
		}
	})
	moved := 0
	for i := range rep {
		rep[i] = find(int32(i))
		if rep[i] != int32(i) {
			moved++
		}
	}
	b.stats.Snapped = moved
	if moved == 0 {
		return
	}
	b.rewrite(func(r int, in []int32, out []int32) []int32 {
		for _, v := range in {
			out = append(out, rep[v])
		}
		return out
	})
}

// closePairs calls f for every pair of distinct vertices at most eps apart.
// Vertices are sorted into columns eps wide and by y within a column, so
// each vertex is compared only with those of its own and the next column
// that lie within eps in y: linear after the sort, however the vertices
// line up.
func (b *builder) closePairs(eps float64, f func(i, j int32)) {
	type entry struct {
		col, y float64
		id     int32
	}
	order := make([]entry, len(b.pts))
	for i, p := range b.pts {
		order[i] = entry{math.Floor((p[0] - b.bound.Min[0]) / eps), p[1], int32(i)}
	}
	slices.SortFunc(order, func(p, q entry) int {
		return cmp.Or(cmp.Compare(p.col, q.col), cmp.Compare(p.y, q.y), cmp.Compare(p.id, q.id))
	})
	near := func(i, j int32) bool {
		dx, dy := b.pts[i][0]-b.pts[j][0], b.pts[i][1]-b.pts[j][1]
		return dx*dx+dy*dy <= eps*eps
	}
	next := 0 // start of the next column's window
	for k, e := range order {
		for m := k + 1; m < len(order) && order[m].col == e.col && order[m].y-e.y <= eps; m++ {
			if near(e.id, order[m].id) {
				f(e.id, order[m].id)
			}
		}
		// The next column's vertices from y-eps on; next only moves forward
		// because y grows within a column.
		next = max(next, k+1)
		for next < len(order) && (order[next].col < e.col+1 || order[next].col == e.col+1 && order[next].y < e.y-eps) {
			next++
		}
		for m := next; m < len(order) && order[m].col == e.col+1 && order[m].y-e.y <= eps; m++ {
			if near(e.id, order[m].id) {
				f(e.id, order[m].id)
			}
		}
	}
}

// rewrite replaces every ring by what edit appends to out for it, then
// removes repeated consecutive points; a ring left with fewer than 3
// vertices becomes empty (collapsed).
func (b *builder) rewrite(edit func(r int, in []int32, out []int32) []int32) {
	verts := make([]int32, 0, len(b.verts))
	ringAt := make([]int32, 1, len(b.ringAt))
	collapsed := 0
	for r := range b.rings() {
		start := len(verts)
		verts = edit(r, b.ring(r), verts)
		verts = append(verts[:start], dedupe(verts[start:])...)
		if len(verts)-start < 3 {
			verts = verts[:start]
			if b.ringAt[r] != b.ringAt[r+1] {
				collapsed++
			}
		}
		ringAt = append(ringAt, int32(len(verts)))
	}
	b.verts, b.ringAt = verts, ringAt
	b.stats.CollapsedRings += collapsed
}

// dedupe removes repeated consecutive ids from a cyclic list, in place.
func dedupe(c []int32) []int32 {
	out := c[:0]
	for _, v := range c {
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	for len(out) > 1 && out[len(out)-1] == out[0] {
		out = out[:len(out)-1]
	}
	return out
}

// insertion is a vertex to insert into a ring's edge (a T-junction).
type insertion struct {
	ring, edge int32 // edge i runs from vertex i to vertex i+1 of the ring
	v          int32
	t, dist    float64 // position along the edge (0..1) and distance from it
}

// insertTJunctions inserts every vertex that lies within eps of the inside
// of another ring's edge into that edge, so that both rings share it and
// the border between them can become one arc. Vertices are already snapped,
// so such a vertex is more than eps from the edge's ends.
func (b *builder) insertTJunctions(eps float64) {
	boxes := make([]box, len(b.verts))
	for r := range b.rings() {
		c := b.ring(r)
		for i, v := range c {
			boxes[int(b.ringAt[r])+i] = segmentBox(b.pts[v], b.pts[c[(i+1)%len(c)]]).grow(eps)
		}
	}
	g := newGrid(b.bound, boxes)
	used := make([]bool, len(b.pts))
	for _, v := range b.verts {
		used[v] = true
	}
	var ins []insertion
	for v, p := range b.pts {
		if !used[v] {
			continue
		}
		for _, k := range g.at(g.cell(p[0], p[1])) {
			if !boxes[k].contains(p) {
				continue
			}
			if in, ok := b.onEdge(int32(v), k, eps); ok {
				ins = append(ins, in)
			}
		}
	}
	if len(ins) == 0 {
		return
	}
	// A vertex near two edges of one ring (at a sharp corner) goes into the
	// nearer only, or the ring would run through it twice.
	slices.SortFunc(ins, func(x, y insertion) int {
		return cmp.Or(cmp.Compare(x.ring, y.ring), cmp.Compare(x.v, y.v), cmp.Compare(x.dist, y.dist), cmp.Compare(x.edge, y.edge))
	})
	ins = slices.CompactFunc(ins, func(x, y insertion) bool { return x.ring == y.ring && x.v == y.v })
	slices.SortFunc(ins, func(x, y insertion) int {
		return cmp.Or(cmp.Compare(x.ring, y.ring), cmp.Compare(x.edge, y.edge), cmp.Compare(x.t, y.t))
	})
	b.stats.TJunctions = len(ins)
	b.rewrite(func(r int, in []int32, out []int32) []int32 {
		lo, _ := slices.BinarySearchFunc(ins, int32(r), func(x insertion, r int32) int { return cmp.Compare(x.ring, r) })
		for i, v := range in {
			out = append(out, v)
			for ; lo < len(ins) && ins[lo].ring == int32(r) && ins[lo].edge == int32(i); lo++ {
				out = append(out, ins[lo].v)
			}
		}
		return out
	})
}

// onEdge reports whether vertex v lies within eps of the inside of the edge
// at position k of verts, and of a ring v is not on.
func (b *builder) onEdge(v int32, k int32, eps float64) (insertion, bool) {
	r := sort.Search(b.rings(), func(r int) bool { return b.ringAt[r+1] > k })
	c := b.ring(r)
	i := int(k - b.ringAt[r])
	a, e := c[i], c[(i+1)%len(c)]
	if a == v || e == v {
		return insertion{}, false
	}
	p, q, x := b.pts[a], b.pts[e], b.pts[v]
	dx, dy := q[0]-p[0], q[1]-p[1]
	t := ((x[0]-p[0])*dx + (x[1]-p[1])*dy) / (dx*dx + dy*dy)
	if !(t > 0 && t < 1) {
		return insertion{}, false
	}
	d := math.Hypot(p[0]+t*dx-x[0], p[1]+t*dy-x[1])
	if d > eps || slices.Contains(c, v) {
		return insertion{}, false
	}
	return insertion{ring: int32(r), edge: int32(i), v: v, t: t, dist: d}, true
}
