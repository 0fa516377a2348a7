package access

import (
	"errors"
	"fmt"
	"math"
)

// WeightFunc is a distance decay W(d) for a distance d in metres: 1 means
// the offer counts fully, 0 not at all. It includes the catchment: W is 0
// beyond the catchment distance d0.
type WeightFunc func(d float64) float64

// Step returns the weight of the classic 2SFCA: 1 up to d0, 0 beyond.
func Step(d0 float64) WeightFunc {
	return func(d float64) float64 {
		if d <= d0 {
			return 1
		}
		return 0
	}
}

// Gaussian returns the Gaussian decay of the E2SFCA, W(d) = exp(-d²/β) up
// to d0 and 0 beyond, with β = d0²/ln 10, so that W(d0) = 0.1: an offer at
// the edge of the catchment counts a tenth of one next door.
func Gaussian(d0 float64) WeightFunc {
	return GaussianBeta(d0, d0*d0/math.Ln10)
}

// GaussianBeta is Gaussian with an explicit β in square metres.
func GaussianBeta(d0, beta float64) WeightFunc {
	return func(d float64) float64 {
		if d > d0 {
			return 0
		}
		return math.Exp(-d * d / beta)
	}
}

// FCAResult holds the floating catchment area measures.
type FCAResult struct {
	// A is the accessibility of each demand point: offer capacity
	// (places) per person, A_i = sum_j W(d_ij)·R_j.
	A []float64
	// R is the supply-to-demand ratio of each offer,
	// R_j = S_j / sum_k W(d_kj)·P_k, and 0 for an unserved offer.
	R []float64
	// Unserved counts the offers with no weighted demand in their
	// catchment (no pair with W > 0 and P > 0); their R is 0, and their
	// capacity, UnservedSupply, reaches nobody. Hence
	// sum_i P_i·A_i = sum_j S_j - UnservedSupply.
	Unserved       int
	UnservedSupply float64
}

// FCA computes the two-step floating catchment area accessibility for
// demand populations P, offer capacities S and the demand–offer pairs
// (normally from Within with the catchment distance d0):
//
//	R_j = S_j / sum_{k: d_kj <= d0} W(d_kj)·P_k
//	A_i = sum_{j: d_ij <= d0} W(d_ij)·R_j
//
// With Step(d0) this is the 2SFCA of Luo & Wang (2003); with Gaussian(d0)
// the E2SFCA with continuous Gaussian decay (Luo & Qi 2009 use the same
// Gaussian in discrete distance bands). Pairs farther than the catchment of
// w get weight 0 and so count nowhere. Every P_i, S_j must be finite and
// >= 0; the result does not depend on the order of pairs beyond the
// rounding of sums.
func FCA(P, S []float64, pairs []Pair, w WeightFunc) (FCAResult, error) {
	if w == nil {
		return FCAResult{}, errors.New("access: FCA: weight function is nil")
	}
	if err := checkPopulation(P); err != nil {
		return FCAResult{}, err
	}
	for j, s := range S {
		if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
			return FCAResult{}, fmt.Errorf("access: supply %d: capacity %g, want a finite number >= 0", j, s)
		}
	}
	// Weights once: W may be an expensive exp, and both steps need them.
	ws := make([]float64, len(pairs))
	for k, p := range pairs {
		if err := checkPair(k, p, len(P), len(S)); err != nil {
			return FCAResult{}, err
		}
		wk := w(p.D)
		if math.IsNaN(wk) || math.IsInf(wk, 0) || wk < 0 {
			return FCAResult{}, fmt.Errorf("access: FCA: pair %d: weight %g at distance %g m, want a finite number >= 0", k, wk, p.D)
		}
		ws[k] = wk
	}
	// Step 1: demand seen by each offer, then its ratio.
	R := make([]float64, len(S))
	for k, p := range pairs {
		R[p.J] += ws[k] * P[p.I]
	}
	res := FCAResult{R: R}
	for j, den := range R {
		if den > 0 {
			R[j] = S[j] / den
		} else {
			R[j] = 0
			res.Unserved++
			res.UnservedSupply += S[j]
		}
	}
	// Step 2: ratios reachable from each demand point.
	A := make([]float64, len(P))
	for k, p := range pairs {
		A[p.I] += ws[k] * R[p.J]
	}
	res.A = A
	return res, nil
}

// checkPopulation reports the first population that is not a finite
// number >= 0.
func checkPopulation(P []float64) error {
	for i, p := range P {
		if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			return fmt.Errorf("access: demand %d: population %g, want a finite number >= 0", i, p)
		}
	}
	return nil
}

// checkPair reports a pair whose indices or distance do not fit.
func checkPair(k int, p Pair, nDemand, nSupply int) error {
	switch {
	case p.I < 0 || int(p.I) >= nDemand:
		return fmt.Errorf("access: pair %d: demand index %d outside [0, %d)", k, p.I, nDemand)
	case p.J < 0 || int(p.J) >= nSupply:
		return fmt.Errorf("access: pair %d: supply index %d outside [0, %d)", k, p.J, nSupply)
	case math.IsNaN(p.D) || math.IsInf(p.D, 0) || p.D < 0:
		return fmt.Errorf("access: pair %d: distance %g, want a finite number >= 0", k, p.D)
	}
	return nil
}
