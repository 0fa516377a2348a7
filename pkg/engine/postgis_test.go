package engine_test

import (
	"context"
	"math"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
	"github.com/sozialatlas/sozialatlas/pkg/postgis"
)

// TestMSSAgainstPostgreSQL recomputes the Berlin MSS 2021 Status- and
// Dynamik-Index in SQL, with PostgreSQL's stddev_pop window functions,
// from the same imported shares, and compares every Planungsraum and class.
func TestMSSAgainstPostgreSQL(t *testing.T) {
	st, _, _ := berlin(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE mss (plr text PRIMARY KEY, ew double precision,
		s1 double precision, s3 double precision, s4 double precision,
		d1 double precision, d3 double precision, d4 double precision)`); err != nil {
		t.Fatal(err)
	}
	cols := []string{"mss_ew", "mss_s1", "mss_s3", "mss_s4", "mss_d1", "mss_d3", "mss_d4"}
	rows := map[string][]any{}
	for k, id := range cols {
		for code, v := range values(t, st, id, "planungsraum") {
			if rows[code] == nil {
				rows[code] = []any{code, nil, nil, nil, nil, nil, nil, nil}
			}
			if v.Status == atlas.OK {
				rows[code][k+1] = v.Value
			}
		}
	}
	var src [][]any
	for _, r := range rows {
		src = append(src, r)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"mss"}, []string{"plr", "ew", "s1", "s3", "s4", "d1", "d3", "d4"}, pgx.CopyFromRows(src)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id, a, b, c string
		cut         []float64
		labels      []string
	}{
		{"mss-status-index", "s1", "s3", "s4", []float64{-1, 1, 1.5}, []string{"hoch", "mittel", "niedrig", "sehr niedrig"}},
		{"mss-dynamik-index", "d1", "d3", "d4", []float64{-1, 1}, []string{"positiv", "stabil", "negativ"}},
	} {
		// The MSS rules in SQL: included are the Planungsräume with all
		// three values, at least 300 residents and not excluded.
		q := `WITH inc AS (
			SELECT plr, ` + tc.a + ` AS a, ` + tc.b + ` AS b, ` + tc.c + ` AS c FROM mss
			WHERE ew >= 300 AND plr <> '10100205' AND ` + tc.a + ` IS NOT NULL AND ` + tc.b + ` IS NOT NULL AND ` + tc.c + ` IS NOT NULL),
		z AS (SELECT plr,
			(a - avg(a) OVER ()) / stddev_pop(a) OVER () +
			(b - avg(b) OVER ()) / stddev_pop(b) OVER () +
			(c - avg(c) OVER ()) / stddev_pop(c) OVER () AS s FROM inc)
		SELECT plr, s / stddev_pop(s) OVER () FROM z`
		rs, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{}
		for rs.Next() {
			var code string
			var x float64
			if err := rs.Scan(&code, &x); err != nil {
				t.Fatal(err)
			}
			want[code] = x
		}
		rs.Close()
		got := values(t, st, tc.id, "planungsraum")
		if len(want) != 536 {
			t.Fatalf("%s: PostgreSQL includes %d Planungsräume, want 536", tc.id, len(want))
		}
		counts := map[string]int{}
		for code, v := range got {
			w, in := want[code]
			if !in {
				if v.Status != atlas.Missing {
					t.Errorf("%s %s: %s %g, but PostgreSQL excludes it", tc.id, code, v.Status, v.Value)
				}
				continue
			}
			if v.Status != atlas.OK || math.Abs(v.Value-w) > 1e-9 {
				t.Errorf("%s %s: engine %s %.12f, PostgreSQL %.12f", tc.id, code, v.Status, v.Value, w)
			}
			class := len(tc.cut)
			for i, c := range tc.cut {
				if w <= c {
					class = i
					break
				}
			}
			counts[tc.labels[class]]++
		}
		t.Logf("%s classes (from PostgreSQL's values): %v", tc.id, counts)
	}
}

// TestOffersAgainstPostGIS cross-checks the engine's offer indicators on
// the Berlin data with PostGIS: Kitas per Planungsraum against the
// ST_Contains join (exactly), areas against ST_Area(geography) (0.1 %),
// and distances to the nearest Kita against ST_Distance(geography) from the
// same interior points (0.5 %).
func TestOffersAgainstPostGIS(t *testing.T) {
	st, _, _ := berlin(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE plr (code text PRIMARY KEY, geom geometry(MultiPolygon, 4326));
		CREATE TABLE kita (id text, geom geometry(Point, 4326)); CREATE INDEX ON plr USING gist (geom)`); err != nil {
		t.Fatal(err)
	}
	units, err := st.Units(ctx, "planungsraum", atlas.UnitQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]any
	for _, u := range units {
		rows = append(rows, []any{u.Code, wkb.Value(u.Geometry)})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"plr"}, []string{"code", "geom"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	offers, err := st.Offers(ctx, "kitas", atlas.OfferQuery{})
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[:0]
	for _, o := range offers {
		rows = append(rows, []any{o.ID, wkb.Value(o.Geometry)})
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"kita"}, []string{"id", "geom"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `UPDATE plr SET geom = ST_SetSRID(geom, 4326); UPDATE kita SET geom = ST_SetSRID(geom, 4326)`); err != nil {
		t.Fatal(err)
	}
	// Kitas per Planungsraum: the numerator of Kitas je 1.000 Kinder unter 6.
	rate := values(t, st, "kitas-je-1000-u6", "planungsraum")
	density := values(t, st, "kitas-je-km2", "planungsraum")
	rs, err := conn.Query(ctx, `SELECT p.code, count(k.id), ST_Area(p.geom::geography) / 1e6
		FROM plr p LEFT JOIN kita k ON ST_Contains(p.geom, k.geom) GROUP BY p.code, p.geom`)
	if err != nil {
		t.Fatal(err)
	}
	n, worstArea := 0, 0.0
	for rs.Next() {
		var code string
		var count int
		var area float64
		if err := rs.Scan(&code, &count, &area); err != nil {
			t.Fatal(err)
		}
		n++
		if d := density[code]; d.Status != atlas.OK || d.Numerator.V != float64(count) {
			t.Errorf("%s: engine counts %v Kitas, ST_Contains %d", code, d.Numerator, count)
		} else {
			rel := math.Abs(d.Denominator.V-area) / area
			worstArea = math.Max(worstArea, rel)
			if rel > 0.001 {
				t.Errorf("%s: area %g km², ST_Area %g km²", code, d.Denominator.V, area)
			}
		}
		if r := rate[code]; r.Status == atlas.OK && r.Numerator.V != float64(count) {
			t.Errorf("%s: Kitas je 1.000 counts %g, ST_Contains %d", code, r.Numerator.V, count)
		}
	}
	rs.Close()
	if n != 542 {
		t.Fatalf("%d Planungsräume in PostGIS", n)
	}
	// Distance to the nearest Kita from each Planungsraum's population
	// carrier: the engine's value is Σ P·d / Σ P over one carrier, i.e. d.
	dist := values(t, st, "kitas-distanz", "planungsraum")
	worstDist, checked := 0.0, 0
	for _, u := range units {
		v := dist[u.Code]
		if v.Status != atlas.OK {
			continue
		}
		p := geo.InteriorPoint(u.Geometry)
		var d float64
		if err := conn.QueryRow(ctx, `SELECT min(ST_Distance(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, geom::geography)) FROM kita`,
			p[0], p[1]).Scan(&d); err != nil {
			t.Fatal(err)
		}
		rel := math.Abs(v.Value-d) / math.Max(d, 1)
		worstDist = math.Max(worstDist, rel)
		if rel > 0.005 {
			t.Errorf("%s: nearest Kita %g m, ST_Distance %g m", u.Code, v.Value, d)
		}
		checked++
	}
	t.Logf("542 Planungsräume: Kita counts equal ST_Contains; worst area error %.2e; %d nearest distances, worst error %.2e", worstArea, checked, worstDist)
}

// TestComputeOnPostGIS runs the Berlin catalog on the PostGIS store and
// compares every computed value with the same computation on SQLite.
func TestComputeOnPostGIS(t *testing.T) {
	ctx := context.Background()
	pg, err := postgis.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	rep := computeBerlin(t, pg)
	lite, _, _ := berlin(t)
	n := 0
	for _, c := range rep.Computed {
		for _, lvl := range c.Levels {
			want := values(t, lite, c.ID, lvl)
			got := values(t, pg, c.ID, lvl)
			if len(got) != len(want) {
				t.Errorf("%s %s: %d values on PostGIS, %d on SQLite", c.ID, lvl, len(got), len(want))
			}
			for code, w := range want {
				g := got[code]
				if g.Status != w.Status || math.Abs(g.Value-w.Value) > 1e-9*math.Max(1, math.Abs(w.Value)) {
					t.Errorf("%s %s %s: PostGIS %s %g, SQLite %s %g", c.ID, lvl, code, g.Status, g.Value, w.Status, w.Value)
				}
				n++
			}
		}
	}
	t.Logf("%d values agree", n)
}
