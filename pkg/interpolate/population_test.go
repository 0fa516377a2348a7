package interpolate

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geo"
)

func TestPopulationWeights(t *testing.T) {
	// Carrier 3 has no residents; carrier 4 lies in no source; carrier 5
	// in no target.
	pop := []float64{10, 20, 30, 0, 5, 7}
	source := []int{0, 0, 1, 1, -1, 1}
	target := []int{0, 1, 1, 0, 1, -1}
	w, err := PopulationWeights(pop, source, target, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := &Weights{
		Pairs:       []Weight{{0, 0, 10}, {0, 1, 20}, {1, 1, 30}},
		SourceTotal: []float64{30, 37},
		TargetTotal: []float64{10, 55, 0},
	}
	if !reflect.DeepEqual(w, want) {
		t.Fatalf("got %+v, want %+v", w, want)
	}

	out, ok, err := w.Extensive([]float64{3, 7.4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// t0 = 3·10/30; t1 = 3·20/30 + 7.4·30/37; t2 has no residents.
	if !ok[0] || !ok[1] || ok[2] || !near(out[0], 1, 1e-15) || !near(out[1], 8, 1e-15) || !math.IsNaN(out[2]) {
		t.Errorf("extensive: %v %v, want [1 8 NaN] [true true false]", out, ok)
	}
	out, ok, err = w.Intensive([]float64{0.1, 0.3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// t1 = (0.1·20 + 0.3·30) / 50
	if !ok[0] || !ok[1] || ok[2] || !near(out[0], 0.1, 1e-15) || !near(out[1], 0.22, 1e-15) {
		t.Errorf("intensive: %v %v, want [0.1 0.22 NaN] [true true false]", out, ok)
	}
}

func TestPopulationWeightsErrors(t *testing.T) {
	for _, tc := range []struct {
		name           string
		pop            []float64
		source, target []int
		want           string
	}{
		{"lengths", []float64{1, 2}, []int{0}, []int{0, 0}, "2 carriers but 1 source and 2 target indices"},
		{"negative", []float64{1, -2}, []int{0, 0}, []int{0, 0}, "carrier 1 has population -2"},
		{"NaN", []float64{math.NaN()}, []int{0}, []int{0}, "carrier 0 has population NaN"},
		{"source index", []float64{1, 1}, []int{0, 2}, []int{0, 0}, "carrier 1 has source index 2, want -1 to 1"},
		{"target index", []float64{1}, []int{0}, []int{-2}, "carrier 0 has target index -2"},
	} {
		_, err := PopulationWeights(tc.pop, tc.source, tc.target, 2, 2)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestInterpolateErrors(t *testing.T) {
	w := &Weights{Pairs: []Weight{{0, 0, 1}}, SourceTotal: []float64{1, 1}, TargetTotal: []float64{1}}
	for _, tc := range []struct {
		name   string
		w      *Weights
		values []float64
		valid  []bool
		want   string
	}{
		{"values", w, []float64{1}, nil, "1 values for 2 source units"},
		{"valid", w, []float64{1, 2}, []bool{true}, "1 validity flags for 2 values"},
		{"NaN", w, []float64{1, math.NaN()}, nil, "source 1 has value NaN marked valid"},
		{"Inf", w, []float64{math.Inf(1), 1}, []bool{true, false}, "source 0 has value +Inf marked valid"},
		{"pair", &Weights{Pairs: []Weight{{0, 1, 1}}, SourceTotal: []float64{1}, TargetTotal: []float64{1}}, []float64{1}, nil, "pair (0, 1) outside 1 sources and 1 targets"},
		{"zero total", &Weights{Pairs: []Weight{{0, 0, 1}}, SourceTotal: []float64{0}, TargetTotal: []float64{1}}, []float64{1}, nil, "source 0 has total 0 but a pair with weight 1"},
	} {
		for name, f := range map[string]func([]float64, []bool) ([]float64, []bool, error){
			"extensive": tc.w.Extensive, "intensive": tc.w.Intensive,
		} {
			_, _, err := f(tc.values, tc.valid)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), name) {
				t.Errorf("%s %s: error %v, want one containing %q", name, tc.name, err, tc.want)
			}
		}
	}
	// A NaN not marked valid is fine.
	if _, ok, err := w.Extensive([]float64{1, math.NaN()}, []bool{true, false}); err != nil || !ok[0] {
		t.Errorf("NaN marked invalid: ok %v, error %v", ok, err)
	}
}

func TestPrune(t *testing.T) {
	// Source 0 (1000 m²) lies in target 0 but for a 0.5 m² sliver in
	// target 1; source 1 (0.4 m²) lies wholly in target 1 (1000 m²).
	w := &Weights{
		Pairs:       []Weight{{0, 0, 999.5}, {0, 1, 0.5}, {1, 1, 0.4}, {2, 1, 999.6}},
		SourceTotal: []float64{1000, 0.4, 999.6},
		TargetTotal: []float64{999.5, 1000.5},
	}
	p := w.Prune(0.001)
	want := []Weight{{0, 0, 999.5}, {1, 1, 0.4}, {2, 1, 999.6}}
	if !reflect.DeepEqual(p.Pairs, want) {
		t.Errorf("pruned pairs %v, want %v", p.Pairs, want)
	}
	// Source 0 has no value: target 1 loses its value unpruned, keeps it
	// pruned.
	values, valid := []float64{0, 1, 2}, []bool{false, true, true}
	if _, ok, _ := w.Intensive(values, valid); ok[1] {
		t.Error("target 1 has a value though it overlaps source 0, which has none")
	}
	out, ok, err := p.Intensive(values, valid)
	if err != nil || !ok[1] || !near(out[1], (0.4*1+999.6*2)/1000, 1e-15) {
		t.Errorf("pruned target 1: %v (ok %v, error %v)", out[1], ok[1], err)
	}
}

// TestPopulationWeightsBerlin carries the residents of the Bezirksregionen
// to a 2 km grid by population weights whose carriers are the interior
// points of the Planungsräume, located with geo.Locator. Extensive must
// put into each grid square exactly the residents of the Planungsräume
// whose carriers lie in it, and so keep the city's total.
func TestPopulationWeightsBerlin(t *testing.T) {
	plrIDs, plr := berlinPLR(t)
	_, bzr := berlinUnits(t, "lor2021/berlin_lor2021_bzr_4326.geojson", "BZR_ID")
	cells := grid(t, plr, 2000)
	pop, valid := berlinPopulation(t, plrIDs)

	carriers := make([]orb.Point, len(plr))
	for i, mp := range plr {
		carriers[i] = geo.InteriorPoint(mp)
		if !valid[i] {
			pop[i] = 0 // suppressed: too few residents to publish
		}
	}
	source := geo.NewLocator(bzr).LocateAll(carriers)
	target := geo.NewLocator(cells).LocateAll(carriers)
	w, err := PopulationWeights(pop, source, target, len(bzr), len(cells))
	if err != nil {
		t.Fatal(err)
	}

	bzrPop := make([]float64, len(bzr))
	cellPop := make([]float64, len(cells))
	total := 0.0
	for i, p := range pop {
		if source[i] < 0 || target[i] < 0 {
			t.Fatalf("carrier of Planungsraum %s lies in Bezirksregion %d, grid square %d", plrIDs[i], source[i], target[i])
		}
		bzrPop[source[i]] += p
		cellPop[target[i]] += p
		total += p
	}
	out, ok, err := w.Extensive(bzrPop, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum, populated := 0.0, 0
	for c := range cells {
		if cellPop[c] == 0 {
			if ok[c] {
				t.Errorf("grid square %d has no carrier but value %v", c, out[c])
			}
			continue
		}
		populated++
		if !ok[c] || !near(out[c], cellPop[c], 1e-12) {
			t.Errorf("grid square %d: %v (ok %v), want %v", c, out[c], ok[c], cellPop[c])
		}
		sum += out[c]
	}
	if !near(sum, total, 1e-12) || total < 3.5e6 {
		t.Errorf("grid total %v, want the city's %v", sum, total)
	}
	t.Logf("%d carriers, %d pairs, %d populated grid squares, %.0f residents", len(carriers), len(w.Pairs), populated, total)
}
