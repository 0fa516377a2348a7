package classify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// plainDP is the textbook O(k·n²) dynamic programme for optimal univariate
// k-means on the raw sorted values (every split position allowed, ties may
// be split). It returns the least total within-class sum of squares and the
// class upper bounds of one optimal partition. It is written independently
// of jenks.go: sums of squares are accumulated from the right end of each
// candidate class, with no prefix sums and no weighting.
func plainDP(sorted []float64, k int) (float64, []float64) {
	n := len(sorted)
	inf := math.Inf(1)
	// d[q][i]: least cost of values 0..i in q+1 classes; b[q][i]: first
	// index of the last class.
	d := make([][]float64, k)
	b := make([][]int, k)
	for q := range k {
		d[q] = make([]float64, n)
		b[q] = make([]int, n)
		for i := range n {
			d[q][i] = inf
		}
	}
	for q := range k {
		for i := q; i < n; i++ {
			// Grow the last class leftwards from i, updating its mean and
			// sum of squares with Welford's recurrence.
			var mean, ss float64
			for j := i; j >= q; j-- {
				cnt := float64(i - j + 1)
				x := sorted[j] - sorted[i] // relative to the class end: no offset to lose precision to
				delta := x - mean
				mean += delta / cnt
				ss += delta * (x - mean)
				var before float64
				if q > 0 {
					before = d[q-1][j-1]
				} else if j > 0 {
					continue // one class must start at 0
				}
				if c := before + ss; c < d[q][i] {
					d[q][i], b[q][i] = c, j
				}
			}
		}
	}
	breaks := make([]float64, k)
	end := n - 1
	for q := k - 1; q >= 0; q-- {
		breaks[q] = sorted[end]
		end = b[q][end] - 1
	}
	return d[k-1][n-1], breaks
}

// withinSS is the total within-class sum of squares of values classified by
// breaks (two passes per class).
func withinSS(breaks, values []float64) float64 {
	classes := make([][]float64, len(breaks))
	for _, v := range values {
		c := Class(breaks, v)
		classes[c] = append(classes[c], v)
	}
	var total float64
	for _, cl := range classes {
		// Deviations from the class's first value first, so a large common
		// offset does not cost precision.
		var mean float64
		for _, v := range cl {
			mean += v - cl[0]
		}
		mean /= float64(len(cl))
		for _, v := range cl {
			d := v - cl[0] - mean
			total += d * d
		}
	}
	return total
}

// TestJenksMatchesPlainDP compares the divide-and-conquer programme with the
// plain O(k·n²) one on random data, many seeds, with and without ties.
func TestJenksMatchesPlainDP(t *testing.T) {
	checked := 0
	for seed := range uint64(600) {
		r := rand.New(rand.NewPCG(seed, 7))
		n := 2 + r.IntN(70)
		k := 2 + r.IntN(min(n-1, 9))
		vals := make([]float64, n)
		ties := seed%2 == 1
		for i := range vals {
			if ties {
				vals[i] = float64(r.IntN(1 + r.IntN(15))) // few distinct values
			} else {
				vals[i] = r.ExpFloat64() * 100
			}
		}
		sorted := slices.Sorted(slices.Values(vals))
		distinct := len(slices.Compact(slices.Clone(sorted)))
		res, err := Compute(vals, Spec{Method: Jenks, K: k})
		if distinct < k {
			if err == nil {
				t.Errorf("seed %d: k=%d with %d distinct values: no error", seed, k, distinct)
			}
			continue
		}
		if distinct < 2 {
			continue // Compute rejects constant data, checked elsewhere
		}
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		checked++
		wantSS, wantBreaks := plainDP(sorted, k)
		gotSS := withinSS(res.Breaks, vals)
		if math.Abs(gotSS-wantSS) > 1e-9*(1+wantSS) {
			t.Errorf("seed %d n=%d k=%d ties=%v: within-class SS %v, optimum %v\nbreaks %v\nplain  %v",
				seed, n, k, ties, gotSS, wantSS, res.Breaks, wantBreaks)
		}
		// Without ties the optimum is unique (almost surely): same breaks.
		if !ties && !slices.Equal(res.Breaks, wantBreaks) {
			t.Errorf("seed %d n=%d k=%d: breaks %v, plain DP %v", seed, n, k, res.Breaks, wantBreaks)
		}
	}
	if checked < 400 {
		t.Fatalf("only %d cases compared; the generator makes too few valid ones", checked)
	}
}

