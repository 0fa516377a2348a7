package access

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/sozialatlas/sozialatlas/pkg/geo"
)

// firstCap is the distance in metres the nearest-neighbour search assumes
// before it has measured any offer. Any value is correct (see nearest);
// it only has to be larger than the usual distance to the nearest offer
// so that the first queue entries are ordered well.
const firstCap = 100e3

// NearestDistance returns, for each demand point, the geodesic distance in
// metres to the nearest supply point: the same numbers as taking the
// minimum of geo.Distance over all supply points, found with a best-first
// R-tree search. It fails when there is no supply point.
func NearestDistance(demand, supply []orb.Point) ([]float64, error) {
	if err := checkPoints("demand", demand); err != nil {
		return nil, err
	}
	if err := checkPoints("supply", supply); err != nil {
		return nil, err
	}
	if len(supply) == 0 {
		return nil, errors.New("access: NearestDistance: no supply points")
	}
	tr := supplyTree(supply)
	out := make([]float64, len(demand))
	forChunks(len(demand), func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			out[i] = nearest(tr, supply, demand[i])
		}
	})
	return out, nil
}

// nearest is a best-first search (Hjaltason & Samet) whose queue keys are
// lower bounds of the geodesic distance, not distances themselves: entries
// (tree nodes and points alike) come out in order of their bound, popped
// points are measured with geo.Distance, and the search stops as soon as
// the next bound is not below the best distance measured so far, because
// nothing left in the queue can be nearer.
//
// The bound of a box is min(c, sqrt((mMin·Δφ)² + (rho(c)·Δλ)²)), valid for
// any c (bounds.go). c is just above the best distance so far (firstCap
// until the first point is measured); a smaller c gives a larger rho and
// so a tighter bound for the entries queued afterwards. Entries queued
// earlier keep their smaller, still valid, keys.
func nearest(tr *rtree.RTreeG[int32], supply []orb.Point, q orb.Point) float64 {
	best := math.Inf(1)
	c := firstCap
	r := rho(q[1], c)
	tr.Nearby(
		func(bmin, bmax [2]float64, _ int32, _ bool) float64 {
			return min(c, boxLowerBound(q[0], q[1], r, bmin, bmax))
		},
		func(_, _ [2]float64, j int32, key float64) bool {
			if key*(1-slack) >= best {
				return false
			}
			if d := geo.Distance(q, supply[j]); d < best {
				best = d
				// The cap sits just above best, so that entries capped
				// at it end the search (key·(1-slack) >= best).
				if cb := d * (1 + 2*slack); cb < c {
					c, r = cb, rho(q[1], cb)
				}
			}
			return true
		},
	)
	return best
}

// MeanNearest returns the population-weighted mean distance to the nearest
// offer, sum_i P_i·dist_i / sum_i P_i, for dist from NearestDistance.
func MeanNearest(P, dist []float64) (float64, error) {
	if len(P) != len(dist) {
		return 0, fmt.Errorf("access: MeanNearest: %d populations but %d distances", len(P), len(dist))
	}
	if err := checkPopulation(P); err != nil {
		return 0, err
	}
	var num, den float64
	for i, d := range dist {
		if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
			return 0, fmt.Errorf("access: MeanNearest: distance %d is %g, want a finite number >= 0", i, d)
		}
		num += P[i] * d
		den += P[i]
	}
	if den == 0 {
		return 0, errors.New("access: MeanNearest: total population is 0")
	}
	return num / den, nil
}
