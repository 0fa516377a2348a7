package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/xuri/excelize/v2"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
)

// offerPage is the part of an offers answer the tests read.
type offerPage struct {
	Matched  int `json:"numberMatched"`
	Features []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

func offerIDs(t *testing.T, srv http.Handler, token, query string) []string {
	t.Helper()
	w := request(t, srv, "GET", query, token, nil)
	var p offerPage
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 200 {
		t.Fatalf("%s: %d %.300s", query, w.Code, w.Body.String())
	}
	var ids []string
	for _, f := range p.Features {
		ids = append(ids, f.ID)
	}
	if p.Matched != len(ids) {
		t.Fatalf("%s: numberMatched %d for %d features (raise the limit)", query, p.Matched, len(ids))
	}
	return ids
}

func jsonBody(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestOfferEditing: editors add, change and close offers; every change is
// in the audit log with who and what; viewers and anonymous callers may
// not; a closed offer is still there for the days it ran; an offer placed
// in a Planungsraum changes that Planungsraum's Kita places at once.
func TestOfferEditing(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	viewer, analyst := newToken(t, st, "leser", auth.Viewer), newToken(t, st, "planung", auth.Analyst)
	editor := newToken(t, st, "sozialplanung", auth.Editor)
	const plr = "08100521" // Schulenburgpark, the lowest status of the MSS 2021

	newOffer := map[string]any{"id": "fz-schulenburg", "name": "Familienzentrum Schulenburgpark", "category": "Familienzentrum",
		"provider": "Nachbarschaftsheim Neukölln e.V.", "provider_type": "non_profit", "capacity": 40, "address": "Hänselstr. 6",
		"target_groups": []string{"Eltern"}, "age_min": 0, "age_max": 6, "household_types": []string{"single_parent", "family"},
		"conditions": []string{"free_of_charge", "residence_in_area"}, "goals": []string{"Bildung", "soziale Teilhabe"},
		"languages": []string{"de", "tr", "ar"}, "barrier_free": true, "opening_hours": "Mo–Fr 9–17 Uhr",
		"contact": "030 1234567", "level": "planungsraum", "area_code": plr}

	// Who may: editors, no one else (401 without a token, 403 with a
	// token that may not).
	for _, tc := range []struct {
		name, token string
		status      int
	}{{"anonymous", "", 401}, {"viewer", viewer, 403}, {"analyst", analyst, 403}} {
		if w := request(t, srv, "POST", "/api/v1/layers/kitas/offers", tc.token, jsonBody(newOffer)); w.Code != tc.status {
			t.Errorf("%s creates an offer: %d, want %d", tc.name, w.Code, tc.status)
		}
		if w := request(t, srv, "PATCH", "/api/v1/layers/kitas/offers/kita_01010010", tc.token, []byte(`{"contact":"x"}`)); w.Code != tc.status {
			t.Errorf("%s changes an offer: %d, want %d", tc.name, w.Code, tc.status)
		}
		if w := request(t, srv, "POST", "/api/v1/layers/kitas/offers/kita_01010010/close", tc.token, nil); w.Code != tc.status {
			t.Errorf("%s closes an offer: %d, want %d", tc.name, w.Code, tc.status)
		}
	}

	placesOf := func() atlas.Value {
		vs, err := st.Values(ctx, atlas.ValueQuery{Indicator: "kitaplaetze-je-1000-u6", Level: "planungsraum", Units: []string{plr}})
		if err != nil || len(vs) != 1 {
			t.Fatalf("values of %s: %v %v", plr, vs, err)
		}
		return vs[0]
	}
	before := placesOf()

	// Create, placed at the Planungsraum's interior point.
	w := request(t, srv, "POST", "/api/v1/layers/kitas/offers", editor, jsonBody(newOffer))
	var created offerChangeDoc
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil || w.Code != 201 {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	units, _ := st.Units(ctx, "planungsraum", atlas.UnitQuery{Codes: []string{plr}})
	if want := geo.InteriorPoint(units[0].Geometry); created.Offer.Lon != want[0] || created.Offer.Lat != want[1] ||
		created.Action != atlas.OfferCreate || created.ImportID == 0 || w.Header().Get("Location") != "/ogc/collections/offers-kitas/items/fz-schulenburg" {
		t.Errorf("created: %+v (Location %s), want at %v", created, w.Header().Get("Location"), want)
	}
	stored := offersByID(t, st, "kitas")["fz-schulenburg"]
	if stored.ProviderType != "non_profit" || !*stored.BarrierFree || *stored.AgeMax != 6 || !slices.Equal(stored.Languages, []string{"de", "tr", "ar"}) {
		t.Errorf("stored: %+v", stored)
	}
	// The engine computed the layer's indicators again: 40 more places.
	after := placesOf()
	if after.Numerator.V != before.Numerator.V+40 || after.Denominator != before.Denominator {
		t.Errorf("Kita places in %s: numerator %v → %v, want +40 (denominator %v → %v)", plr, before.Numerator.V, after.Numerator.V, before.Denominator, after.Denominator)
	}
	if w := request(t, srv, "POST", "/api/v1/layers/kitas/offers", editor, jsonBody(newOffer)); w.Code != 409 {
		t.Errorf("the same id again: %d, want 409", w.Code)
	}
	if created.Compute == nil || len(created.Compute.Computed) == 0 {
		t.Errorf("no computation after the change: %+v", created.Compute)
	}

	// Refused, with a message that says what to change.
	for _, tc := range []struct {
		name   string
		change map[string]any
		want   string
	}{
		{"provider type outside the vocabulary", map[string]any{"provider_type": "kommunal"}, `provider_type "kommunal": want one of municipal, non_profit, private`},
		{"goal outside the vocabulary", map[string]any{"goals": []string{"Freizeit"}}, `goal "Freizeit": want one of Existenzsicherung, Bildung`},
		{"condition outside the vocabulary", map[string]any{"conditions": []string{"sgb2"}}, `conditions: condition "sgb2": want one of sgb2_receipt`},
		{"ages reversed", map[string]any{"age_min": 10, "age_max": 3}, "age_min 10 is above age_max 3"},
		{"outside the city", map[string]any{"level": nil, "area_code": nil, "lon": 52.5, "lat": 13.4}, "lies outside the city's areas"},
		{"no place", map[string]any{"level": nil, "area_code": nil}, "the offer has no place"},
		{"unknown area", map[string]any{"area_code": "nope"}, `area_code: no unit "nope" at level planungsraum`},
		{"unknown field", map[string]any{"oeffnungszeiten": "x"}, `unknown field "oeffnungszeiten"`},
	} {
		body := map[string]any{}
		for k, v := range newOffer {
			body[k] = v
		}
		body["id"] = "neu-" + strings.ReplaceAll(tc.name, " ", "-")
		for k, v := range tc.change {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		w := request(t, srv, "POST", "/api/v1/layers/kitas/offers", editor, jsonBody(body))
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != 400 || !strings.Contains(p.Detail, tc.want) {
			t.Errorf("%s: %d %q, want 400 %q", tc.name, w.Code, p.Detail, tc.want)
		}
	}
	if w := request(t, srv, "POST", "/api/v1/layers/nope/offers", editor, jsonBody(newOffer)); w.Code != 404 {
		t.Errorf("unknown layer: %d", w.Code)
	}

	// Change: the fields given, null clears; the id stays.
	w = request(t, srv, "PATCH", "/api/v1/layers/kitas/offers/fz-schulenburg", editor,
		[]byte(`{"opening_hours":"Mo–Do 9–16 Uhr","goals":["Bildung","Existenzsicherung"],"contact":null,"barrier_free":null}`))
	var changed offerChangeDoc
	if err := json.Unmarshal(w.Body.Bytes(), &changed); err != nil || w.Code != 200 ||
		!slices.Equal(changed.Changed, []string{"goals", "barrier_free", "opening_hours", "contact"}) {
		t.Fatalf("patch: %d %s", w.Code, w.Body.String())
	}
	stored = offersByID(t, st, "kitas")["fz-schulenburg"]
	if stored.OpeningHours != "Mo–Do 9–16 Uhr" || stored.Contact != "" || stored.BarrierFree != nil || stored.Name != newOffer["name"] ||
		!slices.Equal(stored.Goals, []string{"Bildung", "Existenzsicherung"}) || *stored.Capacity != 40 {
		t.Errorf("after the patch: %+v", stored)
	}
	for body, want := range map[string]string{
		`{"id":"anders"}`:                         "an offer's id cannot change",
		`{"provider_type":"kommunal"}`:            `provider_type "kommunal"`,
		`{"lon":13.4}`:                            "give both lon and lat",
		`[1,2]`:                                   "want a JSON object",
		`{"valid_to":"2020-13-01"}`:               "does not exist",
		`{"age_min":-1}`:                          "age_min -1: want whole years",
		`{"languages":["Deutsch"]}`:               `language "Deutsch": want an ISO 639 code`,
		`{"conditions":["fee","free_of_charge"]}`: "contradict each other",
	} {
		w := request(t, srv, "PATCH", "/api/v1/layers/kitas/offers/fz-schulenburg", editor, []byte(body))
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != 400 || !strings.Contains(p.Detail, want) {
			t.Errorf("patch %s: %d %q, want 400 %q", body, w.Code, p.Detail, want)
		}
	}
	// An offer from the publisher's file keeps its provider type (not in
	// the vocabulary) when an editor changes something else.
	legacy := offersByID(t, st, "kitas")["kita_01010010"]
	w = request(t, srv, "PATCH", "/api/v1/layers/kitas/offers/kita_01010010", editor, []byte(`{"opening_hours":"Mo–Fr 6–17 Uhr","lon":13.3866,"lat":52.5259}`))
	if w.Code != 200 {
		t.Fatalf("patch of a published offer: %d %s", w.Code, w.Body.String())
	}
	if got := offersByID(t, st, "kitas")["kita_01010010"]; got.ProviderType != legacy.ProviderType || got.Geometry != (orb.Point{13.3866, 52.5259}) ||
		!equalJSON(got.Attributes, legacy.Attributes) {
		t.Errorf("published offer after the patch: %+v", got)
	}
	if w := request(t, srv, "PATCH", "/api/v1/layers/kitas/offers/nope", editor, []byte(`{"contact":"x"}`)); w.Code != 404 {
		t.Errorf("patch of an unknown offer: %d", w.Code)
	}

	// Close today: the offer stays, for every day it ran.
	today := atlas.DateOf(time.Now())
	w = request(t, srv, "POST", "/api/v1/layers/kitas/offers/kita_01010010/close", editor, []byte(`{"reason":"Träger hat gekündigt"}`))
	var closed offerChangeDoc
	if err := json.Unmarshal(w.Body.Bytes(), &closed); err != nil || w.Code != 200 || closed.Offer.To != today {
		t.Fatalf("close: %d %s", w.Code, w.Body.String())
	}
	tomorrow := atlas.DateOf(time.Now().AddDate(0, 0, 1))
	if ids := offerIDs(t, srv, "", "/api/v1/layers/kitas/offers?limit=10000&date=2023-01-01&q=F.A.I.R.play"); !slices.Equal(ids, []string{"kita_01010010"}) {
		t.Errorf("the closed offer on 2023-01-01: %v, want it", ids)
	}
	if ids := offerIDs(t, srv, "", "/api/v1/layers/kitas/offers?limit=10000&date="+today.String()+"&q=F.A.I.R.play"); len(ids) != 1 {
		t.Errorf("the closed offer on its last day: %v, want it", ids)
	}
	if ids := offerIDs(t, srv, "", "/api/v1/layers/kitas/offers?limit=10000&date="+tomorrow.String()+"&q=F.A.I.R.play"); len(ids) != 0 {
		t.Errorf("the closed offer the day after: %v, want none", ids)
	}
	if n := len(offersByID(t, st, "kitas")); n != 2881 {
		t.Errorf("offers in the layer: %d, want 2880 + 1 (nothing deleted)", n)
	}
	if w := request(t, srv, "POST", "/api/v1/layers/kitas/offers/kita_01010010/close", editor, nil); w.Code != 409 {
		t.Errorf("closing a closed offer: %d, want 409", w.Code)
	}
	if w := request(t, srv, "POST", "/api/v1/layers/kitas/offers/fz-schulenburg/close", editor, []byte(`{"valid_to":"1999-12-31"}`)); w.Code != 200 {
		t.Errorf("closing on a past day (no valid_from): %d %s", w.Code, w.Body.String())
	}

	// The audit log: who, when, what.
	w = request(t, srv, "GET", "/api/v1/audit?limit=50", editor, nil)
	var audit []auditEntry
	if err := json.Unmarshal(w.Body.Bytes(), &audit); err != nil || w.Code != 200 {
		t.Fatalf("audit: %d %s", w.Code, w.Body.String())
	}
	var got []string
	for _, e := range audit {
		if strings.HasPrefix(e.Action, "offer_") {
			if e.User != "sozialplanung" || e.Time.IsZero() || e.Rows != 1 {
				t.Errorf("audit entry without who, when or rows: %+v", e)
			}
			got = append(got, e.Action+" "+e.Subject[:strings.Index(e.Subject, " (import")]+" |"+e.Subject[strings.Index(e.Subject, "):")+2:])
		}
	}
	want := []string{
		"offer_close offer kitas/fz-schulenburg | Familienzentrum Schulenburgpark: valid_to 1999-12-31",
		"offer_close offer kitas/kita_01010010 | Kita F.A.I.R.play: valid_to " + today.String() + " (Träger hat gekündigt)",
		"offer_update offer kitas/kita_01010010 | Kita F.A.I.R.play: opening_hours, location",
		"offer_update offer kitas/fz-schulenburg | Familienzentrum Schulenburgpark: goals, barrier_free, opening_hours, contact",
		"offer_create offer kitas/fz-schulenburg | Familienzentrum Schulenburgpark",
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit of the offers, newest first:\n got %q\nwant %q", got, want)
	}
	for _, e := range audit {
		if e.Action == "offer_create" && !strings.Contains(e.Subject, fmt.Sprintf("(import %d)", created.ImportID)) {
			t.Errorf("the create is not the import %d: %+v", created.ImportID, e)
		}
	}
}

func offersByID(t *testing.T, st atlas.Store, layer string) map[string]atlas.Offer {
	t.Helper()
	offers, err := st.Offers(context.Background(), layer, atlas.OfferQuery{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]atlas.Offer{}
	for _, o := range offers {
		m[o.ID] = o
	}
	return m
}

func equalJSON(a, b any) bool {
	return bytes.Equal(jsonBody(a), jsonBody(b))
}

// TestInventoryFilters: every filter of the offers list on the Berlin
// offers, each against a count made here from the store's offers.
func TestInventoryFilters(t *testing.T) {
	srv, st := berlinServer(t)
	jfe := offersByID(t, st, "jugendfreizeit")
	count := func(m map[string]atlas.Offer, keep func(o atlas.Offer) bool) int {
		n := 0
		for _, o := range m {
			if keep(o) {
				n++
			}
		}
		return n
	}
	kitas := offersByID(t, st, "kitas")
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"jugendfreizeit/offers?provider_type=" + url.QueryEscape("öffentlicher Träger"), 98}, // by hand from the GeoJSON
		{"jugendfreizeit/offers?provider_type=" + url.QueryEscape("öffentlicher Träger,freier Träger"), 407},
		{"jugendfreizeit/offers?q=" + url.QueryEscape("kinderfarm"), count(jfe, func(o atlas.Offer) bool {
			return strings.Contains(strings.ToLower(o.Name+"|"+o.Provider+"|"+o.Address), "kinderfarm")
		})},
		{"kitas/offers?q=" + url.QueryEscape("STR. 1"), count(kitas, func(o atlas.Offer) bool {
			return strings.Contains(strings.ToLower(o.Name+"\x00"+o.Provider+"\x00"+o.Address), "str. 1")
		})},
		{"kitas/offers?q=diakon&provider_type=" + url.QueryEscape("Diakonisches Werk"), count(kitas, func(o atlas.Offer) bool {
			return o.ProviderType == "Diakonisches Werk" && strings.Contains(strings.ToLower(o.Name+o.Provider+o.Address), "diakon")
		})},
		{"kitas/offers?goal=Bildung", 0},                  // the published file says nothing of goals
		{"kitas/offers?barrier_free=unknown", len(kitas)}, // nor of access
		{"kitas/offers?barrier_free=true", 0},
		{"kitas/offers?age=3", len(kitas)}, // no age range: open to every age
	} {
		ids := offerIDs(t, srv, "", "/api/v1/layers/"+tc.query+"&limit=10000")
		if len(ids) != tc.want {
			t.Errorf("%s: %d offers, want %d", tc.query, len(ids), tc.want)
		}
	}
	if n := count(kitas, func(o atlas.Offer) bool {
		return strings.Contains(strings.ToLower(o.Name+"\x00"+o.Provider+"\x00"+o.Address), "str. 1")
	}); n < 50 {
		t.Errorf("the search is hardly exercised: %d matches", n)
	}
	for query, want := range map[string]string{
		"barrier_free=vielleicht": `barrier_free "vielleicht": want true, false or unknown`,
		"condition=gratis":        `condition "gratis": want one of sgb2_receipt`,
		"household_type=wg":       `household_type "wg": want one of single`,
		"age=200":                 `age "200": want whole years from 0 to 130`,
		"format=pdf":              `format "pdf": want one of json`,
	} {
		w := do(t, srv, "/api/v1/layers/kitas/offers?"+query)
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != 400 || !strings.Contains(p.Detail, want) {
			t.Errorf("%s: %d %q, want 400 %q", query, w.Code, p.Detail, want)
		}
	}

	// Inventory fields in the features, lists comma-separated.
	editor := newToken(t, st, "sozialplanung", auth.Editor)
	body := jsonBody(map[string]any{"id": "sb-1", "name": "Schuldnerberatung", "provider_type": "municipal", "goals": []string{"Existenzsicherung", "Wohnen"},
		"conditions": []string{"free_of_charge"}, "languages": []string{"de", "ar"}, "barrier_free": false, "age_min": 18, "lon": 13.43, "lat": 52.48})
	if w := request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers", editor, body); w.Code != 201 {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	w := do(t, srv, "/api/v1/layers/jugendfreizeit/offers?goal=Wohnen,Arbeit&condition=free_of_charge&language=ar&barrier_free=false&age=40&q=schuldner")
	var p offerPage
	json.Unmarshal(w.Body.Bytes(), &p)
	if len(p.Features) != 1 {
		t.Fatalf("the new offer by every filter: %s", w.Body.String())
	}
	props := p.Features[0].Properties
	if props["goals"] != "Existenzsicherung,Wohnen" || props["barrier_free"] != false || props["age_min"] != 18.0 || props["age_max"] != nil ||
		props["provider_type"] != "municipal" || props["opening_hours"] != nil {
		t.Errorf("properties: %v", props)
	}
	if ids := offerIDs(t, srv, "", "/api/v1/layers/jugendfreizeit/offers?age=12&goal=Wohnen"); len(ids) != 0 {
		t.Errorf("age 12 below age_min 18: %v", ids)
	}
}

// TestInventoryExport: the filtered list as CSV and XLSX with the columns
// of a provider's list; imported again, it changes nothing.
func TestInventoryExport(t *testing.T) {
	srv, st := berlinServer(t)
	editor := newToken(t, st, "sozialplanung", auth.Editor)
	q := "/api/v1/layers/jugendfreizeit/offers?provider_type=" + url.QueryEscape("öffentlicher Träger")
	w := do(t, srv, q+"&format=csv")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") ||
		!strings.Contains(w.Header().Get("Content-Disposition"), "jugendfreizeit_offers.csv") {
		t.Fatalf("csv: %d %v", w.Code, w.Header())
	}
	recs, err := csv.NewReader(bytes.NewReader(w.Body.Bytes())).ReadAll()
	if err != nil || len(recs) != 99 {
		t.Fatalf("csv: %d records, %v; want a header and 98 offers", len(recs), err)
	}
	cols := importer.OfferListColumns()
	if want := cols[:len(cols)-2]; !slices.Equal(recs[0], want) { // all but level and area_code
		t.Errorf("header %v, want %v", recs[0], want)
	}
	jfe := offersByID(t, st, "jugendfreizeit")
	for _, r := range recs[1:] {
		o := jfe[r[0]]
		if r[1] != o.Name || r[5] != "öffentlicher Träger" || r[21] != fmt.Sprint(o.Geometry[0]) || r[22] != fmt.Sprint(o.Geometry[1]) {
			t.Errorf("row %v for %+v", r, o)
			break
		}
	}
	before := storeOffers(t, st, "jugendfreizeit")
	for _, format := range []string{"csv", "xlsx"} {
		file := do(t, srv, q+"&format="+format).Body.Bytes()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "export."+format)
		fw.Write(file)
		mw.Close()
		w := request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers/import", editor, body.Bytes(), "Content-Type", mw.FormDataContentType())
		var res offerListDoc
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 201 || res.Report.Rows != 98 ||
			res.Report.Changes.Offers != (atlas.Count{Unchanged: 98}) || res.Report.Format != format {
			t.Errorf("%s export imported again: %d %s", format, w.Code, w.Body.String())
		}
	}
	if after := storeOffers(t, st, "jugendfreizeit"); after != before {
		t.Error("importing the export changed the offers")
	}
	if w := do(t, srv, q+"&format=gpkg"); w.Code != 200 || w.Header().Get("Content-Type") != gpkgType || !bytes.HasPrefix(w.Body.Bytes(), []byte("SQLite format 3")) {
		t.Errorf("gpkg: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(do(t, srv, q+"&format=xlsx").Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) != 99 || rows[0][0] != "id" {
		t.Errorf("xlsx: %d rows, header %v", len(rows), rows[0])
	}
}

func storeOffers(t *testing.T, st atlas.Store, layer string) string {
	t.Helper()
	offers, err := st.Offers(context.Background(), layer, atlas.OfferQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return string(jsonBody(offers))
}

// TestOfferListUpload: a provider's list through the API: all or nothing,
// dry run, errors by cell, editors only, in the audit log.
func TestOfferListUpload(t *testing.T) {
	srv, st := berlinServer(t)
	editor, viewer := newToken(t, st, "sozialplanung", auth.Editor), newToken(t, st, "leser", auth.Viewer)
	list := "id;name;provider_type;goals;conditions;lon;lat;area_code;level\n" +
		"sb-neukoelln;Schuldnerberatung Neukölln;non_profit;Existenzsicherung;free_of_charge;13,4385;52,4755;;\n" +
		"mb-koellnische-heide;Mieterberatung Köllnische Heide;municipal;Wohnen;residence_in_area;;;081005;bezirksregion\n"
	before := storeOffers(t, st, "jugendfreizeit")
	for _, tc := range []struct{ name, token string }{{"anonymous", ""}, {"viewer", viewer}} {
		if w := request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers/import", tc.token, []byte(list), "Content-Type", "text/csv"); w.Code != 401 && w.Code != 403 {
			t.Errorf("%s: %d", tc.name, w.Code)
		}
	}
	w := request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers/import?dry_run=true&name=beratung.csv", editor, []byte(list), "Content-Type", "text/csv")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"inserted":2`) || storeOffers(t, st, "jugendfreizeit") != before {
		t.Errorf("dry run: %d %s", w.Code, w.Body.String())
	}
	bad := strings.Replace(list, "municipal", "kommunal", 1)
	w = request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers/import", editor, []byte(bad), "Content-Type", "text/csv")
	var res offerListDoc
	if json.Unmarshal(w.Body.Bytes(), &res); w.Code != 422 || res.Report.Errors != 1 || res.Report.Problems[0].Cell != "C3" ||
		storeOffers(t, st, "jugendfreizeit") != before {
		t.Errorf("a list with an error: %d %s", w.Code, w.Body.String())
	}
	w = request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers/import?name=beratung.csv", editor, []byte(list), "Content-Type", "text/csv")
	if w.Code != 201 {
		t.Fatalf("import: %d %s", w.Code, w.Body.String())
	}
	m := offersByID(t, st, "jugendfreizeit")
	units, _ := st.Units(context.Background(), "bezirksregion", atlas.UnitQuery{Codes: []string{"081005"}})
	if m["mb-koellnische-heide"].Geometry != geo.InteriorPoint(units[0].Geometry) || m["sb-neukoelln"].Geometry != (orb.Point{13.4385, 52.4755}) {
		t.Errorf("placed: %+v", m)
	}
	w = request(t, srv, "GET", "/api/v1/audit?limit=5", editor, nil)
	if !strings.Contains(w.Body.String(), `"action":"offer_import","subject":"beratung.csv (import `) ||
		!strings.Contains(w.Body.String(), `2 offers from a provider's list into jugendfreizeit`) {
		t.Errorf("audit: %s", w.Body.String())
	}
	if w := request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers/import", editor, nil, "Content-Type", "text/csv"); w.Code != 400 {
		t.Errorf("no file: %d", w.Code)
	}
}

// TestOfferCounts: offers per Bezirk by category, each count checked
// against a point-in-polygon test of orb/planar on the Bezirk's own
// geometry (another algorithm than pkg/geo's, on another level than the
// Planungsräume the counts are made at).
func TestOfferCounts(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	w := do(t, srv, "/api/v1/levels/bezirk/offer-counts?by=category")
	var doc offerCountsDoc
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	bezirke, _ := st.Units(ctx, "bezirk", atlas.UnitQuery{})
	layers, _ := st.OfferLayers(ctx)
	want := map[string]map[string]int{}
	total := 0
	for _, l := range layers {
		offers, _ := st.Offers(ctx, l.ID, atlas.OfferQuery{})
		total += len(offers)
		for _, o := range offers {
			for _, b := range bezirke {
				if planar.MultiPolygonContains(b.Geometry, o.Geometry) {
					if want[b.Code] == nil {
						want[b.Code] = map[string]int{}
					}
					want[b.Code][o.Category]++
				}
			}
		}
	}
	if len(doc.Units) != 12 || doc.Total.Offers != total || doc.Outside != 0 || doc.Total.Counts["Kindertagesstätte"] != 2880 ||
		!slices.Equal(doc.Keys, []string{"Jugendfreizeiteinrichtung", "Kindertagesstätte", "Pflegeeinrichtung", "Schule"}) {
		t.Errorf("counts: %d units, %d offers (want %d), outside %d, keys %v", len(doc.Units), doc.Total.Offers, total, doc.Outside, doc.Keys)
	}
	for _, u := range doc.Units {
		for k, n := range u.Counts {
			if want[u.Code][k] != n {
				t.Errorf("Bezirk %s, %s: %d, want %d", u.Code, k, n, want[u.Code][k])
			}
		}
	}
	if doc.Units[0].Code != "01" || doc.Units[0].Counts["Kindertagesstätte"] != 348 || doc.Units[7].Counts["Jugendfreizeiteinrichtung"] != 36 {
		t.Errorf("Mitte's Kitas %d (want 348), Neukölln's youth centres %d (want 36)", doc.Units[0].Counts["Kindertagesstätte"], doc.Units[7].Counts["Jugendfreizeiteinrichtung"])
	}

	// By goal: the published offers have none; two entered with goals.
	editor := newToken(t, st, "sozialplanung", auth.Editor)
	for _, o := range []map[string]any{
		{"id": "a", "name": "A", "goals": []string{"Bildung", "soziale Teilhabe"}, "lon": 13.4385, "lat": 52.4755},
		{"id": "b", "name": "B", "goals": []string{"Bildung"}, "lon": 13.4385, "lat": 52.4756, "valid_to": "2020-12-31"},
	} {
		if w := request(t, srv, "POST", "/api/v1/layers/jugendfreizeit/offers", editor, jsonBody(o)); w.Code != 201 {
			t.Fatalf("create: %d %s", w.Code, w.Body.String())
		}
	}
	for query, wantBildung := range map[string]int{"": 1, "&date=2020-06-30": 2} {
		w = do(t, srv, "/api/v1/levels/bezirk/offer-counts?by=goal&layer=jugendfreizeit"+query)
		doc = offerCountsDoc{}
		json.Unmarshal(w.Body.Bytes(), &doc)
		neukoelln := doc.Units[7]
		if w.Code != 200 || neukoelln.Code != "08" || neukoelln.Counts["Bildung"] != wantBildung || neukoelln.Counts["soziale Teilhabe"] != 1 ||
			neukoelln.Counts["Wohnen"] != 0 || neukoelln.Counts[noneKey] != 36 || neukoelln.Offers != 36+wantBildung ||
			!slices.Equal(doc.Keys, append(slices.Clone(atlas.DefaultGoals), noneKey)) {
			t.Errorf("by goal%s: %d %+v keys %v", query, w.Code, neukoelln, doc.Keys)
		}
	}
	for query, status := range map[string]int{"by=alter": 400, "layer=nope": 404, "date=gestern": 400} {
		if w := do(t, srv, "/api/v1/levels/bezirk/offer-counts?"+query); w.Code != status {
			t.Errorf("%s: %d, want %d", query, w.Code, status)
		}
	}
	if w := do(t, srv, "/api/v1/levels/nope/offer-counts"); w.Code != 404 {
		t.Errorf("unknown level: %d", w.Code)
	}
}

// TestInternalOfferLayer: a layer marked internal is seen by analysts and
// above only, by the indicators' rule: everywhere else it does not exist.
func TestInternalOfferLayer(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	layers, _ := st.OfferLayers(ctx)
	var pflege atlas.OfferLayer
	for _, l := range layers {
		if l.ID == "pflege" {
			pflege = l
		}
	}
	pflege.Visibility, pflege.Offers = atlas.Internal, 0
	if _, err := st.Apply(ctx, &atlas.Batch{Layers: []atlas.OfferLayer{pflege}}, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	viewer, analyst := newToken(t, st, "leser", auth.Viewer), newToken(t, st, "planung", auth.Analyst)
	for _, tc := range []struct {
		name, token string
		sees        bool
	}{{"anonymous", "", false}, {"viewer", viewer, false}, {"analyst", analyst, true}} {
		list := request(t, srv, "GET", "/api/v1/layers", tc.token, nil)
		if got := strings.Contains(list.Body.String(), `"pflege"`); got != tc.sees {
			t.Errorf("%s: layer listed %v, want %v", tc.name, got, tc.sees)
		}
		status := map[bool]int{true: 200, false: 404}[tc.sees]
		for _, u := range []string{"/api/v1/layers/pflege/offers", "/api/v1/levels/bezirk/offer-counts?layer=pflege",
			"/api/v1/layers/pflege/offers?format=csv",
			// OGC API Features, vector tiles and TileJSON name the layer offers-pflege.
			"/ogc/collections/offers-pflege", "/ogc/collections/offers-pflege/items", "/tiles/offers-pflege.json",
			"/tiles/offers-pflege/10/550/335.mvt", "/tiles/offers-pflege/10/550/335.geojson"} {
			if w := request(t, srv, "GET", u, tc.token, nil); w.Code != status {
				t.Errorf("%s %s: %d, want %d", tc.name, u, w.Code, status)
			}
		}
		if got := strings.Contains(request(t, srv, "GET", "/ogc/collections", tc.token, nil).Body.String(), "offers-pflege"); got != tc.sees {
			t.Errorf("%s: OGC collections list the layer %v, want %v", tc.name, got, tc.sees)
		}
		// A server map with the layer's points: a bad parameter for whom
		// the layer is hidden, as a layer that does not exist.
		w := request(t, srv, "GET", "/maps/planungsraum/mss-status-index.svg?offers=pflege", tc.token, nil)
		if w.Code != map[bool]int{true: 200, false: 400}[tc.sees] {
			t.Errorf("%s: map with the layer's offers: %d %.200s", tc.name, w.Code, w.Body.String())
		}
		if !tc.sees && (strings.Contains(w.Body.String(), "pflege;") || strings.Contains(w.Body.String(), ", pflege")) {
			t.Errorf("%s: the error names the hidden layer among the layers: %s", tc.name, w.Body.String())
		}
		counts := request(t, srv, "GET", "/api/v1/levels/bezirk/offer-counts?by=category", tc.token, nil)
		if got := strings.Contains(counts.Body.String(), "Pflegeeinrichtung"); got != tc.sees {
			t.Errorf("%s: counts of all layers show care homes %v, want %v", tc.name, got, tc.sees)
		}
		profile := request(t, srv, "GET", "/api/v1/levels/bezirk/units/01/profile", tc.token, nil)
		if got := strings.Contains(profile.Body.String(), `"layer":"pflege"`); got != tc.sees || profile.Code != 200 {
			t.Errorf("%s: the profile shows care homes %v, want %v", tc.name, got, tc.sees)
		}
	}
}
