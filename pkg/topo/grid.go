package topo

import (
	"math"

	"github.com/paulmach/orb"
)

// box is an axis-parallel bounding box.
type box struct{ minX, minY, maxX, maxY float64 }

func segmentBox(p, q orb.Point) box {
	return box{min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1])}
}

func (b box) grow(d float64) box { return box{b.minX - d, b.minY - d, b.maxX + d, b.maxY + d} }

func (b box) overlaps(o box) bool {
	return b.minX <= o.maxX && o.minX <= b.maxX && b.minY <= o.maxY && o.minY <= b.maxY
}

func (b box) contains(p orb.Point) bool {
	return b.minX <= p[0] && p[0] <= b.maxX && b.minY <= p[1] && p[1] <= b.maxY
}

// grid is a uniform grid over a set of boxes: each cell lists the boxes
// that overlap it (compressed rows: items[start[c]:start[c+1]]). A grid
// rather than a tree because the boxes here are segments of a coverage,
// spread fairly evenly, and a grid is built in two linear passes.
type grid struct {
	minX, minY float64
	inv        float64 // cells per unit of length
	nx, ny     int
	start      []int32
	items      []int32
}

// newGrid indexes boxes within bounds b, with cells about the size of the
// boxes' mean extent but never many more cells than boxes.
func newGrid(b orb.Bound, boxes []box) *grid {
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	n := max(len(boxes), 1)
	mean := 0.0
	for _, bx := range boxes {
		mean += (bx.maxX - bx.minX) + (bx.maxY - bx.minY)
	}
	mean /= 2 * float64(n)
	cell := max(mean, math.Sqrt(w*h/float64(n)), math.Max(w, h)/4096)
	if !(cell > 0) || math.IsInf(cell, 0) {
		cell = 1
	}
	g := &grid{minX: b.Min[0], minY: b.Min[1], inv: 1 / cell}
	g.nx = int(w*g.inv) + 1
	g.ny = int(h*g.inv) + 1

	g.start = make([]int32, g.nx*g.ny+1)
	for _, bx := range boxes {
		x0, y0, x1, y1 := g.cells(bx)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				g.start[y*g.nx+x+1]++
			}
		}
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	g.items = make([]int32, g.start[len(g.start)-1])
	fill := make([]int32, g.nx*g.ny)
	copy(fill, g.start)
	for i, bx := range boxes {
		x0, y0, x1, y1 := g.cells(bx)
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				c := y*g.nx + x
				g.items[fill[c]] = int32(i)
				fill[c]++
			}
		}
	}
	return g
}

// cell returns the column and row of the cell holding (x, y), clamped to
// the grid.
func (g *grid) cell(x, y float64) (int, int) {
	cx := int((x - g.minX) * g.inv)
	cy := int((y - g.minY) * g.inv)
	return min(max(cx, 0), g.nx-1), min(max(cy, 0), g.ny-1)
}

// cells returns the range of cells a box overlaps.
func (g *grid) cells(b box) (x0, y0, x1, y1 int) {
	x0, y0 = g.cell(b.minX, b.minY)
	x1, y1 = g.cell(b.maxX, b.maxY)
	return
}

// at returns the boxes listed in cell (x, y).
func (g *grid) at(x, y int) []int32 {
	c := y*g.nx + x
	return g.items[g.start[c]:g.start[c+1]]
}
