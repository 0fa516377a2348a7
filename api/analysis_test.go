package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/spatialstats"
)

// getJSON fetches target, wants 200 and decodes the body into v.
func getJSON(t *testing.T, h http.Handler, target string, v any) string {
	t.Helper()
	w := do(t, h, target)
	if w.Code != 200 {
		t.Fatalf("%s: %d %s", target, w.Code, w.Body.String())
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("%s: %v in %s", target, err, w.Body.String())
	}
	return w.Body.String()
}

// wantProblem fetches target and wants the status and a detail containing
// every one of parts.
func wantProblem(t *testing.T, h http.Handler, target string, status int, parts ...string) {
	t.Helper()
	w := do(t, h, target)
	var p problem
	json.Unmarshal(w.Body.Bytes(), &p)
	ok := w.Code == status
	for _, s := range parts {
		ok = ok && strings.Contains(p.Detail, s)
	}
	if !ok {
		t.Errorf("%s: got %d %q, want %d with %q", target, w.Code, p.Detail, status, parts)
	}
}

// valuesOf reads /values, the independent source the analyses are
// checked against.
func valuesOf(t *testing.T, h http.Handler, id, level, date string) valuesDoc {
	t.Helper()
	var doc valuesDoc
	target := "/api/v1/indicators/" + id + "/values?level=" + level
	if date != "" {
		target += "&date=" + date
	}
	getJSON(t, h, target, &doc)
	return doc
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*max(1, math.Abs(a), math.Abs(b)) }

func okValues(doc valuesDoc) []float64 {
	var out []float64
	for _, v := range doc.Values {
		if v.Value != nil {
			out = append(out, *v.Value)
		}
	}
	return out
}

