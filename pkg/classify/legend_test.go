package classify

import "testing"

// TestLegendCutoffs: fixed classes (the MSS Status-Index) by their
// cut-offs, with the data's maximum as the last bound, and CutoffClass
// agreeing with the legend for every value.
func TestLegendCutoffs(t *testing.T) {
	values := []float64{-2, -1, -0.5, 1, 1.2, 1.5, 1.6, 3}
	l, err := Classify(values, Options{Method: Manual, Cutoffs: []float64{-1, 1, 1.5},
		Labels: []string{"hoch", "mittel", "niedrig", "sehr niedrig"}, Polarity: HigherWorse})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Breaks; len(got) != 4 || got[3] != 3 {
		t.Errorf("breaks %v, want the cut-offs and the maximum 3", got)
	}
	want := []int{2, 2, 2, 2}
	for i, c := range l.Counts {
		if c != want[i] {
			t.Errorf("counts %v, want %v", l.Counts, want)
			break
		}
	}
	for _, v := range values {
		if a, b := l.Class(v), CutoffClass([]float64{-1, 1, 1.5}, v); a != b {
			t.Errorf("%g: legend class %d, CutoffClass %d", v, a, b)
		}
	}
	if len(l.Colors) != 4 || l.Scheme != "YlOrRd" {
		t.Errorf("colours %v scheme %s", l.Colors, l.Scheme)
	}
	if _, err := Classify(values, Options{Method: Manual, Cutoffs: []float64{0}, Labels: []string{"a"}}); err == nil {
		t.Error("one label for two classes: no error")
	}
}
