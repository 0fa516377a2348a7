package interpolate

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// rectArea is the exact area in m² of the lon/lat rectangle [lon1, lon2] ×
// [lat1, lat2] on the WGS84 ellipsoid (bounded by two meridians and two
// parallels): a²/2 · Δλ · (q(φ2) − q(φ1)), with q as in Snyder's "Map
// Projections: A Working Manual" (3-12), in closed form, independent of
// the code under test, which integrates along the edges numerically.
func rectArea(lon1, lat1, lon2, lat2 float64) float64 {
	const a, f = 6378137.0, 1 / 298.257223563
	e2 := f * (2 - f)
	e := math.Sqrt(e2)
	q := func(lat float64) float64 {
		s := math.Sin(lat * math.Pi / 180)
		return (1 - e2) * (s/(1-e2*s*s) - math.Log((1-e*s)/(1+e*s))/(2*e))
	}
	return a * a / 2 * (lon2 - lon1) * math.Pi / 180 * (q(lat2) - q(lat1))
}

// rect returns the lon/lat rectangle as a counter-clockwise ring.
func rect(lon1, lat1, lon2, lat2 float64) orb.Ring {
	return orb.Ring{{lon1, lat1}, {lon2, lat1}, {lon2, lat2}, {lon1, lat2}, {lon1, lat1}}
}

func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// squares is a 2×2 grid of 0.01° source squares at 13°E 52°N and target
// units that meet it in every way: overlapping by a quarter of each
// square, lying inside one, outside all, touching along an edge, and
// containing all with a hole inside one.
func squares() (source, target []orb.MultiPolygon) {
	const x, y, d = 13.0, 52.0, 0.01
	for j := range 2 {
		for i := range 2 {
			lon, lat := x+float64(i)*d, y+float64(j)*d
			source = append(source, orb.MultiPolygon{{rect(lon, lat, lon+d, lat+d)}})
		}
	}
	target = []orb.MultiPolygon{
		{{rect(13.005, 52.005, 13.015, 52.015)}},                                       // 0: the grid shifted by half a square
		{{rect(14.0, 52.0, 14.01, 52.01)}},                                             // 1: far away
		{{rect(13.012, 52.012, 13.014, 52.014)}},                                       // 2: inside source 3
		{{rect(13.02, 52.0, 13.03, 52.01)}},                                            // 3: touches source 1 along its east edge
		{{rect(12.99, 51.99, 13.03, 52.03), rect(13.0025, 52.0025, 13.0075, 52.0075)}}, // 4: contains all, hole in source 0
		{{rect(12.99, 52.0, 13.01, 52.01)}},                                            // 5: covers source 0, touches source 1
	}
	return source, target
}

// squaresWant are the expected pair areas of squares(), from rectArea.
func squaresWant() map[[2]int]float64 {
	return map[[2]int]float64{
		{0, 0}: rectArea(13.005, 52.005, 13.01, 52.01),
		{1, 0}: rectArea(13.01, 52.005, 13.015, 52.01),
		{2, 0}: rectArea(13.005, 52.01, 13.01, 52.015),
		{3, 0}: rectArea(13.01, 52.01, 13.015, 52.015),
		{3, 2}: rectArea(13.012, 52.012, 13.014, 52.014),
		{0, 4}: rectArea(13.0, 52.0, 13.01, 52.01) - rectArea(13.0025, 52.0025, 13.0075, 52.0075),
		{1, 4}: rectArea(13.01, 52.0, 13.02, 52.01),
		{2, 4}: rectArea(13.0, 52.01, 13.01, 52.02),
		{3, 4}: rectArea(13.01, 52.01, 13.02, 52.02),
		{0, 5}: rectArea(13.0, 52.0, 13.01, 52.01),
	}
}

const squaresTol = 1e-9 // relative: q(φ2) − q(φ1) loses digits for small squares

