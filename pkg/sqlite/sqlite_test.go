package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/migrate"
	"github.com/sozialatlas/sozialatlas/pkg/storetest"
)

func newStore(t testing.TB) atlas.Store {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "data", "sozialatlas.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) { storetest.Run(t, newStore) }

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sozialatlas.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	b := &atlas.Batch{Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}}}
	if _, err := s.Apply(ctx, b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	levels, err := s.Levels(ctx)
	if err != nil || len(levels) != 1 {
		t.Errorf("levels after reopen: got %v, %v; want 1", levels, err)
	}
	ms, err := migrate.Load(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
		t.Errorf("schema_migrations rows: got %d, %v; want %d", n, err, len(ms))
	}
}

func BenchmarkApplyValues(b *testing.B) { storetest.BenchmarkApplyValues(b, newStore) }

func BenchmarkApplyComputed(b *testing.B) { storetest.BenchmarkApplyComputed(b, newStore) }

// TestReferencedRowsCannotBeDeleted: the value table has no row-level
// foreign keys (they cost a tenth of a bulk load); triggers keep a unit,
// indicator or import with values from being deleted.
func TestReferencedRowsCannotBeDeleted(t *testing.T) {
	ctx := context.Background()
	s := newStore(t).(*Store)
	b := &atlas.Batch{
		Levels:     []atlas.Level{{ID: "block", Name: "Block"}},
		Indicators: []atlas.Indicator{{ID: "ew", Name: "EW", Polarity: atlas.Neutral, Visibility: atlas.Public}, {ID: "leer", Name: "Leer", Polarity: atlas.Neutral, Visibility: atlas.Public}},
	}
	for _, code := range []string{"B1", "B2"} {
		b.Units = append(b.Units, atlas.Unit{Level: "block", Code: code, Name: code,
			Geometry: orb.MultiPolygon{{{{13, 52}, {13.1, 52}, {13.1, 52.1}, {13, 52}}}}})
	}
	b.Values = []atlas.Value{{Indicator: "ew", Level: "block", Unit: "B1", Date: 20201231, Value: 1, Status: atlas.OK}}
	if _, err := s.Apply(ctx, b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM units WHERE code = 'B1'`,
		`DELETE FROM indicators WHERE key = 'ew'`,
		`DELETE FROM imports`,
	} {
		if _, err := s.db.Exec(q); err == nil || !strings.Contains(err.Error(), "would leave indicator values without their row") {
			t.Errorf("%s: got %v, want the delete refused", q, err)
		}
	}
	for _, q := range []string{`DELETE FROM units WHERE code = 'B2'`, `DELETE FROM indicators WHERE key = 'leer'`} {
		if _, err := s.db.Exec(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}
