package crs

import "math"

// webMercator is the "Popular Visualisation Pseudo Mercator" projection of
// EPSG:3857 (EPSG method 1024, EPSG Guidance Note 7-2): WGS 84 longitude and
// latitude are projected with the spherical Mercator formulas on a sphere of
// radius a = 6378137 m, without any datum change.
type webMercator struct{}

const webMercatorRadius = 6378137

func (webMercator) forward(lon, lat float64) (x, y float64) {
	lam := normalizeAngle(lon * math.Pi / 180)
	phi := lat * math.Pi / 180
	if math.Abs(phi) > math.Pi/2-1e-10 {
		return math.Inf(1), math.Inf(1) // the poles are at infinity
	}
	return webMercatorRadius * lam, webMercatorRadius * math.Asinh(math.Tan(phi))
}

func (webMercator) inverse(x, y float64) (lon, lat float64) {
	return normalizeAngle(x/webMercatorRadius) * 180 / math.Pi,
		math.Atan(math.Sinh(y/webMercatorRadius)) * 180 / math.Pi
}
