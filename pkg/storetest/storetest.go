// Package storetest is the contract every atlas.Store must meet. Each store
// package runs Run against itself, so the embedded SQLite store and the
// PostGIS store are held to the same cases.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// NewStore returns an empty store that lives until the test ends.
type NewStore func(t testing.TB) atlas.Store

// Run runs the contract cases, each against a fresh store.
func Run(t *testing.T, newStore NewStore) {
	cases := []struct {
		name string
		f    func(t *testing.T, s atlas.Store)
	}{
		{"Empty", testEmpty},
		{"RoundTrip", testRoundTrip},
		{"ReapplyChangesNothing", testReapply},
		{"NewerBatchReplacesWhatItCovers", testNewer},
		{"DryRunWritesNothing", testDryRun},
		{"FailedBatchWritesNothing", testFailedBatch},
		{"UnitQueries", testUnitQueries},
		{"OfferQueries", testOfferQueries},
		{"ValueQueries", testValueQueries},
		{"ImportLog", testImportLog},
		{"UpdateGeometryAndParent", testUpdateUnit},
		{"BulkValues", testBulkValues},
		{"RefusesWhatNoStoreCanHold", testRefusals},
		{"CancelledApplyWritesNothing", testCancelled},
		{"ConfidentialIndicator", testConfidential},
		{"ImportInputs", testImportInputs},
		{"ValuesOfManyAndFewUnits", testManyUnits},
		{"ScanValues", testScanValues},
		{"ValueBlocks", testValueBlocks},
		{"Tokens", testTokens},
		{"OfferInventory", testOfferInventory},
		{"OfferLayerVisibility", testLayerVisibility},
		{"OfferHistory", testOfferHistory},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.f(t, newStore(t))
		})
	}
}

var ctx = context.Background()

func square(x, y, size float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}}}
}

func intp(i int) *int { return &i }

// fixture is a small city: two districts, four areas, two offers, two
// indicators with values at two dates.
func fixture() *atlas.Batch {
	return &atlas.Batch{
		Source: atlas.Source{Name: "fixture", User: "test", Files: []atlas.SourceFile{{Name: "a.geojson", SHA256: "ab", Bytes: 10}}},
		Levels: []atlas.Level{
			{ID: "bezirk", Name: "Bezirk", Source: "Amt", Licence: "CC BY 3.0 DE", Attribution: "© Amt"},
			{ID: "plr", Name: "Planungsraum", Parent: "bezirk", Description: "Sozialräume"},
		},
		Units: []atlas.Unit{
			{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: square(13.0, 52.0, 0.2)},
			{Level: "bezirk", Code: "02", Name: "Friedrichshain-Kreuzberg", Geometry: square(13.2, 52.0, 0.2)},
			{Level: "plr", Code: "0101", Name: "Schloßstraße", Parent: "01", Geometry: square(13.0, 52.0, 0.1), Validity: atlas.Validity{From: 20210101}},
			{Level: "plr", Code: "0102", Name: "Moabit", Parent: "01", Geometry: square(13.1, 52.0, 0.1)},
			{Level: "plr", Code: "0201", Name: "Südliche Friedrichstadt", Parent: "02", Geometry: square(13.2, 52.0, 0.1)},
			{Level: "plr", Code: "0202", Name: "Wrangelkiez", Parent: "02", Geometry: square(13.3, 52.0, 0.1), Validity: atlas.Validity{From: 20210101, To: 20251231}},
		},
		Layers: []atlas.OfferLayer{{ID: "kitas", Name: "Kindertagesstätten", Source: "Geoportal Berlin", Licence: "dl-de/by-2-0", Visibility: atlas.Public}},
		Offers: []atlas.Offer{
			{Layer: "kitas", ID: "k1", Name: "Kita Sonnenschein", Category: "Kita", Subcategory: "Tageseinrichtung",
				Provider: "Träger e.V.", ProviderType: "freier Träger", Capacity: intp(60), Address: "Albrechtstr. 20",
				TargetGroups: []string{"Kinder unter 6"}, Attributes: map[string]any{"plz": "10117", "places": 60.0, "flags": []any{"a", "b"}},
				Geometry: orb.Point{13.05, 52.05}},
			{Layer: "kitas", ID: "k2", Name: "Kita Regenbogen", Capacity: intp(0), Geometry: orb.Point{13.25, 52.05},
				Validity: atlas.Validity{From: 20200101, To: 20221231}},
		},
		Indicators: []atlas.Indicator{
			{ID: "ew", Name: "Einwohner", Unit: "Personen", Polarity: atlas.Neutral, Precision: 0, Visibility: atlas.Public, Topic: "Bevölkerung"},
			{ID: "kinderarmut", Name: "Kinderarmut", Unit: "%", Polarity: atlas.HigherWorse, Precision: 1, Visibility: atlas.Internal,
				Source: "BA", Licence: "dl-de/by-2-0", Attribution: "Statistik der BA", Description: "Kinder unter 15 in SGB II", Interval: "yearly"},
		},
		Values: []atlas.Value{
			{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20201231, Value: 3419, Status: atlas.OK},
			{Indicator: "ew", Level: "plr", Unit: "0102", Date: 20201231, Value: 1791, Status: atlas.OK},
			{Indicator: "ew", Level: "plr", Unit: "0201", Date: 20201231, Status: atlas.Missing},
			{Indicator: "ew", Level: "plr", Unit: "0202", Date: 20201231, Value: 0, Status: atlas.OK},
			{Indicator: "kinderarmut", Level: "plr", Unit: "0101", Date: 20201231, Value: 19.39799, Numerator: atlas.Some(35), Denominator: atlas.Some(180.43), Status: atlas.OK},
			{Indicator: "kinderarmut", Level: "plr", Unit: "0101", Date: 20191231, Value: 21.5, Numerator: atlas.Some(38), Denominator: atlas.Some(176.7), Status: atlas.OK},
			{Indicator: "kinderarmut", Level: "plr", Unit: "0102", Date: 20201231, Status: atlas.Suppressed},
			{Indicator: "kinderarmut", Level: "bezirk", Unit: "01", Date: 20201231, Value: -1.25e-3, Status: atlas.OK},
		},
	}
}

