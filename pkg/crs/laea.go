package crs

import "math"

// lambertAzimuthal is the oblique ellipsoidal Lambert Azimuthal Equal Area
// projection (EPSG method 9820), with the formulas of EPSG Guidance Note 7-2
// (IOGP 373-7-2). The inverse uses the Guidance Note's series for the
// latitude from the authalic latitude, which is also what PROJ evaluates.
type lambertAzimuthal struct {
	lon0, fe, fn float64 // radians, metres
	lat0Deg      float64
	e, e2        float64
	qp           float64 // q at the pole
	rq           float64 // radius of the authalic sphere
	d            float64 // the Guidance Note's D
	sinB0, cosB0 float64 // authalic latitude of the origin
	c2, c4, c6   float64 // series coefficients for φ(β)
}

func newLambertAzimuthal(el ellipsoid, lat0Deg, lon0Deg, fe, fn float64) *lambertAzimuthal {
	e2 := el.e2()
	p := &lambertAzimuthal{lon0: lon0Deg * math.Pi / 180, lat0Deg: lat0Deg, fe: fe, fn: fn, e2: e2, e: math.Sqrt(e2)}
	phi0 := lat0Deg * math.Pi / 180
	p.qp = p.q(1)
	p.rq = el.a * math.Sqrt(p.qp/2)
	p.sinB0 = p.q(math.Sin(phi0)) / p.qp
	p.cosB0 = math.Sqrt(1 - p.sinB0*p.sinB0)
	sinPhi0, cosPhi0 := math.Sincos(phi0)
	p.d = el.a * (cosPhi0 / math.Sqrt(1-e2*sinPhi0*sinPhi0)) / (p.rq * p.cosB0)
	e4, e6 := e2*e2, e2*e2*e2
	p.c2 = e2/3 + 31*e4/180 + 517*e6/5040
	p.c4 = 23*e4/360 + 251*e6/3780
	p.c6 = 761 * e6 / 45360
	return p
}

// q is the Guidance Note's q for sin φ = s.
func (p *lambertAzimuthal) q(s float64) float64 {
	es := p.e * s
	return (1 - p.e2) * (s/(1-es*es) - math.Log((1-es)/(1+es))/(2*p.e))
}

func (p *lambertAzimuthal) forward(lon, lat float64) (x, y float64) {
	lam := normalizeAngle(lon*math.Pi/180 - p.lon0)
	sinB := p.q(math.Sin(lat*math.Pi/180)) / p.qp
	sinB = math.Max(-1, math.Min(1, sinB))
	cosB := math.Sqrt(1 - sinB*sinB)
	sinLam, cosLam := math.Sincos(lam)
	b := p.rq * math.Sqrt(2/(1+p.sinB0*sinB+p.cosB0*cosB*cosLam))
	return p.fe + b*p.d*cosB*sinLam,
		p.fn + b/p.d*(p.cosB0*sinB-p.sinB0*cosB*cosLam)
}

func (p *lambertAzimuthal) inverse(x, y float64) (lon, lat float64) {
	de, dn := x-p.fe, y-p.fn
	rho := math.Hypot(de/p.d, p.d*dn)
	if rho == 0 {
		return p.lon0 * 180 / math.Pi, p.lat0Deg
	}
	c := 2 * math.Asin(math.Min(1, rho/(2*p.rq)))
	sinC, cosC := math.Sincos(c)
	beta := math.Asin(math.Max(-1, math.Min(1, cosC*p.sinB0+p.d*dn*sinC*p.cosB0/rho)))
	lam := math.Atan2(de*sinC, p.d*rho*p.cosB0*cosC-p.d*p.d*dn*p.sinB0*sinC)
	return normalizeAngle(lam+p.lon0) * 180 / math.Pi, (beta + p.series(beta)) * 180 / math.Pi
}

// series returns φ − β for the authalic latitude β.
func (p *lambertAzimuthal) series(beta float64) float64 {
	return p.c2*math.Sin(2*beta) + p.c4*math.Sin(4*beta) + p.c6*math.Sin(6*beta)
}
