package synth

import (
	"math"
	"math/rand/v2"
	"slices"
)

// field is smooth value noise over the cell grid: random values on a
// lattice, interpolated with a smoothstep and summed over octaves, each
// octave half the spacing and half the weight of the one before. Values lie
// in [0, 1] and cluster around 0.5; callers that need a share of cells use
// quantiles, not fixed thresholds.
type field struct {
	octaves []lattice
	norm    float64
}

type lattice struct {
	spacing float64 // cells between lattice points
	nx      int
	v       []float64
	weight  float64
}

// newField returns noise for coordinates in [0, w] × [0, h] (cell units).
func newField(rng *rand.Rand, w, h int, spacing float64, octaves int) *field {
	f := &field{}
	weight := 1.0
	for o := 0; o < octaves; o++ {
		s := spacing / math.Exp2(float64(o))
		if s < 1 && o > 0 {
			break
		}
		s = max(s, 1)
		nx := int(float64(w)/s) + 3
		ny := int(float64(h)/s) + 3
		l := lattice{spacing: s, nx: nx, v: make([]float64, nx*ny), weight: weight}
		for i := range l.v {
			l.v[i] = rng.Float64()
		}
		f.octaves = append(f.octaves, l)
		f.norm += weight
		weight /= 2
	}
	return f
}

// at returns the noise at (x, y), both ≥ 0.
func (f *field) at(x, y float64) float64 {
	sum := 0.0
	for i := range f.octaves {
		l := &f.octaves[i]
		gx, gy := x/l.spacing, y/l.spacing
		ix, iy := int(gx), int(gy)
		fx, fy := smoothstep(gx-float64(ix)), smoothstep(gy-float64(iy))
		k := iy*l.nx + ix
		a := l.v[k] + (l.v[k+1]-l.v[k])*fx
		b := l.v[k+l.nx] + (l.v[k+l.nx+1]-l.v[k+l.nx])*fx
		sum += l.weight * (a + (b-a)*fy)
	}
	return sum / f.norm
}

func smoothstep(t float64) float64 { return t * t * (3 - 2*t) }

// item is an entry of a priority queue: the smallest key first, ties
// broken by cell and then label so that the order never depends on how
// the heap happens to be laid out.
type item struct {
	key  float64
	c, l int32
}

type queue []item

func (q queue) less(i, j int) bool {
	a, b := &q[i], &q[j]
	if a.key != b.key {
		return a.key < b.key
	}
	if a.c != b.c {
		return a.c < b.c
	}
	return a.l < b.l
}

func (q *queue) push(it item) {
	*q = append(*q, it)
	h := *q
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *queue) pop() item {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && h.less(l, m) {
			m = l
		}
		if r < n && h.less(r, m) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

// quantile returns the value below which the share q of vs lies. vs is
// sorted in place.
func quantile(vs []float64, q float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	slices.Sort(vs)
	i := int(q * float64(len(vs)))
	return vs[min(max(i, 0), len(vs)-1)]
}
