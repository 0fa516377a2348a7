package tiles

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// TestTileIndex: the areas a tile finds by its index are exactly those
// whose box meets the tile with its buffer, in layer order, for Berlin's
// Planungsräume and for an area that spans too many tiles to be listed
// in each (kept aside and tested per tile).
func TestTileIndex(t *testing.T) {
	areas := berlinAreas(t)
	b := areas[0].Bound()
	for _, mp := range areas {
		b = b.Union(mp.Bound())
	}
	// All of Berlin as one area, after the Planungsräume: at z16 it
	// spans thousands of tiles.
	areas = append(slices.Clip(areas), orb.MultiPolygon{b.ToPolygon()})
	bounds := make([]orb.Bound, len(areas))
	for i, mp := range areas {
		bounds[i] = mp.Bound()
	}
	wide := 0
	for _, z := range []int{8, 11, 14, 16} {
		ix := newTileIndex(z, areas)
		wide += len(ix.wide)
		for _, tl := range tilesOver(b, z) {
			bb := bufferedBound(tl)
			var want []int32
			for i, ab := range bounds {
				if ab.Intersects(bb) {
					want = append(want, int32(i))
				}
			}
			if got := ix.search(tl, areas); !slices.Equal(got, want) {
				t.Fatalf("%v: index %v, boxes %v", tl, got, want)
			}
		}
	}
	if wide == 0 {
		t.Error("no area was too wide to list per tile: the wide path is untested")
	}
}

// TestReach: an area that crosses a tile's edge but stays within Reach is
// kept whole, as on the zoom's grid; a larger one is cut at the buffer.
func TestReach(t *testing.T) {
	tl := Tile{Z: 14, X: 8800, Y: 5373}
	m := func(x, y float64) orb.Point { return tl.FromTile(orb.Point{x, y}) }
	square := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{m(x0, y0), m(x0, y1), m(x1, y1), m(x1, y0), m(x0, y0)}}}
	}
	small := square(4000, 1000, 4400, 1400) // 304 beyond the east edge
	large := square(-2000, 2000, 2000, 6000)
	a := NewAreas([]orb.MultiPolygon{small, large}, nil, nil)
	feats := a.Tile(tl)
	if len(feats) != 2 {
		t.Fatalf("%d features, want 2", len(feats))
	}
	if got := feats[0].Geometry.Bound(); got.Max[0] != 4400 || got.Min[0] != 4000 {
		t.Errorf("small area: bound %v, want it whole (x 4000 to 4400)", got)
	}
	got := feats[1].Geometry.Bound()
	if got.Min[0] != -Buffer || got.Max[1] != Extent+Buffer {
		t.Errorf("large area: bound %v, want it cut at the buffer (x from %d, y to %d)", got, -Buffer, Extent+Buffer)
	}
	mvt := a.TileMVT(tl)
	if len(mvt) != 2 || mvt[0].rest == nil || mvt[1].rest != nil {
		t.Errorf("MVT features: the small area should use the zoom's commands and the large one be cut")
	}
}

// TestNeverCutWithinReach: an area whose zoom geometry was let go as too
// small to cut lies within Reach of every tile that finds it, so keeping
// it whole never reaches beyond what Tile promises.
func TestNeverCutWithinReach(t *testing.T) {
	a := NewAreas(berlinAreas(t), nil, nil)
	checked := 0
	for _, z := range []int{11, 13, 15} {
		az := a.at(z)
		for _, tl := range tilesOver(a.Bound(), z) {
			g := gridOf(tl)
			for _, i := range az.index.search(tl, az.geom) {
				if az.geom[i] != nil || az.commands(int(i)) == nil {
					continue
				}
				checked++
				b := az.bounds[i]
				if b.Min[0]-g.tx < -Reach || b.Min[1]-g.ty < -Reach || b.Max[0]-g.tx > Extent+Reach || b.Max[1]-g.ty > Extent+Reach {
					t.Fatalf("%v: area %d (bound %v on the zoom's grid) reaches beyond Reach", tl, i, b)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no area was let go: the test checks nothing")
	}
}
