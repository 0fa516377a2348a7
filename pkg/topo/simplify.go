package topo

import (
	"math"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
)

// Douglas–Peucker rather than Visvalingam–Whyatt: its tolerance is a
// distance, every removed vertex lies within it of the simplified line, so
// half a pixel of tolerance means no visible displacement at that zoom.
// Visvalingam's threshold is an area, which bounds no displacement (a long
// thin spike has little area), and its results depend on the order of
// removals, which makes the fallback below harder to reason about.

// fullLevel is the level at which an arc keeps all its vertices. An arc at
// level l < fullLevel is simplified with tol/2^l; Simplify raises an arc's
// level, one step at a time, while its simplified form crosses another arc
// or makes a polygon invalid.
const fullLevel = 7

// span locates a run of vertex ids in a buffer.
type span struct{ off, n int32 }

// simplifier is the state of one Simplify call; the Topology is only read,
// so concurrent calls do not interfere.
type simplifier struct {
	t     *Topology
	tol   float64
	level []uint8
	arcs  []span // simplified arc a: buf[arcs[a].off:][:arcs[a].n]
	buf   []int32
	rings []span // assembled ring r in rbuf; n == 0 if it collapsed
	rbuf  []int32
	keep  []bool     // scratch of douglasPeucker
	stack [][2]int32 // scratch of douglasPeucker
	pts   []orb.Point
	// invalid holds the polygons whose last check failed; flipped the
	// rings found turned inside out when last assembled.
	invalid, flipped []bool
	report           Report
}

// Report says what one Simplify call did.
type Report struct {
	Rounds  int // passes of checking and refining
	Refined int // arcs simplified less than asked, in the end
	Full    int // of which left unsimplified
	// Invalid counts output polygons that still fail pkg/geomcheck: only
	// possible where the input (after snapping) already did.
	Invalid int
	// Flipped counts rings that turned inside out and could not be helped
	// (as Invalid, only for invalid input).
	Flipped int
}

// Simplify returns each polygon simplified with tolerance tol (same units
// as the input), in input order; a polygon (or ring/part) that collapses is
// dropped (an empty MultiPolygon for a polygon with nothing left).
// Neighbours keep identical vertices along their common borders.
// Deterministic; safe for concurrent use.
//
// Each arc is simplified with Douglas–Peucker, keeping its ends. Where a
// simplified arc would cross, touch or run along another (which opens a gap
// or overlap, or makes a ring self-intersect), where a ring would turn
// inside out, or where a polygon would fail pkg/geomcheck, the arcs
// involved are simplified again with half the tolerance, until that is
// resolved or they are unsimplified. Rings that collapse (fewer than 3
// distinct points, or no area) are dropped, and a part with them if its
// exterior ring collapsed. Rings keep their orientation but may start at
// another vertex. tol <= 0 returns the polygons as built.
func (t *Topology) Simplify(tol float64) []orb.MultiPolygon {
	out, _ := t.SimplifyReport(tol)
	return out
}

// SimplifyReport is Simplify that also says how much fallback it took.
func (t *Topology) SimplifyReport(tol float64) ([]orb.MultiPolygon, Report) {
	s := &simplifier{t: t, tol: tol, level: make([]uint8, t.arcs()), arcs: make([]span, t.arcs()),
		rings: make([]span, len(t.ringSign)), invalid: make([]bool, t.Len()), flipped: make([]bool, len(t.ringSign))}
	s.run()
	return s.output(), s.summary()
}

// run simplifies every arc, then refines arcs until no simplified arc
// meets another where it must not and every polygon is valid.
func (s *simplifier) run() {
	t := s.t
	var dirty []int32 // arcs changed since they were last checked
	for a := range t.arcs() {
		if !(s.tol > 0) {
			s.level[a] = fullLevel
		}
		if s.simplifyArc(a) {
			dirty = append(dirty, int32(a))
		}
	}
	polys := newSet(t.Len()) // polygons to assemble and check
	for i := range t.Len() {
		polys.add(int32(i))
	}
	for {
		// Untangle first: crossings are the common trouble, and cheap to
		// find for all arcs at once.
		for len(dirty) > 0 {
			s.report.Rounds++
			dirty = s.refine(s.conflicts(dirty))
			s.addPolygonsOf(dirty, polys)
		}
		s.report.Rounds++
		dirty = s.refine(s.checkPolygons(polys.list))
		if len(dirty) == 0 {
			return
		}
		polys.reset()
		s.addPolygonsOf(dirty, polys)
	}
}

// addPolygonsOf adds the polygons using the given arcs to polys.
func (s *simplifier) addPolygonsOf(arcs []int32, polys *set) {
	t := s.t
	for _, a := range arcs {
		for _, i := range t.arcPolys[t.arcPolyAt[a]:t.arcPolyAt[a+1]] {
			polys.add(i)
		}
	}
}

