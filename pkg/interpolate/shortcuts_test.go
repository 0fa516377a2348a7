package interpolate

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// TestShortcutsAgreeWithOverlay checks the two shortcuts of AreaWeights
// against the overlay on every pair of the Berlin Planungsräume and the
// 2 km grid that takes them: pairs whose borders do not meet (nested or
// disjoint), and pairs with a convex grid square (clipped).
func TestShortcutsAgreeWithOverlay(t *testing.T) {
	_, plr := berlinPLR(t)
	src, err := prepareAll("source", plr)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := prepareAll("target", grid(t, plr, 2000))
	if err != nil {
		t.Fatal(err)
	}
	var nested, inside, clipped int
	for s := range src {
		for c := range tgt {
			pa, pb := overlapping(src[s].parts, tgt[c].bound), overlapping(tgt[c].parts, src[s].bound)
			if len(pa) == 0 || len(pb) == 0 {
				continue
			}
			want, err := overlayArea(pa, pb)
			if err != nil {
				t.Fatal(err)
			}
			var got float64
			if !bordersMeet(pa, pb) {
				got = nestedArea(pa, pb) + nestedArea(pb, pa)
				nested++
				if got > 0 {
					inside++
				}
			} else {
				if len(pb) != 1 || pb[0].convex == 0 {
					t.Fatalf("grid square %d is not taken as convex", c)
				}
				got = clipArea(pa, pb[0])
				clipped++
			}
			if math.Abs(got-want) > 1e-9*src[s].area {
				t.Errorf("source %d, grid square %d: shortcut %.6f m², overlay %.6f m²", s, c, got, want)
			}
		}
	}
	if inside < 50 || nested-inside < 50 || clipped < 1000 {
		t.Errorf("%d pairs nested or disjoint (%d nested), %d clipped: too few to test", nested, inside, clipped)
	}
	t.Logf("%d pairs with overlapping boxes: %d nested, %d disjoint, %d clipped", nested+clipped, inside, nested-inside, clipped)
}

func TestConvexity(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    orb.Ring
		want int
	}{
		{"square ccw", rect(0, 0, 1, 1), 1},
		{"square cw", orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}, {0, 0}}, -1},
		{"collinear vertex", orb.Ring{{0, 0}, {0.5, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, 1},
		{"L shape", orb.Ring{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}, 0},
	} {
		if got := convexity(tc.r); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestPreclip checks that cutting the operands down to each other's
// bounding box before the overlay does not change the intersection area,
// on the pairs of the first 120 Berlin Planungsräume (Mitte and
// Friedrichshain-Kreuzberg) with the Bezirksregionen shifted by 300 m, and
// that both outcomes of the cut occur there: a valid cut polygon, and an
// invalid one, where the whole unit is kept.
func TestPreclip(t *testing.T) {
	_, plr := berlinPLR(t)
	_, bzr := berlinUnits(t, "lor2021/berlin_lor2021_bzr_4326.geojson", "BZR_ID")
	src, err := prepareAll("source", plr[:120])
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := prepareAll("target", shifted(t, bzr, 300, 300))
	if err != nil {
		t.Fatal(err)
	}
	var cut, kept, pairs int
	for s := range src {
		for c := range tgt {
			pa, pb := overlapping(src[s].parts, tgt[c].bound), overlapping(tgt[c].parts, src[s].bound)
			if len(pa) == 0 || len(pb) == 0 || !bordersMeet(pa, pb) {
				continue
			}
			pairs++
			if _, ok := preclip(pb, boundOf(pa)); ok {
				cut++
			} else {
				kept++
			}
			got, err := overlayArea(pa, pb)
			if err != nil {
				t.Fatal(err)
			}
			g, err := sf.Intersection(multi(pa), multi(pb))
			if err != nil {
				t.Fatal(err)
			}
			var mp orb.MultiPolygon
			collectPolygons(g, &mp)
			if want := multiPolygonArea(mp); math.Abs(got-want) > 1e-9*src[s].area {
				t.Errorf("source %d, target %d: %.6f m² with the cut, %.6f m² without", s, c, got, want)
			}
		}
	}
	if cut < 50 || kept < 5 {
		t.Errorf("of %d pairs, %d targets cut, %d kept whole: too few to test", pairs, cut, kept)
	}
	t.Logf("%d pairs: %d targets cut to the source's box, %d kept whole", pairs, cut, kept)
}
