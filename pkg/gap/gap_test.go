package gap

import (
	"math"
	"slices"
	"testing"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

func ok(v float64) Value { return Value{V: v, Status: atlas.OK} }

// TestNeedAndSupplyFollowPolarity: the cut-offs split the values by the
// classify convention (upper bounds inclusive), and polarity turns the
// axis so that High is always more need (or more supply).
func TestNeedAndSupplyFollowPolarity(t *testing.T) {
	s := Side{Cutoffs: [2]float64{1, 1.5}}
	for _, tc := range []struct {
		pol          atlas.Polarity
		v            float64
		need, supply Level
	}{
		{atlas.HigherWorse, 0.2, Low, High}, // higher_worse supply: the distance to the next offer
		{atlas.HigherWorse, 1, Low, High},   // exactly on the cut-off: the lower class
		{atlas.HigherWorse, 1.2, Mid, Mid},
		{atlas.HigherWorse, 1.5, Mid, Mid},
		{atlas.HigherWorse, 2, High, Low},
		{atlas.HigherBetter, 0.2, High, Low}, // a status index where higher is better: low values are need
		{atlas.HigherBetter, 2, Low, High},
		{atlas.Neutral, 2, High, High},
		{atlas.Neutral, -5, Low, Low},
	} {
		s.Polarity = tc.pol
		if got := s.Need(tc.v); got != tc.need {
			t.Errorf("need of %v (%s): %s, want %s", tc.v, tc.pol, got, tc.need)
		}
		if got := s.Supply(tc.v); got != tc.supply {
			t.Errorf("supply of %v (%s): %s, want %s", tc.v, tc.pol, got, tc.supply)
		}
	}
	if NeedEnd(atlas.HigherBetter) != "low" || NeedEnd(atlas.HigherWorse) != "high" || NeedEnd(atlas.Neutral) != "high" ||
		SupplyEnd(atlas.HigherWorse) != "low" || SupplyEnd(atlas.HigherBetter) != "high" {
		t.Error("which end is need or supply: wrong")
	}
}

// TestClassify on a hand-made city of eight areas: a status index where
// higher is worse (the MSS) against coverage in % (higher is better),
// cut-offs given; one area withheld, one without a value.
func TestClassify(t *testing.T) {
	areas := []Area{
		{"a", ok(2.1), ok(0)},    // need high, supply low: a gap
		{"b", ok(1.7), ok(0)},    // a gap, less need than a
		{"c", ok(1.2), ok(0)},    // need mid, supply low
		{"d", ok(-0.5), ok(100)}, // need low, supply high
		{"e", ok(2.5), ok(100)},  // need high, supply high
		{"f", ok(3.0), ok(40)},   // need high, supply mid
		{"g", Value{Status: atlas.Suppressed}, ok(0)},
		{"h", ok(1.9), Value{Status: atlas.Missing}},
		{"i", ok(1.9), Value{Status: atlas.Suppressed}},
	}
	need := Side{Polarity: atlas.HigherWorse, Cutoffs: [2]float64{1, 1.5}}
	supply := Side{Polarity: atlas.HigherBetter, Cutoffs: [2]float64{0, 50}}
	res := Classify(areas, need, supply)
	var keys []string
	for _, r := range res {
		keys = append(keys, r.Key)
	}
	want := []string{"high-low", "high-low", "mid-low", "low-high", "high-high", "high-mid", Suppressed, NoData, Suppressed}
	if !slices.Equal(keys, want) {
		t.Errorf("classes: got %v, want %v", keys, want)
	}
	var gaps []string
	for _, i := range Gaps(areas, res, need) {
		gaps = append(gaps, areas[i].Code)
	}
	if !slices.Equal(gaps, []string{"a", "b"}) {
		t.Errorf("gaps: got %v, want a (2.1) before b (1.7)", gaps)
	}
	c := Counts(res)
	if c["high-low"] != 2 || c[Suppressed] != 2 || c[NoData] != 1 || c["low-low"] != 0 || len(c) != 11 {
		t.Errorf("counts: %v", c)
	}

	// The same city with the index turned round (higher = better off):
	// the low values are now the need, and the ranking follows.
	flipped := make([]Area, len(areas))
	for i, a := range areas {
		flipped[i] = a
		flipped[i].Need.V = -a.Need.V
	}
	needUp := Side{Polarity: atlas.HigherBetter, Cutoffs: [2]float64{-1.5, -1}}
	res2 := Classify(flipped, needUp, supply)
	for i := range res {
		if res2[i].Key != res[i].Key {
			t.Errorf("%s with the index turned: %s, want %s", areas[i].Code, res2[i].Key, res[i].Key)
		}
	}
	gaps = gaps[:0]
	for _, i := range Gaps(flipped, res2, needUp) {
		gaps = append(gaps, flipped[i].Code)
	}
	if !slices.Equal(gaps, []string{"a", "b"}) {
		t.Errorf("gaps with the index turned: got %v, want a (−2.1) before b (−1.7)", gaps)
	}
}

// TestTerciles: the 1/3 and 2/3 quantiles by linear interpolation, by
// hand: values 1…7 (n = 7): positions 2 and 4, so 3 and 5; values 1…4:
// positions 1 and 2, so 2 and 3.
func TestTerciles(t *testing.T) {
	for _, tc := range []struct {
		values []float64
		want   [2]float64
	}{
		{[]float64{7, 1, 2, 6, 3, 5, 4}, [2]float64{3, 5}},
		{[]float64{1, 2, 3, 4}, [2]float64{2, 3}},
		{[]float64{0, 10, 20, 30, 40, 50}, [2]float64{50.0 / 3, 100.0 / 3}},
	} {
		got, err := Terciles(tc.values)
		if err != nil || math.Abs(got[0]-tc.want[0]) > 1e-12 || math.Abs(got[1]-tc.want[1]) > 1e-12 {
			t.Errorf("terciles of %v: got %v, %v; want %v", tc.values, got, err, tc.want)
		}
	}
	// Coverage at the level of its carriers: almost everything 100.
	if _, err := Terciles([]float64{0, 100, 100, 100, 100, 100}); err == nil {
		t.Error("terciles of values that tie: want an error asking for cut-offs")
	}
	if _, err := Terciles([]float64{5}); err == nil {
		t.Error("terciles of one value: want an error")
	}
}

// TestLegend: nine classes, each key once, the darkest colour for the
// gap and the lightest for low need with high supply, labels in both
// languages.
func TestLegend(t *testing.T) {
	cs := Classes()
	if len(cs) != 9 {
		t.Fatalf("%d classes", len(cs))
	}
	seen := map[string]bool{}
	colors := map[string]bool{}
	for _, c := range cs {
		seen[c.Key], colors[c.Color] = true, true
		if c.Key == "high-low" && (c.Color != "#3b4994" || c.LabelDE != "Bedarf hoch, Angebot niedrig" || c.LabelEN != "need high, supply low") {
			t.Errorf("the gap class: %+v", c)
		}
		if c.Key == "low-high" && c.Color != "#e8e8e8" {
			t.Errorf("low need, high supply: %+v", c)
		}
	}
	if len(seen) != 9 || len(colors) != 9 {
		t.Errorf("keys or colours repeat: %v %v", seen, colors)
	}
}
