package gpkg

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

var (
	testPolygon = orb.Polygon{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{2, 2}, {2, 4}, {4, 4}, {2, 2}},
	}
	testGeometries = []struct {
		name string
		g    orb.Geometry
	}{
		{"point", orb.Point{13.4, 52.5}},
		{"linestring", orb.LineString{{1, 2}, {3, 4}, {5, 6}}},
		{"polygon with hole", testPolygon},
		{"multipoint", orb.MultiPoint{{1, 2}, {3, 4}}},
		{"multilinestring", orb.MultiLineString{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}},
		{"multipolygon", orb.MultiPolygon{testPolygon, {{{20, 20}, {30, 20}, {30, 30}, {20, 20}}}}},
		{"collection", orb.Collection{orb.Point{1, 2}, testPolygon, orb.MultiLineString{{{1, 2}, {3, 4}}}}},
	}
)

// byteOrder is what binary.LittleEndian and binary.BigEndian both are.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// testWKB encodes g as WKB in byte order bo with the ordinates dims ("xy",
// "xyz", "xym" or "xyzm"; every Z is 7 and every M is 9), using ISO type
// codes (1000s) or, with ewkb, the old high-bit flags.
func testWKB(g orb.Geometry, bo byteOrder, dims string, ewkb bool) []byte {
	hasZ, hasM := strings.Contains(dims, "z"), strings.Contains(dims, "m")
	var add func(b []byte, g orb.Geometry) []byte
	coords := func(b []byte, ps ...orb.Point) []byte {
		for _, p := range ps {
			vs := []float64{p[0], p[1]}
			if hasZ {
				vs = append(vs, 7)
			}
			if hasM {
				vs = append(vs, 9)
			}
			for _, v := range vs {
				b = bo.AppendUint64(b, math.Float64bits(v))
			}
		}
		return b
	}
	head := func(b []byte, base uint32) []byte {
		if bo == binary.LittleEndian {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		switch {
		case ewkb && hasZ && hasM:
			base |= 0xc0000000
		case ewkb && hasZ:
			base |= 0x80000000
		case ewkb && hasM:
			base |= 0x40000000
		case hasZ && hasM:
			base += 3000
		case hasZ:
			base += 1000
		case hasM:
			base += 2000
		}
		return bo.AppendUint32(b, base)
	}
	add = func(b []byte, g orb.Geometry) []byte {
		switch g := g.(type) {
		case orb.Point:
			return coords(head(b, 1), g)
		case orb.LineString:
			return coords(bo.AppendUint32(head(b, 2), uint32(len(g))), g...)
		case orb.Polygon:
			b = bo.AppendUint32(head(b, 3), uint32(len(g)))
			for _, r := range g {
				b = coords(bo.AppendUint32(b, uint32(len(r))), r...)
			}
			return b
		case orb.MultiPoint:
			b = bo.AppendUint32(head(b, 4), uint32(len(g)))
			for _, p := range g {
				b = add(b, p)
			}
			return b
		case orb.MultiLineString:
			b = bo.AppendUint32(head(b, 5), uint32(len(g)))
			for _, ls := range g {
				b = add(b, ls)
			}
			return b
		case orb.MultiPolygon:
			b = bo.AppendUint32(head(b, 6), uint32(len(g)))
			for _, p := range g {
				b = add(b, p)
			}
			return b
		case orb.Collection:
			b = bo.AppendUint32(head(b, 7), uint32(len(g)))
			for _, m := range g {
				b = add(b, m)
			}
			return b
		}
		panic("testWKB: unexpected type")
	}
	return add(nil, g)
}

// TestTestWKB checks the test encoder against orb's for plain 2D WKB.
func TestTestWKB(t *testing.T) {
	for _, tg := range testGeometries {
		for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
			want := wkb.MustMarshal(tg.g, bo)
			if got := testWKB(tg.g, bo, "xy", false); !bytes.Equal(got, want) {
				t.Errorf("%s %v: got %x, want %x", tg.name, bo, got, want)
			}
		}
	}
}

