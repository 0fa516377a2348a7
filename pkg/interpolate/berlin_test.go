package interpolate

import (
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/crs"
)

// berlinUnits reads the ids (property idProp) and geometries of a Berlin
// LOR level.
func berlinUnits(t testing.TB, name, idProp string) ([]string, []orb.MultiPolygon) {
	t.Helper()
	level := strings.TrimSuffix(strings.TrimPrefix(name, "lor2021/berlin_lor2021_"), "_4326.geojson")
	if geodata.BerlinLevels[level] != idProp {
		t.Fatalf("%s: no Berlin level with id %s", name, idProp)
	}
	ids, mps, err := geodata.BerlinAreas(level)
	if err != nil {
		t.Fatal(err)
	}
	return ids, mps
}

func berlinPLR(t testing.TB) ([]string, []orb.MultiPolygon) {
	t.Helper()
	ids, plr := berlinUnits(t, "lor2021/berlin_lor2021_plr_4326.geojson", "PLR_ID")
	if len(plr) != 542 {
		t.Fatalf("read %d Planungsräume, want 542", len(plr))
	}
	return ids, plr
}

var utm33 = func() *crs.CRS {
	c, err := crs.ByEPSG(25833)
	if err != nil {
		panic(err)
	}
	return c
}()

// grid returns squares of side step metres in EPSG:25833, aligned to
// multiples of step and covering the units, as lon/lat polygons (corners
// converted; edges straight in lon/lat). Neighbouring squares share their
// corner coordinates exactly, so the grid has no gaps or overlaps.
func grid(t testing.TB, units []orb.MultiPolygon, step float64) []orb.MultiPolygon {
	t.Helper()
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, mp := range units {
		for _, p := range mp {
			for _, pt := range p[0] {
				x, y, err := utm33.FromWGS84(pt[0], pt[1])
				if err != nil {
					t.Fatal(err)
				}
				b = b.Extend(orb.Point{x, y})
			}
		}
	}
	corner := func(x, y float64) orb.Point {
		lon, lat, err := utm33.ToWGS84(x, y)
		if err != nil {
			t.Fatal(err)
		}
		return orb.Point{lon, lat}
	}
	var out []orb.MultiPolygon
	for y := math.Floor(b.Min[1]/step) * step; y < b.Max[1]; y += step {
		for x := math.Floor(b.Min[0]/step) * step; x < b.Max[0]; x += step {
			out = append(out, orb.MultiPolygon{{{
				corner(x, y), corner(x+step, y), corner(x+step, y+step), corner(x, y+step), corner(x, y),
			}}})
		}
	}
	return out
}

// shifted moves units by dx, dy metres in EPSG:25833.
func shifted(t testing.TB, units []orb.MultiPolygon, dx, dy float64) []orb.MultiPolygon {
	t.Helper()
	out := make([]orb.MultiPolygon, len(units))
	for i, mp := range units {
		out[i] = make(orb.MultiPolygon, len(mp))
		for j, p := range mp {
			out[i][j] = make(orb.Polygon, len(p))
			for k, r := range p {
				out[i][j][k] = make(orb.Ring, len(r))
				for l, pt := range r {
					x, y, err := utm33.FromWGS84(pt[0], pt[1])
					if err != nil {
						t.Fatal(err)
					}
					lon, lat, err := utm33.ToWGS84(x+dx, y+dy)
					if err != nil {
						t.Fatal(err)
					}
					out[i][j][k][l] = orb.Point{lon, lat}
				}
			}
		}
	}
	return out
}

// berlinPopulation returns the residents per Planungsraum (30.06.2022) in
// the order of ids; valid is false where the publisher suppressed the value.
func berlinPopulation(t testing.TB, ids []string) (pop []float64, valid []bool) {
	t.Helper()
	f, err := geodata.Berlin().Open("population/berlin_einwohner_2022-06-30_plr.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read population: %v", err)
	}
	byID := map[string]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r[2] // PLR_ID, EW_gesamt
	}
	pop = make([]float64, len(ids))
	valid = make([]bool, len(ids))
	for i, id := range ids {
		s, found := byID[id]
		if !found {
			t.Fatalf("no population row for Planungsraum %s", id)
		}
		if s == "" {
			continue
		}
		if pop[i], err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatalf("population of %s: %v", id, err)
		}
		valid[i] = true
	}
	return pop, valid
}
