package crs

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// germanyPoints returns 200 WGS 84 points: a 15 × 13 lattice over
// lon 5.5–15.5, lat 47–55.5 and five points around Berlin.
func germanyPoints() []orb.Point {
	var pts []orb.Point
	for i := range 15 {
		for j := range 13 {
			pts = append(pts, orb.Point{5.5 + float64(i)*10/14, 47 + float64(j)*8.5/12})
		}
	}
	for _, d := range []orb.Point{{0, 0}, {0.1, 0}, {-0.1, 0}, {0, 0.05}, {0, -0.05}} {
		pts = append(pts, orb.Point{13.4 + d[0], 52.5 + d[1]})
	}
	return pts
}

// TestPostGIS compares ToWGS84 and FromWGS84 with PostGIS's ST_Transform
// for every supported CRS on points over Germany: they must agree to 1 cm.
func TestPostGIS(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())

	const query = `SELECT ST_X(g), ST_Y(g)
		FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint($1, $2), $3::integer), $4::integer) AS g) AS t`
	transform := func(p orb.Point, from, to int) (orb.Point, error) {
		var q orb.Point
		err := conn.QueryRow(ctx, query, p[0], p[1], from, to).Scan(&q[0], &q[1])
		return q, err
	}

	const tolerance = 0.01 // metres
	for _, code := range Supported() {
		if code == 4326 {
			continue
		}
		c, _ := ByEPSG(code)
		t.Run(c.String(), func(t *testing.T) {
			wgs := germanyPoints()
			var proj []orb.Point
			for _, p := range wgs {
				x, y, err := c.FromWGS84(p[0], p[1])
				if err != nil {
					t.Fatalf("FromWGS84(%v, %v): %v", p[0], p[1], err)
				}
				proj = append(proj, orb.Point{x, y})
			}
			if c.dhdn != nil {
				ew, ep := dhdnEdgePoints(c)
				wgs, proj = append(wgs, ew...), append(proj, ep...)
			}

			var maxFrom, maxTo float64
			for _, p := range wgs {
				x, y, err := c.FromWGS84(p[0], p[1])
				if err != nil {
					t.Fatalf("FromWGS84(%v, %v): %v", p[0], p[1], err)
				}
				want, err := transform(p, 4326, code)
				if err != nil {
					t.Fatalf("ST_Transform(%v, %v from EPSG:4326 to %s): %v", p[0], p[1], c, err)
				}
				d := coordDistance(c, x, y, want[0], want[1], p[1])
				if d > tolerance {
					t.Errorf("FromWGS84(%v, %v): got (%.4f, %.4f), want (%.4f, %.4f) from PostGIS: %.3f m apart", p[0], p[1], x, y, want[0], want[1], d)
				}
				maxFrom = math.Max(maxFrom, d)
			}

			refused := 0
			for _, p := range proj {
				lon, lat, err := c.ToWGS84(p[0], p[1])
				if err != nil {
					t.Fatalf("ToWGS84(%v, %v): %v", p[0], p[1], err)
				}
				want, err := transform(p, code, 4326)
				if err != nil && c.dhdn != nil && strings.Contains(err.Error(), "outside grid") {
					// Inside the grid's area of use but off the grid: PROJ's
					// proj_trans falls back to Helmert, PostGIS refuses.
					refused++
					continue
				}
				if err != nil {
					t.Fatalf("ST_Transform(%v, %v from %s to EPSG:4326): %v", p[0], p[1], c, err)
				}
				d := groundDistance(lon, lat, want[0], want[1])
				if d > tolerance {
					t.Errorf("ToWGS84(%v, %v): got (%.9f, %.9f), want (%.9f, %.9f) from PostGIS: %.3f m apart", p[0], p[1], lon, lat, want[0], want[1], d)
				}
				maxTo = math.Max(maxTo, d)
			}
			t.Logf("%s: max deviation from PostGIS: ToWGS84 %.2g m (%d points, %d refused by PostGIS), FromWGS84 %.2g m (%d points)",
				c, maxTo, len(proj)-refused, refused, maxFrom, len(wgs))
		})
	}
}
