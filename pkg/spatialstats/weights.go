// Package spatialstats measures spatial autocorrelation of an indicator
// over the units of a level ("where does child poverty cluster?"): global
// Moran's I and local Moran (LISA) with permutation inference, on sparse
// spatial weights derived from the unit geometries (queen contiguity) or
// read from a GeoDa GAL file.
//
// All functions are pure and deterministic: permutation tests take a seed,
// so the same input gives the same p-values on every run and every number
// of cores. Formulas and conventions follow pysal's esda, whose published
// test vectors the tests check.
package spatialstats

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// Weights is a sparse spatial weights matrix W over n units, stored by row
// (compressed sparse rows): the neighbours j of unit i, in ascending order,
// each with its weight w_ij. Units are identified by their index 0..n-1, in
// the order of the geometries or values they were built for. A unit without
// neighbours (an island) has an empty row. The zero value has no units.
//
// Weights is immutable: its methods return new values and the slices they
// hand out must not be modified.
type Weights struct {
	offsets    []int     // len n+1; row i is [offsets[i], offsets[i+1])
	neighbours []int     // column indices, ascending within a row
	weights    []float64 // w_ij, parallel to neighbours
}

// NewWeights builds weights from each unit's neighbour indices and, when
// weights is not nil, their weights (same shape as neighbours); with nil
// weights every link has weight 1 (binary weights). Links need not be
// symmetric. It refuses indices out of range, a unit listed as its own
// neighbour, duplicate neighbours, and weights that are negative or not
// finite.
func NewWeights(neighbours [][]int, weights [][]float64) (Weights, error) {
	n := len(neighbours)
	if weights != nil && len(weights) != n {
		return Weights{}, fmt.Errorf("spatialstats: %d rows of neighbours but %d rows of weights", n, len(weights))
	}
	w := Weights{offsets: make([]int, n+1)}
	for i, row := range neighbours {
		if weights != nil && len(weights[i]) != len(row) {
			return Weights{}, fmt.Errorf("spatialstats: unit %d has %d neighbours but %d weights", i, len(row), len(weights[i]))
		}
		w.offsets[i+1] = w.offsets[i] + len(row)
	}
	w.neighbours = make([]int, 0, w.offsets[n])
	w.weights = make([]float64, 0, w.offsets[n])
	for i, row := range neighbours {
		start := len(w.neighbours)
		for k, j := range row {
			if j < 0 || j >= n {
				return Weights{}, fmt.Errorf("spatialstats: unit %d: neighbour %d out of range [0, %d)", i, j, n)
			}
			if j == i {
				return Weights{}, fmt.Errorf("spatialstats: unit %d is listed as its own neighbour", i)
			}
			v := 1.0
			if weights != nil {
				v = weights[i][k]
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
					return Weights{}, fmt.Errorf("spatialstats: unit %d: weight %v of neighbour %d is not a finite non-negative number", i, v, j)
				}
			}
			w.neighbours = append(w.neighbours, j)
			w.weights = append(w.weights, v)
		}
		sort.Sort(rowSorter{w.neighbours[start:], w.weights[start:]})
		for k := start + 1; k < len(w.neighbours); k++ {
			if w.neighbours[k] == w.neighbours[k-1] {
				return Weights{}, fmt.Errorf("spatialstats: unit %d lists neighbour %d twice", i, w.neighbours[k])
			}
		}
	}
	return w, nil
}

// binary builds binary weights from rows known to hold distinct in-range
// indices other than the row's own, in any order.
func binary(neighbours [][]int) Weights {
	w := Weights{offsets: make([]int, len(neighbours)+1)}
	for i, row := range neighbours {
		start := len(w.neighbours)
		w.neighbours = append(w.neighbours, row...)
		slices.Sort(w.neighbours[start:])
		w.offsets[i+1] = len(w.neighbours)
	}
	w.weights = make([]float64, len(w.neighbours))
	for k := range w.weights {
		w.weights[k] = 1
	}
	return w
}

// rowSorter sorts one row's neighbours and weights together.
type rowSorter struct {
	j []int
	w []float64
}

func (r rowSorter) Len() int           { return len(r.j) }
func (r rowSorter) Less(a, b int) bool { return r.j[a] < r.j[b] }
func (r rowSorter) Swap(a, b int) {
	r.j[a], r.j[b] = r.j[b], r.j[a]
	r.w[a], r.w[b] = r.w[b], r.w[a]
}

// N returns the number of units.
func (w Weights) N() int {
	if len(w.offsets) == 0 {
		return 0
	}
	return len(w.offsets) - 1
}

