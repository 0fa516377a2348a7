package tiles

import (
	"encoding/binary"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"
	"github.com/tidwall/rtree"

	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
)

// Simplifier returns the layer's areas simplified with a tolerance in
// metres: one MultiPolygon per area, in the layer's order, empty when the
// area collapsed. A topological simplifier keeps the borders of
// neighbours identical; DouglasPeucker does not.
type Simplifier func(tolerance float64) []orb.MultiPolygon

// DouglasPeucker simplifies each area on its own (Douglas-Peucker per
// ring): neighbours' borders may part by up to the tolerance.
func DouglasPeucker(areas []orb.MultiPolygon) Simplifier {
	return func(tol float64) []orb.MultiPolygon {
		out := make([]orb.MultiPolygon, len(areas))
		dp := simplify.DouglasPeucker(tol)
		for i, mp := range areas {
			out[i] = dp.MultiPolygon(mp.Clone())
		}
		return out
	}
}

// Feature is one feature of a tile: the index of its area or point in the
// layer and its geometry in tile coordinates (whole numbers).
type Feature struct {
	Index    int
	Geometry orb.Geometry // orb.MultiPolygon or orb.Point; nil when pre is set
	// pre, from TileMVT, are the area's MVT commands encoded once for
	// its zoom, to be moved by (dx, dy) (see commandsAtZoom).
	pre    *commandsAtZoom
	dx, dy float64
}

// commandsAtZoom are an area's MVT geometry commands on the zoom's global
// grid. Parameters are relative to the previous point, so only the first
// MoveTo depends on the tile: first is that point, rest the commands after
// it, the same in every tile.
type commandsAtZoom struct {
	first orb.Point
	rest  []byte
}

// Areas is a layer of areas: their geometry in metres, prepared once per
// zoom (simplified, snapped, encoded and listed by tile; see areasAtZoom)
// by Prepare or the zoom's first tile.
type Areas struct {
	geom      []orb.MultiPolygon
	bound     orb.Bound
	simplify  Simplifier
	tolerance func(z int) float64
	zooms     [MaxZoom + 1]areasAtZoom
	dropped   atomic.Int64
}

type areasAtZoom struct {
	once sync.Once
	// geom is each area simplified for the zoom, in metres, to cut it at
	// a tile's edge; nil for an area too small ever to be cut (neverCut).
	geom      []orb.MultiPolygon
	index     tileIndex
	fallbacks int // areas whose simplification was invalid
	// snapped is each area on the zoom's global grid of whole tile
	// coordinates (tile x·Extent … on the zoom), snapped and repaired once:
	// rounding commutes with moving by whole tiles, so an area that lies
	// inside a tile (within Reach) is that tile's geometry moved, and only
	// larger areas that cross a tile's edge are cut and snapped per tile.
	snapped []orb.MultiPolygon
	bounds  []orb.Bound // of snapped
	cmds    []commandsAtZoom
}

// NewAreas makes a layer of areas given in metres. simplify and tolerance
// (metres at a zoom) decide the geometry of each zoom; nil means
// DouglasPeucker and Tolerance.
func NewAreas(geom []orb.MultiPolygon, simplify Simplifier, tolerance func(z int) float64) *Areas {
	if simplify == nil {
		simplify = DouglasPeucker(geom)
	}
	if tolerance == nil {
		tolerance = Tolerance
	}
	a := &Areas{geom: geom, simplify: simplify, tolerance: tolerance}
	for i, mp := range geom {
		if i == 0 {
			a.bound = mp.Bound()
		} else {
			a.bound = a.bound.Union(mp.Bound())
		}
	}
	return a
}

// Len is the number of areas.
func (a *Areas) Len() int { return len(a.geom) }

// Bound is the bounding box of all areas in metres.
func (a *Areas) Bound() orb.Bound { return a.bound }

