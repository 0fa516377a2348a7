package postgis

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

// TestSameAsSQLite applies the same batches to this store and to the
// embedded one and compares what they report and hold after each step,
// including the corners the contract does not cover: keys repeated within
// a batch, rings that start elsewhere, reordered target groups, negative
// zero, dates that do not exist.
func TestSameAsSQLite(t *testing.T) {
	pg := newStore(t)
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "atlas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()

	base := func() *atlas.Batch {
		return &atlas.Batch{
			Source: atlas.Source{Name: "base", User: "u", Files: []atlas.SourceFile{{Name: "f", SHA256: "00", Bytes: 1}}},
			Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}, {ID: "plr", Name: "PLR", Parent: "bezirk"}},
			Units: []atlas.Unit{
				{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: square(13, 52, 0.2)},
				{Level: "bezirk", Code: "02", Name: "Nord", Geometry: square(13, 52.2, 0.2)},
				{Level: "plr", Code: "0101", Name: "A", Parent: "01", Geometry: square(13, 52, 0.1)},
				{Level: "plr", Code: "0102", Name: "B", Parent: "01", Geometry: square(13.1, 52, 0.1), Validity: atlas.Validity{From: 20200101}},
			},
			Layers: []atlas.OfferLayer{{ID: "kitas", Name: "Kitas"}},
			Offers: []atlas.Offer{
				{Layer: "kitas", ID: "k1", Name: "Eins", TargetGroups: []string{"a", "b"}, Attributes: map[string]any{"x": 1.0, "y": []any{"z"}}, Geometry: orb.Point{13.01, 52.01}},
				{Layer: "kitas", ID: "k2", Name: "Zwei", Capacity: new(int), Geometry: orb.Point{13.11, 52.01}},
			},
			Indicators: []atlas.Indicator{{ID: "ew", Name: "EW", Polarity: atlas.Neutral, Visibility: atlas.Public}},
			Values: []atlas.Value{
				{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20201231, Value: 1, Status: atlas.OK},
				{Indicator: "ew", Level: "plr", Unit: "0102", Date: 20201231, Value: 0, Status: atlas.OK},
				{Indicator: "ew", Level: "bezirk", Unit: "01", Date: 20201231, Status: atlas.Suppressed},
			},
		}
	}
	rotated := orb.MultiPolygon{{{{13.1, 52}, {13.1, 52.1}, {13, 52.1}, {13, 52}, {13.1, 52}}}} // square(13, 52, 0.1) from another corner
	steps := []struct {
		name string
		b    *atlas.Batch
		dry  bool
	}{
		{"first", base(), false},
		{"again", base(), false},
		{"repeated keys", &atlas.Batch{
			Units: []atlas.Unit{
				{Level: "plr", Code: "0103", Name: "C", Parent: "01", Geometry: square(13.2, 52, 0.1)},
				{Level: "plr", Code: "0103", Name: "C2", Parent: "02", Geometry: square(13.2, 52, 0.1)},
				{Level: "plr", Code: "0101", Name: "A", Parent: "01", Geometry: square(13, 52, 0.1)},
				{Level: "plr", Code: "0101", Name: "A2", Parent: "01", Geometry: square(13, 52, 0.1)},
			},
			Offers: []atlas.Offer{
				{Layer: "kitas", ID: "k3", Name: "Drei", Geometry: orb.Point{13.2, 52.2}},
				{Layer: "kitas", ID: "k3", Name: "Drei", Geometry: orb.Point{13.2, 52.2}},
				{Layer: "kitas", ID: "k1", Name: "Eins!", Geometry: orb.Point{13.01, 52.01}},
			},
			Values: []atlas.Value{
				{Indicator: "ew", Level: "plr", Unit: "0103", Date: 20201231, Value: 5, Status: atlas.OK},
				{Indicator: "ew", Level: "plr", Unit: "0103", Date: 20201231, Value: 6, Status: atlas.OK},
				{Indicator: "ew", Level: "plr", Unit: "0103", Date: 20201231, Value: 6, Status: atlas.OK},
				{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20201231, Value: 1, Status: atlas.OK},
				{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20201231, Status: atlas.Missing},
				{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20211231, Value: 2, Status: atlas.OK},
				{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20211231, Value: 2, Status: atlas.OK},
			},
		}, false},
		{"subtle changes", &atlas.Batch{
			Units: []atlas.Unit{{Level: "plr", Code: "0101", Name: "A2", Parent: "01", Geometry: rotated}},
			Offers: []atlas.Offer{
				{Layer: "kitas", ID: "k1", Name: "Eins!", TargetGroups: []string{"b", "a"}, Geometry: orb.Point{13.01, 52.01}},
				{Layer: "kitas", ID: "k2", Name: "Zwei", Capacity: new(int), Attributes: map[string]any{}, Geometry: orb.Point{13.11, 52.01}},
			},
			Values: []atlas.Value{
				{Indicator: "ew", Level: "plr", Unit: "0102", Date: 20201231, Value: negZero(), Status: atlas.OK},
				{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20211231, Value: 2, Numerator: atlas.Some(2), Status: atlas.OK},
			},
		}, false},
		{"dry run", func() *atlas.Batch { b := base(); b.Values[0].Value = 7; return b }(), true},
		{"unknown unit", &atlas.Batch{Values: []atlas.Value{{Indicator: "ew", Level: "plr", Unit: "9999", Date: 20201231, Status: atlas.Missing}}}, false},
		{"unknown parent", &atlas.Batch{Units: []atlas.Unit{{Level: "plr", Code: "x", Name: "x", Parent: "99", Geometry: square(0, 0, 1)}}}, false},
		{"parent without parent level", &atlas.Batch{Units: []atlas.Unit{{Level: "bezirk", Code: "x", Name: "x", Parent: "01", Geometry: square(0, 0, 1)}}}, false},
		{"unknown level of value", &atlas.Batch{Values: []atlas.Value{{Indicator: "ew", Level: "nope", Unit: "01", Date: 20201231, Status: atlas.Missing}}}, false},
		{"unknown layer", &atlas.Batch{Offers: []atlas.Offer{{Layer: "nope", ID: "x", Name: "x"}}}, false},
		{"level update", &atlas.Batch{Levels: []atlas.Level{{ID: "plr", Name: "Planungsraum", Parent: "bezirk"}, {ID: "block", Name: "Block", Parent: "plr"}}}, false},
		{"empty", &atlas.Batch{Source: atlas.Source{Name: "empty"}}, false},
	}
	for _, st := range steps {
		chPG, errPG := pg.Apply(ctx, st.b, atlas.ApplyOptions{DryRun: st.dry})
		chLite, errLite := lite.Apply(ctx, st.b, atlas.ApplyOptions{DryRun: st.dry})
		chPG.ImportID, chLite.ImportID = 0, 0
		if atlas.ErrorCode(errPG) != atlas.ErrorCode(errLite) || atlas.ErrorMessage(errPG) != atlas.ErrorMessage(errLite) {
			t.Errorf("%s: error: postgis %v, sqlite %v", st.name, errPG, errLite)
		}
		if chPG != chLite {
			t.Errorf("%s: changes:\npostgis %+v\nsqlite  %+v", st.name, chPG, chLite)
		}
		if a, b := state(t, pg), state(t, lite); a != b {
			t.Errorf("%s: stores differ:\npostgis %s\nsqlite  %s", st.name, a, b)
		}
	}
}

