package gpkg

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// etrs89UTM33 is EPSG:25833 as GDAL writes it into gpkg_spatial_ref_sys.
var etrs89UTM33 = SRS{
	ID: 25833, Name: "ETRS89 / UTM zone 33N", Organization: "EPSG", OrgCoordsysID: 25833,
	Definition: `PROJCS["ETRS89 / UTM zone 33N",GEOGCS["ETRS89",DATUM["European_Terrestrial_Reference_System_1989",` +
		`SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],AUTHORITY["EPSG","6258"]],` +
		`PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],` +
		`AUTHORITY["EPSG","4258"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],` +
		`PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],` +
		`PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],` +
		`AXIS["Northing",NORTH],AUTHORITY["EPSG","25833"]]`,
}

// writeSample writes a GeoPackage with the fixture's 20 Planungsräume as
// multipolygons in EPSG:25833 and its 20 Kitas plus one feature without
// geometry as points in EPSG:4326. It returns the path and what Read should
// give back for each layer.
func writeSample(t *testing.T) (string, map[string][]Feature) {
	t.Helper()
	ctx := context.Background()
	_, plr, err := Read(ctx, "testdata/plr_sample_25833.gpkg", "")
	if err != nil {
		t.Fatal(err)
	}
	_, kitas, err := Read(ctx, "testdata/kitas_sample_4326.gpkg", "")
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "export.gpkg")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.AddSRS(etrs89UTM33))
	must(w.AddLayer("plr", "MULTIPOLYGON", 25833, []Field{
		{"PLR_ID", "TEXT(8)"}, {"PLR_NAME", "TEXT"}, {"GROESSE_M2", "REAL"}, {"EW", "INTEGER"},
		{"stichtag", "DATE"}, {"importiert", "DATETIME"}, {"geprueft", "BOOLEAN"},
	}))
	must(w.AddLayer("kitas", "POINT", 4326, []Field{
		{"id", "TEXT"}, {"name", "TEXT"}, {"kapazitaet", "MEDIUMINT"}, {"foto", "BLOB"},
	}))

	want := map[string][]Feature{}
	imported := time.Date(2024, 3, 1, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	for i, f := range plr {
		in := Feature{
			Geometry: orb.MultiPolygon{f.Geometry.(orb.Polygon)},
			Properties: map[string]any{
				"PLR_ID": f.Properties["PLR_ID"], "PLR_NAME": f.Properties["PLR_NAME"],
				"GROESSE_M2": f.Properties["GROESSE_M2"], "EW": 1000 + i,
				"stichtag": "2021-01-01", "importiert": imported, "geprueft": i%2 == 0,
			},
		}
		must(w.Write("plr", in))
		out := in
		out.FID = int64(i + 1)
		out.Properties = map[string]any{
			"PLR_ID": f.Properties["PLR_ID"], "PLR_NAME": f.Properties["PLR_NAME"],
			"GROESSE_M2": f.Properties["GROESSE_M2"], "EW": int64(1000 + i),
			"stichtag": "2021-01-01", "importiert": "2024-03-01T09:30:00.000Z", "geprueft": int64(1 - i%2),
		}
		want["plr"] = append(want["plr"], out)
	}
	for _, f := range kitas {
		in := Feature{FID: f.FID, Geometry: f.Geometry, Properties: map[string]any{
			"id": f.Properties["id"], "name": f.Properties["name"], "kapazitaet": f.Properties["kapazitaet"],
		}}
		must(w.Write("kitas", in))
		in.Properties["foto"] = nil
		want["kitas"] = append(want["kitas"], in)
	}
	noGeom := Feature{FID: 1000, Properties: map[string]any{"id": "kita_x", "name": "ohne Ort", "foto": []byte{0xff, 0xd8}}}
	must(w.Write("kitas", noGeom))
	noGeom.Properties["kapazitaet"] = nil
	want["kitas"] = append(want["kitas"], noGeom)
	must(w.Close())
	return path, want
}

