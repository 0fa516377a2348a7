package api

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas"
	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/indicators"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/engine"
	"github.com/sozialatlas/sozialatlas/pkg/importer"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/sqlite"
)

func orbSquare(x float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x, 52}, {x + 0.1, 52}, {x + 0.1, 52.1}, {x, 52.1}, {x, 52}}}}
}

// berlinServer serves the Berlin demo with its catalog computed.
func berlinServer(t testing.TB) (*Server, atlas.Store) {
	t.Helper()
	st, cat := berlinStore(t)
	return New(st, Config{OpenAPI: sozialatlas.OpenAPI, Catalog: cat}), st
}

// berlinStore is the Berlin demo imported into a new embedded store, with
// its catalog computed.
func berlinStore(t testing.TB) (atlas.Store, *indicator.Catalog) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "berlin.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m, err := importer.ReadManifest(geodata.Berlin(), geodata.BerlinManifest)
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := importer.Import(ctx, st, geodata.Berlin(), m, importer.Options{}); err != nil || !rep.OK() {
		t.Fatalf("import: %v", err)
	}
	cat, err := indicator.Load(indicators.FS(), "berlin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&engine.Engine{Store: st, Catalog: cat}).Compute(ctx, engine.Options{}); err != nil {
		t.Fatal(err)
	}
	return st, cat
}

func TestIndicatorsAndValues(t *testing.T) {
	srv, st := berlinServer(t)
	w := do(t, srv, "/api/v1/indicators")
	var list []indicatorDoc
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || w.Code != 200 {
		t.Fatalf("indicators: %d %s", w.Code, w.Body.String())
	}
	byID := map[string]indicatorDoc{}
	for _, d := range list {
		byID[d.ID] = d
	}
	status, found := byID["mss-status-index"]
	if !found || !status.Computed || strings.Join(status.Levels, ",") != "planungsraum" || len(status.Dates) != 1 || status.Dates[0] != 20201231 ||
		strings.Join(status.Classification.Labels, ",") != "hoch,mittel,niedrig,sehr niedrig" {
		t.Errorf("mss-status-index listed as %+v", status)
	}
	if d := byID["anteil-unter6"]; strings.Join(d.Levels, ",") != "bezirk,prognoseraum,bezirksregion,planungsraum" || d.Topic != "Bevölkerung" {
		t.Errorf("anteil-unter6 listed as %+v", d)
	}
	if d := byID["mss_s1"]; d.Computed || d.Unit != "%" {
		t.Errorf("imported mss_s1 listed as %+v", d)
	}
	if w := do(t, srv, "/api/v1/indicators?q=kinderarmut"); !strings.Contains(w.Body.String(), `"mss_s4"`) || strings.Contains(w.Body.String(), `"mss_s1"`) {
		t.Errorf("search q=kinderarmut: %s", w.Body.String())
	}

	for _, tc := range []struct {
		id     string
		cuts   []float64
		labels []string
	}{
		{"mss-status-index", []float64{-1, 1, 1.5}, []string{"hoch", "mittel", "niedrig", "sehr niedrig"}},
		{"mss-dynamik-index", []float64{-1, 1}, []string{"positiv", "stabil", "negativ"}},
	} {
		w := do(t, srv, "/api/v1/indicators/"+tc.id+"/values?level=planungsraum&date=2020-12-31")
		var doc valuesDoc
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
			t.Fatalf("%s values: %d %s", tc.id, w.Code, w.Body.String())
		}
		stored := map[string]atlas.Value{}
		vs, _ := st.Values(context.Background(), atlas.ValueQuery{Indicator: tc.id, Level: "planungsraum"})
		for _, v := range vs {
			stored[v.Unit] = v
		}
		counts := map[string]int{}
		for _, v := range doc.Values {
			s := stored[v.Code]
			if v.Status != string(s.Status) || v.Name == "" {
				t.Errorf("%s %s: status %s, stored %s", tc.id, v.Code, v.Status, s.Status)
			}
			if v.Status != "ok" {
				if v.Value != nil || v.Class != nil {
					t.Errorf("%s %s: %s value with number or class", tc.id, v.Code, v.Status)
				}
				continue
			}
			want := tc.labels[len(tc.cuts)]
			for i, c := range tc.cuts {
				if s.Value <= c {
					want = tc.labels[i]
					break
				}
			}
			if v.Class == nil || *v.Class != want || math.Abs(*v.Value-s.Value) > 0 {
				t.Errorf("%s %s: value %v class %v, want %g %s", tc.id, v.Code, v.Value, v.Class, s.Value, want)
			}
			counts[want]++
		}
		if len(doc.Values) != 542 || doc.Classification == nil {
			t.Fatalf("%s: %d values, classification %v", tc.id, len(doc.Values), doc.Classification)
		}
		for i, l := range doc.Classification.Labels {
			if doc.Classification.Counts[i] != counts[l] {
				t.Errorf("%s legend: %s counts %d, values say %d", tc.id, l, doc.Classification.Counts[i], counts[l])
			}
		}
		t.Logf("%s: %v", tc.id, counts)
	}

	for _, tt := range []struct {
		target string
		status int
		detail string
	}{
		{"/api/v1/indicators/nope/values?level=planungsraum", 404, `indicator "nope" does not exist`},
		{"/api/v1/indicators/mss-status-index/values", 400, `level is missing: say one of planungsraum`},
		{"/api/v1/indicators/mss-status-index/values?level=bezirk", 404, `indicator mss-status-index has no values at level "bezirk"; it has at planungsraum`},
		{"/api/v1/indicators/mss-status-index/values?level=planungsraum&date=2020-13-01", 400, `date "2020-13-01": want YYYY-MM-DD`},
		{"/api/v1/indicators/mss-status-index/values?level=planungsraum&date=2019-12-31", 404, `indicator mss-status-index has no values at planungsraum on 2019-12-31; dates: 2020-12-31`},
		{"/api/v1/indicators/anteil-unter6/values?level=bezirk&k=40", 400, `k "40": want a whole number from 2 to 12`},
		{"/api/v1/indicators/anteil-unter6/values?level=bezirk&method=magic", 400, `method "magic": want quantile, equal_interval, jenks or stddev`},
	} {
		w := do(t, srv, tt.target)
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != tt.status || p.Detail != tt.detail {
			t.Errorf("%s: got %d %q, want %d %q", tt.target, w.Code, p.Detail, tt.status, tt.detail)
		}
	}
	// Jenks on request, from the one classification.
	w = do(t, srv, "/api/v1/indicators/anteil-unter6/values?level=planungsraum&method=jenks&k=4&scheme=Blues")
	var doc valuesDoc
	if json.Unmarshal(w.Body.Bytes(), &doc); w.Code != 200 || doc.Classification.Method != "jenks" || len(doc.Classification.Breaks) != 4 || doc.Classification.Scheme != "Blues" {
		t.Errorf("jenks k=4: %d %+v", w.Code, doc.Classification)
	}
}

