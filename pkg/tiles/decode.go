package tiles

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Decoded is one feature of a decoded vector tile, in tile coordinates.
type Decoded struct {
	ID         uint64
	Properties map[string]any
	// Geometry is an orb.MultiPoint or an orb.MultiPolygon; polygon rings
	// are grouped by the specification's rule: a ring of positive area
	// starts a polygon, the rings of negative area after it are its holes.
	Geometry orb.Geometry
}

// DecodedLayer is one layer of a decoded vector tile.
type DecodedLayer struct {
	Name     string
	Version  int
	Extent   int
	Features []Decoded
	Keys     []string
	Values   []any // the layer's table of values, as written
}

var errTruncated = errors.New("mvt: truncated")

// DecodeMVT reads an (ungzipped) vector tile: what a client would draw,
// for tests and tools. It reads points and polygons.
func DecodeMVT(b []byte) ([]DecodedLayer, error) {
	var out []DecodedLayer
	err := fields(b, func(field int, v uint64, data []byte) error {
		if field != tileLayers {
			return nil
		}
		l, err := decodeLayer(data)
		out = append(out, l)
		return err
	})
	return out, err
}

// fields calls fn for each field of a message: varint and fixed64 values
// in v, length-delimited ones in data.
func fields(b []byte, fn func(field int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return errTruncated
		}
		b = b[n:]
		var v uint64
		var data []byte
		switch tag & 7 {
		case wireVarint:
			if v, n = binary.Uvarint(b); n <= 0 {
				return errTruncated
			}
			b = b[n:]
		case wireFixed:
			if len(b) < 8 {
				return errTruncated
			}
			v, b = binary.LittleEndian.Uint64(b), b[8:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errTruncated
			}
			data, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return fmt.Errorf("mvt: wire type %d", tag&7)
		}
		if err := fn(int(tag>>3), v, data); err != nil {
			return err
		}
	}
	return nil
}

func varints(b []byte) ([]uint64, error) {
	var out []uint64
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errTruncated
		}
		out, b = append(out, v), b[n:]
	}
	return out, nil
}

type rawFeature struct {
	id   uint64
	typ  uint64
	tags []uint64
	geom []uint64
}

func decodeLayer(b []byte) (DecodedLayer, error) {
	l := DecodedLayer{Version: 1, Extent: 4096}
	var raw []rawFeature
	err := fields(b, func(field int, v uint64, data []byte) error {
		var err error
		switch field {
		case layerName:
			l.Name = string(data)
		case layerVersion:
			l.Version = int(v)
		case layerExtent:
			l.Extent = int(v)
		case layerKeys:
			l.Keys = append(l.Keys, string(data))
		case layerValues:
			var val any
			err = fields(data, func(f int, v uint64, d []byte) error {
				switch f {
				case valueString:
					val = string(d)
				case 2: // float, fixed32: not written by EncodeMVT
					return errors.New("mvt: float values are not read")
				case valueDouble:
					val = math.Float64frombits(v)
				case valueInt:
					val = int64(v)
				case valueUint:
					val = v
				case 6:
					val = int64(v>>1) ^ -int64(v&1)
				case valueBool:
					val = v != 0
				}
				return nil
			})
			l.Values = append(l.Values, val)
		case layerFeatures:
			var f rawFeature
			err = fields(data, func(ff int, v uint64, d []byte) error {
				var err error
				switch ff {
				case featureID:
					f.id = v
				case featureType:
					f.typ = v
				case featureTags:
					f.tags, err = varints(d)
				case featureGeometry:
					f.geom, err = varints(d)
				}
				return err
			})
			raw = append(raw, f)
		}
		return err
	})
	if err != nil {
		return l, err
	}
	for _, f := range raw {
		d := Decoded{ID: f.id, Properties: map[string]any{}}
		if len(f.tags)%2 != 0 {
			return l, errors.New("mvt: odd number of tags")
		}
		for i := 0; i < len(f.tags); i += 2 {
			if f.tags[i] >= uint64(len(l.Keys)) || f.tags[i+1] >= uint64(len(l.Values)) {
				return l, errors.New("mvt: tag out of range")
			}
			d.Properties[l.Keys[f.tags[i]]] = l.Values[f.tags[i+1]]
		}
		var err error
		if d.Geometry, err = decodeGeometry(f.typ, f.geom); err != nil {
			return l, err
		}
		l.Features = append(l.Features, d)
	}
	return l, nil
}

func decodeGeometry(typ uint64, cmds []uint64) (orb.Geometry, error) {
	var x, y int64
	var rings []orb.Ring
	var pts orb.MultiPoint
	var cur orb.Ring
	for i := 0; i < len(cmds); {
		id, count := cmds[i]&7, int(cmds[i]>>3)
		i++
		switch id {
		case cmdMoveTo, cmdLineTo:
			if i+2*count > len(cmds) {
				return nil, errTruncated
			}
			for k := 0; k < count; k++ {
				x += int64(cmds[i]>>1) ^ -int64(cmds[i]&1)
				y += int64(cmds[i+1]>>1) ^ -int64(cmds[i+1]&1)
				i += 2
				p := orb.Point{float64(x), float64(y)}
				if typ == typePoint {
					pts = append(pts, p)
				} else if id == cmdMoveTo {
					cur = orb.Ring{p}
				} else {
					cur = append(cur, p)
				}
			}
		case cmdClose:
			if len(cur) > 0 {
				rings = append(rings, append(cur, cur[0]))
			}
			cur = nil
		default:
			return nil, fmt.Errorf("mvt: command %d", id)
		}
	}
	if typ == typePoint {
		return pts, nil
	}
	if typ != typePolygon {
		return nil, fmt.Errorf("mvt: geometry type %d is not read", typ)
	}
	var mp orb.MultiPolygon
	for _, r := range rings {
		a := shoelace(r)
		switch {
		case a > 0:
			mp = append(mp, orb.Polygon{r})
		case a < 0 && len(mp) > 0:
			mp[len(mp)-1] = append(mp[len(mp)-1], r)
		default:
			return nil, errors.New("mvt: a ring of zero area, or a hole before any exterior ring")
		}
	}
	return mp, nil
}
