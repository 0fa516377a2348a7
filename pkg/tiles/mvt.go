package tiles

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"

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
// asks), with the feature ids the function gives for a feature's index
// and the properties of the columns.
func EncodeMVT(layer string, feats []Feature, id func(i int) uint64, cols ...*Columns) []byte {
	var sc scratch
	return sc.encodeMVT(layer, feats, id, cols)
}

// scratch is the working memory of making a tile, kept between tiles (see
// Areas.EncodeTile): a tile then allocates little more than its answer,
// and the garbage collector, which marks the whole snapshot each cycle,
// runs far less often.
type scratch struct {
	feats      []Feature
	mvt        []byte
	values     [][]byte
	tags, head []byte
	nums       []*tileNumbers
	gz         bytes.Buffer
	gzOut      []byte // quickGzip's answer
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// encodeMVT is EncodeMVT in sc's working memory: the answer is sc's until
// sc makes another tile.
func (sc *scratch) encodeMVT(layer string, feats []Feature, id func(i int) uint64, cols []*Columns) []byte {
	nums := sc.nums[:0]
	for _, c := range cols {
		nums = append(nums, c.numbers())
	}
	defer func() {
		for j, c := range cols {
			c.release(nums[j])
		}
		sc.nums = nums[:0]
	}()
	values := sc.values[:0] // the tile's values, numbered as first used
	defer func() { clear(values); sc.values = values[:0] }()
	tags, head := sc.tags[:0], sc.head[:0]
	defer func() { sc.tags, sc.head = tags, head }()
	// The layer's header goes before the features once their length is
	// known: room is left for it, so that the features are not copied.
	room := 1 + binary.MaxVarintLen64 + 2 + 2 + binary.MaxVarintLen64 + len(layer)
	size := room + 64
	for _, ft := range feats {
		size += 48
		size += len(ft.rest)
	}
	body := slices.Grow(sc.mvt[:0], room+size+size/4)[:room]
	defer func() { sc.mvt = body[:0] }()
	for _, ft := range feats {
		tags = tags[:0]
		key := 0
		for j, c := range cols {
			tn := nums[j]
			for k := range c.keys {
				if v := c.of[k][ft.Index]; v >= 0 {
					if tn.seen[v] != tn.gen {
						tn.seen[v], tn.at[v] = tn.gen, uint32(len(values))
						values = append(values, c.mvt[v])
					}
					tags = binary.AppendUvarint(tags, uint64(key+k))
					tags = binary.AppendUvarint(tags, uint64(tn.at[v]))
				}
			}
			key += len(c.keys)
		}
		// The geometry: the commands encoded for the zoom after the
		// first point moved to the tile (see areasAtZoom.rest), or encoded
		// here from the cut geometry.
		var typ uint64
		var rest []byte
		if ft.rest != nil {
			head = binary.AppendUvarint(head[:0], command(cmdMoveTo, 1))
			head = binary.AppendUvarint(head, zigzag(int64(ft.first[0])))
			head = binary.AppendUvarint(head, zigzag(int64(ft.first[1])))
			rest, typ = ft.rest, typePolygon
		} else if head, typ = appendCommands(head[:0], ft.Geometry); typ == 0 {
			continue
		}
		fid := id(ft.Index)
		geomLen := len(head) + len(rest)
		n := 1 + uvarintLen(fid) + 1 + uvarintLen(uint64(len(tags))) + len(tags) +
			1 + uvarintLen(typ) + 1 + uvarintLen(uint64(geomLen)) + geomLen
		body = binary.AppendUvarint(appendTag(body, layerFeatures, wireBytes), uint64(n))
		body = appendVarintField(body, featureID, fid)
		body = appendBytesField(body, featureTags, tags)
		body = appendVarintField(body, featureType, typ)
		body = binary.AppendUvarint(appendTag(body, featureGeometry, wireBytes), uint64(geomLen))
		body = append(append(body, head...), rest...)
	}
	for _, c := range cols {
		for _, k := range c.keys {
			body = appendBytesField(body, layerKeys, []byte(k))
		}
	}
	for _, v := range values {
		body = appendBytesField(body, layerValues, v)
	}
	body = appendVarintField(body, layerExtent, Extent)
	var l []byte
	l = appendVarintField(l, layerVersion, 2)
	l = appendBytesField(l, layerName, []byte(layer))
	n := len(l) + len(body) - room
	var head0 []byte
	head0 = binary.AppendUvarint(appendTag(head0, tileLayers, wireBytes), uint64(n))
	head0 = append(head0, l...)
	start := room - len(head0)
	copy(body[start:], head0)
	return body[start:]
}

// uvarintLen is the number of bytes of v as a varint.
func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
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