// TestAnalysisBerlin checks the analyses on the Berlin demo against the
// values endpoint and pkg/spatialstats, on one server.
func TestAnalysisBerlin(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()

	t.Run("statistics of a rate", func(t *testing.T) {
		vals := valuesOf(t, srv, "anteil-unter6", "planungsraum", "")
		var doc statisticsDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/statistics?level=planungsraum", &doc)
		ok := okValues(vals)
		num, den := 0.0, 0.0
		for _, v := range vals.Values {
			if v.Status == "ok" {
				num += v.Numerator.V
				den += v.Denominator.V
			}
		}
		if doc.N+doc.Suppressed+doc.Missing != len(vals.Values) || doc.N != len(ok) || doc.Suppressed != 0 || doc.Missing != 4 {
			t.Errorf("counts n %d suppressed %d missing %d; /values has %d values, %d ok", doc.N, doc.Suppressed, doc.Missing, len(vals.Values), len(ok))
		}
		slices.Sort(ok)
		median := (ok[len(ok)/2-1] + ok[len(ok)/2]) / 2 // 538 values
		sum := 0.0
		for _, v := range ok {
			sum += v
		}
		if *doc.Min != ok[0] || *doc.Max != ok[len(ok)-1] || *doc.Median != median || !near(*doc.Mean, sum/float64(len(ok)), 1e-12) ||
			!(*doc.Min <= *doc.Median && *doc.Median <= *doc.Max) {
			t.Errorf("min %v median %v mean %v max %v; want %v %v %v %v", *doc.Min, *doc.Median, *doc.Mean, *doc.Max, ok[0], median, sum/float64(len(ok)), ok[len(ok)-1])
		}
		want := 100 * num / den // the catalog's scale: residents under 6 per 100
		if doc.City.Source != "sum" || doc.City.Value == nil || !near(*doc.City.Value, want, 1e-12) {
			t.Errorf("city %+v, want the sum-based %v", doc.City, want)
		}
		// The Bezirke: the same rule on their own sums. Their denominators
		// also count the residents of the two Planungsräume whose number of
		// children is not published (missing there), so the two city values
		// differ in the fifth digit.
		var bez statisticsDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/statistics?level=bezirk", &bez)
		bn, bd := 0.0, 0.0
		for _, v := range valuesOf(t, srv, "anteil-unter6", "bezirk", "").Values {
			bn, bd = bn+v.Numerator.V, bd+v.Denominator.V
		}
		if bez.City.Value == nil || !near(*bez.City.Value, 100*bn/bd, 1e-12) || bez.N != 12 || !near(100*bn/bd, want, 1e-4) {
			t.Errorf("city from the Bezirke %+v (n %d), want %v (near %v)", bez.City, bez.N, 100*bn/bd, want)
		}
		t.Logf("anteil-unter6: city %.5f%% from the Planungsräume, %.5f%% from the Bezirke; median %.4f%%", want, 100*bn/bd, *doc.Median)
	})

	t.Run("statistics of a count", func(t *testing.T) {
		bez := valuesOf(t, srv, "ew_gesamt", "bezirk", "")
		total := 0.0
		for _, v := range bez.Values {
			total += *v.Value
		}
		var doc statisticsDoc
		getJSON(t, srv, "/api/v1/indicators/ew_gesamt/statistics?level=bezirk", &doc)
		if doc.City.Source != "sum" || doc.City.Value == nil || *doc.City.Value != total {
			t.Errorf("Bezirke: city %+v, want the sum %v", doc.City, total)
		}
		// two Planungsräume have no value: their sum is not the city's,
		// so the city value comes from the top level
		getJSON(t, srv, "/api/v1/indicators/ew_gesamt/statistics?level=planungsraum", &doc)
		if doc.Missing != 2 || doc.City.Source != "top_level" || doc.City.Value == nil || *doc.City.Value != total ||
			!strings.Contains(doc.City.Note, "2 units at planungsraum are without a value") {
			t.Errorf("Planungsräume: missing %d, city %+v; want from the Bezirke %v", doc.Missing, doc.City, total)
		}
	})

	t.Run("statistics of an index", func(t *testing.T) {
		var doc statisticsDoc
		body := getJSON(t, srv, "/api/v1/indicators/mss-status-index/statistics?level=planungsraum", &doc)
		if doc.N != 536 || doc.Missing != 6 || doc.City.Value != nil || doc.City.Source != "none" ||
			!strings.Contains(body, `"city":{"value":null`) || !strings.Contains(doc.City.Note, "neither a rate nor a count") {
			t.Errorf("mss-status-index: %s", body)
		}
	})

	t.Run("breaks", func(t *testing.T) {
		for _, q := range []string{"", "&method=jenks&k=4&scheme=Blues", "&method=quantile&k=7"} {
			vals := valuesOf(t, srv, "anteil-unter6", "planungsraum&"+strings.TrimPrefix(q, "&"), "")
			var doc breaksDoc
			getJSON(t, srv, "/api/v1/indicators/anteil-unter6/breaks?level=planungsraum"+q, &doc)
			if doc.Classification == nil || !reflect.DeepEqual(*doc.Classification, *vals.Classification) || doc.N != 538 {
				t.Errorf("breaks%s: %+v, /values classifies %+v", q, doc.Classification, vals.Classification)
			}
		}
		var doc breaksDoc
		getJSON(t, srv, "/api/v1/indicators/mss-status-index/breaks?level=planungsraum", &doc)
		total := 0
		for _, n := range doc.Classification.Counts {
			total += n
		}
		if strings.Join(doc.Classification.Labels, ",") != "hoch,mittel,niedrig,sehr niedrig" || total != 536 ||
			!slices.Equal(doc.Classification.Breaks[:3], []float64{-1, 1, 1.5}) {
			t.Errorf("mss-status-index legend %+v", doc.Classification)
		}
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/breaks?level=bezirk&k=1", 400, `k "1": want a whole number from 2 to 12`)
	})

	t.Run("ranking", func(t *testing.T) {
		vals := valuesOf(t, srv, "anteil-unter6", "planungsraum", "")
		ok := okValues(vals)
		var doc rankingDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/ranking?level=planungsraum&limit=10000", &doc)
		if len(doc.Units) != 542 || doc.Ranked != 538 || doc.Unranked != 4 {
			t.Fatalf("%d units, %d ranked, %d unranked", len(doc.Units), doc.Ranked, doc.Unranked)
		}
		for i, u := range doc.Units {
			if i >= 538 {
				if u.Rank != nil || u.Value != nil || u.Status != "missing" {
					t.Errorf("unranked %d: %+v", i, u)
				}
				continue
			}
			higher := 0 // competition rank: one more than the values above
			for _, v := range ok {
				if v > *u.Value {
					higher++
				}
			}
			if u.Rank == nil || *u.Rank != higher+1 {
				t.Errorf("%s (%v): rank %v, want %d", u.Code, *u.Value, u.Rank, higher+1)
			}
			if i > 0 {
				p := doc.Units[i-1]
				if *p.Value < *u.Value || (*p.Value == *u.Value && p.Code > u.Code) {
					t.Errorf("order: %s %v before %s %v", p.Code, *p.Value, u.Code, *u.Value)
				}
			}
		}
		var top, bottom rankingDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/ranking?level=planungsraum&limit=3", &top)
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/ranking?level=planungsraum&order=asc&limit=1", &bottom)
		if len(top.Units) != 3 || !reflect.DeepEqual(top.Units, doc.Units[:3]) || len(bottom.Units) != 1 || *bottom.Units[0].Value != slices.Min(ok) || *bottom.Units[0].Rank != 1 {
			t.Errorf("top 3 %+v, bottom 1 %+v", top.Units, bottom.Units)
		}
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/ranking?level=bezirk&limit=0", 400, `limit "0": want a whole number from 1 to 10000`)
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/ranking?level=bezirk&limit=10001", 400, `limit "10001"`)
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/ranking?level=bezirk&order=up", 400, `order "up": want desc or asc`)
	})

	t.Run("compare", func(t *testing.T) {
		vals := valuesOf(t, srv, "anteil-unter6", "bezirk", "")
		codes := []string{vals.Values[0].Code, vals.Values[4].Code, vals.Values[11].Code}
		var rk rankingDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/ranking?level=bezirk", &rk)
		var st statisticsDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/statistics?level=bezirk", &st)
		var doc compareDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/compare?level=bezirk&units="+strings.Join(codes, ","), &doc)
		if len(doc.Units) != 3 || doc.Ranked != 12 || !reflect.DeepEqual(doc.City, st.City) {
			t.Fatalf("compare: %+v", doc)
		}
		for i, u := range doc.Units {
			var want valueDoc
			for _, v := range vals.Values {
				if v.Code == codes[i] {
					want = v
				}
			}
			var rank int
			for _, r := range rk.Units {
				if r.Code == codes[i] {
					rank = *r.Rank
				}
			}
			if u.Code != codes[i] || u.Name != want.Name || *u.Value != *want.Value || *u.Rank != rank || *u.Difference != *want.Value-*st.City.Value {
				t.Errorf("unit %d: %+v, want value %v rank %d difference %v", i, u, *want.Value, rank, *want.Value-*st.City.Value)
			}
		}
		base := "/api/v1/indicators/anteil-unter6/compare?level=bezirk&units="
		wantProblem(t, srv, base+codes[0], 400, "units: 1 given; want 2 to 5")
		wantProblem(t, srv, base+strings.Join([]string{"01", "02", "03", "04", "05", "06"}, ","), 400, "units: 6 given; want 2 to 5")
		wantProblem(t, srv, base+codes[0]+","+codes[0], 400, "is given twice")
		wantProblem(t, srv, base+codes[0]+",99,nope", 404, "no unit 99, nope at level bezirk")
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/compare?level=bezirk", 400, "units is missing")
	})

	t.Run("series", func(t *testing.T) {
		vals := valuesOf(t, srv, "anteil-unter6", "planungsraum", "")
		code := vals.Values[100].Code
		var list []indicatorDoc
		getJSON(t, srv, "/api/v1/indicators", &list)
		public := map[string]bool{}
		withPLR := 0
		for _, d := range list {
			public[d.ID] = true
			if slices.Contains(d.Levels, "planungsraum") {
				withPLR++
			}
		}
		var doc unitSeriesDoc
		getJSON(t, srv, "/api/v1/levels/planungsraum/units/"+code+"/series", &doc)
		if doc.Code != code || doc.Name != vals.Values[100].Name || len(doc.Indicators) != withPLR {
			t.Errorf("series of %s: %s with %d indicators, want %d", code, doc.Name, len(doc.Indicators), withPLR)
		}
		checked := 0
		for _, ind := range doc.Indicators {
			if !public[ind.ID] {
				t.Errorf("series lists %s, which /indicators does not", ind.ID)
			}
			for _, p := range ind.Values {
				v := valuesOf(t, srv, ind.ID, "planungsraum", p.Date.String())
				for _, want := range v.Values {
					if want.Code == code && (want.Status != p.Status || !reflect.DeepEqual(want.Value, p.Value)) {
						t.Errorf("%s on %s: %v %s, /values %v %s", ind.ID, p.Date, p.Value, p.Status, want.Value, want.Status)
					}
				}
				checked++
			}
		}
		getJSON(t, srv, "/api/v1/levels/planungsraum/units/"+code+"/series?indicators=mss_s1,anteil-unter6", &doc)
		if len(doc.Indicators) != 2 || doc.Indicators[0].ID != "mss_s1" || doc.Indicators[1].Values[0].Date != 20220630 {
			t.Errorf("two indicators: %+v", doc.Indicators)
		}
		t.Logf("series of %s: %d points checked against /values", code, checked)
		wantProblem(t, srv, "/api/v1/levels/planungsraum/units/nope/series", 404, "no unit nope at level planungsraum")
		wantProblem(t, srv, "/api/v1/levels/nope/units/01/series", 404, `level "nope" does not exist`)
		wantProblem(t, srv, "/api/v1/levels/planungsraum/units/"+code+"/series?indicators=anteil-unter6,nope", 404, `indicator "nope" does not exist`)
		wantProblem(t, srv, "/api/v1/levels/bezirk/units/01/series?indicators=mss-status-index", 404, `no values at level "bezirk"`)
	})

	// Moran's I of the Status-Index equals pkg/spatialstats on queen
	// weights built here from the stored geometries and the published values.
	plrUnits, err := st.Units(ctx, "planungsraum", atlas.UnitQuery{})
	if err != nil {
		t.Fatal(err)
	}
	direct := func(t *testing.T, id string) ([]string, []float64, spatialstats.Weights) {
		vals := valuesOf(t, srv, id, "planungsraum", "")
		byCode := map[string]*float64{}
		for _, v := range vals.Values {
			byCode[v.Code] = v.Value
		}
		geoms := make([]orb.MultiPolygon, len(plrUnits))
		var keep []int
		var codes []string
		var y []float64
		for i, u := range plrUnits {
			geoms[i] = u.Geometry
			if v := byCode[u.Code]; v != nil {
				keep = append(keep, i)
				codes = append(codes, u.Code)
				y = append(y, *v)
			}
		}
		w, err := spatialstats.Queen(geoms).Subset(keep)
		if err != nil {
			t.Fatal(err)
		}
		return codes, y, w.RowStandardised()
	}

	t.Run("moran", func(t *testing.T) {
		_, y, w := direct(t, "mss-status-index")
		var doc moranDoc
		getJSON(t, srv, "/api/v1/indicators/mss-status-index/moran?level=planungsraum&permutations=199", &doc)
		want, err := spatialstats.Moran(y, w, 199, doc.Seed)
		if err != nil {
			t.Fatal(err)
		}
		if doc.N != 536 || doc.Excluded != 6 || doc.I != want.I || doc.Expected != want.EI || *doc.Randomisation.Z != want.ZRand ||
			doc.Permutation == nil || *doc.Permutation.P != want.PSim || doc.Permutations != 199 {
			t.Errorf("moran %+v, spatialstats says %+v", doc, want)
		}
		if doc.I < 0.3 || *doc.Permutation.P > 0.01 {
			t.Errorf("Status-Index I = %v (p %v), want strong positive autocorrelation", doc.I, *doc.Permutation.P)
		}
		var again moranDoc
		getJSON(t, srv, "/api/v1/indicators/mss-status-index/moran?level=planungsraum&permutations=199", &again)
		if !reflect.DeepEqual(again, doc) {
			t.Errorf("second request differs: %+v", again)
		}
		body := getJSON(t, srv, "/api/v1/indicators/mss-status-index/moran?level=planungsraum&permutations=0", &again)
		if again.Permutation != nil || again.I != doc.I || !strings.Contains(body, `"permutation":null`) {
			t.Errorf("without permutations: %s", body)
		}
		t.Logf("Moran's I of the Status-Index on %d Planungsräume: %.4f (z %.1f, pseudo p %.4f)", doc.N, doc.I, *doc.Randomisation.Z, *doc.Permutation.P)
		wantProblem(t, srv, "/api/v1/indicators/mss-status-index/moran?level=planungsraum&permutations=10000", 400, `permutations "10000": want a whole number from 0 to 9999`)
		wantProblem(t, srv, "/api/v1/indicators/mss-status-index/moran?level=planungsraum&permutations=-1", 400, `permutations "-1"`)
	})

	t.Run("lisa", func(t *testing.T) {
		codes, y, w := direct(t, "anteil-unter6")
		var doc lisaDoc
		getJSON(t, srv, "/api/v1/indicators/anteil-unter6/lisa?level=planungsraum&permutations=99&alpha=0.01", &doc)
		want, err := spatialstats.Local(y, w, 99, doc.Seed, 0.01)
		if err != nil {
			t.Fatal(err)
		}
		if doc.N != 538 || doc.N+len(doc.Excluded) != 542 || len(doc.Units) != len(want) || doc.Alpha != 0.01 {
			t.Fatalf("lisa: n %d, %d excluded, %d units", doc.N, len(doc.Excluded), len(doc.Units))
		}
		allowed := map[string]bool{"HH": true, "LL": true, "HL": true, "LH": true, "not_significant": true}
		count := map[string]int{}
		for i, u := range doc.Units {
			r := want[i]
			wantCluster := "not_significant"
			if r.Cluster != "" {
				wantCluster = string(r.Cluster)
			}
			if !allowed[u.Cluster] || u.Cluster != wantCluster || u.Code != codes[i] || u.I != r.I || *u.P != r.PSim ||
				(u.Cluster != "not_significant" && (*u.P > 0.01 || u.Cluster != *u.Quadrant)) {
				t.Errorf("unit %s: %+v, spatialstats says %+v", u.Code, u, r)
			}
			count[u.Cluster]++
		}
		total := 0
		for k, n := range doc.Clusters {
			total += n
			if !allowed[k] || count[k] != n {
				t.Errorf("clusters[%s] = %d, units say %d", k, n, count[k])
			}
		}
		if total != doc.N || count["HH"] == 0 || count["LL"] == 0 {
			t.Errorf("clusters %v for %d units: want hot and cold spots", doc.Clusters, doc.N)
		}
		for _, e := range doc.Excluded {
			if e.Status != "missing" {
				t.Errorf("excluded %+v", e)
			}
		}
		t.Logf("LISA of anteil-unter6 at alpha 0.01: %v", doc.Clusters)
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/lisa?level=planungsraum&alpha=0", 400, `alpha "0"`)
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/lisa?level=planungsraum&alpha=x", 400, `alpha "x"`)
		wantProblem(t, srv, "/api/v1/indicators/anteil-unter6/lisa?level=planungsraum&permutations=10", 400, `permutations "10": want a whole number from 99 to 9999`)
	})
}

