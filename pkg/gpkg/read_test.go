package gpkg

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// The expected values below are what `ogrinfo -al` prints for the fixtures
// (see testdata/README.md).

func TestLayers(t *testing.T) {
	type want struct {
		name, geomType string
		srsID, count   int
		firstField     Field
		fields         int
	}
	tests := []struct {
		name string
		file string
		want []want
	}{
		{"polygons in EPSG:25833", "plr_sample_25833.gpkg", []want{
			{"plr", "POLYGON", 25833, 20, Field{"PLR_ID", "TEXT"}, 10},
		}},
		{"points in EPSG:4326", "kitas_sample_4326.gpkg", []want{
			{"kitas", "POINT", 4326, 20, Field{"id", "TEXT"}, 28},
		}},
		{"two layers, sorted by name", "two_layers.gpkg", []want{
			{"bezirke", "POLYGON", 4326, 3, Field{"BEZ_NAME", "TEXT"}, 2},
			{"kitas", "POINT", 4326, 5, Field{"id", "TEXT"}, 3},
		}},
		{"3D polygons", "plr_z_25833.gpkg", []want{
			{"plr_z", "POLYGON", 25833, 3, Field{"PLR_ID", "TEXT"}, 3},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls, err := Layers(context.Background(), filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(ls) != len(tt.want) {
				t.Fatalf("got %d layers, want %d", len(ls), len(tt.want))
			}
			for i, w := range tt.want {
				l := ls[i]
				got := want{l.Name, l.GeometryType, l.SRSID, l.Count, l.Fields[0], len(l.Fields)}
				if got != w {
					t.Errorf("layer %d: got %+v, want %+v", i, got, w)
				}
				if l.GeometryColumn != "geom" || l.Organization != "EPSG" || l.OrgCoordsysID != w.srsID {
					t.Errorf("layer %d: got column %q, SRS %s:%d, want geom, EPSG:%d",
						i, l.GeometryColumn, l.Organization, l.OrgCoordsysID, w.srsID)
				}
			}
		})
	}
}

func TestRead(t *testing.T) {
	type want struct {
		fid    int64
		props  map[string]any // a subset of the properties
		first  orb.Point      // the first coordinate of the geometry
		points int            // all coordinates of the geometry
	}
	tests := []struct {
		name      string
		file      string
		layer     string
		wantLayer string
		wantSRS   int
		wantCount int
		wantFirst string // Go type of the first geometry
		features  []want
	}{
		{"polygons, only layer", "plr_sample_25833.gpkg", "", "plr", 25833, 20, "orb.Polygon", []want{
			{1, map[string]any{"PLR_ID": "01100101", "PLR_NAME": "Stülerstraße", "BEZ_NAME": "Mitte",
				"GROESSE_M2": 366928.828, "STAND": "01.01.2021"}, orb.Point{387952.64, 5818274.56}, 378},
			{20, map[string]any{"PLR_ID": "01200520", "PLR_NAME": "Bremer Straße", "GROESSE_M2": 429956.469},
				orb.Point{387621.29, 5820849.67}, 250},
		}},
		{"points", "kitas_sample_4326.gpkg", "kitas", "kitas", 4326, 20, "orb.Point", []want{
			{1, map[string]any{"id": "kita_01010010", "name": "Kita F.A.I.R.play", "kapazitaet": int64(69),
				"plz": "10117", "orig_e_zusatz": nil}, orb.Point{13.384393, 52.522516}, 1},
			{20, map[string]any{"id": "kita_01010460", "name": "Kita Pusteblume", "kapazitaet": int64(86)},
				orb.Point{13.410325, 52.507782}, 1},
		}},
		{"second of two layers", "two_layers.gpkg", "kitas", "kitas", 4326, 5, "orb.Point", []want{
			{5, map[string]any{"name": `FRÖBEL Kindergarten "Schatzinsel"`, "kapazitaet": int64(234)},
				orb.Point{13.40558, 52.512302}, 1},
		}},
		{"layer name in other case", "two_layers.gpkg", "BEZIRKE", "bezirke", 4326, 3, "orb.Polygon", []want{
			{1, map[string]any{"BEZ_NAME": "Mitte", "BEZ_ID": "01"}, orb.Point{13.3695282, 52.4988698}, 0},
		}},
		{"3D polygons, Z dropped", "plr_z_25833.gpkg", "", "plr_z", 25833, 3, "orb.Polygon", []want{
			{1, map[string]any{"PLR_ID": "01100101", "GROESSE_M2": 366928.828},
				orb.Point{387952.64, 5818274.56}, 378},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, fs, err := Read(context.Background(), filepath.Join("testdata", tt.file), tt.layer)
			if err != nil {
				t.Fatal(err)
			}
			if l.Name != tt.wantLayer || l.SRSID != tt.wantSRS || l.Count != tt.wantCount || len(fs) != tt.wantCount {
				t.Errorf("got layer %q, SRS %d, count %d, %d features; want %q, %d, %d",
					l.Name, l.SRSID, l.Count, len(fs), tt.wantLayer, tt.wantSRS, tt.wantCount)
			}
			if got := typeName(fs[0].Geometry); got != tt.wantFirst {
				t.Errorf("got geometry type %s, want %s", got, tt.wantFirst)
			}
			byFID := map[int64]Feature{}
			for _, f := range fs {
				byFID[f.FID] = f
			}
			for _, w := range tt.features {
				f, ok := byFID[w.fid]
				if !ok {
					t.Errorf("feature %d: missing", w.fid)
					continue
				}
				for k, v := range w.props {
					if got, ok := f.Properties[k]; !ok || got != v {
						t.Errorf("feature %d: %s: got %#v, want %#v", w.fid, k, got, v)
					}
				}
				first, n := firstPoint(f.Geometry), countPoints(f.Geometry)
				if !near(first, w.first) {
					t.Errorf("feature %d: got first point %v, want %v", w.fid, first, w.first)
				}
				if w.points > 0 && n != w.points {
					t.Errorf("feature %d: got %d points, want %d", w.fid, n, w.points)
				}
			}
		})
	}
}

// TestReadZDropped checks that the 3D copy of a Planungsraum reads as
// exactly the same 2D polygon as the 2D fixture.
func TestReadZDropped(t *testing.T) {
	ctx := context.Background()
	_, flat, err := Read(ctx, "testdata/plr_sample_25833.gpkg", "")
	if err != nil {
		t.Fatal(err)
	}
	_, z, err := Read(ctx, "testdata/plr_z_25833.gpkg", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range z {
		if !reflect.DeepEqual(z[i].Geometry, flat[i].Geometry) {
			t.Errorf("feature %d: got %s with %d points, want the 2D polygon with %d",
				z[i].FID, typeName(z[i].Geometry), countPoints(z[i].Geometry), countPoints(flat[i].Geometry))
		}
	}
}

func TestReadErrors(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.gpkg")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	td := func(name string) string { return filepath.Join("testdata", name) }
	tests := []struct {
		name  string
		path  string
		layer string
		want  string
		is    error
	}{
		{"SQLite but not a GeoPackage", td("not_a_geopackage.sqlite"), "",
			td("not_a_geopackage.sqlite") + " is not a GeoPackage: table gpkg_contents is missing", ErrNotGeoPackage},
		{"text file", td("not_sqlite.txt"), "",
			td("not_sqlite.txt") + " is not a GeoPackage: not an SQLite database file", ErrNotGeoPackage},
		{"empty file", empty, "", empty + " is not a GeoPackage: the file is empty", ErrNotGeoPackage},
		{"missing file", td("missing.gpkg"), "", "open " + td("missing.gpkg") + ": ", fs.ErrNotExist},
		{"directory", "testdata", "", "is a directory", nil},
		{"several layers and no name", td("two_layers.gpkg"), "",
			td("two_layers.gpkg") + " has 2 feature layers, name one of: bezirke, kitas", nil},
		{"unknown layer", td("plr_sample_25833.gpkg"), "units",
			td("plr_sample_25833.gpkg") + ` has no feature layer "units" (it has: plr)`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, fs, err := Read(context.Background(), tt.path, tt.layer)
			if err == nil {
				t.Fatalf("got %d features, want error %q", len(fs), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got error %q, want one that is %v", err, tt.is)
			}
			if tt.layer == "" && tt.is != nil {
				if _, err := Layers(context.Background(), tt.path); err == nil || !errors.Is(err, tt.is) {
					t.Errorf("Layers: got error %v, want one that is %v", err, tt.is)
				}
			}
		})
	}
}

// TestReadFeatureError checks that a broken geometry names its layer and
// feature.
func TestReadFeatureError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "units.gpkg")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.AddLayer("units", "POINT", 4326, nil); err != nil {
		t.Fatal(err)
	}
	for i := range 12 {
		if err := w.Write("units", Feature{Geometry: orb.Point{13, 52 + float64(i)/100}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	// The R-tree triggers call GDAL's ST_ functions, which this
	// connection lacks; the index does not matter here.
	for _, n := range []string{"1", "2", "3", "4"} {
		if _, err := db.Exec("DROP TRIGGER rtree_units_geom_update" + n); err != nil {
			t.Fatal(err)
		}
	}
	_, err = db.Exec(`UPDATE units SET geom = x'0001020304050607' WHERE fid = 12`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	_, _, err = Read(context.Background(), path, "")
	want := `layer "units", feature 12: geometry: bad GeoPackage header magic`
	if err == nil || err.Error() != want {
		t.Errorf("got error %v, want %q", err, want)
	}
}

// TestReadLeavesFileAlone checks that reading changes neither the files
// nor their directory (no journal or WAL files).
func TestReadLeavesFileAlone(t *testing.T) {
	before := snapshotDir(t, "testdata")
	for name := range before {
		path := filepath.Join("testdata", name)
		if _, err := Layers(context.Background(), path); err != nil && !errors.Is(err, ErrNotGeoPackage) {
			t.Fatal(err)
		}
		if _, _, err := Read(context.Background(), path, "kitas"); err != nil && !errors.Is(err, ErrNotGeoPackage) {
			if !strings.Contains(err.Error(), "has no feature layer") {
				t.Fatal(err)
			}
		}
	}
	if after := snapshotDir(t, "testdata"); !reflect.DeepEqual(after, before) {
		t.Errorf("got testdata %v after reading, want %v", after, before)
	}
}

// TestReadWAL checks GeoPackages in WAL mode: a checkpointed one is read
// without leaving -wal and -shm files beside it, and changes that are
// still in a -wal file are read, not missed.
func TestReadWAL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kitas.gpkg")
	b, err := os.ReadFile("testdata/kitas_sample_4326.gpkg")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("PRAGMA journal_mode = WAL"); err != nil {
		t.Fatal(err)
	}
	db.Close() // checkpoints and removes the -wal file

	_, fs, err := Read(context.Background(), path, "")
	if err != nil || len(fs) != 20 {
		t.Fatalf("checkpointed: got %d features, %v; want 20", len(fs), err)
	}
	if files := listDir(t, dir); !reflect.DeepEqual(files, []string{"kitas.gpkg"}) {
		t.Errorf("checkpointed: got files %v after reading, want only kitas.gpkg", files)
	}

	db, err = sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("PRAGMA wal_autocheckpoint = 0; DELETE FROM kitas WHERE fid > 15"); err != nil {
		t.Fatal(err)
	}
	_, fs, err = Read(context.Background(), path, "")
	if err != nil || len(fs) != 15 {
		t.Errorf("pending changes: got %d features, %v; want 15", len(fs), err)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func snapshotDir(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][32]byte{}
	for _, e := range es {
		if e.Name() == "README.md" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = sha256.Sum256(b)
	}
	return m
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Read(ctx, "testdata/plr_sample_25833.gpkg", ""); !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
}

func typeName(g orb.Geometry) string {
	if g == nil {
		return "nil"
	}
	return reflect.TypeOf(g).String()
}

func firstPoint(g orb.Geometry) orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return g
	case orb.MultiPoint:
		return g[0]
	case orb.LineString:
		return g[0]
	case orb.Polygon:
		return g[0][0]
	case orb.MultiPolygon:
		return g[0][0][0]
	}
	return orb.Point{math.NaN(), math.NaN()}
}

func countPoints(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.MultiPoint:
		return len(g)
	case orb.LineString:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, ls := range g {
			n += len(ls)
		}
		return n
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += countPoints(p)
		}
		return n
	case orb.Collection:
		n := 0
		for _, m := range g {
			n += countPoints(m)
		}
		return n
	}
	return 0
}

// near compares coordinates as ogrinfo prints them (up to 15 digits).
func near(a, b orb.Point) bool {
	return math.Abs(a[0]-b[0]) < 1e-9 && math.Abs(a[1]-b[1]) < 1e-9
}
