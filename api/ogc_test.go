package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// ogcFeatures is a feature page as the tests read it.
type ogcFeatures struct {
	Type     string `json:"type"`
	Features []struct {
		ID         string         `json:"id"`
		Properties map[string]any `json:"properties"`
		Geometry   struct {
			Type        string          `json:"type"`
			Coordinates json.RawMessage `json:"coordinates"`
		} `json:"geometry"`
	} `json:"features"`
	TimeStamp      string    `json:"timeStamp"`
	NumberMatched  int       `json:"numberMatched"`
	NumberReturned int       `json:"numberReturned"`
	Links          []ogcLink `json:"links"`
}

func (f *ogcFeatures) ids() []string {
	var out []string
	for _, ft := range f.Features {
		out = append(out, ft.ID)
	}
	return out
}

func (f *ogcFeatures) link(rel string) string {
	for _, l := range f.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

// ogcGet requests a feature page and fails unless it is GeoJSON.
func ogcGet(t *testing.T, srv *Server, target string) ogcFeatures {
	t.Helper()
	w := do(t, srv, target)
	var fc ogcFeatures
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/geo+json" || json.Unmarshal(w.Body.Bytes(), &fc) != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("%s: %d %s %.300s", target, w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	return fc
}

// ogcRelative turns an absolute link of a test request back into a target.
func ogcRelative(t *testing.T, href string) string {
	t.Helper()
	u, err := url.Parse(href)
	if err != nil || u.Scheme != "http" || u.Host != "example.com" {
		t.Fatalf("link %q: want an absolute URL on the request's host", href)
	}
	return u.RequestURI()
}

// ogcProblem asserts a problem+json answer with a status and detail.
func ogcProblem(t *testing.T, srv *Server, target string, status int, detail string) {
	t.Helper()
	w := do(t, srv, target)
	var p problem
	json.Unmarshal(w.Body.Bytes(), &p)
	if w.Code != status || p.Detail != detail || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("%s: got %d %q (%s), want %d %q", target, w.Code, p.Detail, w.Header().Get("Content-Type"), status, detail)
	}
}

