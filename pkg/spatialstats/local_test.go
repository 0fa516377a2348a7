package spatialstats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The 3x3 lattice with y = 1..9, rook contiguity, row-standardised: the
// published local I values of the methods reference.
func TestLocalLattice(t *testing.T) {
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	w := lattice(t, 3, 3, false).RowStandardised()
	res, err := Local(y, w, 0, 1, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1.2, 0.9, 0.3, 0.1, 0.0, 0.1, 0.3, 0.9, 1.2}
	quad := []Quadrant{LL, LL, LL, LL, LL, HH, HH, HH, HH} // the centre: z = 0 and lag = 0 count as low
	for i, r := range res {
		near(t, "I_"+string(rune('0'+i)), r.I, want[i], 1e-12)
		if r.Quadrant != quad[i] {
			t.Errorf("unit %d: quadrant %q, want %q (z %v, lag %v)", i, r.Quadrant, quad[i], r.Z, r.Lag)
		}
		if !math.IsNaN(r.PSim) || r.Cluster != "" {
			t.Errorf("unit %d: without permutations PSim %v cluster %q, want NaN and none", i, r.PSim, r.Cluster)
		}
	}
}

// Sum_i I_i = S0 * I, for any weights: local and global Moran agree.
func TestLocalSumsToGlobal(t *testing.T) {
	y, w := stLouis(t)
	for name, ww := range map[string]Weights{"binary": w, "row-standardised": w.RowStandardised()} {
		g, err := Moran(y, ww, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		loc, err := Local(y, ww, 0, 0, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		sum, zz := 0.0, 0.0
		for _, r := range loc {
			sum += r.I
			zz += r.Z * r.Z
		}
		near(t, name+": sum I_i / S0", sum/ww.S0(), g.I, 1e-12)
		near(t, name+": mean of Z^2", zz/float64(len(y)), 1, 1e-12)
	}
}

// A 3x3 block of high values in a low background on a 15x15 grid: the
// block, and only the block, is a significant hot spot (HH).
func TestLocalHotSpot(t *testing.T) {
	const side = 15
	rng := rand.New(rand.NewPCG(11, 12))
	y := make([]float64, side*side)
	hot := map[int]bool{}
	for r := range side {
		for c := range side {
			i := r*side + c
			y[i] = 1 + 0.2*(rng.Float64()-0.5) // background below the mean
			if r >= 4 && r <= 6 && c >= 9 && c <= 11 {
				y[i] = 10 + rng.Float64()
				hot[i] = true
			}
		}
	}
	w := lattice(t, side, side, true).RowStandardised()
	res, err := Local(y, w, 999, 2024, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		switch {
		case hot[i] && r.Cluster != HH:
			t.Errorf("unit %d in the hot block: cluster %q (quadrant %q, p %v), want HH", i, r.Cluster, r.Quadrant, r.PSim)
		case !hot[i] && r.Cluster == HH:
			t.Errorf("unit %d outside the hot block is an HH cluster (p %v)", i, r.PSim)
		}
	}
	// the block's centre has only high neighbours: beyond all permutations
	near(t, "PSim of the block centre", res[5*side+10].PSim, 1.0/1000, 0)
}

// Pseudo p-values of the conditional permutation test must converge to the
// exact p-values, which on 7 units can be enumerated: all ordered draws of
// |N_i| of the 6 other values into the neighbours' (unequal) weight slots.
func TestLocalMatchesExactPermutation(t *testing.T) {
	y := []float64{3.1, -1.2, 0.4, 2.2, 5.0, -0.7, 1.9}
	nbrs := [][]int{{1, 2}, {0, 2, 3}, {0, 1, 3, 4}, {1, 2, 5}, {2, 6}, {3, 6}, {}}
	wts := [][]float64{{0.7, 0.3}, {1, 2, 1}, {0.1, 0.2, 0.3, 0.4}, {1, 1, 1}, {2, 0.5}, {1, 3}, {}}
	w, err := NewWeights(nbrs, wts)
	if err != nil {
		t.Fatal(err)
	}
	const m = 200000
	n := len(y)
	// repeats found by scanning the earlier draws, and by stamps
	defer func(limit int) { scanLimit = limit }(scanLimit)
	for _, scanLimit = range []int{16, 0} {
		res, err := Local(y, w, m, 99, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		exactP(t, w, res, n)
	}
}

func exactP(t *testing.T, w Weights, res []LocalResult, n int) {
	t.Helper()
	for i, r := range res {
		nb, wt := w.Neighbours(i)
		if len(nb) == 0 {
			if r.PSim != 1 || r.Quadrant != "" || r.Cluster != "" || r.I != 0 {
				t.Errorf("island %d: %+v, want I 0, no quadrant, PSim 1", i, r)
			}
			continue
		}
		var others []float64
		for j := range n {
			if j != i {
				others = append(others, res[j].Z)
			}
		}
		// enumerate ordered draws without replacement
		larger, total := 0, 0
		used := make([]bool, len(others))
		var rec func(q int, s float64)
		rec = func(q int, s float64) {
			if q == len(nb) {
				total++
				if r.Z*s >= r.Z*r.Lag {
					larger++
				}
				return
			}
			for k := range others {
				if !used[k] {
					used[k] = true
					rec(q+1, s+wt[q]*others[k])
					used[k] = false
				}
			}
		}
		rec(0, 0)
		share := float64(larger) / float64(total)
		exact := min(share, 1-share)
		// binomial standard error of a share from m draws is below 0.0012
		near(t, fmt.Sprintf("scan limit %d: PSim of unit %d", scanLimit, i), r.PSim, exact, 0.005)
	}
}

// Under no autocorrelation the folded pseudo p-value is at most alpha in
// either tail, so about 2 alpha of the units come out significant.
func TestLocalNullCalibration(t *testing.T) {
	const side = 40
	rng := rand.New(rand.NewPCG(5, 6))
	y := make([]float64, side*side)
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	res, err := Local(y, lattice(t, side, side, false).RowStandardised(), 999, 77, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	sig := 0
	for _, r := range res {
		if r.PSim <= 0.05 {
			sig++
			if r.Cluster != r.Quadrant || r.Cluster == "" {
				t.Errorf("p %v <= alpha but cluster %q, quadrant %q", r.PSim, r.Cluster, r.Quadrant)
			}
		} else if r.Cluster != "" {
			t.Errorf("p %v > alpha but cluster %q", r.PSim, r.Cluster)
		}
	}
	share := float64(sig) / float64(len(y))
	if share < 0.07 || share > 0.13 {
		t.Errorf("%.3f of units significant at 0.05 under independence, want about 0.10", share)
	}
}

func TestLocalRepeatsWithSeed(t *testing.T) {
	y, w := stLouis(t)
	w = w.RowStandardised()
	a, err := local(y, w, 999, 5, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 3, 8} {
		b, err := local(y, w, 999, 5, 0.05, workers)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%d workers: unit %d differs from the first run:\n%+v\n%+v", workers, i, b[i], a[i])
			}
		}
	}
	c, err := Local(y, w, 999, 6, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	differ := 0
	for i := range a {
		if a[i].PSim != c[i].PSim {
			differ++
		}
	}
	if differ < len(a)/2 {
		t.Errorf("seeds 5 and 6 give the same PSim for %d of %d units", len(a)-differ, len(a))
	}
}

// A unit whose value equals the mean has I_i = 0 under every permutation:
// no evidence, p = 1 (esda's folding would report the smallest p).
func TestLocalValueAtMean(t *testing.T) {
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9} // the centre is the mean
	res, err := Local(y, lattice(t, 3, 3, false).RowStandardised(), 99, 1, 0.99)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[4]; r.I != 0 || r.PSim != 1 || r.Cluster != "" {
		t.Errorf("unit at the mean: %+v, want I 0, PSim 1, no cluster", r)
	}
}

func TestLocalErrors(t *testing.T) {
	w := lattice(t, 3, 3, false)
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	cases := []struct {
		name  string
		y     []float64
		perm  int
		alpha float64
		want  string
	}{
		{"length", y[:4], 9, 0.05, "4 values but weights for 9 units"},
		{"NaN", []float64{1, 2, math.NaN(), 4, 5, 6, 7, 8, 9}, 9, 0.05, "value of unit 2 is NaN"},
		{"constant", make([]float64, 9), 9, 0.05, "all 9 values are equal"},
		{"alpha 0", y, 9, 0, "alpha 0 is not in (0, 1]"},
		{"alpha NaN", y, 9, math.NaN(), "alpha NaN"},
		{"alpha > 1", y, 9, 1.5, "alpha 1.5"},
		{"negative permutations", y, -5, 0.05, "negative number of permutations"},
	}
	for _, tc := range cases {
		_, err := Local(tc.y, w, tc.perm, 1, tc.alpha)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	two := lattice(t, 1, 2, false)
	if _, err := Local([]float64{1, 2}, two, 9, 1, 0.05); err == nil || !strings.Contains(err.Error(), "need at least 3") {
		t.Errorf("2 units: got error %v, want 'need at least 3'", err)
	}
}
