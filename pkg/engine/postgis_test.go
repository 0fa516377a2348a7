package engine_test

import (
	"context"
	"math"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
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
