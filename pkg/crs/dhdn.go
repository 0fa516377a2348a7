package crs

import (
	_ "embed"
	"math"

	"github.com/paulmach/orb"
)

// BETA2007.gsb is the AdV's NTv2 grid DHDN → ETRS89 for Germany
// ("Bundeseinheitliche Transformation für ATKIS", distributed by the BKG;
// licence: "Free redistribution is allowed and welcome"), copied unchanged
// from Debian's proj-data package (/usr/share/proj/BETA2007.gsb). See
// README.md.
//
//go:embed BETA2007.gsb
var beta2007Data []byte

var beta2007 = func() *ntv2Grid {
	g, err := parseNTv2(beta2007Data)
	if err != nil {
		panic("crs: embedded BETA2007.gsb: " + err.Error())
	}
	return g
}()

// helmert is a seven-parameter similarity transformation of geocentric
// coordinates in the position vector convention (EPSG method 1033/9606, EPSG
// Guidance Note 7-2), with the rotation matrix linearised for small angles as
// in PROJ's helmert (without +exact). Translations are in metres, rotations
// in arc-seconds, the scale difference in parts per million.
type helmert struct {
	tx, ty, tz, rx, ry, rz, ppm float64
}

func (h *helmert) forward(x, y, z float64) (float64, float64, float64) {
	rx, ry, rz, m := h.rx*arcSecond, h.ry*arcSecond, h.rz*arcSecond, 1+h.ppm*1e-6
	return h.tx + m*(x-rz*y+ry*z),
		h.ty + m*(rz*x+y-rx*z),
		h.tz + m*(-ry*x+rx*y+z)
}

// inverse undoes forward with the transposed rotation matrix, as PROJ does.
// With the linearised matrix that is not an exact inverse: for DHDN a round
// trip is off by up to 0.8 mm. Agreeing with PROJ matters more.
func (h *helmert) inverse(x, y, z float64) (float64, float64, float64) {
	rx, ry, rz, m := h.rx*arcSecond, h.ry*arcSecond, h.rz*arcSecond, 1+h.ppm*1e-6
	x, y, z = (x-h.tx)/m, (y-h.ty)/m, (z-h.tz)/m
	return x + rz*y - ry*z,
		-rz*x + y + rx*z,
		ry*x - rx*y + z
}

// dhdnOp is one of the operations PROJ 9.1 considers for DHDN → WGS 84 (EPSG
// dataset 10.076): its EPSG area of use (a lon/lat box), its accuracy in
// metres and either a Helmert transformation (from Bessel to WGS 84
// geocentric coordinates; heights are taken as zero and dropped) or, when
// helmert is nil, the BETA2007 grid (ETRS89 being taken as WGS 84 like PROJ's
// null transformation "ETRS89 to WGS 84 (1)").
type dhdnOp struct {
	name     string
	area     orb.Bound
	accuracy float64
	helmert  *helmert
}

var (
	dhdnBETA2007 = dhdnOp{"DHDN to WGS 84 (4), EPSG:15949 (BETA2007 grid)",
		bound(5.86, 47.27, 15.04, 55.09), 1, nil}
	dhdnWest = dhdnOp{"DHDN to WGS 84 (2), EPSG:1777",
		bound(5.86, 47.27, 13.84, 55.09), 3, &helmert{598.1, 73.7, 418.2, 0.202, 0.045, -2.455, 6.7}}
	dhdnEast = dhdnOp{"DHDN to WGS 84 (3), EPSG:15869",
		bound(9.92, 50.2, 15.04, 54.74), 2, &helmert{612.4, 77, 440.2, -0.054, 0.057, -2.797, 2.55}}
)

// apply converts DHDN longitude and latitude (degrees) to WGS 84, or WGS 84
// to DHDN if inverse is set. It fails only with the grid, outside it.
func (op *dhdnOp) apply(lon, lat float64, inverse bool) (float64, float64, bool) {
	lam, phi := lon*math.Pi/180, lat*math.Pi/180
	ok := true
	switch {
	case op.helmert == nil && !inverse:
		lam, phi, ok = beta2007.forward(lam, phi)
	case op.helmert == nil:
		lam, phi, ok = beta2007.inverse(lam, phi)
	case !inverse:
		lam, phi = wgs84.fromGeocentric(op.helmert.forward(bessel.toGeocentric(lam, phi, 0)))
	default:
		lam, phi = bessel.fromGeocentric(op.helmert.inverse(wgs84.toGeocentric(lam, phi, 0)))
	}
	return lam * 180 / math.Pi, phi * 180 / math.Pi, ok
}

