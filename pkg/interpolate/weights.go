package interpolate

import (
	"fmt"
	"math"
	"sort"
)

// Weight says how much of source unit S lies in target unit T.
type Weight struct {
	S, T int     // indices into the source and target sets
	W    float64 // area of the intersection in m², or its residents
}

// Weights are the overlaps between a source and a target set of units,
// with each unit's total: the w_st and w_s of the interpolation formulas.
type Weights struct {
	// Pairs lists every overlap with W > 0, sorted by S, then T.
	Pairs []Weight
	// SourceTotal[s] is w_s: the area of source unit s (m²) for area
	// weights, its residents for population weights. Extensive divides by
	// it, so a source's count is shared out in proportion to the part of
	// the source each target holds, and the part that lies in no target
	// is lost (as it should be when the targets cover only part of the
	// sources). To share out all of every source's count among the
	// targets instead, set SourceTotal = SourceCovered().
	SourceTotal []float64
	// TargetTotal[t] is the area or the residents of target unit t.
	TargetTotal []float64
}

// SourceCovered returns, per source unit, the summed weight of its pairs:
// the area (or residents) of the source that lies in some target. Divided
// by SourceTotal it is the source's covered share, 1 where the targets
// cover the source.
func (w *Weights) SourceCovered() []float64 {
	out := make([]float64, len(w.SourceTotal))
	for _, p := range w.Pairs {
		out[p.S] += p.W
	}
	return out
}

// TargetCovered returns, per target unit, the summed weight of its pairs:
// the area (or residents) of the target that lies in some source. Divided
// by TargetTotal it shows how much of a target the source data describe.
func (w *Weights) TargetCovered() []float64 {
	out := make([]float64, len(w.TargetTotal))
	for _, p := range w.Pairs {
		out[p.T] += p.W
	}
	return out
}

// Prune returns weights without slivers: the pairs whose weight is below
// minShare of both the source's and the target's total. Two unit sets
// digitised independently overlap along every shared border in strips a few
// square metres wide; such a strip makes a target depend on a neighbouring
// source, and a missing value there would cost the target its value (see
// Extensive). Pruning with, say, minShare = 0.001 drops those strips and
// keeps every real overlap, including a small source lying wholly inside a
// large target. The totals are kept, so the pruned slivers' shares are lost
// to Extensive (at most minShare of each source).
func (w *Weights) Prune(minShare float64) *Weights {
	out := &Weights{SourceTotal: w.SourceTotal, TargetTotal: w.TargetTotal}
	for _, p := range w.Pairs {
		if p.W < minShare*w.SourceTotal[p.S] && p.W < minShare*w.TargetTotal[p.T] {
			continue
		}
		out.Pairs = append(out.Pairs, p)
	}
	return out
}

// PopulationWeights counts residents per intersection of source and target
// units from population carriers: points of the finest level (a block's or
// building's interior point) with their residents pop[i], already located
// in both sets by the caller (geo.NewLocator(units).LocateAll(points));
// source[i] and target[i] are the carrier's unit indices, -1 where it lies
// in none. nSource and nTarget are the sizes of the two sets.
//
// A carrier counts towards its source's and its target's total even when
// it lies in no unit of the other set. Carriers with no residents are
// allowed and add nothing. A unit without residents has total 0 and no
// pairs: Extensive cannot share out its count (use area weights for
// counts that do not follow the residents, such as places in facilities).
func PopulationWeights(pop []float64, source, target []int, nSource, nTarget int) (*Weights, error) {
	if len(source) != len(pop) || len(target) != len(pop) {
		return nil, fmt.Errorf("population weights: %d carriers but %d source and %d target indices", len(pop), len(source), len(target))
	}
	if nSource < 0 || nTarget < 0 {
		return nil, fmt.Errorf("population weights: negative set size (%d sources, %d targets)", nSource, nTarget)
	}
	w := &Weights{SourceTotal: make([]float64, nSource), TargetTotal: make([]float64, nTarget)}
	cell := make(map[[2]int]float64)
	for i, p := range pop {
		s, t := source[i], target[i]
		switch {
		case math.IsNaN(p) || math.IsInf(p, 0) || p < 0:
			return nil, fmt.Errorf("population weights: carrier %d has population %v, want a finite number ≥ 0", i, p)
		case s < -1 || s >= nSource:
			return nil, fmt.Errorf("population weights: carrier %d has source index %d, want -1 to %d", i, s, nSource-1)
		case t < -1 || t >= nTarget:
			return nil, fmt.Errorf("population weights: carrier %d has target index %d, want -1 to %d", i, t, nTarget-1)
		}
		if s >= 0 {
			w.SourceTotal[s] += p
		}
		if t >= 0 {
			w.TargetTotal[t] += p
		}
		if s >= 0 && t >= 0 && p > 0 {
			cell[[2]int{s, t}] += p
		}
	}
	w.Pairs = make([]Weight, 0, len(cell))
	for k, v := range cell {
		w.Pairs = append(w.Pairs, Weight{S: k[0], T: k[1], W: v})
	}
	sort.Slice(w.Pairs, func(i, j int) bool {
		a, b := w.Pairs[i], w.Pairs[j]
		return a.S < b.S || a.S == b.S && a.T < b.T
	})
	return w, nil
}
