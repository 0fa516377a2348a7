package synth

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Geometry of the city. Blocks are the cells of a square grid whose
// vertices are moved: a random jitter per vertex, a smooth warp that bends
// the streets, a radial scale that makes blocks in the centre smaller
// (about 80 m) than at the edge (about 120 m), and a rotation. Every vertex
// is computed once and rounded to centimetres once, so cells that share a
// grid vertex share the very same coordinates.
const (
	step       = 100.0 // metres between grid lines before scaling
	jitter     = 0.18  // largest vertex displacement per axis, in cells
	warp       = 0.3   // largest smooth displacement, in cells
	margin     = 3     // cells kept free around the city
	centreLon  = 9.9
	centreLat  = 51.5
	outputEPSG = 25832
)

// city is the grid and the set of its cells that are blocks.
type city struct {
	w, h   int       // grid size in cells; vertices are (w+1) × (h+1)
	r      float64   // radius of the city in cells
	cx, cy float64   // centre in cell units
	in     []bool    // cell is a block
	cells  []int32   // the blocks' cells, ascending
	vx, vy []float64 // vertex coordinates in EPSG:25832, rounded to cm
}

// cell index c = y*w + x, y growing northwards; vertex index v = y*(w+1) + x,
// vertex (x, y) being the south-west corner of cell (x, y).

func (g *city) xy(c int32) (int, int) { return int(c) % g.w, int(c) / g.w }

// corners returns the vertices of cell c counter-clockwise from the
// south-west one.
func (g *city) corners(c int32) [4]int32 {
	x, y := g.xy(c)
	w1 := int32(g.w + 1)
	v := int32(y)*w1 + int32(x)
	return [4]int32{v, v + 1, v + w1 + 1, v + w1}
}

// centre returns the centre of cell c in cell units.
func (g *city) centre(c int32) (float64, float64) {
	x, y := g.xy(c)
	return float64(x) + 0.5, float64(y) + 0.5
}

// newCity shapes a city of exactly n cells: a blob with a noisy, roughly
// circular outline, connected through cell edges, without holes and without
// cells that touch only at a corner, so that every outline is a simple ring.
func newCity(n int, rng *rand.Rand) (*city, error) {
	r := math.Sqrt(float64(n) / math.Pi)
	// The outline: radius as a sum of a few harmonics of the angle.
	type harmonic struct{ k, a, phase float64 }
	var hs []harmonic
	amp := 1.0
	for k := 2; k <= 6; k++ {
		a := rng.Float64() * 0.17 / float64(k-1) * 1.3
		hs = append(hs, harmonic{float64(k), a, rng.Float64() * 2 * math.Pi})
		amp += a
	}
	half := int(math.Ceil(r*amp*1.4)) + 2*margin + 2
	g := &city{w: 2 * half, h: 2 * half, r: r, cx: float64(half), cy: float64(half)}
	g.in = make([]bool, g.w*g.h)

	coast := newField(rng, g.w, g.h, max(3, r/5), 3)
	score := make([]float64, g.w*g.h)
	for c := range score {
		px, py := g.centre(int32(c))
		dx, dy := px-g.cx, py-g.cy
		theta := math.Atan2(dy, dx)
		rad := 1.0
		for _, h := range hs {
			rad += h.a * math.Cos(h.k*theta+h.phase)
		}
		score[c] = math.Hypot(dx, dy)/(r*rad) + 0.22*(coast.at(px, py)-0.5) + (rng.Float64()-0.5)*0.5/r
	}
	if err := g.grow(n, score); err != nil {
		return nil, err
	}
	g.fill(score)
	if err := g.trim(n, score); err != nil {
		return nil, err
	}
	for c, in := range g.in {
		if in {
			g.cells = append(g.cells, int32(c))
		}
	}
	return g, nil
}

// inner reports whether cell c keeps the margin from the grid's edge.
func (g *city) inner(c int32) bool {
	x, y := g.xy(c)
	return x >= margin && x < g.w-margin && y >= margin && y < g.h-margin
}

// grow adds n cells from the centre outwards, lowest score first. A cell
// with more block neighbours is preferred, which smooths the outline.
func (g *city) grow(n int, score []float64) error {
	count := make([]int8, len(g.in))
	best := make([]float64, len(g.in))
	bonus := 1.2 / g.r
	start := int32(int(g.cy)*g.w + int(g.cx))
	best[start] = score[start]
	q := queue{{key: score[start], c: start}}
	for added := 0; added < n; {
		if len(q) == 0 {
			return errors.New("synth: the grid is too small for the city")
		}
		it := q.pop()
		c := it.c
		if g.in[c] || it.key != best[c] {
			continue
		}
		g.in[c] = true
		added++
		for _, nb := range [4]int32{c + 1, c - 1, c + int32(g.w), c - int32(g.w)} {
			if g.in[nb] || !g.inner(nb) {
				continue
			}
			count[nb]++
			best[nb] = score[nb] - float64(count[nb]-1)*bonus
			q.push(item{key: best[nb], c: nb})
		}
	}
	return nil
}