// at is the layer's geometry at zoom z, simplified on first use.
func (a *Areas) at(z int) *areasAtZoom {
	az := &a.zooms[z]
	az.once.Do(func() {
		minArea := PixelSize(z) * PixelSize(z)
		az.geom = a.simplify(a.tolerance(z))
		for i, mp := range az.geom {
			// A simplification that broke an area (a ring that crosses
			// itself) is not drawn: the area keeps its full detail.
			if _, _, err := geomcheck.MultiPolygon(mp); err != nil && len(mp) > 0 {
				mp = a.geom[i]
				az.fallbacks++
			}
			az.geom[i] = dropSmall(mp, minArea)
		}
		global := gridOf(Tile{Z: z})
		az.index = newTileIndex(z, az.geom)
		az.snapped, az.bounds = make([]orb.MultiPolygon, len(az.geom)), make([]orb.Bound, len(az.geom))
		for i, mp := range az.geom {
			if len(mp) == 0 {
				continue
			}
			sn, dropped := repair(snap(toTileCoords(global, mp)))
			a.dropped.Add(int64(dropped))
			az.snapped[i] = sn
			if len(sn) > 0 {
				az.bounds[i] = sn.Bound()
			}
		}
		az.cmds = make([]commandsAtZoom, len(az.snapped))
		for i, sn := range az.snapped {
			if len(sn) > 0 {
				az.cmds[i] = splitCommands(sn)
			}
			// An area this small lies within Reach of every tile it
			// meets, so it is never cut at this zoom: its simplified
			// geometry is not kept (it would be half of what the garbage
			// collector marks of the zoom).
			if b := az.bounds[i]; b.Max[0]-b.Min[0] <= neverCut && b.Max[1]-b.Min[1] <= neverCut {
				az.geom[i] = nil
			}
		}
	})
	return az
}

// neverCut is the largest size of an area on the zoom's grid that is
// never cut: one that meets a tile with its buffer reaches at most this
// far beyond the buffer, so it stays within Reach (with a unit to spare
// for rounding).
const neverCut = Reach - Buffer - 1

// splitCommands encodes a snapped area's commands and splits off the first
// point (see commandsAtZoom).
func splitCommands(mp orb.MultiPolygon) commandsAtZoom {
	b, _ := appendCommands(nil, mp)
	// MoveTo(1), then the first point's two zigzag varints.
	k := 0
	for range 3 {
		_, n := binary.Uvarint(b[k:])
		k += n
	}
	return commandsAtZoom{first: mp[0][0][0], rest: b[k:]}
}

// Prepare makes zoom z's geometry now rather than for its first tile.
func (a *Areas) Prepare(z int) { a.at(z) }

// Dropped counts the rings left out of tiles so far because rounding to
// whole tile coordinates made them invalid beyond repair (see repair).
func (a *Areas) Dropped() int64 { return a.dropped.Load() }

// Unsimplified says how many areas keep their full detail at zoom z
// because their simplification was not valid.
func (a *Areas) Unsimplified(z int) int { return a.at(z).fallbacks }

// dropSmall leaves out the parts and holes of less than minArea (square
// metres) and rings that collapsed: nobody sees them at the zoom, and
// they cost bytes in every tile. The simplifier's answer is not changed.
func dropSmall(mp orb.MultiPolygon, minArea float64) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range mp {
		if len(poly) == 0 || len(poly[0]) < 4 || math.Abs(planar.Area(poly[0])) < minArea {
			continue
		}
		kept := orb.Polygon{poly[0]}
		for _, hole := range poly[1:] {
			if len(hole) >= 4 && math.Abs(planar.Area(hole)) >= minArea {
				kept = append(kept, hole)
			}
		}
		out = append(out, kept)
	}
	return out
}

// Tile cuts the areas that reach into tile t (with its buffer): simplified
// for the zoom, clipped unless they fit within Reach, snapped to whole
// tile coordinates, exterior rings
// clockwise and holes counter-clockwise on screen (the MVT winding), with
// repeated points and collapsed rings removed. Features come in layer
// order.
func (a *Areas) Tile(t Tile) []Feature { return a.tile(nil, t, false) }

// TileMVT is Tile for MVT encoding: areas inside the tile carry their
// commands encoded once for the zoom instead of a moved copy of their
// geometry, which EncodeMVT writes as they are.
func (a *Areas) TileMVT(t Tile) []Feature { return a.tile(nil, t, true) }

// tile appends tile t's features to out.
func (a *Areas) tile(out []Feature, t Tile, mvt bool) []Feature {
	az := a.at(t.Z)
	hits := az.index.search(t, az.geom)
	g := gridOf(t)
	clipBox := orb.Bound{Min: orb.Point{-Buffer, -Buffer}, Max: orb.Point{Extent + Buffer, Extent + Buffer}}
	reach := orb.Bound{Min: orb.Point{-Reach, -Reach}, Max: orb.Point{Extent + Reach, Extent + Reach}}
	out = slices.Grow(out, len(hits))
	for _, i32 := range hits {
		i := int(i32)
		var mp orb.MultiPolygon
		// An area without its simplified geometry is one too small ever
		// to be cut (see neverCut).
		if b := az.bounds[i]; az.geom[i] == nil || within(orb.Bound{Min: orb.Point{b.Min[0] - g.tx, b.Min[1] - g.ty}, Max: orb.Point{b.Max[0] - g.tx, b.Max[1] - g.ty}}, reach) {
			if mvt {
				if len(az.snapped[i]) > 0 {
					out = append(out, Feature{Index: i, pre: &az.cmds[i], dx: -g.tx, dy: -g.ty})
				}
				continue
			}
			mp = moved(az.snapped[i], -g.tx, -g.ty)
		} else {
			var dropped int
			mp, dropped = repair(snap(clipMultiPolygon(toTileCoords(g, az.geom[i]), clipBox)))
			a.dropped.Add(int64(dropped))
		}
		if len(mp) > 0 {
			out = append(out, Feature{Index: i, Geometry: mp})
		}
	}
	return out
}