func (s *simplifier) summary() Report {
	r := s.report
	for _, l := range s.level {
		if l > 0 && s.tol > 0 {
			r.Refined++
		}
		if l == fullLevel && s.tol > 0 {
			r.Full++
		}
	}
	for _, bad := range s.invalid {
		if bad {
			r.Invalid++
		}
	}
	for _, bad := range s.flipped {
		if bad {
			r.Flipped++
		}
	}
	return r
}

// simplifyArc simplifies arc a at its level and reports whether it lost a
// vertex (an arc with all its vertices needs no checks: the input is
// taken as valid).
func (s *simplifier) simplifyArc(a int) bool {
	vs := s.t.arc(a)
	off := int32(len(s.buf))
	if s.level[a] >= fullLevel || len(vs) <= 2 {
		s.buf = append(s.buf, vs...)
	} else {
		s.buf = s.douglasPeucker(s.buf, vs, math.Ldexp(s.tol, -int(s.level[a])))
	}
	s.arcs[a] = span{off, int32(len(s.buf)) - off}
	return int(s.arcs[a].n) < len(vs)
}

func (s *simplifier) arc(a int32) []int32 {
	sp := s.arcs[a]
	return s.buf[sp.off : sp.off+sp.n]
}

func (s *simplifier) full(a int32) bool { return int(s.arcs[a].n) == len(s.t.arc(int(a))) }

// douglasPeucker appends to dst the ids of vs that Douglas–Peucker keeps
// with tolerance tol: both ends and, recursively, the vertex farthest from
// the segment between the kept vertices around it while it is farther than
// tol. Distances are to the segment, not its line, so that a closed arc
// (both ends the same vertex) keeps its farthest vertex first.
func (s *simplifier) douglasPeucker(dst []int32, vs []int32, tol float64) []int32 {
	n := len(vs)
	if cap(s.keep) < n {
		s.keep = make([]bool, n)
	}
	keep := s.keep[:n]
	clear(keep)
	keep[0], keep[n-1] = true, true
	pts := s.t.pts
	tol2 := tol * tol
	stack := append(s.stack[:0], [2]int32{0, int32(n - 1)})
	for len(stack) > 0 {
		i, j := stack[len(stack)-1][0], stack[len(stack)-1][1]
		stack = stack[:len(stack)-1]
		far, d := int32(-1), tol2
		a, b := pts[vs[i]], pts[vs[j]]
		for k := i + 1; k < j; k++ {
			if dk := segmentDist2(pts[vs[k]], a, b); dk > d {
				far, d = k, dk
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, [2]int32{i, far}, [2]int32{far, j})
		}
	}
	s.stack = stack
	for k, v := range vs {
		if keep[k] {
			dst = append(dst, v)
		}
	}
	return dst
}

// segmentDist2 returns the squared distance from p to the segment a–b.
func segmentDist2(p, a, b orb.Point) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	px, py := p[0]-a[0], p[1]-a[1]
	if l := dx*dx + dy*dy; l > 0 {
		t := min(max((px*dx+py*dy)/l, 0), 1)
		px, py = px-t*dx, py-t*dy
	}
	return px*px + py*py
}

// refine lowers the tolerance of the given arcs one step and returns those
// that changed (an unsimplified arc cannot).
func (s *simplifier) refine(arcs []int32) []int32 {
	var changed []int32
	for _, a := range arcs {
		if s.full(a) {
			continue // nothing left to give back
		}
		// Halve the tolerance until the arc changes: the same vertices
		// would meet the same trouble.
		before := s.arc(a)
		for s.level[a] < fullLevel {
			s.level[a]++
			s.simplifyArc(int(a))
			if !equal(before, s.arc(a)) {
				changed = append(changed, a)
				break
			}
		}
	}
	return changed
}

// set is a set of small non-negative integers that remembers insertion
// order.
type set struct {
	in   []bool
	list []int32
}

func newSet(n int) *set { return &set{in: make([]bool, n)} }

func (s *set) add(i int32) {
	if !s.in[i] {
		s.in[i] = true
		s.list = append(s.list, i)
	}
}

func (s *set) reset() {
	for _, i := range s.list {
		s.in[i] = false
	}
	s.list = s.list[:0]
}

// checkPolygons assembles the given polygons from the simplified arcs and
// returns the arcs to simplify less: those of rings that turned inside out
// and of polygons that fail pkg/geomcheck.
func (s *simplifier) checkPolygons(polys []int32) []int32 {
	t := s.t
	bad := newSet(t.arcs())
	for _, i := range polys {
		simplified := false
		for r := t.partAt[t.polyAt[i]]; r < t.partAt[t.polyAt[i+1]]; r++ {
			refs := t.refs[t.ringAt[r]:t.ringAt[r+1]]
			s.flipped[r] = s.assembleRing(int(r))
			if s.flipped[r] {
				for _, ref := range refs {
					bad.add(arcOf(ref))
				}
			}
			for _, ref := range refs {
				simplified = simplified || !s.full(arcOf(ref))
			}
		}
		s.invalid[i] = false
		if !simplified {
			continue // as built, and the input is taken as valid
		}
		mp := s.polygon(int(i), nil, nil, nil)
		if len(mp) == 0 {
			continue
		}
		if _, _, err := geomcheck.MultiPolygon(mp); err != nil {
			s.invalid[i] = true
			for _, ref := range t.polyArcs(int(i)) {
				bad.add(arcOf(ref))
			}
		}
	}
	return bad.list
}

