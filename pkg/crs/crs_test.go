package crs

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want int
	}{
		{"EPSG prefix", "EPSG:25833", 25833},
		{"lower case", "epsg:25833", 25833},
		{"bare code", "25833", 25833},
		{"spaces", "  EPSG:31467 ", 31467},
		{"URN without version", "urn:ogc:def:crs:EPSG::25833", 25833},
		{"URN with version", "urn:ogc:def:crs:EPSG:6.6:25833", 25833},
		{"URN x-ogc", "urn:x-ogc:def:crs:EPSG:6.3:4258", 4258},
		{"URL", "http://www.opengis.net/def/crs/EPSG/0/25833", 25833},
		{"URL https", "https://www.opengis.net/def/crs/EPSG/0/25833", 25833},
		{"GML srs URL", "http://www.opengis.net/gml/srs/epsg.xml#25832", 25832},
		{"CRS84 URN", "urn:ogc:def:crs:OGC:1.3:CRS84", 4326},
		{"CRS84 URN without version", "urn:ogc:def:crs:OGC::CRS84", 4326},
		{"CRS84 URL", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326},
		{"CRS84 URL https", "https://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326},
		{"CRS84", "CRS84", 4326},
		{"OGC:CRS84", "OGC:CRS84", 4326},
		{"web mercator", "EPSG:3857", 3857},
		{"zone-prefixed UTM", "EPSG:4647", 4647},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if c.EPSG != tc.want {
				t.Errorf("Parse(%q) = %s, want EPSG:%d", tc.in, c, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"unsupported code", "EPSG:2154"},
		{"unsupported bare code", "2154"},
		{"no code", "EPSG:"},
		{"double colon", "EPSG::25832"},
		{"letters", "EPSG:abc"},
		{"trailing garbage", "EPSG:25832x"},
		{"negative", "EPSG:-25832"},
		{"URN missing version field", "urn:ogc:def:crs:EPSG:25832"},
		{"other authority", "ESRI:102100"},
		{"CRS83", "urn:ogc:def:crs:OGC:1.3:CRS83"},
		{"PROJ string", "+proj=longlat +datum=WGS84"},
		{"huge number", "EPSG:99999999999999999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want an error", tc.in, c)
			}
			want := fmt.Sprintf("coordinate system %q is not supported; supported: EPSG:4326, ", tc.in)
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Parse(%q) error = %q, want it to start with %q", tc.in, err, want)
			}
		})
	}
}

func TestByEPSG(t *testing.T) {
	codes := Supported()
	if len(codes) < 13 {
		t.Fatalf("Supported() = %v, want at least 13 codes", codes)
	}
	for _, code := range codes {
		c, err := ByEPSG(code)
		if err != nil {
			t.Fatalf("ByEPSG(%d): %v", code, err)
		}
		if got, want := c.String(), fmt.Sprintf("EPSG:%d", code); got != want {
			t.Errorf("ByEPSG(%d).String() = %q, want %q", code, got, want)
		}
		if c.Name == "" || c.AreaOfUse().IsEmpty() {
			t.Errorf("%s: got name %q and area %v, want both set", c, c.Name, c.AreaOfUse())
		}
	}
	_, err := ByEPSG(2154)
	want := "coordinate system \"EPSG:2154\" is not supported; supported: EPSG:4326, EPSG:4258, EPSG:3857, EPSG:25831, EPSG:25832, EPSG:25833, EPSG:4647, EPSG:5650, EPSG:3035, EPSG:31466, EPSG:31467, EPSG:31468, EPSG:31469"
	if err == nil || err.Error() != want {
		t.Errorf("ByEPSG(2154) error = %v, want %q", err, want)
	}
}

// groundDistance is the distance in metres between two nearby lon/lat points.
func groundDistance(lon1, lat1, lon2, lat2 float64) float64 {
	const r = 6378137.0
	dx := (lon2 - lon1) * math.Pi / 180 * r * math.Cos(lat1*math.Pi/180)
	dy := (lat2 - lat1) * math.Pi / 180 * r
	return math.Hypot(dx, dy)
}

