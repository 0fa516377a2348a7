package spatialstats

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// The 3x3 lattice with y = 1..9 and rook contiguity: the published values
// of the methods reference (pysal).
func TestMoranLattice(t *testing.T) {
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	w := lattice(t, 3, 3, false)

	b, err := Moran(y, w, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "binary I", b.I, 0.5, 1e-12)
	near(t, "binary EI", b.EI, -0.125, 1e-15)
	near(t, "binary VI_norm", b.VINorm, 0.053125, 1e-12)
	near(t, "binary VI_rand", b.VIRand, 0.0596875, 1e-12)
	if !math.IsNaN(b.PSim) || b.Permutations != 0 {
		t.Errorf("without permutations PSim = %v, want NaN", b.PSim)
	}

	r, err := Moran(y, w.RowStandardised(), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "row-standardised I", r.I, 0.5555556, 5e-8)
}

// St. Louis homicide rates 1988-93 with queen weights from GAL, row-
// standardised: esda's published I and one-tailed normal p.
func TestMoranStLouis(t *testing.T) {
	y, w := stLouis(t)
	res, err := Moran(y, w.RowStandardised(), 999, 12345)
	if err != nil {
		t.Fatal(err)
	}
	// the reference is cut (not rounded) after 14 decimals; esda prints
	// 0.24365582621771659
	near(t, "I", res.I, 0.24365582621771, 1e-14)
	near(t, "one-tailed p_norm", res.PNorm, 1.3573931e-4, 5e-12)
	if res.N != 78 {
		t.Errorf("N = %d, want 78", res.N)
	}
	// positive autocorrelation this strong is beyond all 999 permutations
	// or nearly so
	if res.PSim > 0.01 {
		t.Errorf("PSim = %v, want <= 0.01 for p_norm %.2g", res.PSim, res.PNorm)
	}
	if res.ZNorm <= 0 || res.ZRand <= 0 || res.PRand <= 0 || res.PRand > 0.001 {
		t.Errorf("z_norm %v, z_rand %v, p_rand %v: want positive z and a small p", res.ZNorm, res.ZRand, res.PRand)
	}
}

// The randomisation variance is the exact variance of I over all
// permutations of the values, so many random permutations must reproduce
// EI and VI_rand: this checks the permutation test and the VI_rand formula
// against each other (asymmetric, row-standardised weights).
func TestMoranPermutationMoments(t *testing.T) {
	y, w := stLouis(t)
	const m = 20000
	res, err := Moran(y, w.RowStandardised(), m, 7)
	if err != nil {
		t.Fatal(err)
	}
	se := math.Sqrt(res.VIRand / m)
	near(t, "EI_sim", res.EISim, res.EI, 4*se)
	near(t, "VI_sim / VI_rand", res.VISim/res.VIRand, 1, 0.05)
	near(t, "z_sim", res.ZSim, (res.I-res.EISim)/math.Sqrt(res.VISim), 1e-12)
}

func TestMoranRepeatsWithSeed(t *testing.T) {
	y, w := stLouis(t)
	w = w.RowStandardised()
	a, err := Moran(y, w, 999, 42)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Moran(y, w, 999, 42)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("same seed, different results:\n%+v\n%+v", a, b)
	}
	// the permutations do not depend on the number of workers
	z, _ := deviations(y)
	one := permutedI(z, w, 999, 42, 1, 1)
	for _, workers := range []int{2, 3, 8} {
		if many := permutedI(z, w, 999, 42, 1, workers); !reflect.DeepEqual(one, many) {
			t.Errorf("%d workers permute differently from one", workers)
		}
	}
	c, err := Moran(y, w, 999, 43)
	if err != nil {
		t.Fatal(err)
	}
	if c.EISim == a.EISim {
		t.Errorf("seeds 42 and 43 gave the same permutations (EI_sim %v)", a.EISim)
	}
}