func TestAreaWeightsSquares(t *testing.T) {
	source, target := squares()
	w, err := AreaWeights(source, target)
	if err != nil {
		t.Fatal(err)
	}
	want := squaresWant()
	if len(w.Pairs) != len(want) {
		t.Errorf("got %d pairs, want %d: %v", len(w.Pairs), len(want), w.Pairs)
	}
	for i, p := range w.Pairs {
		if i > 0 && (p.S < w.Pairs[i-1].S || p.S == w.Pairs[i-1].S && p.T <= w.Pairs[i-1].T) {
			t.Errorf("pairs not sorted by S, T: %v before %v", w.Pairs[i-1], p)
		}
		a, ok := want[[2]int{p.S, p.T}]
		if !ok {
			t.Errorf("unexpected pair %+v", p)
			continue
		}
		if !near(p.W, a, squaresTol) {
			t.Errorf("pair (%d, %d): area %.3f m², want %.3f", p.S, p.T, p.W, a)
		}
	}
	for s := range source {
		lon, lat := 13.0+float64(s%2)*0.01, 52.0+float64(s/2)*0.01
		if a := rectArea(lon, lat, lon+0.01, lat+0.01); !near(w.SourceTotal[s], a, squaresTol) {
			t.Errorf("source %d: area %.3f, want %.3f", s, w.SourceTotal[s], a)
		}
	}
	wantTarget := []float64{
		rectArea(13.005, 52.005, 13.015, 52.015),
		rectArea(14.0, 52.0, 14.01, 52.01),
		rectArea(13.012, 52.012, 13.014, 52.014),
		rectArea(13.02, 52.0, 13.03, 52.01),
		rectArea(12.99, 51.99, 13.03, 52.03) - rectArea(13.0025, 52.0025, 13.0075, 52.0075),
		rectArea(12.99, 52.0, 13.01, 52.01),
	}
	for i, a := range wantTarget {
		if !near(w.TargetTotal[i], a, squaresTol) {
			t.Errorf("target %d: area %.3f, want %.3f", i, w.TargetTotal[i], a)
		}
	}

	// Target 0 lies inside the grid: covered wholly. Source 0 lies in
	// targets 0, 4 and 5, which overlap: covered more than once.
	tc, sc := w.TargetCovered(), w.SourceCovered()
	if !near(tc[0], w.TargetTotal[0], squaresTol) {
		t.Errorf("target 0 covered %.3f of %.3f m²", tc[0], w.TargetTotal[0])
	}
	if tc[1] != 0 || tc[3] != 0 {
		t.Errorf("targets 1 and 3 covered %v, %v; want 0", tc[1], tc[3])
	}
	if s0 := want[[2]int{0, 0}] + want[[2]int{0, 4}] + want[[2]int{0, 5}]; !near(sc[0], s0, squaresTol) {
		t.Errorf("source 0 covered %.3f, want %.3f", sc[0], s0)
	}
}

