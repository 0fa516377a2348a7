package crs

import "math"

// ellipsoid is a reference ellipsoid given by its semi-major axis a (metres)
// and flattening f.
type ellipsoid struct {
	a, f float64
}

// The ellipsoids of the supported datums, with the defining constants of
// the EPSG dataset.
var (
	wgs84  = ellipsoid{a: 6378137, f: 1 / 298.257223563}   // EPSG:7030
	grs80  = ellipsoid{a: 6378137, f: 1 / 298.257222101}   // EPSG:7019, ETRS89
	bessel = ellipsoid{a: 6377397.155, f: 1 / 299.1528128} // EPSG:7004, DHDN
)

// e2 is the first eccentricity squared.
func (el ellipsoid) e2() float64 { return el.f * (2 - el.f) }

// toGeocentric converts geodetic longitude and latitude (radians) at
// ellipsoidal height h to earth-centred cartesian coordinates (EPSG Guidance
// Note 7-2, method 9602).
func (el ellipsoid) toGeocentric(lam, phi, h float64) (x, y, z float64) {
	e2 := el.e2()
	sinPhi, cosPhi := math.Sincos(phi)
	n := el.a / math.Sqrt(1-e2*sinPhi*sinPhi) // prime vertical radius
	return (n + h) * cosPhi * math.Cos(lam),
		(n + h) * cosPhi * math.Sin(lam),
		(n*(1-e2) + h) * sinPhi
}

// fromGeocentric is the inverse of toGeocentric, dropping the height. It
// iterates the latitude to convergence, which for points near the
// ellipsoid's surface takes two or three steps.
func (el ellipsoid) fromGeocentric(x, y, z float64) (lam, phi float64) {
	e2 := el.e2()
	p := math.Hypot(x, y)
	phi = math.Atan2(z, p*(1-e2))
	for range 10 {
		sinPhi := math.Sin(phi)
		n := el.a / math.Sqrt(1-e2*sinPhi*sinPhi)
		// z = (n(1-e²) + h) sin φ and p = (n + h) cos φ give
		// tan φ = z / (p - e² n cos φ).
		next := math.Atan2(z, p-e2*n*math.Cos(phi))
		if math.Abs(next-phi) < 1e-14 {
			phi = next
			break
		}
		phi = next
	}
	return math.Atan2(y, x), phi
}
