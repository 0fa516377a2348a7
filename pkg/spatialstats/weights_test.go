package spatialstats

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestNewWeights(t *testing.T) {
	w, err := NewWeights([][]int{{2, 1}, {0}, {0}, {}}, [][]float64{{3, 1}, {1}, {2}, {}})
	if err != nil {
		t.Fatal(err)
	}
	if w.N() != 4 || w.Links() != 4 || w.S0() != 7 {
		t.Errorf("N %d, links %d, S0 %v; want 4, 4, 7", w.N(), w.Links(), w.S0())
	}
	nb, wt := w.Neighbours(0)
	if !reflect.DeepEqual(nb, []int{1, 2}) || !reflect.DeepEqual(wt, []float64{1, 3}) {
		t.Errorf("row 0: %v %v, want sorted [1 2] with their weights [1 3]", nb, wt)
	}
	if got := w.Islands(); !reflect.DeepEqual(got, []int{3}) {
		t.Errorf("islands %v, want [3]", got)
	}
	if got := w.Pairs(); !reflect.DeepEqual(got, [][2]int{{0, 1}, {0, 2}}) {
		t.Errorf("pairs %v, want [[0 1] [0 2]]", got)
	}
	var zero Weights
	if zero.N() != 0 || zero.Links() != 0 {
		t.Errorf("zero value: N %d, links %d", zero.N(), zero.Links())
	}

	// binary when no weights are given; a one-way link is still a pair
	b, err := NewWeights([][]int{{}, {0}, {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, wt := b.Neighbours(1); wt[0] != 1 {
		t.Errorf("binary weight %v, want 1", wt[0])
	}
	if got := b.Pairs(); !reflect.DeepEqual(got, [][2]int{{0, 1}}) {
		t.Errorf("one-way link: pairs %v, want [[0 1]]", got)
	}
}

func TestNewWeightsErrors(t *testing.T) {
	cases := []struct {
		name string
		nb   [][]int
		wt   [][]float64
		want string
	}{
		{"out of range", [][]int{{1}, {2}}, nil, "unit 1: neighbour 2 out of range [0, 2)"},
		{"negative index", [][]int{{-1}, {}}, nil, "neighbour -1 out of range"},
		{"self", [][]int{{0}}, nil, "unit 0 is listed as its own neighbour"},
		{"duplicate", [][]int{{1, 2, 1}, {}, {}}, nil, "unit 0 lists neighbour 1 twice"},
		{"rows", [][]int{{1}, {0}}, [][]float64{{1}}, "2 rows of neighbours but 1 rows of weights"},
		{"row length", [][]int{{1}, {0}}, [][]float64{{1}, {1, 2}}, "unit 1 has 1 neighbours but 2 weights"},
		{"negative weight", [][]int{{1}, {0}}, [][]float64{{1}, {-1}}, "weight -1 of neighbour 0"},
		{"NaN weight", [][]int{{1}, {0}}, [][]float64{{math.NaN()}, {1}}, "weight NaN"},
	}
	for _, tc := range cases {
		_, err := NewWeights(tc.nb, tc.wt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestRowStandardised(t *testing.T) {
	w, err := NewWeights([][]int{{1, 2}, {0}, {0}, {}}, [][]float64{{1, 3}, {2}, {5}, {}})
	if err != nil {
		t.Fatal(err)
	}
	r := w.RowStandardised()
	for i := range r.N() {
		_, wt := r.Neighbours(i)
		sum := 0.0
		for _, v := range wt {
			sum += v
		}
		want := 1.0
		if len(wt) == 0 {
			want = 0 // island
		}
		near(t, "row sum", sum, want, 1e-15)
	}
	if _, wt := r.Neighbours(0); wt[0] != 0.25 || wt[1] != 0.75 {
		t.Errorf("row 0 = %v, want [0.25 0.75]", wt)
	}
	// a copy: the original keeps its weights
	if _, wt := w.Neighbours(0); wt[0] != 1 {
		t.Errorf("RowStandardised changed its receiver: %v", wt)
	}
}

func TestSubset(t *testing.T) {
	w := lattice(t, 3, 3, false) // 0 1 2 / 3 4 5 / 6 7 8
	s, err := w.Subset([]int{8, 4, 5, 1, 0})
	if err != nil {
		t.Fatal(err)
	}
	// new units: 0=8, 1=4, 2=5, 3=1, 4=0
	want := [][]int{{2}, {2, 3}, {0, 1}, {1, 4}, {3}}
	for i, row := range want {
		if nb, _ := s.Neighbours(i); !reflect.DeepEqual(nb, row) {
			t.Errorf("subset unit %d: neighbours %v, want %v", i, nb, row)
		}
	}
	for _, keep := range [][]int{{0, 9}, {1, 1}, {-1}} {
		if _, err := w.Subset(keep); err == nil {
			t.Errorf("Subset(%v): no error", keep)
		}
	}
}
