package spatialstats

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Quadrant is the position of a unit in the Moran scatterplot: its own
// value (first letter) and its neighbours' (second letter), each High or
// Low relative to the mean.
type Quadrant string

// The quadrants. A value equal to the mean, or a lag of zero, counts as
// low, as in esda.
const (
	HH Quadrant = "HH" // high value among high neighbours: hot spot
	LH Quadrant = "LH" // low value among high neighbours
	LL Quadrant = "LL" // low value among low neighbours: cold spot
	HL Quadrant = "HL" // high value among low neighbours
)

// LocalResult is local Moran (LISA) for one unit.
type LocalResult struct {
	// I is the local Moran I_i = (z_i / m2) * sum_j w_ij z_j with
	// z_i = y_i - mean and m2 = sum_i z_i^2 / n.
	I float64
	// Z is the standardised value (y_i - mean) / sd (population sd) and
	// Lag the spatial lag of the standardised values, sum_j w_ij Z_j: the
	// unit's point in the Moran scatterplot.
	Z, Lag float64
	// Quadrant is the scatterplot quadrant; "" for an island.
	Quadrant Quadrant
	// PSim is the folded pseudo p-value from conditional permutations,
	// (min(larger, m-larger) + 1) / (m + 1) with m permutations; NaN when
	// no permutations were asked for; 1 for an island or a unit whose
	// value equals the mean (I_i is 0 whatever its neighbours are, so it
	// can show no evidence).
	PSim float64
	// Cluster is Quadrant where PSim <= alpha, else "" (not significant).
	Cluster Quadrant
}

// Local computes local Moran's I (LISA, Anselin 1995) for the values y
// (one per unit, in the order of w) with the weights as given: pass
// w.RowStandardised() for the usual statistic. Inference uses conditional
// permutations: for unit i, |N_i| values are drawn without replacement
// from the other n-1 units and put in its neighbours' places, permutations
// times; the pseudo p-value is the smaller tail, as in esda. Each unit
// draws from its own PCG generator seeded from (seed, i), so the result is
// the same on every run and for any number of cores. Cluster labels need
// PSim <= alpha, with alpha in (0, 1]; with m permutations no p-value is
// below 1/(m+1). It needs at least 3 units and finite values that are not
// all equal. No correction for multiple testing is made, and as PSim takes
// the smaller tail, on data without any pattern about 2 alpha of the units
// come out significant by chance alone.
func Local(y []float64, w Weights, permutations int, seed uint64, alpha float64) ([]LocalResult, error) {
	return local(y, w, permutations, seed, alpha, runtime.GOMAXPROCS(0))
}

func local(y []float64, w Weights, permutations int, seed uint64, alpha float64, workers int) ([]LocalResult, error) {
	if err := checkInput("Local", y, w, permutations, 3); err != nil {
		return nil, err
	}
	if !(alpha > 0 && alpha <= 1) {
		return nil, fmt.Errorf("spatialstats: Local: alpha %v is not in (0, 1]", alpha)
	}
	n := len(y)
	if uint64(n-1) > math.MaxUint32 { // draws are 32-bit
		return nil, fmt.Errorf("spatialstats: Local: %d units is too many", n)
	}
	z, m2 := deviations(y)
	if m2 == 0 {
		return nil, fmt.Errorf("spatialstats: Local: all %d values are equal", n)
	}
	sd := math.Sqrt(m2)
	for i := range z {
		z[i] /= sd
	}
	// I_i is invariant to the scale of z: with standardised z, m2 is 1 up
	// to rounding; divide by it anyway to follow the formula.
	m2 = 0
	for _, v := range z {
		m2 += v * v
	}
	m2 /= float64(n)

	res := make([]LocalResult, n)
	for i := range n {
		nb, wt := w.Neighbours(i)
		lag := 0.0
		for k, j := range nb {
			lag += wt[k] * z[j]
		}
		r := &res[i]
		r.Z, r.Lag = z[i], lag
		r.I = z[i] / m2 * lag
		if len(nb) > 0 {
			r.Quadrant = quadrant(z[i], lag)
		}
		r.PSim = math.NaN()
		if permutations > 0 {
			r.PSim = 1
		}
	}
	if permutations == 0 {
		return res, nil
	}

	workers = max(1, min(workers, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	const chunk = 256
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p permuter
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n {
					return
				}
				for i := start; i < min(start+chunk, n); i++ {
					r := &res[i]
					if w.Cardinality(i) == 0 || z[i] == 0 {
						continue // PSim stays 1: I_i is 0 under every permutation
					}
					_, wt := w.Neighbours(i)
					larger := p.count(i, z, wt, r.Lag, permutations, seed)
					r.PSim = foldedP(larger, permutations)
				}
			}
		}()
	}
	wg.Wait()
	for i := range res {
		if r := &res[i]; r.PSim <= alpha {
			r.Cluster = r.Quadrant
		}
	}
	return res, nil
}

