package storetest

import (
	"reflect"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

func boolp(b bool) *bool { return &b }

// inventoryOffer is an offer with every field of the inventory set.
func inventoryOffer() atlas.Offer {
	return atlas.Offer{Layer: "kitas", ID: "fz1", Name: "Familienzentrum Wrangelkiez", Category: "Familienzentrum",
		Provider: "Nachbarschaftshaus e.V.", ProviderType: "non_profit", Address: "Wrangelstr. 1",
		TargetGroups: []string{"Eltern", "Kinder unter 6"}, AgeMin: intp(0), AgeMax: intp(10),
		HouseholdTypes: []string{"single_parent", "family"}, Conditions: []string{"residence_in_area", "free_of_charge"},
		ConditionsNote: "ohne Anmeldung", Goals: []string{"Bildung", "soziale Teilhabe"}, Languages: []string{"de", "tr", "ar"},
		BarrierFree: boolp(false), OpeningHours: "Mo–Fr 9–17 Uhr", Contact: "030 1234567, https://fz.example",
		Validity: atlas.Validity{From: 20230101}, Geometry: orb.Point{13.35, 52.05}}
}

// testOfferInventory: every inventory field is kept as written (a false
// barrier_free is not an unknown one, an age of 0 not a missing one),
// applying the same offer again changes nothing, and changing any one
// field is one update.
func testOfferInventory(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	o := inventoryOffer()
	src := atlas.Source{Name: "offer kitas/fz1", User: "anna", Action: atlas.OfferCreate, Note: "Familienzentrum Wrangelkiez"}
	ch := mustApply(t, s, &atlas.Batch{Source: src, Offers: []atlas.Offer{o}}, atlas.ApplyOptions{})
	if ch.Offers != (atlas.Count{Inserted: 1}) {
		t.Errorf("create: got %+v, want 1 inserted", ch.Offers)
	}
	got := offerByID(t, s, "kitas", "fz1")
	if !reflect.DeepEqual(got, o) {
		t.Errorf("inventory round trip:\n got %s\nwant %s", dump(got), dump(o))
	}
	if ch := mustApply(t, s, &atlas.Batch{Offers: []atlas.Offer{o}}, atlas.ApplyOptions{}); ch.Offers != (atlas.Count{Unchanged: 1}) {
		t.Errorf("the same offer again: got %+v, want unchanged", ch.Offers)
	}
	log, err := s.Imports(ctx, 1)
	if err != nil || len(log) != 1 {
		t.Fatalf("import log: %v", err)
	}
	if log, _ := s.Imports(ctx, 2); len(log) < 2 || log[1].Source.Action != atlas.OfferCreate || log[1].Source.Note != src.Note || log[1].Source.User != "anna" {
		t.Errorf("the import log's action and note: got %+v", log)
	}

	changes := map[string]func(o *atlas.Offer){
		"age_min":          func(o *atlas.Offer) { o.AgeMin = nil },
		"age_max":          func(o *atlas.Offer) { o.AgeMax = intp(12) },
		"household_types":  func(o *atlas.Offer) { o.HouseholdTypes = nil },
		"conditions":       func(o *atlas.Offer) { o.Conditions = []string{"fee"} },
		"conditions_note":  func(o *atlas.Offer) { o.ConditionsNote = "" },
		"goals":            func(o *atlas.Offer) { o.Goals = []string{"soziale Teilhabe", "Bildung"} }, // order is kept
		"languages":        func(o *atlas.Offer) { o.Languages = []string{"de"} },
		"barrier_free":     func(o *atlas.Offer) { o.BarrierFree = boolp(true) },
		"barrier_free nil": func(o *atlas.Offer) { o.BarrierFree = nil },
		"opening_hours":    func(o *atlas.Offer) { o.OpeningHours = "Di 10–12 Uhr" },
		"contact":          func(o *atlas.Offer) { o.Contact = "" },
		"provider_type":    func(o *atlas.Offer) { o.ProviderType = "municipal" },
	}
	for name, change := range changes {
		cur := offerByID(t, s, "kitas", "fz1")
		change(&cur)
		ch := mustApply(t, s, &atlas.Batch{Offers: []atlas.Offer{cur}}, atlas.ApplyOptions{})
		if ch.Offers != (atlas.Count{Updated: 1}) {
			t.Errorf("change of %s: got %+v, want 1 updated", name, ch.Offers)
		}
		if got := offerByID(t, s, "kitas", "fz1"); !reflect.DeepEqual(got, cur) {
			t.Errorf("change of %s:\n got %s\nwant %s", name, dump(got), dump(cur))
		}
	}

	for name, bad := range map[string]func(o *atlas.Offer){
		"age range reversed":  func(o *atlas.Offer) { o.AgeMin, o.AgeMax = intp(10), intp(3) },
		"unknown condition":   func(o *atlas.Offer) { o.Conditions = []string{"sgb2"} },
		"free and fee":        func(o *atlas.Offer) { o.Conditions = []string{"fee", "free_of_charge"} },
		"unknown household":   func(o *atlas.Offer) { o.HouseholdTypes = []string{"wg"} },
		"language not a code": func(o *atlas.Offer) { o.Languages = []string{"Deutsch"} },
		"goal with a comma":   func(o *atlas.Offer) { o.Goals = []string{"Bildung, Arbeit"} },
		"NUL in contact":      func(o *atlas.Offer) { o.Contact = "a\x00b" },
	} {
		o := inventoryOffer()
		bad(&o)
		if _, err := s.Apply(ctx, &atlas.Batch{Offers: []atlas.Offer{o}}, atlas.ApplyOptions{}); atlas.ErrorCode(err) != atlas.EINVALID {
			t.Errorf("%s: got %v, want invalid", name, err)
		}
	}
}

// testLayerVisibility: a layer's visibility is kept; a layer that says
// none is public; changing only the visibility is one update.
func testLayerVisibility(t *testing.T, s atlas.Store) {
	b := fixture()
	b.Layers = append(b.Layers,
		atlas.OfferLayer{ID: "schutz", Name: "Schutzunterkünfte", Visibility: atlas.Confidential},
		atlas.OfferLayer{ID: "beratung", Name: "Beratungsstellen"})
	mustApply(t, s, b, atlas.ApplyOptions{})
	layers, err := s.OfferLayers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]atlas.Visibility{}
	for _, l := range layers {
		got[l.ID] = l.Visibility
	}
	want := map[string]atlas.Visibility{"kitas": atlas.Public, "schutz": atlas.Confidential, "beratung": atlas.Public}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("visibility: got %v, want %v", got, want)
	}
	ch := mustApply(t, s, &atlas.Batch{Layers: []atlas.OfferLayer{{ID: "beratung", Name: "Beratungsstellen", Visibility: atlas.Internal}}}, atlas.ApplyOptions{})
	if ch.Layers != (atlas.Count{Updated: 1}) {
		t.Errorf("visibility change: got %+v, want 1 updated", ch.Layers)
	}
	if _, err := s.Apply(ctx, &atlas.Batch{Layers: []atlas.OfferLayer{{ID: "x", Name: "x", Visibility: "secret"}}}, atlas.ApplyOptions{}); atlas.ErrorCode(err) != atlas.EINVALID {
		t.Errorf("unknown visibility: got %v, want invalid", err)
	}
}

