package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// zoneArea is the exact area on the WGS84 ellipsoid between two parallels
// over dlon degrees of longitude: a²(1-e²)/2 · Δλ · [q'(φ2) - q'(φ1)] with
// q' the authalic q divided by (1-e²).
func zoneArea(lat1, lat2, dlon float64) float64 {
	q := func(lat float64) float64 { return authalicQ(math.Sin(lat * deg)) }
	return wgsA * wgsA / 2 * dlon * deg * (q(lat2) - q(lat1))
}

// cell is the lon/lat rectangle with its edges densified by n points each,
// so that its area converges to that of the region bounded by parallels.
func cell(lon1, lat1, lon2, lat2 float64, n int) orb.Ring {
	var r orb.Ring
	corners := []orb.Point{{lon1, lat1}, {lon2, lat1}, {lon2, lat2}, {lon1, lat2}, {lon1, lat1}}
	for i := 0; i < 4; i++ {
		a, b := corners[i], corners[i+1]
		for k := 0; k < n; k++ {
			t := float64(k) / float64(n)
			r = append(r, orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])})
		}
	}
	return append(r, r[0])
}

func TestAreaAgainstClosedForm(t *testing.T) {
	for _, c := range []struct{ lon, lat, size float64 }{
		{13.0, 52.3, 0.5}, {9.5, 51.0, 1}, {-70, -33, 0.2}, {150, 10, 0.05},
	} {
		got := Area(orb.MultiPolygon{{cell(c.lon, c.lat, c.lon+c.size, c.lat+c.size, 2000)}})
		want := zoneArea(c.lat, c.lat+c.size, c.size)
		if rel := math.Abs(got-want) / want; rel > 1e-7 {
			t.Errorf("cell %v: Area %.1f m², exact %.1f m² (rel %.2g)", c, got, want, rel)
		}
	}
}

func TestAreaHolesAndOrientation(t *testing.T) {
	outer := cell(13.3, 52.4, 13.5, 52.6, 50)
	hole := cell(13.35, 52.45, 13.4, 52.5, 50)
	island := cell(13.6, 52.4, 13.7, 52.5, 50)
	aOuter := Area(orb.MultiPolygon{{outer}})
	aHole := Area(orb.MultiPolygon{{hole}})
	aIsland := Area(orb.MultiPolygon{{island}})
	rev := func(r orb.Ring) orb.Ring {
		out := append(orb.Ring(nil), r...)
		out.Reverse()
		return out
	}
	if a := Area(orb.MultiPolygon{{rev(outer)}}); math.Abs(a-aOuter) > 1e-6*aOuter {
		t.Errorf("reversed ring: %v, want %v", a, aOuter)
	}
	want := aOuter - aHole + aIsland
	for _, mp := range []orb.MultiPolygon{
		{{outer, hole}, {island}},
		{{rev(outer), hole}, {rev(island)}},
		{{outer, rev(hole)}, {island}},
	} {
		if a := Area(mp); math.Abs(a-want) > 1e-6*want {
			t.Errorf("with hole and island: %v, want %v", a, want)
		}
	}
	if a := Area(nil); a != 0 {
		t.Errorf("Area(nil) = %v", a)
	}
	if a := Area(orb.MultiPolygon{{{{13, 52}, {13.1, 52}}}}); a != 0 {
		t.Errorf("degenerate ring: %v", a)
	}
}