// TestJenksLarge checks the fast programme against the plain one on a
// larger input with heavy ties (rates rounded to one decimal), where the
// divide and conquer has deep recursion.
func TestJenksLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]float64, 1500)
	for i := range vals {
		vals[i] = math.Round(math.Exp(r.NormFloat64())*100) / 10
	}
	sorted := slices.Sorted(slices.Values(vals))
	for _, k := range []int{2, 5, 10, 12} {
		res, err := Compute(vals, Spec{Method: Jenks, K: k})
		if err != nil {
			t.Fatal(err)
		}
		wantSS, _ := plainDP(sorted, k)
		if got := withinSS(res.Breaks, vals); math.Abs(got-wantSS) > 1e-9*(1+wantSS) {
			t.Errorf("k=%d: within-class SS %v, optimum %v", k, got, wantSS)
		}
	}
}

func benchValues(n int) []float64 {
	r := rand.New(rand.NewPCG(2011, 1))
	vals := make([]float64, n)
	for i := range vals {
		// Skewed like a poverty rate per block; continuous, so all values
		// are distinct: the worst case for Jenks.
		vals[i] = math.Exp(r.NormFloat64()) * 10
	}
	return vals
}

// BenchmarkCompute times every method on n = 100,000 values (the blocks of a
// big city). Quantile is the baseline: it is dominated by the sort every
// method does, so the difference is the cost of the method itself.
func BenchmarkCompute(b *testing.B) {
	vals := benchValues(100_000)
	for _, c := range []struct {
		m Method
		k int
	}{{Quantile, 5}, {EqualInterval, 5}, {StdDev, 5}, {Jenks, 5}, {Jenks, 10}} {
		b.Run(fmt.Sprintf("%s/n=100000/k=%d", c.m, c.k), func(b *testing.B) {
			for b.Loop() {
				if _, err := Compute(vals, Spec{Method: c.m, K: c.k}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJenksVsPlainDP shows what the divide and conquer buys over the
// O(k·n²) programme at a size the plain one can still do.
func BenchmarkJenksVsPlainDP(b *testing.B) {
	vals := benchValues(2000)
	sorted := slices.Sorted(slices.Values(vals))
	b.Run("divide_and_conquer/n=2000/k=5", func(b *testing.B) {
		for b.Loop() {
			if _, err := jenksBreaks(sorted, 5); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain/n=2000/k=5", func(b *testing.B) {
		for b.Loop() {
			plainDP(sorted, 5)
		}
	})
}

// TestJenksLargeOffset: values far from zero relative to their spread (for
// example population counts of similar areas) must not lose the optimum to
// cancellation in the sums of squares.
func TestJenksLargeOffset(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 99))
		vals := make([]float64, 200)
		for i := range vals {
			vals[i] = 1e8 + r.Float64()*10
		}
		sorted := slices.Sorted(slices.Values(vals))
		res, err := Compute(vals, Spec{Method: Jenks, K: 6})
		if err != nil {
			t.Fatal(err)
		}
		wantSS, wantBreaks := plainDP(sorted, 6)
		if got := withinSS(res.Breaks, vals); math.Abs(got-wantSS) > 1e-9*(1+wantSS) || !slices.Equal(res.Breaks, wantBreaks) {
			t.Errorf("seed %d: within-class SS %v (breaks %v), optimum %v (breaks %v)", seed, got, res.Breaks, wantSS, wantBreaks)
		}
	}
}
