package interpolate

import (
	"math"

	"github.com/paulmach/orb"
)

// Areas here are those of regions whose edges are straight lines in
// longitude/latitude, measured exactly on the WGS84 ellipsoid. That is the
// edge model of GeoJSON (RFC 7946, section 3.1.1) and of the overlay, which
// cuts the units along lines straight in lon/lat, as PostGIS's geometry
// functions do. With it, the areas of the pieces of a unit add up to the
// unit's area, so Extensive keeps totals to about 1e-12. geo.Area (like
// PostGIS's geography) takes edges as geodesics instead; a lon/lat-straight
// edge of length L bows away from the geodesic by about L²·tan φ/(8R) when
// it runs east-west, so on cut edges the two models differ by up to 1e-4 of
// a small piece, and geodesic areas of the pieces miss the unit's area by
// up to 1e-5 (measured on the Berlin Planungsräume cut by a 2 km grid).

const (
	wgsA = 6378137.0         // semi-major axis, m
	wgsF = 1 / 298.257223563 // flattening
	deg  = math.Pi / 180
)

var (
	wgsE2 = wgsF * (2 - wgsF)
	wgsE  = math.Sqrt(wgsE2)
)

// authalicQ is q(φ) for s = sin φ (Snyder, Map Projections: A Working
// Manual, 3-12): the area between the equator and latitude φ over Δλ
// radians of longitude is a²/2 · q(φ) · Δλ.
func authalicQ(s float64) float64 {
	es := wgsE * s
	return (1 - wgsE2) * (s/(1-es*es) + math.Atanh(es)/wgsE)
}

// maxPanel is the latitude span (degrees) of one Simpson panel. q is so
// smooth that one panel per edge of a city's units is exact to 1e-15;
// longer edges get more panels.
const maxPanel = 0.1

// ringArea returns the signed area in m² of a closed ring with edges
// straight in lon/lat: positive when counter-clockwise. By Green's theorem
// the area is −a²/2 ∮ q(φ) dλ; along an edge λ and φ are linear in one
// parameter, and q is integrated with Simpson's rule. q is taken relative
// to its value at the first vertex (∮ dλ = 0 on a ring that encloses no
// pole), which keeps the sum precise for small rings.
func ringArea(r orb.Ring) float64 {
	if len(r) < 4 {
		return 0
	}
	q0 := authalicQ(math.Sin(r[0][1] * deg))
	q := func(lat float64) float64 { return authalicQ(math.Sin(lat*deg)) - q0 }
	sum := 0.0
	qa := 0.0 // q at the edge's start, relative to q0
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		qb := q(b[1])
		if dLon := b[0] - a[0]; dLon != 0 {
			n := max(1, int(math.Ceil(math.Abs(b[1]-a[1])/maxPanel)))
			mean := 0.0
			qs := qa
			for k := range n {
				t0, t1 := float64(k)/float64(n), float64(k+1)/float64(n)
				qe := qb
				if k < n-1 {
					qe = q(a[1] + t1*(b[1]-a[1]))
				}
				qm := q(a[1] + (t0+t1)/2*(b[1]-a[1]))
				mean += (qs + 4*qm + qe) / 6
				qs = qe
			}
			sum += dLon * mean / float64(n)
		}
		qa = qb
	}
	return -sum * deg * wgsA * wgsA / 2
}

// multiPolygonArea returns the area in m² of valid polygons: the exterior
// rings' areas less their holes'.
func multiPolygonArea(mp orb.MultiPolygon) float64 {
	total := 0.0
	for _, p := range mp {
		for i, r := range p {
			if i == 0 {
				total += math.Abs(ringArea(r))
			} else {
				total -= math.Abs(ringArea(r))
			}
		}
	}
	return total
}
