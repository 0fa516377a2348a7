package geomcheck

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// The PostGIS tests check that our verdict (valid or repairable, or an
// error) agrees with ST_IsValid on the original input. PostGIS cannot parse
// an unclosed ring, so rings are closed first; nothing else is changed. A
// geometry PostGIS refuses to parse at all (a ring of fewer than 4 points, an
// infinite coordinate) counts as invalid there.

// postgis connects to a fresh PostGIS database.
func postgis(t *testing.T) (context.Context, *pgx.Conn) {
	url := pgtest.NewDatabase(t)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return ctx, conn
}

// isValid returns ST_IsValid(ST_GeomFromText(wkt)), or false and PostGIS's
// message if it cannot parse wkt.
func isValid(ctx context.Context, t *testing.T, conn *pgx.Conn, wkt string) (valid bool, refused string) {
	t.Helper()
	err := conn.QueryRow(ctx, "SELECT ST_IsValid(ST_GeomFromText($1))", wkt).Scan(&valid)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return false, pgErr.Message
	}
	if err != nil {
		t.Fatalf("ST_IsValid(%s): %v", wkt, err)
	}
	return valid, ""
}

// closedWKT writes g as WKT with its rings closed, and reports false if WKT
// cannot express it (an empty ring or polygon).
func closedWKT(g orb.Geometry) (string, bool) {
	var b strings.Builder
	polygon := func(p orb.Polygon) bool {
		if len(p) == 0 {
			return false
		}
		b.WriteByte('(')
		for i, r := range p {
			if len(r) == 0 {
				return false
			}
			if r[0] != r[len(r)-1] {
				r = append(r[:len(r):len(r)], r[0])
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j, pt := range r {
				if j > 0 {
					b.WriteByte(',')
				}
				b.WriteString(strconv.FormatFloat(pt[0], 'g', -1, 64) + " " + strconv.FormatFloat(pt[1], 'g', -1, 64))
			}
			b.WriteByte(')')
		}
		b.WriteByte(')')
		return true
	}
	switch g := g.(type) {
	case orb.Polygon:
		b.WriteString("POLYGON")
		if !polygon(g) {
			return "", false
		}
		return b.String(), true
	case orb.MultiPolygon:
		if len(g) == 0 {
			return "", false
		}
		b.WriteString("MULTIPOLYGON(")
		for i, p := range g {
			if i > 0 {
				b.WriteByte(',')
			}
			if !polygon(p) {
				return "", false
			}
		}
		b.WriteByte(')')
		return b.String(), true
	}
	return "", false
}

func TestPostGIS(t *testing.T) {
	ctx, conn := postgis(t)
	type check struct {
		name string
		g    orb.Geometry
		ours bool // valid or repairable
	}
	var checks []check
	for _, tc := range validCases {
		checks = append(checks, check{"valid/" + tc.name, tc.g, true})
	}
	for _, tc := range repairCases {
		checks = append(checks, check{"repair/" + tc.name, tc.g, true})
	}
	for _, tc := range errorCases {
		if tc.noPostGIS == "" {
			checks = append(checks, check{"error/" + tc.name, tc.g, false})
		}
	}
	berlin := readFeatures(t, "testdata/plr_sample.geojson")
	if !testing.Short() {
		berlin = append(berlin, readFeatures(t, berlinFile())...)
	}
	for _, f := range berlin {
		_, _, err := MultiPolygon(f.g)
		checks = append(checks, check{"berlin/" + f.id, f.g, err == nil})
	}

	agree, refused := 0, 0
	for _, c := range checks {
		wkt, ok := closedWKT(c.g)
		if !ok {
			t.Fatalf("%s: cannot write WKT", c.name)
		}
		pg, msg := isValid(ctx, t, conn, wkt)
		if msg != "" {
			refused++
			t.Logf("%s: PostGIS refuses to parse it: %s", c.name, msg)
		}
		if pg != c.ours {
			t.Errorf("%s: got ST_IsValid %v, want %v as our verdict", c.name, pg, c.ours)
			continue
		}
		agree++
	}
	t.Logf("PostGIS agrees on %d of %d geometries (%d of them unparsable there)", agree, len(checks), refused)
}

// TestPostGISRandom compares verdicts on random small geometries from the
// fuzz generator: mostly invalid ones, with shared vertices and touching
// rings, the cases where validity rules are subtle.
func TestPostGISRandom(t *testing.T) {
	const seed, n = 20240601, 3000
	ctx, conn := postgis(t)
	rng := rand.New(rand.NewPCG(seed, seed))
	valid, compared, disagree := 0, 0, 0
	for i := range n {
		data := make([]byte, 20+rng.IntN(60))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		g := geometryFromBytes(data)
		wkt, ok := closedWKT(g)
		if !ok {
			continue
		}
		_, _, err := MultiPolygon(g)
		pg, _ := isValid(ctx, t, conn, wkt)
		compared++
		if err == nil {
			valid++
		}
		if pg != (err == nil) {
			disagree++
			if disagree <= 10 {
				t.Errorf("case %d (seed %d): %s: got ST_IsValid %v, want %v as our verdict (%v)", i, seed, wkt, pg, err == nil, err)
			}
		}
	}
	t.Logf("compared %d random geometries (%d valid): %d disagreements", compared, valid, disagree)
}
