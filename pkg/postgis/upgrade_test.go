package postgis

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// v0001Rows fill a database at migration 0001 the way the release before
// 0002 wrote it: an import of files with units, a public and an internal
// indicator with values, an offer. One indicator is deleted, so that
// renumbering the others would show.
var v0001Rows = []string{
	`INSERT INTO sozialatlas.imports (name, user_name, files, started, finished, changes) VALUES
		('berlin', 'anna', '[{"name":"plr.geojson","sha256":"ab12","bytes":10}]',
		 '2024-03-01T10:00:00Z', '2024-03-01T10:00:02Z', '{"import_id":1,"values":{"inserted":3,"updated":0,"unchanged":0}}')`,
	`INSERT INTO sozialatlas.levels (key, name) VALUES ('bezirk', 'Bezirk'), ('plr', 'Planungsraum')`,
	`UPDATE sozialatlas.levels SET parent_id = 1 WHERE key = 'plr'`,
	`INSERT INTO sozialatlas.units (level_id, code, name, parent_id, valid_from, geom) VALUES
		(1, '01', 'Mitte', NULL, NULL, ST_Multi(ST_MakeEnvelope(13, 52, 13.2, 52.2, 4326))),
		(2, '0101', 'Schloßstraße', 1, '2021-01-01', ST_Multi(ST_MakeEnvelope(13, 52, 13.1, 52.1, 4326))),
		(2, '0102', 'Moabit', 1, NULL, ST_Multi(ST_MakeEnvelope(13.1, 52, 13.2, 52.1, 4326)))`,
	`INSERT INTO sozialatlas.offer_layers (key, name) VALUES ('kitas', 'Kitas')`,
	`INSERT INTO sozialatlas.offers (layer_id, key, name, capacity, target_groups, attributes, geom) VALUES
		(1, 'k1', 'Kita Sonnenschein', 60, '{"Kinder unter 6"}', '{"plz":"10117"}', ST_SetSRID(ST_MakePoint(13.05, 52.05), 4326))`,
	`INSERT INTO sozialatlas.indicators (key, name, unit, polarity, precision, visibility, interval) VALUES
		('weg', 'Gelöscht', '', 'neutral', 0, 'public', ''),
		('ew', 'Einwohner', 'Personen', 'neutral', 0, 'public', ''),
		('kinderarmut', 'Kinderarmut', '%', 'higher_worse', 1, 'internal', 'yearly')`,
	`DELETE FROM sozialatlas.indicators WHERE key = 'weg'`,
	`INSERT INTO sozialatlas.indicator_values (indicator_id, unit_id, date, import_id, value, numerator, denominator, status) VALUES
		(2, 2, '2020-12-31', 1, 3419, NULL, NULL, 'ok'),
		(3, 2, '2020-12-31', 1, 19.4, 35, 180.43, 'ok'),
		(3, 3, '2020-12-31', 1, NULL, NULL, NULL, 'suppressed')`,
}