// TestHiddenIndicators: internal and confidential indicators do not exist
// for an anonymous request, in the listing and the values; a suppressed
// value leaves without a number.
func TestHiddenIndicators(t *testing.T) {
	srv, store := newServer(t)
	sq := orbSquare(13.1)
	b := &atlas.Batch{
		Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}},
		Units:  []atlas.Unit{{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: sq}, {Level: "bezirk", Code: "02", Name: "Nord", Geometry: orbSquare(13.3)}},
	}
	for _, vis := range []atlas.Visibility{atlas.Public, atlas.Internal, atlas.Confidential} {
		id := "x_" + string(vis)
		b.Indicators = append(b.Indicators, atlas.Indicator{ID: id, Name: id, Unit: "Personen", Polarity: atlas.Neutral, Visibility: vis})
		b.Values = append(b.Values,
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "01", Date: 20241231, Value: 2, Status: atlas.OK},
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "02", Date: 20241231, Status: atlas.Suppressed})
	}
	if _, err := store.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	w := do(t, srv, "/api/v1/indicators")
	if !strings.Contains(w.Body.String(), `"x_public"`) || strings.Contains(w.Body.String(), "x_internal") || strings.Contains(w.Body.String(), "x_confidential") {
		t.Errorf("listing shows hidden indicators or hides the public one: %s", w.Body.String())
	}
	for _, id := range []string{"x_internal", "x_confidential"} {
		if w := do(t, srv, "/api/v1/indicators/"+id+"/values?level=bezirk"); w.Code != 404 || !strings.Contains(w.Body.String(), `indicator \"`+id+`\" does not exist`) {
			t.Errorf("%s values: %d %s, want 404", id, w.Code, w.Body.String())
		}
	}
	w = do(t, srv, "/api/v1/indicators/x_public/values?level=bezirk&method=equal_interval&k=2")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `"classification":null`) || !strings.Contains(body, `{"code":"02","name":"Nord","value":null,"numerator":null,"denominator":null,"status":"suppressed","class":null}`) {
		t.Errorf("suppressed value: %d %s", w.Code, body)
	}
}
