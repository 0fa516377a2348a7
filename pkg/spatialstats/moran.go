package spatialstats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// MoranResult is global Moran's I with its inference. P values are
// one-tailed, in the direction of the observed deviation from EI (as the
// reference values of pysal's esda); double them for a two-tailed test.
type MoranResult struct {
	N  int     // number of units
	I  float64 // Moran's I = (n / S0) * sum_ij w_ij z_i z_j / sum_i z_i^2
	EI float64 // expected I under no autocorrelation, -1/(n-1)

	// Under the normality assumption.
	VINorm, ZNorm, PNorm float64
	// Under randomisation (the values are a random permutation); uses the
	// kurtosis of the values.
	VIRand, ZRand, PRand float64

	// Permutation inference (all NaN when Permutations is 0): the folded
	// pseudo p-value (min(larger, Permutations-larger) + 1) /
	// (Permutations + 1), where larger counts the permutations whose I is
	// >= the observed I; and the mean, variance (population) and z-score
	// of I over the permutations, as esda's EI_sim, VI_sim, z_sim.
	Permutations             int
	PSim, EISim, VISim, ZSim float64
}

// Moran computes global Moran's I of the values y (one per unit, in the
// order of w) with the weights as given: pass w.RowStandardised() for the
// usual row-standardised statistic. Variances follow Cliff and Ord as
// implemented in pysal's esda.Moran. With permutations > 0 the values are
// shuffled that many times, each shuffle by its own PCG generator seeded
// from (seed, permutation number), so the same seed gives the same PSim on
// every run and any number of cores. It needs at least 4 units, finite values that are not all
// equal, and at least one link.
func Moran(y []float64, w Weights, permutations int, seed uint64) (MoranResult, error) {
	n := len(y)
	if err := checkInput("Moran", y, w, permutations, 4); err != nil {
		return MoranResult{}, err
	}
	s0 := w.S0()
	if s0 == 0 {
		return MoranResult{}, fmt.Errorf("spatialstats: Moran: the weights have no links (S0 = 0)")
	}
	z, m2 := deviations(y)
	if m2 == 0 {
		return MoranResult{}, fmt.Errorf("spatialstats: Moran: all %d values are equal", n)
	}
	zz := m2 * float64(n)
	nf := float64(n)

	res := MoranResult{N: n, EI: -1 / (nf - 1), Permutations: permutations}
	scale := nf / s0 / zz
	res.I = scale * crossProduct(w, z) // as the permutations compute it, for exact ties

	// S1 = 1/2 sum_ij (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2
	s1, s2 := s1s2(w)
	n2, s02 := nf*nf, s0*s0
	res.VINorm = (n2*s1-nf*s2+3*s02)/((n2-1)*s02) - res.EI*res.EI

	m4 := 0.0
	for _, v := range z {
		m4 += v * v * v * v
	}
	k := (m4 / nf) / (m2 * m2) // kurtosis
	a := nf * ((n2-3*nf+3)*s1 - nf*s2 + 3*s02)
	b := k * ((n2-nf)*s1 - 2*nf*s2 + 6*s02)
	res.VIRand = (a-b)/((nf-1)*(nf-2)*(nf-3)*s02) - res.EI*res.EI

	res.ZNorm = (res.I - res.EI) / math.Sqrt(res.VINorm)
	res.PNorm = upperTail(math.Abs(res.ZNorm))
	res.ZRand = (res.I - res.EI) / math.Sqrt(res.VIRand)
	res.PRand = upperTail(math.Abs(res.ZRand))

	res.PSim, res.EISim, res.VISim, res.ZSim = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if permutations == 0 {
		return res, nil
	}
	sims := permutedI(z, w, permutations, seed, scale, runtime.GOMAXPROCS(0))
	larger := 0
	sum, sumSq := 0.0, 0.0
	for _, is := range sims { // in order, so the sums do not depend on workers
		if is >= res.I {
			larger++
		}
		sum += is
		sumSq += is * is
	}
	res.PSim = foldedP(larger, permutations)
	pf := float64(permutations)
	res.EISim = sum / pf
	res.VISim = max(sumSq/pf-res.EISim*res.EISim, 0)
	res.ZSim = (res.I - res.EISim) / math.Sqrt(res.VISim)
	return res, nil
}

