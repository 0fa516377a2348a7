package topo

import (
	"cmp"

	"github.com/paulmach/orb"
)

// topology cuts the rings into arcs at junctions, stores each arc once and
// records the rings as lists of signed arc ids.
func (b *builder) topology() *Topology {
	junction := b.junctions()
	t := &Topology{partAt: b.partAt, polyAt: b.polyAt, bound: b.bound, stats: b.stats}
	t.arcAt = []int32{0}
	t.ringAt = make([]int32, 1, b.rings()+1)
	t.ringSign = make([]int8, b.rings())
	d := dedup{heads: make(map[arcKey]int32)}
	var pts []orb.Point
	for r := range b.rings() {
		if c := b.ring(r); len(c) > 0 {
			pts = pts[:0]
			for _, v := range c {
				pts = append(pts, b.pts[v])
			}
			t.ringSign[r] = sign(signedArea(pts))
			t.cutRing(c, junction, &d)
		}
		t.ringAt = append(t.ringAt, int32(len(t.refs)))
	}
	t.compact(b.pts)
	t.indexArcPolys()
	t.count(junction)
	return t
}

// cutRing walks ring c from its first junction, closing an arc at every
// junction (the last one back at the start), and appends the arcs' refs.
func (t *Topology) cutRing(c []int32, junction []bool, d *dedup) {
	k := 0
	for !junction[c[k]] {
		k++
	}
	d.ids = append(d.ids[:0], c[k])
	for i := 1; i <= len(c); i++ {
		v := c[(k+i)%len(c)]
		d.ids = append(d.ids, v)
		if junction[v] {
			t.refs = append(t.refs, t.addArc(d.ids, d))
			d.ids = append(d.ids[:0], v)
		}
	}
}

// count fills in the statistics of arcs and junctions.
func (t *Topology) count(junction []bool) {
	uses := make([]int32, t.arcs())
	for _, ref := range t.refs {
		uses[arcOf(ref)]++
	}
	for _, u := range uses {
		if u > 1 {
			t.stats.SharedArcs++
		}
	}
	for _, j := range junction {
		if j {
			t.stats.Junctions++
		}
	}
	t.stats.Arcs, t.stats.Vertices = t.arcs(), len(t.pts)
}

func sign(a float64) int8 {
	switch {
	case a > 0:
		return 1
	case a < 0:
		return -1
	}
	return 0
}

// junctions marks the vertices where arcs must end: where the rings through
// a vertex do not all have the same two neighbours there, the border
// changes from one pair of areas to another (or three areas meet). A ring
// with no such vertex (an island, or a hole filled by one other area) gets
// its lowest-leftmost vertex as a fixed point, which is the same vertex for
// every ring that runs along it, so those rings still share their arc.
func (b *builder) junctions() []bool {
	junction := make([]bool, len(b.pts))
	first := make([][2]int32, len(b.pts))
	seen := make([]bool, len(b.pts))
	for r := range b.rings() {
		c := b.ring(r)
		n := len(c)
		for i, v := range c {
			p, q := c[(i+n-1)%n], c[(i+1)%n]
			pair := [2]int32{min(p, q), max(p, q)}
			switch {
			case !seen[v]:
				seen[v], first[v] = true, pair
			case first[v] != pair:
				junction[v] = true
			}
		}
	}
	for r := range b.rings() {
		c := b.ring(r)
		if len(c) == 0 || hasJunction(c, junction) {
			continue
		}
		low := c[0]
		for _, v := range c[1:] {
			if p, q := b.pts[v], b.pts[low]; p[1] < q[1] || p[1] == q[1] && p[0] < q[0] {
				low = v
			}
		}
		junction[low] = true
		b.stats.FixedPoints++
	}
	return junction
}

func hasJunction(c []int32, junction []bool) bool {
	for _, v := range c {
		if junction[v] {
			return true
		}
	}
	return false
}

// arcKey narrows down the arcs that may equal a new one; equal keys are
// chained through dedup.next and compared vertex by vertex.
type arcKey struct{ first, second, last, n int32 }

