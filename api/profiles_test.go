package api

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/spatialstats"
)

func profileOfUnit(t *testing.T, srv http.Handler, token, level, code string) profileDoc {
	t.Helper()
	w := request(t, srv, "GET", "/api/v1/levels/"+level+"/units/"+code+"/profile", token, nil)
	var doc profileDoc
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
		t.Fatalf("profile of %s %s: %d %.300s", level, code, w.Code, w.Body.String())
	}
	return doc
}

// TestProfile: the Steckbrief of Köllnische Heide, each part against the
// answer that serves it alone, and its neighbours against queen
// contiguity over the whole level.
func TestProfile(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	doc := profileOfUnit(t, srv, "", "bezirksregion", "081005")
	if doc.Name != "Köllnische Heide" || doc.Level.Name != "Bezirksregion" || doc.Parent == nil || doc.Parent.Code != "0810" ||
		doc.Parent.Name != "Neukölln" || doc.Parent.Level != "prognoseraum" {
		t.Errorf("facts: %+v parent %+v", doc, doc.Parent)
	}

	// Neighbours: queen contiguity over all 143 Bezirksregionen.
	units, _ := st.Units(ctx, "bezirksregion", atlas.UnitQuery{})
	geoms := make([]orb.MultiPolygon, len(units))
	self := -1
	for i, u := range units {
		geoms[i] = u.Geometry
		if u.Code == "081005" {
			self = i
		}
	}
	nb, _ := spatialstats.Queen(geoms).Neighbours(self)
	var want []string
	for _, j := range nb {
		want = append(want, units[j].Code)
	}
	var got []string
	for _, n := range doc.Neighbours {
		got = append(got, n.Code)
	}
	if !slices.Equal(got, want) || len(got) < 3 {
		t.Errorf("neighbours %v, want %v", got, want)
	}

	// Kita places: value, rank and city as the values, ranking and
	// statistics answers give them.
	var places *profileIndicatorDoc
	for i, d := range doc.Indicators {
		if d.ID == "kitaplaetze-je-1000-u6" {
			places = &doc.Indicators[i]
		}
	}
	if places == nil {
		t.Fatal("no Kita places in the profile")
	}
	values := publishedValues(t, srv, "", "kitaplaetze-je-1000-u6", "bezirksregion")
	var stats statisticsDoc
	json.Unmarshal(do(t, srv, "/api/v1/indicators/kitaplaetze-je-1000-u6/statistics?level=bezirksregion").Body.Bytes(), &stats)
	var ranking rankingDoc
	json.Unmarshal(do(t, srv, "/api/v1/indicators/kitaplaetze-je-1000-u6/ranking?level=bezirksregion&limit=1000").Body.Bytes(), &ranking)
	rank := slices.IndexFunc(ranking.Units, func(r rankDoc) bool { return r.Code == "081005" })
	if places.Value == nil || *places.Value != *values["081005"] || places.City.Value == nil || *places.City.Value != *stats.City.Value ||
		places.Rank == nil || *places.Rank != *ranking.Units[rank].Rank || places.Ranked != 143 || places.Date != 20220630 ||
		places.Previous != nil || places.Change != nil || places.Status != "ok" {
		t.Errorf("Kita places: %+v (city %v)", places, places.City)
	}
	if math.Round(*places.Value) != 617 || math.Round(*places.City.Value) != 866 {
		t.Errorf("Köllnische Heide %v places per 1,000 children under 6, city %v: the acceptance answer changed", *places.Value, *places.City.Value)
	}
	for _, d := range doc.Indicators {
		if d.ID == "mss-status-index" {
			t.Errorf("an indicator without values at the level: %+v", d)
		}
	}

	// Offers in the unit: the same as offer-counts, and by orb/planar.
	var counts offerCountsDoc
	json.Unmarshal(do(t, srv, "/api/v1/levels/bezirksregion/offer-counts?by=category").Body.Bytes(), &counts)
	var fromCounts int
	for _, u := range counts.Units {
		if u.Code == "081005" {
			fromCounts = u.Offers
		}
	}
	byPlanar := 0
	layers, _ := st.OfferLayers(ctx)
	for _, l := range layers {
		offers, _ := st.Offers(ctx, l.ID, atlas.OfferQuery{})
		for _, o := range offers {
			if planar.MultiPolygonContains(units[self].Geometry, o.Geometry) {
				byPlanar++
			}
		}
	}
	if doc.Offers.Offers != fromCounts || doc.Offers.Offers != byPlanar || byPlanar == 0 || doc.Offers.ByGoal[noneKey] != byPlanar ||
		len(doc.Offers.Layers) != 4 {
		t.Errorf("offers: %d, offer-counts %d, planar %d; by goal %v", doc.Offers.Offers, fromCounts, byPlanar, doc.Offers.ByGoal)
	}
	// Gap findings are at the Planungsraum level, where the MSS is.
	if len(doc.Gaps) != 2 || doc.Gaps[0].Class != "no_data" || !strings.Contains(doc.Gaps[0].Note, `no values at level "bezirksregion"`) {
		t.Errorf("gaps of a Bezirksregion: %+v", doc.Gaps)
	}
	plr := profileOfUnit(t, srv, "", "planungsraum", "05200526") // Rudolf-Wissell-Großsiedlung: the first gap
	if len(plr.Gaps) != 2 || plr.Gaps[0].Pair != "status-jugendfreizeit" || plr.Gaps[0].Class != "high-low" || !plr.Gaps[0].Gap ||
		plr.Gaps[0].Color != "#3b4994" || plr.Gaps[0].Label.DE != "Bedarf hoch, Angebot niedrig" {
		t.Errorf("gaps of a Planungsraum: %+v", plr.Gaps)
	}

	// Visibility: the internal indicator for analysts only.
	addInternal(t, st, "bezirksregion")
	analyst := newToken(t, st, "planung", auth.Analyst)
	has := func(d profileDoc) bool {
		return slices.ContainsFunc(d.Indicators, func(i profileIndicatorDoc) bool { return i.ID == "x_geheim" })
	}
	if has(profileOfUnit(t, srv, "", "bezirksregion", "081005")) || !has(profileOfUnit(t, srv, analyst, "bezirksregion", "081005")) {
		t.Error("the internal indicator: shown to the wrong callers")
	}
	for u, status := range map[string]int{"/api/v1/levels/bezirksregion/units/nope/profile": 404, "/api/v1/levels/nope/units/01/profile": 404,
		"/api/v1/levels/bezirk/units/08/profile?date=morgen": 400} {
		if w := do(t, srv, u); w.Code != status {
			t.Errorf("%s: %d, want %d", u, w.Code, status)
		}
	}
}