// dumpTables returns the rows of every table of the schema as JSON in key
// order, leaving out the columns named in skip.
func dumpTables(t *testing.T, c *pgx.Conn, skip ...string) map[string]string {
	t.Helper()
	rows, err := c.Query(ctx, `SELECT tablename::text FROM pg_tables WHERE schemaname = 'sozialatlas' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if skip == nil {
		skip = []string{} // not NULL, which would make every row NULL
	}
	out := map[string]string{}
	for _, name := range tables {
		var dump string
		q := `SELECT coalesce(jsonb_agg(to_jsonb(t) - $1::text[] ORDER BY to_jsonb(t)::text), '[]')::text FROM sozialatlas.` + pgx.Identifier{name}.Sanitize() + ` t`
		if err := c.QueryRow(ctx, q, skip).Scan(&dump); err != nil {
			t.Fatalf("dump %s: %v", name, err)
		}
		out[name] = dump
	}
	return out
}

// definitions lists the schema's indexes, triggers and constraints.
func definitions(t *testing.T, c *pgx.Conn) []string {
	t.Helper()
	rows, err := c.Query(ctx, `
		SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'sozialatlas'
		UNION ALL
		SELECT 'trigger ' || pg_get_triggerdef(g.oid) FROM pg_trigger g
		JOIN pg_class r ON r.oid = g.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE n.nspname = 'sozialatlas' AND NOT g.tgisinternal
		UNION ALL
		SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
		WHERE connamespace = 'sozialatlas'::regnamespace
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return defs
}

// missing returns the elements of a that b lacks.
func missing(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestUpgradeFrom0001 opens a database that the release at migration 0001
// created and filled: migration 0002 lets the visibility CHECK accept
// confidential and adds the import log's inputs, and keeps every row, id,
// index, trigger and other constraint.
func TestUpgradeFrom0001(t *testing.T) {
	url := pgtest.NewDatabase(t)
	c := connect(t, url)
	if err := migrateDB(ctx, c, 1); err != nil {
		t.Fatal(err)
	}
	for _, q := range v0001Rows {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const confidential = `INSERT INTO sozialatlas.indicators (key, name, polarity, precision, visibility) VALUES ('x', 'x', 'neutral', 0, 'confidential')`
	if _, err := c.Exec(ctx, confidential); err == nil {
		t.Fatal("the schema at 0001 accepts a confidential indicator: the test does not start where 0002 does")
	}
	before := dumpTables(t, c)
	beforeDefs := definitions(t, c)

	// The checks of 0002 run at 0002; the store then takes the database on
	// to the newest version (later migrations only add tables).
	if err := migrateDB(ctx, c, 2); err != nil {
		t.Fatal(err)
	}
	after := dumpTables(t, c, "inputs")
	for name, rows := range before {
		if name == "schema_migrations" {
			continue
		}
		if after[name] != rows {
			t.Errorf("table %s changed:\nbefore %s\nafter  %s", name, rows, after[name])
		}
	}
	if len(after) != len(before) {
		t.Errorf("tables: got %d after the upgrade, want %d", len(after), len(before))
	}
	if n := count(t, c, `SELECT count(*) FROM sozialatlas.schema_migrations`); n != 2 {
		t.Errorf("schema_migrations rows: got %d, want 2", n)
	}
	if n := count(t, c, `SELECT count(*) FROM sozialatlas.imports WHERE inputs = '{}'`); n != 1 {
		t.Errorf("imports with empty inputs: got %d, want the 1 old one", n)
	}
	// The definitions are the same but for the visibility CHECK.
	afterDefs := definitions(t, c)
	replace := func(defs []string, from, to string) []string {
		out := make([]string, len(defs))
		for i, d := range defs {
			out[i] = strings.Replace(d, from, to, 1)
		}
		return out
	}
	wantDefs := replace(beforeDefs, `'internal'::text]`, `'internal'::text, 'confidential'::text]`)
	if !reflect.DeepEqual(afterDefs, wantDefs) {
		t.Errorf("definitions after the upgrade:\nnew  %q\ngone %q", missing(afterDefs, wantDefs), missing(wantDefs, afterDefs))
	}
	if reflect.DeepEqual(afterDefs, beforeDefs) {
		t.Errorf("the visibility CHECK did not change")
	}
	if _, err := c.Exec(ctx, `INSERT INTO sozialatlas.indicators (key, name, polarity, precision, visibility) VALUES ('x', 'x', 'neutral', 0, 'secret')`); err == nil {
		t.Errorf("an unknown visibility is accepted after the upgrade")
	}

	// The store reads the old rows through its API.
	s := open(t, url)
	inds, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(inds) != 2 || inds[0].ID != "ew" || inds[1].Visibility != atlas.Internal || inds[1].Interval != "yearly" {
		t.Errorf("indicators: got %+v", inds)
	}
	vs, err := s.Values(ctx, atlas.ValueQuery{Indicator: "kinderarmut", Level: "plr"})
	if err != nil || len(vs) != 2 || vs[0].Value != 19.4 || vs[1].Status != atlas.Suppressed {
		t.Errorf("values of kinderarmut: got %+v, %v", vs, err)
	}
	log, err := s.Imports(ctx, 0)
	if err != nil || len(log) != 1 || log[0].Source.Inputs != nil || log[0].Source.Files[0].SHA256 != "ab12" || log[0].Changes.Values.Inserted != 3 {
		t.Errorf("import log: got %+v, %v", log, err)
	}

	// Still guarded as before, and taking what 0002 allows.
	if _, err := c.Exec(ctx, `DELETE FROM sozialatlas.indicators WHERE key = 'ew'`); err == nil || !strings.Contains(err.Error(), "SQLSTATE 23503") {
		t.Errorf("delete of an indicator with values: got %v, want it refused", err)
	}
	raw := atlas.Indicator{ID: "ew_raw", Name: "Einwohner (Rohdaten)", Polarity: atlas.Neutral, Visibility: atlas.Confidential}
	ch, err := s.Apply(ctx, &atlas.Batch{
		Source:     atlas.Source{Name: "berechnet", Inputs: []int64{1}},
		Indicators: []atlas.Indicator{raw},
		Values:     []atlas.Value{{Indicator: "ew_raw", Level: "plr", Unit: "0102", Date: 20201231, Value: 7, Status: atlas.OK}},
	}, atlas.ApplyOptions{})
	if err != nil || ch.Indicators.Inserted != 1 || ch.Values.Inserted != 1 {
		t.Fatalf("apply after the upgrade: got %+v, %v", ch, err)
	}
	log, err = s.Imports(ctx, 1)
	if err != nil || len(log) != 1 || !reflect.DeepEqual(log[0].Source.Inputs, []int64{1}) {
		t.Errorf("newest import: got %+v, %v; want inputs [1]", log, err)
	}
}
