package access

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// The reference toy example: three demand points, two offers, distances
// given directly (demand i × offer j), catchment 2.5.
var (
	toyP  = []float64{1000, 2000, 500}
	toyS  = []float64{10, 5}
	toyD  = [][]float64{{1, 3}, {2, 1}, {4, 1.5}}
	toyD0 = 2.5
)

// toyPairs returns all six pairs, also those beyond d0: the weight
// functions must cut them off themselves.
func toyPairs() []Pair {
	var pairs []Pair
	for i, row := range toyD {
		for j, d := range row {
			pairs = append(pairs, Pair{I: int32(i), J: int32(j), D: d})
		}
	}
	return pairs
}

// near fails unless got rounds to the printed decimal want, i.e. lies
// within half a unit of want's last printed digit.
func near(t *testing.T, what string, got float64, want string) {
	t.Helper()
	var w float64
	if _, err := fmt.Sscan(want, &w); err != nil {
		t.Fatalf("bad expected value %q: %v", want, err)
	}
	decimals := 0
	if k := strings.IndexByte(want, '.'); k >= 0 {
		decimals = len(want) - k - 1
	}
	tol := 0.5 * math.Pow(10, -float64(decimals))
	if math.Abs(got-w) > tol*(1+1e-9) {
		t.Errorf("%s = %.10g, want %s (±%g)", what, got, want, tol)
	}
}

func sumPA(P, A []float64) float64 {
	var s float64
	for i := range P {
		s += P[i] * A[i]
	}
	return s
}

func TestFCAStepToy(t *testing.T) {
	res, err := FCA(toyP, toyS, toyPairs(), Step(toyD0))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "R[0]", res.R[0], "0.0033333")
	near(t, "R[1]", res.R[1], "0.002")
	for i, want := range []string{"3.3333", "5.3333", "2.0"} {
		near(t, "A per 1000["+string(rune('0'+i))+"]", 1000*res.A[i], want)
	}
	near(t, "sum P*A", sumPA(toyP, res.A), "15.000000000")
	if res.Unserved != 0 || res.UnservedSupply != 0 {
		t.Errorf("unserved = %d (%g places), want 0", res.Unserved, res.UnservedSupply)
	}
}

func TestFCAGaussianToy(t *testing.T) {
	res, err := FCA(toyP, toyS, toyPairs(), Gaussian(toyD0))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"6.01590", "4.15143", "1.36248"} {
		near(t, "E2SFCA A per 1000["+string(rune('0'+i))+"]", 1000*res.A[i], want)
	}
	near(t, "sum P*A", sumPA(toyP, res.A), "15.000000000")
	// W(d0) = 0.1 is the convention behind the default β.
	near(t, "W(d0)", Gaussian(toyD0)(toyD0), "0.100000000000")
	if w := Gaussian(toyD0)(toyD0 * 1.0001); w != 0 {
		t.Errorf("Gaussian weight beyond d0 = %g, want 0", w)
	}
}

// The same toy through pairs already filtered to d0 (as Within returns
// them) must give the same numbers.
func TestFCAFilteredPairsSame(t *testing.T) {
	var filtered []Pair
	for _, p := range toyPairs() {
		if p.D <= toyD0 {
			filtered = append(filtered, p)
		}
	}
	for name, w := range map[string]WeightFunc{"step": Step(toyD0), "gauss": Gaussian(toyD0)} {
		all, err1 := FCA(toyP, toyS, toyPairs(), w)
		some, err2 := FCA(toyP, toyS, filtered, w)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		for i := range all.A {
			if all.A[i] != some.A[i] {
				t.Errorf("%s: A[%d] = %g with all pairs, %g with filtered pairs", name, i, all.A[i], some.A[i])
			}
		}
	}
}

func TestNearestToy(t *testing.T) {
	dist := make([]float64, len(toyD))
	for i, row := range toyD {
		dist[i] = min(row[0], row[1])
	}
	m, err := MeanNearest(toyP, dist)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "population-weighted nearest distance", m, "1.0714286")
	c, err := Coverage(toyP, toyPairs(), 1.0)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "coverage within 1.0", c, "0.8571429")
}

// An offer nobody reaches gets R = 0 and is reported; the invariant then
// holds with its capacity left out.
func TestFCAUnservedOffer(t *testing.T) {
	S := append([]float64{}, toyS...)
	S = append(S, 7)                                     // offer 2: no pair at all
	pairs := append(toyPairs(), Pair{I: 0, J: 2, D: 10}) // beyond d0: weight 0
	res, err := FCA(toyP, S, pairs, Step(toyD0))
	if err != nil {
		t.Fatal(err)
	}
	if res.Unserved != 1 || res.UnservedSupply != 7 || res.R[2] != 0 {
		t.Errorf("unserved = %d (%g places), R[2] = %g; want 1 (7 places), 0", res.Unserved, res.UnservedSupply, res.R[2])
	}
	near(t, "sum P*A", sumPA(toyP, res.A), "15.000000000")
}