type dedup struct {
	heads map[arcKey]int32
	next  []int32 // next arc with the same key, -1 at the end
	ids   []int32 // scratch: the arc being cut
	rev   []int32 // scratch: it backwards
}

// addArc returns the signed id of the arc through ids, adding it unless it
// is stored already, forwards or backwards. An arc is stored in the
// direction whose vertex ids compare lower, so that both rings along a
// border find the same arc.
func (t *Topology) addArc(ids []int32, d *dedup) int32 {
	canon, backwards := ids, false
	if reversedLess(ids) {
		d.rev = append(d.rev[:0], ids...)
		for i, j := 0, len(d.rev)-1; i < j; i, j = i+1, j-1 {
			d.rev[i], d.rev[j] = d.rev[j], d.rev[i]
		}
		canon, backwards = d.rev, true
	}
	key := arcKey{canon[0], canon[1], canon[len(canon)-1], int32(len(canon))}
	id, ok := d.heads[key]
	if !ok {
		id = -1
	}
	head := id
	for ; id >= 0; id = d.next[id] {
		if equal(t.arc(int(id)), canon) {
			break
		}
	}
	if id < 0 {
		id = int32(t.arcs())
		t.arcVerts = append(t.arcVerts, canon...)
		t.arcAt = append(t.arcAt, int32(len(t.arcVerts)))
		d.next = append(d.next, head)
		d.heads[key] = id
	}
	if backwards {
		return ^id
	}
	return id
}

// reversedLess reports whether ids read backwards compare lower than
// forwards.
func reversedLess(ids []int32) bool {
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		if c := cmp.Compare(ids[j], ids[i]); c != 0 {
			return c < 0
		}
	}
	return false
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (t *Topology) arcs() int { return len(t.arcAt) - 1 }

func (t *Topology) arc(a int) []int32 { return t.arcVerts[t.arcAt[a]:t.arcAt[a+1]] }

// arcOf returns the arc id of a signed arc reference.
func arcOf(ref int32) int32 {
	if ref < 0 {
		return ^ref
	}
	return ref
}

// compact keeps only the vertices the arcs use, in id order.
func (t *Topology) compact(pts []orb.Point) {
	id := make([]int32, len(pts))
	for i := range id {
		id[i] = -1
	}
	for _, v := range t.arcVerts {
		id[v] = 0
	}
	for v, p := range pts {
		if id[v] == 0 {
			id[v] = int32(len(t.pts))
			t.pts = append(t.pts, p)
		}
	}
	for i, v := range t.arcVerts {
		t.arcVerts[i] = id[v]
	}
}

// indexArcPolys lists for each arc the input polygons using it, so that
// when an arc changes only those polygons are checked again.
func (t *Topology) indexArcPolys() {
	n := t.arcs()
	last := make([]int32, n)
	for i := range last {
		last[i] = -1
	}
	t.arcPolyAt = make([]int32, n+1)
	t.eachArc(func(i int, a int32) {
		if last[a] != int32(i) {
			last[a] = int32(i)
			t.arcPolyAt[a+1]++
		}
	})
	for a := 1; a <= n; a++ {
		t.arcPolyAt[a] += t.arcPolyAt[a-1]
	}
	t.arcPolys = make([]int32, t.arcPolyAt[n])
	fill := make([]int32, n)
	copy(fill, t.arcPolyAt)
	for i := range last {
		last[i] = -1
	}
	t.eachArc(func(i int, a int32) {
		if last[a] != int32(i) {
			last[a] = int32(i)
			t.arcPolys[fill[a]] = int32(i)
			fill[a]++
		}
	})
}

// eachArc calls f for every arc of every ring of every polygon i, in order.
func (t *Topology) eachArc(f func(i int, a int32)) {
	for i := range t.Len() {
		for _, a := range t.polyArcs(i) {
			f(i, arcOf(a))
		}
	}
}

// polyArcs returns the signed arc refs of all rings of polygon i.
func (t *Topology) polyArcs(i int) []int32 {
	first := t.partAt[t.polyAt[i]]
	last := t.partAt[t.polyAt[i+1]]
	return t.refs[t.ringAt[first]:t.ringAt[last]]
}
