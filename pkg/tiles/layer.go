package tiles

import (
	"bytes"
	"encoding/binary"
	"fmt"
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
	Geometry orb.Geometry // orb.MultiPolygon or orb.Point; nil when rest is set
	// first and rest, from TileMVT, are an area's MVT commands encoded once
	// for its zoom (see areasAtZoom.rest): its first point, moved to the
	// tile, and the commands after it as they are.
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
	// Each area's MVT commands on the zoom's global grid of whole tile
	// coordinates (tile x·Extent … on the zoom), snapped, repaired and
	// encoded once: rounding commutes with moving by whole tiles, so an
	// area that lies inside a tile (within Reach) is the same commands in
	// every tile but for its first point, as parameters are relative to
	// the point before. first is that point, and rest[restAt[i]:restAt[i+1]]
	// the commands after it, all areas' in one buffer (none for an area
	// that collapsed); only larger areas that cross a tile's edge are cut
	// and snapped per tile. No geometry is kept besides: the collector
	// marks a few arrays, not a million small ones.
	first  []orb.Point
	rest   []byte
	restAt []uint32
	bounds []orb.Bound // on the grid, of the areas with commands
}

// commands are area i's commands after its first point; nil when it has
// none.
func (az *areasAtZoom) commands(i int) []byte {
	if az.restAt[i] == az.restAt[i+1] {
		return nil
	}
	return az.rest[az.restAt[i]:az.restAt[i+1]:az.restAt[i+1]]
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
		az.first, az.bounds = make([]orb.Point, len(az.geom)), make([]orb.Bound, len(az.geom))
		az.restAt = make([]uint32, len(az.geom)+1)
		var buf []byte
		for i, mp := range az.geom {
			az.restAt[i] = uint32(len(az.rest))
			if len(mp) == 0 {
				continue
			}
			sn, dropped := repair(snap(toTileCoords(global, mp)))
			a.dropped.Add(int64(dropped))
			if len(sn) == 0 {
				continue
			}
			b := sn.Bound()
			az.bounds[i] = b
			buf, _ = appendCommands(buf[:0], sn)
			az.first[i] = sn[0][0][0]
			az.rest = append(az.rest, buf[firstMoveTo(buf):]...)
			// An area this small lies within Reach of every tile it
			// meets, so it is never cut at this zoom: its simplified
			// geometry is not kept (it would be half of what the garbage
			// collector marks of the zoom).
			if b.Max[0]-b.Min[0] <= neverCut && b.Max[1]-b.Min[1] <= neverCut {
				az.geom[i] = nil
			}
		}
		az.restAt[len(az.geom)] = uint32(len(az.rest))
		az.rest = slices.Clip(bytes.Clone(az.rest))
	})
	return az
}

// neverCut is the largest size of an area on the zoom's grid that is
// never cut: one that meets a tile with its buffer reaches at most this
// far beyond the buffer, so it stays within Reach (with a unit to spare
// for rounding).
const neverCut = Reach - Buffer - 1

// firstMoveTo is the length of the commands' first MoveTo: the command
// and the first point's two zigzag varints.
func firstMoveTo(cmds []byte) int {
	k := 0
	for range 3 {
		_, n := binary.Uvarint(cmds[k:])
		k += n
	}
	return k
}

// decodeArea is area i at zoom az moved by (dx, dy) as geometry, read back
// from its commands (for GeoJSON, which needs the points).
func (az *areasAtZoom) decodeArea(i int, dx, dy float64) (orb.MultiPolygon, error) {
	rest, err := varints(az.commands(i))
	if err != nil {
		return nil, err
	}
	p := az.first[i]
	cmds := append([]uint64{command(cmdMoveTo, 1), zigzag(int64(p[0] + dx)), zigzag(int64(p[1] + dy))}, rest...)
	g, err := decodeGeometry(typePolygon, cmds)
	if err != nil {
		return nil, err
	}
	return g.(orb.MultiPolygon), nil
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
			rest := az.commands(i)
			if rest == nil {
				continue
			}
			if mvt {
				p := az.first[i]
				out = append(out, Feature{Index: i, first: orb.Point{p[0] - g.tx, p[1] - g.ty}, rest: rest})
				continue
			}
			var err error
			if mp, err = az.decodeArea(i, -g.tx, -g.ty); err != nil {
				panic(fmt.Sprintf("tiles: area %d at zoom %d: its own commands do not read back: %v", i, t.Z, err))
			}
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

// EncodeTile is tile t as an MVT layer gzipped for its first answer
// (Compress; nil when no area meets it): TileMVT, EncodeMVT and the
// compression in working memory kept between tiles, so that the answer is
// about all a tile allocates.
func (a *Areas) EncodeTile(t Tile, layer string, id func(i int) uint64, cols ...*Columns) (gz []byte, quick bool) {
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	sc.feats = a.tile(sc.feats[:0], t, true)
	defer func() { clear(sc.feats); sc.feats = sc.feats[:0] }()
	if len(sc.feats) == 0 {
		return nil, false
	}
	return sc.compress(sc.encodeMVT(layer, sc.feats, id, cols))
}
