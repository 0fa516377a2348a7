package importer

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// TestGeoPackage imports units from a GeoPackage in EPSG:25833 and offers
// from one in EPSG:4326 (GDAL-made fixtures of pkg/gpkg), taking the
// coordinate systems from the files.
func TestGeoPackage(t *testing.T) {
	ctx := context.Background()
	s := newSQLite(t)
	m := &Manifest{
		Name:   "gpkg",
		Levels: []LevelSpec{{ID: "planungsraum", Name: "Planungsraum"}},
		Layers: []LayerSpec{{ID: "kitas", Name: "Kitas"}},
		Units:  []UnitsFile{{File: "plr_sample_25833.gpkg", Level: "planungsraum", Code: "PLR_ID", Name: "PLR_NAME"}},
		Offers: []OffersFile{{File: "kitas_sample_4326.gpkg", Layer: "kitas",
			Fields: OfferFields{Provider: "traeger", ProviderType: "traeger_art", Capacity: "kapazitaet", Address: "adresse"}}},
	}
	rep, err := Import(ctx, s, os.DirFS("../gpkg/testdata"), m, Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("import: %v\n%s", err, reportText(rep))
	}
	crs := map[string]string{}
	for _, f := range rep.Files {
		crs[f.Name] = f.CRS
	}
	if crs["plr_sample_25833.gpkg"] != "EPSG:25833" || crs["kitas_sample_4326.gpkg"] != "EPSG:4326" {
		t.Errorf("coordinate systems from the files: got %v", crs)
	}
	if rep.Changes.Units.Inserted != 20 || rep.Changes.Offers.Inserted != 20 {
		t.Errorf("changes: got %+v, want 20 units and 20 offers", rep.Changes)
	}

	// The 25833 polygons land where the published 4326 file has them.
	ours, err := s.Units(ctx, "planungsraum", atlas.UnitQuery{})
	if err != nil {
		t.Fatal(err)
	}
	wgs := importPLR(t, geodata.Berlin(), "lor2021/berlin_lor2021_plr_4326.geojson")
	var worst float64
	for _, u := range ours {
		worst = math.Max(worst, math.Max(maxNearest(u.Geometry, wgs[u.Code]), maxNearest(wgs[u.Code], u.Geometry)))
	}
	if worst > 0.0136 { // the two files' rounding, see TestPLR25833Agrees4326
		t.Errorf("GeoPackage units are up to %.4f m from the 4326 file, want within the files' rounding", worst)
	}

	offers, err := s.Offers(ctx, "kitas", atlas.OfferQuery{Limit: 1})
	if err != nil || len(offers) != 1 {
		t.Fatalf("offers: %v, %v", offers, err)
	}
	o := offers[0]
	if o.Capacity == nil || o.Provider == "" || o.Address == "" || o.Attributes["orig_e_nr"] == nil {
		t.Errorf("offer fields from the GeoPackage: got %+v", o)
	}
}
