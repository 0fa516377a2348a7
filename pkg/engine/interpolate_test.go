package engine_test

import (
	"context"
	"io/fs"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// TestInterpolateToNonNestedLevel adds a level that does not nest with the
// Planungsräume (a grid of squares across Berlin, as a school district plan
// would be) and carries a count by area and a rate by population to it.
func TestInterpolateToNonNestedLevel(t *testing.T) {
	st, _, _ := berlin(t)
	ctx := context.Background()
	b := &atlas.Batch{Levels: []atlas.Level{{ID: "raster", Name: "Raster"}}}
	// 0.1° × 0.05° squares covering Berlin (13.08–13.77, 52.33–52.68) with a margin.
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			x, y := 13.05+0.1*float64(i), 52.30+0.05*float64(j)
			b.Units = append(b.Units, atlas.Unit{Level: "raster", Code: string(rune('a'+i)) + string(rune('a'+j)), Name: "Q",
				Geometry: orb.MultiPolygon{{{{x, y}, {x + 0.1, y}, {x + 0.1, y + 0.05}, {x, y + 0.05}, {x, y}}}}})
		}
	}
	if _, err := st.Apply(ctx, b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"extra.yaml": []byte(`
indicators:
  - id: kinder-raster
    name: Kinder unter 15
    unit: Personen
    polarity: neutral
    compute: {op: sum, inputs: [ew_unter6, ew_6_15], interpolate: {levels: [raster], by: area}}
  - id: anteil-u6-raster
    name: Anteil unter 6
    unit: "%"
    polarity: neutral
    compute: {op: ratio, numerator: ew_unter6, denominator: ew_gesamt, scale: 100,
      interpolate: {levels: [raster], by: population, population: ew_gesamt}}
`)}
	for _, name := range []string{"berlin/inputs.yaml"} {
		b, err := fs.ReadFile(indicators.FS(), name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	cat, err := indicator.Parse(files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&engine.Engine{Store: st, Catalog: cat}).Compute(ctx, engine.Options{}); err != nil {
		t.Fatal(err)
	}
	sum := func(id, level string) (total float64, n int) {
		for _, v := range values(t, st, id, level) {
			if v.Status == atlas.OK {
				total += v.Value
				n++
			}
		}
		return
	}
	plr, _ := sum("kinder-raster", "planungsraum")
	grid, n := sum("kinder-raster", "raster")
	if n < 20 || math.Abs(grid-plr) > 1e-6*plr {
		t.Errorf("children: %g over %d grid squares, %g over the Planungsräume; area interpolation must keep the total", grid, n, plr)
	}
	// The population-weighted rate over the whole grid equals the city's.
	var num, den float64
	for _, v := range values(t, st, "anteil-u6-raster", "raster") {
		if v.Status == atlas.OK {
			num += v.Numerator.V
			den += v.Denominator.V
		}
	}
	// The grid carries exactly the Planungsräume's numerators and denominators.
	var bnum, bden float64
	for _, v := range values(t, st, "anteil-u6-raster", "planungsraum") {
		bnum += v.Numerator.V
		bden += v.Denominator.V
	}
	if math.Abs(num-bnum) > 1e-6 || math.Abs(den-bden) > 1e-6 {
		t.Errorf("population interpolation: grid %g/%g, Planungsräume %g/%g", num, den, bnum, bden)
	}
	t.Logf("children %g in %d squares; under-6 share of the city %.3f %%", grid, n, 100*num/den)
}