// testOfferHistory: closing an offer sets its valid_to and deletes
// nothing, so the offer is there for every day it ran.
func testOfferHistory(t *testing.T, s atlas.Store) {
	mustApply(t, s, fixture(), atlas.ApplyOptions{})
	o := offerByID(t, s, "kitas", "k1")
	o.To = 20240630
	ch := mustApply(t, s, &atlas.Batch{Source: atlas.Source{Name: "offer kitas/k1", Action: atlas.OfferClose, Note: "valid_to 2024-06-30"},
		Offers: []atlas.Offer{o}}, atlas.ApplyOptions{})
	if ch.Offers != (atlas.Count{Updated: 1}) {
		t.Errorf("close: got %+v, want 1 updated", ch.Offers)
	}
	offers, err := s.Offers(ctx, "kitas", atlas.OfferQuery{})
	if err != nil || len(offers) != 2 {
		t.Fatalf("offers after closing: %d, %v; want both kept", len(offers), err)
	}
	closed := offerByID(t, s, "kitas", "k1")
	if closed.To != 20240630 || !closed.Contains(20240630) || closed.Contains(20240701) || !closed.Contains(20200101) {
		t.Errorf("closed offer: validity %+v", closed.Validity)
	}
}

func offerByID(t *testing.T, s atlas.Store, layer, id string) atlas.Offer {
	t.Helper()
	offers, err := s.Offers(ctx, layer, atlas.OfferQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range offers {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("offer %s/%s not found", layer, id)
	return atlas.Offer{}
}