func TestOGCBerlin(t *testing.T) {
	srv, st := berlinServer(t)
	ctx := context.Background()
	levels, err := st.Levels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := st.OfferLayers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prs, err := st.Units(ctx, "planungsraum", atlas.UnitQuery{})
	if err != nil || len(prs) != 542 {
		t.Fatalf("planungsraum units: %d, %v", len(prs), err)
	}

	t.Run("landing and conformance", func(t *testing.T) {
		var landing struct {
			Title string    `json:"title"`
			Links []ogcLink `json:"links"`
		}
		w := do(t, srv, "/ogc?f=json")
		if err := json.Unmarshal(w.Body.Bytes(), &landing); err != nil || w.Code != 200 {
			t.Fatalf("/ogc: %d %s", w.Code, w.Body.String())
		}
		rels := map[string]string{}
		for _, l := range landing.Links {
			rels[l.Rel+" "+l.Type] = l.Href
		}
		for _, want := range []string{
			"self application/json http://example.com/ogc",
			"service-desc application/vnd.oai.openapi;version=3.1 http://example.com/openapi.yaml",
			"service-desc application/yaml http://example.com/openapi.yaml",
			"conformance application/json http://example.com/ogc/conformance",
			"data application/json http://example.com/ogc/collections",
		} {
			f := strings.Fields(want)
			if rels[f[0]+" "+f[1]] != f[2] {
				t.Errorf("landing page: no link %s; links %+v", want, landing.Links)
			}
		}
		var conf struct {
			ConformsTo []string `json:"conformsTo"`
		}
		w = do(t, srv, "/ogc/conformance")
		json.Unmarshal(w.Body.Bytes(), &conf)
		if !slices.Contains(conf.ConformsTo, confCore) || !slices.Contains(conf.ConformsTo, confGeoJSON) || len(conf.ConformsTo) != 2 {
			t.Errorf("conformance: %s, want core and geojson only (the definition is OpenAPI 3.1, not 3.0)", w.Body.String())
		}
		if w := do(t, srv, "/openapi.yaml"); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("openapi: 3.1")) {
			t.Errorf("service-desc target: %d %.40s", w.Code, w.Body.String())
		}
	})

	t.Run("collections", func(t *testing.T) {
		var doc struct {
			Collections []collectionDoc `json:"collections"`
		}
		w := do(t, srv, "/ogc/collections")
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Code != 200 {
			t.Fatalf("collections: %d %s", w.Code, w.Body.String())
		}
		var want, got []string
		for _, l := range levels {
			want = append(want, l.ID)
		}
		for _, l := range layers {
			want = append(want, "offers-"+l.ID)
		}
		byID := map[string]collectionDoc{}
		for _, c := range doc.Collections {
			got = append(got, c.ID)
			byID[c.ID] = c
			if c.Extent == nil || c.Extent.Spatial.CRS != crs84 || !slices.Equal(c.CRS, []string{crs84}) || c.ItemType != "feature" {
				t.Errorf("collection %s: extent %+v, crs %v, itemType %q", c.ID, c.Extent, c.CRS, c.ItemType)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("collections %v, want %v", got, want)
		}
		// The extent is the union of the units' bounds.
		var b orb.Bound
		for i, u := range prs {
			if i == 0 {
				b = u.Geometry.Bound()
			}
			b = b.Union(u.Geometry.Bound())
		}
		pr := byID["planungsraum"]
		if pr.Title != "Planungsraum" || pr.Extent == nil || pr.Extent.Spatial.BBox[0] != [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
			t.Errorf("planungsraum: %+v, want extent %v", pr, b)
		}
		if b.Min[0] < 13 || b.Max[0] > 14 || b.Min[1] < 52 || b.Max[1] > 53 {
			t.Errorf("Berlin's extent %v is not in Berlin", b)
		}
		if !strings.HasSuffix(pr.Links[1].Href, "/ogc/collections/planungsraum/items") || pr.Links[1].Rel != "items" {
			t.Errorf("planungsraum links: %+v", pr.Links)
		}
		w = do(t, srv, "/ogc/collections/offers-kitas")
		var one collectionDoc
		if json.Unmarshal(w.Body.Bytes(), &one); w.Code != 200 || one.ID != "offers-kitas" || one.Title != "Kindertagesstätten" ||
			!strings.Contains(one.Description, "Geoportal Berlin / Kindertagesstätten") {
			t.Errorf("offers-kitas: %d %s", w.Code, w.Body.String())
		}
	})

	t.Run("paging", func(t *testing.T) {
		fc := ogcGet(t, srv, "/ogc/collections/planungsraum/items")
		if fc.NumberReturned != 10 || len(fc.Features) != 10 || fc.NumberMatched != 542 || fc.link("prev") != "" || fc.TimeStamp == "" {
			t.Errorf("default page: returned %d matched %d links %+v", fc.NumberReturned, fc.NumberMatched, fc.Links)
		}
		if got := fc.link("self"); got != "http://example.com/ogc/collections/planungsraum/items" {
			t.Errorf("self link %q", got)
		}
		// Following next from the first page visits every unit once, in code order.
		var seen []string
		target, pages := "/ogc/collections/planungsraum/items?limit=100", 0
		for target != "" {
			fc := ogcGet(t, srv, target)
			if fc.NumberMatched != 542 || fc.NumberReturned != len(fc.Features) {
				t.Fatalf("%s: matched %d returned %d of %d", target, fc.NumberMatched, fc.NumberReturned, len(fc.Features))
			}
			if pages > 0 && fc.link("prev") == "" {
				t.Errorf("%s: no prev link", target)
			}
			seen = append(seen, fc.ids()...)
			target = ""
			if next := fc.link("next"); next != "" {
				target = ogcRelative(t, next)
			}
			pages++
		}
		var codes []string
		for _, u := range prs {
			codes = append(codes, u.Code)
		}
		if pages != 6 || !slices.Equal(seen, codes) {
			t.Errorf("%d pages with %d features, want 6 pages with the 542 codes in order", pages, len(seen))
		}
		last := ogcGet(t, srv, "/ogc/collections/planungsraum/items?limit=100&offset=500")
		if last.NumberReturned != 42 || last.link("next") != "" || ogcRelative(t, last.link("prev")) != "/ogc/collections/planungsraum/items?limit=100&offset=400" {
			t.Errorf("last page: returned %d, links %+v", last.NumberReturned, last.Links)
		}
		beyond := ogcGet(t, srv, "/ogc/collections/planungsraum/items?offset=600")
		if beyond.NumberReturned != 0 || beyond.NumberMatched != 542 || beyond.link("next") != "" {
			t.Errorf("beyond the end: returned %d matched %d", beyond.NumberReturned, beyond.NumberMatched)
		}
	})

	t.Run("bbox", func(t *testing.T) {
		box := orb.Bound{Min: orb.Point{13.35, 52.5}, Max: orb.Point{13.42, 52.53}}
		var want []string
		for _, u := range prs {
			if u.Geometry.Bound().Intersects(box) {
				want = append(want, u.Code)
			}
		}
		fc := ogcGet(t, srv, "/ogc/collections/planungsraum/items?limit=10000&bbox=13.35,52.5,13.42,52.53")
		if len(want) < 5 || len(want) > 100 || fc.NumberMatched != len(want) || !slices.Equal(fc.ids(), want) {
			t.Errorf("bbox: matched %d, ids %v, want %v", fc.NumberMatched, fc.ids(), want)
		}
		page := ogcGet(t, srv, "/ogc/collections/planungsraum/items?limit=2&bbox=13.35,52.5,13.42,52.53")
		if page.NumberMatched != len(want) || !slices.Equal(page.ids(), want[:2]) || !strings.Contains(page.link("next"), "bbox=13.35%2C52.5%2C13.42%2C52.53") {
			t.Errorf("bbox page: matched %d, ids %v, next %q", page.NumberMatched, page.ids(), page.link("next"))
		}
		offers, _ := st.Offers(ctx, "kitas", atlas.OfferQuery{})
		var kitas []string
		for _, o := range offers {
			if box.Contains(o.Geometry) {
				kitas = append(kitas, o.ID)
			}
		}
		fc = ogcGet(t, srv, "/ogc/collections/offers-kitas/items?limit=10000&bbox=13.35,52.5,13.42,52.53")
		if len(kitas) == 0 || fc.NumberMatched != len(kitas) || !slices.Equal(fc.ids(), kitas) {
			t.Errorf("kitas in bbox: matched %d, want %d", fc.NumberMatched, len(kitas))
		}
	})

	t.Run("datetime", func(t *testing.T) {
		// The LOR 2021 units are valid from 2021-01-01 on.
		for q, want := range map[string]int{"2022-06-30": 542, "2020-06-30": 0, "2021-01-01/..": 542, "../2020-12-31": 0,
			"2020-12-31T23:00:00Z/2021-01-01T00:00:00Z": 542, "/2020-12-31": 0} {
			fc := ogcGet(t, srv, "/ogc/collections/planungsraum/items?limit=1&datetime="+url.QueryEscape(q))
			if fc.NumberMatched != want {
				t.Errorf("datetime=%s: matched %d, want %d", q, fc.NumberMatched, want)
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		items := "/ogc/collections/planungsraum/items"
		ogcProblem(t, srv, "/ogc/collections/nope", 404, `collection "nope" does not exist; /ogc/collections lists them`)
		ogcProblem(t, srv, "/ogc/collections/nope/items", 404, `collection "nope" does not exist; /ogc/collections lists them`)
		ogcProblem(t, srv, "/ogc/collections/offers-nope/items/1", 404, `collection "offers-nope" does not exist; /ogc/collections lists them`)
		ogcProblem(t, srv, items+"?limit=0", 400, `limit "0": want a whole number from 1 to 10000`)
		ogcProblem(t, srv, items+"?limit=10001", 400, `limit "10001": want a whole number from 1 to 10000`)
		ogcProblem(t, srv, items+"?offset=-5", 400, `offset "-5": want a whole number, 0 or more`)
		ogcProblem(t, srv, items+"?bbox=13.4,52.5,13.3,52.6", 400, `bbox "13.4,52.5,13.3,52.6": want minLon,minLat,maxLon,maxLat within -180..180 and -90..90`)
		ogcProblem(t, srv, items+"?bbox=13.4,52.5", 400, `bbox "13.4,52.5": want minLon,minLat,maxLon,maxLat`)
		ogcProblem(t, srv, items+"?f=html", 400, `f "html": want json (the only format served)`)
		ogcProblem(t, srv, "/ogc?f=xml", 400, `f "xml": want json (the only format served)`)
		ogcProblem(t, srv, items+"?limit=5&limit=6", 400, `query parameter "limit" is given twice with different values ("5", "6"); give it once`)
		ogcProblem(t, srv, "/ogc/collections?sort=name", 400, `query parameter "sort" is not known here; known: f, indicators, date`)
		ogcProblem(t, srv, items+"?datetime=2021-13-01", 400, `datetime "2021-13-01": want a date or RFC 3339 date-time, or an interval start/end with .. for an open end`)
		ogcProblem(t, srv, items+"?datetime=2022-01-01/2021-01-01", 400, `datetime "2022-01-01/2021-01-01": the interval ends before it starts`)
		ogcProblem(t, srv, items+"/nope", 404, `feature "nope" does not exist in collection "planungsraum"`)
		ogcProblem(t, srv, "/ogc/collections/offers-kitas/items/nope", 404, `feature "nope" does not exist in collection "offers-kitas"`)
		// Repeating a parameter with the same value is what GDAL does with forwarded queries.
		if fc := ogcGet(t, srv, items+"?limit=3&limit=3"); fc.NumberReturned != 3 {
			t.Errorf("repeated limit=3: returned %d", fc.NumberReturned)
		}
	})

	t.Run("single features", func(t *testing.T) {
		u := prs[0]
		w := do(t, srv, "/ogc/collections/planungsraum/items/"+u.Code+"?f=json")
		var f struct {
			Type       string         `json:"type"`
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
			Links      []ogcLink      `json:"links"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &f); err != nil || w.Code != 200 || w.Header().Get("Content-Type") != "application/geo+json" {
			t.Fatalf("unit %s: %d %s", u.Code, w.Code, w.Body.String())
		}
		if f.Type != "Feature" || f.ID != u.Code || f.Properties["name"] != u.Name || f.Properties["parent"] != u.Parent ||
			f.Properties["level"] != "planungsraum" || f.Properties["valid_from"] != "2021-01-01" || f.Properties["valid_to"] != nil ||
			len(f.Links) != 2 || f.Links[0].Href != "http://example.com/ogc/collections/planungsraum/items/"+u.Code {
			t.Errorf("unit %s: %s", u.Code, w.Body.String())
		}
		offers, _ := st.Offers(ctx, "kitas", atlas.OfferQuery{})
		var of atlas.Offer
		for _, o := range offers {
			if o.Capacity != nil && o.Provider != "" {
				of = o
				break
			}
		}
		w = do(t, srv, "/ogc/collections/offers-kitas/items/"+url.PathEscape(of.ID))
		var g struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string     `json:"type"`
				Coordinates [2]float64 `json:"coordinates"`
			} `json:"geometry"`
		}
		json.Unmarshal(w.Body.Bytes(), &g)
		if w.Code != 200 || g.ID != of.ID || g.Properties["name"] != of.Name || g.Properties["capacity"] != float64(*of.Capacity) ||
			g.Properties["provider"] != of.Provider || g.Geometry.Type != "Point" || g.Geometry.Coordinates != [2]float64(of.Geometry) {
			t.Errorf("kita %s: %d %s", of.ID, w.Code, w.Body.String())
		}
		if tg := g.Properties["target_groups"]; (len(of.TargetGroups) == 0 && tg != nil) || (len(of.TargetGroups) > 0 && tg != strings.Join(of.TargetGroups, ",")) {
			t.Errorf("kita %s: target_groups %v, stored %v", of.ID, tg, of.TargetGroups)
		}
	})

	t.Run("indicators", func(t *testing.T) {
		stored := ogcStored(t, st, "anteil-unter6", "planungsraum")
		fc := ogcGet(t, srv, "/ogc/collections/planungsraum/items?limit=10000&indicators=anteil-unter6,mss-status-index")
		if fc.NumberReturned != 542 {
			t.Fatalf("returned %d", fc.NumberReturned)
		}
		statuses := map[string]int{}
		for _, f := range fc.Features {
			v, s := stored[f.ID], f.Properties["anteil-unter6_status"]
			statuses[fmt.Sprint(s)]++
			if s != string(v.Status) {
				t.Errorf("%s: status %v, stored %s", f.ID, s, v.Status)
			}
			got, isNumber := f.Properties["anteil-unter6"].(float64)
			if v.Status == atlas.OK && (!isNumber || got != v.Value) || v.Status != atlas.OK && f.Properties["anteil-unter6"] != nil {
				t.Errorf("%s: value %v, stored %+v", f.ID, f.Properties["anteil-unter6"], v)
			}
			if _, ok := f.Properties["mss-status-index_status"]; !ok {
				t.Errorf("%s: no mss-status-index_status", f.ID)
			}
		}
		if statuses["ok"] < 500 || statuses["missing"] == 0 {
			t.Errorf("statuses %v: want both ok and missing units to be checked", statuses)
		}
		// An explicit date, and the single feature carries the same.
		u := fc.Features[0]
		w := do(t, srv, "/ogc/collections/planungsraum/items/"+u.ID+"?indicators=anteil-unter6&date=2022-06-30")
		if !strings.Contains(w.Body.String(), fmt.Sprintf(`"anteil-unter6":%s,"anteil-unter6_status":"ok"`, strconv.FormatFloat(u.Properties["anteil-unter6"].(float64), 'g', -1, 64))) {
			t.Errorf("single feature with indicator: %s", w.Body.String())
		}
		items := "/ogc/collections/planungsraum/items"
		ogcProblem(t, srv, items+"?indicators=nope", 404, `indicator "nope" does not exist`)
		ogcProblem(t, srv, items+"?indicators=anteil-unter6&date=2021-06-30", 404, `indicator anteil-unter6 has no values at planungsraum on 2021-06-30; dates: 2022-06-30`)
		ogcProblem(t, srv, items+"?indicators=anteil-unter6&date=30.06.2022", 400, `date "30.06.2022": want YYYY-MM-DD`)
		ogcProblem(t, srv, "/ogc/collections/bezirk/items?indicators=mss-status-index", 404, `indicator mss-status-index has no values at level "bezirk"; it has at planungsraum`)
		ogcProblem(t, srv, items+"?indicators=anteil-unter6,anteil-unter6", 400, `indicators: anteil-unter6 would repeat the property "anteil-unter6"; name each indicator once`)
		ogcProblem(t, srv, items+"?indicators=name", 400, `indicators: name would repeat the property "name"; name each indicator once`)
		ogcProblem(t, srv, items+"?indicators=a,,b", 400, `indicators: "" is not an indicator id; want ids separated by commas`)
		ogcProblem(t, srv, items+"?indicators="+strings.Repeat("a,", 20)+"a", 400, `indicators: 21 named, at most 20 per request`)
		// Offer layers have no indicator values: the parameter is left to levels.
		if fc := ogcGet(t, srv, "/ogc/collections/offers-kitas/items?indicators=anteil-unter6"); fc.NumberReturned != 10 {
			t.Errorf("kitas with indicators: %d", fc.NumberReturned)
		}
	})

	t.Run("gdal", func(t *testing.T) { testOGCWithGDAL(t, srv, st, levels, layers) })
}

func ogcStored(t *testing.T, st atlas.Store, id, level string) map[string]atlas.Value {
	t.Helper()
	vs, err := st.Values(context.Background(), atlas.ValueQuery{Indicator: id, Level: level})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]atlas.Value{}
	for _, v := range vs {
		out[v.Unit] = v
	}
	return out
}

// testOGCWithGDAL reads the collections with GDAL's OAPIF driver, the
// reference client, from a real listener.
func testOGCWithGDAL(t *testing.T, srv *Server, st atlas.Store, levels []atlas.Level, layers []atlas.OfferLayer) {
	if _, err := exec.LookPath("ogrinfo"); err != nil {
		t.Fatal("ogrinfo (GDAL) is not installed: `make test` installs gdal-bin (scripts/deps), or apt-get install gdal-bin")
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ogrinfo := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		cmd := exec.Command("ogrinfo", append([]string{"-ro"}, args...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil || stderr.Len() > 0 {
			t.Fatalf("ogrinfo %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.String()
	}

	// Every collection is a layer, with the store's count (numberMatched).
	out := ogrinfo("-so", "-al", "OAPIF:"+hs.URL+"/ogc")
	counts := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^Layer name: (\S+)\n(?:.*\n)*?Feature Count: (\d+)$`).FindAllStringSubmatch(out, -1) {
		counts[m[1]], _ = strconv.Atoi(m[2])
	}
	want := map[string]int{}
	for _, l := range levels {
		want[l.ID] = l.Units
	}
	for _, l := range layers {
		want["offers-"+l.ID] = l.Offers
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) || want["planungsraum"] != 542 || want["offers-kitas"] == 0 {
		t.Errorf("GDAL layers and counts %v, want %v", counts, want)
	}
	if !strings.Contains(out, "Layer name: planungsraum\n") || !strings.Contains(out, "Geometry: Multi Polygon") || !strings.Contains(out, "Geometry: Point") {
		t.Errorf("GDAL summary:\n%.2000s", out)
	}

	// Every unit with the indicator's value, read in pages of 100.
	out = ogrinfo("-q", "-geom=NO", "-oo", "PAGE_SIZE=100", "OAPIF:"+hs.URL+"/ogc?indicators=anteil-unter6", "planungsraum")
	stored := ogcStored(t, st, "anteil-unter6", "planungsraum")
	features := strings.Split(out, "OGRFeature(planungsraum):")[1:]
	if len(features) != 542 {
		t.Fatalf("GDAL read %d Planungsräume, want 542", len(features))
	}
	field := func(f, name string) string {
		m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + ` \(\w+\) = (.*)$`).FindStringSubmatch(f)
		if m == nil {
			return "<absent>"
		}
		return m[1]
	}
	checked := map[atlas.Status]int{}
	for _, f := range features {
		code := field(f, "code")
		v, found := stored[code]
		if !found {
			t.Fatalf("GDAL feature with code %q, not stored:\n%s", code, f)
		}
		got := field(f, "anteil-unter6")
		if field(f, "anteil-unter6_status") != string(v.Status) {
			t.Errorf("%s: GDAL status %q, stored %s", code, field(f, "anteil-unter6_status"), v.Status)
		}
		if v.Status != atlas.OK {
			if got != "(null)" {
				t.Errorf("%s: GDAL value %q for a %s value, want (null)", code, got, v.Status)
			}
		} else if x, err := strconv.ParseFloat(got, 64); err != nil || math.Abs(x-v.Value) > 1e-12*math.Max(1, math.Abs(v.Value)) {
			t.Errorf("%s: GDAL value %q, stored %v", code, got, v.Value)
		}
		checked[v.Status]++
	}
	if !strings.Contains(out, "anteil-unter6 (Real) = ") || checked[atlas.OK] == 0 || checked[atlas.Missing] == 0 {
		t.Errorf("GDAL checked %v; the indicator must come through as a Real", checked)
	}
}

// TestOGCDisclosure: an indicator the caller may not see does not exist
// for /ogc either, and a suppressed or absent value is null.
func TestOGCDisclosure(t *testing.T) {
	srv, store := newServer(t)
	b := &atlas.Batch{
		Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk"}},
		Units: []atlas.Unit{{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: orbSquare(13.1)},
			{Level: "bezirk", Code: "02", Name: "Nord", Geometry: orbSquare(13.3)},
			{Level: "bezirk", Code: "03", Name: "Ost", Geometry: orbSquare(13.5)}},
	}
	for _, vis := range []atlas.Visibility{atlas.Public, atlas.Internal, atlas.Confidential} {
		id := "x_" + string(vis)
		b.Indicators = append(b.Indicators, atlas.Indicator{ID: id, Name: id, Unit: "Personen", Polarity: atlas.Neutral, Visibility: vis})
		b.Values = append(b.Values,
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "01", Date: 20241231, Value: 2.5, Status: atlas.OK},
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "02", Date: 20241231, Status: atlas.Suppressed})
	}
	if _, err := store.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"x_internal", "x_confidential"} {
		for _, target := range []string{"/ogc/collections/bezirk/items?indicators=" + id, "/ogc/collections/bezirk/items?indicators=x_public," + id,
			"/ogc/collections/bezirk/items/01?indicators=" + id} {
			ogcProblem(t, srv, target, 404, `indicator "`+id+`" does not exist`)
		}
	}
	fc := ogcGet(t, srv, "/ogc/collections/bezirk/items?indicators=x_public")
	got := map[string]string{}
	for _, f := range fc.Features {
		got[f.ID] = fmt.Sprintf("%v %v", f.Properties["x_public"], f.Properties["x_public_status"])
	}
	want := map[string]string{"01": "2.5 ok", "02": "<nil> suppressed", "03": "<nil> missing"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("x_public: %v, want %v", got, want)
	}
	w := do(t, srv, "/ogc/collections/bezirk/items/02?indicators=x_public")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"x_public":null,"x_public_status":"suppressed"`) {
		t.Errorf("suppressed single feature: %d %s", w.Code, w.Body.String())
	}
	// Without indicators, the unit's own properties only.
	w = do(t, srv, "/ogc/collections/bezirk/items/03")
	if !strings.Contains(w.Body.String(), `"properties":{"code":"03","name":"Ost","parent":null,"level":"bezirk","valid_from":null,"valid_to":null}`) {
		t.Errorf("plain feature: %s", w.Body.String())
	}
}
