package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// v0001Rows fill a database at migration 0001 the way the release before
// 0002 wrote it: an import of files with units, a public and an internal
// indicator with values, an offer. Indicator ids have a gap (5 was
// deleted) so that renumbering would show.
var v0001Rows = []string{
	`INSERT INTO imports (id, name, user, files, started, finished, changes) VALUES
		(1, 'berlin', 'anna', '[{"name":"plr.geojson","sha256":"ab12","bytes":10}]',
		 '2024-03-01T10:00:00Z', '2024-03-01T10:00:02Z', '{"import_id":1,"values":{"inserted":3,"updated":0,"unchanged":0}}')`,
	`INSERT INTO levels (id, key, name) VALUES (1, 'bezirk', 'Bezirk'), (2, 'plr', 'Planungsraum')`,
	`UPDATE levels SET parent_id = 1 WHERE key = 'plr'`,
	`INSERT INTO units (id, level_id, code, name, parent_id, valid_from, geom) VALUES
		(1, 1, '01', 'Mitte', NULL, NULL, ?1), (2, 2, '0101', 'Schloßstraße', 1, 20210101, ?2), (3, 2, '0102', 'Moabit', 1, NULL, ?3)`,
	`INSERT INTO units_bbox (id, minx, maxx, miny, maxy) VALUES (1, 13, 13.2, 52, 52.2), (2, 13, 13.1, 52, 52.1), (3, 13.1, 13.2, 52, 52.1)`,
	`INSERT INTO offer_layers (id, key, name) VALUES (1, 'kitas', 'Kitas')`,
	`INSERT INTO offers (id, layer_id, key, name, capacity, target_groups, attributes, lon, lat) VALUES
		(1, 1, 'k1', 'Kita Sonnenschein', 60, '["Kinder unter 6"]', '{"plz":"10117"}', 13.05, 52.05)`,
	`INSERT INTO indicators (id, key, name, unit, polarity, precision, visibility, interval) VALUES
		(4, 'ew', 'Einwohner', 'Personen', 'neutral', 0, 'public', ''),
		(5, 'weg', 'Gelöscht', '', 'neutral', 0, 'public', ''),
		(6, 'kinderarmut', 'Kinderarmut', '%', 'higher_worse', 1, 'internal', 'yearly')`,
	`DELETE FROM indicators WHERE id = 5`,
	`INSERT INTO indicator_values (indicator_id, unit_id, date, value, numerator, denominator, status, import_id) VALUES
		(4, 2, 20201231, 3419, NULL, NULL, 'ok', 1),
		(6, 2, 20201231, 19.4, 35, 180.43, 'ok', 1),
		(6, 3, 20201231, NULL, NULL, NULL, 'suppressed', 1)`,
}