func TestWriteRead(t *testing.T) {
	path, want := writeSample(t)
	ls, err := Layers(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 2 {
		t.Fatalf("got %d layers, want 2", len(ls))
	}
	wantLayers := []Layer{
		{Name: "kitas", GeometryColumn: "geom", GeometryType: "POINT", SRSID: 4326, Organization: "EPSG",
			OrgCoordsysID: 4326, Count: 21, Fields: []Field{{"id", "TEXT"}, {"name", "TEXT"},
				{"kapazitaet", "MEDIUMINT"}, {"foto", "BLOB"}}},
		{Name: "plr", GeometryColumn: "geom", GeometryType: "MULTIPOLYGON", SRSID: 25833, Organization: "EPSG",
			OrgCoordsysID: 25833, Count: 20, Fields: []Field{{"PLR_ID", "TEXT(8)"}, {"PLR_NAME", "TEXT"},
				{"GROESSE_M2", "REAL"}, {"EW", "INTEGER"}, {"stichtag", "DATE"}, {"importiert", "DATETIME"},
				{"geprueft", "BOOLEAN"}}},
	}
	for i, w := range wantLayers {
		if !reflect.DeepEqual(ls[i], w) {
			t.Errorf("layer %d: got %+v, want %+v", i, ls[i], w)
		}
	}
	for _, name := range []string{"plr", "kitas"} {
		t.Run(name, func(t *testing.T) {
			_, fs, err := Read(context.Background(), path, name)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != len(want[name]) {
				t.Fatalf("got %d features, want %d", len(fs), len(want[name]))
			}
			for i, f := range fs {
				if w := want[name][i]; !reflect.DeepEqual(f, w) {
					t.Errorf("feature %d: got %v, want %v", w.FID, f.Properties, w.Properties)
				}
			}
		})
	}

	// gpkg_contents holds the extent of each layer (spec clause 1.1.3.1.1).
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ext [4]float64
	err = db.QueryRow("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'plr'").
		Scan(&ext[0], &ext[1], &ext[2], &ext[3])
	if want := [4]float64{385470.47, 5817761.25, 393423.34, 5822561.9}; err != nil || ext != want {
		t.Errorf("got extent %v, %v; want %v", ext, err, want)
	}
	var appID, version int
	if err := db.QueryRow("PRAGMA application_id").Scan(&appID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if appID != 0x47504B47 || version != 10300 {
		t.Errorf("got application_id %#x, user_version %d; want 0x47504b47, 10300", appID, version)
	}
}

// gdalTool finds a GDAL command-line tool. When it is missing the test is
// skipped, unless SOZIALATLAS_REQUIRE_GDAL=1 (as in CI) makes that a
// failure.
func gdalTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("SOZIALATLAS_REQUIRE_GDAL") == "1" {
		t.Fatalf("%s not found: install gdal-bin (apt-get install gdal-bin)", name)
	}
	t.Skipf("%s not found: install gdal-bin (apt-get install gdal-bin); SOZIALATLAS_REQUIRE_GDAL=1 makes this a failure", name)
	return ""
}

// TestWriteOgrinfo checks that GDAL reads the written file without
// complaint and sees the layers, counts, extents and fields.
func TestWriteOgrinfo(t *testing.T) {
	ogrinfo := gdalTool(t, "ogrinfo")
	path, _ := writeSample(t)
	out, err := exec.Command(ogrinfo, "-al", "-so", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	text := string(out)
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "ERROR") || strings.Contains(line, "Warning") {
			t.Errorf("ogrinfo printed %q", line)
		}
	}
	for _, want := range []string{
		"Layer name: plr\nGeometry: Multi Polygon\nFeature Count: 20\n" +
			"Extent: (385470.470000, 5817761.250000) - (393423.340000, 5822561.900000)\n",
		`ID["EPSG",25833]]`,
		"FID Column = fid\nGeometry Column = geom\n",
		"PLR_ID: String (8.0)\nPLR_NAME: String (0.0)\nGROESSE_M2: Real (0.0)\nEW: Integer64 (0.0)\n" +
			"stichtag: Date (0.0)\nimportiert: DateTime (0.0)\ngeprueft: Integer(Boolean) (0.0)\n",
		"Layer name: kitas\nGeometry: Point\nFeature Count: 21\n",
		`ID["EPSG",4326]]`,
		"id: String (0.0)\nname: String (0.0)\nkapazitaet: Integer (0.0)\nfoto: Binary (0.0)\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("ogrinfo output lacks %q; got:\n%s", want, text)
		}
	}

	// A spatial filter goes through the R-tree index.
	out, err = exec.Command(ogrinfo, "-q", "-al", "-spat", "387000", "5818000", "387500", "5818500", path, "plr").CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo -spat: %v\n%s", err, out)
	}
	if got := strings.Count(string(out), "OGRFeature(plr)"); got == 0 || got == 20 {
		t.Errorf("ogrinfo -spat: got %d of 20 features, want some but not all", got)
	}
}