// dhdnDatum converts between the DHDN datum of one Gauss-Krüger CRS and
// WGS 84, choosing per point among ops exactly as PROJ's proj_trans does
// for a transformation built by proj_create_crs_to_crs (which is what
// PostGIS's ST_Transform uses):
//
//  1. Among the operations whose area of use contains the point, take the
//     most accurate one. The test is made on the input coordinates against
//     the area's bounding box expressed in the input CRS: for projected
//     input, the box of the area's boundary projected at 21 points per edge.
//  2. If it fails (the grid does not cover the point), exclude it and retry.
//  3. If no area contains the point, use the first operation without a grid:
//     the Helmert transformation "DHDN to WGS 84 (2)".
//
// In practice: the BETA2007 grid inside Germany's box, the Helmert
// transformation outside. The areas are boxes, not Germany's outline, and
// the box of projected input is larger than the lon/lat box, so the switch
// is not at the same place in both directions: a point just outside the
// lon/lat box converted to Gauss-Krüger with the Helmert parameters may come
// back through the grid, 0.1 to 3 m away. That is PROJ's (and PostGIS's)
// behaviour too, and the price of agreeing with them.
//
// One difference remains: for projected input inside the projected box but
// off the grid (always outside Germany, near the box's corners: at sea north
// of 55.3°N or near Bornholm, or in the neighbouring countries) proj_trans
// falls back to a Helmert transformation, while PostGIS reports "Coordinate
// to transform falls outside grid" (its check of the PROJ error state is
// stricter than proj_trans). We return proj_trans's (and cs2cs's) value.
type dhdnDatum struct {
	ops     []dhdnOp    // PROJ's candidates for this CRS, in PROJ's order
	area    []orb.Bound // ops' areas of use in lon/lat
	projBox []orb.Bound // the same in the CRS's projected coordinates
}

func newDHDNDatum(tm *transverseMercator, ops ...dhdnOp) *dhdnDatum {
	d := &dhdnDatum{ops: ops}
	for _, op := range ops {
		d.area = append(d.area, op.area)
		d.projBox = append(d.projBox, projectBound(tm, op.area))
	}
	return d
}

// toWGS84 converts DHDN lon, lat (degrees), obtained from the projected
// coordinates x, y, to WGS 84.
func (d *dhdnDatum) toWGS84(x, y, lon, lat float64) (float64, float64) {
	return d.transform(d.projBox, orb.Point{x, y}, lon, lat, false)
}

// fromWGS84 converts WGS 84 lon, lat (degrees) to DHDN. The areas of use
// are tested against the WGS 84 coordinates, as PROJ does for a
// transformation from EPSG:4326.
func (d *dhdnDatum) fromWGS84(lon, lat float64) (float64, float64) {
	return d.transform(d.area, orb.Point{lon, lat}, lon, lat, true)
}

// transform implements the selection described at dhdnDatum, testing p
// against boxes and converting lon, lat.
func (d *dhdnDatum) transform(boxes []orb.Bound, p orb.Point, lon, lat float64, inverse bool) (float64, float64) {
	var tried uint64 // bit i: ops[i] failed
	for range len(d.ops) {
		best := -1
		for i := range d.ops {
			if tried&(1<<i) == 0 && boxes[i].Contains(p) && (best < 0 || d.ops[i].accuracy < d.ops[best].accuracy) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		if x, y, ok := d.ops[best].apply(lon, lat, inverse); ok {
			return x, y
		}
		tried |= 1 << best
	}
	for i := range d.ops {
		if d.ops[i].helmert != nil {
			x, y, _ := d.ops[i].apply(lon, lat, inverse)
			return x, y
		}
	}
	panic("crs: no DHDN operation without a grid")
}

// projectBound returns the bounding box in projected coordinates of a
// lon/lat box, sampling each edge at 21 points like PROJ does when it
// prepares the candidate operations (reproject_bbox in PROJ 9.1).
func projectBound(tm *transverseMercator, b orb.Bound) orb.Bound {
	const steps = 20
	w, s, e, n := b.Min[0], b.Min[1], b.Max[0], b.Max[1]
	stepLon, stepLat := (e-w)/steps, (n-s)/steps
	out := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for j := 0; j <= steps; j++ {
		lon, lat := w+float64(j)*stepLon, s+float64(j)*stepLat
		for _, p := range [4][2]float64{{lon, s}, {lon, n}, {w, lat}, {e, lat}} {
			x, y := tm.forward(p[0], p[1])
			out = out.Extend(orb.Point{x, y})
		}
	}
	return out
}

func bound(w, s, e, n float64) orb.Bound {
	return orb.Bound{Min: orb.Point{w, s}, Max: orb.Point{e, n}}
}
