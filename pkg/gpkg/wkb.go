package gpkg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// A small WKB reader. orb's own decoder reads only 2D WKB, but GeoPackages
// made from 3D sources hold ISO WKB with Z or M (spec clause 2.1.3.1.1 and
// Annex G: type codes 1001..1007 for Z, 2001..2007 for M, 3001..3007 for
// ZM). This reader accepts all four and keeps X and Y only. It also accepts
// the older "extended WKB" flags 0x80000000 (Z) and 0x40000000 (M) that some
// writers used before ISO codes were common.

// wkbTypeNames names the WKB base types that are valid but not supported,
// for the error message.
var wkbTypeNames = map[uint32]string{
	8: "CircularString", 9: "CompoundCurve", 10: "CurvePolygon",
	11: "MultiCurve", 12: "MultiSurface", 13: "Curve", 14: "Surface",
	15: "PolyhedralSurface", 16: "TIN", 17: "Triangle",
}

// maxWKBDepth bounds nested geometry collections, so that a hostile blob
// cannot exhaust the stack.
const maxWKBDepth = 32

var errWKBShort = errors.New("WKB: unexpected end of data")

type wkbReader struct {
	b     []byte
	off   int
	order binary.ByteOrder
}

// decodeWKB decodes one WKB geometry that must fill b exactly.
func decodeWKB(b []byte) (orb.Geometry, error) {
	r := &wkbReader{b: b}
	g, err := r.geometry(0)
	if err != nil {
		return nil, err
	}
	if r.off != len(b) {
		return nil, fmt.Errorf("WKB: %d bytes left over after the geometry", len(b)-r.off)
	}
	return g, nil
}

func (r *wkbReader) geometry(depth int) (orb.Geometry, error) {
	if depth > maxWKBDepth {
		return nil, fmt.Errorf("WKB: collections nested deeper than %d", maxWKBDepth)
	}
	if r.off >= len(r.b) {
		return nil, errWKBShort
	}
	switch r.b[r.off] {
	case 0:
		r.order = binary.BigEndian
	case 1:
		r.order = binary.LittleEndian
	default:
		return nil, fmt.Errorf("WKB: bad byte order marker %d", r.b[r.off])
	}
	r.off++
	code, err := r.uint32()
	if err != nil {
		return nil, err
	}
	base, dims, err := splitWKBType(code)
	if err != nil {
		return nil, err
	}

	switch base {
	case 1:
		return r.point(dims)
	case 2:
		ps, err := r.points(dims)
		return orb.LineString(ps), err
	case 3:
		return r.polygon(dims)
	case 4, 5, 6, 7:
		n, err := r.count(5) // a member is at least a byte order and a type
		if err != nil {
			return nil, err
		}
		var parts []orb.Geometry
		for range n {
			g, err := r.geometry(depth + 1)
			if err != nil {
				return nil, err
			}
			parts = append(parts, g)
		}
		return collect(base, parts)
	}
	if name, ok := wkbTypeNames[base]; ok {
		return nil, fmt.Errorf("WKB: geometry type %d (%s) is not supported", code, name)
	}
	return nil, fmt.Errorf("WKB: unknown geometry type %d", code)
}

// splitWKBType splits a WKB type code into the base type 1..17 and the
// number of ordinates per point (2, 3 or 4).
func splitWKBType(code uint32) (base uint32, dims int, err error) {
	dims = 2
	if code&0x80000000 != 0 { // extended WKB Z flag
		dims++
	}
	if code&0x40000000 != 0 { // extended WKB M flag
		dims++
	}
	if code&0x20000000 != 0 {
		return 0, 0, fmt.Errorf("WKB: type %#x carries an SRID (PostGIS EWKB), which GeoPackage does not allow", code)
	}
	iso := code & 0x0fffffff
	switch iso / 1000 {
	case 0:
	case 1, 2: // Z or M
		dims++
	case 3: // ZM
		dims += 2
	default:
		return 0, 0, fmt.Errorf("WKB: unknown geometry type %d", code)
	}
	if dims > 4 {
		return 0, 0, fmt.Errorf("WKB: type %#x has both ISO and extended dimension flags", code)
	}
	return iso % 1000, dims, nil
}

func (r *wkbReader) uint32() (uint32, error) {
	if len(r.b)-r.off < 4 {
		return 0, errWKBShort
	}
	v := r.order.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

// count reads an element count and checks that the rest of the data can
// hold that many elements of at least minSize bytes, so that a corrupt
// count fails here instead of allocating gigabytes.
func (r *wkbReader) count(minSize int) (int, error) {
	n, err := r.uint32()
	if err != nil {
		return 0, err
	}
	if uint64(n)*uint64(minSize) > uint64(len(r.b)-r.off) {
		return 0, fmt.Errorf("WKB: count %d does not fit in the remaining %d bytes", n, len(r.b)-r.off)
	}
	return int(n), nil
}

// coord reads one point of dims ordinates and keeps X and Y.
func (r *wkbReader) coord(dims int) orb.Point {
	x := math.Float64frombits(r.order.Uint64(r.b[r.off:]))
	y := math.Float64frombits(r.order.Uint64(r.b[r.off+8:]))
	r.off += 8 * dims
	return orb.Point{x, y}
}

func (r *wkbReader) point(dims int) (orb.Point, error) {
	if len(r.b)-r.off < 8*dims {
		return orb.Point{}, errWKBShort
	}
	return r.coord(dims), nil
}

func (r *wkbReader) points(dims int) ([]orb.Point, error) {
	n, err := r.count(8 * dims)
	if err != nil {
		return nil, err
	}
	ps := make([]orb.Point, n)
	for i := range ps {
		ps[i] = r.coord(dims)
	}
	return ps, nil
}

func (r *wkbReader) polygon(dims int) (orb.Polygon, error) {
	n, err := r.count(4)
	if err != nil {
		return nil, err
	}
	p := make(orb.Polygon, n)
	for i := range p {
		ring, err := r.points(dims)
		if err != nil {
			return nil, err
		}
		p[i] = orb.Ring(ring)
	}
	return p, nil
}

// collect builds the multi geometry or collection of WKB base type base
// (4 MultiPoint, 5 MultiLineString, 6 MultiPolygon, 7 GeometryCollection)
// and checks that its members have the right type.
func collect(base uint32, parts []orb.Geometry) (orb.Geometry, error) {
	switch base {
	case 4:
		return members[orb.Point, orb.MultiPoint](parts, "MultiPoint")
	case 5:
		return members[orb.LineString, orb.MultiLineString](parts, "MultiLineString")
	case 6:
		return members[orb.Polygon, orb.MultiPolygon](parts, "MultiPolygon")
	}
	return orb.Collection(parts), nil
}

// members converts the parts of a multi geometry to their one allowed type.
func members[T orb.Geometry, M ~[]T](parts []orb.Geometry, name string) (M, error) {
	m := make(M, len(parts))
	for i, g := range parts {
		t, ok := g.(T)
		if !ok {
			return nil, fmt.Errorf("WKB: %s member %d is a %s", name, i+1, g.GeoJSONType())
		}
		m[i] = t
	}
	return m, nil
}