func mustApply(t testing.TB, s atlas.Store, b *atlas.Batch, opts atlas.ApplyOptions) atlas.Changes {
	t.Helper()
	ch, err := s.Apply(ctx, b, opts)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return ch
}

func testEmpty(t *testing.T, s atlas.Store) {
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	levels, err := s.Levels(ctx)
	if err != nil || len(levels) != 0 {
		t.Errorf("Levels = %v, %v; want none", levels, err)
	}
	inds, err := s.Indicators(ctx)
	if err != nil || len(inds) != 0 {
		t.Errorf("Indicators = %v, %v; want none", inds, err)
	}
	if _, err := s.Units(ctx, "nope", atlas.UnitQuery{}); atlas.ErrorCode(err) != atlas.ENOTFOUND {
		t.Errorf("Units of unknown level: got %v, want not_found", err)
	}
	if _, err := s.Offers(ctx, "nope", atlas.OfferQuery{}); atlas.ErrorCode(err) != atlas.ENOTFOUND {
		t.Errorf("Offers of unknown layer: got %v, want not_found", err)
	}
	vs, err := s.Values(ctx, atlas.ValueQuery{Indicator: "nope", Level: "nope"})
	if err != nil || len(vs) != 0 {
		t.Errorf("Values of unknown indicator = %v, %v; want none", vs, err)
	}
}

