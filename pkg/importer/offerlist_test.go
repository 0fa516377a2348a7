package importer

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/storetest"
)

// listCity is a store with two districts and an offer layer.
func listCity(t *testing.T) atlas.Store {
	t.Helper()
	s := newSQLite(t)
	sq := func(x float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, 52.4}, {x + 0.1, 52.4}, {x + 0.1, 52.5}, {x, 52.5}, {x, 52.4}}}}
	}
	if _, err := s.Apply(context.Background(), &atlas.Batch{
		Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}},
		Units: []atlas.Unit{{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: sq(13.3)},
			{Level: "bezirk", Code: "02", Name: "Süd", Geometry: sq(13.4)}},
		Layers: []atlas.OfferLayer{{ID: "beratung", Name: "Beratungsstellen"}},
	}, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// A list as a German office sends it: semicolons, decimal commas, a
// German date, German yes/no, a column the inventory does not know.
const goodList = "id;name;provider;provider_type;goals;conditions;age_min;age_max;barrier_free;lon;lat;area_code;level;valid_from;Ansprechperson\r\n" +
	"b1;Schuldnerberatung Mitte;Diakonie;non_profit;Existenzsicherung;free_of_charge, referral_needed;18;;ja;13,35;52,45;;;01.01.2024;Frau Koch\r\n" +
	"b2;Familienbüro Süd;Bezirksamt;municipal;\"Bildung; soziale Teilhabe\";;;;;;;02;bezirk;;\r\n"

func TestOfferListCSV(t *testing.T) {
	s := listCity(t)
	ctx := context.Background()
	rep, err := ImportOfferList(ctx, s, []byte(goodList), OfferListOptions{Name: "beratung.csv", Layer: "beratung", User: "anna"})
	if err != nil || !rep.OK() {
		t.Fatalf("import: %v %+v", err, rep)
	}
	if rep.Format != "csv" || rep.Rows != 2 || rep.Changes.Offers.Inserted != 2 || !slices.Equal(rep.Attributes, []string{"Ansprechperson"}) {
		t.Errorf("report: %+v", rep)
	}
	offers, err := s.Offers(ctx, "beratung", atlas.OfferQuery{})
	if err != nil || len(offers) != 2 {
		t.Fatalf("offers: %v %v", offers, err)
	}
	b1, b2 := offers[0], offers[1]
	if b1.Geometry != (orb.Point{13.35, 52.45}) || *b1.AgeMin != 18 || b1.AgeMax != nil || !*b1.BarrierFree || b1.From != 20240101 ||
		!slices.Equal(b1.Conditions, []string{"free_of_charge", "referral_needed"}) || b1.Attributes["Ansprechperson"] != "Frau Koch" {
		t.Errorf("b1: %+v", b1)
	}
	units, _ := s.Units(ctx, "bezirk", atlas.UnitQuery{Codes: []string{"02"}})
	if want := geo.InteriorPoint(units[0].Geometry); b2.Geometry != want || b2.BarrierFree != nil ||
		!slices.Equal(b2.Goals, []string{"Bildung", "soziale Teilhabe"}) {
		t.Errorf("b2 at the interior point %v of its area: %+v", want, b2)
	}
	log, _ := s.Imports(ctx, 1)
	if len(log) != 1 || log[0].Source.Action != atlas.OfferImport || log[0].Source.User != "anna" || log[0].Source.Files[0].Name != "beratung.csv" {
		t.Errorf("import log: %+v", log)
	}
	// The same list again changes nothing.
	rep, err = ImportOfferList(ctx, s, []byte(goodList), OfferListOptions{Name: "beratung.csv", Layer: "beratung"})
	if err != nil || rep.Changes.Offers != (atlas.Count{Unchanged: 2}) {
		t.Errorf("again: %v %+v", err, rep.Changes)
	}
	// A list with fewer columns changes only those: b1 keeps its place,
	// ages, goals and attributes, and gets opening hours.
	rep, err = ImportOfferList(ctx, s, []byte("id,opening_hours\nb1,Mo 9-12\n"), OfferListOptions{Name: "zeiten.csv", Layer: "beratung"})
	if err != nil || !rep.OK() || rep.Changes.Offers != (atlas.Count{Updated: 1}) {
		t.Fatalf("opening hours only: %v %+v", err, rep)
	}
	offers, _ = s.Offers(ctx, "beratung", atlas.OfferQuery{})
	want := b1
	want.OpeningHours = "Mo 9-12"
	if !reflect.DeepEqual(offers[0], want) {
		t.Errorf("after a list of opening hours:\n got %+v\nwant %+v", offers[0], want)
	}
}

