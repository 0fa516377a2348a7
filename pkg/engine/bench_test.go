package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
	"github.com/sozialatlas/sozialatlas/pkg/postgis"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
	"github.com/sozialatlas/sozialatlas/pkg/synth"
)

// benchStore returns a SQLite store with the synthetic city of 100,000
// blocks, ten dates and 20,000 offers. Generating and importing it takes
// about a minute, so the file is kept in the temporary directory and
// reused by later runs (delete it to rebuild).
func benchStore(b *testing.B) atlas.Store {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), "sozialatlas-bench-synth-100k-20k-v1.db")
	if _, err := os.Stat(path); err != nil {
		dir := b.TempDir()
		if _, err := synth.Write(dir, synth.Options{Blocks: 100000, Seed: 1, Dates: 10, Offers: 20000}); err != nil {
			b.Fatal(err)
		}
		tmp := path + ".part"
		os.Remove(tmp)
		st, err := sqlite.Open(ctx, tmp)
		if err != nil {
			b.Fatal(err)
		}
		m, err := importer.ReadManifest(os.DirFS(dir), synth.ManifestName)
		if err != nil {
			b.Fatal(err)
		}
		if rep, err := importer.Import(ctx, st, os.DirFS(dir), m, importer.Options{}); err != nil || !rep.OK() {
			b.Fatalf("import: %v", err)
		}
		st.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkCatalogSynth100k evaluates the whole synthetic catalog (35
// definitions) for ten dates on 100,000 blocks and 20,000 offers: loading
// the inputs from the store, counts, disclosure control, rates, indices,
// accessibility, and collecting the values to write. Writing them is
// reported by BenchmarkApplyValues of the stores.
//
//	go test ./pkg/engine -run '^$' -bench CatalogSynth100k -benchtime 1x -count 3
func BenchmarkCatalogSynth100k(b *testing.B) {
	evaluateCatalog(b, benchStore(b))
}

// evaluateCatalog times the synthetic catalog on st, phase by phase.
func evaluateCatalog(b *testing.B, st atlas.Store) {
	cat, err := indicator.Load(indicators.FS(), "synth")
	if err != nil {
		b.Fatal(err)
	}
	eng := &engine.Engine{Store: st, Catalog: cat}
	b.ResetTimer()
	for b.Loop() {
		batch, rep, err := eng.Evaluate(context.Background(), engine.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Skipped) > 0 {
			b.Fatalf("skipped: %+v", rep.Skipped)
		}
		b.ReportMetric(float64(batch.ValueList().Len()), "values")
		for _, p := range []string{"load", "counts", "disclosure", "other", "collect"} {
			b.ReportMetric(float64(rep.Phases[p])/1000, p+"-s")
		}
	}
}

// BenchmarkCatalogSynth100kPostGIS is BenchmarkCatalogSynth100k on the
// PostGIS store (the production store): the same city imported into a
// fresh database first, outside the timing.
//
//	go test ./pkg/engine -run '^$' -bench CatalogSynth100kPostGIS -benchtime 1x -count 3
func BenchmarkCatalogSynth100kPostGIS(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	if _, err := synth.Write(dir, synth.Options{Blocks: 100000, Seed: 1, Dates: 10, Offers: 20000}); err != nil {
		b.Fatal(err)
	}
	st, err := postgis.Open(ctx, pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	m, err := importer.ReadManifest(os.DirFS(dir), synth.ManifestName)
	if err != nil {
		b.Fatal(err)
	}
	if rep, err := importer.Import(ctx, st, os.DirFS(dir), m, importer.Options{}); err != nil || !rep.OK() {
		b.Fatalf("import: %v", err)
	}
	evaluateCatalog(b, st)
}