func TestDecodeWKB(t *testing.T) {
	for _, tg := range testGeometries {
		for _, dims := range []string{"xy", "xyz", "xym", "xyzm"} {
			for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
				for _, ewkb := range []bool{false, true} {
					if ewkb && dims == "xy" {
						continue
					}
					name := tg.name + "/" + dims + "/" + bo.String()
					if ewkb {
						name += "/ewkb"
					}
					t.Run(name, func(t *testing.T) {
						got, err := decodeWKB(testWKB(tg.g, bo, dims, ewkb))
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, tg.g) {
							t.Errorf("got %v, want %v", got, tg.g)
						}
					})
				}
			}
		}
	}
}

func TestDecodeWKBErrors(t *testing.T) {
	le := binary.LittleEndian
	point := testWKB(orb.Point{1, 2}, le, "xy", false)
	typed := func(code uint32, rest ...byte) []byte {
		return append(le.AppendUint32([]byte{1}, code), rest...)
	}
	tests := []struct {
		name string
		wkb  []byte
		want string
	}{
		{"empty", nil, "unexpected end of data"},
		{"bad byte order", []byte{2, 1, 0, 0, 0}, "bad byte order marker 2"},
		{"truncated point", point[:len(point)-1], "unexpected end of data"},
		{"trailing bytes", append(point[:len(point):len(point)], 0), "1 bytes left over"},
		{"unknown type", typed(99), "unknown geometry type 99"},
		{"unknown dimension", typed(4001), "unknown geometry type 4001"},
		{"curve", typed(1010), "geometry type 1010 (CurvePolygon) is not supported"},
		{"EWKB with SRID", typed(0x20000001), "carries an SRID"},
		{"huge count", typed(2, 0xff, 0xff, 0xff, 0x7f), "does not fit"},
		{"multipoint of a linestring", append(typed(4, 1, 0, 0, 0),
			testWKB(orb.LineString{{1, 2}, {3, 4}}, le, "xy", false)...), "MultiPoint member 1 is a LineString"},
		{"too deep", bytes.Repeat(typed(7, 1, 0, 0, 0), maxWKBDepth+2), "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := decodeWKB(tt.wkb)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, %v; want error %q", g, err, tt.want)
			}
		})
	}
}

// testBlob builds a GeoPackage binary blob: header byte order bo,
// envelope indicator env, extra flag bits, srs_id 25833 and body.
func testBlob(bo byteOrder, env int, flags byte, body []byte) []byte {
	flags |= byte(env << 1)
	if bo == binary.LittleEndian {
		flags |= flagLittle
	}
	b := bo.AppendUint32([]byte{'G', 'P', 0, flags}, 25833)
	for i := range envelopeLen[env] {
		b = bo.AppendUint64(b, math.Float64bits(float64(i)))
	}
	return append(b, body...)
}

