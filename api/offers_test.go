package api

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// TestOffers: layers with counts, and each filter of the offers answers
// what the store holds.
func TestOffers(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	layers, err := st.OfferLayers(ctx)
	if err != nil || len(layers) == 0 {
		t.Fatalf("layers: %v", err)
	}
	var got []atlas.OfferLayer
	if w := do(t, srv, "/api/v1/layers"); json.Unmarshal(w.Body.Bytes(), &got) != nil || !slices.Equal(got, layers) {
		t.Errorf("layers: %s", w.Body.String())
	}
	layer := layers[0].ID
	all, err := st.Offers(ctx, layer, atlas.OfferQuery{})
	if err != nil {
		t.Fatal(err)
	}
	count := func(keep func(atlas.Offer) bool) int {
		n := 0
		for _, o := range all {
			if keep(o) {
				n++
			}
		}
		return n
	}
	var cat string
	for _, o := range all {
		if cat == "" && o.Category != "" {
			cat = o.Category
		}
	}
	box := orb.Bound{Min: orb.Point{13.3, 52.45}, Max: orb.Point{13.45, 52.55}}
	inBox, err := st.Offers(ctx, layer, atlas.OfferQuery{BBox: &box})
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		Matched  int `json:"numberMatched"`
		Returned int `json:"numberReturned"`
		Features []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"limit=10000", len(all)},
		{"limit=10000&category=" + url.QueryEscape(cat), count(func(o atlas.Offer) bool { return o.Category == cat })},
		{"limit=10000&bbox=13.3,52.45,13.45,52.55", len(inBox)},
		{"limit=10000&date=1990-01-01", count(func(o atlas.Offer) bool { return o.Validity.Contains(19900101) })},
		{"limit=10000&category=nichts", 0},
	} {
		var p page
		w := do(t, srv, "/api/v1/layers/"+layer+"/offers?"+tc.query)
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 200 || p.Matched != tc.want || p.Returned != tc.want {
			t.Errorf("%s: %d matched %d returned %d, want %d (%v)", tc.query, w.Code, p.Matched, p.Returned, tc.want, err)
		}
	}
	if cat == "" || len(inBox) == 0 || len(inBox) == len(all) {
		t.Errorf("the filters are not exercised: category %q, %d of %d in the box", cat, len(inBox), len(all))
	}
	var p page
	w := do(t, srv, "/api/v1/layers/"+layer+"/offers?limit=2&offset=1")
	if json.Unmarshal(w.Body.Bytes(), &p); p.Returned != 2 || p.Features[0].ID != all[1].ID {
		t.Errorf("second page: %+v", p)
	}
	for target, code := range map[string]int{
		"/api/v1/layers/nope/offers":                          404,
		"/api/v1/layers/" + layer + "/offers?date=2024-13-01": 400,
		"/api/v1/layers/" + layer + "/offers?limit=0":         400,
	} {
		if w := do(t, srv, target); w.Code != code {
			t.Errorf("%s: %d, want %d", target, w.Code, code)
		}
	}
}

// TestOfferFilters: target group and provider type (the Berlin layers name
// neither).
func TestOfferFilters(t *testing.T) {
	srv, st := newServer(t)
	b := &atlas.Batch{Layers: []atlas.OfferLayer{{ID: "beratung", Name: "Beratung"}}, Offers: []atlas.Offer{
		{Layer: "beratung", ID: "b1", Name: "Schuldnerberatung", ProviderType: "freier Träger", TargetGroups: []string{"Familien", "Alleinerziehende"}, Geometry: orb.Point{13.4, 52.5}},
		{Layer: "beratung", ID: "b2", Name: "Erziehungsberatung", ProviderType: "öffentlich", TargetGroups: []string{"Familien"}, Geometry: orb.Point{13.41, 52.5}},
		{Layer: "beratung", ID: "b3", Name: "Seniorenberatung", ProviderType: "freier Träger", TargetGroups: []string{"Ältere"}, Geometry: orb.Point{13.42, 52.5}},
	}}
	if _, err := st.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string][]string{
		"target_group=Familien":                             {"b1", "b2"},
		"target_group=Alleinerziehende":                     {"b1"},
		"provider_type=" + url.QueryEscape("freier Träger"): {"b1", "b3"},
		"provider_type=" + url.QueryEscape("freier Träger,öffentlich") + "&target_group=Familien": {"b1", "b2"},
	} {
		var p struct {
			Features []struct {
				ID string `json:"id"`
			} `json:"features"`
		}
		w := do(t, srv, "/api/v1/layers/beratung/offers?"+query)
		json.Unmarshal(w.Body.Bytes(), &p)
		var got []string
		for _, f := range p.Features {
			got = append(got, f.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", query, got, want)
		}
	}
}
