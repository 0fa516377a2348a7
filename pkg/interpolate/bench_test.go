package interpolate

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// BenchmarkAreaWeights measures AreaWeights for the 542 Berlin
// Planungsräume against the 2 km grid (460 squares: the clipping
// shortcut), and as the baseline the same intersection areas computed by
// PostGIS (GEOS) in one query over tables with a GiST index, the data
// already loaded.
//
//	go test -run '^$' -bench AreaWeights -benchtime 5x ./pkg/interpolate
func BenchmarkAreaWeights(b *testing.B) {
	_, plr := berlinPLR(b)
	benchAreaWeights(b, plr, grid(b, plr, 2000))
}

// BenchmarkAreaWeightsIrregular does the same against the 143
// Bezirksregionen shifted by 300 m: irregular targets, so most pairs go
// through the polygon overlay.
func BenchmarkAreaWeightsIrregular(b *testing.B) {
	_, plr := berlinPLR(b)
	_, bzr := berlinUnits(b, "lor2021/berlin_lor2021_bzr_4326.geojson", "BZR_ID")
	benchAreaWeights(b, plr, shifted(b, bzr, 300, 300))
}

func benchAreaWeights(b *testing.B, source, target []orb.MultiPolygon) {
	w, err := AreaWeights(source, target)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("interpolate", func(b *testing.B) {
		for b.Loop() {
			if _, err := AreaWeights(source, target); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("postgis", func(b *testing.B) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, pgtest.NewDatabase(b))
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `CREATE TABLE s (id int PRIMARY KEY, geom geometry(MultiPolygon, 4326));
			CREATE TABLE t (id int PRIMARY KEY, geom geometry(MultiPolygon, 4326))`); err != nil {
			b.Fatal(err)
		}
		batch := &pgx.Batch{}
		for i, mp := range source {
			batch.Queue("INSERT INTO s VALUES ($1, ST_SetSRID(ST_GeomFromWKB($2), 4326))", i, wkb.MustMarshal(mp))
		}
		for i, mp := range target {
			batch.Queue("INSERT INTO t VALUES ($1, ST_SetSRID(ST_GeomFromWKB($2), 4326))", i, wkb.MustMarshal(mp))
		}
		if err := conn.SendBatch(ctx, batch).Close(); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `CREATE INDEX ON t USING gist (geom); ANALYZE s; ANALYZE t`); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM (
				SELECT ST_Area(ST_Intersection(s.geom, t.geom)::geography) a
				FROM s JOIN t ON ST_Intersects(s.geom, t.geom)) x WHERE a > 0`).Scan(&n); err != nil {
				b.Fatal(err)
			}
			if n != len(w.Pairs) {
				b.Fatalf("PostGIS finds %d pairs, AreaWeights %d", n, len(w.Pairs))
			}
		}
	})
}