func TestDecodeGeometry(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	poly := testWKB(testPolygon, le, "xy", false)
	polyZ := testWKB(testPolygon, be, "xyz", false)
	tests := []struct {
		name string
		blob []byte
		want orb.Geometry
	}{
		{"no envelope", testBlob(le, 0, 0, poly), testPolygon},
		{"xy envelope", testBlob(le, 1, 0, poly), testPolygon},
		{"big-endian header", testBlob(be, 1, 0, poly), testPolygon},
		{"xyz envelope, Z geometry", testBlob(le, 2, 0, polyZ), testPolygon},
		{"xym envelope", testBlob(be, 3, 0, poly), testPolygon},
		{"xyzm envelope", testBlob(le, 4, 0, poly), testPolygon},
		{"empty flag", testBlob(le, 0, flagEmpty, testWKB(orb.Polygon{}, le, "xy", false)), nil},
		{"empty point as NaN", testBlob(le, 0, 0, testWKB(orb.Point{math.NaN(), math.NaN()}, le, "xy", false)), nil},
		{"empty collection", testBlob(le, 0, 0, testWKB(orb.Collection{}, le, "xy", false)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeGeometry(tt.blob)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecodeGeometryErrors(t *testing.T) {
	le := binary.LittleEndian
	point := testWKB(orb.Point{1, 2}, le, "xy", false)
	badVersion := testBlob(le, 0, 0, point)
	badVersion[2] = 1
	tests := []struct {
		name string
		blob []byte
		want string
	}{
		{"short", []byte("GP"), "too short for a GeoPackage header"},
		{"bad magic", append([]byte("XY\x00\x01\x00\x00\x00\x00"), point...), "bad GeoPackage header magic"},
		{"WKB without header", append(point, point...), "bad GeoPackage header magic"},
		{"version", badVersion, "unsupported GeoPackage binary version byte 1"},
		{"envelope indicator 5", testBlob(le, 0, 5<<1, point), "invalid envelope indicator 5"},
		{"short envelope", testBlob(le, 4, 0, nil)[:40], "too short for a header with envelope indicator 4"},
		{"extended", testBlob(le, 0, flagExtended, []byte("CURV...")), `extended GeoPackage binary (extension "CURV")`},
		{"bad WKB", testBlob(le, 1, 0, point[:5]), "WKB: unexpected end of data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := decodeGeometry(tt.blob)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, %v; want error %q", g, err, tt.want)
			}
		})
	}
}

func TestEncodeGeometry(t *testing.T) {
	for _, tg := range testGeometries {
		t.Run(tg.name, func(t *testing.T) {
			b, err := encodeGeometry(tg.g, 25833)
			if err != nil {
				t.Fatal(err)
			}
			// Header: magic, version 0, flags: envelope 1, little-endian.
			if got, want := b[:4], []byte{'G', 'P', 0, 0x03}; !bytes.Equal(got, want) {
				t.Errorf("got header %x, want %x", got, want)
			}
			if got := int32(binary.LittleEndian.Uint32(b[4:])); got != 25833 {
				t.Errorf("got srs_id %d, want 25833", got)
			}
			bd := tg.g.Bound()
			want := []float64{bd.Min[0], bd.Max[0], bd.Min[1], bd.Max[1]}
			for i, w := range want {
				if got := math.Float64frombits(binary.LittleEndian.Uint64(b[8+8*i:])); got != w {
					t.Errorf("envelope[%d]: got %v, want %v", i, got, w)
				}
			}
			if got, want := b[40:], wkb.MustMarshal(tg.g, binary.LittleEndian); !bytes.Equal(got, want) {
				t.Errorf("got WKB %x, want %x", got, want)
			}
			back, err := decodeGeometry(b)
			if err != nil || !reflect.DeepEqual(back, tg.g) {
				t.Errorf("decoded: got %v, %v; want %v", back, err, tg.g)
			}
		})
	}
}

func TestEncodeEmpty(t *testing.T) {
	tests := []struct {
		name      string
		g         orb.Geometry
		wantFlags byte // 0 for a NULL blob
	}{
		{"nil is NULL", nil, 0},
		{"empty polygon", orb.Polygon{}, flagEmpty | flagLittle},
		{"empty collection", orb.Collection{}, flagEmpty | flagLittle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := encodeGeometry(tt.g, 4326)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantFlags == 0 {
				if b != nil {
					t.Errorf("got %x, want nil", b)
				}
				return
			}
			if b[3] != tt.wantFlags {
				t.Errorf("got flags %#x, want %#x", b[3], tt.wantFlags)
			}
			if g, err := decodeGeometry(b); g != nil || err != nil {
				t.Errorf("decoded: got %v, %v; want nil, nil", g, err)
			}
		})
	}
}

func FuzzDecodeGeometry(f *testing.F) {
	for _, tg := range testGeometries {
		b, _ := encodeGeometry(tg.g, 4326)
		f.Add(b)
		f.Add(testBlob(binary.BigEndian, 2, 0, testWKB(tg.g, binary.BigEndian, "xyzm", false)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeGeometry(b) // must not panic
	})
}
