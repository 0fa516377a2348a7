package geomcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// feature is a GeoJSON feature with a Polygon or MultiPolygon geometry.
type feature struct {
	id string
	g  orb.Geometry
}

// readFeatures reads the polygonal features of a GeoJSON FeatureCollection,
// named by their PLR_ID.
func readFeatures(tb testing.TB, path string) []feature {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				ID string `json:"PLR_ID"`
			} `json:"properties"`
			Geometry struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var fs []feature
	for _, f := range fc.Features {
		var g orb.Geometry
		switch f.Geometry.Type {
		case "Polygon":
			var c [][][]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &c)
			g = polygon(c)
		case "MultiPolygon":
			var c [][][][]float64
			err = json.Unmarshal(f.Geometry.Coordinates, &c)
			mp := orb.MultiPolygon{}
			for _, p := range c {
				mp = append(mp, polygon(p))
			}
			g = mp
		default:
			err = fmt.Errorf("geometry type %s", f.Geometry.Type)
		}
		if err != nil {
			tb.Fatalf("%s, feature %s: %v", path, f.Properties.ID, err)
		}
		fs = append(fs, feature{f.Properties.ID, g})
	}
	return fs
}

func polygon(c [][][]float64) orb.Polygon {
	p := make(orb.Polygon, len(c))
	for i, r := range c {
		p[i] = make(orb.Ring, len(r))
		for j, pt := range r {
			p[i][j] = orb.Point{pt[0], pt[1]}
		}
	}
	return p
}

// berlinFile holds all 542 Planungsräume: the demo data's copy.
func berlinFile() string { return "../../geodata/berlin/lor2021/berlin_lor2021_plr_4326.geojson" }

// TestBerlinSample checks real boundaries: valid, so the only repairs are
// the promotion of each Polygon and, in a few, a repeated vertex (an
// artefact of rounding to 7 decimals); otherwise the rings come back as they
// were.
func TestBerlinSample(t *testing.T) {
	fs := readFeatures(t, "testdata/plr_sample.geojson")
	if len(fs) != 20 {
		t.Fatalf("got %d features, want 20", len(fs))
	}
	withRepeats := 0
	for _, f := range fs {
		got, repairs, err := MultiPolygon(f.g)
		if err != nil {
			t.Errorf("%s: got error %v, want none", f.id, err)
			continue
		}
		want := orb.MultiPolygon{f.g.(orb.Polygon).Clone()}
		wantRepairs := []string{"polygon 0: promoted the Polygon to a MultiPolygon"}
		for r, ring := range want[0] {
			n := len(ring)
			want[0][r] = slices.Compact(ring)
			switch n -= len(want[0][r]); {
			case n == 1:
				wantRepairs = append(wantRepairs, fmt.Sprintf("polygon 0, ring %d: removed 1 repeated point", r))
			case n > 1:
				wantRepairs = append(wantRepairs, fmt.Sprintf("polygon 0, ring %d: removed %d repeated points", r, n))
			}
		}
		if len(wantRepairs) > 1 {
			withRepeats++
		}
		if s := repairStrings(repairs); !slices.Equal(s, wantRepairs) {
			t.Errorf("%s: got repairs %q, want %q", f.id, s, wantRepairs)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got changed rings, want them as given", f.id)
		}
	}
	if withRepeats == 0 {
		t.Errorf("got no feature with repeated points in the sample, want at least one (01400937)")
	}
}

// BenchmarkBerlin checks all 542 Planungsräume per iteration.
func BenchmarkBerlin(b *testing.B) {
	fs := readFeatures(b, berlinFile())
	if len(fs) != 542 {
		b.Fatalf("got %d features, want 542", len(fs))
	}
	vertices := 0
	for _, f := range fs {
		for _, r := range f.g.(orb.Polygon) {
			vertices += len(r)
		}
	}
	for b.Loop() {
		for _, f := range fs {
			if _, _, err := MultiPolygon(f.g); err != nil {
				b.Fatalf("%s: %v", f.id, err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(vertices), "ns/vertex")
}

// BenchmarkBlocks checks 10,000 small block-like polygons (the size of a
// city's block level) one call each, and then all of them as the parts of one
// MultiPolygon.
func BenchmarkBlocks(b *testing.B) {
	var blocks orb.MultiPolygon
	for i := range 100 {
		for j := range 100 {
			x, y := 13.3+float64(i)*1e-3, 52.5+float64(j)*1e-3
			blocks = append(blocks, orb.Polygon{ring(x, y, x+8e-4, y, x+8e-4, y+3e-4, x+9e-4, y+5e-4, x+8e-4, y+8e-4, x, y+8e-4, x, y)})
		}
	}
	b.Run("one call each", func(b *testing.B) {
		for b.Loop() {
			for _, p := range blocks {
				if _, _, err := MultiPolygon(p); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("one MultiPolygon", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := MultiPolygon(blocks); err != nil {
				b.Fatal(err)
			}
		}
	})
}
