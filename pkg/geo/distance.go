// Package geo provides the geodesic measures and the point-in-area
// assignment used by the indicator engine: distances between offers and
// population carriers (2SFCA), the area of a unit (offers per km²), and
// which unit a point lies in (offers per unit).
//
// All coordinates are WGS84 longitude/latitude in degrees (orb.Point{lon, lat}).
// Measures are computed on the WGS84 ellipsoid and agree with PostGIS
// ST_Distance/ST_Area on geography (use_spheroid = true).
package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// WGS84 ellipsoid (the one PostGIS uses for SRID 4326).
const (
	wgsA  = 6378137.0         // semi-major axis in metres
	wgsF  = 1 / 298.257223563 // flattening
	wgsB  = wgsA * (1 - wgsF) // semi-minor axis in metres
	wgsE2 = wgsF * (2 - wgsF) // first eccentricity squared
	oneE2 = 1 - wgsE2         // 1 - e²
	ep2   = wgsE2 / oneE2     // second eccentricity squared
	deg   = math.Pi / 180     // radians per degree
)

// chordLimit is the chord length in metres up to which Distance uses the
// short-distance chord method; longer distances go to Vincenty's inverse
// formula. At 500 km the chord method is still better than 1e-9 relative;
// the limit only keeps it inside the range it was verified for.
const chordLimit = 500e3

// Distance returns the geodesic distance in metres between a and b
// (lon/lat in degrees) on the WGS84 ellipsoid.
//
// Why this formula: the indicator engine (2SFCA) calls Distance tens of
// millions of times, almost always for points less than a few tens of
// kilometres apart. For those it uses an exact chord plus a curvature
// correction instead of an iterative geodesic solver:
//
//  1. Both points are converted to Earth-centred Cartesian coordinates
//     (ECEF) and the straight-line chord c between them is taken; this is
//     exact.
//  2. The geodesic is a curve on the ellipsoid whose curvature equals the
//     normal curvature 1/R of the ellipsoid in the direction of travel
//     (Euler: 1/R = cos²α/M + sin²α/N, evaluated at the mid-latitude and
//     mid-azimuth, where M and N are the meridional and prime-vertical radii).
//     For a curve of radius R the arc length over a chord is
//     s = 2R·asin(c/2R) = c·(1 + c²/(24R²) + 3c⁴/(640R⁴) + …).
//     The correction is only 1e-5 of s at 100 km, so evaluating R at the
//     midpoint (errors of order e²·(s/R)² in R) leaves a relative error
//     below 1e-10 up to 100 km and about 1e-9 at 500 km.
//
// It needs three sincos, four square roots and no iteration, which makes it
// several times faster than Vincenty's or Karney's inverse solution while
// agreeing with them (and with PostGIS ST_Distance on geography, which uses
// Karney's GeographicLib) to about 1e-9 relative. For chords longer than
// 500 km Distance uses Vincenty's inverse formula, accurate to well under a
// millimetre except within about a degree of the antipode, where its
// iteration does not converge; there the result after 200 iterations is
// returned, which can be off by up to 0.02 % (no municipal distance comes
// near that case).
//
// Distance does not allocate and is safe for concurrent use.
func Distance(a, b orb.Point) float64 {
	if a == b {
		return 0
	}
	lat1, lat2 := a[1]*deg, b[1]*deg
	dlon := (b[0] - a[0]) * deg
	s1, c1 := math.Sincos(lat1)
	s2, c2 := math.Sincos(lat2)
	sd, cd := math.Sincos(dlon)
	n1 := wgsA / math.Sqrt(1-wgsE2*s1*s1)
	n2 := wgsA / math.Sqrt(1-wgsE2*s2*s2)
	// ECEF coordinates in a frame rotated so that a lies at longitude 0;
	// only the difference in longitude matters, and it keeps dx accurate.
	dx := n2*c2*cd - n1*c1
	dy := n2 * c2 * sd
	dz := n2*oneE2*s2 - n1*oneE2*s1
	c := math.Sqrt(dx*dx + dy*dy + dz*dz)
	if c > chordLimit {
		return vincenty(a, b)
	}
	// Normal curvature k = 1/R at the mid-point in the direction of the
	// chord. Mid-point sine and cosine are taken as the means of the end
	// points' ones: the error, of order Δφ², changes R by less than 1e-5
	// of itself, which changes the result by less than 1e-10.
	sm, cm := (s1+s2)/2, (c1+c2)/2
	w2 := 1 - wgsE2*sm*sm
	q := w2 / oneE2              // N/M, prime-vertical over meridional radius
	invN := math.Sqrt(w2) / wgsA // 1/N
	north := lat2 - lat1         // northward offset in units of M
	if dlon > math.Pi {          // shortest way round for the azimuth
		dlon -= 2 * math.Pi
	} else if dlon < -math.Pi {
		dlon += 2 * math.Pi
	}
	east := q * cm * dlon // eastward offset in units of M
	h2 := north*north + east*east
	k := invN * q // 1/M, due north or south
	if h2 != 0 {
		// Euler: 1/R = cos²α/M + sin²α/N with α the azimuth.
		k = invN * (north*north*q + east*east) / h2
	}
	k2 := k * k
	t := c * c * k2
	return c * (1 + t*(1.0/24+t*(3.0/640)))
}