// assembleRing joins the simplified arcs of ring r into s.rings[r] and
// reports whether the ring turned inside out. Spikes (a vertex whose two
// neighbours are the same vertex), left where two arcs collapsed onto one
// segment, are cut off; a ring left with fewer than 3 vertices, or all on
// one line, collapsed.
func (s *simplifier) assembleRing(r int) (flipped bool) {
	t := s.t
	off := int32(len(s.rbuf))
	for _, ref := range t.refs[t.ringAt[r]:t.ringAt[r+1]] {
		vs := s.arc(arcOf(ref))
		if ref >= 0 {
			s.rbuf = append(s.rbuf, vs[:len(vs)-1]...)
		} else {
			for k := len(vs) - 1; k > 0; k-- {
				s.rbuf = append(s.rbuf, vs[k])
			}
		}
	}
	c := removeSpikes(s.rbuf[off:])
	s.rbuf = s.rbuf[:int(off)+len(c)]
	s.rings[r] = span{off, int32(len(c))}
	if len(c) < 3 {
		s.rings[r].n = 0
		return false
	}
	s.pts = s.pts[:0]
	for _, v := range c {
		s.pts = append(s.pts, t.pts[v])
	}
	if collinearRing(s.pts) {
		s.rings[r].n = 0
		return false
	}
	return sign(signedArea(s.pts)) != t.ringSign[r]
}

// removeSpikes removes repeated vertices and spikes (x, y, x becomes x)
// from a cyclic list of vertex ids, in place: the result is a prefix of c.
func removeSpikes(c []int32) []int32 {
	out := c[:0]
	for _, v := range c {
		switch n := len(out); {
		case n > 0 && out[n-1] == v:
		case n > 1 && out[n-2] == v:
			out = out[:n-1]
		default:
			out = append(out, v)
		}
	}
	// The list is cyclic: clean up where its end meets its start.
	lo, hi := 0, len(out)
	for {
		switch {
		case hi-lo > 1 && out[hi-1] == out[lo]:
			hi--
		case hi-lo > 2 && out[hi-2] == out[lo]: // spike at the last vertex
			hi -= 2
		case hi-lo > 2 && out[hi-1] == out[lo+1]: // spike at the first vertex
			lo, hi = lo+1, hi-1
		default:
			return c[:copy(c, out[lo:hi])]
		}
	}
}

// polygon builds polygon i from the assembled rings, taking points, rings
// and polygons from the given slabs (nil to allocate), and returns it.
func (s *simplifier) polygon(i int, pts *[]orb.Point, rings *[]orb.Ring, polys *[]orb.Polygon) orb.MultiPolygon {
	if pts == nil {
		pts, rings, polys = new([]orb.Point), new([]orb.Ring), new([]orb.Polygon)
	}
	t := s.t
	p0 := len(*polys)
	for part := t.polyAt[i]; part < t.polyAt[i+1]; part++ {
		first, last := t.partAt[part], t.partAt[part+1]
		if s.rings[first].n == 0 {
			continue // the exterior ring collapsed, and so did what it held
		}
		r0 := len(*rings)
		for r := first; r < last; r++ {
			sp := s.rings[r]
			if sp.n == 0 {
				continue
			}
			k := len(*pts)
			for _, v := range s.rbuf[sp.off : sp.off+sp.n] {
				*pts = append(*pts, t.pts[v])
			}
			*pts = append(*pts, t.pts[s.rbuf[sp.off]])
			*rings = append(*rings, orb.Ring((*pts)[k:len(*pts):len(*pts)]))
		}
		*polys = append(*polys, orb.Polygon((*rings)[r0:len(*rings):len(*rings)]))
	}
	return orb.MultiPolygon((*polys)[p0:len(*polys):len(*polys)])
}

// output builds all polygons in three slabs (points, rings, polygons), so
// that 100,000 small polygons take a handful of allocations. Each result
// is capped to its own piece of the slab: appending to one cannot
// overwrite another.
func (s *simplifier) output() []orb.MultiPolygon {
	t := s.t
	var np, nr, nq int
	for part := range len(t.partAt) - 1 {
		if s.rings[t.partAt[part]].n == 0 {
			continue
		}
		nq++
		for r := t.partAt[part]; r < t.partAt[part+1]; r++ {
			if n := s.rings[r].n; n > 0 {
				nr++
				np += int(n) + 1
			}
		}
	}
	pts, rings, polys := make([]orb.Point, 0, np), make([]orb.Ring, 0, nr), make([]orb.Polygon, 0, nq)
	out := make([]orb.MultiPolygon, t.Len())
	for i := range out {
		out[i] = s.polygon(i, &pts, &rings, &polys)
	}
	return out
}
