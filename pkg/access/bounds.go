package access

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// WGS84 ellipsoid, as geo.Distance uses it.
const (
	wgsA  = 6378137.0
	wgsF  = 1 / 298.257223563
	wgsE2 = wgsF * (2 - wgsF)
	deg   = math.Pi / 180

	// mMin is the smallest meridional radius of curvature, M(0) = a(1-e²).
	// Moving dφ radians in latitude costs at least mMin·dφ metres anywhere.
	mMin = wgsA * (1 - wgsE2)

	// slack widens every pruning test by a relative 1e-8 so that a point is
	// never dropped because geo.Distance (about 1e-9 relative to the exact
	// geodesic) or the rounding of the bound lands on the other side of a
	// limit. It costs nothing measurable and keeps Within and
	// NearestDistance identical to a brute-force loop over geo.Distance.
	slack = 1e-8
)

// Why these bounds hold. On the ellipsoid a path element has length
// ds² = M(φ)²dφ² + r(φ)²dλ², with M the meridional radius of curvature and
// r(φ) = N(φ)cos φ the radius of the parallel. M ≥ mMin everywhere; r falls
// with |φ|. A path of length L starting at latitude φq never leaves the band
// |φ| ≤ |φq| + L/mMin, so on it r ≥ rho(φq, L) := r(|φq| + L/mMin).
// Minkowski's inequality for integrals then gives, for the geodesic of
// length L from q to p,
//
//	L ≥ sqrt((mMin·Δφ)² + (rho·Δλ)²)
//
// with Δφ, Δλ the latitude and (shortest, across the antimeridian too)
// longitude differences. For a lon/lat box, Δφ and Δλ are the gaps from q
// to the box, which bounds every point in it. The bound with rho(φq, C) is
// valid for every geodesic no longer than C; min(C, bound) is valid always.

// parallelRadius returns r(φ) = N(φ)cos φ for |φ| in radians, 0 at or
// beyond the pole.
func parallelRadius(absLat float64) float64 {
	if absLat >= math.Pi/2 {
		return 0
	}
	s, c := math.Sincos(absLat)
	return wgsA * c / math.Sqrt(1-wgsE2*s*s)
}

// rho returns the smallest parallel radius a path of length at most c
// starting at latitude lat (degrees) can meet.
func rho(lat, c float64) float64 {
	return parallelRadius(math.Abs(lat)*deg + c*(1+slack)/mMin)
}

// lonGap returns the longitude difference in degrees from lon to the
// interval [lo, hi] (all in [-180, 180]), going either way round the
// globe; 0 inside.
func lonGap(lon, lo, hi float64) float64 {
	switch {
	case lon < lo:
		return min(lo-lon, lon-hi+360) // east to lo, or west round to hi
	case lon > hi:
		return min(lon-hi, lo-lon+360) // west to hi, or east round to lo
	}
	return 0
}

// boxLowerBound returns a lower bound in metres of the geodesic distance
// from (lon, lat) to any point of the box, valid for geodesics no longer
// than the length r was computed for (see rho).
func boxLowerBound(lon, lat, r float64, bmin, bmax [2]float64) float64 {
	var dlat float64
	if lat < bmin[1] {
		dlat = bmin[1] - lat
	} else if lat > bmax[1] {
		dlat = lat - bmax[1]
	}
	x := mMin * dlat * deg
	y := r * lonGap(lon, bmin[0], bmax[0]) * deg
	return math.Sqrt(x*x + y*y)
}

// searchBoxes returns one or two lon/lat boxes that together contain every
// point within geodesic distance d of q: two when the circle crosses the
// antimeridian, one spanning all longitudes when it reaches a pole.
func searchBoxes(q orb.Point, d float64, buf [][2][2]float64) [][2][2]float64 {
	buf = buf[:0]
	dlat := d * (1 + slack) / mMin / deg
	latLo, latHi := max(q[1]-dlat, -90), min(q[1]+dlat, 90)
	r := rho(q[1], d)
	if r == 0 {
		return append(buf, [2][2]float64{{-180, latLo}, {180, latHi}})
	}
	dlon := d * (1 + slack) / r / deg
	if dlon >= 180 {
		return append(buf, [2][2]float64{{-180, latLo}, {180, latHi}})
	}
	lo, hi := q[0]-dlon, q[0]+dlon
	switch {
	case lo < -180:
		buf = append(buf, [2][2]float64{{-180, latLo}, {hi, latHi}})
		buf = append(buf, [2][2]float64{{lo + 360, latLo}, {180, latHi}})
	case hi > 180:
		buf = append(buf, [2][2]float64{{lo, latLo}, {180, latHi}})
		buf = append(buf, [2][2]float64{{-180, latLo}, {hi - 360, latHi}})
	default:
		buf = append(buf, [2][2]float64{{lo, latLo}, {hi, latHi}})
	}
	return buf
}

// checkPoints reports the first point that is not a WGS84 lon/lat pair.
func checkPoints(what string, pts []orb.Point) error {
	if len(pts) > math.MaxInt32 {
		return fmt.Errorf("access: %d %s points, at most %d supported", len(pts), what, math.MaxInt32)
	}
	for i, p := range pts {
		switch {
		case math.IsNaN(p[0]) || math.IsNaN(p[1]):
			return fmt.Errorf("access: %s point %d: coordinate is NaN", what, i)
		case p[0] < -180 || p[0] > 180:
			return fmt.Errorf("access: %s point %d: longitude %g outside [-180, 180]", what, i, p[0])
		case p[1] < -90 || p[1] > 90:
			return fmt.Errorf("access: %s point %d: latitude %g outside [-90, 90]", what, i, p[1])
		}
	}
	return nil
}
