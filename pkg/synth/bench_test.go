package synth

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sozialatlas/sozialatlas/pkg/importer"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

// BenchmarkSynthImport measures the product's acceptance figure: a city
// generated and imported (all four levels, offers, 10 dates of values) into
// the embedded SQLite store, 100,000 blocks in under 60 s. Run it with
//
//	go test -run XXX -bench SynthImport -benchtime 1x ./pkg/synth/
//
// gen-s is the time of Write, import-s that of ReadManifest and Import
// (which includes opening the manifest's files and committing), total-s
// their sum; all per operation.
func BenchmarkSynthImport(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run("blocks="+strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			var gen, imp time.Duration
			var values int
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				out := filepath.Join(dir, "city")
				t0 := time.Now()
				sum, err := Write(out, Options{Blocks: n, Seed: int64(i + 1)})
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				store, err := sqlite.Open(ctx, filepath.Join(dir, "store", "sozialatlas.db"))
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				fsys := os.DirFS(out)
				m, err := importer.ReadManifest(fsys, ManifestName)
				if err != nil {
					b.Fatal(err)
				}
				rep, err := importer.Import(ctx, store, fsys, m, importer.Options{})
				if err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				if !rep.OK() || rep.Changes == nil || rep.Changes.Values.Inserted != sum.Values {
					b.Fatalf("import: %d errors, changes %+v, want %d values", rep.Errors, rep.Changes, sum.Values)
				}
				store.Close()
				gen += t1.Sub(t0)
				imp += t3.Sub(t2)
				values = sum.Values
			}
			b.ReportMetric(gen.Seconds()/float64(b.N), "gen-s/op")
			b.ReportMetric(imp.Seconds()/float64(b.N), "import-s/op")
			b.ReportMetric((gen+imp).Seconds()/float64(b.N), "total-s/op")
			b.ReportMetric(float64(values), "values/op")
		})
	}
}
