package export

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/gpkg"
)

// geoSample is sample() with a square per row (the last without
// geometry).
func geoSample() *Table {
	t := sample()
	for i := range t.Rows {
		x := float64(i) / 10
		var g orb.Geometry = orb.MultiPolygon{{{{13 + x, 52}, {13.1 + x, 52}, {13.1 + x, 52.1}, {13 + x, 52.1}, {13 + x, 52}}}}
		if i == len(t.Rows)-1 {
			g = nil
		}
		t.Geometries = append(t.Geometries, g)
	}
	t.Layer = "test_layer"
	t.Changed = time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
	return t
}

func TestGeoJSON(t *testing.T) {
	var b bytes.Buffer
	if err := GeoJSON(&b, geoSample()); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string            `json:"type"`
		Name     string            `json:"name"`
		Metadata map[string]string `json:"metadata"`
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   *struct {
				Type        string          `json:"type"`
				Coordinates [][][][]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b.Bytes(), &fc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if fc.Type != "FeatureCollection" || fc.Name != "test_layer" || fc.Metadata["licence"] != "dl-de/by-2-0" || len(fc.Features) != 6 {
		t.Fatalf("collection: %+v", fc)
	}
	f0 := fc.Features[0]
	if f0.Properties["code"] != "01100101" || f0.Properties["value"] != 12.5 || f0.Geometry.Type != "MultiPolygon" ||
		f0.Geometry.Coordinates[0][0][1][0] != 13.1 {
		t.Errorf("feature 0: %+v %+v", f0.Properties, f0.Geometry)
	}
	// The withheld row: value null, not absent, not a number.
	if v, found := fc.Features[3].Properties["value"]; !found || v != nil {
		t.Errorf("withheld value = %v (present %v), want null", v, found)
	}
	if fc.Features[5].Geometry != nil {
		t.Error("a row without geometry has one")
	}
	bad := geoSample()
	bad.Geometries = bad.Geometries[:2]
	if err := GeoJSON(&b, bad); err == nil {
		t.Error("geometries of the wrong number accepted")
	}
}

func TestGeoPackage(t *testing.T) {
	var a, b bytes.Buffer
	if err := GeoPackage(&a, geoSample()); err != nil {
		t.Fatal(err)
	}
	if err := GeoPackage(&b, geoSample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two GeoPackages of one table differ")
	}
	path := filepath.Join(t.TempDir(), "t.gpkg")
	if err := os.WriteFile(path, a.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	l, fs, err := gpkg.Read(context.Background(), path, "")
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "test_layer" || len(fs) != 6 {
		t.Fatalf("layer %s with %d features, want test_layer with 6", l.Name, len(fs))
	}
	types := map[string]string{}
	for _, f := range l.Fields {
		types[f.Name] = f.Type
	}
	if types["code"] != "TEXT" || types["value"] != "DOUBLE" || len(l.Fields) != 4 {
		t.Errorf("fields %v", l.Fields)
	}
	if fs[0].FID != 1 || fs[0].Properties["code"] != "01100101" || fs[0].Properties["value"] != 12.5 {
		t.Errorf("feature 1: %+v", fs[0])
	}
	if fs[3].Properties["value"] != nil || fs[3].Properties["status"] != "suppressed" {
		t.Errorf("withheld row: %+v, want value NULL", fs[3].Properties)
	}
	if fs[5].Geometry != nil {
		t.Error("a row without geometry has one")
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var changed, desc string
	if err := db.QueryRow(`SELECT CAST(last_change AS TEXT), description FROM gpkg_contents`).Scan(&changed, &desc); err != nil {
		t.Fatal(err)
	}
	if changed != "2023-12-31T00:00:00.000Z" || desc != "licence: dl-de/by-2-0" {
		t.Errorf("gpkg_contents: last_change %q, description %q", changed, desc)
	}
}
