package tiles

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// The Mapbox Vector Tile 2.1 encoding, written directly as protocol
// buffers (vector_tile.proto): a tile of one layer. orb's encoder would
// fit, but its package brings in orb/geojson, which needs the MongoDB
// driver's BSON package and gogo/protobuf; these few field numbers need
// nothing.

// Field numbers of vector_tile.proto.
const (
	tileLayers = 3

	layerName     = 1
	layerFeatures = 2
	layerKeys     = 3
	layerValues   = 4
	layerExtent   = 5
	layerVersion  = 15

	featureID       = 1
	featureTags     = 2
	featureType     = 3
	featureGeometry = 4

	valueString = 1
	valueDouble = 3
	valueInt    = 4
	valueUint   = 5
	valueBool   = 7

	// Geometry types and commands.
	typePoint   = 1
	typePolygon = 3
	cmdMoveTo   = 1
	cmdLineTo   = 2
	cmdClose    = 7

	wireVarint = 0
	wireFixed  = 1
	wireBytes  = 2
)

// EncodeMVT encodes the features of one layer as a Mapbox Vector Tile
// (layer version 2: the geometry is valid and wound as the specification
// asks), with the feature ids and properties the functions give for a
// feature's index. Property values are strings, numbers or booleans.
func EncodeMVT(layer string, feats []Feature, id func(i int) uint64, props func(i int) []Prop) ([]byte, error) {
	kv := newKeyValues()
	var body []byte
	var f, geom, tags []byte
	for _, ft := range feats {
		tags = tags[:0]
		for _, p := range props(ft.Index) {
			if p.Value == nil {
				continue
			}
			v, err := kv.value(p.Value)
			if err != nil {
				return nil, fmt.Errorf("feature %d, property %s: %w", ft.Index, p.Key, err)
			}
			tags = binary.AppendUvarint(tags, uint64(kv.key(p.Key)))
			tags = binary.AppendUvarint(tags, uint64(v))
		}
		var typ uint64
		if pre := ft.pre; pre != nil {
			geom = binary.AppendUvarint(geom[:0], command(cmdMoveTo, 1))
			geom = binary.AppendUvarint(geom, zigzag(int64(pre.first[0]+ft.dx)))
			geom = binary.AppendUvarint(geom, zigzag(int64(pre.first[1]+ft.dy)))
			geom, typ = append(geom, pre.rest...), typePolygon
		} else if geom, typ = appendCommands(geom[:0], ft.Geometry); typ == 0 {
			continue
		}
		f = f[:0]
		f = appendVarintField(f, featureID, id(ft.Index))
		f = appendBytesField(f, featureTags, tags)
		f = appendVarintField(f, featureType, typ)
		f = appendBytesField(f, featureGeometry, geom)
		body = appendBytesField(body, layerFeatures, f)
	}
	var l []byte
	l = appendVarintField(l, layerVersion, 2)
	l = appendBytesField(l, layerName, []byte(layer))
	l = append(l, body...)
	for _, k := range kv.keys {
		l = appendBytesField(l, layerKeys, []byte(k))
	}
	for _, v := range kv.values {
		l = appendBytesField(l, layerValues, v)
	}
	l = appendVarintField(l, layerExtent, Extent)
	return appendBytesField(nil, tileLayers, l), nil
}

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendVarintField(b []byte, field int, v uint64) []byte {
	return binary.AppendUvarint(appendTag(b, field, wireVarint), v)
}

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = binary.AppendUvarint(appendTag(b, field, wireBytes), uint64(len(v)))
	return append(b, v...)
}

// appendCommands encodes a geometry as MVT commands (packed varints) and
// says its type; 0 for a geometry it does not encode.
func appendCommands(b []byte, g orb.Geometry) ([]byte, uint64) {
	var cx, cy int64 // the cursor: parameters are relative to it
	move := func(p orb.Point) {
		x, y := int64(p[0]), int64(p[1])
		b = binary.AppendUvarint(b, zigzag(x-cx))
		b = binary.AppendUvarint(b, zigzag(y-cy))
		cx, cy = x, y
	}
	switch g := g.(type) {
	case orb.Point:
		b = binary.AppendUvarint(b, command(cmdMoveTo, 1))
		move(g)
		return b, typePoint
	case orb.MultiPolygon:
		for _, poly := range g {
			for _, ring := range poly {
				n := len(ring) - 1 // the closing point is ClosePath
				b = binary.AppendUvarint(b, command(cmdMoveTo, 1))
				move(ring[0])
				b = binary.AppendUvarint(b, command(cmdLineTo, n-1))
				for _, p := range ring[1:n] {
					move(p)
				}
				b = binary.AppendUvarint(b, command(cmdClose, 1))
			}
		}
		return b, typePolygon
	}
	return b, 0
}

func command(id, count int) uint64 { return uint64(id&7 | count<<3) }

func zigzag(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

// keyValues numbers a layer's distinct keys and values.
type keyValues struct {
	keys     []string
	keyIndex map[string]int
	values   [][]byte // encoded Value messages
	valIndex map[any]int
}

func newKeyValues() *keyValues {
	return &keyValues{keyIndex: map[string]int{}, valIndex: map[any]int{}}
}

func (kv *keyValues) key(k string) int {
	i, found := kv.keyIndex[k]
	if !found {
		i = len(kv.keys)
		kv.keys = append(kv.keys, k)
		kv.keyIndex[k] = i
	}
	return i
}

func (kv *keyValues) value(v any) (int, error) {
	// Whole numbers that fit are written as integers, so that a number
	// has one encoding whichever Go type carried it.
	switch x := v.(type) {
	case int:
		v = int64(x)
	case int32:
		v = int64(x)
	case uint32:
		v = uint64(x)
	case float32:
		v = float64(x)
	}
	if i, found := kv.valIndex[v]; found {
		return i, nil
	}
	var m []byte
	switch x := v.(type) {
	case string:
		m = appendBytesField(nil, valueString, []byte(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("%v is not a finite number", x)
		}
		m = binary.LittleEndian.AppendUint64(appendTag(nil, valueDouble, wireFixed), math.Float64bits(x))
	case int64:
		m = appendVarintField(nil, valueInt, uint64(x))
	case uint64:
		m = appendVarintField(nil, valueUint, x)
	case bool:
		b := uint64(0)
		if x {
			b = 1
		}
		m = appendVarintField(nil, valueBool, b)
	default:
		return 0, fmt.Errorf("a value of type %T cannot go into a vector tile", v)
	}
	i := len(kv.values)
	kv.values = append(kv.values, m)
	kv.valIndex[v] = i
	return i, nil
}
