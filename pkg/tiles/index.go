package tiles

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// tileIndex lists, for each tile of a zoom, the areas that meet it with
// its buffer, in layer order: a tile finds its areas by one lookup, where
// an R-tree search visits thousands of boxes and leaves them unsorted.
// An area spanning more than maxSpan tiles (a whole district at a deep
// zoom) is kept aside in wide and tested per tile instead.
type tileIndex struct {
	byTile map[uint64][]int32 // by tileKey
	wide   []int32
}

const maxSpan = 1024

func tileKey(x, y int) uint64 { return uint64(x)<<32 | uint64(y) }

// newTileIndex indexes areas in metres at zoom z; empty ones are left out.
func newTileIndex(z int, areas []orb.MultiPolygon) tileIndex {
	ix := tileIndex{byTile: map[uint64][]int32{}}
	g := gridOf(Tile{Z: z})
	last := 1<<z - 1
	for i, mp := range areas {
		if len(mp) == 0 {
			continue
		}
		b := mp.Bound()
		lo, hi := g.toTile(orb.Point{b.Min[0], b.Max[1]}), g.toTile(orb.Point{b.Max[0], b.Min[1]})
		// Tile x meets the area with its buffer when
		// x·Extent − Buffer ≤ hi and (x+1)·Extent + Buffer ≥ lo.
		x0, x1 := span(lo[0], hi[0], last)
		y0, y1 := span(lo[1], hi[1], last)
		if (x1-x0+1)*(y1-y0+1) > maxSpan {
			ix.wide = append(ix.wide, int32(i))
			continue
		}
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				k := tileKey(x, y)
				ix.byTile[k] = append(ix.byTile[k], int32(i))
			}
		}
	}
	return ix
}

// span is the first and last tile whose buffered extent meets [lo, hi]
// on one axis of the global grid.
func span(lo, hi float64, last int) (int, int) {
	first := int(math.Ceil((lo-Buffer)/Extent)) - 1
	end := int(math.Floor((hi + Buffer) / Extent))
	return max(first, 0), min(end, last)
}

// search is the areas meeting tile t with its buffer, in layer order.
// The answer may share the index's memory: it is not to be changed.
func (ix *tileIndex) search(t Tile, areas []orb.MultiPolygon) []int32 {
	hits := ix.byTile[tileKey(t.X, t.Y)]
	if len(ix.wide) == 0 {
		return hits
	}
	bb := bufferedBound(t)
	var more []int32
	for _, i := range ix.wide {
		if areas[i].Bound().Intersects(bb) {
			more = append(more, i)
		}
	}
	if len(more) == 0 {
		return hits
	}
	out := append(slices.Clip(hits), more...)
	slices.Sort(out)
	return out
}
