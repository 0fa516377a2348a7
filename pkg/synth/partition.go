package synth

import (
	"math"
	"math/rand/v2"
	"slices"
)

// partitioner splits connected sets of cells into contiguous regions of
// about equal size: seeds spread by farthest-point sampling and moved a few
// times to their region's centroid (Lloyd), regions grown from the seeds
// by a shortest-path search over cell edges whose costs vary smoothly, so
// that borders meander like real district borders. Every region is the
// shortest-path tree of its seed, hence connected through cell edges.
type partitioner struct {
	g     *city
	dist  []float64
	label []int32
	mark  []uint32 // mark[c] == gen: c belongs to the set being split
	gen   uint32
	q     queue
}

func newPartitioner(g *city) *partitioner {
	n := g.w * g.h
	return &partitioner{g: g, dist: make([]float64, n), label: make([]int32, n), mark: make([]uint32, n)}
}

const lloydRounds = 5

// split divides cells (ascending, connected) into k regions, each returned
// as its ascending cells. cost is indexed by cell.
func (p *partitioner) split(cells []int32, k int, cost []float64, rng *rand.Rand) [][]int32 {
	if k <= 1 || len(cells) <= 1 {
		return [][]int32{cells}
	}
	k = min(k, len(cells))
	g := p.g
	p.gen++
	for _, c := range cells {
		p.mark[c] = p.gen
	}
	// Farthest-point seeds from a random start.
	seeds := make([]int32, 0, k)
	seeds = append(seeds, cells[rng.IntN(len(cells))])
	near := make([]float64, len(cells))
	for i := range near {
		near[i] = math.Inf(1)
	}
	for len(seeds) < k {
		sx, sy := g.centre(seeds[len(seeds)-1])
		best, bi := -1.0, 0
		for i, c := range cells {
			x, y := g.centre(c)
			d := (x-sx)*(x-sx) + (y-sy)*(y-sy)
			if d < near[i] {
				near[i] = d
			}
			if near[i] > best {
				best, bi = near[i], i
			}
		}
		seeds = append(seeds, cells[bi])
	}
	sumX := make([]float64, k)
	sumY := make([]float64, k)
	count := make([]int, k)
	for round := 0; ; round++ {
		p.grow(cells, seeds, cost)
		if round == lloydRounds {
			break
		}
		clear(sumX)
		clear(sumY)
		clear(count)
		for _, c := range cells {
			l := p.label[c]
			x, y := g.centre(c)
			sumX[l] += x
			sumY[l] += y
			count[l]++
		}
		nearest := make([]float64, k)
		for i := range nearest {
			nearest[i] = math.Inf(1)
		}
		for _, c := range cells {
			l := p.label[c]
			x, y := g.centre(c)
			mx, my := sumX[l]/float64(count[l]), sumY[l]/float64(count[l])
			if d := (x-mx)*(x-mx) + (y-my)*(y-my); d < nearest[l] {
				nearest[l] = d
				seeds[l] = c
			}
		}
	}
	out := make([][]int32, k)
	for _, c := range cells {
		out[p.label[c]] = append(out[p.label[c]], c)
	}
	return out
}

// grow labels every cell of the marked set with its nearest seed.
func (p *partitioner) grow(cells, seeds []int32, cost []float64) {
	for _, c := range cells {
		p.dist[c] = math.Inf(1)
		p.label[c] = -1
	}
	p.q = p.q[:0]
	for l, s := range seeds {
		p.dist[s] = 0
		p.label[s] = int32(l)
		p.q.push(item{key: 0, c: s, l: int32(l)})
	}
	w := int32(p.g.w)
	for len(p.q) > 0 {
		it := p.q.pop()
		c := it.c
		if it.key != p.dist[c] || it.l != p.label[c] {
			continue
		}
		for _, nb := range [4]int32{c + 1, c - 1, c + w, c - w} {
			if p.mark[nb] != p.gen {
				continue
			}
			d := it.key + (cost[c]+cost[nb])/2
			if d < p.dist[nb] {
				p.dist[nb] = d
				p.label[nb] = it.l
				p.q.push(item{key: d, c: nb, l: it.l})
			}
		}
	}
}

// costField returns per-cell travel costs between 1 and 3 that vary at the
// given spacing (in cells).
func (g *city) costField(rng *rand.Rand, spacing float64) []float64 {
	f := newField(rng, g.w, g.h, max(spacing, 2), 2)
	cost := make([]float64, g.w*g.h)
	for _, c := range g.cells {
		x, y := g.centre(c)
		cost[c] = 1 + 2*f.at(x, y)
	}
	return cost
}

// centroid returns the mean cell centre of cells.
func (g *city) centroid(cells []int32) (float64, float64) {
	var sx, sy float64
	for _, c := range cells {
		x, y := g.centre(c)
		sx += x
		sy += y
	}
	return sx / float64(len(cells)), sy / float64(len(cells))
}

// order numbers regions as a city would: first the one holding the cell
// nearest to (rx, ry), then clockwise from north around that point.
func (g *city) order(regions [][]int32, rx, ry float64) [][]int32 {
	type entry struct {
		i     int
		first bool
		angle float64
	}
	best, bi := math.Inf(1), 0
	es := make([]entry, len(regions))
	for i, r := range regions {
		for _, c := range r {
			x, y := g.centre(c)
			if d := (x-rx)*(x-rx) + (y-ry)*(y-ry); d < best {
				best, bi = d, i
			}
		}
		mx, my := g.centroid(r)
		a := math.Atan2(mx-rx, my-ry) // from north, clockwise
		if a < 0 {
			a += 2 * math.Pi
		}
		es[i] = entry{i: i, angle: a}
	}
	es[bi].first = true
	slices.SortFunc(es, func(a, b entry) int {
		switch {
		case a.first != b.first:
			if a.first {
				return -1
			}
			return 1
		case a.angle < b.angle:
			return -1
		case a.angle > b.angle:
			return 1
		}
		return a.i - b.i
	})
	out := make([][]int32, len(regions))
	for j, e := range es {
		out[j] = regions[e.i]
	}
	return out
}

// allocate shares total among parts in proportion to sizes (largest
// remainder), at least one each.
func allocate(sizes []int, total int) []int {
	sum := 0
	for _, s := range sizes {
		sum += s
	}
	n := make([]int, len(sizes))
	if total <= len(sizes) {
		for i := range n {
			n[i] = 1
		}
		return n
	}
	frac := make([]float64, len(sizes))
	given := 0
	for i, s := range sizes {
		q := float64(total) * float64(s) / float64(sum)
		n[i] = max(1, int(q))
		frac[i] = q - float64(n[i])
		given += n[i]
	}
	idx := make([]int, len(sizes))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case frac[a] > frac[b]:
			return -1
		case frac[a] < frac[b]:
			return 1
		}
		return a - b
	})
	for j := 0; given < total; j = (j + 1) % len(idx) {
		n[idx[j]]++
		given++
	}
	for j := len(idx) - 1; given > total; j = (j + len(idx) - 1) % len(idx) {
		if i := idx[j]; n[i] > 1 {
			n[i]--
			given--
		}
	}
	return n
}
