package topo

// segments are the segments of all simplified arcs: their boxes (for the
// grid), and which arc and which of its segments each is.
type segments struct {
	boxes []box
	arc   []int32
	k     []int32 // segment k runs from vertex k to k+1 of the simplified arc
	first []int32 // the segments of arc a are first[a]..first[a+1]-1
}

func (s *simplifier) segments() *segments {
	t := s.t
	sg := &segments{first: make([]int32, t.arcs()+1)}
	for a := range int32(t.arcs()) {
		sg.first[a] = int32(len(sg.boxes))
		vs := s.arc(a)
		if len(vs) == 2 && vs[0] == vs[1] {
			continue // a closed arc shrunk to its junction: no segment left
		}
		for k := 0; k+1 < len(vs); k++ {
			sg.boxes = append(sg.boxes, segmentBox(t.pts[vs[k]], t.pts[vs[k+1]]))
			sg.arc = append(sg.arc, a)
			sg.k = append(sg.k, int32(k))
		}
	}
	sg.first[t.arcs()] = int32(len(sg.boxes))
	return sg
}

// conflicts returns the arcs among dirty (and the arcs they meet) whose
// simplified segments meet another segment where they must not: crossing
// it, touching it other than in a shared vertex, or running along it. Two
// segments between the same two vertices are allowed: that is two borders
// collapsing onto one line, the area between them too thin to show, and
// both sides then still share the line's vertices.
//
// Only pairs with a segment of a dirty arc are tested: two arcs that kept
// all their vertices are as in the input, which is taken as valid, and
// pairs of other arcs were tested when they last changed.
func (s *simplifier) conflicts(dirty []int32) []int32 {
	sg := s.segments()
	g := newGrid(s.t.bound, sg.boxes)
	isDirty := make([]bool, s.t.arcs())
	for _, a := range dirty {
		isDirty[a] = true
	}
	bad := newSet(s.t.arcs())
	for _, a := range dirty {
		for si := sg.first[a]; si < sg.first[a+1]; si++ {
			b := sg.boxes[si]
			x0, y0, x1, y1 := g.cells(b)
			for y := y0; y <= y1; y++ {
				for x := x0; x <= x1; x++ {
					for _, ui := range g.at(x, y) {
						if ui == si || isDirty[sg.arc[ui]] && ui < si {
							continue // the same, or tested from ui's side
						}
						u := sg.boxes[ui]
						if !b.overlaps(u) {
							continue
						}
						// Test each pair once: in the cell of the lower
						// left corner of where the boxes overlap.
						if cx, cy := g.cell(max(b.minX, u.minX), max(b.minY, u.minY)); cx != x || cy != y {
							continue
						}
						if s.conflict(sg, si, ui) {
							bad.add(sg.arc[si])
							bad.add(sg.arc[ui])
						}
					}
				}
			}
		}
	}
	return bad.list
}

// conflict reports whether segments si and ui meet where they must not.
func (s *simplifier) conflict(sg *segments, si, ui int32) bool {
	p := s.arc(sg.arc[si])[sg.k[si]:]
	q := s.arc(sg.arc[ui])[sg.k[ui]:]
	p1, p2, q1, q2 := p[0], p[1], q[0], q[1]
	pts := s.t.pts
	switch intersect(pts[p1], pts[p2], pts[q1], pts[q2]) {
	case apart:
		return false
	case touch:
		return p1 != q1 && p1 != q2 && p2 != q1 && p2 != q2
	case overlap:
		return !(p1 == q1 && p2 == q2 || p1 == q2 && p2 == q1)
	}
	return true
}