// Neighbours returns the neighbours of unit i in ascending order and their
// weights. The slices belong to w: do not modify them.
func (w Weights) Neighbours(i int) (neighbours []int, weights []float64) {
	a, b := w.offsets[i], w.offsets[i+1]
	return w.neighbours[a:b:b], w.weights[a:b:b]
}

// Cardinality returns the number of neighbours of unit i.
func (w Weights) Cardinality(i int) int { return w.offsets[i+1] - w.offsets[i] }

// Links returns the number of non-zero entries of W (directed links).
func (w Weights) Links() int { return len(w.neighbours) }

// S0 returns the sum of all weights.
func (w Weights) S0() float64 {
	s := 0.0
	for _, v := range w.weights {
		s += v
	}
	return s
}

// Islands returns the units without neighbours, ascending.
func (w Weights) Islands() []int {
	var out []int
	for i := range w.N() {
		if w.Cardinality(i) == 0 {
			out = append(out, i)
		}
	}
	return out
}

// Pairs returns each pair of linked units once, as {i, j} with i < j,
// sorted; a pair counts when i lists j, j lists i, or both.
func (w Weights) Pairs() [][2]int {
	var out [][2]int
	for i := range w.N() {
		nb, _ := w.Neighbours(i)
		for _, j := range nb {
			if i < j {
				out = append(out, [2]int{i, j})
			} else if !w.has(j, i) {
				// j < i and j does not list i: the link exists only this way
				out = append(out, [2]int{j, i})
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	return out
}

// has reports whether unit i lists j as a neighbour.
func (w Weights) has(i, j int) bool {
	nb, _ := w.Neighbours(i)
	_, ok := slices.BinarySearch(nb, j)
	return ok
}

// RowStandardised returns a copy of w whose rows sum to 1 (w_ij / sum_j
// w_ij), the usual choice for Moran's I and LISA: the spatial lag becomes
// the neighbours' mean. Islands keep a row of zeros.
func (w Weights) RowStandardised() Weights {
	out := Weights{
		offsets:    slices.Clone(w.offsets),
		neighbours: slices.Clone(w.neighbours),
		weights:    make([]float64, len(w.weights)),
	}
	for i := range w.N() {
		a, b := w.offsets[i], w.offsets[i+1]
		s := 0.0
		for _, v := range w.weights[a:b] {
			s += v
		}
		if s == 0 {
			continue // island, or a row of zero weights: stays zero
		}
		for k := a; k < b; k++ {
			out.weights[k] = w.weights[k] / s
		}
	}
	return out
}

// Subset returns the weights among the listed units only, renumbered in
// the order of keep (the new unit k is the old unit keep[k]); links to
// units not kept are dropped. Use it to leave out units without a value
// (suppressed or missing) before computing a statistic, and standardise
// rows after subsetting, not before.
func (w Weights) Subset(keep []int) (Weights, error) {
	n := w.N()
	newIndex := make([]int, n)
	for i := range newIndex {
		newIndex[i] = -1
	}
	for k, i := range keep {
		if i < 0 || i >= n {
			return Weights{}, fmt.Errorf("spatialstats: subset: unit %d out of range [0, %d)", i, n)
		}
		if newIndex[i] >= 0 {
			return Weights{}, fmt.Errorf("spatialstats: subset: unit %d listed twice", i)
		}
		newIndex[i] = k
	}
	out := Weights{offsets: make([]int, len(keep)+1)}
	for k, i := range keep {
		start := len(out.neighbours)
		nb, wt := w.Neighbours(i)
		for m, j := range nb {
			if nj := newIndex[j]; nj >= 0 {
				out.neighbours = append(out.neighbours, nj)
				out.weights = append(out.weights, wt[m])
			}
		}
		// renumbering may reorder a row
		sort.Sort(rowSorter{out.neighbours[start:], out.weights[start:]})
		out.offsets[k+1] = len(out.neighbours)
	}
	return out, nil
}

// transpose returns W^T in the same row-sorted form.
func (w Weights) transpose() Weights {
	n := w.N()
	t := Weights{
		offsets:    make([]int, n+1),
		neighbours: make([]int, len(w.neighbours)),
		weights:    make([]float64, len(w.weights)),
	}
	for _, j := range w.neighbours {
		t.offsets[j+1]++
	}
	for i := range n {
		t.offsets[i+1] += t.offsets[i]
	}
	next := slices.Clone(t.offsets[:n])
	// rows of W in ascending i give ascending column order within rows of W^T
	for i := range n {
		for k := w.offsets[i]; k < w.offsets[i+1]; k++ {
			j := w.neighbours[k]
			t.neighbours[next[j]] = i
			t.weights[next[j]] = w.weights[k]
			next[j]++
		}
	}
	return t
}
