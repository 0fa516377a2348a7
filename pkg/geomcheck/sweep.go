package geomcheck

import (
	"cmp"
	"slices"

	"github.com/paulmach/orb"
)

// box is the bounding box of a segment, ring or polygon, with two numbers
// that say which (for a segment: its ring and its index in the ring).
type box struct {
	minX, minY, maxX, maxY float64
	a, b                   int
}

func segmentBox(p, q orb.Point, a, b int) box {
	return box{min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1]), a, b}
}

func ringBox(r orb.Ring, a, b int) box {
	bx := box{r[0][0], r[0][1], r[0][0], r[0][1], a, b}
	for _, p := range r[1:] {
		bx.minX, bx.maxX = min(bx.minX, p[0]), max(bx.maxX, p[0])
		bx.minY, bx.maxY = min(bx.minY, p[1]), max(bx.maxY, p[1])
	}
	return bx
}

// within reports whether b lies within the (closed) box o.
func (b *box) within(o *box) bool {
	return o.minX <= b.minX && b.maxX <= o.maxX && o.minY <= b.minY && b.maxY <= o.maxY
}

// scratch returns an empty slice of boxes with room for n, reusing the
// checker's.
func (c *checker) scratch(n int) []box {
	if cap(c.boxes) < n {
		c.boxes = make([]box, 0, n)
	}
	return c.boxes[:0]
}

// overlapping calls visit for every pair of boxes that intersect (touching
// counts), until visit returns an error. It sorts the boxes by their left
// edge and compares each box with the following ones up to its right edge
// (sort and sweep): O(n log n) plus the number of pairs whose x-ranges
// overlap, which for real boundaries is a small multiple of n (a vertical
// line crosses a boundary only a few times). Pairs come in a deterministic
// order, so the same input always reports the same error.
func overlapping(boxes []box, visit func(p, q *box) error) error {
	slices.SortFunc(boxes, func(p, q box) int {
		switch {
		case p.minX < q.minX:
			return -1
		case p.minX > q.minX:
			return 1
		case p.a != q.a:
			return cmp.Compare(p.a, q.a)
		}
		return cmp.Compare(p.b, q.b)
	})
	for i := range boxes {
		p := &boxes[i]
		for j := i + 1; j < len(boxes) && boxes[j].minX <= p.maxX; j++ {
			if q := &boxes[j]; q.minY <= p.maxY && p.minY <= q.maxY {
				if err := visit(p, q); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