// vincenty solves the inverse geodesic problem with Vincenty's (1975)
// iteration. Used for long distances only.
func vincenty(a, b orb.Point) float64 {
	const f = wgsF
	L := (b[0] - a[0]) * deg
	// Normalise the longitude difference to (-π, π].
	L = math.Remainder(L, 2*math.Pi)
	u1 := math.Atan((1 - f) * math.Tan(a[1]*deg))
	u2 := math.Atan((1 - f) * math.Tan(b[1]*deg))
	su1, cu1 := math.Sincos(u1)
	su2, cu2 := math.Sincos(u2)
	lambda := L
	var sinSigma, cosSigma, sigma, cos2Alpha, cos2SigmaM float64
	for i := 0; i < 200; i++ {
		sl, cl := math.Sincos(lambda)
		t1 := cu2 * sl
		t2 := cu1*su2 - su1*cu2*cl
		sinSigma = math.Sqrt(t1*t1 + t2*t2)
		if sinSigma == 0 {
			return 0 // coincident points
		}
		cosSigma = su1*su2 + cu1*cu2*cl
		sigma = math.Atan2(sinSigma, cosSigma)
		sinAlpha := cu1 * cu2 * sl / sinSigma
		cos2Alpha = 1 - sinAlpha*sinAlpha
		if cos2Alpha != 0 {
			cos2SigmaM = cosSigma - 2*su1*su2/cos2Alpha
		} else {
			cos2SigmaM = 0 // equatorial line
		}
		C := f / 16 * cos2Alpha * (4 + f*(4-3*cos2Alpha))
		prev := lambda
		lambda = L + (1-C)*f*sinAlpha*(sigma+C*sinSigma*(cos2SigmaM+C*cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)))
		if math.Abs(lambda-prev) < 1e-13 {
			break
		}
	}
	u2sq := cos2Alpha * ep2
	A := 1 + u2sq/16384*(4096+u2sq*(-768+u2sq*(320-175*u2sq)))
	B := u2sq / 1024 * (256 + u2sq*(-128+u2sq*(74-47*u2sq)))
	deltaSigma := B * sinSigma * (cos2SigmaM + B/4*(cosSigma*(-1+2*cos2SigmaM*cos2SigmaM)-
		B/6*cos2SigmaM*(-3+4*sinSigma*sinSigma)*(-3+4*cos2SigmaM*cos2SigmaM)))
	return wgsB * A * (sigma - deltaSigma)
}
