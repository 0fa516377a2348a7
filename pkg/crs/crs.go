// Package crs converts coordinates of the coordinate reference systems found
// in German municipal data to and from WGS 84 (EPSG:4326), in pure Go.
//
// The importer stores everything as WGS 84 longitude/latitude, and the
// results must agree with PostGIS's ST_Transform (PROJ 9.1) to within 1 cm,
// so the package reproduces what PROJ does, not just what the EPSG dataset
// describes: the same projection formulas, ETRS89 taken as identical to
// WGS 84, and for the old German DHDN datum the AdV's BETA2007 grid inside
// Germany with PROJ's choice of operation per point (see dhdn.go). Over
// Germany the results agree with PostGIS to a few nanometres. Outside
// Germany, where PostGIS refuses some Gauss-Krüger coordinates as outside
// the grid, ToWGS84 returns what PROJ's cs2cs does.
//
// Axis order is always x = easting or longitude, y = northing or latitude,
// whatever order the EPSG definition gives: the GIS and GeoJSON convention
// that PostGIS also uses. Callers reading formats that follow the authority
// order (GML with EPSG:4326, WFS 2.0) swap the axes themselves.
package crs

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// CRS is a supported coordinate reference system. CRSs are immutable and
// safe for concurrent use; get them from ByEPSG or Parse.
type CRS struct {
	EPSG       int    // EPSG code, e.g. 25832
	Name       string // EPSG name, e.g. "ETRS89 / UTM zone 32N"
	Geographic bool   // coordinates are longitude and latitude in degrees, else metres

	area orb.Bound  // EPSG area of use, lon/lat
	proj projection // nil for geographic CRSs
	dhdn *dhdnDatum // nil for datums taken as WGS 84 (WGS 84 itself, ETRS89)
}

// projection converts geographic coordinates (degrees) of a CRS's datum to
// its projected coordinates (metres) and back.
type projection interface {
	forward(lon, lat float64) (x, y float64)
	inverse(x, y float64) (lon, lat float64)
}

// registry lists the supported CRSs in the order Supported reports them.
var registry = func() []*CRS {
	utm := func(code, zone int, name string, fe float64) *CRS {
		return &CRS{EPSG: code, Name: name, area: areas[code],
			proj: newTransverseMercator(grs80, float64(6*zone-183), 0.9996, fe, 0)}
	}
	gk := func(code, zone int, ops ...dhdnOp) *CRS {
		tm := newTransverseMercator(bessel, float64(3*zone), 1, float64(zone)*1e6+500000, 0)
		return &CRS{EPSG: code, Name: fmt.Sprintf("DHDN / 3-degree Gauss-Kruger zone %d", zone),
			area: areas[code], proj: tm, dhdn: newDHDNDatum(tm, ops...)}
	}
	return []*CRS{
		{EPSG: 4326, Name: "WGS 84", Geographic: true, area: areas[4326]},
		{EPSG: 4258, Name: "ETRS89", Geographic: true, area: areas[4258]},
		{EPSG: 3857, Name: "WGS 84 / Pseudo-Mercator", area: areas[3857], proj: webMercator{}},
		utm(25831, 31, "ETRS89 / UTM zone 31N", 500000),
		utm(25832, 32, "ETRS89 / UTM zone 32N", 500000),
		utm(25833, 33, "ETRS89 / UTM zone 33N", 500000),
		utm(4647, 32, "ETRS89 / UTM zone 32N (zE-N)", 32500000),
		utm(5650, 33, "ETRS89 / UTM zone 33N (zE-N)", 33500000),
		{EPSG: 3035, Name: "ETRS89-extended / LAEA Europe", area: areas[3035],
			proj: newLambertAzimuthal(grs80, 52, 10, 4321000, 3210000)},
		// PROJ's candidate operations for each zone: those whose area of
		// use intersects the zone's.
		gk(31466, 2, dhdnBETA2007, dhdnWest),
		gk(31467, 3, dhdnBETA2007, dhdnWest, dhdnEast),
		gk(31468, 4, dhdnBETA2007, dhdnWest, dhdnEast),
		gk(31469, 5, dhdnBETA2007, dhdnWest),
	}
}()

// areas are the EPSG areas of use (bounding boxes, as `projinfo` prints
// them) of the supported CRSs.
var areas = map[int]orb.Bound{
	4326:  bound(-180, -90, 180, 90),
	4258:  bound(-16.1, 32.88, 40.18, 84.73),
	3857:  bound(-180, -85.06, 180, 85.06),
	25831: bound(0, 37, 6.01, 82.45),
	25832: bound(6, 38.76, 12.01, 84.33),
	25833: bound(12, 46.4, 18.01, 84.42),
	4647:  bound(6, 47.27, 12, 55.47),
	5650:  bound(11.57, 47.46, 15.04, 55.03),
	3035:  bound(-35.58, 24.6, 44.83, 84.73),
	31466: bound(5.86, 49.11, 7.5, 53.81),
	31467: bound(7.5, 47.27, 10.51, 55.09),
	31468: bound(10.5, 47.39, 13.51, 54.59),
	31469: bound(13.5, 48.51, 13.84, 48.98),
}

// ByEPSG returns the CRS with the given EPSG code, or an error listing the
// supported codes.
func ByEPSG(code int) (*CRS, error) {
	for _, c := range registry {
		if c.EPSG == code {
			return c, nil
		}
	}
	return nil, unsupported("EPSG:" + strconv.Itoa(code))
}

