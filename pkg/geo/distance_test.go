package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// dms converts degrees, minutes, seconds to decimal degrees.
func dms(d, m, s float64) float64 {
	if d < 0 {
		return d - m/60 - s/3600
	}
	return d + m/60 + s/3600
}

// TestDistanceKnownGeodesic checks the Geoscience Australia worked example
// (Flinders Peak to Buninyong, GRS80: 54 972.271 m). GRS80 and WGS84 differ
// by 0.1 mm in the semi-minor axis, far below the millimetre tolerance.
func TestDistanceKnownGeodesic(t *testing.T) {
	flinders := orb.Point{dms(144, 25, 29.52440), dms(-37, 57, 3.72030)}
	buninyong := orb.Point{dms(143, 55, 35.38390), dms(-37, 39, 10.15610)}
	const want = 54972.271
	for _, got := range []float64{Distance(flinders, buninyong), Distance(buninyong, flinders), vincenty(flinders, buninyong)} {
		if math.Abs(got-want) > 1e-3 {
			t.Errorf("Flinders Peak–Buninyong: got %.4f m, want %.3f m", got, want)
		}
	}
}

// TestDistanceMatchesVincenty compares the chord method with Vincenty's
// iterative solution (an independent algorithm) on random pairs from
// 1 m to 500 km all over the globe (avoiding the poles).
func TestDistanceMatchesVincenty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	maxRel := 0.0
	for i := 0; i < 200000; i++ {
		a := orb.Point{rng.Float64()*360 - 180, rng.Float64()*170 - 85}
		// Offset of up to ~4.5 degrees, log-uniform so short distances occur.
		r := math.Pow(10, -5+rng.Float64()*5.6)
		th := rng.Float64() * 2 * math.Pi
		b := orb.Point{a[0] + r*math.Cos(th), a[1] + r*math.Sin(th)}
		if math.Abs(b[1]) > 89 {
			continue
		}
		got, want := Distance(a, b), vincenty(a, b)
		if want > 600e3 {
			continue
		}
		rel := math.Abs(got-want) / want
		limit := 1e-9 // up to 100 km
		if want > 100e3 {
			limit = 1e-8
		} else if want > 10 && rel > maxRel {
			maxRel = rel
		}
		if rel > limit && math.Abs(got-want) > 1e-6 {
			t.Fatalf("Distance(%v, %v) = %.6f m, Vincenty %.6f m (rel %.2g)", a, b, got, want, rel)
		}
	}
	t.Logf("max relative difference chord method vs Vincenty from 10 m to 100 km: %.3g", maxRel)
}

func TestDistanceProperties(t *testing.T) {
	a, b := orb.Point{13.4, 52.5}, orb.Point{13.41, 52.51}
	if d := Distance(a, a); d != 0 {
		t.Errorf("Distance(a, a) = %v, want 0", d)
	}
	if d1, d2 := Distance(a, b), Distance(b, a); math.Abs(d1-d2) > 1e-9 {
		t.Errorf("not symmetric: %v vs %v", d1, d2)
	}
	// Across the antimeridian: 0.2 degrees of longitude at the equator.
	d := Distance(orb.Point{179.9, 0}, orb.Point{-179.9, 0})
	if want := 0.2 * deg * wgsA; math.Abs(d-want) > 1e-6 {
		t.Errorf("across antimeridian: got %.6f, want %.6f", d, want)
	}
	// Across the antimeridian away from the equator, against Vincenty.
	p, q := orb.Point{179.95, 52.5}, orb.Point{-179.9, 52.6}
	if d, v := Distance(p, q), vincenty(p, q); math.Abs(d-v) > 1e-5 {
		t.Errorf("across antimeridian at 52.5°N: got %.6f, Vincenty %.6f", d, v)
	}
	// Quarter meridian (pole to equator) is 10 001 965.729 m on WGS84.
	if d := Distance(orb.Point{0, 0}, orb.Point{0, 90}); math.Abs(d-10001965.7293) > 1e-3 {
		t.Errorf("quarter meridian: got %.4f", d)
	}
}

func TestDistanceAllocs(t *testing.T) {
	a, b := orb.Point{13.4, 52.5}, orb.Point{13.5, 52.6}
	if n := testing.AllocsPerRun(1000, func() { Distance(a, b) }); n != 0 {
		t.Errorf("Distance allocates %v times per call", n)
	}
}

var sink float64

// distancePairs are Berlin-scale pairs (up to ~30 km apart).
func distancePairs() [][2]orb.Point {
	rng := rand.New(rand.NewPCG(3, 4))
	pairs := make([][2]orb.Point, 1024)
	for i := range pairs {
		pairs[i] = [2]orb.Point{
			{13.1 + rng.Float64()*0.6, 52.35 + rng.Float64()*0.3},
			{13.1 + rng.Float64()*0.6, 52.35 + rng.Float64()*0.3},
		}
	}
	return pairs
}

func BenchmarkDistance(b *testing.B) {
	pairs := distancePairs()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := &pairs[i&1023]
		sink += Distance(p[0], p[1])
		i++
	}
}

// BenchmarkVincenty is the baseline: Vincenty's iterative inverse formula on
// the same pairs.
func BenchmarkVincenty(b *testing.B) {
	pairs := distancePairs()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := &pairs[i&1023]
		sink += vincenty(p[0], p[1])
		i++
	}
}
