package export

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/gpkg"
)

// checkGeo refuses a table whose geometries do not match its rows.
func (t *Table) checkGeo() error {
	if err := t.check(); err != nil {
		return err
	}
	if len(t.Geometries) != len(t.Rows) {
		return fmt.Errorf("export: %d geometries for %d rows", len(t.Geometries), len(t.Rows))
	}
	return nil
}

func (t *Table) layer() string {
	if t.Layer == "" {
		return "data"
	}
	return t.Layer
}

// GeoJSON writes t as an RFC 7946 FeatureCollection: one feature per row
// with the cells as properties (an empty cell is null, numbers written in
// full as in CSV) and the row's geometry. The collection carries its name
// and the metadata as foreign members, which GIS readers ignore.
func GeoJSON(w io.Writer, t *Table) error {
	if err := t.checkGeo(); err != nil {
		return err
	}
	b := []byte(`{"type":"FeatureCollection","name":`)
	b = appendJSONString(b, t.layer())
	if t.Title != "" {
		b = append(b, `,"title":`...)
		b = appendJSONString(b, t.Title)
	}
	if len(t.Metadata) > 0 {
		b = append(b, `,"metadata":{`...)
		for i, p := range t.Metadata {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, p.Key)
			b = append(b, ':')
			b = appendJSONString(b, p.Value)
		}
		b = append(b, '}')
	}
	b = append(b, `,"features":[`...)
	for i, row := range t.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"type":"Feature","properties":{`...)
		for j, c := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t.Columns[j].Name)
			b = append(b, ':')
			switch {
			case c.Empty():
				b = append(b, "null"...)
			case c.kind == Number:
				b = strconv.AppendFloat(b, c.num, 'f', -1, 64)
			default:
				b = appendJSONString(b, c.text)
			}
		}
		b = append(b, `},"geometry":`...)
		if g := t.Geometries[i]; g == nil {
			b = append(b, "null"...)
		} else {
			var err error
			if b, err = appendGeometry(b, g); err != nil {
				return fmt.Errorf("export: row %d: %w", i+1, err)
			}
		}
		b = append(b, '}')
		if len(b) > 1<<16 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "\n]}\n"...)
	_, err := w.Write(b)
	return err
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}

// GeoPackage writes t as a GeoPackage 1.3 file with one feature table
// (WGS84, EPSG:4326): a column per table column (numbers DOUBLE, texts
// TEXT, an empty cell NULL), feature ids 1, 2, … in row order, and an
// R-tree index. The layer's description in gpkg_contents holds the
// metadata; its identifier is the title; its last change is t.Changed
// (not the time of writing), so the same table gives the same bytes.
func GeoPackage(w io.Writer, t *Table) error {
	if err := t.checkGeo(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "sozialatlas-gpkg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "export.gpkg")
	if err := writeGeoPackage(path, t); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

func writeGeoPackage(path string, t *Table) error {
	gw, err := gpkg.Create(path)
	if err != nil {
		return err
	}
	fields := make([]gpkg.Field, len(t.Columns))
	for i, c := range t.Columns {
		fields[i] = gpkg.Field{Name: c.Name, Type: "TEXT"}
		if c.Kind == Number {
			fields[i].Type = "DOUBLE"
		}
	}
	if err := gw.AddLayer(t.layer(), geometryType(t.Geometries), 4326, fields); err != nil {
		gw.Close()
		return err
	}
	for i, row := range t.Rows {
		props := map[string]any{}
		for j, c := range row {
			switch {
			case c.Empty():
			case c.kind == Number:
				props[t.Columns[j].Name] = c.num
			default:
				props[t.Columns[j].Name] = c.text
			}
		}
		if err := gw.Write(t.layer(), gpkg.Feature{FID: int64(i + 1), Properties: props, Geometry: t.Geometries[i]}); err != nil {
			gw.Close()
			return err
		}
	}
	if err := gw.Close(); err != nil {
		return err
	}
	// The writer stamps gpkg_contents with the time of writing; the
	// data's own time and the description make the file reproducible.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	var desc strings.Builder
	for _, p := range t.Metadata {
		desc.WriteString(p.Key + ": " + p.Value + "\n")
	}
	identifier := t.Title
	if identifier == "" {
		identifier = t.layer()
	}
	_, err = db.Exec(`UPDATE gpkg_contents SET last_change = ?, description = ?, identifier = ? WHERE table_name = ?`,
		t.Changed.UTC().Format("2006-01-02T15:04:05.000Z"), strings.TrimSuffix(desc.String(), "\n"), identifier, t.layer())
	if err != nil {
		return fmt.Errorf("export: gpkg_contents: %w", err)
	}
	return db.Close()
}

// geometryType is MULTIPOLYGON when every geometry is one (areas), else
// GEOMETRY.
func geometryType(gs []orb.Geometry) string {
	for _, g := range gs {
		if _, ok := g.(orb.MultiPolygon); !ok && g != nil {
			return "GEOMETRY"
		}
	}
	return "MULTIPOLYGON"
}

// appendGeometry writes a GeoJSON geometry, coordinates in their
// shortest exact form.
func appendGeometry(b []byte, g orb.Geometry) ([]byte, error) {
	var coords func(b []byte) []byte
	switch g := g.(type) {
	case orb.Point:
		coords = func(b []byte) []byte { return appendPoint(b, g) }
	case orb.MultiPoint:
		coords = func(b []byte) []byte { return appendPoints(b, g) }
	case orb.LineString:
		coords = func(b []byte) []byte { return appendPoints(b, g) }
	case orb.MultiLineString:
		coords = func(b []byte) []byte {
			return appendList(b, len(g), func(b []byte, i int) []byte { return appendPoints(b, g[i]) })
		}
	case orb.Polygon:
		coords = func(b []byte) []byte { return appendPolygon(b, g) }
	case orb.MultiPolygon:
		coords = func(b []byte) []byte {
			return appendList(b, len(g), func(b []byte, i int) []byte { return appendPolygon(b, g[i]) })
		}
	default:
		return b, fmt.Errorf("export: geometry %s is not supported", g.GeoJSONType())
	}
	b = append(b, `{"type":"`+g.GeoJSONType()+`","coordinates":`...)
	b = coords(b)
	return append(b, '}'), nil
}

func appendList(b []byte, n int, item func([]byte, int) []byte) []byte {
	b = append(b, '[')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = item(b, i)
	}
	return append(b, ']')
}

func appendPolygon(b []byte, p orb.Polygon) []byte {
	return appendList(b, len(p), func(b []byte, i int) []byte { return appendPoints(b, p[i]) })
}

func appendPoints[S ~[]orb.Point](b []byte, ps S) []byte {
	return appendList(b, len(ps), func(b []byte, i int) []byte { return appendPoint(b, ps[i]) })
}

func appendPoint(b []byte, p orb.Point) []byte {
	b = append(b, '[')
	b = strconv.AppendFloat(b, p[0], 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, p[1], 'f', -1, 64)
	return append(b, ']')
}