// moved is mp moved by (dx, dy), whole numbers, in a copy.
func moved(mp orb.MultiPolygon, dx, dy float64) orb.MultiPolygon {
	return mapPoints(mp, func(p orb.Point) orb.Point { return orb.Point{p[0] + dx, p[1] + dy} })
}

// mapPoints is a copy of mp with f applied to every point; the rings share
// one array (one allocation instead of one per ring).
func mapPoints(mp orb.MultiPolygon, f func(orb.Point) orb.Point) orb.MultiPolygon {
	n, rings := 0, 0
	for _, poly := range mp {
		rings += len(poly)
		for _, ring := range poly {
			n += len(ring)
		}
	}
	pts, rs := make([]orb.Point, n), make([]orb.Ring, rings)
	out := make(orb.MultiPolygon, len(mp))
	for i, poly := range mp {
		out[i], rs = orb.Polygon(rs[:len(poly):len(poly)]), rs[len(poly):]
		for j, ring := range poly {
			r := orb.Ring(pts[:len(ring):len(ring)])
			pts = pts[len(ring):]
			for k, p := range ring {
				r[k] = f(p)
			}
			out[i][j] = r
		}
	}
	return out
}

func within(b, box orb.Bound) bool {
	return b.Min[0] >= box.Min[0] && b.Min[1] >= box.Min[1] && b.Max[0] <= box.Max[0] && b.Max[1] <= box.Max[1]
}

func toTileCoords(g grid, mp orb.MultiPolygon) orb.MultiPolygon { return mapPoints(mp, g.toTile) }

// Points is a layer of points in metres with an R-tree.
type Points struct {
	pts   []orb.Point
	bound orb.Bound
	index rtree.RTreeG[int]
}

// NewPoints makes a layer of points given in metres.
func NewPoints(pts []orb.Point) *Points {
	p := &Points{pts: pts}
	for i, pt := range pts {
		p.index.Insert(pt, pt, i)
		if i == 0 {
			p.bound = pt.Bound()
		} else {
			p.bound = p.bound.Extend(pt)
		}
	}
	return p
}

// Len is the number of points.
func (p *Points) Len() int { return len(p.pts) }

// Bound is the bounding box of all points in metres.
func (p *Points) Bound() orb.Bound { return p.bound }

// Tile is the points inside tile t and its buffer, snapped to whole tile
// coordinates, in layer order.
func (p *Points) Tile(t Tile) []Feature {
	bb := bufferedBound(t)
	var hits []int
	p.index.Search(bb.Min, bb.Max, func(_, _ [2]float64, i int) bool {
		hits = append(hits, i)
		return true
	})
	slices.Sort(hits)
	g := gridOf(t)
	out := make([]Feature, 0, len(hits))
	for _, i := range hits {
		q := g.toTile(p.pts[i])
		q = orb.Point{round(q[0]), round(q[1])}
		if q[0] < -Buffer || q[1] < -Buffer || q[0] > Extent+Buffer || q[1] > Extent+Buffer {
			continue
		}
		out = append(out, Feature{Index: i, Geometry: q})
	}
	return out
}

// round snaps to the nearest whole number, halves up: the same rule on
// both sides of zero, so that a point snaps alike in neighbouring tiles.
func round(v float64) float64 { return math.Floor(v + 0.5) }

// EncodeTile is tile t as a gzipped MVT layer (nil when no area meets
// it): TileMVT, EncodeMVT and Gzip in working memory kept between tiles,
// so that the answer is about all a tile allocates.
func (a *Areas) EncodeTile(t Tile, layer string, id func(i int) uint64, cols ...*Columns) []byte {
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	sc.feats = a.tile(sc.feats[:0], t, true)
	defer func() { clear(sc.feats); sc.feats = sc.feats[:0] }()
	if len(sc.feats) == 0 {
		return nil
	}
	return sc.gzip(sc.encodeMVT(layer, sc.feats, id, cols))
}