// quadrant places a unit by the signs of its value and its lag.
func quadrant(z, lag float64) Quadrant {
	switch {
	case z > 0 && lag > 0:
		return HH
	case z > 0:
		return HL
	case lag > 0:
		return LH
	default:
		return LL
	}
}

// permuter draws the conditional permutations of one worker. For unit i
// it draws |N_i| distinct indices among the other n-1 units, uniformly, by
// rejecting repeats: with few neighbours among many units a repeat is
// rare, and no shared state (such as a shuffled index array) carries over
// from one unit to the next, so the draws depend only on the unit's seed,
// never on which units the worker ran before.
type permuter struct {
	src   rand.PCG
	u     uniform
	draws []uint32
	// For rows longer than scanLimit, repeats are found by stamping the
	// drawn index with the round number rather than by a scan.
	stamp []uint32
	round uint32
}

// scanLimit is the longest row whose repeats are found by scanning the
// earlier draws; a variable so tests can run both ways.
var scanLimit = 16

// count returns how many of m conditional permutations give unit i a
// local I at least its observed one. Comparing lags is the same test,
// with the direction set by the sign of z_i (I_i = z_i lag / m2).
func (p *permuter) count(i int, z, wt []float64, lag float64, m int, seed uint64) int {
	p.src.Seed(unitSeed(seed, i))
	p.u.reset(&p.src, uint32(len(z)-1))
	k := len(wt)
	if cap(p.draws) < k {
		p.draws = make([]uint32, k)
	}
	draws := p.draws[:k]
	var stamp []uint32
	if k > scanLimit {
		if len(p.stamp) != len(z) {
			p.stamp, p.round = make([]uint32, len(z)), 0
		}
		stamp = p.stamp
	}
	zi := z[i]
	larger := 0
	for range m {
		if stamp != nil {
			if p.round++; p.round == 0 { // wrapped: old stamps could match
				clear(p.stamp)
				p.round = 1
			}
		}
		p.u.sample(draws, stamp, p.round)
		s := 0.0
		for q, j := range draws {
			if int(j) >= i {
				j++ // skip unit i itself
			}
			s += wt[q] * z[j]
		}
		if (zi > 0 && s >= lag) || (zi < 0 && s <= lag) {
			larger++
		}
	}
	return larger
}

// uniform draws integers in [0, n) from 32 random bits each, by Lemire's
// multiply-shift method with rejection (no modulo bias; thresh is
// (2^32 - n) mod n), taking the bits from the generator in blocks.
type uniform struct {
	src       *rand.PCG
	bits      [256]uint32
	pos       int
	n, thresh uint32
}

func (u *uniform) reset(src *rand.PCG, n uint32) {
	u.src, u.n, u.thresh = src, n, -n%n
	u.pos = len(u.bits) // refill before the first draw
}

// sample fills dst with distinct uniform draws, in the order drawn: a
// uniform ordered sample without replacement. Repeats are found by a scan
// of the earlier draws, or, with a stamp slice, by stamp[j] == round.
func (u *uniform) sample(dst, stamp []uint32, round uint32) {
	// locals, so the loop keeps them in registers
	pos, n, thresh := u.pos, uint64(u.n), u.thresh
	for q := 0; q < len(dst); {
		if pos == len(u.bits) {
			u.refill()
			pos = 0
		}
		prod := uint64(u.bits[pos]) * n
		pos++
		if uint32(prod) < thresh {
			continue // rejected to avoid bias (probability below n / 2^32)
		}
		j := uint32(prod >> 32)
		if stamp == nil {
			repeat := false
			for _, d := range dst[:q] {
				repeat = repeat || d == j
			}
			if repeat {
				continue
			}
		} else {
			if stamp[j] == round {
				continue
			}
			stamp[j] = round
		}
		dst[q] = j
		q++
	}
	u.pos = pos
}

func (u *uniform) refill() {
	for k := 0; k < len(u.bits); k += 2 {
		v := u.src.Uint64()
		u.bits[k], u.bits[k+1] = uint32(v), uint32(v>>32)
	}
}

// unitSeed derives the two PCG seed words of unit i from the caller's seed
// with SplitMix64, so neighbouring units get unrelated streams.
func unitSeed(seed uint64, i int) (uint64, uint64) {
	a := splitmix64(seed ^ splitmix64(uint64(i)+0x9e3779b97f4a7c15))
	return a, splitmix64(a)
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
