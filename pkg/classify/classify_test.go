package classify

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// calEmpDensity reads column "emp/sq km" of mapclassify's test data set.
func calEmpDensity(t testing.TB) []float64 {
	t.Helper()
	f, err := os.Open("testdata/calempdensity.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(recs[0], "emp/sq km")
	if col < 0 {
		t.Fatalf("column emp/sq km not in header %q", recs[0])
	}
	var vals []float64
	for i, rec := range recs[1:] {
		v, err := strconv.ParseFloat(rec[col], 64)
		if err != nil {
			t.Fatalf("row %d: %v", i+2, err)
		}
		vals = append(vals, v)
	}
	return vals
}

// scanCounts counts class members by a plain linear scan, independently of
// Class and Counts.
func scanCounts(breaks, values []float64) []int {
	counts := make([]int, len(breaks))
	for _, v := range values {
		c := len(breaks) - 1
		for i, b := range breaks {
			if v <= b {
				c = i
				break
			}
		}
		counts[c]++
	}
	return counts
}

// TestMapclassifyVectors reproduces the published mapclassify results on
// calempdensity.csv to the printed decimals.
func TestMapclassifyVectors(t *testing.T) {
	vals := calEmpDensity(t)
	if len(vals) != 58 {
		t.Fatalf("read %d values, want 58", len(vals))
	}
	cases := []struct {
		method Method
		breaks []string
		counts []int // nil: mapclassify prints none; checked by scan below
	}{
		{Quantile, []string{"1.464", "5.798", "13.278", "54.616", "4111.45"}, []int{12, 11, 12, 11, 12}},
		{EqualInterval, []string{"822.394", "1644.658", "2466.922", "3289.186", "4111.45"}, []int{57, 0, 0, 0, 1}},
		{StdDev, []string{"-967.36235382", "-420.71712519", "672.57333208", "1219.21856072", "4111.45"}, nil},
		{Jenks, []string{"75.29", "192.05", "370.5", "722.85", "4111.45"}, []int{49, 3, 4, 1, 1}},
	}
	for _, c := range cases {
		t.Run(string(c.method), func(t *testing.T) {
			res, err := Compute(vals, Spec{Method: c.method, K: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Breaks) != len(c.breaks) {
				t.Fatalf("breaks %v, want %v", res.Breaks, c.breaks)
			}
			for i, want := range c.breaks {
				decimals := 0
				if dot := strings.IndexByte(want, '.'); dot >= 0 {
					decimals = len(want) - dot - 1
				}
				if got := strconv.FormatFloat(res.Breaks[i], 'f', decimals, 64); got != want {
					t.Errorf("break %d = %s (%v), want %s", i, got, res.Breaks[i], want)
				}
			}
			if c.counts != nil && !slices.Equal(res.Counts, c.counts) {
				t.Errorf("counts %v, want %v", res.Counts, c.counts)
			}
			if want := scanCounts(res.Breaks, vals); !slices.Equal(res.Counts, want) {
				t.Errorf("counts %v disagree with a linear scan %v", res.Counts, want)
			}
			if res.Min != 0.13 || res.Max != 4111.45 {
				t.Errorf("min, max = %v, %v, want 0.13, 4111.45", res.Min, res.Max)
			}
		})
	}
}

func TestManualBreaks(t *testing.T) {
	vals := []float64{-5, 0, 10, 10.0001, 15, 20, 20, 25, 99}
	breaks := []float64{10, 20, 30}
	res, err := Compute(vals, Spec{Method: Manual, Breaks: breaks})
	if err != nil {
		t.Fatal(err)
	}
	// 10 belongs to the first class (inclusive upper bound); 99 is above the
	// last break and goes to the last class.
	if want := []int{3, 4, 2}; !slices.Equal(res.Counts, want) {
		t.Errorf("counts %v, want %v", res.Counts, want)
	}
	if !slices.Equal(res.Breaks, breaks) {
		t.Errorf("breaks %v, want the given %v", res.Breaks, breaks)
	}
	breaks[0] = -100 // the result must not alias the caller's slice
	if res.Breaks[0] != 10 {
		t.Errorf("result breaks changed with the caller's slice: %v", res.Breaks)
	}
	if res.Min != -5 || res.Max != 99 {
		t.Errorf("min, max = %v, %v", res.Min, res.Max)
	}
	if _, err := Compute(vals, Spec{Method: Manual, K: 3, Breaks: []float64{10, 20, 30}}); err != nil {
		t.Errorf("K equal to the number of breaks: %v", err)
	}
}

func TestClassBoundaries(t *testing.T) {
	breaks := []float64{1.5, 3, 7}
	cases := []struct {
		v    float64
		want int
	}{
		{math.Inf(-1), 0},
		{-1e300, 0},
		{1.5, 0}, // equal to a break: that class
		{math.Nextafter(1.5, 2), 1},
		{3, 1},
		{math.Nextafter(3, 4), 2},
		{7, 2},
		{7.5, 2}, // above the last break: last class
		{math.Inf(1), 2},
		{math.NaN(), -1},
	}
	for _, c := range cases {
		if got := Class(breaks, c.v); got != c.want {
			t.Errorf("Class(%v, %v) = %d, want %d", breaks, c.v, got, c.want)
		}
	}
	if got := Class(nil, 1); got != -1 {
		t.Errorf("Class with no breaks = %d, want -1", got)
	}
	got := Counts(breaks, []float64{0, 1.5, 2, 3, math.NaN(), 8})
	if want := []int{2, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("Counts = %v, want %v (NaN not counted)", got, want)
	}
}

func TestComputeErrors(t *testing.T) {
	ok := []float64{1, 2, 3, 4, 5, 6}
	cases := []struct {
		name   string
		values []float64
		spec   Spec
		want   string
	}{
		{"empty", nil, Spec{Method: Quantile, K: 5}, "no values"},
		{"NaN", []float64{1, math.NaN(), 3}, Spec{Method: Quantile, K: 2}, "value 1 is NaN"},
		{"+Inf", []float64{1, 2, math.Inf(1)}, Spec{Method: Jenks, K: 2}, "value 2 is +Inf"},
		{"-Inf", []float64{math.Inf(-1), 2, 3}, Spec{Method: Manual, Breaks: []float64{1, 2}}, "value 0 is -Inf"},
		{"unknown method", ok, Spec{Method: "natural", K: 3}, `unknown method "natural"`},
		{"empty method", ok, Spec{K: 3}, `unknown method ""`},
		{"k too small", ok, Spec{Method: Quantile, K: 1}, "k must be between 2 and 12"},
		{"k too large", ok, Spec{Method: EqualInterval, K: 13}, "k must be between 2 and 12"},
		{"k zero", ok, Spec{Method: Jenks}, "k = 0"},
		{"all equal", []float64{4, 4, 4}, Spec{Method: StdDev, K: 5}, "at least two distinct values"},
		{"all equal single", []float64{4}, Spec{Method: Quantile, K: 2}, "at least two distinct values"},
		{"jenks too few distinct", []float64{1, 1, 2, 2, 3, 3}, Spec{Method: Jenks, K: 4}, "at least 4 distinct values, the data have 3"},
		{"manual one break", ok, Spec{Method: Manual, Breaks: []float64{3}}, "has 1 breaks"},
		{"manual too many", ok, Spec{Method: Manual, Breaks: []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}}, "has 13 breaks"},
		{"manual descending", ok, Spec{Method: Manual, Breaks: []float64{1, 3, 2}}, "strictly ascending"},
		{"manual duplicate", ok, Spec{Method: Manual, Breaks: []float64{1, 2, 2}}, "strictly ascending"},
		{"manual NaN", ok, Spec{Method: Manual, Breaks: []float64{1, math.NaN()}}, "manual break 1 is NaN"},
		{"manual Inf", ok, Spec{Method: Manual, Breaks: []float64{1, math.Inf(1)}}, "must be finite"},
		{"manual k mismatch", ok, Spec{Method: Manual, K: 4, Breaks: []float64{1, 2, 3}}, "k = 4 but 3 breaks"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Compute(c.values, c.spec)
			if err == nil {
				t.Fatalf("no error, result %+v", res)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestQuantileTiesCollapse(t *testing.T) {
	// 60 zeros (areas without any case) and 1..40.
	vals := make([]float64, 60, 100)
	for i := 1; i <= 40; i++ {
		vals = append(vals, float64(i))
	}
	res, err := Compute(vals, Spec{Method: Quantile, K: 5})
	if err != nil {
		t.Fatal(err)
	}
	// Positions p·(n-1) = 19.8, 39.6 (both zero), 59.4 (between 0 and 1)
	// and 79.2 (between 20 and 21): the two zero breaks merge.
	want := []float64{0, 0.4, 20.2, 40}
	if len(res.Breaks) != len(want) {
		t.Fatalf("breaks %v, want %v", res.Breaks, want)
	}
	for i := range want {
		if math.Abs(res.Breaks[i]-want[i]) > 1e-9 {
			t.Errorf("break %d = %v, want %v", i, res.Breaks[i], want[i])
		}
	}
	if wantCounts := []int{60, 0, 20, 20}; !slices.Equal(res.Counts, wantCounts) {
		t.Errorf("counts %v, want %v", res.Counts, wantCounts)
	}
}

func TestStdDevMultiples(t *testing.T) {
	vals := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	mean := 5.5
	sd := math.Sqrt(82.5 / 9) // sum of squared deviations 82.5, n-1 = 9
	cases := []struct {
		k    int
		want []float64
	}{
		{2, []float64{mean, 10}},
		{3, []float64{mean - sd, mean + sd, 10}},
		{4, []float64{mean - sd, mean, mean + sd, 10}},
		// mean+2sd = 11.55 is above the maximum: that cut is left out and
		// the last class closes at the maximum.
		{5, []float64{mean - 2*sd, mean - sd, mean + sd, 10}},
		{6, []float64{mean - 2*sd, mean - sd, mean, mean + sd, 10}},
	}
	for _, c := range cases {
		res, err := Compute(vals, Spec{Method: StdDev, K: c.k})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Breaks) != len(c.want) {
			t.Errorf("k=%d: breaks %v, want %v", c.k, res.Breaks, c.want)
			continue
		}
		for i := range c.want {
			if math.Abs(res.Breaks[i]-c.want[i]) > 1e-12 {
				t.Errorf("k=%d: break %d = %v, want %v", c.k, i, res.Breaks[i], c.want[i])
			}
		}
	}
}

// TestInvariants checks the break convention for every computed method on
// random data: strictly ascending breaks, last break = maximum, counts that
// add up and agree with a linear scan.
func TestInvariants(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 42))
		vals := randomValues(r, 5+r.IntN(200))
		lo, hi := slices.Min(vals), slices.Max(vals)
		for _, m := range []Method{Quantile, EqualInterval, Jenks, StdDev} {
			k := MinK + r.IntN(MaxK-MinK+1)
			res, err := Compute(vals, Spec{Method: m, K: k})
			distinct := len(slices.Compact(slices.Sorted(slices.Values(vals))))
			if m == Jenks && distinct < k {
				if err == nil {
					t.Errorf("seed %d jenks k=%d with %d distinct values: no error", seed, k, distinct)
				}
				continue
			}
			if err != nil {
				t.Fatalf("seed %d %s k=%d: %v", seed, m, k, err)
			}
			b := res.Breaks
			if len(b) == 0 || len(b) > k {
				t.Fatalf("seed %d %s k=%d: %d breaks", seed, m, k, len(b))
			}
			if (m == Jenks || m == EqualInterval) && len(b) != k {
				t.Errorf("seed %d %s k=%d: %d breaks, want k", seed, m, k, len(b))
			}
			for i := 1; i < len(b); i++ {
				if !(b[i] > b[i-1]) {
					t.Fatalf("seed %d %s: breaks not strictly ascending: %v", seed, m, b)
				}
			}
			if b[len(b)-1] != hi || res.Max != hi || res.Min != lo {
				t.Errorf("seed %d %s: last break %v, min %v, max %v; data %v..%v", seed, m, b[len(b)-1], res.Min, res.Max, lo, hi)
			}
			if want := scanCounts(b, vals); !slices.Equal(res.Counts, want) {
				t.Errorf("seed %d %s: counts %v, scan %v", seed, m, res.Counts, want)
			}
			if m == Jenks && slices.Contains(res.Counts, 0) {
				t.Errorf("seed %d jenks: empty class in %v", seed, res.Counts)
			}
		}
	}
}

// randomValues mixes the shapes indicator data take: continuous skewed
// values, small integers with many ties, and runs of zeros.
func randomValues(r *rand.Rand, n int) []float64 {
	vals := make([]float64, n)
	kind := r.IntN(3)
	for i := range vals {
		switch kind {
		case 0:
			vals[i] = math.Exp(r.NormFloat64() * 1.5)
		case 1:
			vals[i] = float64(r.IntN(12))
		default:
			if r.IntN(3) == 0 {
				vals[i] = 0
			} else {
				vals[i] = math.Round(r.Float64()*1000) / 10
			}
		}
	}
	// Make sure there are at least two distinct values.
	vals[0], vals[n-1] = -1, 1e3
	return vals
}
