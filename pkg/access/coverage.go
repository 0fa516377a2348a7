package access

import (
	"errors"
	"fmt"
	"math"
)

// Covered reports for each of n demand points whether at least one pair
// puts an offer within D metres of it. The pairs must come from a search
// radius of at least D (Within(…, d0) with d0 >= D), or coverage is
// undercounted.
func Covered(n int, pairs []Pair, D float64) ([]bool, error) {
	if math.IsNaN(D) || D < 0 {
		return nil, fmt.Errorf("access: Covered: distance %g, want a number >= 0", D)
	}
	cov := make([]bool, n)
	for k, p := range pairs {
		if p.I < 0 || int(p.I) >= n {
			return nil, fmt.Errorf("access: pair %d: demand index %d outside [0, %d)", k, p.I, n)
		}
		if math.IsNaN(p.D) || p.D < 0 {
			return nil, fmt.Errorf("access: pair %d: distance %g, want a number >= 0", k, p.D)
		}
		if p.D <= D {
			cov[p.I] = true
		}
	}
	return cov, nil
}

// Coverage returns the share of the population living within D metres of
// at least one offer: sum of P_i over covered i / sum of P_i. See Covered
// for the pairs it needs.
func Coverage(P []float64, pairs []Pair, D float64) (float64, error) {
	if err := checkPopulation(P); err != nil {
		return 0, err
	}
	cov, err := Covered(len(P), pairs, D)
	if err != nil {
		return 0, err
	}
	var num, den float64
	for i, p := range P {
		if cov[i] {
			num += p
		}
		den += p
	}
	if den == 0 {
		return 0, errors.New("access: Coverage: total population is 0")
	}
	return num / den, nil
}

// Indicator turns Covered into the 0/1 values ByUnit averages.
func Indicator(cov []bool) []float64 {
	x := make([]float64, len(cov))
	for i, c := range cov {
		if c {
			x[i] = 1
		}
	}
	return x
}

// ByUnit aggregates per-carrier values x (accessibility A, nearest
// distance, coverage 0/1) into population-weighted sums per area unit:
//
//	num_u = sum_{i in u} P_i·x_i,  den_u = sum_{i in u} P_i
//
// so that num_u/den_u is the unit's population-weighted mean (the covered
// share for 0/1 values) and num, den can be stored as a value's numerator
// and denominator. unit[i] is the unit index of carrier i in [0, nUnits),
// or -1 for a carrier outside every unit. A unit without population has
// den = 0: it has no value, which is not the same as 0.
func ByUnit(unit []int32, nUnits int, P, x []float64) (num, den []float64, err error) {
	if len(unit) != len(P) || len(x) != len(P) {
		return nil, nil, fmt.Errorf("access: ByUnit: %d unit indices, %d populations, %d values; want equal lengths", len(unit), len(P), len(x))
	}
	if nUnits < 0 {
		return nil, nil, fmt.Errorf("access: ByUnit: %d units", nUnits)
	}
	if err := checkPopulation(P); err != nil {
		return nil, nil, err
	}
	num, den = make([]float64, nUnits), make([]float64, nUnits)
	for i, u := range unit {
		if u == -1 {
			continue
		}
		if u < 0 || int(u) >= nUnits {
			return nil, nil, fmt.Errorf("access: ByUnit: carrier %d: unit index %d outside [0, %d)", i, u, nUnits)
		}
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
			return nil, nil, fmt.Errorf("access: ByUnit: carrier %d: value %g is not finite", i, x[i])
		}
		num[u] += P[i] * x[i]
		den[u] += P[i]
	}
	return num, den, nil
}
