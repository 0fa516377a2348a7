package geo

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// InteriorPoint returns a point strictly inside the largest polygon (by
// geodesic area) of mp, for use as a population carrier or label point.
// Unlike the centroid, it never falls outside a concave or ring-shaped unit
// or into a hole.
//
// Method (like GEOS's interior point of an area, with a better choice of
// line): horizontal lines are laid through the polygon at up to 15 heights,
// each halfway between two neighbouring vertex latitudes (so that no line
// passes through a vertex); along each, the inside stretches between
// consecutive ring crossings are found, and the middle of the widest is a
// candidate. Of the candidates, the one with the largest min(width, height)
// of the inside stretches through it, horizontally and vertically, in
// metres, wins: a point well away from the boundary. Being the midpoint of
// an inside stretch, the result is strictly inside, so Locate finds it in
// the unit. An empty mp gives orb.Point{NaN, NaN}.
func InteriorPoint(mp orb.MultiPolygon) orb.Point {
	best, bestArea := -1, -1.0
	for i, poly := range mp {
		if a := Area(orb.MultiPolygon{poly}); a > bestArea {
			best, bestArea = i, a
		}
	}
	if best < 0 {
		return orb.Point{math.NaN(), math.NaN()}
	}
	poly := mp[best]
	var ys []float64
	for _, r := range poly {
		for _, p := range r {
			ys = append(ys, p[1])
		}
	}
	slices.Sort(ys)
	ys = slices.Compact(ys)
	if len(ys) < 2 {
		return orb.Point{math.NaN(), math.NaN()}
	}
	// The gaps between neighbouring vertex latitudes, at up to 15 evenly
	// spread ranks, the middle one first (it wins ties).
	const lines = 15
	var cands []float64
	mid := (len(ys) - 1) / 2
	cands = append(cands, (ys[mid]+ys[mid+1])/2)
	if len(ys) > 2 {
		for k := 1; k <= lines-1; k++ {
			i := k * (len(ys) - 1) / lines
			cands = append(cands, (ys[i]+ys[i+1])/2)
		}
	}
	kx := math.Cos(ys[mid] * deg) // metres per degree east relative to north
	var xs []float64
	result := orb.Point{math.NaN(), math.NaN()}
	bestScore := -1.0
	for _, y := range cands {
		xs = crossings(poly, y, false, xs[:0])
		// Widest inside stretch along this line.
		var x0, x1 float64
		w := -1.0
		for i := 0; i+1 < len(xs); i += 2 {
			if d := xs[i+1] - xs[i]; d > w {
				w, x0, x1 = d, xs[i], xs[i+1]
			}
		}
		if w <= 0 {
			continue
		}
		x := (x0 + x1) / 2
		// Height of the inside stretch through (x, y), vertically.
		h := 0.0
		xs = crossings(poly, x, true, xs[:0])
		for i := 0; i+1 < len(xs); i += 2 {
			if xs[i] <= y && y <= xs[i+1] {
				h = xs[i+1] - xs[i]
			}
		}
		if score := min(w*kx, h); score > bestScore {
			bestScore, result = score, orb.Point{x, y}
		}
	}
	return result
}

// crossings appends to xs, sorted, where the rings of poly cross the
// horizontal line at height v (vertical: the vertical line at longitude v,
// giving latitudes), with the half-open rule of Locator.
func crossings(poly orb.Polygon, v float64, vertical bool, xs []float64) []float64 {
	i0, i1 := 0, 1 // coordinate along the line, across it
	if vertical {
		i0, i1 = 1, 0
	}
	for _, r := range poly {
		n := len(r)
		for i := 0; i < n; i++ {
			a, c := r[i], r[(i+1)%n]
			if a[i1] > c[i1] {
				a, c = c, a
			}
			if a[i1] <= v && v < c[i1] {
				xs = append(xs, a[i0]+(v-a[i1])*(c[i0]-a[i0])/(c[i1]-a[i1]))
			}
		}
	}
	slices.Sort(xs)
	return xs
}