// Supported returns the EPSG codes of the supported CRSs.
func Supported() []int {
	codes := make([]int, len(registry))
	for i, c := range registry {
		codes[i] = c.EPSG
	}
	return codes
}

func unsupported(name string) error {
	list := make([]string, len(registry))
	for i, c := range registry {
		list[i] = c.String()
	}
	return fmt.Errorf("coordinate system %q is not supported; supported: %s", name, strings.Join(list, ", "))
}

// The spellings of an EPSG code found in GeoJSON, GML, WFS and shapefile
// sidecars; the version part of the URN and URL forms is ignored.
var epsgName = regexp.MustCompile(`^(?:epsg:|urn:(?:x-)?ogc:def:crs:epsg:[0-9.]*:|https?://www\.opengis\.net/def/crs/epsg/[0-9.]+/|http://www\.opengis\.net/gml/srs/epsg\.xml#)?([0-9]{1,9})$`)

// OGC's CRS84 is WGS 84 in longitude/latitude order, which is our axis order
// for EPSG:4326 anyway.
var crs84Name = regexp.MustCompile(`^(?:(?:ogc:)?crs84|urn:ogc:def:crs:ogc:(?:1\.3)?:crs84|https?://www\.opengis\.net/def/crs/ogc/1\.3/crs84)$`)

// Parse returns the CRS named by an EPSG code in one of the usual spellings:
// "EPSG:25833", "25833", "urn:ogc:def:crs:EPSG::25833",
// "urn:ogc:def:crs:EPSG:6.6:25833", "http://www.opengis.net/def/crs/EPSG/0/25833"
// (also https), or OGC's CRS84 ("CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84",
// "http://www.opengis.net/def/crs/OGC/1.3/CRS84"), which is EPSG:4326.
// The older "urn:x-ogc:def:crs:EPSG:…" and
// "http://www.opengis.net/gml/srs/epsg.xml#…" of GML 2 and WFS 1.0 are
// accepted too. Case and surrounding spaces do not matter.
func Parse(name string) (*CRS, error) {
	s := strings.ToLower(strings.TrimSpace(name))
	if crs84Name.MatchString(s) {
		return ByEPSG(4326)
	}
	m := epsgName.FindStringSubmatch(s)
	if m == nil {
		return nil, unsupported(name)
	}
	code, _ := strconv.Atoi(m[1])
	c, err := ByEPSG(code)
	if err != nil {
		return nil, unsupported(name)
	}
	return c, nil
}

// String returns the CRS as "EPSG:<code>".
func (c *CRS) String() string { return "EPSG:" + strconv.Itoa(c.EPSG) }

// AreaOfUse returns the lon/lat box in which the EPSG dataset says the CRS
// is meant to be used, for plausibility checks of input coordinates. It is
// EPSG's box, not a hard limit: the Gauss-Krüger zones, for instance, are
// specified narrowly (zone 5 only for eastern Bavaria) but often used beyond.
func (c *CRS) AreaOfUse() orb.Bound { return c.area }

// ToWGS84 converts coordinates of c to WGS 84 longitude and latitude, as
// PostGIS's ST_Transform(…, 4326) does. It fails only for coordinates that
// are not finite or have no geographic position; it does not check
// AreaOfUse.
func (c *CRS) ToWGS84(x, y float64) (lon, lat float64, err error) {
	if !finite(x, y) {
		return 0, 0, fmt.Errorf("%s: coordinates (%v, %v) are not finite", c, x, y)
	}
	lon, lat = x, y
	if c.proj != nil {
		lon, lat = c.proj.inverse(x, y)
	}
	if !finite(lon, lat) || math.Abs(lat) > 90 {
		return 0, 0, fmt.Errorf("%s: coordinates (%v, %v) are outside the coordinate system's domain", c, x, y)
	}
	if c.dhdn != nil {
		lon, lat = c.dhdn.toWGS84(x, y, lon, lat)
	}
	return lon, lat, nil
}

// FromWGS84 converts WGS 84 longitude and latitude to coordinates of c, as
// PostGIS's ST_Transform(…, c.EPSG) does. It fails for latitudes beyond ±90°
// and for points that cannot be projected (the poles in web mercator).
func (c *CRS) FromWGS84(lon, lat float64) (x, y float64, err error) {
	if !finite(lon, lat) || math.Abs(lat) > 90 {
		return 0, 0, fmt.Errorf("%s: (%v, %v) is not a valid longitude/latitude", c, lon, lat)
	}
	x, y = lon, lat
	if c.dhdn != nil {
		x, y = c.dhdn.fromWGS84(x, y)
	}
	if c.proj != nil {
		x, y = c.proj.forward(x, y)
	}
	if !finite(x, y) {
		return 0, 0, fmt.Errorf("%s: longitude/latitude (%v, %v) cannot be projected", c, lon, lat)
	}
	return x, y, nil
}

func finite(a, b float64) bool {
	return !math.IsNaN(a) && !math.IsInf(a, 0) && !math.IsNaN(b) && !math.IsInf(b, 0)
}

// Reproject transforms polygons in place from one system to another
// through WGS84.
func Reproject(polys []orb.MultiPolygon, from, to int) error {
	src, err := ByEPSG(from)
	if err != nil {
		return err
	}
	dst, err := ByEPSG(to)
	if err != nil {
		return err
	}
	for _, mp := range polys {
		for _, p := range mp {
			for _, r := range p {
				for i, pt := range r {
					lon, lat, err := src.ToWGS84(pt[0], pt[1])
					if err != nil {
						return err
					}
					if r[i][0], r[i][1], err = dst.FromWGS84(lon, lat); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