func negZero() float64 {
	z := 0.0
	return -z
}

// state dumps everything a store returns, except the import log's ids and
// times.
func state(t *testing.T, s atlas.Store) string {
	t.Helper()
	var out []any
	levels, err := s.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inds, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := s.OfferLayers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, levels, inds, layers)
	for _, l := range levels {
		units, err := s.Units(ctx, l.ID, atlas.UnitQuery{})
		if err != nil {
			t.Fatal(err)
		}
		type unitDump struct {
			atlas.Unit
			Geometry orb.MultiPolygon
		}
		for _, u := range units {
			out = append(out, unitDump{u, u.Geometry})
		}
		for _, i := range inds {
			vs, err := s.Values(ctx, atlas.ValueQuery{Indicator: i.ID, Level: l.ID})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, vs)
		}
	}
	for _, l := range layers {
		offers, err := s.Offers(ctx, l.ID, atlas.OfferQuery{})
		if err != nil {
			t.Fatal(err)
		}
		type offerDump struct {
			atlas.Offer
			Geometry orb.Point
		}
		for _, o := range offers {
			out = append(out, offerDump{o, o.Geometry})
		}
	}
	imports, err := s.Imports(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range imports {
		r.Changes.ImportID = 0
		out = append(out, r.Source, r.Changes)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