// TestProfileChange: with two dates the profile shows the change and
// reads it by polarity.
func TestProfileChange(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	old := publishedValues(t, srv, "", "kitaplaetze-je-1000-u6", "bezirksregion")
	// An earlier value, as an earlier computation would have left it.
	b := &atlas.Batch{Source: atlas.Source{Name: "frueher"}}
	for code, v := range old {
		if v != nil {
			b.Values = append(b.Values, atlas.Value{Indicator: "kitaplaetze-je-1000-u6", Level: "bezirksregion", Unit: code, Date: 20201231, Value: *v - 10, Status: atlas.OK})
		}
	}
	if _, err := st.Apply(ctx, b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := profileOfUnit(t, srv, "", "bezirksregion", "081005")
	for _, d := range doc.Indicators {
		if d.ID != "kitaplaetze-je-1000-u6" {
			continue
		}
		if d.Previous == nil || d.Previous.Date != 20201231 || d.Change == nil || math.Abs(*d.Change-10) > 1e-9 || d.Assessment != "better" {
			t.Errorf("change: %+v previous %+v", d, d.Previous)
		}
	}
	w := do(t, srv, "/api/v1/levels/bezirksregion/units/081005/profile?date=2021-06-30")
	var earlier profileDoc
	json.Unmarshal(w.Body.Bytes(), &earlier)
	for _, d := range earlier.Indicators {
		if d.ID == "kitaplaetze-je-1000-u6" && (d.Date != 20201231 || d.Previous != nil) {
			t.Errorf("on 2021-06-30: %+v", d)
		}
		if d.Date > 20210630 {
			t.Errorf("on 2021-06-30, a value of %s: %+v", d.Date, d)
		}
	}
	if assessment(atlas.HigherWorse, 2) != "worse" || assessment(atlas.HigherWorse, -2) != "better" || assessment(atlas.Neutral, 2) != "" ||
		assessment(atlas.HigherBetter, 0) != "unchanged" {
		t.Error("assessment: wrong")
	}
}

// TestProfilePage: the printable page has the profile's numbers, German
// by default, English on request, and loads nothing from anywhere.
func TestProfilePage(t *testing.T) {
	srv, _ := berlinServer(t)
	w := do(t, srv, "/profiles/bezirksregion/081005")
	page := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("%d %s", w.Code, w.Header())
	}
	for _, want := range []string{`<html lang="de">`, "<h1>Köllnische Heide</h1>", "Gebietssteckbrief", "Neukölln (0810)",
		"Kitaplätze je 1.000 Kinder unter 6", "617,4", "866,2", "@page { size: A4", "Angebote im Gebiet", "Rixdorf (081004)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=|@import|url\(`).FindString(page); m != "" {
		t.Errorf("the page loads something: %q", m)
	}
	en := do(t, srv, "/profiles/planungsraum/05200526?lang=en").Body.String()
	for _, want := range []string{`<html lang="en">`, "Area profile", "need high, supply low", `fill="#3b4994"`, "866.2"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
	if w := do(t, srv, "/profiles/bezirksregion/081005?lang=fr"); w.Code != 400 {
		t.Errorf("lang=fr: %d", w.Code)
	}
	if w := do(t, srv, "/profiles/bezirksregion/nope"); w.Code != 404 {
		t.Errorf("unknown unit: %d", w.Code)
	}
	if formatNumber(-1234.567, 1, "de") != "−1.234,6" || formatNumber(1234567, 0, "en") != "1,234,567" || formatNumber(-0.04, 1, "de") != "0,0" ||
		formatSigned(2.5, 1, "de") != "+2,5" {
		t.Errorf("numbers: %s %s %s %s", formatNumber(-1234.567, 1, "de"), formatNumber(1234567, 0, "en"), formatNumber(-0.04, 1, "de"), formatSigned(2.5, 1, "de"))
	}
}

// TestTargets: the Berlin action plan's Kita targets, from the catalog,
// with the city's and Köllnische Heide's values; with a later value, the
// rule of docs/indicators.md by hand.
func TestTargets(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	get := func(id string) targetsDoc {
		t.Helper()
		w := do(t, srv, "/api/v1/indicators/"+id+"/targets")
		var doc targetsDoc
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
			t.Fatalf("targets of %s: %d %s", id, w.Code, w.Body.String())
		}
		return doc
	}
	doc := get("kitaplaetze-je-1000-u6")
	var stats statisticsDoc
	json.Unmarshal(do(t, srv, "/api/v1/indicators/kitaplaetze-je-1000-u6/statistics?level=bezirk").Body.Bytes(), &stats)
	values := publishedValues(t, srv, "", "kitaplaetze-je-1000-u6", "bezirksregion")
	if len(doc.Targets) != 2 || doc.CityLevel != "bezirk" {
		t.Fatalf("targets: %+v", doc)
	}
	city, area := doc.Targets[0], doc.Targets[1]
	if city.Level != "city" || city.Value != 950 || city.Date != 20301231 || len(city.Series) != 1 || *city.Series[0].Value != *stats.City.Value ||
		city.Progress.Status != "on_track" || *city.Progress.Expected != *stats.City.Value || !strings.Contains(city.Note, "only the baseline") {
		t.Errorf("city target: %+v %+v", city, city.Progress)
	}
	if area.Level != "bezirksregion" || area.Code != "081005" || area.UnitName != "Köllnische Heide" || *area.Series[0].Value != *values["081005"] {
		t.Errorf("area target: %+v", area)
	}
	if doc := get("mss-status-index"); len(doc.Targets) != 0 {
		t.Errorf("an indicator without targets: %+v", doc)
	}
	if w := do(t, srv, "/api/v1/indicators/x_geheim/targets"); w.Code != 404 {
		t.Errorf("an unknown indicator: %d", w.Code)
	}

	// A value of 30.06.2024: the path from 617.41… (30.06.2022) to 866 on
	// 31.12.2028 runs 2,376 days; 731 of them have passed.
	base := *values["081005"]
	expected := base + (866-base)*731/2376
	for _, tc := range []struct {
		value  float64
		status string
	}{{expected + 1, "on_track"}, {expected - 1, "behind"}, {870, "reached"}} {
		if _, err := st.Apply(ctx, &atlas.Batch{Values: []atlas.Value{{Indicator: "kitaplaetze-je-1000-u6", Level: "bezirksregion", Unit: "081005",
			Date: 20240630, Value: tc.value, Status: atlas.OK}}}, atlas.ApplyOptions{}); err != nil {
			t.Fatal(err)
		}
		area := get("kitaplaetze-je-1000-u6").Targets[1]
		p := area.Progress
		if p.Status != tc.status || len(area.Series) != 2 || p.Latest.Value != tc.value || p.Baseline.Value != base ||
			math.Abs(*p.Expected-expected) > 1e-9 || area.Note != "" {
			t.Errorf("with %v on 30.06.2024: %+v %+v (expected %v)", tc.value, area, p, expected)
		}
	}
	// A withheld value is not judged: the latest published one is.
	if _, err := st.Apply(ctx, &atlas.Batch{Values: []atlas.Value{{Indicator: "kitaplaetze-je-1000-u6", Level: "bezirksregion", Unit: "081005",
		Date: 20250630, Status: atlas.Suppressed}}}, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	area = get("kitaplaetze-je-1000-u6").Targets[1]
	if len(area.Series) != 3 || area.Series[2].Value != nil || area.Series[2].Status != "suppressed" || area.Progress.Latest.Date != 20240630 {
		t.Errorf("with a withheld value: %+v %+v", area.Series, area.Progress)
	}
}