// fill adds enclosed holes and resolves pinches (two blocks touching only at
// a corner while the other two cells at that corner are not blocks) by
// adding the lower-scored of the two missing cells, until neither is left.
func (g *city) fill(score []float64) {
	w := int32(g.w)
	outside := make([]bool, len(g.in))
	var stack []int32
	for changed := true; changed; {
		changed = false
		// Background reachable from the grid's edge through edges or
		// corners is outside; any other background is a hole.
		clear(outside)
		stack = stack[:0]
		for c := range g.in {
			x, y := g.xy(int32(c))
			if (x == 0 || y == 0 || x == g.w-1 || y == g.h-1) && !g.in[c] {
				outside[c] = true
				stack = append(stack, int32(c))
			}
		}
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := g.xy(c)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= g.w || ny >= g.h {
						continue
					}
					nb := int32(ny)*w + int32(nx)
					if !g.in[nb] && !outside[nb] {
						outside[nb] = true
						stack = append(stack, nb)
					}
				}
			}
		}
		for c := range g.in {
			if !g.in[c] && !outside[c] {
				g.in[c] = true
				changed = true
			}
		}
		for y := 0; y+1 < g.h; y++ {
			for x := 0; x+1 < g.w; x++ {
				a := int32(y)*w + int32(x)
				b, c, d := a+1, a+w, a+w+1
				var p, q int32
				switch {
				case g.in[a] && g.in[d] && !g.in[b] && !g.in[c]:
					p, q = b, c
				case g.in[b] && g.in[c] && !g.in[a] && !g.in[d]:
					p, q = a, d
				default:
					continue
				}
				if score[q] < score[p] {
					p = q
				}
				g.in[p] = true
				changed = true
			}
		}
	}
}

// ring8 returns the eight neighbours of c in cyclic order from north.
func (g *city) ring8(c int32) [8]int32 {
	w := int32(g.w)
	return [8]int32{c + w, c + w + 1, c + 1, c - w + 1, c - w, c - w - 1, c - 1, c + w - 1}
}

// removable reports whether block c can be dropped without disconnecting
// the city, opening a hole or creating a pinch: it lies on the outline and
// its block neighbours form one unbroken run around it.
func (g *city) removable(c int32) bool {
	nb := g.ring8(c)
	var in [8]bool
	for i, x := range nb {
		in[i] = g.in[x]
	}
	edgeIn := in[0] || in[2] || in[4] || in[6]
	border := !in[0] || !in[2] || !in[4] || !in[6]
	if !edgeIn || !border {
		return false
	}
	runs := 0
	for i := range in {
		if in[i] && !in[(i+7)%8] {
			runs++
		}
	}
	return runs == 1
}

// trim removes outline blocks, highest score first, until n are left.
func (g *city) trim(n int, score []float64) error {
	m := 0
	var q queue
	for c, in := range g.in {
		if !in {
			continue
		}
		m++
		if g.removable(int32(c)) {
			q.push(item{key: -score[c], c: int32(c)})
		}
	}
	for m > n {
		if len(q) == 0 {
			return errors.New("synth: cannot trim the city to the requested size")
		}
		c := q.pop().c
		if !g.in[c] || !g.removable(c) {
			continue
		}
		g.in[c] = false
		m--
		for _, nb := range g.ring8(c) {
			if g.in[nb] && g.removable(nb) {
				q.push(item{key: -score[nb], c: nb})
			}
		}
	}
	return nil
}

// placeVertices computes the coordinates of every grid vertex around the
// origin (e0, n0) in EPSG:25832.
func (g *city) placeVertices(rng *rand.Rand, e0, n0 float64) {
	w1, h1 := g.w+1, g.h+1
	g.vx = make([]float64, w1*h1)
	g.vy = make([]float64, w1*h1)
	wx := newField(rng, w1, h1, 12, 2)
	wy := newField(rng, w1, h1, 12, 2)
	angle := (rng.Float64() - 0.5) * 40 * math.Pi / 180
	sin, cos := math.Sincos(angle)
	for y := range h1 {
		for x := range w1 {
			jx := (rng.Float64()*2 - 1) * jitter
			jy := (rng.Float64()*2 - 1) * jitter
			u := float64(x) - g.cx + jx + 2*warp*(wx.at(float64(x), float64(y))-0.5)
			v := float64(y) - g.cy + jy + 2*warp*(wy.at(float64(x), float64(y))-0.5)
			// Smaller blocks in the centre: the radial scale grows from 0.8
			// at the centre to 1.1 at 1.5 radii.
			s := step * (0.8 + 0.2*min(math.Hypot(u, v)/g.r, 1.5))
			i := y*w1 + x
			g.vx[i] = roundCM(e0 + s*(u*cos-v*sin))
			g.vy[i] = roundCM(n0 + s*(u*sin+v*cos))
		}
	}
}

func roundCM(v float64) float64 { return math.Round(v*100) / 100 }
