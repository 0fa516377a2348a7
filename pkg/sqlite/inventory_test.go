package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// TestUpgradeTo0004 opens a database a release at migration 0003 wrote:
// its offer layers read as public, its offers without any inventory field,
// its imports without an action; and it takes offers with the inventory's
// fields afterwards.
func TestUpgradeTo0004(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := open(ctx, path, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO imports (id, name, user, files, started, finished, changes) VALUES
			(1, 'berlin', 'anna', '[]', '2024-03-01T10:00:00Z', '2024-03-01T10:00:02Z', '{"import_id":1}')`,
		`INSERT INTO offer_layers (id, key, name) VALUES (1, 'kitas', 'Kitas')`,
		`INSERT INTO offers (id, layer_id, key, name, capacity, target_groups, attributes, valid_to, lon, lat) VALUES
			(1, 1, 'k1', 'Kita Sonnenschein', 60, '["Kinder unter 6"]', '{"plz":"10117"}', 20241231, 13.05, 52.05)`,
	} {
		if _, err := old.db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := old.db.Exec(`SELECT goals FROM offers`); err == nil {
		t.Fatal("the schema at 0003 has goals: the test does not start where 0004 does")
	}
	old.Close()

	s, err := open(ctx, path, 0)
	if err != nil {
		t.Fatalf("open the old database: %v", err)
	}
	defer s.Close()
	layers, err := s.OfferLayers(ctx)
	if err != nil || len(layers) != 1 || layers[0].Visibility != atlas.Public || layers[0].Offers != 1 {
		t.Errorf("layers: got %+v, %v", layers, err)
	}
	offers, err := s.Offers(ctx, "kitas", atlas.OfferQuery{})
	want := atlas.Offer{Layer: "kitas", ID: "k1", Name: "Kita Sonnenschein", Capacity: intp(60), TargetGroups: []string{"Kinder unter 6"},
		Attributes: map[string]any{"plz": "10117"}, Validity: atlas.Validity{To: 20241231}, Geometry: orb.Point{13.05, 52.05}}
	if err != nil || len(offers) != 1 || !sameOffer(offers[0], want) {
		t.Errorf("offers: got %+v, %v; want %+v", offers, err, want)
	}
	log, err := s.Imports(ctx, 0)
	if err != nil || len(log) != 1 || log[0].Source.Action != "" || log[0].Source.Note != "" {
		t.Errorf("import log: got %+v, %v", log, err)
	}

	free := true
	o := offers[0]
	o.Goals, o.Conditions, o.BarrierFree, o.AgeMin, o.AgeMax = []string{"Bildung"}, []string{"free_of_charge"}, &free, intp(1), intp(6)
	ch, err := s.Apply(ctx, &atlas.Batch{Source: atlas.Source{Name: "offer kitas/k1", Action: atlas.OfferUpdate, Note: "goals"},
		Offers: []atlas.Offer{o}}, atlas.ApplyOptions{})
	if err != nil || ch.Offers.Updated != 1 {
		t.Fatalf("apply after the upgrade: %+v, %v", ch, err)
	}
	offers, _ = s.Offers(ctx, "kitas", atlas.OfferQuery{})
	if len(offers) != 1 || !sameOffer(offers[0], o) {
		t.Errorf("updated offer: got %+v, want %+v", offers, o)
	}
	if _, err := s.db.Exec(`UPDATE offer_layers SET visibility = 'secret'`); err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Errorf("a layer visibility outside the vocabulary: got %v, want a CHECK failure", err)
	}
}

func intp(i int) *int { return &i }

func sameOffer(a, b atlas.Offer) bool { return reflect.DeepEqual(a, b) }
