package tiles

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"sync"

	"github.com/paulmach/orb"
)

// Prop is one property of a feature. A nil Value has no number or text:
// MVT, which has no null, leaves it out; GeoJSON writes null.
type Prop struct {
	Key   string
	Value any
}

// EncodeGeoJSON writes the features of tile t as a GeoJSON
// FeatureCollection in WGS84 longitude and latitude (7 decimals, about a
// centimetre), from the same clipped and snapped geometry as the MVT.
func EncodeGeoJSON(t Tile, feats []Feature, id func(i int) string, props func(i int) []Prop) []byte {
	g := gridOf(t)
	b := []byte(`{"type":"FeatureCollection","features":[`)
	for k, f := range feats {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"Feature","id":`...)
		b = appendJSON(b, id(f.Index))
		b = append(b, `,"properties":{`...)
		for j, p := range props(f.Index) {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, p.Key)
			b = append(b, ':')
			b = appendJSON(b, p.Value)
		}
		b = append(b, `},"geometry":`...)
		b = appendGeometry(b, g, f.Geometry)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

func appendGeometry(b []byte, g grid, geom orb.Geometry) []byte {
	switch geom := geom.(type) {
	case orb.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		return append(appendLonLat(b, g, geom), '}')
	case orb.MultiPolygon:
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, poly := range geom {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for j, ring := range poly {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				// Tile coordinates run y down: reversed, the rings are
				// counter-clockwise outside and clockwise in holes, as
				// RFC 7946 asks.
				for k := len(ring) - 1; k >= 0; k-- {
					if k < len(ring)-1 {
						b = append(b, ',')
					}
					b = appendLonLat(b, g, ring[k])
				}
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		return append(b, "]}"...)
	}
	return append(b, "null"...)
}

func appendLonLat(b []byte, g grid, p orb.Point) []byte {
	ll := Unproject(g.toMetres(p))
	b = append(b, '[')
	b = strconv.AppendFloat(b, math.Round(ll[0]*1e7)/1e7, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, math.Round(ll[1]*1e7)/1e7, 'f', -1, 64)
	return append(b, ']')
}

func appendJSON(b []byte, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // only non-finite numbers
		return append(b, "null"...)
	}
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...)
}

// gzipWriters are reused: a new writer allocates its window (about a
// megabyte), which would cost more than compressing a tile.
// Tiles are compressed at gzip's best speed: made once and cached, they
// are dominated by the time to make them, and the best speed costs a
// fraction of the default level for a few per cent more bytes.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// Gzip compresses a tile.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

// Gunzip decompresses a tile for a client that does not take gzip.
func Gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