// A checkerboard is perfect negative autocorrelation under rook weights
// (I = -1); a gradient is strong positive autocorrelation. Both lie beyond
// every permutation, so the folded PSim is the smallest possible.
func TestMoranExtremes(t *testing.T) {
	const rows, cols, m = 10, 10, 199
	w := lattice(t, rows, cols, false)
	board := make([]float64, rows*cols)
	ramp := make([]float64, rows*cols)
	for r := range rows {
		for c := range cols {
			board[r*cols+c] = float64((r + c) % 2)
			ramp[r*cols+c] = float64(r + c)
		}
	}
	neg, err := Moran(board, w, m, 1)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "checkerboard I", neg.I, -1, 1e-12)
	near(t, "checkerboard PSim", neg.PSim, 1.0/(m+1), 0)
	if neg.ZNorm >= 0 {
		t.Errorf("checkerboard z_norm = %v, want negative", neg.ZNorm)
	}
	pos, err := Moran(ramp, w.RowStandardised(), m, 1)
	if err != nil {
		t.Fatal(err)
	}
	if pos.I < 0.8 {
		t.Errorf("gradient I = %v, want > 0.8", pos.I)
	}
	near(t, "gradient PSim", pos.PSim, 1.0/(m+1), 0)
}

// denseMoran is the textbook computation on a full matrix, to check the
// sparse S0, S1, S2 and cross products (with asymmetric weights and
// islands).
func denseMoran(y []float64, w [][]float64) (i, viNorm, viRand float64) {
	n := float64(len(y))
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= n
	var s0, s1, s2, num, m2, m4 float64
	for a := range y {
		za := y[a] - mean
		m2 += za * za
		m4 += za * za * za * za
		row, col := 0.0, 0.0
		for b := range y {
			s0 += w[a][b]
			num += w[a][b] * za * (y[b] - mean)
			s1 += (w[a][b] + w[b][a]) * (w[a][b] + w[b][a]) / 2
			row += w[a][b]
			col += w[b][a]
		}
		s2 += (row + col) * (row + col)
	}
	i = n / s0 * num / m2
	ei := -1 / (n - 1)
	viNorm = (n*n*s1-n*s2+3*s0*s0)/((n*n-1)*s0*s0) - ei*ei
	k := (m4 / n) / ((m2 / n) * (m2 / n))
	a := n * ((n*n-3*n+3)*s1 - n*s2 + 3*s0*s0)
	b := k * ((n*n-n)*s1 - 2*n*s2 + 6*s0*s0)
	viRand = (a-b)/((n-1)*(n-2)*(n-3)*s0*s0) - ei*ei
	return i, viNorm, viRand
}

func TestMoranMatchesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 40
	nbrs := make([][]int, n)
	wts := make([][]float64, n)
	dense := make([][]float64, n)
	for a := range n {
		dense[a] = make([]float64, n)
	}
	for a := range n {
		if a%13 == 5 {
			continue // an island
		}
		for b := range n {
			if b != a && b%13 != 5 && rng.Float64() < 0.1 {
				v := 0.5 + rng.Float64() // asymmetric, non-binary
				nbrs[a] = append(nbrs[a], b)
				wts[a] = append(wts[a], v)
				dense[a][b] = v
			}
		}
	}
	w, err := NewWeights(nbrs, wts)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, n)
	for k := range y {
		y[k] = rng.NormFloat64()*3 + float64(k%5)
	}
	res, err := Moran(y, w, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	i, vn, vr := denseMoran(y, dense)
	near(t, "I", res.I, i, 1e-12)
	near(t, "VI_norm", res.VINorm, vn, 1e-12)
	near(t, "VI_rand", res.VIRand, vr, 1e-12)
}

func TestMoranErrors(t *testing.T) {
	w := lattice(t, 3, 3, false)
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	empty, _ := NewWeights(make([][]int, 9), nil)
	small := lattice(t, 1, 3, false)
	cases := []struct {
		name string
		y    []float64
		w    Weights
		perm int
		want string
	}{
		{"length", y[:8], w, 0, "8 values but weights for 9 units"},
		{"NaN", []float64{1, 2, 3, 4, math.NaN(), 6, 7, 8, 9}, w, 0, "value of unit 4 is NaN"},
		{"Inf", []float64{1, 2, 3, 4, 5, 6, 7, 8, math.Inf(1)}, w, 0, "value of unit 8 is +Inf"},
		{"constant", []float64{2, 2, 2, 2, 2, 2, 2, 2, 2}, w, 0, "all 9 values are equal"},
		{"no links", y, empty, 0, "no links"},
		{"too few", y[:3], small, 0, "need at least 4"},
		{"negative permutations", y, w, -1, "negative number of permutations"},
	}
	for _, tc := range cases {
		_, err := Moran(tc.y, tc.w, tc.perm, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}
