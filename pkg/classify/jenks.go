package classify

import (
	"fmt"
	"math"
)

// jenksBreaks returns the Fisher-Jenks natural breaks of sorted (ascending)
// data: the class upper bounds of the partition into k contiguous classes
// with the smallest total within-class sum of squared deviations from the
// class means. This is optimal univariate k-means, solved exactly by dynamic
// programming as in Ckmeans.1d.dp (Wang & Song 2011).
//
// Two choices keep it exact and fast:
//
//   - The programme runs on the distinct values, each weighted by how often
//     it occurs. Breaks are values, so a class boundary can only sit between
//     distinct values; and no optimum needs to split a run of equal values
//     (moving all copies of a tied value to one side never increases the
//     cost, because the cost is concave in the number moved). Ties therefore
//     cost nothing in optimality and make the problem smaller.
//   - Each row of the programme is filled by divide and conquer: the optimal
//     start of the last class is non-decreasing in the end index (the
//     within-class sum of squares satisfies the quadrangle inequality), so
//     the optimum for the middle end index bounds the search on both halves.
//     That is O(n log n) per class instead of O(n²), O(k·n·log n) in all.
func jenksBreaks(sorted []float64, k int) ([]float64, error) {
	xs, ws := distinctWeighted(sorted)
	m := len(xs)
	if m < k {
		return nil, fmt.Errorf("classify: jenks with k = %d classes needs at least %d distinct values, the data have %d", k, k, m)
	}
	c := newSSQ(xs, ws)

	// prev[i]: least cost of splitting distinct values 0..i into q classes
	// (row q-1); cur: the same for q+1 classes. back[q][i]: first index of
	// the last class in the optimum for classes 0..q ending at i.
	prev := make([]float64, m)
	cur := make([]float64, m)
	back := make([][]int32, k)
	for i := range m {
		prev[i] = c.cost(0, i)
	}
	for q := 1; q < k; q++ {
		back[q] = make([]int32, m)
		// Class q can end no earlier than at index q (each class needs a
		// value) and no later than leaves one value for each later class.
		imin, imax := q, m-1-(k-1-q)
		if q == k-1 {
			imin = m - 1 // only the full data set matters in the last row
		}
		r := row{c: &c, prev: prev, cur: cur, back: back[q], q: q}
		r.fill(imin, imax, q, imax)
		prev, cur = cur, prev
	}

	breaks := make([]float64, k)
	end := m - 1
	for q := k - 1; q > 0; q-- {
		breaks[q] = xs[end]
		end = int(back[q][end]) - 1
	}
	breaks[0] = xs[end]
	return breaks, nil
}

// row fills one row of the dynamic programme.
type row struct {
	c    *ssq
	prev []float64 // least cost for q classes ending at each index
	cur  []float64 // least cost for q+1 classes, being filled
	back []int32
	q    int
}

// fill computes cur[i] for imin <= i <= imax, knowing that the optimal first
// index j of the last class lies in [jmin, jmax] for all of them.
func (r *row) fill(imin, imax, jmin, jmax int) {
	for imin <= imax {
		i := (imin + imax) / 2
		lo := max(jmin, r.q)
		hi := min(jmax, i)
		best, bestJ := math.Inf(1), hi
		floor := r.prev[lo-1] // least cost before any candidate start
		// Scan the start j of the last class downwards. The class cost
		// only grows as j falls and the cost before it never drops below
		// floor, so once cost(j, i) + floor reaches the best found, no
		// smaller j can do better (the pruning of Ckmeans.1d.dp).
		for j := hi; j >= lo; j-- {
			sji := r.c.cost(j, i)
			if sji+floor >= best {
				break
			}
			if v := r.prev[j-1] + sji; v < best {
				best, bestJ = v, j
			}
		}
		r.cur[i] = best
		r.back[i] = int32(bestJ)
		// Recurse on the smaller half, loop on the other: bounded stack.
		if i-imin < imax-i {
			r.fill(imin, i-1, jmin, bestJ)
			imin, jmin = i+1, bestJ
		} else {
			r.fill(i+1, imax, bestJ, jmax)
			imax, jmax = i-1, bestJ
		}
	}
}

// distinctWeighted returns the distinct values of sorted and how often each
// occurs.
func distinctWeighted(sorted []float64) (xs, ws []float64) {
	xs = make([]float64, 0, len(sorted))
	ws = make([]float64, 0, len(sorted))
	for i, v := range sorted {
		if i > 0 && v == sorted[i-1] {
			ws[len(ws)-1]++
			continue
		}
		xs = append(xs, v)
		ws = append(ws, 1)
	}
	return xs, ws
}

// ssq answers within-class sums of squares in O(1) from prefix sums of
// weights, weighted values and weighted squares.
type ssq struct {
	w, s1, s2 []float64
}

func newSSQ(xs, ws []float64) ssq {
	// Sums are taken of values shifted by the median: sum(x²) − (sum x)²/w
	// cancels badly when the values are large relative to their spread.
	shift := xs[len(xs)/2]
	c := ssq{
		w:  make([]float64, len(xs)+1),
		s1: make([]float64, len(xs)+1),
		s2: make([]float64, len(xs)+1),
	}
	for i, x := range xs {
		d := x - shift
		c.w[i+1] = c.w[i] + ws[i]
		c.s1[i+1] = c.s1[i] + ws[i]*d
		c.s2[i+1] = c.s2[i] + ws[i]*d*d
	}
	return c
}

// cost is the weighted sum of squared deviations from their mean of the
// distinct values a..b (inclusive).
func (c *ssq) cost(a, b int) float64 {
	w := c.w[b+1] - c.w[a]
	s1 := c.s1[b+1] - c.s1[a]
	v := c.s2[b+1] - c.s2[a] - s1*s1/w
	if v < 0 { // rounding; a sum of squares is never negative
		return 0
	}
	return v
}
