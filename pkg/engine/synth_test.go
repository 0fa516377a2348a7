package engine_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
	"github.com/sozialatlas/sozialatlas/pkg/synth"
)

var (
	synthOnce sync.Once
	synthDir  string
	synthErr  error
)

// synthCity writes a small synthetic city once per test binary.
func synthCity(t testing.TB) string {
	t.Helper()
	synthOnce.Do(func() {
		synthDir, synthErr = os.MkdirTemp("", "sozialatlas-engine-synth")
		if synthErr == nil {
			_, synthErr = synth.Write(synthDir, synth.Options{Blocks: 3000, Seed: 7, Dates: 4})
		}
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	return synthDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if synthDir != "" {
		os.RemoveAll(synthDir)
	}
	os.Exit(code)
}

// synthStore imports the synthetic city into a fresh SQLite store.
func synthStore(t testing.TB) (atlas.Store, *indicator.Catalog) {
	t.Helper()
	ctx := context.Background()
	dir := synthCity(t)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "synth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := importer.ReadManifest(os.DirFS(dir), synth.ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := importer.Import(ctx, st, os.DirFS(dir), m, importer.Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("import synth: %v %+v", err, rep)
	}
	cat, err := indicator.Load(indicators.FS(), "synth")
	if err != nil {
		t.Fatal(err)
	}
	return st, cat
}

// published reads every value of an indicator at every level.
func published(t testing.TB, st atlas.Store, id string) map[string]map[atlas.Date]map[string]atlas.Value {
	t.Helper()
	out := map[string]map[atlas.Date]map[string]atlas.Value{}
	levels, _ := st.Levels(context.Background())
	for _, l := range levels {
		vs, err := st.Values(context.Background(), atlas.ValueQuery{Indicator: id, Level: l.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if out[l.ID] == nil {
				out[l.ID] = map[atlas.Date]map[string]atlas.Value{}
			}
			if out[l.ID][v.Date] == nil {
				out[l.ID][v.Date] = map[string]atlas.Value{}
			}
			out[l.ID][v.Date][v.Unit] = v
		}
	}
	return out
}

// TestDisclosureCannotBeUndone computes the synthetic city, whose SGB II
// counts per block are confidential, and then attacks what was published:
// for every published parent it subtracts the published children, for
// the city total it subtracts the published Stadtbezirke, and for every
// unit it subtracts one published numerator from a published sum of two.
// Each attack that would isolate a withheld count fails the test.
func TestDisclosureCannotBeUndone(t *testing.T) {
	st, cat := synthStore(t)
	ctx := context.Background()
	rep, err := (&engine.Engine{Store: st, Catalog: cat}).Compute(ctx, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Skipped {
		t.Errorf("skipped %s: %s", s.ID, s.Reason)
	}
	levels, _ := st.Levels(ctx)
	units := map[string][]atlas.Unit{}
	for _, l := range levels {
		units[l.ID], _ = st.Units(ctx, l.ID, atlas.UnitQuery{NoGeometry: true})
	}
	// The published count behind a value: a count's value, a rate's numerator.
	count := func(v atlas.Value) (float64, bool) {
		if v.Status != atlas.OK {
			return 0, false
		}
		if v.Numerator.Valid {
			return v.Numerator.V, true
		}
		return v.Value, true
	}
	suppressedTotal := 0
	for _, id := range []string{"sgb2-quote", "kinderarmut", "altersarmut", "arbeitslosenanteil", "sgb2-leistungsberechtigte"} {
		pub := published(t, st, id)
		for lvl, byDate := range pub {
			for _, vals := range byDate {
				for _, v := range vals {
					if v.Status == atlas.Suppressed {
						suppressedTotal++
						if v.Value != 0 || v.Numerator.Valid || v.Denominator.Valid {
							t.Fatalf("%s %s %s: a suppressed value carries numbers: %+v", id, lvl, v.Unit, v)
						}
					}
					if n, ok := count(v); ok && n < 3 && lvl == "baublock" {
						t.Errorf("%s %s %s: published count %g is below 3", id, lvl, v.Unit, n)
					}
				}
			}
		}
		// Differencing levels: parent minus its published children.
		for _, l := range levels {
			if l.Parent == "" {
				continue
			}
			for date, vals := range pub[l.ID] {
				parents := pub[l.Parent][date]
				kids := map[string][]atlas.Value{}
				for _, u := range units[l.ID] {
					if v, found := vals[u.Code]; found {
						kids[u.Parent] = append(kids[u.Parent], v)
					}
				}
				for pcode, ks := range kids {
					if _, ok := count(parents[pcode]); !ok {
						continue // the parent is withheld: no total to subtract from
					}
					hidden := 0
					for _, k := range ks {
						if k.Status == atlas.Suppressed {
							hidden++
						}
					}
					if hidden == 1 {
						t.Errorf("%s %s %s on %s: parent published with exactly one withheld child: it can be recovered by subtraction", id, l.Parent, pcode, date)
					}
				}
			}
		}
		// The city total minus the published Stadtbezirke.
		for date, vals := range pub["stadtbezirk"] {
			hidden := 0
			for _, v := range vals {
				if v.Status == atlas.Suppressed {
					hidden++
				}
			}
			if hidden == 1 {
				t.Errorf("%s on %s: one Stadtbezirk withheld: the city total gives it away", id, date)
			}
		}
	}
	// Across indicators: sgb2-leistungsberechtigte = sgb2_u65 + sgb2_u15,
	// whose counts are the numerators of sgb2-quote and kinderarmut.
	sum, q, k := published(t, st, "sgb2-leistungsberechtigte"), published(t, st, "sgb2-quote"), published(t, st, "kinderarmut")
	for lvl, byDate := range sum {
		for date, vals := range byDate {
			for code, v := range vals {
				hidden := 0
				for _, x := range []atlas.Value{v, q[lvl][date][code], k[lvl][date][code]} {
					if x.Status == atlas.Suppressed {
						hidden++
					}
				}
				if hidden == 1 {
					t.Errorf("%s %s on %s: one of sum, sgb2-quote, kinderarmut withheld: subtraction gives it away", lvl, code, date)
				}
			}
		}
	}
	if suppressedTotal == 0 {
		t.Fatal("nothing was suppressed: the test exercises nothing")
	}
	t.Logf("%d suppressed values across the five protected indicators", suppressedTotal)
	// Confidential inputs are never written back at any level.
	for _, id := range []string{"sgb2_u65", "sgb2_u15", "alo_sgb2", "grusi_65plus"} {
		for lvl := range published(t, st, id) {
			if lvl != "baublock" {
				t.Errorf("confidential %s was written at %s", id, lvl)
			}
		}
	}
}

// TestRecomputeOnlyDependents: an import of one indicator recomputes what
// depends on it and nothing else.
func TestRecomputeOnlyDependents(t *testing.T) {
	st, cat := synthStore(t)
	ctx := context.Background()
	eng := &engine.Engine{Store: st, Catalog: cat}
	if _, err := eng.Compute(ctx, engine.Options{}); err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Recompute(ctx, atlas.Touched{Indicators: []string{"grusi_65plus"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rep.Computed {
		got = append(got, c.ID)
	}
	if want := []string{"altersarmut"}; !slices.Equal(got, want) {
		t.Errorf("recomputed %v, want %v", got, want)
	}
	if rep.Changes.Values.Inserted+rep.Changes.Values.Updated != 0 {
		t.Errorf("recompute of unchanged data changed values: %+v", rep.Changes.Values)
	}
	rep, err = eng.Recompute(ctx, atlas.Touched{Layers: []string{"beratung"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, c := range rep.Computed {
		got = append(got, c.ID)
	}
	slices.Sort(got)
	if want := []string{"beratung-abdeckung-500m", "beratung-distanz", "beratung-je-km2"}; !slices.Equal(got, want) {
		t.Errorf("after an offer import recomputed %v, want %v", got, want)
	}
	// Provenance: the computation's record lists its definitions' hashes
	// and the imports it read: the city's one import (id 1), not the
	// computations since.
	log, err := st.Imports(ctx, 1)
	if err != nil || len(log) != 1 {
		t.Fatal(err)
	}
	src := log[0].Source
	if src.Name != "compute" || len(src.Files) != 3 || len(src.Files[0].SHA256) != 64 || !slices.Equal(src.Inputs, []int64{1}) {
		t.Errorf("provenance of the last computation: %+v", src)
	}
}

// TestRecomputeUsesNewInputs: after an import corrects a block's count,
// the recomputed upper levels add up the new value, not the sums the last
// computation stored.
func TestRecomputeUsesNewInputs(t *testing.T) {
	st, cat := synthStore(t)
	ctx := context.Background()
	eng := &engine.Engine{Store: st, Catalog: cat}
	if _, err := eng.Compute(ctx, engine.Options{}); err != nil {
		t.Fatal(err)
	}
	blocks, err := st.Units(ctx, "baublock", atlas.UnitQuery{NoGeometry: true})
	if err != nil {
		t.Fatal(err)
	}
	vs := published(t, st, "ew_u6")
	var block atlas.Unit
	var v atlas.Value
	var date atlas.Date
	for d, byUnit := range vs["baublock"] {
		for _, b := range blocks {
			if x, found := byUnit[b.Code]; found && x.Status == atlas.OK {
				block, v, date = b, x, d
				break
			}
		}
		break
	}
	before := published(t, st, "ew_u6")["sozialraum"][date][block.Parent].Value
	v.Value += 100
	v.Import = 0
	if _, err := st.Apply(ctx, &atlas.Batch{Source: atlas.Source{Name: "korrektur"}, Values: []atlas.Value{v}}, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Recompute(ctx, atlas.Touched{Indicators: []string{"ew_u6"}}, "test"); err != nil {
		t.Fatal(err)
	}
	after := published(t, st, "ew_u6")["sozialraum"][date][block.Parent].Value
	rate := published(t, st, "kitas-je-1000-u6")["sozialraum"][date][block.Parent]
	if after != before+100 || rate.Denominator.V != after {
		t.Errorf("Sozialraum %s: children under 6 %g before, %g after a correction of +100; Kitas je 1.000 counts %g children",
			block.Parent, before, after, rate.Denominator.V)
	}
}
