package postgis

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/migrate"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
	"github.com/sozialatlas/sozialatlas/pkg/storetest"
)

var ctx = context.Background()

func open(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newStore(t testing.TB) atlas.Store { return open(t, pgtest.NewDatabase(t)) }

func TestContract(t *testing.T) { storetest.Run(t, newStore) }

func BenchmarkApplyValues(b *testing.B) { storetest.BenchmarkApplyValues(b, newStore) }

func BenchmarkApplyComputed(b *testing.B) { storetest.BenchmarkApplyComputed(b, newStore) }

// connect opens a plain connection for looking at the database.
func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

func count(t testing.TB, c *pgx.Conn, query string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func square(x, y, size float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}}
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	b := &atlas.Batch{Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}}}
	if _, err := s.Apply(ctx, b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, url)
	levels, err := s.Levels(ctx)
	if err != nil || len(levels) != 1 {
		t.Errorf("levels after reopen: got %v, %v; want 1", levels, err)
	}
	c := connect(t, url)
	if n, want := count(t, c, `SELECT count(*) FROM sozialatlas.schema_migrations`), migrations(t); n != want {
		t.Errorf("schema_migrations rows: got %d, want %d", n, want)
	}
}

// migrations returns the number of migrations the store has.
func migrations(t testing.TB) int {
	t.Helper()
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// Servers that start at once against a new database each apply nothing
// twice, even when the postgis extension does not exist yet.
func TestConcurrentOpen(t *testing.T) {
	url := pgtest.NewDatabase(t)
	c := connect(t, url)
	if _, err := c.Exec(ctx, `DROP EXTENSION postgis`); err != nil {
		t.Fatal(err)
	}
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := Open(ctx, url)
			if err == nil {
				err = s.Ping(ctx)
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
	if n, want := count(t, c, `SELECT count(*) FROM sozialatlas.schema_migrations`), migrations(t); n != want {
		t.Errorf("schema_migrations rows: got %d, want %d", n, want)
	}
	if n := count(t, c, `SELECT count(*) FROM pg_extension WHERE extname = 'postgis'`); n != 1 {
		t.Errorf("postgis extension: got %d, want 1", n)
	}
}

// The store does not depend on the search_path of the role or database,
// and finds PostGIS in whatever schema a DBA installed it.
func TestForeignSearchPathAndExtensionSchema(t *testing.T) {
	url := pgtest.NewDatabase(t)
	c := connect(t, url)
	for _, q := range []string{
		`DROP EXTENSION postgis`,
		`CREATE SCHEMA gis`,
		`CREATE EXTENSION postgis SCHEMA gis`,
		`CREATE SCHEMA other`,
		`CREATE TABLE other.units (id int)`, // a decoy in the default path
		`ALTER DATABASE ` + pgx.Identifier{c.Config().Database}.Sanitize() + ` SET search_path = other`,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	s := open(t, url)
	b := &atlas.Batch{
		Levels: []atlas.Level{{ID: "plr", Name: "Planungsraum"}},
		Units:  []atlas.Unit{{Level: "plr", Code: "1", Name: "Eins", Geometry: square(13, 52, 0.1)}},
	}
	if _, err := s.Apply(ctx, b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	units, err := s.Units(ctx, "plr", atlas.UnitQuery{BBox: &orb.Bound{Min: orb.Point{13, 52}, Max: orb.Point{13.05, 52.05}}})
	if err != nil || len(units) != 1 {
		t.Errorf("units: got %v, %v; want 1", units, err)
	}
	if n := count(t, c, `SELECT count(*) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis' AND n.nspname = 'gis'`); n != 1 {
		t.Errorf("postgis moved out of schema gis")
	}
}

func TestSpatialIndexes(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	b := &atlas.Batch{Levels: []atlas.Level{{ID: "block", Name: "Block"}}}
	for i := range 5000 {
		x, y := float64(i%100)*0.001, float64(i/100)*0.001
		b.Units = append(b.Units, atlas.Unit{Level: "block", Code: fmt.Sprintf("B%05d", i), Name: "Block", Geometry: square(13+x, 52+y, 0.001)})
	}
	if _, err := s.Apply(ctx, b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	c := connect(t, url)
	for table, column := range map[string]string{"units": "geom", "offers": "geom"} {
		var def string
		err := c.QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = 'sozialatlas' AND tablename = $1 AND indexdef LIKE '%USING gist%'`, table).Scan(&def)
		if err != nil || !strings.Contains(def, "("+column+")") {
			t.Errorf("GiST index on %s: got %q, %v", table, def, err)
		}
	}
	if _, err := c.Exec(ctx, `ANALYZE sozialatlas.units`); err != nil {
		t.Fatal(err)
	}
	// The statement Units runs for a bbox; a small box picks an index even
	// with sequential scans allowed.
	rows, err := c.Query(ctx, `EXPLAIN SELECT u.code FROM sozialatlas.units u
		WHERE u.level_id = 1 AND u.geom && public.ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY u.code`,
		13.01, 52.01, 13.012, 52.012)
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	var line string
	if _, err := pgx.ForEachRow(rows, []any{&line}, func() error { plan = append(plan, line); return nil }); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "units_geom") {
		t.Errorf("bbox query does not use units_geom:\n%s", p)
	}
	got, err := s.Units(ctx, "block", atlas.UnitQuery{BBox: &orb.Bound{Min: orb.Point{13.0105, 52.0105}, Max: orb.Point{13.0115, 52.0115}}, NoGeometry: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"B01010", "B01011", "B01110", "B01111"}; fmt.Sprint(codes(got)) != fmt.Sprint(want) {
		t.Errorf("bbox: got %v, want %v", codes(got), want)
	}
}

func codes(units []atlas.Unit) []string {
	var out []string
	for _, u := range units {
		out = append(out, u.Code)
	}
	return out
}

// Imports from several servers at once are serialised: each counts what
// it found, and together they insert every row once.
func TestConcurrentImports(t *testing.T) {
	url := pgtest.NewDatabase(t)
	setup, values := benchBatches()
	values.Values = values.Values[:20_000]
	mustApply(t, open(t, url), setup)
	const n = 3
	var wg sync.WaitGroup
	changes := make([]atlas.Changes, n)
	errs := make([]error, n)
	for i := range n {
		s := open(t, url)
		wg.Go(func() { changes[i], errs[i] = s.Apply(ctx, values, atlas.ApplyOptions{}) })
	}
	wg.Wait()
	var total atlas.Count
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("import %d: %v", i, errs[i])
		}
		c := changes[i].Values
		total.Inserted, total.Updated, total.Unchanged = total.Inserted+c.Inserted, total.Updated+c.Updated, total.Unchanged+c.Unchanged
	}
	if want := (atlas.Count{Inserted: 20_000, Unchanged: 2 * 20_000}); total != want {
		t.Errorf("value changes of %d concurrent imports: got %+v in all, want %+v", n, total, want)
	}
}

// The value table has no row-level foreign keys; deleting a row that values
// refer to is refused all the same.
func TestReferencedRowsCannotBeDeleted(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	setup, values := benchBatches()
	mustApply(t, s, setup)
	values.Values = values.Values[:10]
	mustApply(t, s, values)
	c := connect(t, url)
	for _, q := range []string{
		`DELETE FROM sozialatlas.units WHERE code = 'B00005'`,
		`DELETE FROM sozialatlas.indicators WHERE key = 'ind_000'`,
		`DELETE FROM sozialatlas.imports`,
	} {
		if _, err := c.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "SQLSTATE 23503") {
			t.Errorf("%s: got %v, want a foreign key violation", q, err)
		}
	}
	for _, q := range []string{
		`DELETE FROM sozialatlas.units WHERE code = 'B00999'`,
		`DELETE FROM sozialatlas.indicators WHERE key = 'ind_099'`,
	} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// A pool of one connection serves concurrent callers one after another.
func TestPoolMaxConns(t *testing.T) {
	url := pgtest.NewDatabase(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	s := open(t, url+sep+"pool_max_conns=1")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			if i%2 == 0 {
				_, errs[i] = s.Apply(ctx, &atlas.Batch{Levels: []atlas.Level{{ID: "plr", Name: "PLR"}}}, atlas.ApplyOptions{})
			} else {
				_, errs[i] = s.Levels(ctx)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if _, err := Open(ctx, url+sep+"pool_max_conns=0"); err == nil {
		t.Errorf("pool_max_conns=0: got no error")
	}
	s.Close()
	if err := s.Ping(ctx); err == nil {
		t.Errorf("Ping after Close: got no error")
	}
}

// benchBatches builds the batches of storetest.BenchmarkApplyValues: 1,000
// units, 100 indicators and 10 dates.
func benchBatches() (setup, values *atlas.Batch) {
	const units, indicators, dates = 1000, 100, 10
	setup = &atlas.Batch{Levels: []atlas.Level{{ID: "block", Name: "Block"}}}
	for i := range units {
		setup.Units = append(setup.Units, atlas.Unit{Level: "block", Code: fmt.Sprintf("B%05d", i), Name: "Block",
			Geometry: square(13+float64(i%40)*0.01, 52+float64(i/40)*0.01, 0.01)})
	}
	values = &atlas.Batch{}
	for k := range indicators {
		id := fmt.Sprintf("ind_%03d", k)
		setup.Indicators = append(setup.Indicators, atlas.Indicator{ID: id, Name: id, Polarity: atlas.Neutral, Visibility: atlas.Public})
		for d := range dates {
			for _, u := range setup.Units {
				values.Values = append(values.Values, atlas.Value{Indicator: id, Level: "block", Unit: u.Code,
					Date: atlas.NewDate(2015+d, 12, 31), Value: float64(k*d) / 3, Numerator: atlas.Some(float64(k)),
					Denominator: atlas.Some(float64(d + 1)), Status: atlas.OK})
			}
		}
	}
	return setup, values
}

// BenchmarkMergeValues times loads into indicators that have values
// already; each reports rows/s of the second batch:
//   - nextyears: the store holds the first of the ten dates, the batch
//     brings the other nine (new slices: copied directly);
//   - newunits: the store holds one unit of each indicator and date, the
//     batch brings all (every row merged through the staging table);
//   - same: the batch is applied again unchanged;
//   - changed: every value of the batch differs.
func BenchmarkMergeValues(b *testing.B) {
	setup, all := benchBatches()
	first2015 := func(v atlas.Value) bool { return v.Date == atlas.NewDate(2015, 12, 31) }
	modes := []struct {
		name          string
		first, second func(v atlas.Value) bool // which values go into the batches
		change        bool
		want          atlas.Count
	}{
		{"nextyears", first2015, func(v atlas.Value) bool { return !first2015(v) }, false, atlas.Count{Inserted: 900_000}},
		{"newunits", func(v atlas.Value) bool { return v.Unit == "B00000" }, nil, false, atlas.Count{Inserted: 999_000, Unchanged: 1000}},
		{"same", nil, nil, false, atlas.Count{Unchanged: 1_000_000}},
		{"changed", nil, nil, true, atlas.Count{Updated: 1_000_000}},
	}
	filter := func(keep func(atlas.Value) bool, change bool) *atlas.Batch {
		out := &atlas.Batch{}
		for _, v := range all.Values {
			if keep == nil || keep(v) {
				if change {
					v.Value++
				}
				out.Values = append(out.Values, v)
			}
		}
		return out
	}
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			first, second := filter(m.first, false), filter(m.second, m.change)
			for b.Loop() {
				b.StopTimer()
				s := newStore(b)
				mustApply(b, s, setup)
				mustApply(b, s, first)
				b.StartTimer()
				if ch := mustApply(b, s, second); ch.Values != m.want {
					b.Fatalf("changes: got %+v, want %+v", ch.Values, m.want)
				}
			}
			b.ReportMetric(float64(len(second.Values))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func mustApply(t testing.TB, s atlas.Store, b *atlas.Batch) atlas.Changes {
	t.Helper()
	ch, err := s.Apply(ctx, b, atlas.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}