// analysisFixture is a city of 3x3 square districts under one city unit,
// with values on two dates: a rate with its stored city value, a rate
// without one, a count and two hidden indicators. District 05 is withheld
// on the second date.
func analysisFixture(t *testing.T) http.Handler {
	t.Helper()
	srv, store := newServer(t)
	b := &atlas.Batch{Levels: []atlas.Level{{ID: "stadt", Name: "Stadt"}, {ID: "bezirk", Name: "Bezirk", Parent: "stadt"}},
		Units: []atlas.Unit{{Level: "stadt", Code: "0", Name: "Stadt", Geometry: orb.MultiPolygon{{{{13, 52}, {13.3, 52}, {13.3, 52.3}, {13, 52.3}, {13, 52}}}}}}}
	for i := range 9 {
		x, y := 13+0.1*float64(i%3), 52+0.1*float64(i/3)
		b.Units = append(b.Units, atlas.Unit{Level: "bezirk", Code: fmt.Sprintf("%02d", i+1), Name: fmt.Sprintf("Bezirk %d", i+1), Parent: "0",
			Geometry: orb.MultiPolygon{{{{x, y}, {x + 0.1, y}, {x + 0.1, y + 0.1}, {x, y + 0.1}, {x, y}}}}})
	}
	ind := func(id, unit string, vis atlas.Visibility) {
		b.Indicators = append(b.Indicators, atlas.Indicator{ID: id, Name: id, Unit: unit, Polarity: atlas.Neutral, Visibility: vis})
	}
	ind("q_rate", "%", atlas.Public)
	ind("q_share", "%", atlas.Public)
	ind("q_count", "Personen", atlas.Public)
	ind("x_internal", "Personen", atlas.Internal)
	ind("x_confidential", "Personen", atlas.Confidential)
	nums := map[atlas.Date][]float64{
		20231231: {10, 20, 20, 40, 50, 60, 70, 80, 90}, // a tie: 02 and 03
		20241231: {15, 25, 30, 35, 0, 55, 75, 85, 95},  // 05 withheld
	}
	for date, ns := range nums {
		for i, n := range ns {
			code := fmt.Sprintf("%02d", i+1)
			rate := atlas.Value{Level: "bezirk", Unit: code, Date: date, Value: n, Numerator: atlas.Some(n), Denominator: atlas.Some(100), Status: atlas.OK}
			cnt := atlas.Value{Indicator: "q_count", Level: "bezirk", Unit: code, Date: date, Value: 100 * float64(i+1), Status: atlas.OK}
			if date == 20241231 {
				cnt.Value *= 1.1
				if code == "05" {
					rate = atlas.Value{Level: "bezirk", Unit: code, Date: date, Status: atlas.Suppressed}
				}
			}
			for _, id := range []string{"q_rate", "q_share"} {
				v := rate
				v.Indicator = id
				b.Values = append(b.Values, v)
			}
			b.Values = append(b.Values, cnt)
			for _, id := range []string{"x_internal", "x_confidential"} {
				b.Values = append(b.Values, atlas.Value{Indicator: id, Level: "bezirk", Unit: code, Date: date, Value: float64(i), Status: atlas.OK})
			}
		}
	}
	b.Values = append(b.Values,
		atlas.Value{Indicator: "q_rate", Level: "stadt", Unit: "0", Date: 20231231, Value: 48.8, Numerator: atlas.Some(439.2), Denominator: atlas.Some(900), Status: atlas.OK},
		atlas.Value{Indicator: "q_rate", Level: "stadt", Unit: "0", Date: 20241231, Value: 47.5, Numerator: atlas.Some(427.5), Denominator: atlas.Some(900), Status: atlas.OK})
	if _, err := store.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// TestAnalysisDisclosure: a withheld value counts but never enters a
// number, the city value falls back to the stored one, changes skip it,
// and hidden indicators do not exist on any analysis route.
func TestAnalysisDisclosure(t *testing.T) {
	srv := analysisFixture(t)
	const base = "/api/v1/indicators/"

	t.Run("statistics", func(t *testing.T) {
		var doc statisticsDoc
		getJSON(t, srv, base+"q_rate/statistics?level=bezirk&date=2023-12-31", &doc)
		vals := valuesOf(t, srv, "q_rate", "bezirk", "2023-12-31")
		num, den := 0.0, 0.0
		for _, v := range vals.Values {
			num, den = num+v.Numerator.V, den+v.Denominator.V
		}
		// scale 100 / 100 residents each: the value equals the numerator
		if doc.City.Source != "sum" || !near(*doc.City.Value, 100*num/den, 1e-12) || *doc.Median != 50 {
			t.Errorf("2023: %+v, want city %v", doc, 100*num/den)
		}
		getJSON(t, srv, base+"q_rate/statistics?level=bezirk&date=2024-12-31", &doc)
		ok := okValues(valuesOf(t, srv, "q_rate", "bezirk", "2024-12-31"))
		sum := 0.0
		for _, v := range ok {
			sum += v
		}
		stadt := valuesOf(t, srv, "q_rate", "stadt", "2024-12-31")
		if doc.N != 8 || doc.Suppressed != 1 || doc.Missing != 0 || !near(*doc.Mean, sum/8, 1e-12) || *doc.Median != 45 ||
			doc.City.Source != "top_level" || *doc.City.Value != *stadt.Values[0].Value ||
			!strings.Contains(doc.City.Note, "1 unit at bezirk is suppressed") {
			t.Errorf("2024: %+v, want the mean of 8 values %v and the stored city value %v", doc, sum/8, *stadt.Values[0].Value)
		}
		body := getJSON(t, srv, base+"q_share/statistics?level=bezirk&date=2024-12-31", &doc)
		if doc.City.Value != nil || doc.City.Source != "none" || !strings.Contains(body, `"city":{"value":null,"source":"none"`) {
			t.Errorf("a rate without a stored city value: %s", body)
		}
		getJSON(t, srv, base+"q_count/statistics?level=bezirk&date=2023-12-31", &doc)
		if doc.City.Value != nil || doc.N != 9 {
			t.Errorf("a count without the catalog is not known to add up: %+v", doc)
		}
	})

	t.Run("breaks of one value", func(t *testing.T) {
		var doc breaksDoc
		body := getJSON(t, srv, base+"q_rate/breaks?level=stadt", &doc)
		if doc.Classification != nil || doc.N != 1 || !strings.Contains(doc.Note, "cannot be classified") {
			t.Errorf("one value: %s", body)
		}
	})

	t.Run("ranking with ties and a withheld unit", func(t *testing.T) {
		for _, tc := range []struct {
			q     string
			codes string
			ranks string
		}{
			{"date=2023-12-31", "09,08,07,06,05,04,02,03,01", "1,2,3,4,5,6,7,7,9"},
			{"date=2023-12-31&order=asc", "01,02,03,04,05,06,07,08,09", "1,2,2,4,5,6,7,8,9"},
			{"date=2024-12-31", "09,08,07,06,04,03,02,01,05", "1,2,3,4,5,6,7,8,-"},
			{"date=2024-12-31&order=asc&limit=2&offset=7", "09,05", "8,-"},
		} {
			var doc rankingDoc
			getJSON(t, srv, base+"q_rate/ranking?level=bezirk&"+tc.q, &doc)
			var codes, ranks []string
			for _, u := range doc.Units {
				codes = append(codes, u.Code)
				if u.Rank == nil {
					ranks = append(ranks, "-")
				} else {
					ranks = append(ranks, fmt.Sprint(*u.Rank))
				}
			}
			if strings.Join(codes, ",") != tc.codes || strings.Join(ranks, ",") != tc.ranks {
				t.Errorf("%s: codes %v ranks %v, want %s and %s", tc.q, codes, ranks, tc.codes, tc.ranks)
			}
		}
	})

	t.Run("compare", func(t *testing.T) {
		var doc compareDoc
		body := getJSON(t, srv, base+"q_rate/compare?level=bezirk&date=2024-12-31&units=04,05", &doc)
		if u := doc.Units[0]; *u.Difference != 35-47.5 || *u.Rank != 5 {
			t.Errorf("04: %+v", u)
		}
		if !strings.Contains(body, `{"code":"05","name":"Bezirk 5","value":null,"status":"suppressed","rank":null,"difference":null}`) {
			t.Errorf("withheld unit in a comparison: %s", body)
		}
	})

	t.Run("change", func(t *testing.T) {
		from := valuesOf(t, srv, "q_rate", "bezirk", "2023-12-31")
		to := valuesOf(t, srv, "q_rate", "bezirk", "2024-12-31")
		var doc changeDoc
		body := getJSON(t, srv, base+"q_rate/change?level=bezirk&from=2023-12-31&to=2024-12-31", &doc)
		if doc.Relative != "percentage_points" || len(doc.Units) != 9 {
			t.Fatalf("change: %s", body)
		}
		for i, u := range doc.Units {
			a, b := from.Values[i], to.Values[i]
			if u.Code != a.Code || u.Code != b.Code || u.From.Status != a.Status || u.To.Status != b.Status {
				t.Errorf("%s: %+v", u.Code, u)
			}
			if b.Value == nil {
				if u.Absolute != nil || u.Relative != nil || u.To.Value != nil {
					t.Errorf("%s withheld on the second date, but changes %+v", u.Code, u)
				}
				continue
			}
			if d := *b.Value - *a.Value; *u.Absolute != d || *u.Relative != d {
				t.Errorf("%s: change %v (%v pp), want %v", u.Code, *u.Absolute, *u.Relative, d)
			}
		}
		getJSON(t, srv, base+"q_count/change?level=bezirk&from=2023-12-31&to=2024-12-31", &doc)
		for _, u := range doc.Units {
			if doc.Relative != "percent" || !near(*u.Relative, 10, 1e-9) || !near(*u.Absolute, *u.From.Value/10, 1e-9) {
				t.Errorf("count %s: %+v, want +10 %%", u.Code, u)
			}
		}
		q := base + "q_rate/change?level=bezirk"
		wantProblem(t, srv, q+"&from=2023-12-31&to=2025-12-31", 404, "no values at bezirk on 2025-12-31; dates: 2023-12-31, 2024-12-31")
		wantProblem(t, srv, q+"&from=2022-12-31&to=2024-12-31", 404, "dates: 2023-12-31, 2024-12-31")
		wantProblem(t, srv, q+"&to=2024-12-31", 400, "from is missing")
		wantProblem(t, srv, q+"&from=2024-12-31&to=2023-12-31", 400, "from 2024-12-31 must be before to 2023-12-31")
		wantProblem(t, srv, q+"&from=31.12.2023&to=2024-13-01", 400, `to "2024-13-01": want YYYY-MM-DD`)
	})

	t.Run("series", func(t *testing.T) {
		var doc unitSeriesDoc
		body := getJSON(t, srv, "/api/v1/levels/bezirk/units/05/series", &doc)
		var ids []string
		for _, d := range doc.Indicators {
			ids = append(ids, d.ID)
		}
		if strings.Join(ids, ",") != "q_count,q_rate,q_share" {
			t.Errorf("default indicators %v, want the visible ones", ids)
		}
		if !strings.Contains(body, `{"id":"q_rate","name":"q_rate","unit":"%","values":[{"date":"2023-12-31","value":50,"status":"ok"},{"date":"2024-12-31","value":null,"status":"suppressed"}]}`) {
			t.Errorf("series of 05: %s", body)
		}
	})

	t.Run("spatial", func(t *testing.T) {
		var m moranDoc
		getJSON(t, srv, base+"q_rate/moran?level=bezirk&date=2024-12-31&permutations=99", &m)
		var l lisaDoc
		getJSON(t, srv, base+"q_rate/lisa?level=bezirk&date=2024-12-31", &l)
		if m.N != 8 || m.Excluded != 1 || l.N != 8 || len(l.Excluded) != 1 || l.Excluded[0] != (excludedDoc{"05", "suppressed"}) || l.Permutations != 999 {
			t.Errorf("moran n %d excluded %d; lisa n %d excluded %v", m.N, m.Excluded, l.N, l.Excluded)
		}
		getJSON(t, srv, base+"q_rate/moran?level=bezirk&date=2023-12-31", &m)
		if m.N != 9 || m.Excluded != 0 || m.I <= 0 {
			t.Errorf("2023 (values rise row by row): %+v", m)
		}
		wantProblem(t, srv, base+"q_rate/moran?level=stadt", 400, "Moran's I of q_rate at stadt on 2024-12-31 cannot be computed: 1 units, need at least 4")
	})

	// No answer carries a number for the withheld district 05 on the
	// second date: every field of its entries is null, a status or a name.
	t.Run("withheld values stay without numbers", func(t *testing.T) {
		for _, target := range []string{
			base + "q_rate/ranking?level=bezirk&date=2024-12-31",
			base + "q_rate/compare?level=bezirk&date=2024-12-31&units=05,01",
			base + "q_rate/change?level=bezirk&from=2023-12-31&to=2024-12-31",
			base + "q_rate/lisa?level=bezirk&date=2024-12-31",
		} {
			var doc any
			getJSON(t, srv, target, &doc)
			found := 0
			walkUnit(doc, "05", func(obj map[string]any) {
				found++
				for k, v := range obj {
					if m, ok := v.(map[string]any); ok && k == "to" {
						v = m["value"] // the 2024 side of a change
					} else if ok {
						continue // the 2023 side
					}
					if _, isNum := v.(float64); isNum {
						t.Errorf("%s: 05 has %s = %v", target, k, v)
					}
				}
			})
			if found != 1 {
				t.Errorf("%s: district 05 appears %d times", target, found)
			}
		}
	})

	t.Run("hidden indicators do not exist", func(t *testing.T) {
		for _, id := range []string{"x_internal", "x_confidential"} {
			for _, path := range []string{
				"statistics?level=bezirk", "breaks?level=bezirk", "ranking?level=bezirk", "compare?level=bezirk&units=01,02",
				"change?level=bezirk&from=2023-12-31&to=2024-12-31", "moran?level=bezirk", "lisa?level=bezirk",
			} {
				wantProblem(t, srv, base+id+"/"+path, 404, `indicator "`+id+`" does not exist`)
			}
			wantProblem(t, srv, "/api/v1/levels/bezirk/units/01/series?indicators=q_rate,"+id, 404, `indicator "`+id+`" does not exist`)
		}
		if w := do(t, srv, "/api/v1/levels/bezirk/units/01/series"); strings.Contains(w.Body.String(), "x_") {
			t.Errorf("default series shows hidden indicators: %s", w.Body.String())
		}
	})
}

// walkUnit calls fn with every JSON object whose "code" is code.
func walkUnit(v any, code string, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if x["code"] == code {
			fn(x)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkUnit(x[k], code, fn)
		}
	case []any:
		for _, e := range x {
			walkUnit(e, code, fn)
		}
	}
}
