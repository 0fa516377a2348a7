package spatialstats

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// Queen contiguity of the 542 Berlin Planungsräume equals the pairs PostGIS
// finds with ST_Intersects on the same geometries (sent as WKB, so the
// coordinates are bit for bit the same), and with ST_Touches: the units
// form a partition, so no pair overlaps.
func TestQueenBerlinPostGIS(t *testing.T) {
	ids, geoms := berlinPLR(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	if _, err := conn.Exec(ctx, `CREATE TABLE plr (idx int PRIMARY KEY, id text NOT NULL, geom geometry(MultiPolygon, 4326) NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	rows := make([][]any, len(geoms))
	for i, g := range geoms {
		b, err := wkb.Marshal(g)
		if err != nil {
			t.Fatalf("PLR %s: %v", ids[i], err)
		}
		rows[i] = []any{i, ids[i], b}
	}
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE plr_wkb (idx int, id text, wkb bytea)`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"plr_wkb"}, []string{"idx", "id", "wkb"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO plr SELECT idx, id, ST_SetSRID(ST_GeomFromWKB(wkb), 4326) FROM plr_wkb;
		CREATE INDEX ON plr USING gist (geom); ANALYZE plr`); err != nil {
		t.Fatal(err)
	}

	pairs := func(pred string) [][2]int {
		t.Helper()
		rs, err := conn.Query(ctx, `SELECT a.idx, b.idx FROM plr a JOIN plr b ON `+pred+`(a.geom, b.geom) AND a.idx < b.idx ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) ([2]int, error) {
			var p [2]int
			err := r.Scan(&p[0], &p[1])
			return p, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	intersects := pairs("ST_Intersects")
	touches := pairs("ST_Touches")
	ours := Queen(geoms).Pairs()

	if !reflect.DeepEqual(ours, intersects) {
		diff(t, "ST_Intersects", ids, ours, intersects)
	}
	if !reflect.DeepEqual(touches, intersects) {
		diff(t, "ST_Touches vs ST_Intersects", ids, touches, intersects)
	}
	t.Logf("%d Planungsräume: %d queen pairs; PostGIS ST_Intersects %d, ST_Touches %d", len(geoms), len(ours), len(intersects), len(touches))
}

// diff reports the pairs only one side has, by PLR id.
func diff(t *testing.T, what string, ids []string, got, want [][2]int) {
	t.Helper()
	in := func(ps [][2]int) map[[2]int]bool {
		m := map[[2]int]bool{}
		for _, p := range ps {
			m[p] = true
		}
		return m
	}
	g, w := in(got), in(want)
	for _, p := range got {
		if !w[p] {
			t.Errorf("%s: pair %s-%s found only by us", what, ids[p[0]], ids[p[1]])
		}
	}
	for _, p := range want {
		if !g[p] {
			t.Errorf("%s: pair %s-%s found only by PostGIS", what, ids[p[0]], ids[p[1]])
		}
	}
}
