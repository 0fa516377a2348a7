package geo

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/sozialatlas/sozialatlas/geodata"
)

var berlinOfferFiles = []string{
	"offers/berlin_kitas_4326.geojson",
	"offers/berlin_jugendfreizeiteinrichtungen_4326.geojson",
	"offers/berlin_schulen_4326.geojson",
	"offers/berlin_pflegeeinrichtungen_4326.geojson",
}

// TestBerlinPostGIS compares Area, Locate, InteriorPoint and Distance with
// PostGIS on the real Berlin data (542 Planungsräume, 12 Bezirke, all
// offers), loaded bit-exactly into a fresh PostGIS database.
func TestBerlinPostGIS(t *testing.T) {
	fsys := geodata.Berlin()
	plrIDs, plr := readUnits(t, fsys, "lor2021/berlin_lor2021_plr_4326.geojson", "PLR_ID")
	bezIDs, bez := readUnits(t, fsys, "lor2021/berlin_lor2021_bez_4326.geojson", "BEZ_ID")
	if len(plr) != 542 || len(bez) != 12 {
		t.Fatalf("read %d Planungsräume and %d Bezirke, want 542 and 12", len(plr), len(bez))
	}
	var offers []orb.Point
	kitas := 0
	for i, f := range berlinOfferFiles {
		pts := readPoints(t, fsys, f)
		if i == 0 {
			kitas = len(pts)
		}
		offers = append(offers, pts...)
	}
	conn := connect(t)
	loadPolygons(t, conn, "plr", plr)
	loadPolygons(t, conn, "bez", bez)
	loadPoints(t, conn, "offers", offers)
	loc := NewLocator(plr)

	t.Run("Area", func(t *testing.T) {
		for _, lv := range []struct {
			table string
			ids   []string
			units []orb.MultiPolygon
		}{{"plr", plrIDs, plr}, {"bez", bezIDs, bez}} {
			want := floats(t, conn, "SELECT idx, ST_Area(geom::geography) FROM "+lv.table, len(lv.units))
			maxRel := 0.0
			for i, mp := range lv.units {
				got := Area(mp)
				rel := math.Abs(got-want[i]) / want[i]
				maxRel = max(maxRel, rel)
				// The package promises 0.01 %; the brief's acceptance is 0.1 %.
				if rel > 1e-4 {
					t.Errorf("%s %s: Area %.1f m², PostGIS %.1f m² (rel %.2g)", lv.table, lv.ids[i], got, want[i], rel)
				}
			}
			t.Logf("%s: %d units, max relative error of Area against ST_Area(geography): %.3g", lv.table, len(lv.units), maxRel)
		}
	})

	t.Run("Offers", func(t *testing.T) {
		got := loc.LocateAll(offers)
		// Every unit each offer intersects, and whether it contains it.
		type hit struct {
			unit     int
			contains bool
		}
		hits := make([][]hit, len(offers))
		rows, err := conn.Query(context.Background(), `SELECT o.idx, p.idx, ST_Contains(p.geom, o.geom)
			FROM offers o JOIN plr p ON ST_Intersects(p.geom, o.geom)`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var o, p int32
			var c bool
			if err := rows.Scan(&o, &p, &c); err != nil {
				t.Fatal(err)
			}
			hits[o] = append(hits[o], hit{int(p), c})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		border, outside := 0, 0
		ours := make([]int, len(plr)) // counts of non-border offers per unit
		for i, hs := range hits {
			var contains, touches []int
			for _, h := range hs {
				if h.contains {
					contains = append(contains, h.unit)
				} else {
					touches = append(touches, h.unit)
				}
			}
			switch {
			case len(contains) > 1:
				t.Errorf("offer %d %v: PostGIS finds it in %d units", i, offers[i], len(contains))
			case len(contains) == 1:
				if got[i] != contains[0] {
					t.Errorf("offer %d %v: located in %d, PostGIS ST_Contains %d", i, offers[i], got[i], contains[0])
				} else {
					ours[got[i]]++
				}
			case len(touches) > 0:
				border++
				if !slices.Contains(touches, got[i]) {
					t.Errorf("offer %d %v on the border of %v: located in %d", i, offers[i], touches, got[i])
				}
				t.Logf("offer %d %v on the border of units %v: assigned to %d", i, offers[i], touches, got[i])
			default:
				outside++
				if got[i] != -1 {
					t.Errorf("offer %d %v outside every unit: located in %d", i, offers[i], got[i])
				}
			}
		}
		// Per-unit counts of the ST_Contains join itself.
		want := make([]int, len(plr))
		for _, r := range pairs(t, conn, `SELECT p.idx, count(*)::int FROM plr p JOIN offers o ON ST_Contains(p.geom, o.geom) GROUP BY p.idx`) {
			want[r[0]] = r[1]
		}
		if !slices.Equal(ours, want) {
			t.Errorf("offers per Planungsraum differ from the ST_Contains join")
		}
		t.Logf("%d offers: %d inside a Planungsraum (counts per unit equal to the ST_Contains join), %d on a border (ST_Intersects but not ST_Contains), %d outside Berlin",
			len(offers), len(offers)-border-outside, border, outside)
		if len(offers) < 4000 {
			t.Errorf("only %d offers read", len(offers))
		}
	})

	t.Run("SharedBorders", func(t *testing.T) {
		vertexUnits, edgeUnits := sharedBorders(plr)
		// Shared vertices: those of 3 or more units (and some of 2), in a
		// deterministic order.
		var pts []orb.Point
		for v, us := range vertexUnits {
			if len(us) >= 2 {
				pts = append(pts, v)
			}
		}
		slices.SortFunc(pts, cmpPoint)
		var triple, double []orb.Point
		for _, p := range pts {
			if len(vertexUnits[p]) >= 3 {
				triple = append(triple, p)
			} else {
				double = append(double, p)
			}
		}
		if len(triple) < 20 || len(double) < 200 {
			t.Fatalf("found %d vertices of 3+ units and %d of 2: the Berlin PLR are not a shared-vertex partition", len(triple), len(double))
		}
		// Midpoints of shared edges; PostGIS decides which lie exactly on
		// the edge (intersecting both units, contained in neither).
		var edges [][2]orb.Point
		for e, us := range edgeUnits {
			if len(us) == 2 {
				edges = append(edges, e)
			}
		}
		slices.SortFunc(edges, func(a, b [2]orb.Point) int {
			if c := cmpPoint(a[0], b[0]); c != 0 {
				return c
			}
			return cmpPoint(a[1], b[1])
		})
		var mids []orb.Point
		for i := 0; i < len(edges); i += 7 {
			e := edges[i]
			mids = append(mids, orb.Point{(e[0][0] + e[1][0]) / 2, (e[0][1] + e[1][1]) / 2})
		}
		cands := append(append(append([]orb.Point{}, triple...), double[:400]...), mids...)
		onEdge, onVertex, nearEdge := 0, 0, 0
		for i, p := range cands {
			var touches, contains []int
			rows, err := conn.Query(context.Background(), `SELECT idx, ST_Contains(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))
				FROM plr WHERE ST_Intersects(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, p[0], p[1])
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var u int32
				var c bool
				if err := rows.Scan(&u, &c); err != nil {
					t.Fatal(err)
				}
				if c {
					contains = append(contains, int(u))
				} else {
					touches = append(touches, int(u))
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			isVertex := i < len(triple)+400
			got := loc.Locate(p)
			if len(contains) > 0 || len(touches) < 2 {
				if isVertex {
					t.Errorf("vertex %v: PostGIS finds it inside %v, on the border of %v", p, contains, touches)
				}
				// A midpoint rounded off its edge, a hair's breadth into a
				// unit: the exact predicate must see it where GEOS does.
				if len(contains) == 1 && got != contains[0] {
					t.Errorf("point %v next to a border: located in %d, PostGIS ST_Contains %d", p, got, contains[0])
				}
				nearEdge++
				continue
			}
			if isVertex {
				onVertex++
			} else {
				onEdge++
			}
			if owner := borderOwner(t, conn, "plr", p); got != owner {
				t.Errorf("point %v on the border of %v: located in %d, the rule (PostGIS at p+(ε,δ)) says %d", p, touches, got, owner)
			}
			if !slices.Contains(touches, got) {
				t.Errorf("point %v on the border of %v: located in %d", p, touches, got)
			}
			// Exactly one owner, checked unit by unit without the index.
			owners := 0
			for u, mp := range plr {
				if refContains(mp, p) {
					owners++
					if u != got {
						t.Errorf("point %v: Locate says %d, but unit %d also contains it", p, got, u)
					}
				}
			}
			if owners != 1 {
				t.Errorf("point %v on the border of %v has %d owners", p, touches, owners)
			}
		}
		t.Logf("border points checked: %d shared vertices (%d of 3+ units), %d exactly on shared edges, %d edge midpoints rounded into a unit", onVertex, len(triple), onEdge, nearEdge)
		if onEdge < 10 {
			t.Errorf("only %d edge midpoints lie exactly on their edge", onEdge)
		}
	})

	var interior []orb.Point
	t.Run("InteriorPoint", func(t *testing.T) {
		for i, mp := range plr {
			p := InteriorPoint(mp)
			interior = append(interior, p)
			if got := loc.Locate(p); got != i {
				t.Errorf("PLR %s: Locate(InteriorPoint) = %d, want %d", plrIDs[i], got, i)
			}
		}
		loadPoints(t, conn, "carriers", interior)
		for _, r := range pairs(t, conn, `SELECT c.idx, count(p.idx)::int FROM carriers c
			LEFT JOIN plr p ON ST_Contains(p.geom, c.geom) AND p.idx = c.idx GROUP BY c.idx`) {
			if r[1] != 1 {
				t.Errorf("PLR %s: PostGIS: ST_Contains(geom, InteriorPoint) is false", plrIDs[r[0]])
			}
		}
	})

	t.Run("Distance", func(t *testing.T) {
		if len(interior) != len(plr) {
			t.Fatal("InteriorPoint subtest did not run")
		}
		// Every Planungsraum's interior point to every Kita within 5 km.
		rows, err := conn.Query(context.Background(), `SELECT c.idx, o.idx, ST_Distance(c.geom::geography, o.geom::geography)
			FROM carriers c JOIN offers o ON o.idx < $1 AND ST_DWithin(c.geom::geography, o.geom::geography, 5000)`, kitas)
		if err != nil {
			t.Fatal(err)
		}
		n, maxRel, maxAbs := 0, 0.0, 0.0
		for rows.Next() {
			var c, o int32
			var want float64
			if err := rows.Scan(&c, &o, &want); err != nil {
				t.Fatal(err)
			}
			got := Distance(interior[c], offers[o])
			rel := math.Abs(got-want) / want
			maxRel, maxAbs = max(maxRel, rel), max(maxAbs, math.Abs(got-want))
			if rel > 1e-6 { // the package's promise; the brief accepts 0.5 %
				t.Errorf("Distance(%v, %v) = %.6f m, PostGIS %.6f m", interior[c], offers[o], got, want)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n < 50000 {
			t.Errorf("only %d pairs within 5 km", n)
		}
		t.Logf("%d carrier–Kita pairs within 5 km: max relative error against ST_Distance(geography) %.3g (max %.3g m)", n, maxRel, maxAbs)

		// Longer distances (Vincenty's range), the last one nearly
		// antipodal, where Vincenty's iteration does not converge and the
		// documented error bound is 0.02 %.
		far := []orb.Point{{11.576, 48.137}, {9.99, 53.55}, {2.35, 48.86}, {-74.0, 40.7}, {151.2, -33.87}, {13.41, -52.52}, {-166.6, -52.3}}
		for i, p := range far {
			var want float64
			if err := conn.QueryRow(context.Background(), `SELECT ST_Distance(ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography)`,
				interior[0][0], interior[0][1], p[0], p[1]).Scan(&want); err != nil {
				t.Fatal(err)
			}
			got := Distance(interior[0], p)
			limit := 1e-9
			if i == len(far)-1 {
				limit = 2e-4
			}
			if rel := math.Abs(got-want) / want; rel > limit {
				t.Errorf("Distance(%v, %v) = %.3f m, PostGIS %.3f m (rel %.2g)", interior[0], p, got, want, rel)
			}
		}
	})
}

// floats runs a query returning (idx int, value float8) rows and returns
// the values by idx.
func floats(t *testing.T, conn *pgx.Conn, sql string, n int) []float64 {
	t.Helper()
	out := make([]float64, n)
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	for rows.Next() {
		var i int32
		var v float64
		if err := rows.Scan(&i, &v); err != nil {
			t.Fatal(err)
		}
		out[i] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func cmpPoint(a, b orb.Point) int {
	if a[0] != b[0] {
		if a[0] < b[0] {
			return -1
		}
		return 1
	}
	if a[1] < b[1] {
		return -1
	} else if a[1] > b[1] {
		return 1
	}
	return 0
}

// sharedBorders maps every vertex and every (undirected) edge of the units
// to the units that have it.
func sharedBorders(units []orb.MultiPolygon) (map[orb.Point][]int, map[[2]orb.Point][]int) {
	vs := map[orb.Point][]int{}
	es := map[[2]orb.Point][]int{}
	add := func(m []int, u int) []int {
		if len(m) > 0 && m[len(m)-1] == u {
			return m
		}
		return append(m, u)
	}
	for u, mp := range units {
		for _, poly := range mp {
			for _, r := range poly {
				for i := 0; i+1 < len(r); i++ {
					a, b := r[i], r[i+1]
					vs[a] = add(vs[a], u)
					if cmpPoint(a, b) > 0 {
						a, b = b, a
					}
					es[[2]orb.Point{a, b}] = add(es[[2]orb.Point{a, b}], u)
				}
			}
		}
	}
	return vs, es
}