func TestInterpolateSquares(t *testing.T) {
	source, target := squares()
	w, err := AreaWeights(source, target)
	if err != nil {
		t.Fatal(err)
	}
	want := squaresWant()
	src := func(s int) float64 {
		lon, lat := 13.0+float64(s%2)*0.01, 52.0+float64(s/2)*0.01
		return rectArea(lon, lat, lon+0.01, lat+0.01)
	}
	values := []float64{100, 200, 300, 400}

	t.Run("extensive", func(t *testing.T) {
		out, ok, err := w.Extensive(values, nil)
		if err != nil {
			t.Fatal(err)
		}
		exp := make([]float64, len(target))
		for k, a := range want {
			exp[k[1]] += values[k[0]] * a / src(k[0])
		}
		wantOK := []bool{true, false, true, false, true, true}
		for i := range target {
			if ok[i] != wantOK[i] {
				t.Errorf("target %d: ok %v, want %v", i, ok[i], wantOK[i])
			}
			if !wantOK[i] {
				if !math.IsNaN(out[i]) {
					t.Errorf("target %d has no value but %v, want NaN", i, out[i])
				}
				continue
			}
			if !near(out[i], exp[i], squaresTol) {
				t.Errorf("target %d: %.6f, want %.6f", i, out[i], exp[i])
			}
		}
		// Target 5 holds all of source 0; target 2 holds 4 % of source 3.
		if !near(out[5], 100, squaresTol) {
			t.Errorf("target 5: %v, want all of source 0's 100", out[5])
		}
	})

	t.Run("intensive", func(t *testing.T) {
		out, ok, err := w.Intensive(values, nil)
		if err != nil {
			t.Fatal(err)
		}
		num, den := make([]float64, len(target)), make([]float64, len(target))
		for k, a := range want {
			num[k[1]] += values[k[0]] * a
			den[k[1]] += a
		}
		for _, i := range []int{0, 2, 4, 5} {
			if !ok[i] || !near(out[i], num[i]/den[i], squaresTol) {
				t.Errorf("target %d: %v (ok %v), want %.6f", i, out[i], ok[i], num[i]/den[i])
			}
		}
		// Within one source the rate is the source's.
		if !near(out[2], 400, 1e-12) || !near(out[5], 100, 1e-12) {
			t.Errorf("targets inside one source: %v, %v; want 400, 100", out[2], out[5])
		}
		for _, i := range []int{1, 3} {
			if ok[i] || !math.IsNaN(out[i]) {
				t.Errorf("target %d overlaps no source but has %v (ok %v)", i, out[i], ok[i])
			}
		}
	})

	t.Run("missing", func(t *testing.T) {
		// Source 1 has no value: targets 0 and 4 overlap it and lose
		// their value; target 5 only touches it and keeps its value.
		valid := []bool{true, false, true, true}
		vals := []float64{100, math.NaN(), 300, 400}
		for name, f := range map[string]func([]float64, []bool) ([]float64, []bool, error){
			"extensive": w.Extensive, "intensive": w.Intensive,
		} {
			out, ok, err := f(vals, valid)
			if err != nil {
				t.Fatal(err)
			}
			wantOK := []bool{false, false, true, false, false, true}
			for i := range target {
				if ok[i] != wantOK[i] || ok[i] == math.IsNaN(out[i]) {
					t.Errorf("%s: target %d: %v (ok %v), want ok %v", name, i, out[i], ok[i], wantOK[i])
				}
			}
			if !near(out[5], 100, 1e-12) {
				t.Errorf("%s: target 5: %v, want 100", name, out[5])
			}
		}
	})
}

func TestAreaWeightsErrors(t *testing.T) {
	square := orb.MultiPolygon{{rect(13, 52, 13.01, 52.01)}}
	bowtie := orb.MultiPolygon{{{{13, 52}, {13.01, 52.01}, {13.01, 52}, {13, 52.01}, {13, 52}}}}
	overlapping := orb.MultiPolygon{{rect(13, 52, 13.01, 52.01)}, {rect(13.005, 52, 13.02, 52.01)}}
	for _, tc := range []struct {
		name           string
		source, target []orb.MultiPolygon
		want           string
	}{
		{"self-intersecting target", []orb.MultiPolygon{square}, []orb.MultiPolygon{square, bowtie}, "target 1: polygon 0 is not valid"},
		{"overlapping parts", []orb.MultiPolygon{overlapping}, []orb.MultiPolygon{square}, "source 0: multipolygon is not valid"},
		{"projected coordinates", []orb.MultiPolygon{{{rect(390000, 5800000, 391000, 5801000)}}}, nil, "source 0: polygon 0, ring 0: (390000, 5.8e+06) is not a longitude/latitude"},
		{"two points", []orb.MultiPolygon{square, {{{{13, 52}, {13.01, 52}, {13, 52}}}}}, nil, "source 1: polygon 0, ring 0: 3 points"},
		{"NaN", nil, []orb.MultiPolygon{{{{{13, 52}, {math.NaN(), 52}, {13, 52.01}, {13, 52}}}}}, "target 0: polygon 0, ring 0: (NaN, 52)"},
	} {
		_, err := AreaWeights(tc.source, tc.target)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}

	// An unclosed ring is closed; empty units have area 0 and no pairs.
	open := orb.MultiPolygon{{rect(13, 52, 13.01, 52.01)[:4]}}
	w, err := AreaWeights([]orb.MultiPolygon{open, {}}, []orb.MultiPolygon{square, nil})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Pairs) != 1 || !near(w.Pairs[0].W, rectArea(13, 52, 13.01, 52.01), squaresTol) ||
		w.SourceTotal[1] != 0 || w.TargetTotal[1] != 0 {
		t.Errorf("unclosed ring and empty units: %+v", w)
	}
}
