package api

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
)

// publishedValues reads an indicator's values at a level through the
// values answer: code → value, nil for a value that is not published.
func publishedValues(t *testing.T, srv http.Handler, token, id, level string) map[string]*float64 {
	t.Helper()
	w := request(t, srv, "GET", "/api/v1/indicators/"+id+"/values?level="+level, token, nil)
	var doc struct {
		Values []struct {
			Code  string   `json:"code"`
			Value *float64 `json:"value"`
		} `json:"values"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
		t.Fatalf("values of %s: %d %.200s", id, w.Code, w.Body.String())
	}
	out := map[string]*float64{}
	for _, v := range doc.Values {
		out[v.Code] = v.Value
	}
	return out
}

func gapOf(t *testing.T, srv http.Handler, token, query string) gapDoc {
	t.Helper()
	w := request(t, srv, "GET", "/api/v1/gaps"+query, token, nil)
	var doc gapDoc
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
		t.Fatalf("gaps%s: %d %.300s", query, w.Code, w.Body.String())
	}
	return doc
}

// TestGapsBerlin: the acceptance question "which Planungsräume have very
// low social status (MSS) and no youth centre within 500 m", answered by
// the catalog's first pair and checked against the two values answers.
func TestGapsBerlin(t *testing.T) {
	srv, _ := berlinServer(t)
	doc := gapOf(t, srv, "", "")
	if doc.Pair != "status-jugendfreizeit" || doc.Level != "planungsraum" || doc.Need.Indicator != "mss-status-index" ||
		doc.Need.End != "high" || doc.Need.Breaks != [2]float64{1, 1.5} || doc.Need.BreaksFrom != "catalog" ||
		doc.Supply.Indicator != "jugendfreizeit-abdeckung-500m" || doc.Supply.End != "high" || doc.Supply.Breaks != [2]float64{0, 50} {
		t.Errorf("the default pair: %+v / %+v", doc.Need, doc.Supply)
	}
	same := gapOf(t, srv, "", "?need=mss-status-index&supply=jugendfreizeit-abdeckung-500m&level=planungsraum&need_breaks=1,1.5&supply_breaks=0,50")
	if same.Need.BreaksFrom != "request" || !slices.Equal(codes(same.Gaps), codes(doc.Gaps)) {
		t.Errorf("the same question asked in full: %v, want %v", codes(same.Gaps), codes(doc.Gaps))
	}

	// By hand: status "sehr niedrig" (index above 1.5) and coverage 0,
	// by index, the highest first.
	mss := publishedValues(t, srv, "", "mss-status-index", "planungsraum")
	cov := publishedValues(t, srv, "", "jugendfreizeit-abdeckung-500m", "planungsraum")
	var want []string
	for code, v := range mss {
		if v != nil && *v > 1.5 && cov[code] != nil && *cov[code] == 0 {
			want = append(want, code)
		}
	}
	sort.Slice(want, func(i, j int) bool { return *mss[want[i]] > *mss[want[j]] })
	if got := codes(doc.Gaps); !slices.Equal(got, want) || len(want) < 5 {
		t.Errorf("gaps: %v, want %v", got, want)
	}
	for i, g := range doc.Gaps {
		if g.Rank != i+1 || g.Need != *mss[g.Code] || g.Supply != 0 || g.Name == "" {
			t.Errorf("gap %d: %+v", i, g)
		}
	}
	// Every area's class by hand; the legend counts them.
	counts := map[string]int{}
	for _, a := range doc.Areas {
		m, c := mss[a.Code], cov[a.Code]
		want := "no_data"
		if m != nil && c != nil {
			need := map[bool]string{true: "low", false: map[bool]string{true: "mid", false: "high"}[*m <= 1.5]}[*m <= 1]
			supply := map[bool]string{true: "low", false: map[bool]string{true: "mid", false: "high"}[*c <= 50]}[*c <= 0]
			want = need + "-" + supply
		}
		if a.Class != want {
			t.Errorf("%s (%v, %v): class %s, want %s", a.Code, deref(m), deref(c), a.Class, want)
		}
		counts[a.Class]++
	}
	sum := doc.Legend.NoData.Count + doc.Legend.Suppressed.Count
	for _, c := range doc.Legend.Classes {
		sum += c.Count
		if c.Count != counts[c.Key] {
			t.Errorf("legend %s: %d, want %d", c.Key, c.Count, counts[c.Key])
		}
	}
	if len(doc.Legend.Classes) != 9 || sum != len(doc.Areas) || len(doc.Areas) != 542 || doc.Legend.Suppressed.Count != 0 {
		t.Errorf("legend: %d classes, %d counted, %d areas", len(doc.Legend.Classes), sum, len(doc.Areas))
	}

	// Terciles by hand (position i/3 · (n − 1), linear interpolation)
	// when no cut-offs are given; Kita places are supply, higher better.
	doc = gapOf(t, srv, "", "?pair=status-kitaplaetze")
	places := publishedValues(t, srv, "", "kitaplaetze-je-1000-u6", "planungsraum")
	var xs []float64
	for _, v := range places {
		if v != nil {
			xs = append(xs, *v)
		}
	}
	sort.Float64s(xs)
	tercile := func(q float64) float64 {
		p := q * float64(len(xs)-1)
		i := int(p)
		return xs[i] + (p-float64(i))*(xs[i+1]-xs[i])
	}
	if doc.Supply.BreaksFrom != "terciles" || math.Abs(doc.Supply.Breaks[0]-tercile(1.0/3)) > 1e-9 || math.Abs(doc.Supply.Breaks[1]-tercile(2.0/3)) > 1e-9 ||
		doc.Supply.N != len(xs) {
		t.Errorf("terciles: %v from %s, want %v, %v", doc.Supply.Breaks, doc.Supply.BreaksFrom, tercile(1.0/3), tercile(2.0/3))
	}

	// Polarity: Kita places as the need side (higher is better) make the
	// low values the need, and the ranking follows them upwards.
	doc = gapOf(t, srv, "", "?need=kitaplaetze-je-1000-u6&supply=jugendfreizeit-abdeckung-500m&level=planungsraum&supply_breaks=0,50")
	if doc.Need.End != "low" || !strings.Contains(doc.Need.Reading, "high need is the low end") {
		t.Errorf("need where higher is better: end %s, %q", doc.Need.End, doc.Need.Reading)
	}
	for i := 1; i < len(doc.Gaps); i++ {
		if doc.Gaps[i].Need < doc.Gaps[i-1].Need {
			t.Errorf("gaps of a need where higher is better are not by ascending value: %v", doc.Gaps[i-1:i+1])
		}
	}
	for _, a := range doc.Areas {
		if a.Need.Value != nil && *a.Need.Value <= doc.Need.Breaks[0] && a.Supply.Value != nil && *a.Supply.Value > 50 && a.Class != "high-high" {
			t.Errorf("%s: few places (%v) and coverage %v: %s, want high-high", a.Code, *a.Need.Value, *a.Supply.Value, a.Class)
		}
	}
	// The distance to the next youth centre as supply: higher is worse.
	doc = gapOf(t, srv, "", "?pair=status-jugendfreizeit&supply=jugendfreizeit-distanz")
	if doc.Supply.End != "low" || doc.Supply.BreaksFrom != "terciles" {
		t.Errorf("distance as supply: %+v", doc.Supply)
	}

	for query, want := range map[string]string{
		"?need=mss-status-index":                                                "need and supply are missing",
		"?need=mss-status-index&supply=mss-status-index":                        "the same indicator",
		"?pair=status-jugendfreizeit&need_breaks=1":                             `need_breaks "1": want two numbers a,b with a < b`,
		"?pair=status-jugendfreizeit&supply_breaks=50,0":                        `supply_breaks "50,0"`,
		"?pair=status-jugendfreizeit&date=2019-01-01":                           "has no values at planungsraum on or before 2019-01-01",
		"?pair=status-jugendfreizeit&level=bezirk":                              `mss-status-index has no values at level "bezirk"`,
		"?need=mss-status-index&supply=kitas-abdeckung-500m&level=planungsraum": "terciles coincide",
		"?pair=nope": `gap pair "nope" is not in the catalog; pairs: status-jugendfreizeit, status-kitaplaetze`,
	} {
		w := do(t, srv, "/api/v1/gaps"+query)
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if (w.Code != 400 && w.Code != 404) || !strings.Contains(p.Detail, want) {
			t.Errorf("%s: %d %q, want %q", query, w.Code, p.Detail, want)
		}
	}
}

func codes(gs []gapRankDoc) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.Code)
	}
	return out
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestGapsVisibilityAndSuppression: an internal indicator is no need for
// an anonymous caller (404, as everywhere), and in the synthetic city,
// whose child poverty is withheld where counts are small, no withheld
// number enters the classes or the terciles.
func TestGapsVisibilityAndSuppression(t *testing.T) {
	srv, st := berlinServer(t)
	addInternal(t, st, "planungsraum")
	analyst := newToken(t, st, "planung", auth.Analyst)
	q := "?need=x_geheim&supply=jugendfreizeit-abdeckung-500m&level=planungsraum&supply_breaks=0,50"
	if w := do(t, srv, "/api/v1/gaps"+q); w.Code != 404 || strings.Contains(w.Body.String(), "Geheime") {
		t.Errorf("anonymous with an internal need: %d %s", w.Code, w.Body.String())
	}
	if doc := gapOf(t, srv, analyst, q); doc.Need.Indicator != "x_geheim" {
		t.Errorf("analyst: %+v", doc.Need)
	}

	ss, _ := synthServer(t)
	if doc := gapOf(t, ss, "", ""); doc.Pair != "kinderarmut-kitaplaetze" || doc.Level != "sozialraum" {
		t.Errorf("synthetic city's default: pair %s level %s", doc.Pair, doc.Level)
	}
	doc := gapOf(t, ss, "", "?level=baublock&supply_breaks=0,1000")
	if doc.Legend.Suppressed.Count == 0 {
		t.Fatalf("synthetic city's blocks: none withheld")
	}
	need := publishedValues(t, ss, "", "kinderarmut", "baublock")
	var xs []float64
	for _, a := range doc.Areas {
		switch {
		case a.Need.Status == string(atlas.Suppressed):
			if a.Class != "suppressed" || a.Need.Value != nil || need[a.Code] != nil {
				t.Errorf("%s withheld: %+v", a.Code, a)
			}
		case a.Need.Value != nil:
			if *a.Need.Value != *need[a.Code] {
				t.Errorf("%s: %v, the values answer %v", a.Code, *a.Need.Value, *need[a.Code])
			}
			xs = append(xs, *a.Need.Value)
		}
	}
	sort.Float64s(xs)
	p := float64(len(xs)-1) / 3
	i := int(p)
	if want := xs[i] + (p-float64(i))*(xs[i+1]-xs[i]); math.Abs(doc.Need.Breaks[0]-want) > 1e-9 || doc.Need.N != len(xs) {
		t.Errorf("terciles of the published values: %v, want %v from %d", doc.Need.Breaks, want, len(xs))
	}
	for _, g := range doc.Gaps {
		if need[g.Code] == nil {
			t.Errorf("a withheld area among the gaps: %+v", g)
		}
	}
	if _, err := st.Imports(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
}
