// Package classify divides indicator values into classes for choropleth maps
// and picks ColorBrewer colours for them. It is the one classification used by
// the API, the map, the legend and map exports, so all of them agree on which
// class an area falls into.
//
// # Break convention
//
// Breaks are class UPPER bounds, inclusive, in strictly ascending order. For
// every method except "manual" the last break is the maximum of the data. A
// value v belongs to the first class i with v <= breaks[i]; a value above the
// last break belongs to the last class. With breaks [10, 20, 35] the classes
// are v <= 10, 10 < v <= 20 and v > 20 (which, for computed breaks, means
// 20 < v <= 35). The lower bound of class 0 is the minimum of the data
// (Result.Min).
//
// The package is pure: no I/O, no global state, safe for concurrent use.
package classify

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Method names a classification method. The string values are the ones used
// in the API and in stored map settings.
type Method string

// The supported methods.
const (
	// Quantile puts (about) the same number of values in every class; breaks
	// are percentiles with linear interpolation between order statistics.
	Quantile Method = "quantile"
	// EqualInterval splits the range [min, max] into K classes of equal width.
	EqualInterval Method = "equal_interval"
	// Jenks is Fisher-Jenks natural breaks: the exact partition of the sorted
	// values into K classes with the smallest within-class sum of squares.
	Jenks Method = "jenks"
	// StdDev cuts at the mean plus or minus multiples of the sample standard
	// deviation (for K = 5 the multiples -2, -1, 1, 2, as mapclassify's
	// Std_Mean).
	StdDev Method = "stddev"
	// Manual uses the breaks given in Spec.Breaks.
	Manual Method = "manual"
)

// Methods lists the supported methods in the order a user interface offers them.
func Methods() []Method {
	return []Method{Quantile, EqualInterval, Jenks, StdDev, Manual}
}

// Bounds on the number of classes. More than 12 classes cannot be told apart
// on a map; one class is no classification.
const (
	MinK = 2
	MaxK = 12
)

// Spec says how to classify.
type Spec struct {
	Method Method
	// K is the number of classes wanted (MinK..MaxK). For Manual it may be 0;
	// if it is set it must equal len(Breaks).
	K int
	// Breaks are the class upper bounds for Manual, strictly ascending and
	// finite. They are ignored by every other method.
	Breaks []float64
}

// Result is a classification of a set of values.
type Result struct {
	// Breaks are the class upper bounds (see the package documentation).
	// Quantile and StdDev may return fewer than Spec.K breaks (see Compute).
	Breaks []float64
	// Counts[i] is the number of values in class i; len(Counts) == len(Breaks).
	Counts []int
	// Min and Max are the smallest and largest value classified.
	Min, Max float64
}

// Compute classifies values according to s.
//
// Every value must be finite: missing values must be left out by the caller,
// because a silently dropped NaN would make the legend counts disagree with
// the number of areas. Errors are returned (never a panic) for empty input,
// NaN or ±Inf values, an unknown method, K outside MinK..MaxK, and data that
// cannot be split: fewer than two distinct values, or for Jenks fewer
// distinct values than K.
//
// Ties: quantile breaks collapse when many values are equal (for example
// many zeros). Like mapclassify, Compute then removes the duplicate breaks and
// returns fewer classes than asked for; len(Result.Breaks) tells how many.
// StdDev likewise leaves out the cuts at or above the maximum, so the last
// break is always the maximum; its lowest classes may be empty when the
// data are skewed.
func Compute(values []float64, s Spec) (Result, error) {
	if len(values) == 0 {
		return Result{}, errors.New("classify: no values to classify")
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{}, fmt.Errorf("classify: value %d is %v; leave missing values out before classifying", i, v)
		}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	lo, hi := sorted[0], sorted[len(sorted)-1]

	var breaks []float64
	var err error
	if s.Method == Manual {
		breaks, err = manualBreaks(s)
	} else {
		if !slices.Contains(Methods(), s.Method) {
			return Result{}, fmt.Errorf("classify: unknown method %q (want one of quantile, equal_interval, jenks, stddev, manual)", s.Method)
		}
		if s.K < MinK || s.K > MaxK {
			return Result{}, fmt.Errorf("classify: %s with k = %d classes: k must be between %d and %d", s.Method, s.K, MinK, MaxK)
		}
		if lo == hi {
			return Result{}, fmt.Errorf("classify: all %d values are equal (%v); at least two distinct values are needed", len(values), lo)
		}
		switch s.Method {
		case Quantile:
			breaks = quantileBreaks(sorted, s.K)
		case EqualInterval:
			breaks = equalIntervalBreaks(lo, hi, s.K)
		case StdDev:
			breaks = stdDevBreaks(sorted, s.K)
		case Jenks:
			breaks, err = jenksBreaks(sorted, s.K)
		}
		breaks = dedupe(breaks)
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Breaks: breaks, Counts: Counts(breaks, values), Min: lo, Max: hi}, nil
}