// coordDistance is the distance in metres between two nearby points of c at
// latitude lat: on the ground for geographic CRSs and web mercator, on the
// map (within 2 % of the ground) for the others.
func coordDistance(c *CRS, x1, y1, x2, y2, lat float64) float64 {
	switch {
	case c.Geographic:
		return groundDistance(x1, y1, x2, y2)
	case c.EPSG == 3857:
		return math.Hypot(x2-x1, y2-y1) * math.Cos(lat*math.Pi/180)
	}
	return math.Hypot(x2-x1, y2-y1)
}

func TestRoundTrip(t *testing.T) {
	// A lattice over Germany, inside the area of use of the BETA2007 grid,
	// where both directions use the grid for DHDN; plus points outside it
	// for every Gauss-Krüger zone, where both use the Helmert transformation
	// (whose inverse, like PROJ's, is only good to 0.8 mm). LAEA's inverse
	// series, also PROJ's, is good to 0.5 mm.
	var points [][2]float64
	for lon := 5.9; lon <= 15; lon += 0.25 {
		for lat := 47.3; lat <= 55.05; lat += 0.25 {
			points = append(points, [2]float64{lon, lat})
		}
	}
	points = append(points, [2]float64{4, 51}, [2]float64{10, 56.5}, [2]float64{17.5, 50}, [2]float64{13.4, 52.5})
	for _, code := range Supported() {
		c, _ := ByEPSG(code)
		t.Run(c.String(), func(t *testing.T) {
			var worst float64
			for _, p := range points {
				x, y, err := c.FromWGS84(p[0], p[1])
				if err != nil {
					t.Fatalf("FromWGS84(%v, %v): %v", p[0], p[1], err)
				}
				lon, lat, err := c.ToWGS84(x, y)
				if err != nil {
					t.Fatalf("ToWGS84(%v, %v): %v", x, y, err)
				}
				d := groundDistance(p[0], p[1], lon, lat)
				if d > 0.001 {
					t.Errorf("ToWGS84(FromWGS84(%v, %v)): got (%.9f, %.9f), want (%v, %v): %.4f m apart", p[0], p[1], lon, lat, p[0], p[1], d)
				}
				worst = math.Max(worst, d)
			}
			t.Logf("%s: max round-trip error %.2g m over %d points", c, worst, len(points))
		})
	}
}

// Reference values computed once with PROJ 9.1.1 on Debian 12 (the library
// behind PostGIS here), for example
//
//	echo "52.516275 13.377704" | cs2cs -d 4 EPSG:4326 EPSG:25833
//	echo "5545500 3263500" | cs2cs -d 10 EPSG:31467 EPSG:4326
//
// (cs2cs uses the authority axis order: latitude first for EPSG:4326,
// northing first for EPSG:31466–31469 and EPSG:3035.)
var references = []struct {
	name     string
	epsg     int
	lon, lat float64 // WGS 84
	x, y     float64
	dir      string // "both", "to" (only ToWGS84(x, y) = lon, lat) or "from"
}{
	{"Brandenburger Tor UTM 33", 25833, 13.377704, 52.516275, 389918.0415, 5819699.1323, "both"},
	{"Brandenburger Tor UTM 33 zE-N", 5650, 13.377704, 52.516275, 33389918.0415, 5819699.1323, "both"},
	{"Brandenburger Tor LAEA", 3035, 13.377704, 52.516275, 4550205.2418, 3272767.8213, "both"},
	{"Brandenburger Tor web mercator", 3857, 13.377704, 52.516275, 1489199.1973, 6894018.3582, "both"},
	{"Brandenburger Tor GK 4 (grid)", 31468, 13.377704, 52.516275, 4593627.0084, 5821242.2736, "both"},
	{"Brandenburger Tor ETRS89", 4258, 13.377704, 52.516275, 13.377704, 52.516275, "both"},
	{"Frankfurt UTM 32", 25832, 8.682127, 50.110924, 477271.4503, 5551012.2351, "both"},
	{"Frankfurt UTM 32 zE-N", 4647, 8.682127, 50.110924, 32477271.4503, 5551012.2351, "both"},
	{"Frankfurt GK 3 (grid)", 31467, 8.682127, 50.110924, 3477337.2724, 5552793.5325, "both"},
	{"Aachen UTM 31", 25831, 6.083887, 50.775346, 717417.4635, 5629377.6910, "both"},
	{"Aachen GK 2 (grid)", 31466, 6.083887, 50.775346, 2505961.1371, 5626658.0271, "both"},
	{"Görlitz GK 5 (grid)", 31469, 14.987, 51.153, 5499227.7734, 5668662.0731, "both"},
	// West of the lon/lat box of the grid's area of use: Helmert "(2)".
	{"Belgium GK 3 from WGS 84 (Helmert)", 31467, 5.7, 50.0, 3263500.9241, 5545626.7668, "from"},
	// Inside the box of that area projected to zone 3: the grid.
	{"Belgium GK 3 to WGS 84 (grid)", 31467, 5.7000430466, 49.9988523221, 3263500, 5545500, "to"},
	// In the projected box but off the grid, at sea near Bornholm: proj_trans
	// retries with "DHDN to WGS 84 (3)" (PostGIS reports an error instead).
	{"Baltic GK 3 to WGS 84 (Helmert east)", 31467, 15.6678773943, 54.6744437453, 3929900, 6081000, "to"},
}

