package tiles

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"

	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
)

// EncodeGeoJSON writes the features of tile t as a GeoJSON
// FeatureCollection in WGS84 longitude and latitude (7 decimals, about a
// centimetre), from the same clipped and snapped geometry as the MVT.
// The properties are those of the columns, null for none.
func EncodeGeoJSON(t Tile, feats []Feature, id func(i int) string, cols ...*Columns) []byte {
	g := gridOf(t)
	b := []byte(`{"type":"FeatureCollection","features":[`)
	for k, f := range feats {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"Feature","id":`...)
		b = appendJSON(b, id(f.Index))
		b = append(b, `,"properties":{`...)
		n := 0
		for _, c := range cols {
			for _, p := range c.Props(f.Index) {
				if n++; n > 1 {
					b = append(b, ',')
				}
				b = appendJSON(b, p.Key)
				b = append(b, ':')
				b = appendJSON(b, p.Value)
			}
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

// Gzip compresses a tile properly, with klauspost/compress's stateless
// deflate, which keeps no window between calls (nothing to pool or reset)
// and, on tiles, makes output a little smaller than gzip's best speed in
// a fraction of the standard library's time. The cache gives it a tile
// asked for again (a first answer is QuickGzip's).
func Gzip(b []byte) []byte {
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	return sc.gzip(b)
}

// gzip compresses b in sc's buffer and answers a copy of exactly its size.
func (sc *scratch) gzip(b []byte) []byte {
	sc.gz.Reset()
	zw, _ := gzip.NewWriterLevel(&sc.gz, gzip.StatelessCompression)
	zw.Write(b)
	zw.Close()
	return bytes.Clone(sc.gz.Bytes())
}

// recompress is a tile gzipped quickly, compressed properly.
func recompress(quick []byte) ([]byte, error) {
	plain, err := Gunzip(quick)
	if err != nil {
		return nil, err
	}
	return Gzip(plain), nil
}

// Gunzip decompresses a tile for a client that does not take gzip.
func Gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
