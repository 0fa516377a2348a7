package stats

import (
	"math"
	"reflect"
	"testing"
)

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want Summary
	}{
		{[]float64{3}, Summary{N: 1, Min: 3, Max: 3, Mean: 3, Median: 3}},
		{[]float64{5, 1, 4}, Summary{N: 3, Min: 1, Max: 5, Mean: 10.0 / 3, Median: 4}},
		{[]float64{4, 1, 3, 2}, Summary{N: 4, Min: 1, Max: 4, Mean: 2.5, Median: 2.5}},
		{[]float64{-2, 7, 7, 0, 100}, Summary{N: 5, Min: -2, Max: 100, Mean: 22.4, Median: 7}},
	} {
		in := append([]float64(nil), tc.in...)
		got, ok := Summarize(tc.in)
		if !ok || got.N != tc.want.N || got.Min != tc.want.Min || got.Max != tc.want.Max ||
			got.Median != tc.want.Median || math.Abs(got.Mean-tc.want.Mean) > 1e-12 {
			t.Errorf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
		}
		if !reflect.DeepEqual(in, tc.in) {
			t.Errorf("Summarize reordered its input: %v, was %v", tc.in, in)
		}
	}
	if _, ok := Summarize(nil); ok {
		t.Error("Summarize(nil) is ok, want no summary")
	}
	// equal values: the mean stays within [min, max] despite rounding
	eq := []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}
	if s, _ := Summarize(eq); s.Mean < s.Min || s.Mean > s.Max {
		t.Errorf("mean %v of equal values outside [%v, %v]", s.Mean, s.Min, s.Max)
	}
}

func TestCompetitionRanks(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want []int
	}{
		{nil, []int{}},
		{[]float64{9, 7, 7, 5}, []int{1, 2, 2, 4}},
		{[]float64{1, 1, 1}, []int{1, 1, 1}},
		{[]float64{1, 2, 2, 2, 3, 3}, []int{1, 2, 2, 2, 5, 5}},
	} {
		if got := CompetitionRanks(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("CompetitionRanks(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRelativeChange(t *testing.T) {
	for _, tc := range []struct {
		a, b, want float64
		ok         bool
	}{
		{50, 75, 50, true},
		{200, 150, -25, true},
		{-4, -2, 50, true}, // towards zero from below is an increase
		{0, 3, 0, false},
	} {
		got, ok := RelativeChange(tc.a, tc.b)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("RelativeChange(%v, %v) = %v, %v; want %v, %v", tc.a, tc.b, got, ok, tc.want, tc.ok)
		}
	}
}
