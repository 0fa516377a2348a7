package geomcheck

import (
	"errors"
	"reflect"
	"testing"

	"github.com/paulmach/orb"
)

// geometryFromBytes builds a small Polygon or MultiPolygon from data. Points
// lie on an 8×8 grid, so that the hard cases (shared vertices, collinear
// points, rings touching or running along each other) are frequent. Rings
// are boxes and triangles (often valid, so that the checks between rings get
// exercised) or arbitrary point sequences; some are left unclosed, reversed
// or given a repeated point.
func geometryFromBytes(data []byte) orb.Geometry {
	next := func(n int) int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b) % n
	}
	pt := func() orb.Point { return orb.Point{float64(next(8)), float64(next(8))} }
	mp := make(orb.MultiPolygon, 1+next(3))
	for p := range mp {
		mp[p] = make(orb.Polygon, 1+next(3))
		for r := range mp[p] {
			var ring orb.Ring
			switch next(4) {
			case 0: // box
				a, b := pt(), pt()
				ring = sq(a[0], a[1], b[0], b[1])
			case 1: // triangle
				ring = orb.Ring{pt(), pt(), pt()}
				ring = append(ring, ring[0])
			default: // anything
				ring = make(orb.Ring, next(9))
				for i := range ring {
					ring[i] = pt()
				}
			}
			flags := next(16)
			if flags&1 != 0 && len(ring) > 1 {
				ring = ring[:len(ring)-1] // unclosed, if it was closed
			}
			if flags&2 != 0 {
				ring = rev(ring)
			}
			if flags&4 != 0 && len(ring) > 0 {
				i := next(len(ring))
				ring = append(ring[:i+1], ring[i:]...) // repeat point i
			}
			mp[p][r] = ring
		}
	}
	if len(mp) == 1 && len(data)%2 == 1 {
		return mp[0]
	}
	return mp
}

// scale multiplies every coordinate of g by s, in place.
func scale(g orb.Geometry, s float64) {
	var mp orb.MultiPolygon
	switch g := g.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{g}
	case orb.MultiPolygon:
		mp = g
	}
	for _, p := range mp {
		for _, r := range p {
			for i := range r {
				r[i] = orb.Point{r[i][0] * s, r[i][1] * s}
			}
		}
	}
}

// FuzzMultiPolygon checks that MultiPolygon never panics, that its errors are
// *Error naming a polygon and ring of the input, and that what it accepts it
// accepts again unchanged and without repairs. The scale moves the grid to
// other magnitudes, down to underflow and up to overflow in the predicates.
func FuzzMultiPolygon(f *testing.F) {
	for _, seed := range []struct {
		data  []byte
		scale float64
	}{
		{[]byte{}, 1},
		{[]byte{0, 0, 0, 0, 2, 2, 0}, 1},
		{[]byte{1, 1, 0, 0, 0, 4, 4, 0, 0, 1, 1, 3, 3, 2}, 0.1},
		{[]byte{2, 0, 1, 2, 5, 3, 1, 0, 6, 2, 6, 5, 3, 6, 0}, 1e-300},
		{[]byte{0, 0, 2, 8, 0, 0, 2, 2, 2, 0, 0, 2, 0, 0, 0}, 2e307},
		{[]byte{1, 2, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9}, -13.4},
	} {
		f.Add(seed.data, seed.scale)
	}
	f.Fuzz(func(t *testing.T, data []byte, s float64) {
		g := geometryFromBytes(data)
		scale(g, s)
		got, repairs, err := MultiPolygon(g)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %T %v, want *Error", err, err)
			}
			if !names(g, e.Polygon, e.Ring) {
				t.Fatalf("got %v for %v, want an error naming one of its polygons and rings", err, g)
			}
			return
		}
		again, repairs2, err := MultiPolygon(got)
		if err != nil || len(repairs2) != 0 || !reflect.DeepEqual(again, got) {
			t.Fatalf("input %v, result %v (repairs %v): second pass got %v, %v, %v; want the result unchanged, no repairs, no error",
				g, got, repairs, again, repairs2, err)
		}
	})
}

// names reports whether polygon p, ring r (-1: none) exist in g.
func names(g orb.Geometry, p, r int) bool {
	mp, ok := g.(orb.MultiPolygon)
	if poly, isPoly := g.(orb.Polygon); isPoly {
		mp, ok = orb.MultiPolygon{poly}, true
	}
	switch {
	case !ok || p < 0:
		return p == -1 && r == -1
	case p >= len(mp):
		return false
	}
	return r == -1 || r >= 0 && r < len(mp[p])
}
