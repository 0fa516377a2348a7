package postgis

import (
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/pgtest"
)

// TestUpgradeTo0004 opens a database a release at migration 0003 wrote:
// 0004 adds the inventory's columns without touching a row, the old
// offers read without inventory fields, the old layers as public, the old
// imports without an action; afterwards it takes the inventory's fields.
func TestUpgradeTo0004(t *testing.T) {
	url := pgtest.NewDatabase(t)
	c := connect(t, url)
	if err := migrateDB(ctx, c, 3); err != nil {
		t.Fatal(err)
	}
	for _, q := range v0001Rows {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	newColumns := []string{"visibility", "age_min", "age_max", "household_types", "conditions", "conditions_note", "goals",
		"languages", "barrier_free", "opening_hours", "contact", "action", "note"}
	before := dumpTables(t, c, newColumns...) // the indicators' visibility is old: left out on both sides
	if err := migrateDB(ctx, c, 4); err != nil {
		t.Fatal(err)
	}
	after := dumpTables(t, c, newColumns...)
	for name, rows := range before {
		if name != "schema_migrations" && after[name] != rows {
			t.Errorf("table %s changed:\nbefore %s\nafter  %s", name, rows, after[name])
		}
	}
	if n := count(t, c, `SELECT count(*) FROM sozialatlas.offers WHERE goals = '{}' AND barrier_free IS NULL AND age_min IS NULL`); n != 1 {
		t.Errorf("old offers without inventory fields: got %d, want 1", n)
	}

	s := open(t, url)
	layers, err := s.OfferLayers(ctx)
	if err != nil || len(layers) != 1 || layers[0].Visibility != atlas.Public {
		t.Errorf("layers: got %+v, %v", layers, err)
	}
	offers, err := s.Offers(ctx, "kitas", atlas.OfferQuery{})
	want := []atlas.Offer{{Layer: "kitas", ID: "k1", Name: "Kita Sonnenschein", Capacity: ptr(60), TargetGroups: []string{"Kinder unter 6"},
		Attributes: map[string]any{"plz": "10117"}, Geometry: orb.Point{13.05, 52.05}}}
	if err != nil || !reflect.DeepEqual(offers, want) {
		t.Errorf("offers: got %+v, %v; want %+v", offers, err, want)
	}
	log, err := s.Imports(ctx, 0)
	if err != nil || len(log) != 1 || log[0].Source.Action != "" || log[0].Source.Note != "" {
		t.Errorf("import log: got %+v, %v", log, err)
	}

	o := offers[0]
	yes := true
	o.Goals, o.Languages, o.BarrierFree, o.AgeMin = []string{"Bildung"}, []string{"de", "tr"}, &yes, ptr(0)
	ch, err := s.Apply(ctx, &atlas.Batch{Source: atlas.Source{Name: "offer kitas/k1", Action: atlas.OfferUpdate, Note: "goals"},
		Offers: []atlas.Offer{o}}, atlas.ApplyOptions{})
	if err != nil || ch.Offers.Updated != 1 {
		t.Fatalf("apply after the upgrade: %+v, %v", ch, err)
	}
	if offers, _ := s.Offers(ctx, "kitas", atlas.OfferQuery{}); len(offers) != 1 || !reflect.DeepEqual(offers[0], o) {
		t.Errorf("updated offer: got %+v, want %+v", offers, o)
	}
	if _, err := c.Exec(ctx, `UPDATE sozialatlas.offer_layers SET visibility = 'secret'`); err == nil || !strings.Contains(err.Error(), "23514") {
		t.Errorf("a layer visibility outside the vocabulary: got %v, want a CHECK failure", err)
	}
}

func ptr(i int) *int { return &i }
