package interpolate

import (
	"fmt"
	"math"
)

// Extensive interpolates a count (residents, recipients, places) from the
// source units to the target units: each source's value is shared out in
// proportion to the part of it that lies in each target,
//
//	v_t = Σ_s v_s · w_st / w_s
//
// with w_s = SourceTotal[s]. When the targets cover the sources, the
// targets' sum equals the sources' sum.
//
// values[s] is source s's value; valid[s] says whether it has one (a nil
// valid means all have). A target that overlaps a source without a value
// (w_st > 0) gets ok[t] = false: its count would be too low by an unknown
// amount. A source without a value that a target merely touches (w_st = 0,
// hence no pair) does not matter. A target that overlaps no source has no
// value either (ok false): nothing is known about it. Where ok[t] is false,
// out[t] is NaN. The error reports inputs of the wrong length and
// non-finite values marked valid.
func (w *Weights) Extensive(values []float64, valid []bool) (out []float64, ok []bool, err error) {
	if err := w.check("extensive", values, valid); err != nil {
		return nil, nil, err
	}
	return w.apply(values, valid, func(p Weight) float64 { return p.W / w.SourceTotal[p.S] }, nil)
}

// Intensive interpolates a rate, share or mean (SGB II rate, average age)
// from the source units to the target units: each target gets the mean of
// its sources' values, weighted by the part of the target each source
// holds,
//
//	v_t = Σ_s v_s · w_st / Σ_s' w_s't
//
// so with population weights it is the population-weighted mean. For a
// rate whose numerator and denominator are both available as counts,
// interpolating both with Extensive and dividing is more faithful: it
// weights by the rate's own denominator rather than by area or residents.
//
// Missing values are treated as in Extensive: a target that overlaps a
// source without a value, or no source at all, gets ok false and NaN.
func (w *Weights) Intensive(values []float64, valid []bool) (out []float64, ok []bool, err error) {
	if err := w.check("intensive", values, valid); err != nil {
		return nil, nil, err
	}
	return w.apply(values, valid, func(p Weight) float64 { return p.W }, w.TargetCovered())
}

// apply sums values[s]·weight(p) per target and divides by norm[t] if norm
// is given.
func (w *Weights) apply(values []float64, valid []bool, weight func(Weight) float64, norm []float64) ([]float64, []bool, error) {
	out := make([]float64, len(w.TargetTotal))
	ok := make([]bool, len(w.TargetTotal))
	missing := make([]bool, len(w.TargetTotal))
	for _, p := range w.Pairs {
		if p.W <= 0 {
			continue
		}
		if valid != nil && !valid[p.S] {
			missing[p.T] = true
			continue
		}
		out[p.T] += values[p.S] * weight(p)
		ok[p.T] = true
	}
	for t := range out {
		ok[t] = ok[t] && !missing[t]
		switch {
		case !ok[t]:
			out[t] = math.NaN()
		case norm != nil:
			out[t] /= norm[t]
		}
	}
	return out, ok, nil
}

func (w *Weights) check(what string, values []float64, valid []bool) error {
	if len(values) != len(w.SourceTotal) {
		return fmt.Errorf("%s interpolation: %d values for %d source units", what, len(values), len(w.SourceTotal))
	}
	if valid != nil && len(valid) != len(values) {
		return fmt.Errorf("%s interpolation: %d validity flags for %d values", what, len(valid), len(values))
	}
	for s, v := range values {
		if (valid == nil || valid[s]) && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return fmt.Errorf("%s interpolation: source %d has value %v marked valid", what, s, v)
		}
	}
	for _, p := range w.Pairs {
		if p.S < 0 || p.S >= len(w.SourceTotal) || p.T < 0 || p.T >= len(w.TargetTotal) {
			return fmt.Errorf("%s interpolation: pair (%d, %d) outside %d sources and %d targets", what, p.S, p.T, len(w.SourceTotal), len(w.TargetTotal))
		}
		if p.W > 0 && w.SourceTotal[p.S] <= 0 {
			return fmt.Errorf("%s interpolation: source %d has total %v but a pair with weight %v", what, p.S, w.SourceTotal[p.S], p.W)
		}
	}
	return nil
}
