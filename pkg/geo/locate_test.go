package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// refContains is a plain reference implementation of the border rule
// (half-open crossing number) over all rings of mp, without bounding
// boxes or bands: the side of each edge is decided in floating point where
// the determinant is far from zero (a crude, safe margin) and in exact
// rational arithmetic otherwise.
func refContains(mp orb.MultiPolygon, p orb.Point) bool {
	for _, poly := range mp {
		in := false
		for _, r := range poly {
			for i := range r {
				a, c := r[i], r[(i+1)%len(r)]
				if a[1] > c[1] {
					a, c = c, a
				}
				if a[1] <= p[1] && p[1] < c[1] && refOrient(a, c, p) > 0 {
					in = !in
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}

func refOrient(a, b, c orb.Point) float64 {
	l, r := (a[0]-c[0])*(b[1]-c[1]), (a[1]-c[1])*(b[0]-c[0])
	if math.Abs(l-r) > 1e-12*(math.Abs(l)+math.Abs(r)) {
		return l - r
	}
	return orientExact(a[0], a[1], b[0], b[1], c[0], c[1])
}

// TestOrient checks the filtered orientation test against the exact one,
// also for points on and within rounding distance of a line.
func TestOrient(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	sign := func(v float64) int {
		switch {
		case v > 0:
			return 1
		case v < 0:
			return -1
		}
		return 0
	}
	near, zero := 0, 0
	// Coordinates on a 2⁻²⁰ grid, so that points at k/8 of a segment are
	// exactly on it.
	grid := func() float64 { return float64(rng.IntN(1<<20)) / (1 << 20) }
	for k := 0; k < 40000; k++ {
		a := orb.Point{13 + grid(), 52 + grid()}
		b := orb.Point{13 + grid(), 52 + grid()}
		t0 := float64(rng.IntN(9)) / 8
		c := orb.Point{a[0] + t0*(b[0]-a[0]), a[1] + t0*(b[1]-a[1])} // exactly on the line
		switch k % 4 {
		case 1: // next to it
			c[0] = math.Nextafter(c[0], math.Inf(rng.IntN(2)*2-1))
		case 2: // on it up to rounding
			t0 = rng.Float64()
			c = orb.Point{a[0] + t0*(b[0]-a[0]), a[1] + t0*(b[1]-a[1])}
		case 3:
			c = orb.Point{13 + rng.Float64(), 52 + rng.Float64()}
		}
		got, want := sign(orient(a[0], a[1], b[0], b[1], c[0], c[1])), sign(orientExact(a[0], a[1], b[0], b[1], c[0], c[1]))
		if got != want {
			t.Fatalf("orient(%v, %v, %v) = %d, exact %d", a, b, c, got, want)
		}
		if k%4 != 3 {
			near++
		}
		if want == 0 {
			zero++
		}
	}
	// Exactly collinear: a vertex, and the midpoint of an axis-parallel edge.
	if orient(1, 1, 3, 5, 3, 5) != 0 || orient(1, 1, 1, 5, 1, 2.5) != 0 || orient(0.1, 0.2, 0.3, 0.6, 0.2, 0.4) != orientExact(0.1, 0.2, 0.3, 0.6, 0.2, 0.4) {
		t.Error("collinear points not recognised")
	}
	t.Logf("%d points on or near a line, %d exactly on it", near, zero)
	if zero < 5000 {
		t.Errorf("only %d exactly collinear cases", zero)
	}
}

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

// TestLocateGridBorders checks the border rule on a grid of unit squares,
// where the owner of a point on an edge or vertex is known independently:
// the square whose west/south corner is (floor x, floor y).
func TestLocateGridBorders(t *testing.T) {
	const n = 10
	var units []orb.MultiPolygon
	for j := 0; j < n; j++ {
		for i := 0; i < n; i++ {
			r := square(float64(i), float64(j), float64(i+1), float64(j+1))
			if (i+j)%2 == 1 {
				r.Reverse() // orientation must not matter
			}
			units = append(units, orb.MultiPolygon{{r}})
		}
	}
	l := NewLocator(units)
	want := func(p orb.Point) int {
		i, j := int(math.Floor(p[0])), int(math.Floor(p[1]))
		if i < 0 || j < 0 || i >= n || j >= n {
			return -1
		}
		return j*n + i
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 20000; k++ {
		var p orb.Point
		switch k % 4 {
		case 0: // on a vertex, including the outer boundary
			p = orb.Point{float64(rng.IntN(n + 1)), float64(rng.IntN(n + 1))}
		case 1: // on a vertical edge
			p = orb.Point{float64(rng.IntN(n + 1)), rng.Float64() * n}
		case 2: // on a horizontal edge
			p = orb.Point{rng.Float64() * n, float64(rng.IntN(n + 1))}
		default: // anywhere, also outside
			p = orb.Point{rng.Float64()*(n+2) - 1, rng.Float64()*(n+2) - 1}
		}
		if got, w := l.Locate(p), want(p); got != w {
			t.Fatalf("Locate(%v) = %d, want %d", p, got, w)
		}
	}
}

// TestLocateHolesAndMultiPolygons: a unit with a hole, an island unit
// filling half of the hole, and a unit made of two parts.
func TestLocateHolesAndMultiPolygons(t *testing.T) {
	units := []orb.MultiPolygon{
		{{square(0, 0, 10, 10), square(2, 2, 8, 8)}},     // 0: frame with hole
		{{square(2, 2, 5, 8)}},                           // 1: island in the hole's west half
		{{square(20, 0, 21, 1)}, {square(30, 0, 31, 1)}}, // 2: two parts
		{{square(10, 0, 20, 1)}},                         // 3: between unit 0 and unit 2's first part
		{},                                               // 4: empty
		{{square(40, 0, 41, 1), square(40.2, 0.2, 40.8, 0.8)}}, // 5: small frame
	}
	l := NewLocator(units)
	for _, c := range []struct {
		p    orb.Point
		want int
	}{
		{orb.Point{1, 1}, 0},
		{orb.Point{3, 3}, 1},
		{orb.Point{6, 6}, -1}, // in the hole, east of the island
		{orb.Point{5, 5}, -1}, // on the island's east edge: belongs east, the hole
		{orb.Point{2, 5}, 1},  // on the island's west edge = the hole's west edge
		{orb.Point{8, 5}, 0},  // the hole's east edge is unit 0's west boundary there
		{orb.Point{4, 8}, 0},  // the island's north edge = hole's north edge: north is unit 0
		{orb.Point{4, 2}, 1},  // the island's south edge: north of it is the island
		{orb.Point{6, 2}, -1}, // the hole's south edge east of the island: the hole
		{orb.Point{10, 0.5}, 3},
		{orb.Point{20, 0.5}, 2},
		{orb.Point{20.5, 0.5}, 2},
		{orb.Point{30.5, 0.5}, 2},
		{orb.Point{25, 0.5}, -1},
		{orb.Point{40.1, 0.5}, 5},
		{orb.Point{40.5, 0.5}, -1},
		{orb.Point{-1, -1}, -1},
		{orb.Point{50.9, 0.5}, -1},
		{orb.Point{math.NaN(), 1}, -1},
	} {
		if got := l.Locate(c.p); got != c.want {
			t.Errorf("Locate(%v) = %d, want %d", c.p, got, c.want)
		}
	}
}

// wiggly is a star-shaped polygon with n vertices around (cx, cy), enough
// to be bucketed, with a hole of m vertices.
func wiggly(cx, cy float64, n, m int, rng *rand.Rand) orb.Polygon {
	ring := func(k int, r0, r1 float64, ccw bool) orb.Ring {
		var r orb.Ring
		for i := 0; i < k; i++ {
			a := 2 * math.Pi * float64(i) / float64(k)
			if !ccw {
				a = -a
			}
			rad := r0 + rng.Float64()*(r1-r0)
			r = append(r, orb.Point{cx + rad*math.Cos(a), cy + rad*math.Sin(a)*0.6})
		}
		return append(r, r[0])
	}
	return orb.Polygon{ring(n, 0.5, 1, true), ring(m, 0.1, 0.3, false)}
}

// TestLocateBucketedMatchesReference compares the banded edge lookup of
// large parts with the plain reference, also for points on vertices.
func TestLocateBucketedMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	units := []orb.MultiPolygon{
		{wiggly(0, 0, 3000, 200, rng)},
		{wiggly(3, 0, 200, 30, rng), wiggly(5, 0, 50, 10, rng)},
		{wiggly(1, 1, 5000, 40, rng)}, // overlaps unit 0: lowest index wins
	}
	l := NewLocator(units)
	if l.parts[0].start == nil {
		t.Fatal("large part was not bucketed")
	}
	ref := func(p orb.Point) int {
		for i, u := range units {
			if refContains(u, p) {
				return i
			}
		}
		return -1
	}
	inside := 0
	for k := 0; k < 20000; k++ {
		p := orb.Point{rng.Float64()*8 - 1.5, rng.Float64()*3 - 1.2}
		if k%5 == 0 { // a vertex
			u := units[rng.IntN(len(units))]
			poly := u[rng.IntN(len(u))]
			r := poly[rng.IntN(len(poly))]
			p = r[rng.IntN(len(r))]
		}
		got, want := l.Locate(p), ref(p)
		if got != want {
			t.Fatalf("Locate(%v) = %d, reference %d", p, got, want)
		}
		if got >= 0 {
			inside++
		}
	}
	if inside < 2000 {
		t.Fatalf("only %d points inside: test does not exercise the units", inside)
	}
}

func TestLocateAllMatchesLocate(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var units []orb.MultiPolygon
	for i := 0; i < 50; i++ {
		units = append(units, orb.MultiPolygon{wiggly(float64(i%10)*2, float64(i/10)*2, 100, 10, rng)})
	}
	l := NewLocator(units)
	pts := make([]orb.Point, 50000)
	for i := range pts {
		pts[i] = orb.Point{rng.Float64()*21 - 1, rng.Float64()*11 - 1}
	}
	got := l.LocateAll(pts)
	found := 0
	for i, p := range pts {
		if w := l.Locate(p); got[i] != w {
			t.Fatalf("LocateAll[%d] = %d, Locate = %d", i, got[i], w)
		}
		if got[i] >= 0 {
			found++
		}
	}
	if found == 0 {
		t.Fatal("no point found in any unit")
	}
	if len(l.LocateAll(nil)) != 0 {
		t.Fatal("LocateAll(nil) not empty")
	}
	if NewLocator([]orb.MultiPolygon{{}, nil, {{}}, {{{}}}}).Locate(orb.Point{0, 0}) != -1 || NewLocator(nil).Locate(orb.Point{0, 0}) != -1 {
		t.Fatal("empty locator found a unit")
	}
}

func TestInteriorPoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	// A C shape whose centroid lies outside it.
	c := orb.MultiPolygon{{orb.Ring{{0, 0}, {3, 0}, {3, 1}, {1, 1}, {1, 2}, {3, 2}, {3, 3}, {0, 3}, {0, 0}}}}
	// A ring-shaped unit (centre in the hole) plus a small second part.
	ring := orb.MultiPolygon{{square(0, 0, 10, 10), square(1, 1, 9, 9)}, {square(20, 0, 21, 1)}}
	cases := []orb.MultiPolygon{c, ring}
	for i := 0; i < 50; i++ {
		cases = append(cases, orb.MultiPolygon{wiggly(rng.Float64()*10, rng.Float64()*10, 20+rng.IntN(500), 3+rng.IntN(50), rng)})
	}
	for i, mp := range cases {
		p := InteriorPoint(mp)
		if !refContains(mp[:1], p) {
			t.Errorf("case %d: InteriorPoint %v is not inside", i, p)
		}
		if NewLocator([]orb.MultiPolygon{mp}).Locate(p) != 0 {
			t.Errorf("case %d: Locate(InteriorPoint) != 0", i)
		}
	}
	if p := InteriorPoint(nil); !math.IsNaN(p[0]) {
		t.Errorf("InteriorPoint(nil) = %v", p)
	}
}
