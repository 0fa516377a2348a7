package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// connect opens a fresh PostGIS test database.
func connect(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// feature is the part of a GeoJSON feature the tests read. (The tests
// decode GeoJSON themselves: orb/geojson would pull the MongoDB driver into
// the module for its BSON support.)
type feature struct {
	Properties map[string]any `json:"properties"`
	Geometry   struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// readFeatures parses a GeoJSON FeatureCollection from fsys.
func readFeatures(t testing.TB, fsys fs.FS, name string) []feature {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	var fc struct{ Features []feature }
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return fc.Features
}

// readUnits returns the ids (property idProp) and geometries of the
// (multi)polygon features of a GeoJSON file.
func readUnits(t testing.TB, fsys fs.FS, name, idProp string) ([]string, []orb.MultiPolygon) {
	t.Helper()
	ids, mps, err := geodata.ReadAreas(fsys, name, idProp)
	if err != nil {
		t.Fatal(err)
	}
	return ids, mps
}

// readPoints returns the point geometries of a GeoJSON file.
func readPoints(t testing.TB, fsys fs.FS, name string) []orb.Point {
	t.Helper()
	var pts []orb.Point
	for i, f := range readFeatures(t, fsys, name) {
		var p orb.Point
		if f.Geometry.Type != "Point" {
			t.Fatalf("%s: feature %d: geometry %s, want point", name, i, f.Geometry.Type)
		}
		if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
			t.Fatalf("%s: feature %d: %v", name, i, err)
		}
		pts = append(pts, p)
	}
	return pts
}

// loadPolygons creates table (idx int, geom geometry(MultiPolygon, 4326))
// with row idx = i holding mps[i], bit-exact through WKB, and a GiST index.
func loadPolygons(t testing.TB, conn *pgx.Conn, table string, mps []orb.MultiPolygon) {
	t.Helper()
	ctx := context.Background()
	tmp := table + "_wkb"
	exec(t, conn, fmt.Sprintf("CREATE TABLE %s (idx int, wkb bytea)", tmp))
	_, err := conn.CopyFrom(ctx, pgx.Identifier{tmp}, []string{"idx", "wkb"},
		pgx.CopyFromSlice(len(mps), func(i int) ([]any, error) {
			b, err := wkb.Marshal(mps[i])
			return []any{i, b}, err
		}))
	if err != nil {
		t.Fatalf("copy into %s: %v", tmp, err)
	}
	exec(t, conn, fmt.Sprintf(`CREATE TABLE %s AS SELECT idx, ST_SetSRID(ST_GeomFromWKB(wkb), 4326)::geometry(MultiPolygon, 4326) AS geom FROM %s`, table, tmp))
	exec(t, conn, fmt.Sprintf(`DROP TABLE %s`, tmp))
	exec(t, conn, fmt.Sprintf(`CREATE INDEX ON %s USING gist (geom)`, table))
	exec(t, conn, fmt.Sprintf(`ANALYZE %s`, table))
}

// loadPoints creates table (idx int, geom geometry(Point, 4326)) with row
// idx = i holding pts[i] exactly, and a GiST index.
func loadPoints(t testing.TB, conn *pgx.Conn, table string, pts []orb.Point) {
	t.Helper()
	ctx := context.Background()
	tmp := table + "_xy"
	exec(t, conn, fmt.Sprintf("CREATE TABLE %s (idx int, x float8, y float8)", tmp))
	_, err := conn.CopyFrom(ctx, pgx.Identifier{tmp}, []string{"idx", "x", "y"},
		pgx.CopyFromSlice(len(pts), func(i int) ([]any, error) {
			return []any{i, pts[i][0], pts[i][1]}, nil
		}))
	if err != nil {
		t.Fatalf("copy into %s: %v", tmp, err)
	}
	exec(t, conn, fmt.Sprintf(`CREATE TABLE %s AS SELECT idx, ST_SetSRID(ST_MakePoint(x, y), 4326)::geometry(Point, 4326) AS geom FROM %s`, table, tmp))
	exec(t, conn, fmt.Sprintf(`DROP TABLE %s`, tmp))
	exec(t, conn, fmt.Sprintf(`CREATE INDEX ON %s USING gist (geom)`, table))
	exec(t, conn, fmt.Sprintf(`ANALYZE %s`, table))
}

func exec(t testing.TB, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// pairs runs a query returning (int, int) rows.
func pairs(t testing.TB, conn *pgx.Conn, sql string, args ...any) [][2]int {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out [][2]int
	for rows.Next() {
		var a, b int32
		if err := rows.Scan(&a, &b); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out = append(out, [2]int{int(a), int(b)})
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}
