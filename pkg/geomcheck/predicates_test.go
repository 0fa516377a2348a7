package geomcheck

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestOrientExact checks orient against exact arithmetic on points within a
// few ulps of a line, where the plain float64 determinant often has the
// wrong sign; it also checks that such cases occur, so the test has teeth.
func TestOrientExact(t *testing.T) {
	naive := func(a, b, c orb.Point) int {
		d := (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
		switch {
		case d > 0:
			return 1
		case d < 0:
			return -1
		}
		return 0
	}
	lines := [][2]orb.Point{
		{{0.5, 0.5}, {12, 12}},
		{{13.3492324, 52.5030727}, {13.3525226, 52.5059988}},
		{{-1e-300, 3e-300}, {2e-300, -5e-300}}, // products underflow
		{{-1e300, 3e300}, {1.5e308, -1.7e308}}, // differences overflow
	}
	wrong := 0
	for _, l := range lines {
		a, b := l[0], l[1]
		for i := range 64 {
			for j := range 64 {
				c := orb.Point{(a[0] + b[0]) / 2, (a[1] + b[1]) / 2}
				for range i {
					c[0] = math.Nextafter(c[0], math.Inf(1))
				}
				for range j {
					c[1] = math.Nextafter(c[1], math.Inf(1))
				}
				got, want := orient(a, b, c), orientExact(a, b, c)
				if got != want {
					t.Fatalf("orient(%v, %v, %v): got %d, want %d", a, b, c, got, want)
				}
				if naive(a, b, c) != want {
					wrong++
				}
			}
		}
	}
	if wrong == 0 {
		t.Errorf("got no case where the plain float64 sign is wrong, want some")
	}
	t.Logf("plain float64 had the wrong sign in %d of %d cases", wrong, len(lines)*64*64)
}

func TestIntersect(t *testing.T) {
	p := func(x, y float64) orb.Point { return orb.Point{x, y} }
	tests := []struct {
		name           string
		p1, p2, q1, q2 orb.Point
		want           meeting
		at             orb.Point
	}{
		{"apart", p(0, 0), p(1, 0), p(0, 1), p(1, 1), apart, orb.Point{}},
		{"crossing", p(0, 0), p(2, 2), p(0, 2), p(2, 0), cross, p(1, 1)},
		{"shared endpoint", p(0, 0), p(1, 0), p(1, 0), p(1, 1), touch, p(1, 0)},
		{"endpoint inside the other", p(0, 0), p(2, 0), p(1, 0), p(1, 1), touch, p(1, 0)},
		{"collinear, apart", p(0, 0), p(1, 0), p(2, 0), p(3, 0), apart, orb.Point{}},
		{"collinear, touching", p(0, 0), p(1, 0), p(1, 0), p(3, 0), touch, p(1, 0)},
		{"collinear, overlapping", p(0, 0), p(2, 0), p(3, 0), p(1, 0), overlap, p(1, 0)},
		{"vertical, overlapping", p(0, 0), p(0, 2), p(0, 1), p(0, 3), overlap, p(0, 1)},
	}
	for _, tc := range tests {
		got, at := intersect(tc.p1, tc.p2, tc.q1, tc.q2)
		if got != tc.want || at != tc.at {
			t.Errorf("%s: got %d at %v, want %d at %v", tc.name, got, at, tc.want, tc.at)
		}
	}
}