// permutedI returns I = scale * z' W z for m random permutations of z.
// Permutation p shuffles z afresh with a generator seeded from (seed, p),
// so the result does not depend on the number of workers.
func permutedI(z []float64, w Weights, m int, seed uint64, scale float64, workers int) []float64 {
	sims := make([]float64, m)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, m)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var src rand.PCG
			rng := rand.New(&src)
			perm := make([]float64, len(z))
			for p := int(next.Add(1)) - 1; p < m; p = int(next.Add(1)) - 1 {
				src.Seed(unitSeed(seed^moranStream, p))
				copy(perm, z)
				rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
				sims[p] = scale * crossProduct(w, perm)
			}
		}()
	}
	wg.Wait()
	return sims
}

// moranStream sets the global test's seeds apart from the local test's,
// so the same seed does not reuse one generator stream for both.
const moranStream = 0x5350415449414c31 // "SPATIAL1"

// checkInput checks the shared preconditions of Moran and Local.
func checkInput(fn string, y []float64, w Weights, permutations, minN int) error {
	if len(y) != w.N() {
		return fmt.Errorf("spatialstats: %s: %d values but weights for %d units", fn, len(y), w.N())
	}
	if len(y) < minN {
		return fmt.Errorf("spatialstats: %s: %d units, need at least %d", fn, len(y), minN)
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("spatialstats: %s: value of unit %d is %v (leave units without a value out with Weights.Subset)", fn, i, v)
		}
	}
	if permutations < 0 {
		return fmt.Errorf("spatialstats: %s: negative number of permutations %d", fn, permutations)
	}
	return nil
}

// deviations returns z_i = y_i - mean(y) and m2 = sum z_i^2 / n.
func deviations(y []float64) (z []float64, m2 float64) {
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	z = make([]float64, len(y))
	for i, v := range y {
		z[i] = v - mean
		m2 += z[i] * z[i]
	}
	return z, m2 / float64(len(y))
}

// crossProduct returns z' W z.
func crossProduct(w Weights, z []float64) float64 {
	s := 0.0
	for i := range w.N() {
		lag := 0.0
		for k := w.offsets[i]; k < w.offsets[i+1]; k++ {
			lag += w.weights[k] * z[w.neighbours[k]]
		}
		s += z[i] * lag
	}
	return s
}

// s1s2 returns S1 = 1/2 sum_ij (w_ij + w_ji)^2 and S2 = sum_i (w_i. +
// w_.i)^2 by merging each row of W with the same row of W^T.
func s1s2(w Weights) (s1, s2 float64) {
	t := w.transpose()
	for i := range w.N() {
		a, aEnd := w.offsets[i], w.offsets[i+1]
		b, bEnd := t.offsets[i], t.offsets[i+1]
		rowSum, colSum := 0.0, 0.0
		for a < aEnd || b < bEnd {
			var v float64
			switch {
			case b == bEnd || (a < aEnd && w.neighbours[a] < t.neighbours[b]):
				v = w.weights[a]
				rowSum += w.weights[a]
				a++
			case a == aEnd || t.neighbours[b] < w.neighbours[a]:
				v = t.weights[b]
				colSum += t.weights[b]
				b++
			default: // both w_ij and w_ji
				v = w.weights[a] + t.weights[b]
				rowSum += w.weights[a]
				colSum += t.weights[b]
				a++
				b++
			}
			s1 += v * v
		}
		s2 += (rowSum + colSum) * (rowSum + colSum)
	}
	return s1 / 2, s2
}

// upperTail is P(Z > z) for a standard normal Z, accurate far into the tail.
func upperTail(z float64) float64 { return 0.5 * math.Erfc(z/math.Sqrt2) }

// foldedP is esda's pseudo p-value: the smaller tail of the permutation
// distribution, (min(larger, m-larger) + 1) / (m + 1).
func foldedP(larger, m int) float64 {
	if m-larger < larger {
		larger = m - larger
	}
	return float64(larger+1) / float64(m+1)
}
