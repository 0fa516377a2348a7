// Package tiles makes vector tiles (Mapbox Vector Tile and GeoJSON) of
// areas and points from geometry held in memory: a layer is built once
// from projected geometry, simplified once per zoom, and cut into tiles on
// demand; encoded tiles are kept in a bounded LRU cache.
//
// Coordinates are Web Mercator metres (EPSG:3857) inside a layer and tile
// coordinates in a tile: 0..Extent from the tile's top-left corner, y
// down, as the MVT specification has them. Every tile coordinate is
// snapped to the same global grid (the tile's position times Extent plus
// the coordinate), so the same point gets the same integer coordinates in
// every tile and in both neighbours that share it.
package tiles

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/crs"
)

const (
	// Extent is the size of a tile in tile coordinates (the MVT default).
	Extent = 4096
	// Buffer is how far beyond its edges a tile reaches for features, in
	// tile coordinates, so that lines along the edge draw without seams:
	// every area that meets the tile with its buffer is in it, cut at the
	// buffer unless it fits within Reach.
	Buffer = 64
	// Reach is how far beyond its edges a tile's geometry may reach: an
	// area crossing the tile's edge that stays within Reach is kept whole,
	// not cut. At the zooms where areas are small (blocks at z12 to z15)
	// this spares nearly every cut, which cost more than the rest of a
	// tile together, for a few per cent more bytes; the map clips to the
	// tile, so it draws the same. Large areas are still cut at the buffer.
	Reach = Extent / 4
	// MaxZoom is the deepest zoom served; clients draw deeper zooms from it.
	MaxZoom = 16
	// tilePixels is the size of a tile on screen, for tolerances in pixels.
	tilePixels = 256
)

// Tile is tile x/y of zoom z in the XYZ scheme (y from the north).
// orb's maptile.Tile would do, but its package needs orb/geojson and
// with it the MongoDB driver's BSON package.
type Tile struct{ Z, X, Y int }

// worldSize is the width of the Web Mercator square in metres.
const worldSize = 2 * math.Pi * 6378137

// Check says whether t is a tile of zoom minZoom..maxZoom; the error
// names the allowed range.
func (t Tile) Check(minZoom, maxZoom int) error {
	if t.Z < minZoom || t.Z > maxZoom {
		return fmt.Errorf("zoom %d is outside %d..%d", t.Z, minZoom, maxZoom)
	}
	n := 1 << t.Z
	if t.X < 0 || t.X >= n || t.Y < 0 || t.Y >= n {
		return fmt.Errorf("tile %d/%d/%d does not exist: x and y go from 0 to %d at zoom %d", t.Z, t.X, t.Y, n-1, t.Z)
	}
	return nil
}

func (t Tile) String() string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// TileSize is the width of a tile of zoom z in metres.
func TileSize(z int) float64 { return worldSize / float64(uint64(1)<<z) }

// PixelSize is the width of a screen pixel (1/256 of a tile) at zoom z in metres.
func PixelSize(z int) float64 { return TileSize(z) / tilePixels }

// Tolerance is the simplification tolerance at zoom z when no other is
// given: half a screen pixel, the largest error nobody sees.
func Tolerance(z int) float64 { return PixelSize(z) / 2 }

// Bound is the tile's square in metres.
func Bound(t Tile) orb.Bound {
	s := TileSize(t.Z)
	minX := -worldSize/2 + float64(t.X)*s
	maxY := worldSize/2 - float64(t.Y)*s
	return orb.Bound{Min: orb.Point{minX, maxY - s}, Max: orb.Point{minX + s, maxY}}
}

// bufferedBound is the tile's square with its buffer, in metres.
func bufferedBound(t Tile) orb.Bound {
	b := Bound(t)
	pad := TileSize(t.Z) * Buffer / Extent
	return orb.Bound{Min: orb.Point{b.Min[0] - pad, b.Min[1] - pad}, Max: orb.Point{b.Max[0] + pad, b.Max[1] + pad}}
}

// grid maps metres to the global grid of a zoom and back: the global grid
// coordinate of a point is its tile's X (or Y) times Extent plus its tile
// coordinate.
type grid struct {
	scale    float64 // grid units per metre
	inverse  float64 // metres per grid unit
	tx, ty   float64 // the tile's origin on the global grid
	halfSize float64
}

func gridOf(t Tile) grid {
	scale := float64(uint64(Extent)<<uint(t.Z)) / worldSize
	return grid{scale: scale, inverse: 1 / scale, tx: float64(t.X) * Extent, ty: float64(t.Y) * Extent, halfSize: worldSize / 2}
}

// toTile is a point's tile coordinates, unrounded.
func (g grid) toTile(p orb.Point) orb.Point {
	return orb.Point{(p[0]+g.halfSize)*g.scale - g.tx, (g.halfSize-p[1])*g.scale - g.ty}
}

// toMetres is the inverse of toTile.
func (g grid) toMetres(p orb.Point) orb.Point {
	return orb.Point{(p[0]+g.tx)*g.inverse - g.halfSize, g.halfSize - (p[1]+g.ty)*g.inverse}
}

var webMercator = func() *crs.CRS {
	c, err := crs.ByEPSG(3857)
	if err != nil {
		panic(err)
	}
	return c
}()

// Project turns WGS84 geometry into Web Mercator metres; latitudes are
// clamped to the Web Mercator square (±85.05°), where the tiles end.
func Project(mp orb.MultiPolygon) orb.MultiPolygon { return mapPoints(mp, ProjectPoint) }

// maxLat is the latitude of the Web Mercator square's edge.
var maxLat = math.Atan(math.Sinh(math.Pi)) * 180 / math.Pi

// ProjectPoint turns a WGS84 point into Web Mercator metres.
func ProjectPoint(p orb.Point) orb.Point {
	lat := math.Max(-maxLat, math.Min(maxLat, p[1]))
	x, y, err := webMercator.FromWGS84(p[0], lat)
	if err != nil { // only non-finite input, which stored geometry never has
		return orb.Point{}
	}
	return orb.Point{x, y}
}

// Unproject turns Web Mercator metres into WGS84.
func Unproject(p orb.Point) orb.Point {
	lon, lat, err := webMercator.ToWGS84(p[0], p[1])
	if err != nil {
		return orb.Point{}
	}
	return orb.Point{lon, lat}
}

// MinZoom is the first zoom whose tiles hold about perTile features or
// fewer when n features spread evenly over bound (metres): below it a
// tile of a fine level would carry most of the level at once.
func MinZoom(n int, bound orb.Bound, perTile int) int {
	area := max(bound.Max[0]-bound.Min[0], 1) * max(bound.Max[1]-bound.Min[1], 1)
	for z := 0; z < MaxZoom; z++ {
		s := TileSize(z)
		if float64(n)*min(1, s*s/area) <= float64(perTile) {
			return z
		}
	}
	return MaxZoom
}

// At is the tile of zoom z that holds p (metres).
func At(p orb.Point, z int) Tile {
	s := TileSize(z)
	n := 1<<z - 1
	x := int(math.Floor((p[0] + worldSize/2) / s))
	y := int(math.Floor((worldSize/2 - p[1]) / s))
	return Tile{Z: z, X: min(max(x, 0), n), Y: min(max(y, 0), n)}
}

// ToTile is p (metres) in t's tile coordinates, unrounded.
func (t Tile) ToTile(p orb.Point) orb.Point { return gridOf(t).toTile(p) }

// FromTile is a point in t's tile coordinates in metres.
func (t Tile) FromTile(p orb.Point) orb.Point { return gridOf(t).toMetres(p) }
