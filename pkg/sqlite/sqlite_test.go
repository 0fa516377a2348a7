package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
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
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != 1 {
		t.Errorf("schema_migrations rows: got %d, %v; want 1", n, err)
	}
}

func BenchmarkApplyValues(b *testing.B) { storetest.BenchmarkApplyValues(b, newStore) }
