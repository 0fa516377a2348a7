package access

import (
	"encoding/json"
	"io/fs"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/geodata"
)

// berlinOffers reads an embedded Berlin offer layer: points and the
// capacity property (1 where it is missing).
func berlinOffers(t *testing.T, name string) ([]orb.Point, []float64) {
	t.Helper()
	raw, err := fs.ReadFile(geodata.Berlin(), "offers/"+name)
	if err != nil {
		t.Fatal(err)
	}
	// The offer files are plain point layers; decoding the two fields
	// needed keeps this test free of GeoJSON library dependencies.
	var fc struct {
		Features []struct {
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Kapazitaet *float64 `json:"kapazitaet"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	pts := make([]orb.Point, 0, len(fc.Features))
	caps := make([]float64, 0, len(fc.Features))
	for k, f := range fc.Features {
		g := f.Geometry
		if g.Type != "Point" || len(g.Coordinates) < 2 {
			t.Fatalf("%s: feature %d is a %s with %d coordinates, want a point", name, k, g.Type, len(g.Coordinates))
		}
		c := 1.0
		if f.Properties.Kapazitaet != nil && *f.Properties.Kapazitaet >= 0 {
			c = *f.Properties.Kapazitaet
		}
		pts = append(pts, orb.Point{g.Coordinates[0], g.Coordinates[1]})
		caps = append(caps, c)
	}
	return pts, caps
}

// TestBerlinKitas runs the whole chain on real data: the 2,880 Berlin
// Kitas (with their places) as offers, the schools as stand-in demand
// points. Pairs and nearest distances must equal brute force, and the
// places must be conserved.
func TestBerlinKitas(t *testing.T) {
	kitas, places := berlinOffers(t, "berlin_kitas_4326.geojson")
	schools, _ := berlinOffers(t, "berlin_schulen_4326.geojson")
	if len(kitas) < 2000 || len(schools) < 500 {
		t.Fatalf("%d Kitas, %d schools: the embedded data is not what this test expects", len(kitas), len(schools))
	}
	const d0 = 500
	pairs, err := Within(schools, kitas, d0)
	if err != nil {
		t.Fatal(err)
	}
	comparePairs(t, "Berlin", pairs, bruteWithin(schools, kitas, d0))

	dist, err := NearestDistance(schools, kitas)
	if err != nil {
		t.Fatal(err)
	}
	want := bruteNearest(schools, kitas)
	for i := range want {
		if dist[i] != want[i] {
			t.Fatalf("school %d: nearest Kita %.6f m, brute force %.6f m", i, dist[i], want[i])
		}
	}

	P := make([]float64, len(schools))
	for i := range P {
		P[i] = 100
	}
	res, err := FCA(P, places, pairs, Gaussian(d0))
	if err != nil {
		t.Fatal(err)
	}
	var total float64
	for _, s := range places {
		total += s
	}
	if res.Unserved == 0 || res.Unserved == len(kitas) {
		t.Errorf("%d of %d Kitas unserved: the test should have both kinds", res.Unserved, len(kitas))
	}
	if got, want := sumPA(P, res.A), total-res.UnservedSupply; math.Abs(got-want) > 1e-9*total {
		t.Errorf("sum P*A = %.6f, want %.6f (all places %.0f minus unserved %.0f)", got, want, total, res.UnservedSupply)
	}
	// Every school covered at 500 m has its nearest Kita within 500 m.
	cov, err := Covered(len(schools), pairs, d0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range cov {
		if cov[i] != (dist[i] <= d0) {
			t.Fatalf("school %d: covered %v but nearest Kita at %.1f m", i, cov[i], dist[i])
		}
	}
}
