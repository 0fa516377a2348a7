// Package stats holds the small descriptive statistics the API reports
// about an indicator's values: summaries, ranks and changes. It is pure:
// callers pass only published numbers (never withheld ones), so nothing
// here needs to know about disclosure control.
package stats

import (
	"math"
	"slices"
)

// Summary describes a set of values.
type Summary struct {
	N                      int
	Min, Max, Mean, Median float64
}

// Summarize returns the summary of values; ok is false when there are
// none. The median of an even number of values is the mean of the middle
// two.
func Summarize(values []float64) (s Summary, ok bool) {
	n := len(values)
	if n == 0 {
		return Summary{}, false
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	sum := 0.0
	for _, v := range sorted {
		sum += v
	}
	s = Summary{N: n, Min: sorted[0], Max: sorted[n-1], Mean: sum / float64(n)}
	if n%2 == 1 {
		s.Median = sorted[n/2]
	} else {
		s.Median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	// rounding in the sum can put the mean of equal values a hair outside
	// their range
	s.Mean = min(max(s.Mean, s.Min), s.Max)
	return s, true
}

// CompetitionRanks ranks values that are already sorted (in either
// direction): equal values share the rank of the first of them and the
// next value's rank skips as many places ("1224" ranking).
func CompetitionRanks(sorted []float64) []int {
	ranks := make([]int, len(sorted))
	for i, v := range sorted {
		if i > 0 && v == sorted[i-1] {
			ranks[i] = ranks[i-1]
		} else {
			ranks[i] = i + 1
		}
	}
	return ranks
}

// RelativeChange is the change from a to b in percent of |a|; ok is false
// when a is 0, where no relative change exists.
func RelativeChange(a, b float64) (pct float64, ok bool) {
	if a == 0 {
		return 0, false
	}
	return (b - a) / math.Abs(a) * 100, true
}