func squareWKB(t *testing.T, x, y, size float64) []byte {
	t.Helper()
	b, err := wkb.Marshal(orb.MultiPolygon{{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// schemaDump returns every table's columns and rows in key order, and the
// indexes and triggers by name: what an upgrade must keep.
func schemaDump(t *testing.T, db *sql.DB) (tables map[string]string, objects []string) {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, tbl_name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var typ, name, table string
		if err := rows.Scan(&typ, &name, &table); err != nil {
			t.Fatal(err)
		}
		if typ == "table" {
			names = append(names, name)
		} else {
			objects = append(objects, typ+" "+name+" on "+table)
		}
	}
	rows.Close()
	tables = map[string]string{}
	for _, name := range names {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM pragma_table_info(?)`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		order := "1"
		for i := 2; i <= min(n, 3); i++ {
			order += fmt.Sprintf(", %d", i)
		}
		rows, err := db.Query(`SELECT * FROM "` + name + `" ORDER BY ` + order)
		if err != nil {
			t.Fatalf("dump %s: %v", name, err)
		}
		cols, _ := rows.Columns()
		var b strings.Builder
		fmt.Fprintln(&b, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		tables[name] = b.String()
	}
	return tables, objects
}

// TestUpgradeFrom0001 opens a database that the release at migration 0001
// created and filled: migration 0002 rebuilds the indicators table with the
// new CHECK and adds the import log's inputs, and keeps every row, id,
// index and trigger.
func TestUpgradeFrom0001(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 1)
	if err != nil {
		t.Fatal(err)
	}
	geoms := []any{squareWKB(t, 13, 52, 0.2), squareWKB(t, 13, 52, 0.1), squareWKB(t, 13.1, 52, 0.1)}
	for _, q := range v0001Rows {
		var args []any
		if strings.Contains(q, "?1") {
			args = geoms
		}
		if _, err := old.db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := old.db.Exec(`INSERT INTO indicators (key, name, polarity, precision, visibility) VALUES ('x', 'x', 'neutral', 0, 'confidential')`); err == nil {
		t.Fatal("the schema at 0001 accepts a confidential indicator: the test does not start where 0002 does")
	}
	beforeTables, beforeObjects := schemaDump(t, old.db)
	old.Close()

	// The checks of 0002 run at 0002 (later migrations only add tables).
	s, err := open(ctx, path, 2)
	if err != nil {
		t.Fatalf("open the old database: %v", err)
	}
	afterTables, afterObjects := schemaDump(t, s.db)

	// Every table keeps its rows as they were; the import log gains inputs
	// (empty) and schema_migrations the row of 0002.
	for name, before := range beforeTables {
		after := afterTables[name]
		switch name {
		case "imports":
			before = strings.Replace(before, "changes]", "changes inputs]", 1)
			before = strings.ReplaceAll(before, "}\n", "} []\n")
		case "schema_migrations":
			if !strings.HasPrefix(after, before) || strings.Count(after, "\n") != 3 {
				t.Errorf("schema_migrations: got\n%s\nwant the rows before and 0002", after)
			}
			continue
		}
		if after != before {
			t.Errorf("table %s changed:\nbefore %s\nafter  %s", name, before, after)
		}
	}
	if len(afterTables) != len(beforeTables) {
		t.Errorf("tables: got %d after the upgrade, want %d", len(afterTables), len(beforeTables))
	}
	if !reflect.DeepEqual(afterObjects, beforeObjects) {
		t.Errorf("indexes and triggers:\nbefore %v\nafter  %v", beforeObjects, afterObjects)
	}
	for _, check := range []string{`PRAGMA integrity_check`, `PRAGMA foreign_key_check`} {
		var got string
		if err := s.db.QueryRow(check).Scan(&got); err != nil && err != sql.ErrNoRows {
			t.Fatalf("%s: %v", check, err)
		} else if got != "" && got != "ok" {
			t.Errorf("%s: %s", check, got)
		}
	}

	// The store reads the old rows through its API, at the newest version
	// (0004 adds the inventory's columns, which the API reads).
	s.Close()
	if s, err = open(ctx, path, 0); err != nil {
		t.Fatalf("open at the newest version: %v", err)
	}
	defer s.Close()
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

	// The rebuilt table is guarded as before, and takes what 0002 allows.
	if _, err := s.db.Exec(`DELETE FROM indicators WHERE key = 'ew'`); err == nil || !strings.Contains(err.Error(), "would leave indicator values without their row") {
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
	var id int64
	if err := s.db.QueryRow(`SELECT id FROM indicators WHERE key = 'ew_raw'`).Scan(&id); err != nil || id != 7 {
		t.Errorf("id of a new indicator: got %d, %v; want 7 (after the highest kept)", id, err)
	}
	log, err = s.Imports(ctx, 1)
	if err != nil || len(log) != 1 || !reflect.DeepEqual(log[0].Source.Inputs, []int64{1}) {
		t.Errorf("newest import: got %+v, %v; want inputs [1]", log, err)
	}
}