// Class returns the class index of v: the first i with v <= breaks[i], or
// the last class when v is above every break. It returns -1 when v is NaN or
// breaks is empty, so a caller can draw such an area as "no data". breaks
// must be ascending.
func Class(breaks []float64, v float64) int {
	if len(breaks) == 0 || math.IsNaN(v) {
		return -1
	}
	// SearchFloat64s finds the first i with breaks[i] >= v, i.e. v <= breaks[i].
	i := sort.SearchFloat64s(breaks, v)
	if i == len(breaks) {
		i--
	}
	return i
}

// Counts returns how many values fall into each class of breaks (by Class).
// NaN values belong to no class and are not counted.
func Counts(breaks, values []float64) []int {
	counts := make([]int, len(breaks))
	for _, v := range values {
		if c := Class(breaks, v); c >= 0 {
			counts[c]++
		}
	}
	return counts
}

func manualBreaks(s Spec) ([]float64, error) {
	n := len(s.Breaks)
	if n < MinK || n > MaxK {
		return nil, fmt.Errorf("classify: manual classification has %d breaks; it needs between %d and %d (one upper bound per class)", n, MinK, MaxK)
	}
	if s.K != 0 && s.K != n {
		return nil, fmt.Errorf("classify: manual classification with k = %d but %d breaks; leave k at 0 or make it equal the number of breaks", s.K, n)
	}
	for i, b := range s.Breaks {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return nil, fmt.Errorf("classify: manual break %d is %v; breaks must be finite (the last class takes every value above the last break)", i, b)
		}
		if i > 0 && b <= s.Breaks[i-1] {
			return nil, fmt.Errorf("classify: manual breaks must be strictly ascending, but break %d (%v) is not above break %d (%v)", i, b, i-1, s.Breaks[i-1])
		}
	}
	return slices.Clone(s.Breaks), nil
}

// quantileBreaks returns the i/k-th percentiles, i = 1..k, with linear
// interpolation between order statistics (numpy/scipy's default, which
// mapclassify uses): position p·(n-1) in the sorted data.
func quantileBreaks(sorted []float64, k int) []float64 {
	n := len(sorted)
	breaks := make([]float64, k)
	for i := 1; i < k; i++ {
		pos := float64(i) / float64(k) * float64(n-1)
		j := int(pos)
		frac := pos - float64(j)
		b := sorted[j]
		if frac > 0 && j+1 < n {
			b += frac * (sorted[j+1] - sorted[j])
		}
		breaks[i-1] = b
	}
	breaks[k-1] = sorted[n-1]
	return breaks
}

func equalIntervalBreaks(lo, hi float64, k int) []float64 {
	width := (hi - lo) / float64(k)
	breaks := make([]float64, k)
	for i := 1; i < k; i++ {
		breaks[i-1] = lo + float64(i)*width
	}
	// Set the last break to the maximum itself, not lo + k·width, so rounding
	// can never leave the maximum outside its class.
	breaks[k-1] = hi
	return breaks
}

// stdDevMultiples returns the multiples of the standard deviation at which
// StdDev cuts for k classes. Odd k = 2m+1: ±1..±m, so a central class of
// width 2 SD is centred on the mean (k = 5: -2, -1, 1, 2 as mapclassify's
// Std_Mean). Even k = 2m: -(m-1)..(m-1) including 0, so the mean itself is a
// break (k = 4: -1, 0, 1).
func stdDevMultiples(k int) []float64 {
	m := k / 2
	var mult []float64
	if k%2 == 1 {
		for j := -m; j <= m; j++ {
			if j != 0 {
				mult = append(mult, float64(j))
			}
		}
	} else {
		for j := -(m - 1); j <= m-1; j++ {
			mult = append(mult, float64(j))
		}
	}
	return mult
}

// stdDevBreaks cuts at mean + j·s (s the sample standard deviation, n-1 in
// the denominator) and adds the maximum as the last break. Cuts at or above
// the maximum are left out: the class they would close is then the last one.
func stdDevBreaks(sorted []float64, k int) []float64 {
	n := float64(len(sorted))
	var sum float64
	for _, v := range sorted {
		sum += v
	}
	mean := sum / n
	var ss float64
	for _, v := range sorted {
		d := v - mean
		ss += d * d
	}
	sd := 0.0
	if len(sorted) > 1 {
		sd = math.Sqrt(ss / (n - 1))
	}
	hi := sorted[len(sorted)-1]
	var breaks []float64
	for _, j := range stdDevMultiples(k) {
		if c := mean + j*sd; c < hi {
			breaks = append(breaks, c)
		}
	}
	return append(breaks, hi)
}

// dedupe removes repeated breaks from an ascending slice (collapsed
// quantiles), keeping the order.
func dedupe(breaks []float64) []float64 {
	return slices.Compact(breaks)
}
