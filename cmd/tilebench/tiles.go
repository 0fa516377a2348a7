package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// tile is one XYZ tile of the Web Mercator pyramid.
type tile struct{ Z, X, Y int }

func (t tile) String() string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// bbox is a bounding box in WGS84 degrees.
type bbox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// parseBBox reads "minlon,minlat,maxlon,maxlat".
func parseBBox(s string) (bbox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return bbox{}, fmt.Errorf("bbox %q: want minlon,minlat,maxlon,maxlat", s)
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return bbox{}, fmt.Errorf("bbox %q: %q is not a number", s, p)
		}
		v[i] = f
	}
	b := bbox{v[0], v[1], v[2], v[3]}
	if b.MinLon >= b.MaxLon || b.MinLat >= b.MaxLat || b.MinLon < -180 || b.MaxLon > 180 || b.MinLat < -90 || b.MaxLat > 90 {
		return bbox{}, fmt.Errorf("bbox %q: want min < max, longitudes in -180..180 and latitudes in -90..90", s)
	}
	return b, nil
}

// maxLat is where the Web Mercator square ends (±85.0511°).
var maxLat = math.Atan(math.Sinh(math.Pi)) * 180 / math.Pi

// tileXY is the tile of zoom z that contains lon/lat; points on a tile's
// west or north edge belong to that tile, the east and south edges of the
// world to the last tile.
func tileXY(lon, lat float64, z int) (x, y int) {
	n := float64(uint64(1) << z)
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	fx := (lon + 180) / 360 * n
	r := lat * math.Pi / 180
	fy := (1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n
	last := int(n) - 1
	return min(max(int(math.Floor(fx)), 0), last), min(max(int(math.Floor(fy)), 0), last)
}

// coveringTiles lists every tile of zoom z that the box touches, row by row.
func coveringTiles(b bbox, z int) []tile {
	x0, y0 := tileXY(b.MinLon, b.MaxLat, z) // north-west corner: smallest y
	x1, y1 := tileXY(b.MaxLon, b.MinLat, z)
	out := make([]tile, 0, (x1-x0+1)*(y1-y0+1))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			out = append(out, tile{z, x, y})
		}
	}
	return out
}

// tileList is the benchmark's list at zoom z: the covering tiles in an
// order shuffled by seed (so that concurrent clients do not walk
// neighbours in step), the first max of them when max > 0. The same
// arguments give the same list, so every target gets the same requests.
func tileList(b bbox, z, max int, seed uint64) []tile {
	ts := coveringTiles(b, z)
	rng := rand.New(rand.NewPCG(seed, uint64(z)))
	rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	if max > 0 && len(ts) > max {
		ts = ts[:max]
	}
	return ts
}

// tileURL fills {z}, {x} and {y} of a URL template.
func tileURL(template string, t tile) string {
	return strings.NewReplacer("{z}", strconv.Itoa(t.Z), "{x}", strconv.Itoa(t.X), "{y}", strconv.Itoa(t.Y)).Replace(template)
}