func TestReferencePoints(t *testing.T) {
	for _, tc := range references {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ByEPSG(tc.epsg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.dir != "to" {
				x, y, err := c.FromWGS84(tc.lon, tc.lat)
				if err != nil {
					t.Fatal(err)
				}
				if d := coordDistance(c, x, y, tc.x, tc.y, tc.lat); d > 0.001 {
					t.Errorf("%s.FromWGS84(%v, %v): got (%.4f, %.4f), want (%v, %v): %.4f m apart", c, tc.lon, tc.lat, x, y, tc.x, tc.y, d)
				}
			}
			if tc.dir != "from" {
				lon, lat, err := c.ToWGS84(tc.x, tc.y)
				if err != nil {
					t.Fatal(err)
				}
				if d := groundDistance(lon, lat, tc.lon, tc.lat); d > 0.001 {
					t.Errorf("%s.ToWGS84(%v, %v): got (%.10f, %.10f), want (%v, %v): %.4f m apart", c, tc.x, tc.y, lon, lat, tc.lon, tc.lat, d)
				}
			}
		})
	}
}

func TestInvalidCoordinates(t *testing.T) {
	utm, _ := ByEPSG(25832)
	wgs, _ := ByEPSG(4326)
	merc, _ := ByEPSG(3857)
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		f    func() error
	}{
		{"NaN to WGS 84", func() error { _, _, err := utm.ToWGS84(nan, 5e6); return err }},
		{"Inf to WGS 84", func() error { _, _, err := utm.ToWGS84(5e5, inf); return err }},
		{"NaN from WGS 84", func() error { _, _, err := utm.FromWGS84(9, nan); return err }},
		{"latitude 91 from WGS 84", func() error { _, _, err := utm.FromWGS84(9, 91); return err }},
		{"latitude 91 in EPSG:4326", func() error { _, _, err := wgs.ToWGS84(9, 91); return err }},
		{"pole in web mercator", func() error { _, _, err := merc.FromWGS84(9, 90); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.f(); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}

func TestBETA2007Grid(t *testing.T) {
	g := beta2007
	if g.width != 62 || g.height != 84 {
		t.Fatalf("got %d×%d nodes, want 62×84", g.width, g.height)
	}
	// The file's first record is the south-east node (15.6667°E, 47°N):
	// latitude shift -2.749746″, longitude shift 7.165792″ positive west.
	const deg = math.Pi / 180
	dlam, dphi, ok := g.shift(g.west+61*g.resX, 47*deg)
	if !ok {
		t.Fatalf("south-east node: got outside the grid, want inside")
	}
	if got, want := dphi/arcSecond, -2.749746; math.Abs(got-want) > 1e-6 {
		t.Errorf("south-east node latitude shift: got %.6f″, want %.6f″", got, want)
	}
	if got, want := dlam/arcSecond, -7.165792; math.Abs(got-want) > 1e-6 {
		t.Errorf("south-east node longitude shift: got %.6f″, want %.6f″ (east)", got, want)
	}
	for _, tc := range []struct {
		name     string
		lon, lat float64
		ok       bool
	}{
		{"south-west corner", 5.5, 47, true},
		{"north-east corner", 15 + 2.0/3, 55.3, true},
		{"inside", 10, 51, true},
		{"west of the grid", 5.49, 50, false},
		{"north of the grid", 10, 55.31, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, ok := g.shift(tc.lon*deg, tc.lat*deg); ok != tc.ok {
				t.Errorf("shift(%v, %v): got inside %v, want %v", tc.lon, tc.lat, ok, tc.ok)
			}
		})
	}
}

func TestParseNTv2Errors(t *testing.T) {
	bad := append([]byte(nil), beta2007Data...)
	copy(bad[3*16+8:], "MINUTES ")
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", beta2007Data[:1000]},
		{"minutes", bad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := parseNTv2(tc.data); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}

// BenchmarkToWGS84 measures points per second for UTM (pure projection)
// and Gauss-Krüger (projection plus BETA2007 grid shift).
func BenchmarkToWGS84(b *testing.B) {
	for _, code := range []int{25833, 31467} {
		c, _ := ByEPSG(code)
		// A few points around Germany, in the CRS's coordinates.
		var pts [][2]float64
		for _, p := range [][2]float64{{13.4, 52.5}, {9.9, 53.55}, {11.58, 48.14}, {6.96, 50.94}, {8.68, 50.11}, {12.37, 51.34}} {
			x, y, _ := c.FromWGS84(p[0], p[1])
			pts = append(pts, [2]float64{x, y})
		}
		b.Run(c.String(), func(b *testing.B) {
			i := 0
			for b.Loop() {
				p := pts[i%len(pts)]
				if _, _, err := c.ToWGS84(p[0], p[1]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
		})
	}
}

// dhdnEdgePoints returns points 1 cm either side of each edge of the boxes
// in which PROJ switches between the BETA2007 grid and the Helmert
// transformation: WGS 84 points for FromWGS84 and projected ones for
// ToWGS84. They check that the switch is where PostGIS has it.
func dhdnEdgePoints(c *CRS) (wgs, proj []orb.Point) {
	const eps = 1e-7 // degrees, about 1 cm
	a := dhdnBETA2007.area
	for _, s := range []float64{-1, 1} {
		wgs = append(wgs,
			orb.Point{a.Min[0] + s*eps, 51}, orb.Point{a.Max[0] + s*eps, 51},
			orb.Point{10, a.Min[1] + s*eps}, orb.Point{10, a.Max[1] + s*eps})
	}
	b := c.dhdn.projBox[0]
	mid := b.Center()
	for _, s := range []float64{-0.01, 0.01} {
		proj = append(proj,
			orb.Point{b.Min[0] + s, mid[1]}, orb.Point{b.Max[0] + s, mid[1]},
			orb.Point{mid[0], b.Min[1] + s}, orb.Point{mid[0], b.Max[1] + s})
	}
	return wgs, proj
}

// TestDHDNSwitch checks that the points dhdnEdgePoints puts 1 cm either side
// of the boxes where PROJ switches between the BETA2007 grid and the Helmert
// transformation do straddle a switch (the results jump by decimetres), so
// that TestPostGIS checks the switch is in the same place as PostGIS's.
func TestDHDNSwitch(t *testing.T) {
	for _, code := range []int{31466, 31467, 31468, 31469} {
		c, _ := ByEPSG(code)
		t.Run(c.String(), func(t *testing.T) {
			wgs, proj := dhdnEdgePoints(c)
			n := len(wgs) / 2
			for i := range n {
				lo, hi := wgs[i], wgs[i+n] // 1 cm below and above the edge
				x1, y1, _ := c.FromWGS84(lo[0], lo[1])
				x2, y2, _ := c.FromWGS84(hi[0], hi[1])
				if d := math.Hypot(x2-x1, y2-y1); d < 0.05 {
					t.Errorf("FromWGS84 across the edge at %v: got a %.3f m step, want more than 0.05 m", lo, d)
				}
			}
			n = len(proj) / 2
			for i := range n {
				lo, hi := proj[i], proj[i+n]
				lon, lat := c.proj.inverse(lo[0], lo[1])
				if _, _, ok := beta2007.forward(lon*math.Pi/180, lat*math.Pi/180); !ok {
					continue // off the grid: Helmert on both sides
				}
				lon1, lat1, _ := c.ToWGS84(lo[0], lo[1])
				lon2, lat2, _ := c.ToWGS84(hi[0], hi[1])
				if d := groundDistance(lon1, lat1, lon2, lat2); d < 0.05 {
					t.Errorf("ToWGS84 across the edge at %v: got a %.3f m step, want more than 0.05 m", lo, d)
				}
			}
		})
	}
}