func testRoundTrip(t *testing.T, s atlas.Store) {
	b := fixture()
	ch := mustApply(t, s, b, atlas.ApplyOptions{})
	want := atlas.Changes{ImportID: ch.ImportID,
		Levels: atlas.Count{Inserted: 2}, Units: atlas.Count{Inserted: 6}, Layers: atlas.Count{Inserted: 1},
		Offers: atlas.Count{Inserted: 2}, Indicators: atlas.Count{Inserted: 2}, Values: atlas.Count{Inserted: 8}}
	if ch.ImportID == 0 || ch != want {
		t.Errorf("changes: got %+v, want %+v", ch, want)
	}

	levels, err := s.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLevels := []atlas.Level{b.Levels[0], b.Levels[1]}
	wantLevels[0].Units, wantLevels[1].Units = 2, 4
	if !reflect.DeepEqual(levels, wantLevels) {
		t.Errorf("levels:\n got %+v\nwant %+v", levels, wantLevels)
	}

	for _, level := range []string{"bezirk", "plr"} {
		units, err := s.Units(ctx, level, atlas.UnitQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var wantUnits []atlas.Unit
		for _, u := range b.Units {
			if u.Level == level {
				wantUnits = append(wantUnits, u)
			}
		}
		if !reflect.DeepEqual(units, wantUnits) {
			t.Errorf("units of %s:\n got %+v\nwant %+v", level, units, wantUnits)
		}
	}

	layers, err := s.OfferLayers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLayer := b.Layers[0]
	wantLayer.Offers = 2
	if !reflect.DeepEqual(layers, []atlas.OfferLayer{wantLayer}) {
		t.Errorf("layers: got %+v, want %+v", layers, wantLayer)
	}
	offers, err := s.Offers(ctx, "kitas", atlas.OfferQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(offers, b.Offers) {
		t.Errorf("offers:\n got %+v\nwant %+v", offers, b.Offers)
	}

	inds, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(inds, b.Indicators) {
		t.Errorf("indicators:\n got %+v\nwant %+v", inds, b.Indicators)
	}

	got, err := s.Values(ctx, atlas.ValueQuery{Indicator: "kinderarmut", Level: "plr"})
	if err != nil {
		t.Fatal(err)
	}
	wantValues := withImport(1, b.Values[5], b.Values[4], b.Values[6]) // by unit, then date; all from import 1
	if !reflect.DeepEqual(got, wantValues) {
		t.Errorf("values:\n got %+v\nwant %+v", got, wantValues)
	}
}

func testReapply(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	ch := mustApply(t, s, fixture(), atlas.ApplyOptions{})
	if ch.Changed() {
		t.Errorf("second apply of the same batch changed %+v, want nothing", ch)
	}
	want := atlas.Changes{ImportID: ch.ImportID,
		Levels: atlas.Count{Unchanged: 2}, Units: atlas.Count{Unchanged: 6}, Layers: atlas.Count{Unchanged: 1},
		Offers: atlas.Count{Unchanged: 2}, Indicators: atlas.Count{Unchanged: 2}, Values: atlas.Count{Unchanged: 8}}
	if ch != want {
		t.Errorf("changes: got %+v, want %+v", ch, want)
	}
}

func testNewer(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	newer := &atlas.Batch{
		Source: atlas.Source{Name: "newer"},
		Values: []atlas.Value{
			{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20201231, Value: 3500, Status: atlas.OK}, // corrected
			{Indicator: "ew", Level: "plr", Unit: "0102", Date: 20201231, Value: 1791, Status: atlas.OK}, // same
			{Indicator: "ew", Level: "plr", Unit: "0201", Date: 20201231, Value: 12, Status: atlas.OK},   // was missing
			{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20211231, Value: 3600, Status: atlas.OK}, // new date
			{Indicator: "ew", Level: "plr", Unit: "0202", Date: 20201231, Status: atlas.Missing},         // now missing
		},
	}
	ch := mustApply(t, s, newer, atlas.ApplyOptions{})
	if want := (atlas.Count{Inserted: 1, Updated: 3, Unchanged: 1}); ch.Values != want {
		t.Errorf("value changes: got %+v, want %+v", ch.Values, want)
	}
	got, err := s.Values(ctx, atlas.ValueQuery{Indicator: "ew", Level: "plr"})
	if err != nil {
		t.Fatal(err)
	}
	want := []atlas.Value{
		// Import says which import last wrote a value: the newer batch (2)
		// for what it changed or added, the first (1) for what it kept.
		{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20201231, Value: 3500, Status: atlas.OK, Import: 2},
		{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20211231, Value: 3600, Status: atlas.OK, Import: 2},
		{Indicator: "ew", Level: "plr", Unit: "0102", Date: 20201231, Value: 1791, Status: atlas.OK, Import: 1},
		{Indicator: "ew", Level: "plr", Unit: "0201", Date: 20201231, Value: 12, Status: atlas.OK, Import: 2},
		{Indicator: "ew", Level: "plr", Unit: "0202", Date: 20201231, Status: atlas.Missing, Import: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("values after newer batch:\n got %+v\nwant %+v", got, want)
	}
	// Values the newer batch did not cover are kept.
	kept, err := s.Values(ctx, atlas.ValueQuery{Indicator: "kinderarmut", Level: "plr"})
	if err != nil || len(kept) != 3 {
		t.Errorf("kinderarmut values: got %d (%v), want 3 kept", len(kept), err)
	}
}

// Dump prints everything a store holds, for tests that must prove a store
// unchanged.
func Dump(t testing.TB, s atlas.Store) string {
	t.Helper()
	levels, err1 := s.Levels(ctx)
	inds, err2 := s.Indicators(ctx)
	layers, err3 := s.OfferLayers(ctx)
	imports, err4 := s.Imports(ctx, 0)
	out := dump(levels, inds, layers, len(imports))
	for _, l := range levels {
		units, err := s.Units(ctx, l.ID, atlas.UnitQuery{})
		if err != nil {
			t.Fatal(err)
		}
		out += dump(units)
		for _, i := range inds {
			vs, err := s.Values(ctx, atlas.ValueQuery{Indicator: i.ID, Level: l.ID})
			if err != nil {
				t.Fatal(err)
			}
			out += dump(vs)
		}
	}
	for _, l := range layers {
		offers, err := s.Offers(ctx, l.ID, atlas.OfferQuery{})
		if err != nil {
			t.Fatal(err)
		}
		out += dump(offers)
	}
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// dump prints values in full, following pointers (unlike %+v).
func dump(vs ...any) string {
	b, err := json.Marshal(vs)
	if err != nil {
		panic(err)
	}
	return string(b) + "\n"
}

func testDryRun(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	before := Dump(t, s)
	b := fixture()
	b.Values[0].Value = 1
	b.Units = append(b.Units, atlas.Unit{Level: "plr", Code: "0203", Name: "Neu", Parent: "02", Geometry: square(13.35, 52.1, 0.05)})
	ch := mustApply(t, s, b, atlas.ApplyOptions{DryRun: true})
	if ch.ImportID != 0 || ch.Values.Updated != 1 || ch.Units.Inserted != 1 {
		t.Errorf("dry run changes: got %+v, want import 0, 1 value updated, 1 unit inserted", ch)
	}
	if after := Dump(t, s); after != before {
		t.Errorf("dry run changed the store:\nbefore %s\nafter  %s", before, after)
	}
}

func testFailedBatch(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	before := Dump(t, s)
	b := fixture()
	b.Units = append(b.Units, atlas.Unit{Level: "plr", Code: "0299", Name: "Neu", Parent: "02", Geometry: square(13.35, 52.1, 0.05)})
	b.Values[0].Value = 99
	b.Values = append(b.Values, atlas.Value{Indicator: "ew", Level: "plr", Unit: "9999", Date: 20201231, Value: 1, Status: atlas.OK})
	_, err := s.Apply(ctx, b, atlas.ApplyOptions{})
	if atlas.ErrorCode(err) != atlas.EINVALID {
		t.Fatalf("apply with a value of an unknown unit: got %v, want invalid", err)
	}
	if after := Dump(t, s); after != before {
		t.Errorf("a failed batch changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// Unknown parents and levels are refused by the store too.
	for name, bad := range map[string]*atlas.Batch{
		"unknown parent unit":  {Units: []atlas.Unit{{Level: "plr", Code: "x", Name: "x", Parent: "99", Geometry: square(0, 0, 1)}}},
		"unknown level":        {Units: []atlas.Unit{{Level: "nope", Code: "x", Name: "x", Geometry: square(0, 0, 1)}}},
		"unknown parent level": {Levels: []atlas.Level{{ID: "block", Name: "Block", Parent: "nope"}}},
		"unknown indicator":    {Values: []atlas.Value{{Indicator: "nope", Level: "plr", Unit: "0101", Date: 20201231, Status: atlas.Missing}}},
		"unknown offer layer":  {Offers: []atlas.Offer{{Layer: "nope", ID: "x", Name: "x"}}},
	} {
		if _, err := s.Apply(ctx, bad, atlas.ApplyOptions{}); atlas.ErrorCode(err) != atlas.EINVALID {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
	if after := Dump(t, s); after != before {
		t.Errorf("refused batches changed the store")
	}
}

func codes(units []atlas.Unit) []string {
	var out []string
	for _, u := range units {
		out = append(out, u.Code)
	}
	return out
}

func testUnitQueries(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	tests := []struct {
		name string
		q    atlas.UnitQuery
		want []string
	}{
		{"all", atlas.UnitQuery{}, []string{"0101", "0102", "0201", "0202"}},
		{"bbox", atlas.UnitQuery{BBox: &orb.Bound{Min: orb.Point{13.15, 52.01}, Max: orb.Point{13.25, 52.02}}}, []string{"0102", "0201"}},
		{"bbox outside", atlas.UnitQuery{BBox: &orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}}, nil},
		{"codes", atlas.UnitQuery{Codes: []string{"0202", "0101", "nope"}}, []string{"0101", "0202"}},
		{"limit", atlas.UnitQuery{Limit: 2}, []string{"0101", "0102"}},
		{"offset", atlas.UnitQuery{Limit: 2, Offset: 3}, []string{"0202"}},
		{"offset only", atlas.UnitQuery{Offset: 1}, []string{"0102", "0201", "0202"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			units, err := s.Units(ctx, "plr", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(units); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	units, err := s.Units(ctx, "plr", atlas.UnitQuery{NoGeometry: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 4 || units[0].Geometry != nil || units[0].Parent != "01" || units[0].Name != "Schloßstraße" {
		t.Errorf("NoGeometry: got %+v, want 4 units without geometry but with names and parents", units)
	}
}

func testOfferQueries(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	tests := []struct {
		name string
		q    atlas.OfferQuery
		want []string
	}{
		{"all", atlas.OfferQuery{}, []string{"k1", "k2"}},
		{"bbox", atlas.OfferQuery{BBox: &orb.Bound{Min: orb.Point{13.2, 52.0}, Max: orb.Point{13.3, 52.1}}}, []string{"k2"}},
		{"page", atlas.OfferQuery{Limit: 1, Offset: 1}, []string{"k2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offers, err := s.Offers(ctx, "kitas", tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range offers {
				got = append(got, o.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func testValueQueries(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	tests := []struct {
		name string
		q    atlas.ValueQuery
		want []string
	}{
		{"date", atlas.ValueQuery{Indicator: "kinderarmut", Level: "plr", Dates: []atlas.Date{20191231}}, []string{"0101@2019-12-31"}},
		{"units", atlas.ValueQuery{Indicator: "kinderarmut", Level: "plr", Units: []string{"0102"}}, []string{"0102@2020-12-31"}},
		{"other level", atlas.ValueQuery{Indicator: "kinderarmut", Level: "bezirk"}, []string{"01@2020-12-31"}},
		{"no values", atlas.ValueQuery{Indicator: "ew", Level: "bezirk"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := s.Values(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.Unit+"@"+v.Date.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func testImportLog(t *testing.T, s atlas.Store) {
	first := mustApply(t, s, fixture(), atlas.ApplyOptions{})
	mustApply(t, s, fixture(), atlas.ApplyOptions{DryRun: true})
	second := mustApply(t, s, &atlas.Batch{Source: atlas.Source{Name: "second", User: "anna"}}, atlas.ApplyOptions{})
	log, err := s.Imports(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 {
		t.Fatalf("import log has %d entries, want 2 (a dry run is not logged)", len(log))
	}
	if log[0].ID != second.ImportID || log[1].ID != first.ImportID {
		t.Errorf("import log order: got ids %d, %d; want %d, %d", log[0].ID, log[1].ID, second.ImportID, first.ImportID)
	}
	r := log[1]
	if r.Source.Name != "fixture" || r.Source.User != "test" || len(r.Source.Files) != 1 || r.Source.Files[0].SHA256 != "ab" {
		t.Errorf("import source: got %+v", r.Source)
	}
	if r.Changes.Values.Inserted != 8 || r.Finished.Before(r.Started) || r.Started.IsZero() {
		t.Errorf("import record: got %+v", r)
	}
	limited, err := s.Imports(ctx, 1)
	if err != nil || len(limited) != 1 {
		t.Errorf("Imports(1): got %d entries, %v", len(limited), err)
	}
}

// testConfidential: raw inputs are kept as confidential indicators and
// read back as such, with their values; not serving them is the business
// of the layers above the store. Changing only an indicator's visibility
// is an update like any other.
func testConfidential(t *testing.T, s atlas.Store) {
	b := fixture()
	raw := atlas.Indicator{ID: "ew_raw", Name: "Einwohner (Rohdaten)", Unit: "Personen", Polarity: atlas.Neutral,
		Precision: 0, Visibility: atlas.Confidential, Source: "Amt für Statistik", Topic: "Bevölkerung"}
	b.Indicators = append(b.Indicators, raw)
	rawValue := atlas.Value{Indicator: raw.ID, Level: "plr", Unit: "0101", Date: 20201231, Value: 3, Status: atlas.OK}
	b.Values = append(b.Values, rawValue)
	if ch := mustApply(t, s, b, atlas.ApplyOptions{}); ch.Indicators != (atlas.Count{Inserted: 3}) {
		t.Errorf("indicator changes: got %+v, want 3 inserted", ch.Indicators)
	}
	inds, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []atlas.Indicator{b.Indicators[0], raw, b.Indicators[1]} // by id
	if !reflect.DeepEqual(inds, want) {
		t.Errorf("indicators:\n got %+v\nwant %+v", inds, want)
	}
	vs, err := s.Values(ctx, atlas.ValueQuery{Indicator: raw.ID, Level: "plr"})
	if err != nil || !reflect.DeepEqual(vs, withImport(1, rawValue)) {
		t.Errorf("values of the confidential indicator: got %+v, %v; want %+v", vs, err, rawValue)
	}

	// Public becomes confidential, and back.
	for _, v := range []atlas.Visibility{atlas.Confidential, atlas.Public} {
		ew := fixture().Indicators[0]
		ew.Visibility = v
		if ch := mustApply(t, s, &atlas.Batch{Indicators: []atlas.Indicator{ew}}, atlas.ApplyOptions{}); ch.Indicators != (atlas.Count{Updated: 1}) {
			t.Errorf("visibility to %s: got %+v, want 1 updated", v, ch.Indicators)
		}
		inds, err := s.Indicators(ctx)
		if err != nil || len(inds) != 3 || inds[0] != ew {
			t.Errorf("after visibility to %s: got %+v, %v; want %+v first", v, inds, err, ew)
		}
	}
	if ch := mustApply(t, s, &atlas.Batch{Indicators: []atlas.Indicator{raw}}, atlas.ApplyOptions{}); ch.Indicators != (atlas.Count{Unchanged: 1}) {
		t.Errorf("confidential indicator again: got %+v, want 1 unchanged", ch.Indicators)
	}
}

// testManyUnits: values that name many units of a level (more than a
// store looks up one by one: it reads the level whole) and values that
// name a few of them resolve alike, and an unknown code among many is
// refused by name with nothing written.
func testManyUnits(t *testing.T, s atlas.Store) {
	const n = 12_000
	ew := atlas.Indicator{ID: "ew", Name: "Einwohner", Polarity: atlas.Neutral, Visibility: atlas.Public}
	setup := &atlas.Batch{Levels: []atlas.Level{{ID: "block", Name: "Block"}}, Indicators: []atlas.Indicator{ew}}
	many := &atlas.Batch{}
	for i := 0; i < n; i++ {
		code := fmt.Sprintf("B%05d", i)
		setup.Units = append(setup.Units, atlas.Unit{Level: "block", Code: code, Name: code,
			Geometry: square(13+float64(i%100)*0.001, 52+float64(i/100)*0.001, 0.001)})
		many.Values = append(many.Values, atlas.Value{Indicator: "ew", Level: "block", Unit: code, Date: 20201231, Value: float64(i), Status: atlas.OK})
	}
	mustApply(t, s, setup, atlas.ApplyOptions{})
	if ch := mustApply(t, s, many, atlas.ApplyOptions{}); ch.Values != (atlas.Count{Inserted: n}) {
		t.Errorf("values of %d units: got %+v, want all inserted", n, ch.Values)
	}
	few := &atlas.Batch{Values: []atlas.Value{
		{Indicator: "ew", Level: "block", Unit: "B11999", Date: 20201231, Value: -1, Status: atlas.OK},
		{Indicator: "ew", Level: "block", Unit: "B00007", Date: 20201231, Value: 7, Status: atlas.OK},
		{Indicator: "ew", Level: "block", Unit: "B00000", Date: 20211231, Status: atlas.Missing},
	}}
	if ch := mustApply(t, s, few, atlas.ApplyOptions{}); ch.Values != (atlas.Count{Inserted: 1, Updated: 1, Unchanged: 1}) {
		t.Errorf("values of 3 units: got %+v, want 1 inserted, 1 updated, 1 unchanged", ch.Values)
	}
	got, err := s.Values(ctx, atlas.ValueQuery{Indicator: "ew", Level: "block", Units: []string{"B00000", "B05000", "B11999"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []atlas.Value{many.Values[0], few.Values[2], many.Values[5000], few.Values[0]}
	if !reflect.DeepEqual(stripImports(got), want) {
		t.Errorf("values:\n got %+v\nwant %+v", got, want)
	}

	for i := range many.Values {
		many.Values[i].Value++
	}
	many.Values[n/2].Unit = "B99999"
	before := Dump(t, s)
	_, err = s.Apply(ctx, many, atlas.ApplyOptions{})
	if atlas.ErrorCode(err) != atlas.EINVALID || !strings.Contains(atlas.ErrorMessage(err), `"B99999"`) {
		t.Errorf("an unknown unit among %d: got %v, want invalid naming B99999", n, err)
	}
	if after := Dump(t, s); after != before {
		t.Errorf("a refused batch changed the store")
	}
}

// testImportInputs: the import log keeps which imports a computation read,
// in the order given; an import of files has none.
func testImportInputs(t *testing.T, s atlas.Store) {
	files := mustApply(t, s, fixture(), atlas.ApplyOptions{})
	computed := &atlas.Batch{
		Source: atlas.Source{Name: "kinderarmut berechnet", User: "engine", Inputs: []int64{files.ImportID}},
		Values: []atlas.Value{{Indicator: "kinderarmut", Level: "plr", Unit: "0102", Date: 20201231, Value: 12.5,
			Numerator: atlas.Some(20), Denominator: atlas.Some(160), Status: atlas.OK}},
	}
	first := mustApply(t, s, computed, atlas.ApplyOptions{})
	again := &atlas.Batch{Source: atlas.Source{Name: "neu berechnet", Inputs: []int64{first.ImportID, files.ImportID}}}
	mustApply(t, s, again, atlas.ApplyOptions{DryRun: true}) // not logged
	second := mustApply(t, s, again, atlas.ApplyOptions{})

	log, err := s.Imports(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 {
		t.Fatalf("import log has %d entries, want 3", len(log))
	}
	wantIDs := []int64{second.ImportID, first.ImportID, files.ImportID}
	wantSources := []atlas.Source{again.Source, computed.Source, fixture().Source}
	for i, r := range log {
		if r.ID != wantIDs[i] || !reflect.DeepEqual(r.Source, wantSources[i]) {
			t.Errorf("import %d: got id %d, source %+v; want id %d, source %+v", i, r.ID, r.Source, wantIDs[i], wantSources[i])
		}
	}
	if log[2].Source.Inputs != nil {
		t.Errorf("inputs of an import of files: got %#v, want nil", log[2].Source.Inputs)
	}
}

func testUpdateUnit(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	moved := atlas.Unit{Level: "plr", Code: "0102", Name: "Moabit West", Parent: "02", Geometry: square(15.0, 50.0, 0.1)}
	ch := mustApply(t, s, &atlas.Batch{Units: []atlas.Unit{moved}}, atlas.ApplyOptions{})
	if ch.Units != (atlas.Count{Updated: 1}) {
		t.Errorf("unit changes: got %+v, want 1 updated", ch.Units)
	}
	got, err := s.Units(ctx, "plr", atlas.UnitQuery{Codes: []string{"0102"}})
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], moved) {
		t.Fatalf("updated unit: got %+v, %v; want %+v", got, err, moved)
	}
	// The spatial index follows the new geometry.
	found, err := s.Units(ctx, "plr", atlas.UnitQuery{BBox: &orb.Bound{Min: orb.Point{15.01, 50.01}, Max: orb.Point{15.02, 50.02}}})
	if err != nil || !reflect.DeepEqual(codes(found), []string{"0102"}) {
		t.Errorf("bbox at the new place: got %v, %v; want [0102]", codes(found), err)
	}
	old, err := s.Units(ctx, "plr", atlas.UnitQuery{BBox: &orb.Bound{Min: orb.Point{13.15, 52.05}, Max: orb.Point{13.16, 52.06}}})
	if err != nil || len(old) != 0 {
		t.Errorf("bbox at the old place: got %v, %v; want none", codes(old), err)
	}
}

func testBulkValues(t *testing.T, s atlas.Store) {
	b := fixture()
	b.Values = BulkValues(b.Units, "ew", 2000)
	ch := mustApply(t, s, b, atlas.ApplyOptions{})
	if ch.Values.Inserted != len(b.Values) {
		t.Fatalf("inserted %d values, want %d", ch.Values.Inserted, len(b.Values))
	}
	b.Values[17].Value++
	b.Values[1234] = atlas.Value{Indicator: "ew", Level: b.Values[1234].Level, Unit: b.Values[1234].Unit, Date: b.Values[1234].Date, Status: atlas.Missing}
	ch = mustApply(t, s, b, atlas.ApplyOptions{})
	if want := (atlas.Count{Updated: 2, Unchanged: len(b.Values) - 2}); ch.Values != want {
		t.Errorf("second bulk apply: got %+v, want %+v", ch.Values, want)
	}
	got, err := s.Values(ctx, atlas.ValueQuery{Indicator: "ew", Level: "plr"})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, v := range b.Values {
		if v.Level == "plr" {
			n++
		}
	}
	if len(got) != n {
		t.Errorf("read %d values, want %d", len(got), n)
	}
}

// BulkValues makes n values of one indicator spread over the given units
// and consecutive days: the shape of a bulk load.
func BulkValues(units []atlas.Unit, indicator string, n int) []atlas.Value {
	out := make([]atlas.Value, 0, n)
	day := atlas.NewDate(2000, 1, 1).Time()
	for i := 0; len(out) < n; i++ {
		d := atlas.DateOf(day.AddDate(0, 0, i))
		for _, u := range units {
			if len(out) == n {
				break
			}
			out = append(out, atlas.Value{Indicator: indicator, Level: u.Level, Unit: u.Code, Date: d,
				Value: float64(len(out)%1000) / 7, Numerator: atlas.Some(float64(len(out) % 1000)), Denominator: atlas.Some(7), Status: atlas.OK})
		}
	}
	return out
}

// testRefusals: input no store can hold (NUL, invalid UTF-8, days that do
// not exist, numbers on a missing value) is the caller's error, refused
// before anything is written.
func testRefusals(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	before := Dump(t, s)
	for name, b := range map[string]*atlas.Batch{
		"NUL in a name":             {Indicators: []atlas.Indicator{{ID: "x", Name: "a\x00b", Polarity: atlas.Neutral, Visibility: atlas.Public}}},
		"invalid UTF-8":             {Units: []atlas.Unit{{Level: "plr", Code: "0101", Name: "\xff", Parent: "01", Geometry: square(13, 52, 0.1)}}},
		"NUL in attributes":         {Offers: []atlas.Offer{{Layer: "kitas", ID: "k", Name: "K", Attributes: map[string]any{"a": []any{"x\x00"}}, Geometry: orb.Point{13, 52}}}},
		"NUL in a file name":        {Source: atlas.Source{Files: []atlas.SourceFile{{Name: "\x00"}}}},
		"a day that is not":         {Values: []atlas.Value{{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20210230, Status: atlas.Missing}}},
		"a validity that is not":    {Units: []atlas.Unit{{Level: "plr", Code: "0101", Name: "B", Parent: "01", Validity: atlas.Validity{From: 20211301}, Geometry: square(13, 52, 0.1)}}},
		"a missing value with data": {Values: []atlas.Value{{Indicator: "ew", Level: "plr", Unit: "0101", Date: 20201231, Numerator: atlas.Some(1), Status: atlas.Missing}}},
	} {
		if _, err := s.Apply(ctx, b, atlas.ApplyOptions{}); atlas.ErrorCode(err) != atlas.EINVALID {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
	if after := Dump(t, s); after != before {
		t.Errorf("refused batches changed the store")
	}
}

// testCancelled cancels an Apply halfway through its writes (as SIGTERM
// does to an import): the transaction rolls back and the store is as it
// was. Halfway is half the time an equal batch takes uncancelled.
func testCancelled(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	units := fixture().Units
	first := &atlas.Batch{Values: BulkValues(units, "ew", 200_000)}
	start := time.Now()
	mustApply(t, s, first, atlas.ApplyOptions{})
	full := time.Since(start)
	before := Dump(t, s)

	// The cancel must land while Apply writes. On a busy machine an Apply
	// can outrun a timer, so try again with an earlier cancel: what is
	// asserted, an unchanged store after a cancelled Apply, never relaxes.
	for attempt, frac := range []time.Duration{2, 8, 32, 128} {
		second := &atlas.Batch{Values: BulkValues(units, "kinderarmut", 200_000)}
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(full/frac, cancel)
		_, err := s.Apply(cctx, second, atlas.ApplyOptions{})
		cancel()
		if err == nil {
			t.Logf("attempt %d: Apply finished before the cancel after %v; trying earlier", attempt+1, full/frac)
			before = Dump(t, s)
			continue
		}
		t.Logf("cancelled after %v of %v: %v", full/frac, full, err)
		if after := Dump(t, s); after != before {
			t.Errorf("a cancelled Apply changed the store")
		}
		return
	}
	t.Fatalf("Apply finished every time although cancelled as early as %v", full/128)
}

// testScanValues: a scan returns the values of every level, each with its
// level, the same as the reads level by level; it sees units written after
// an earlier scan, and an error from the callback ends it.
func testScanValues(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	levels, err := s.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inds, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key := func(v atlas.Value) string { return fmt.Sprintf("%s|%s|%s|%v", v.Level, v.Unit, v.Date, v) }
	scan := func(id string) map[string]bool {
		t.Helper()
		got := map[string]bool{}
		if err := s.ScanValues(ctx, id, func(v *atlas.Value) error {
			if got[key(*v)] {
				t.Errorf("%s: %+v scanned twice", id, *v)
			}
			got[key(*v)] = true
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	levelReads := func(id string) map[string]bool {
		t.Helper()
		want := map[string]bool{}
		for _, l := range levels {
			vs, err := s.Values(ctx, atlas.ValueQuery{Indicator: id, Level: l.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				want[key(v)] = true
			}
		}
		return want
	}
	for _, ind := range inds {
		if got, want := scan(ind.ID), levelReads(ind.ID); !maps.Equal(got, want) || len(got) == 0 {
			t.Errorf("%s: scan gave %v, level by level %v", ind.ID, got, want)
		}
	}

	// A unit written after the scans above.
	b := &atlas.Batch{Source: atlas.Source{Name: "more"},
		Units:  []atlas.Unit{{Level: "plr", Code: "0203", Name: "Neu", Parent: "02", Geometry: square(13.3, 52.1, 0.1)}},
		Values: []atlas.Value{{Indicator: "ew", Level: "plr", Unit: "0203", Date: 20201231, Value: 12, Status: atlas.OK}}}
	mustApply(t, s, b, atlas.ApplyOptions{})
	got := scan("ew")
	if want := levelReads("ew"); !maps.Equal(got, want) || len(got) != 5 {
		t.Errorf("ew after a new unit: scan gave %v, level by level %v", got, want)
	}

	stop := errors.New("stop")
	calls := 0
	if err := s.ScanValues(ctx, "ew", func(*atlas.Value) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("callback error: scan returned %v after %d calls, want stop after 1", err, calls)
	}
	if err := s.ScanValues(ctx, "nope", func(v *atlas.Value) error { return fmt.Errorf("called with %+v", *v) }); err != nil {
		t.Errorf("unknown indicator: %v", err)
	}
	if _, err := s.Values(ctx, atlas.ValueQuery{Indicator: inds[0].ID}); atlas.ErrorCode(err) != atlas.EINVALID {
		t.Errorf("values without a level: %v, want EINVALID", err)
	}
}

// testValueBlocks: values handed over in columns are written like Values,
// and a number in the column of a row that is not OK is not written.
func testValueBlocks(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	b := &atlas.Batch{Source: atlas.Source{Name: "blocks"}, Blocks: []atlas.Block{{
		Indicator: "kinderarmut", Level: "plr", Date: 20211231,
		Units:  []string{"0101", "0102", "0201"},
		Status: []atlas.Status{atlas.OK, atlas.Suppressed, atlas.Missing},
		Value:  []float64{20, 7, 8}, Numerator: []float64{36, 2, 3}, Denominator: []float64{180, 28, 37.5},
	}}}
	if ch := mustApply(t, s, b, atlas.ApplyOptions{}); ch.Values.Inserted != 3 {
		t.Errorf("blocks: %+v, want 3 inserted", ch.Values)
	}
	got, err := s.Values(ctx, atlas.ValueQuery{Indicator: "kinderarmut", Level: "plr", Dates: []atlas.Date{20211231}})
	if err != nil {
		t.Fatal(err)
	}
	want := []atlas.Value{
		{Indicator: "kinderarmut", Level: "plr", Unit: "0101", Date: 20211231, Value: 20, Numerator: atlas.Some(36), Denominator: atlas.Some(180), Status: atlas.OK},
		{Indicator: "kinderarmut", Level: "plr", Unit: "0102", Date: 20211231, Status: atlas.Suppressed},
		{Indicator: "kinderarmut", Level: "plr", Unit: "0201", Date: 20211231, Status: atlas.Missing},
	}
	if !reflect.DeepEqual(stripImports(got), want) {
		t.Errorf("blocks read back:\n got %+v\nwant %+v", got, want)
	}
	b.Blocks[0].Value = b.Blocks[0].Value[:2]
	if _, err := s.Apply(ctx, b, atlas.ApplyOptions{}); atlas.ErrorCode(err) != atlas.EINVALID {
		t.Errorf("block with a short column: %v, want EINVALID", err)
	}
}

// testTokens: a token is found by its hash until revoked, revoked once,
// listed with who created and revoked it; the secret is never needed.
func testTokens(t *testing.T, s atlas.Store) {
	hash := strings.Repeat("ab", 32)
	tok, err := s.CreateToken(ctx, atlas.Token{Name: "Sozialplanung Mitte", Role: "analyst", Hash: hash, CreatedBy: "admin"})
	if err != nil || tok.ID == 0 || tok.Created.IsZero() {
		t.Fatalf("create: %+v %v", tok, err)
	}
	got, err := s.TokenByHash(ctx, hash)
	if err != nil || got.ID != tok.ID || got.Role != "analyst" || got.Name != "Sozialplanung Mitte" || !got.Revoked.IsZero() {
		t.Errorf("by hash: %+v %v", got, err)
	}
	if _, err := s.CreateToken(ctx, atlas.Token{Name: "bad role", Role: "root", Hash: strings.Repeat("cd", 32), CreatedBy: "admin"}); err == nil {
		t.Error("a token with an unknown role was stored")
	}
	if _, err := s.CreateToken(ctx, atlas.Token{Name: "no hash", Role: "viewer", CreatedBy: "admin"}); atlas.ErrorCode(err) != atlas.EINVALID {
		t.Errorf("token without hash: %v, want EINVALID", err)
	}
	if err := s.RevokeToken(ctx, tok.ID, "chef"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenByHash(ctx, hash); atlas.ErrorCode(err) != atlas.ENOTFOUND {
		t.Errorf("revoked token found: %v", err)
	}
	if err := s.RevokeToken(ctx, tok.ID, "chef"); atlas.ErrorCode(err) != atlas.ENOTFOUND {
		t.Errorf("second revoke: %v, want ENOTFOUND", err)
	}
	list, err := s.Tokens(ctx)
	if err != nil || len(list) != 1 || list[0].RevokedBy != "chef" || list[0].Revoked.Before(list[0].Created) || list[0].CreatedBy != "admin" {
		t.Errorf("list: %+v %v", list, err)
	}
}

// withImport returns copies of vs as a store reads them back from import id.
func withImport(id int64, vs ...atlas.Value) []atlas.Value {
	out := make([]atlas.Value, len(vs))
	for i, v := range vs {
		v.Import = id
		out[i] = v
	}
	return out
}

// stripImports leaves out the provenance where a test compares numbers.
func stripImports(vs []atlas.Value) []atlas.Value { return withImport(0, vs...) }
