package crs

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// TestReproject: WGS84 to Web Mercator and back gives the points again, and
// an unknown system is an error.
func TestReproject(t *testing.T) {
	orig := orb.MultiPolygon{{{{13.4, 52.5}, {13.5, 52.5}, {13.5, 52.6}, {13.4, 52.5}}}}
	polys := []orb.MultiPolygon{{{append(orb.Ring(nil), orig[0][0]...)}}}
	if err := Reproject(polys, 4326, 3857); err != nil {
		t.Fatal(err)
	}
	if p := polys[0][0][0][0]; math.Abs(p[0]-1491681.9) > 1 || math.Abs(p[1]-6891041.1) > 1 {
		t.Errorf("13.4, 52.5 in Web Mercator: %v", p)
	}
	if err := Reproject(polys, 3857, 4326); err != nil {
		t.Fatal(err)
	}
	for i, p := range polys[0][0][0] {
		if q := orig[0][0][i]; math.Abs(p[0]-q[0]) > 1e-9 || math.Abs(p[1]-q[1]) > 1e-9 {
			t.Errorf("round trip %v → %v", q, p)
		}
	}
	if err := Reproject(polys, 4326, 99999); err == nil {
		t.Error("an unknown system was accepted")
	}
}
