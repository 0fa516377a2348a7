package interpolate

import (
	"context"
	"math"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// pgArea is an area as PostGIS measures it: geodesic is ST_Area(g::geography),
// which takes edges as geodesics; straight is the same after ST_Segmentize
// to 1e-4° (about 10 m), which approximates edges straight in lon/lat, the
// model interpolate measures, to about 1e-7 of the area.
type pgArea struct{ geodesic, straight float64 }

// segmentize is the maximum edge length, in degrees, of pgArea.straight.
const segmentize = 1e-4

// postgisAreas loads source and target units into a fresh PostGIS database
// and returns the area of ST_Intersection(s, t) for every pair whose
// geometries intersect, and the areas of the units.
func postgisAreas(t *testing.T, source, target []orb.MultiPolygon) (pairs map[[2]int]pgArea, srcArea, tgtArea []pgArea) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE s (id int PRIMARY KEY, geom geometry(MultiPolygon, 4326));
		CREATE TABLE t (id int PRIMARY KEY, geom geometry(MultiPolygon, 4326))`); err != nil {
		t.Fatal(err)
	}
	for _, tab := range []struct {
		name  string
		units []orb.MultiPolygon
	}{{"s", source}, {"t", target}} {
		rows := make([][]any, len(tab.units))
		for i, mp := range tab.units {
			b, err := wkb.Marshal(mp)
			if err != nil {
				t.Fatal(err)
			}
			rows[i] = []any{i, b}
		}
		batch := &pgx.Batch{}
		for _, r := range rows {
			batch.Queue("INSERT INTO "+tab.name+" VALUES ($1, ST_SetSRID(ST_GeomFromWKB($2), 4326))", r...)
		}
		if err := conn.SendBatch(ctx, batch).Close(); err != nil {
			t.Fatalf("insert into %s: %v", tab.name, err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE INDEX ON t USING gist (geom); ANALYZE s; ANALYZE t`); err != nil {
		t.Fatal(err)
	}

	pairs = map[[2]int]pgArea{}
	rows, err := conn.Query(ctx, `SELECT sid, tid, ST_Area(g::geography), ST_Area(ST_Segmentize(g, $1)::geography)
		FROM (SELECT s.id sid, t.id tid, ST_Intersection(s.geom, t.geom) g
			FROM s JOIN t ON ST_Intersects(s.geom, t.geom)) x`, segmentize)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var i, j int
		var a pgArea
		if err := rows.Scan(&i, &j, &a.geodesic, &a.straight); err != nil {
			t.Fatal(err)
		}
		pairs[[2]int{i, j}] = a
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	unitAreas := func(tab string, n int) []pgArea {
		out := make([]pgArea, n)
		rows, err := conn.Query(ctx, "SELECT id, ST_Area(geom::geography), ST_Area(ST_Segmentize(geom, $1)::geography) FROM "+tab, segmentize)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var i int
			var a pgArea
			if err := rows.Scan(&i, &a.geodesic, &a.straight); err != nil {
				t.Fatal(err)
			}
			out[i] = a
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	return pairs, unitAreas("s", len(source)), unitAreas("t", len(target))
}

// TestAreaWeightsPostGIS compares the intersection areas of the 542
// Berlin Planungsräume with two non-nested target sets against PostGIS:
// a 2 km grid (EPSG:25833) and the 143 Bezirksregionen shifted by 300 m
// east and 300 m north (whose borders run near and along copies of the
// Planungsräume's own borders). Every pair above 1,000 m² on either side
// must be found by both and agree within 0.1 % with
// ST_Area(ST_Intersection(a, b)::geography), and within 1e-6 with the
// same area after segmentizing, which follows edges straight in lon/lat
// as interpolate does: a check of the overlay itself.
func TestAreaWeightsPostGIS(t *testing.T) {
	_, plr := berlinPLR(t)
	_, bzr := berlinUnits(t, "lor2021/berlin_lor2021_bzr_4326.geojson", "BZR_ID")
	for _, tc := range []struct {
		name   string
		target []orb.MultiPolygon
	}{
		{"grid 2 km", grid(t, plr, 2000)},
		{"Bezirksregionen shifted 300 m", shifted(t, bzr, 300, 300)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := AreaWeights(plr, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			pg, pgSrc, pgTgt := postgisAreas(t, plr, tc.target)

			mine := map[[2]int]float64{}
			for _, p := range w.Pairs {
				mine[[2]int{p.S, p.T}] = p.W
			}
			const minArea, tolGeodesic, tolStraight = 1000.0, 1e-3, 1e-6
			var compared int
			var maxGeodesic, maxStraight, maxSmall float64
			for k, a := range pg {
				m := mine[k]
				if a.geodesic < minArea && m < minArea {
					maxSmall = math.Max(maxSmall, math.Abs(m-a.straight))
					continue
				}
				compared++
				relG, relS := math.Abs(m-a.geodesic)/a.geodesic, math.Abs(m-a.straight)/a.straight
				maxGeodesic, maxStraight = math.Max(maxGeodesic, relG), math.Max(maxStraight, relS)
				if relG > tolGeodesic || relS > tolStraight {
					t.Errorf("source %d, target %d: %.3f m², PostGIS %.3f m² (geodesic edges), %.3f m² (segmentized)", k[0], k[1], m, a.geodesic, a.straight)
				}
			}
			for k, m := range mine {
				if _, found := pg[k]; !found {
					if m >= minArea {
						t.Errorf("source %d, target %d: %.1f m², PostGIS finds no intersection", k[0], k[1], m)
					}
					maxSmall = math.Max(maxSmall, m)
				}
			}
			var unitGeodesic, unitStraight float64
			check := func(set string, mine []float64, pg []pgArea) {
				for i, a := range pg {
					relG, relS := math.Abs(mine[i]-a.geodesic)/a.geodesic, math.Abs(mine[i]-a.straight)/a.straight
					unitGeodesic, unitStraight = math.Max(unitGeodesic, relG), math.Max(unitStraight, relS)
					if relG > tolGeodesic || relS > tolStraight {
						t.Errorf("%s %d: %.3f m², PostGIS %.3f m² (geodesic edges), %.3f m² (segmentized)", set, i, mine[i], a.geodesic, a.straight)
					}
				}
			}
			check("source", w.SourceTotal, pgSrc)
			check("target", w.TargetTotal, pgTgt)
			if compared < len(plr) {
				t.Errorf("only %d pairs above %v m² compared", compared, minArea)
			}
			t.Logf("%d pairs (PostGIS %d), %d above %v m²: max relative error %.2e against geodesic edges, %.2e segmentized; "+
				"smaller pairs: max absolute difference %.4f m²; unit areas: %.2e, %.2e",
				len(w.Pairs), len(pg), compared, minArea, maxGeodesic, maxStraight, maxSmall, unitGeodesic, unitStraight)
		})
	}
}
