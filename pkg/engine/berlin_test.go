package engine_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

// berlin imports the Berlin demo into a fresh SQLite store and computes
// the shipped Berlin catalog.
func berlin(t testing.TB) (atlas.Store, *indicator.Catalog, *engine.Report) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "berlin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, nil, computeBerlin(t, st)
}

func computeBerlin(t testing.TB, st atlas.Store) *engine.Report {
	t.Helper()
	ctx := context.Background()
	m, err := importer.ReadManifest(geodata.Berlin(), geodata.BerlinManifest)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := importer.Import(ctx, st, geodata.Berlin(), m, importer.Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("import Berlin: %v %+v", err, rep)
	}
	cat, err := indicator.Load(indicators.FS(), "berlin")
	if err != nil {
		t.Fatal(err)
	}
	er, err := (&engine.Engine{Store: st, Catalog: cat}).Compute(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return er
}

func values(t testing.TB, st atlas.Store, ind, level string) map[string]atlas.Value {
	t.Helper()
	vs, err := st.Values(context.Background(), atlas.ValueQuery{Indicator: ind, Level: level})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]atlas.Value{}
	for _, v := range vs {
		out[v.Unit] = v
	}
	return out
}

func TestBerlinMSSIndex(t *testing.T) {
	st, _, rep := berlin(t)
	for _, s := range rep.Skipped {
		t.Errorf("skipped %s: %s", s.ID, s.Reason)
	}
	for _, c := range rep.Computed {
		t.Logf("%-34s levels %v dates %d values %d suppressed %d missing %d", c.ID, c.Levels, c.Dates, c.Values, c.Suppressed, c.Missing)
	}
	for _, id := range []string{"mss-status-index", "mss-dynamik-index"} {
		vs := values(t, st, id, "planungsraum")
		var xs []float64
		for _, v := range vs {
			if v.Status == atlas.OK {
				xs = append(xs, v.Value)
			}
		}
		// 542 Planungsräume: 4 under 300 residents, one without residents,
		// one excluded as an outlier.
		if len(vs) != 542 || len(xs) != 536 {
			t.Errorf("%s: %d values, %d with an index; want 542 and 536", id, len(vs), len(xs))
		}
		var mean, ss float64
		for _, x := range xs {
			mean += x
		}
		mean /= float64(len(xs))
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		if sd := math.Sqrt(ss / float64(len(xs))); math.Abs(mean) > 1e-9 || math.Abs(sd-1) > 1e-9 {
			t.Errorf("%s: mean %g, population SD %g; the index is standardised to 0 and 1", id, mean, sd)
		}
		for _, code := range []string{"03300515", "03400831", "04400725", "05300838", "06200418", "10100205"} {
			if v := vs[code]; v.Status != atlas.Missing {
				t.Errorf("%s %s: %s, want missing (no index)", id, code, v.Status)
			}
		}
	}
}