// TestFCAInvariantRandom checks sum_i P_i·A_i = sum_j S_j - unserved
// capacity on random data with both weights, where some offers have no
// demand in reach and some demand points are empty.
func TestFCAInvariantRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := range 50 {
		nD, nS := 1+rng.IntN(300), 1+rng.IntN(80)
		d0 := 500 + rng.Float64()*1500
		P := make([]float64, nD)
		for i := range P {
			if rng.IntN(5) > 0 {
				P[i] = math.Round(rng.Float64() * 800)
			}
		}
		S := make([]float64, nS)
		for j := range S {
			S[j] = math.Round(rng.Float64() * 120)
		}
		var pairs []Pair
		for i := range nD {
			for j := range nS {
				if rng.IntN(10) == 0 {
					pairs = append(pairs, Pair{I: int32(i), J: int32(j), D: rng.Float64() * 1.3 * d0})
				}
			}
		}
		for name, w := range map[string]WeightFunc{"step": Step(d0), "gauss": Gaussian(d0)} {
			res, err := FCA(P, S, pairs, w)
			if err != nil {
				t.Fatal(err)
			}
			// Which offers are served, counted independently.
			served := make([]bool, nS)
			for _, p := range pairs {
				if p.D <= d0 && P[p.I] > 0 {
					served[p.J] = true
				}
			}
			var want float64
			unserved := 0
			for j, s := range S {
				if served[j] {
					want += s
				} else {
					unserved++
				}
			}
			if res.Unserved != unserved {
				t.Errorf("trial %d %s: Unserved = %d, want %d", trial, name, res.Unserved, unserved)
			}
			var total float64
			for _, s := range S {
				total += s
			}
			if math.Abs(total-res.UnservedSupply-want) > 1e-9*total {
				t.Errorf("trial %d %s: UnservedSupply = %g, want %g", trial, name, res.UnservedSupply, total-want)
			}
			if got := sumPA(P, res.A); math.Abs(got-want) > 1e-9*max(want, 1) {
				t.Errorf("trial %d %s: sum P*A = %.12g, want %.12g", trial, name, got, want)
			}
		}
	}
}

func TestFCABadInput(t *testing.T) {
	ok := toyPairs()
	for _, tc := range []struct {
		name  string
		P, S  []float64
		pairs []Pair
		w     WeightFunc
		want  string
	}{
		{"nil weight", toyP, toyS, ok, nil, "weight function is nil"},
		{"negative population", []float64{1, -2, 3}, toyS, ok, Step(1), "demand 1: population -2"},
		{"NaN capacity", toyP, []float64{1, math.NaN()}, ok, Step(1), "supply 1: capacity NaN"},
		{"demand index", toyP, toyS, []Pair{{I: 3, J: 0, D: 1}}, Step(1), "pair 0: demand index 3 outside [0, 3)"},
		{"supply index", toyP, toyS, []Pair{{I: 0, J: 0, D: 1}, {I: 0, J: -1, D: 1}}, Step(1), "pair 1: supply index -1"},
		{"negative distance", toyP, toyS, []Pair{{I: 0, J: 0, D: -1}}, Step(1), "pair 0: distance -1"},
		{"bad weight", toyP, toyS, ok, func(float64) float64 { return -1 }, "pair 0: weight -1"},
		{"zero beta", toyP, toyS, []Pair{{I: 0, J: 0, D: 0}}, GaussianBeta(1, 0), "pair 0: weight NaN"},
	} {
		_, err := FCA(tc.P, tc.S, tc.pairs, tc.w)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestCoverageAndByUnit(t *testing.T) {
	pairs := toyPairs()
	cov, err := Covered(3, pairs, 1.5)
	if err != nil {
		t.Fatal(err)
	}
	if !cov[0] || !cov[1] || !cov[2] {
		t.Errorf("Covered(1.5) = %v, want all true", cov)
	}
	cov, _ = Covered(3, pairs, 0.5)
	if cov[0] || cov[1] || cov[2] {
		t.Errorf("Covered(0.5) = %v, want all false", cov)
	}
	// Units: demand 0 and 2 in unit 1, demand 1 outside every unit,
	// unit 0 empty. Coverage within 1.0: demand 0 yes, demand 2 no.
	cov, _ = Covered(3, pairs, 1.0)
	num, den, err := ByUnit([]int32{1, -1, 1}, 2, toyP, Indicator(cov))
	if err != nil {
		t.Fatal(err)
	}
	if num[0] != 0 || den[0] != 0 || num[1] != 1000 || den[1] != 1500 {
		t.Errorf("ByUnit = %v / %v, want [0 1000] / [0 1500]", num, den)
	}
	// Mean nearest distance per unit: (1000·1 + 500·1.5)/1500.
	num, den, _ = ByUnit([]int32{1, -1, 1}, 2, toyP, []float64{1, 1, 1.5})
	near(t, "unit 1 mean nearest", num[1]/den[1], "1.1666667")

	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"coverage empty population", second(Coverage([]float64{0, 0, 0}, pairs, 1)), "total population is 0"},
		{"covered index", second(Covered(2, pairs, 1)), "pair 4: demand index 2 outside [0, 2)"},
		{"covered distance", second(Covered(3, pairs, math.NaN())), "distance NaN"},
		{"byunit lengths", third(ByUnit([]int32{0}, 1, toyP, toyP)), "1 unit indices, 3 populations"},
		{"byunit index", third(ByUnit([]int32{0, 2, 0}, 2, toyP, toyP)), "carrier 1: unit index 2 outside [0, 2)"},
		{"byunit value", third(ByUnit([]int32{0, 0, 0}, 1, toyP, []float64{1, math.Inf(1), 1})), "carrier 1: value +Inf"},
		{"meannearest lengths", second(MeanNearest(toyP, []float64{1})), "3 populations but 1 distances"},
		{"meannearest distance", second(MeanNearest(toyP, []float64{1, -1, 1})), "distance 1 is -1"},
		{"meannearest population", second(MeanNearest([]float64{0, 0}, []float64{1, 1})), "total population is 0"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, tc.err, tc.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func third[T, U any](_ T, _ U, err error) error { return err }
