package gpkg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
)

// GeoPackage binary geometry encoding, spec clause 2.1.3.1.1:
//
//	magic    2 bytes  "GP"
//	version  1 byte   0 means version 1
//	flags    1 byte   bits 7-6 reserved, 5 X extended type, 4 Y empty,
//	                  3-1 E envelope indicator, 0 B header byte order
//	srs_id   int32    in the byte order of B
//	envelope 0, 4, 6 or 8 float64 in the byte order of B, see envelopeLen
//	geometry ISO WKB (it carries its own byte order)
const (
	headerFixedLen = 8
	flagLittle     = 0x01 // B: srs_id and envelope are little-endian
	flagEnvMask    = 0x0e // E: envelope indicator, shifted left by one
	flagEmpty      = 0x10 // Y: the geometry is empty
	flagExtended   = 0x20 // X: ExtendedGeoPackageBinary, not WKB after the header
)

// envelopeLen is the number of float64 values for each envelope indicator:
// 0 none, 1 [minx maxx miny maxy], 2 with z, 3 with m, 4 with z and m.
var envelopeLen = [...]int{0, 4, 6, 6, 8}

// decodeGeometry decodes a GeoPackage binary geometry blob. It returns nil
// for an empty geometry. The header's srs_id is not compared with the
// column's: GDAL does not either, and the column is what the caller sees.
func decodeGeometry(b []byte) (orb.Geometry, error) {
	if len(b) < headerFixedLen {
		return nil, fmt.Errorf("blob of %d bytes is too short for a GeoPackage header", len(b))
	}
	if b[0] != 'G' || b[1] != 'P' {
		return nil, errors.New("bad GeoPackage header magic")
	}
	if b[2] != 0 {
		return nil, fmt.Errorf("unsupported GeoPackage binary version byte %d, want 0", b[2])
	}
	flags := b[3]
	env := int(flags&flagEnvMask) >> 1
	if env >= len(envelopeLen) {
		return nil, fmt.Errorf("invalid envelope indicator %d", env)
	}
	start := headerFixedLen + 8*envelopeLen[env]
	if len(b) < start {
		return nil, fmt.Errorf("blob of %d bytes is too short for a header with envelope indicator %d", len(b), env)
	}
	if flags&flagExtended != 0 {
		// Extended blobs hold a 4-byte extension code and then data only
		// that extension understands (clause 2.1.3.1.1, Annex F.2).
		code := b[start:min(start+4, len(b))]
		return nil, fmt.Errorf("extended GeoPackage binary (extension %q) is not supported", code)
	}
	if flags&flagEmpty != 0 {
		return nil, nil
	}
	g, err := decodeWKB(b[start:])
	if err != nil {
		return nil, err
	}
	if isEmpty(g) {
		return nil, nil
	}
	return g, nil
}

// encodeGeometry encodes g as a standard GeoPackage binary blob with a
// little-endian header, an XY envelope (indicator 1) and little-endian WKB.
// A nil g encodes as nil, which is stored as NULL. An empty g gets the
// empty flag and no envelope, as clause 2.1.3.1.1 asks.
func encodeGeometry(g orb.Geometry, srsID int) ([]byte, error) {
	if g == nil {
		return nil, nil
	}
	body, err := wkb.Marshal(g, binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	flags := byte(flagLittle)
	var env []float64
	if isEmpty(g) {
		flags |= flagEmpty
	} else {
		flags |= 1 << 1
		bd := g.Bound()
		env = []float64{bd.Min[0], bd.Max[0], bd.Min[1], bd.Max[1]}
	}
	out := make([]byte, 0, headerFixedLen+8*len(env)+len(body))
	out = append(out, 'G', 'P', 0, flags)
	out = binary.LittleEndian.AppendUint32(out, uint32(int32(srsID)))
	for _, v := range env {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return append(out, body...), nil
}

// isEmpty reports whether g has no coordinates. A WKB point is empty when
// its ordinates are NaN, which is how GeoPackage writes POINT EMPTY.
func isEmpty(g orb.Geometry) bool {
	switch g := g.(type) {
	case nil:
		return true
	case orb.Point:
		return math.IsNaN(g[0]) && math.IsNaN(g[1])
	case orb.MultiPoint:
		return len(g) == 0
	case orb.LineString:
		return len(g) == 0
	case orb.MultiLineString:
		return len(g) == 0
	case orb.Polygon:
		return len(g) == 0
	case orb.MultiPolygon:
		return len(g) == 0
	case orb.Collection:
		for _, m := range g {
			if !isEmpty(m) {
				return false
			}
		}
		return true
	}
	return false
}
