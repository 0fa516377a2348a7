package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/paulmach/orb"
)

// feature is a feature as read from a file, geometry still in the file's
// coordinate system.
type feature struct {
	index int // 1-based position in the file
	props map[string]any
	geom  orb.Geometry // nil when missing or unreadable
	err   error        // why the feature (or its geometry) could not be read
}

// featureFile is what a GeoJSON or GeoPackage file yields.
type featureFile struct {
	crsName  string // as the file names it ("urn:ogc:def:crs:EPSG::25833"), "" if it does not
	features []feature
}

// readGeoJSON reads a FeatureCollection. A syntax error stops reading and is
// located by line and column; a bad feature is reported and reading goes on.
func readGeoJSON(data []byte) (*featureFile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) (*featureFile, error) {
		return nil, jsonError(data, dec, err)
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if tok != json.Delim('{') {
		return nil, errors.New("not a GeoJSON object: the file does not start with {")
	}
	ff := &featureFile{}
	var typ string
	sawFeatures := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		switch tok {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return fail(err)
			}
		case "crs":
			var c struct {
				Type       string `json:"type"`
				Properties struct {
					Name string      `json:"name"`
					Code json.Number `json:"code"` // the 2008 spec's {"type": "EPSG", "properties": {"code": 25833}}
				} `json:"properties"`
			}
			if err := dec.Decode(&c); err != nil {
				return fail(err)
			}
			ff.crsName = c.Properties.Name
			if ff.crsName == "" && c.Properties.Code != "" {
				ff.crsName = "EPSG:" + c.Properties.Code.String()
			}
			if ff.crsName == "" {
				return nil, fmt.Errorf("crs member names no coordinate system (want {\"type\": \"name\", \"properties\": {\"name\": \"EPSG:25833\"}})")
			}
		case "features":
			sawFeatures = true
			if err := readFeatures(dec, ff); err != nil {
				return fail(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s: more data after the end of the GeoJSON object", offsetLine(data, dec.InputOffset()))
	}
	if typ != "FeatureCollection" {
		return nil, fmt.Errorf("GeoJSON type is %q, want FeatureCollection", typ)
	}
	if !sawFeatures {
		return nil, errors.New("the FeatureCollection has no features member")
	}
	return ff, nil
}

func readFeatures(dec *json.Decoder, ff *featureFile) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('[') {
		return errors.New("features is not an array")
	}
	for dec.More() {
		var raw struct {
			Type       string          `json:"type"`
			Properties map[string]any  `json:"properties"`
			Geometry   json.RawMessage `json:"geometry"`
		}
		f := feature{index: len(ff.features) + 1}
		err := dec.Decode(&raw)
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typeErr):
			f.err = fmt.Errorf("%s has the wrong type (%s)", typeErr.Field, typeErr.Value)
		case err != nil:
			return err
		case raw.Type != "Feature":
			f.err = fmt.Errorf("type is %q, want Feature", raw.Type)
		default:
			f.props = raw.Properties
			f.geom, f.err = decodeGeometry(raw.Geometry)
			if f.err != nil {
				f.err = fmt.Errorf("geometry: %v", f.err)
			}
		}
		ff.features = append(ff.features, f)
	}
	_, err = dec.Token() // ]
	return err
}

// decodeGeometry reads a GeoJSON geometry into orb types. Positions keep x
// and y; a third (height) number is dropped.
func decodeGeometry(b json.RawMessage) (orb.Geometry, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, errors.New("missing")
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, err
	}
	if g.Type == "GeometryCollection" {
		return nil, errors.New("GeometryCollection is not supported: use a Polygon, MultiPolygon or Point")
	}
	if len(g.Coordinates) == 0 {
		return nil, fmt.Errorf("%s has no coordinates", g.Type)
	}
	switch g.Type {
	case "Point":
		var c []float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, coordError(err)
		}
		return position(c)
	case "MultiPoint":
		var c [][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, coordError(err)
		}
		return lineOf[orb.MultiPoint](c)
	case "LineString", "MultiLineString":
		return nil, fmt.Errorf("%s is not supported: areas must be polygons, offers points", g.Type)
	case "Polygon":
		var c [][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, coordError(err)
		}
		return polygon(c)
	case "MultiPolygon":
		var c [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, coordError(err)
		}
		mp := make(orb.MultiPolygon, len(c))
		for i, p := range c {
			poly, err := polygon(p)
			if err != nil {
				return nil, fmt.Errorf("polygon %d: %v", i, err)
			}
			mp[i] = poly
		}
		return mp, nil
	}
	return nil, fmt.Errorf("unknown geometry type %q", g.Type)
}

func coordError(err error) error {
	return fmt.Errorf("coordinates are not nested arrays of numbers as the geometry type needs (%v)", err)
}

func position(c []float64) (orb.Point, error) {
	if len(c) < 2 {
		return orb.Point{}, fmt.Errorf("a position needs 2 numbers, has %d", len(c))
	}
	return orb.Point{c[0], c[1]}, nil
}

func lineOf[T ~[]orb.Point](c [][]float64) (T, error) {
	out := make(T, len(c))
	for i, p := range c {
		pt, err := position(p)
		if err != nil {
			return nil, fmt.Errorf("position %d: %v", i, err)
		}
		out[i] = pt
	}
	return out, nil
}

func polygon(c [][][]float64) (orb.Polygon, error) {
	poly := make(orb.Polygon, len(c))
	for i, r := range c {
		ring, err := lineOf[orb.Ring](r)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %v", i, err)
		}
		poly[i] = ring
	}
	return poly, nil
}

// jsonError locates a decoding error by line and column.
func jsonError(data []byte, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// A streaming decoder's offsets are not absolute; a one-shot scan's
		// are. Offset counts the bytes read, so the culprit is the last one.
		var raw json.RawMessage
		var abs *json.SyntaxError
		if errors.As(json.Unmarshal(data, &raw), &abs) {
			se = abs
		}
		return fmt.Errorf("%s: broken JSON: %v", offsetLine(data, max(se.Offset-1, 0)), se)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		if len(bytes.TrimSpace(data)) == 0 {
			return errors.New("the file is empty")
		}
		return fmt.Errorf("%s: broken JSON: the file ends in the middle of the document", offsetLine(data, int64(len(data))))
	}
	return fmt.Errorf("%s: %v", offsetLine(data, dec.InputOffset()), err)
}

func offsetLine(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}