func TestWriterErrors(t *testing.T) {
	newWriter := func(t *testing.T) *Writer {
		w, err := Create(filepath.Join(t.TempDir(), "x.gpkg"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { w.Close() })
		if err := w.AddLayer("pts", "POINT", 4326, []Field{{"n", "INTEGER"}, {"s", "TEXT"}, {"d", "DATE"}}); err != nil {
			t.Fatal(err)
		}
		return w
	}
	tests := []struct {
		name string
		do   func(w *Writer) error
		want string
	}{
		{"unknown SRS", func(w *Writer) error { return w.AddLayer("a", "POINT", 25833, nil) },
			`layer "a": srs 25833 is not defined: add it with AddSRS`},
		{"bad geometry type", func(w *Writer) error { return w.AddLayer("a", "CURVEPOLYGON", 4326, nil) },
			`layer "a": geometry type "CURVEPOLYGON" is not one of`},
		{"bad field type", func(w *Writer) error { return w.AddLayer("a", "POINT", 4326, []Field{{"x", "VARCHAR"}}) },
			`layer "a": field "x": type "VARCHAR" is not a GeoPackage column type`},
		{"duplicate field", func(w *Writer) error {
			return w.AddLayer("a", "POINT", 4326, []Field{{"x", "TEXT"}, {"X", "TEXT"}})
		}, `layer "a": field "X": empty, duplicate or reserved name`},
		{"reserved field", func(w *Writer) error { return w.AddLayer("a", "POINT", 4326, []Field{{"fid", "TEXT"}}) },
			`field "fid": empty, duplicate or reserved name`},
		{"reserved layer name", func(w *Writer) error { return w.AddLayer("gpkg_x", "POINT", 4326, nil) },
			"are reserved"},
		{"layer exists", func(w *Writer) error { return w.AddLayer("PTS", "POINT", 4326, nil) },
			`layer "PTS": layer exists`},
		{"SRS exists", func(w *Writer) error { return w.AddSRS(SRS{ID: 4326, Name: "x", Organization: "x", Definition: "x"}) },
			"srs 4326 is already defined"},
		{"unknown layer", func(w *Writer) error { return w.Write("units", Feature{}) },
			`layer "units": no such layer`},
		{"wrong geometry", func(w *Writer) error { return w.Write("pts", Feature{FID: 7, Geometry: testPolygon}) },
			`layer "pts", feature 7: geometry: a Polygon in a POINT layer`},
		{"NaN coordinate", func(w *Writer) error {
			return w.Write("pts", Feature{FID: 4, Geometry: orb.Point{math.NaN(), 52}})
		}, `layer "pts", feature 4: geometry: coordinates must be finite numbers`},
		{"unknown property", func(w *Writer) error {
			return w.Write("pts", Feature{Properties: map[string]any{"x": 1}})
		}, `layer "pts", new feature 1: property "x" is not a field of the layer`},
		{"text into integer", func(w *Writer) error {
			return w.Write("pts", Feature{FID: 3, Properties: map[string]any{"n": "12"}})
		}, `layer "pts", feature 3: field "n" (INTEGER): cannot store a string`},
		{"float into text", func(w *Writer) error {
			return w.Write("pts", Feature{FID: 3, Properties: map[string]any{"s": 1.5}})
		}, `field "s" (TEXT): cannot store a float64`},
		{"duplicate FID", func(w *Writer) error {
			if err := w.Write("pts", Feature{FID: 5}); err != nil {
				return err
			}
			return w.Write("pts", Feature{FID: 5})
		}, `layer "pts", feature 5: constraint failed`},
		{"after Close", func(w *Writer) error {
			w.Close()
			return w.Write("pts", Feature{})
		}, "writer is closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do(newWriter(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCreateExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.gpkg")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path); !errors.Is(err, fs.ErrExist) {
		t.Errorf("got error %v, want one that is fs.ErrExist", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Errorf("got file content %q, want it untouched", b)
	}
}
