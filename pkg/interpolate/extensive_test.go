package interpolate

import (
	"math"
	"testing"
)

// TestExtensivePreservesTotal carries the residents of the Planungsräume
// to a 2 km grid that covers Berlin by area weights: the grid's total must
// be the city's, and every Planungsraum must be covered wholly.
func TestExtensivePreservesTotal(t *testing.T) {
	ids, plr := berlinPLR(t)
	pop, valid := berlinPopulation(t, ids)
	cells := grid(t, plr, 2000)
	w, err := AreaWeights(plr, cells)
	if err != nil {
		t.Fatal(err)
	}
	for s, c := range w.SourceCovered() {
		if !near(c, w.SourceTotal[s], 1e-11) {
			t.Errorf("Planungsraum %s: %.3f of %.3f m² covered by the grid", ids[s], c, w.SourceTotal[s])
		}
	}

	// Two Planungsräume have no published population: the squares they
	// overlap get no value. With them counted as 0 the total is kept.
	out, ok, err := w.Extensive(pop, valid)
	if err != nil {
		t.Fatal(err)
	}
	lost := map[int]bool{}
	for _, p := range w.Pairs {
		if !valid[p.S] {
			lost[p.T] = true
		}
	}
	if len(lost) == 0 {
		t.Fatal("no grid square depends on a Planungsraum without population")
	}
	covered := w.TargetCovered()
	for c := range cells {
		if want := covered[c] > 0 && !lost[c]; ok[c] != want {
			t.Errorf("grid square %d: ok %v, want %v (covered %.0f m², depends on a missing value: %v)", c, ok[c], want, covered[c], lost[c])
		}
	}

	out, ok, err = w.Extensive(pop, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, got := 0.0, 0.0
	for _, v := range pop {
		want += v
	}
	for c := range out {
		if ok[c] {
			got += out[c]
		}
	}
	if !near(got, want, 1e-12) {
		t.Errorf("grid total %.6f, Planungsräume total %.6f", got, want)
	}
	t.Logf("%d residents in %d Planungsräume -> %.6f in %d grid squares", int(want), len(plr), got, len(cells))

	// Intensive keeps a constant and stays within the range of the
	// sources it draws on.
	share := make([]float64, len(plr))
	for s := range share {
		share[s] = float64(s%7) / 7
	}
	out, ok, err = w.Intensive(share, nil)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := make([]float64, len(cells)), make([]float64, len(cells))
	for c := range cells {
		lo[c], hi[c] = math.Inf(1), math.Inf(-1)
	}
	for _, p := range w.Pairs {
		lo[p.T], hi[p.T] = math.Min(lo[p.T], share[p.S]), math.Max(hi[p.T], share[p.S])
	}
	for c := range cells {
		if ok[c] && (out[c] < lo[c]-1e-12 || out[c] > hi[c]+1e-12) {
			t.Errorf("grid square %d: %v outside its sources' range [%v, %v]", c, out[c], lo[c], hi[c])
		}
	}
}