// TestOfferListErrors: every error is reported with its row and column,
// and nothing is written.
func TestOfferListErrors(t *testing.T) {
	s := listCity(t)
	ctx := context.Background()
	before := storetest.Dump(t, s)
	bad := "id,name,provider_type,goals,capacity,barrier_free,lon,lat,area_code,level,valid_to\n" +
		"x1,Gut,private,Arbeit,12,nein,13.35,52.45,,,\n" + // row 2: fine
		"x2,Falscher Träger,kommunal,Arbeit,,,13.35,52.45,,,\n" + // row 3: C3
		"x3,Falsches Ziel,,Freizeit,,,13.35,52.45,,,\n" + // row 4: D4
		"x1,Doppelt,,,,,13.35,52.45,,,\n" + // row 5: A5
		",Ohne id,,,zwölf,vielleicht,13.35,52.45,,,\n" + // row 6: A6, E6, F6
		"x6,Vertauscht,,,,,52.45,13.35,,,\n" + // row 7: G7
		"x7,Kein Gebiet,,,,,,,99,bezirk,\n" + // row 8: I8
		"x8,Falsches Datum,,,,,13.35,52.45,,,31.02.2024\n" // row 9: K9
	rep, err := ImportOfferList(ctx, s, []byte(bad), OfferListOptions{Name: "bad.csv", Layer: "beratung"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range rep.Problems {
		got = append(got, p.Cell)
	}
	want := []string{"C3", "D4", "A5", "E6", "F6", "A6", "G7", "I8", "K9"}
	if !slices.Equal(got, want) || rep.Errors != len(want) || rep.Changes != nil {
		t.Errorf("problems at %v, want %v:\n%+v", got, want, rep.Problems)
	}
	for _, p := range rep.Problems {
		if p.Row == 0 || p.Column == 0 || p.Reason == "" {
			t.Errorf("problem without row, column or reason: %+v", p)
		}
	}
	if !strings.Contains(rep.Problems[0].Reason, "want one of municipal, non_profit, private") || !strings.Contains(rep.Problems[6].Reason, "outside the city") {
		t.Errorf("reasons: %+v", rep.Problems)
	}
	if after := storetest.Dump(t, s); after != before {
		t.Error("a list with errors wrote something")
	}
	for _, tc := range []struct{ list, want string }{
		{"name,lon,lat\nA,13.35,52.45\n", "column id is missing"},
		{"id,name\nx,A\n", "the offer is new and has no place"},
		{"id,name,lon\nx,A,13.35\n", "give both lon and lat"},
	} {
		rep, err := ImportOfferList(ctx, s, []byte(tc.list), OfferListOptions{Name: "x.csv", Layer: "beratung"})
		if err != nil || rep.OK() || !strings.Contains(rep.Problems[0].Reason, tc.want) {
			t.Errorf("%q: %v %+v, want %q", tc.list, err, rep, tc.want)
		}
	}
	if _, err := ImportOfferList(ctx, s, []byte(goodList), OfferListOptions{Name: "x.csv", Layer: "nope"}); atlas.ErrorCode(err) != atlas.ENOTFOUND {
		t.Errorf("unknown layer: %v", err)
	}
}

// TestOfferListXLSX: a workbook with real number and date cells.
func TestOfferListXLSX(t *testing.T) {
	s := listCity(t)
	ctx := context.Background()
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"ID", "Name", "Goals", "Lon", "Lat", "Valid_From", "Capacity"},
		{"w1", "Wohnungsnotfallhilfe", "Wohnen", 13.45, 52.42, nil, 30},
		{"w2", "Mieterberatung", "Wohnen", "13,41", "52,44", nil, nil},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14}) // a date cell, as Excel stores it: a serial number
	f.SetCellStyle(sheet, "F2", "F2", style)
	f.SetCellValue(sheet, "F2", 45292) // 2024-01-01
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rep, err := ImportOfferList(ctx, s, buf.Bytes(), OfferListOptions{Name: "wohnen.xlsx", Layer: "beratung"})
	if err != nil || !rep.OK() || rep.Format != "xlsx" {
		t.Fatalf("import: %v %+v", err, rep)
	}
	offers, _ := s.Offers(ctx, "beratung", atlas.OfferQuery{})
	if len(offers) != 2 || offers[0].Geometry != (orb.Point{13.45, 52.42}) || offers[0].From != 20240101 || *offers[0].Capacity != 30 ||
		offers[1].Geometry != (orb.Point{13.41, 52.44}) {
		t.Errorf("offers: %+v", offers)
	}
	f2 := excelize.NewFile()
	f2.SetSheetRow(f2.GetSheetName(0), "A1", &[]any{"id", "name", "lon", "lat"})
	f2.SetSheetRow(f2.GetSheetName(0), "A2", &[]any{"q", "Q", "Ost", 52.4})
	buf.Reset()
	f2.Write(&buf)
	rep, err = ImportOfferList(ctx, s, buf.Bytes(), OfferListOptions{Name: "bad.xlsx", Layer: "beratung"})
	if err != nil || rep.OK() || rep.Problems[0].Cell != "C2" {
		t.Errorf("a text in lon: %v %+v", err, rep)
	}
}
