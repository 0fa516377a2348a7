package access

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geo"
)

// cityPoints returns n points in a disc of radius 15 km (a 30 km city)
// around lon 13.4, lat 52.5, half spread evenly, half concentrated in a
// centre of about 4 km, like population and offers in a large city.
func cityPoints(rng *rand.Rand, n int) []orb.Point {
	const (
		lon0, lat0 = 13.4, 52.5
		radius     = 15e3
		mPerDegLat = 111_250.0 // close enough for placing test points
	)
	mPerDegLon := mPerDegLat * math.Cos(lat0*deg)
	pts := make([]orb.Point, n)
	for i := range pts {
		var x, y float64
		for {
			if i%2 == 0 {
				r, a := radius*math.Sqrt(rng.Float64()), 2*math.Pi*rng.Float64()
				x, y = r*math.Cos(a), r*math.Sin(a)
			} else {
				x, y = rng.NormFloat64()*4e3, rng.NormFloat64()*4e3
			}
			if x*x+y*y <= radius*radius {
				break
			}
		}
		pts[i] = orb.Point{lon0 + x/mPerDegLon, lat0 + y/mPerDegLat}
	}
	return pts
}

// bruteWithin is the definition Within must match.
func bruteWithin(demand, supply []orb.Point, d0 float64) []Pair {
	pairs := []Pair{}
	for i, q := range demand {
		for j, s := range supply {
			if d := geo.Distance(q, s); d <= d0 {
				pairs = append(pairs, Pair{I: int32(i), J: int32(j), D: d})
			}
		}
	}
	return pairs
}

func bruteNearest(demand, supply []orb.Point) []float64 {
	out := make([]float64, len(demand))
	for i, q := range demand {
		out[i] = math.Inf(1)
		for _, s := range supply {
			out[i] = min(out[i], geo.Distance(q, s))
		}
	}
	return out
}

func comparePairs(t *testing.T, name string, got, want []Pair) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%s: %d pairs, brute force %d", name, len(got), len(want))
	for k := 0; k < min(len(got), len(want)); k++ {
		if got[k] != want[k] {
			t.Errorf("%s: first difference at %d: got %+v, want %+v", name, k, got[k], want[k])
			return
		}
	}
}

// edgePoints are clusters where a naive lon/lat box goes wrong: across
// the antimeridian, next to both poles, and at the equator.
func edgePoints(rng *rand.Rand, n int) []orb.Point {
	centres := []orb.Point{{180, 10}, {-180, -65}, {0, 89.95}, {120, -89.9}, {0, 0}, {179.999, 70}}
	pts := make([]orb.Point, n)
	for i := range pts {
		c := centres[i%len(centres)]
		lon := c[0] + (rng.Float64()-0.5)*0.6
		lat := c[1] + (rng.Float64()-0.5)*0.3
		lon = math.Remainder(lon, 360) // back into [-180, 180]
		pts[i] = orb.Point{lon, max(-90, min(90, lat))}
	}
	return pts
}

func TestWithinMatchesBruteForceCity(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	demand, supply := cityPoints(rng, 3000), cityPoints(rng, 1500)
	for _, d0 := range []float64{0, 300, 1000, 2500} {
		got, err := Within(demand, supply, d0)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteWithin(demand, supply, d0)
		if d0 >= 1000 && len(want) < len(demand) {
			t.Fatalf("d0 %g: only %d pairs; the test data does not exercise the search", d0, len(want))
		}
		comparePairs(t, "city", got, want)
	}
	// Fewer than 256 offers, all of them in reach: the sort of many
	// candidates with a one-byte index.
	few := supply[:200]
	got, err := Within(demand[:600], few, 40e3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 600*200 {
		t.Fatalf("%d pairs within 40 km in a 30 km city, want all %d", len(got), 600*200)
	}
	comparePairs(t, "few offers", got, bruteWithin(demand[:600], few, 40e3))
	// A demand point on top of an offer: distance 0 at d0 = 0.
	got, err = Within(supply[:3], supply, 0)
	if err != nil {
		t.Fatal(err)
	}
	comparePairs(t, "coincident", got, bruteWithin(supply[:3], supply, 0))
	if len(got) < 3 {
		t.Errorf("coincident points: %d pairs at d0 = 0, want at least 3", len(got))
	}
}

func TestWithinMatchesBruteForceEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	demand, supply := edgePoints(rng, 1200), edgePoints(rng, 1200)
	for _, d0 := range []float64{5e3, 20e3, 60e3} {
		got, err := Within(demand, supply, d0)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteWithin(demand, supply, d0)
		// Pairs across the antimeridian must be among them, or the test
		// proves nothing about the split box.
		across := 0
		for _, p := range want {
			if (demand[p.I][0] > 0) != (supply[p.J][0] > 0) && math.Abs(demand[p.I][0]) > 179 {
				across++
			}
		}
		if across == 0 {
			t.Fatalf("d0 %g: no pair across the antimeridian in the test data", d0)
		}
		comparePairs(t, "edges", got, want)
	}
}

func TestNearestMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name           string
		demand, supply []orb.Point
	}{
		{"city", cityPoints(rng, 4000), cityPoints(rng, 800)},
		{"sparse city", cityPoints(rng, 2000), cityPoints(rng, 3)},
		{"edges", edgePoints(rng, 1500), edgePoints(rng, 300)},
		// Nearest offer farther than the search's first guess (100 km),
		// and far enough for geo.Distance's long-distance branch.
		{"far", cityPoints(rng, 300), []orb.Point{{-74, 40.7}, {151.2, -33.9}, {13.4, 48.1}}},
		{"one offer", edgePoints(rng, 300), []orb.Point{{0, -90}}},
	} {
		got, err := NearestDistance(tc.demand, tc.supply)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteNearest(tc.demand, tc.supply)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: demand %d %v: nearest %.9f m, brute force %.9f m", tc.name, i, tc.demand[i], got[i], want[i])
				break
			}
		}
	}
}

// TestLowerBound checks the inequality behind both searches on random
// pairs of points up to a few hundred kilometres apart all over the globe:
// the bound never exceeds the geodesic distance, and the search boxes
// contain every point within the radius.
func TestLowerBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	var boxes [][2][2]float64
	tight := 0.0
	for range 300000 {
		q := orb.Point{rng.Float64()*360 - 180, math.Asin(rng.Float64()*2-1) / deg}
		step := math.Pow(10, -4+rng.Float64()*4) // up to 1 degree
		p := orb.Point{
			math.Remainder(q[0]+(rng.Float64()-0.5)*step/max(math.Cos(q[1]*deg), 0.01), 360),
			max(-90, min(90, q[1]+(rng.Float64()-0.5)*step)),
		}
		d := geo.Distance(q, p)
		c := d * (1 + rng.Float64()) // any cap at least d
		lb := boxLowerBound(q[0], q[1], rho(q[1], c), p, p)
		if lb*(1-slack) > d {
			t.Fatalf("bound %.6f m > distance %.6f m from %v to %v (cap %g)", lb, d, q, p, c)
		}
		tight = max(tight, lb/d)
		in := false
		for _, b := range searchBoxes(q, d, boxes) {
			if p[0] >= b[0][0] && p[0] <= b[1][0] && p[1] >= b[0][1] && p[1] <= b[1][1] {
				in = true
			}
		}
		if !in {
			t.Fatalf("%v at %.6f m from %v is outside the search boxes %v", p, d, q, searchBoxes(q, d, boxes))
		}
	}
	// A useless bound (say 0) would pass the loop; this one is nearly exact.
	if tight < 0.99 {
		t.Errorf("best bound/distance ratio %.4f; the bound is too loose to prune", tight)
	}
}

func TestGeoBadInput(t *testing.T) {
	good := []orb.Point{{13.4, 52.5}}
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nan", second(Within([]orb.Point{{13, 52}, {math.NaN(), 52}}, good, 1)), "demand point 1: coordinate is NaN"},
		{"lat", second(Within(good, []orb.Point{{13, 95}}, 1)), "supply point 0: latitude 95"},
		{"lon", second(NearestDistance([]orb.Point{{200, 52}}, good)), "demand point 0: longitude 200"},
		{"d0", second(Within(good, good, -1)), "distance -1"},
		{"d0 inf", second(Within(good, good, math.Inf(1))), "distance +Inf"},
		{"no supply", second(NearestDistance(good, nil)), "no supply points"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, tc.err, tc.want)
		}
	}
	if pairs, err := Within(nil, good, 1); err != nil || len(pairs) != 0 {
		t.Errorf("Within without demand = %v, %v; want no pairs, no error", pairs, err)
	}
}
