package api

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image"
	"image/png"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/auth"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
	"github.com/sozialatlas/sozialatlas/pkg/gap"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/gpkg"
	"github.com/sozialatlas/sozialatlas/pkg/render"
)

// getOK requests target (with a token, when given) and fails unless the
// answer is 200.
func getOK(t *testing.T, h http.Handler, target, token string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	w := request(t, h, http.MethodGet, target, token, nil, header...)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", target, w.Code, w.Body.String())
	}
	return w
}

// breaksOf is the breaks answer for the same classification parameters.
func breaksOf(t *testing.T, srv http.Handler, id, level, query string) classify.Legend {
	t.Helper()
	var doc struct {
		Classification *classify.Legend `json:"classification"`
	}
	w := getOK(t, srv, "/api/v1/indicators/"+id+"/breaks?level="+level+"&"+query, "")
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc.Classification == nil {
		t.Fatalf("breaks of %s: %v %s", id, err, w.Body.String())
	}
	return *doc.Classification
}

// mapValues is the values answer: each unit's status and class label.
type valuesAnswer struct {
	Classification *classify.Legend `json:"classification"`
	Values         []struct {
		Code   string   `json:"code"`
		Value  *float64 `json:"value"`
		Status string   `json:"status"`
		Class  *string  `json:"class"`
	} `json:"values"`
}

func mapValues(t *testing.T, srv http.Handler, id, level, query string) valuesAnswer {
	t.Helper()
	var doc valuesAnswer
	w := getOK(t, srv, "/api/v1/indicators/"+id+"/values?level="+level+"&"+query, "")
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// classColour is the colour of a unit's class as the values answer says.
func (v valuesAnswer) classColour(t *testing.T, label string) render.Color {
	t.Helper()
	for i, l := range v.Classification.Labels {
		if l == label {
			c, err := render.ParseHex(v.Classification.Colors[i])
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("class %q is not in the legend %v", label, v.Classification.Labels)
	return render.Color{}
}

// svgElement is an element of the map's SVG with its attributes.
type svgElement struct {
	name  string
	attrs map[string]string
	group string // id of the innermost group with an id
	title string
}

// svgElements parses an SVG (failing when it is not XML) into its
// elements.
func svgElements(t *testing.T, b []byte) []svgElement {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var out []svgElement
	var groups []string
	inTitle := -1
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG does not parse: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := svgElement{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(groups) > 0 {
				e.group = groups[len(groups)-1]
			}
			if e.name == "g" {
				id := e.attrs["id"]
				if id == "" && len(groups) > 0 {
					id = groups[len(groups)-1]
				}
				groups = append(groups, id)
			}
			if e.name == "title" && len(out) > 0 {
				inTitle = len(out) - 1
			}
			out = append(out, e)
		case xml.CharData:
			if inTitle >= 0 {
				out[inTitle].title += string(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "g" {
				groups = groups[:len(groups)-1]
			}
			if tok.Name.Local == "title" {
				inTitle = -1
			}
		}
	}
	return out
}

// TestMapSVGLegendIsTheAPIsClassification: the SVG parses, its legend
// lists exactly the breaks, counts and colours of the breaks answer for
// the same parameters, and every area has the colour of the class the
// values answer gives its unit.
func TestMapSVGLegendIsTheAPIsClassification(t *testing.T) {
	srv, _ := berlinServer(t)
	for _, tc := range []struct{ id, query string }{
		{"mss-status-index", ""},
		{"mss_s4", "method=quantile&k=7&scheme=Blues"},
		{"mss_s1", "method=jenks&k=4"},
		{"mss-status-index", "method=equal_interval&k=6&lang=en&labels=true"},
	} {
		t.Run(tc.id+"?"+tc.query, func(t *testing.T) {
			want := breaksOf(t, srv, tc.id, "planungsraum", tc.query)
			vals := mapValues(t, srv, tc.id, "planungsraum", tc.query)
			w := getOK(t, srv, "/maps/planungsraum/"+tc.id+".svg?"+tc.query, "")
			if ct := w.Header().Get(echo.HeaderContentType); ct != "image/svg+xml" {
				t.Errorf("content type %q", ct)
			}
			var swatches []svgElement
			areas := map[string]svgElement{}
			for _, e := range svgElements(t, w.Body.Bytes()) {
				if e.group == "legend" && e.attrs["data-class"] != "" {
					swatches = append(swatches, e)
				}
				if e.group == "areas" && e.name == "path" {
					areas[e.attrs["data-code"]] = e
				}
			}
			if len(swatches) != len(want.Breaks) {
				t.Fatalf("legend has %d classes, the breaks answer %d", len(swatches), len(want.Breaks))
			}
			for i, sw := range swatches {
				upper, err := strconv.ParseFloat(sw.attrs["data-upper"], 64)
				if err != nil || upper != want.Breaks[i] {
					t.Errorf("class %d: upper bound %s, want %v", i, sw.attrs["data-upper"], want.Breaks[i])
				}
				if c, _ := strconv.Atoi(sw.attrs["data-count"]); c != want.Counts[i] {
					t.Errorf("class %d: count %s, want %d", i, sw.attrs["data-count"], want.Counts[i])
				}
				if sw.attrs["fill"] != want.Colors[i] || sw.attrs["data-label"] != want.Labels[i] {
					t.Errorf("class %d: fill %s label %s, want %s %s", i, sw.attrs["fill"], sw.attrs["data-label"], want.Colors[i], want.Labels[i])
				}
			}
			if lo, _ := strconv.ParseFloat(swatches[0].attrs["data-lower"], 64); lo != want.Min {
				t.Errorf("lowest bound %v, want the minimum %v", lo, want.Min)
			}
			if len(areas) != 542 {
				t.Errorf("%d areas, want 542 Planungsräume", len(areas))
			}
			for _, v := range vals.Values {
				a, found := areas[v.Code]
				if !found {
					t.Errorf("unit %s is not on the map", v.Code)
					continue
				}
				switch {
				case v.Class != nil:
					if a.attrs["fill"] != vals.classColour(t, *v.Class).Hex() {
						t.Errorf("unit %s: fill %s, want the colour of class %s", v.Code, a.attrs["fill"], *v.Class)
					}
				case a.attrs["fill"] != render.NoDataColor.Hex() || a.attrs["data-status"] != "missing":
					t.Errorf("unit %s without a value: fill %s status %s", v.Code, a.attrs["fill"], a.attrs["data-status"])
				}
			}
		})
	}
}

// mapLayout lays out a map as the handler does, for the positions of its
// areas and legend on the page.
func mapLayout(t *testing.T, srv *Server, level, file, query string) (*render.Layout, render.Map) {
	t.Helper()
	c, _ := mapContext(srv, level, file, query)
	id, format, err := splitExt(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := srv.mapViewOf(c, level, id)
	if err != nil {
		t.Fatal(err)
	}
	p, err := parseMapParams(c, format)
	if err != nil {
		t.Fatal(err)
	}
	m, err := srv.mapOf(context.Background(), v, p)
	if err != nil {
		t.Fatal(err)
	}
	_, lay, err := render.BuildMap(m)
	if err != nil {
		t.Fatal(err)
	}
	return lay, m
}

// interiorPixel is the pixel of a unit's interior point (pkg/geo) on the
// page at dpi, and whether it lies at least margin pixels from the
// unit's rings and outside the overlays (scale bar, north arrow), so
// that its colour is the area's fill alone.
func interiorPixel(lay *render.Layout, mp orb.MultiPolygon, dpi, margin float64) (image.Point, bool) {
	k := dpi / 72
	ip := geo.InteriorPoint(mp)
	p := lay.Project(ip)
	px, py := p.X*k, p.Y*k
	for _, o := range lay.Overlays {
		if p.X >= o[0]-2 && p.X <= o[2]+2 && p.Y >= o[1]-2 && p.Y <= o[3]+2 {
			return image.Point{}, false
		}
	}
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				a, b := lay.Project(ring[i-1]), lay.Project(ring[i])
				if segDist(px, py, a.X*k, a.Y*k, b.X*k, b.Y*k) < margin {
					return image.Point{}, false
				}
			}
		}
	}
	return image.Pt(int(math.Floor(px)), int(math.Floor(py))), true
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l := dx*dx + dy*dy
	u := 0.0
	if l > 0 {
		u = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l))
	}
	return math.Hypot(px-ax-u*dx, py-ay-u*dy)
}

func decodePNG(t *testing.T, b []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	rgba := image.NewRGBA(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			rgba.Set(x, y, img.At(x, y))
		}
	}
	return rgba
}

func colourAt(img *image.RGBA, p image.Point) render.Color {
	c := img.RGBAAt(p.X, p.Y)
	return render.Color{R: c.R, G: c.G, B: c.B}
}

// TestMapPNGInteriorColours: the PNG decodes at the size its dpi gives,
// and at each unit's interior point it has exactly the colour of the
// unit's class in the values answer (the no-data grey for a unit without
// a value).
func TestMapPNGInteriorColours(t *testing.T) {
	srv, _ := berlinServer(t)
	for _, tc := range []struct{ id, query string }{
		{"mss-status-index", "dpi=150"},
		{"mss_s3", "dpi=120&method=quantile&k=6&scheme=PuBuGn"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			vals := mapValues(t, srv, tc.id, "planungsraum", tc.query)
			w := getOK(t, srv, "/maps/planungsraum/"+tc.id+".png?"+tc.query, "")
			img := decodePNG(t, w.Body.Bytes())
			dpi, _ := strconv.ParseFloat(strings.TrimPrefix(strings.Split(tc.query, "&")[0], "dpi="), 64)
			if want := int(math.Round(297 / 25.4 * dpi)); img.Bounds().Dy() != want {
				t.Errorf("height %d px, want %d (A4 at %v dpi)", img.Bounds().Dy(), want, dpi)
			}
			lay, m := mapLayout(t, srv, "planungsraum", tc.id+".png", tc.query)
			geom := map[string]orb.MultiPolygon{}
			for _, a := range m.Areas {
				geom[a.Code] = a.Geometry
			}
			checked := 0
			for _, v := range vals.Values {
				px, ok := interiorPixel(lay, geom[v.Code], dpi, 2.5)
				if !ok {
					continue
				}
				checked++
				want := render.NoDataColor
				if v.Class != nil {
					want = vals.classColour(t, *v.Class)
				}
				if got := colourAt(img, px); got != want {
					t.Errorf("unit %s (class %v) at %v: %s, want %s", v.Code, v.Class, px, got.Hex(), want.Hex())
				}
			}
			if checked < len(vals.Values)*2/3 {
				t.Errorf("only %d of %d units have an interior pixel clear of borders; the check checks too little", checked, len(vals.Values))
			}
			t.Logf("%d of %d units checked", checked, len(vals.Values))
		})
	}
}

// requireTool fails the test when a program it needs is missing: make
// test installs poppler-utils and gdal-bin.
func requireTool(t *testing.T, name, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed; make test installs it (scripts/deps), or apt-get install %s", name, pkg)
	}
}

// TestMapPDFRendersLegend: poppler renders the PDF, its raster shows each
// legend swatch in its class colour where the layout put it and the map's
// areas in theirs, and its text is the title and the legend's labels.
func TestMapPDFRendersLegend(t *testing.T) {
	requireTool(t, "pdftoppm", "poppler-utils")
	requireTool(t, "pdftotext", "poppler-utils")
	srv, _ := berlinServer(t)
	const query = "method=quantile&k=5&scheme=YlGnBu"
	want := breaksOf(t, srv, "mss_s1", "planungsraum", query)
	w := getOK(t, srv, "/maps/planungsraum/mss_s1.pdf?"+query, "")
	if ct := w.Header().Get(echo.HeaderContentType); ct != "application/pdf" {
		t.Errorf("content type %q", ct)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "map.pdf")
	if err := os.WriteFile(pdf, w.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	const dpi = 72
	if out, err := exec.Command("pdftoppm", "-r", strconv.Itoa(dpi), "-png", "-singlefile", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	raster, err := os.ReadFile(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	img := decodePNG(t, raster)
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); (w != 595 && w != 596) || (h != 842 && h != 843) {
		t.Errorf("page is %v pixels at 72 dpi, want A4 (595×842)", img.Bounds().Size())
	}
	lay, m := mapLayout(t, srv, "planungsraum", "mss_s1.pdf", query)
	if len(lay.Swatches) != len(want.Colors) {
		t.Fatalf("%d swatches, %d classes", len(lay.Swatches), len(want.Colors))
	}
	for i, sw := range lay.Swatches {
		p := image.Pt(int(sw[0]+sw[2]/2), int(sw[1]+sw[3]/2))
		if got := colourAt(img, p); got.Hex() != want.Colors[i] {
			t.Errorf("legend swatch %d at %v: %s, want %s", i, p, got.Hex(), want.Colors[i])
		}
	}
	vals := mapValues(t, srv, "mss_s1", "planungsraum", query)
	geom := map[string]orb.MultiPolygon{}
	for _, a := range m.Areas {
		geom[a.Code] = a.Geometry
	}
	checked := 0
	for _, v := range vals.Values {
		px, ok := interiorPixel(lay, geom[v.Code], dpi, 2)
		if !ok || v.Class == nil {
			continue
		}
		checked++
		if got, want := colourAt(img, px), vals.classColour(t, *v.Class); got != want {
			t.Errorf("unit %s at %v: %s, want %s", v.Code, px, got.Hex(), want.Hex())
		}
	}
	if checked < 100 {
		t.Errorf("only %d units checked in the PDF's raster", checked)
	}
	out, err := exec.Command("pdftotext", pdf, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	for _, s := range []string{"Arbeitslosigkeit", "Planungsraum", "Stand 31.12.2020", "Quantile", "keine Daten", "Lizenz", "km"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF's text lacks %q:\n%s", s, text)
		}
	}
}

// TestMapsAndFilesDeterministic: the same request on the same data gives
// the same bytes, also from another server with an empty cache; the ETag
// is strong and If-None-Match answers 304.
func TestMapsAndFilesDeterministic(t *testing.T) {
	srv1, st := berlinServer(t)
	srv2 := New(st, Config{OpenAPI: sozialatlas.OpenAPI, Catalog: srv1.catalog})
	for _, target := range []string{
		"/maps/planungsraum/mss-status-index.svg?labels=true&offers=kitas",
		"/maps/planungsraum/mss-status-index.png?dpi=96&labels=true",
		"/maps/planungsraum/mss_s4.pdf?lang=en&title=Kinderarmut%20%E2%80%93%20Bericht",
		"/reports/planungsraum/mss-status-index",
		"/api/v1/indicators/mss-status-index/values?level=planungsraum&format=gpkg",
		"/api/v1/indicators/mss-status-index/values?level=planungsraum&format=geojson",
	} {
		a, b := getOK(t, srv1, target, ""), getOK(t, srv2, target, "")
		if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
			t.Errorf("%s: two servers answer different bytes (%d, %d)", target, a.Body.Len(), b.Body.Len())
		}
		etag := a.Header().Get("ETag")
		if etag == "" || etag != b.Header().Get("ETag") {
			t.Errorf("%s: ETags %q and %q", target, etag, b.Header().Get("ETag"))
		}
		if strings.HasPrefix(target, "/maps") || strings.HasPrefix(target, "/reports") {
			if strings.HasPrefix(etag, "W/") {
				t.Errorf("%s: weak ETag %s, want a strong one", target, etag)
			}
		}
		w := request(t, srv2, http.MethodGet, target, "", nil, "If-None-Match", etag)
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
			t.Errorf("%s with If-None-Match: %d with %d bytes, want 304", target, w.Code, w.Body.Len())
		}
	}
}

// TestMapParameters: every parameter is bounded; a bad one is a problem
// document that says what is allowed.
func TestMapParameters(t *testing.T) {
	srv, _ := berlinServer(t)
	for _, tc := range []struct {
		target string
		status int
		says   string
	}{
		{"/maps/planungsraum/mss-status-index.gif", 400, "want mss-status-index.svg"},
		{"/maps/planungsraum/mss-status-index.png?dpi=600", 400, "dpi"},
		{"/maps/planungsraum/mss-status-index.png?dpi=abc", 400, "from 72 to 300"},
		{"/maps/planungsraum/mss-status-index.svg?width=10", 400, "width"},
		{"/maps/planungsraum/mss-status-index.svg?height=5000", 400, "height"},
		{"/maps/planungsraum/mss-status-index.svg?width=420&height=60", 400, "at least"},
		{"/maps/planungsraum/mss-status-index.svg?bbox=13.5,52.4,13.3,52.6", 400, "bbox"},
		{"/maps/planungsraum/mss-status-index.svg?bbox=13.3,52.4,13.3,52.6", 400, "empty"},
		{"/maps/planungsraum/mss-status-index.svg?bbox=1,2,3", 400, "minLon"},
		{"/maps/planungsraum/mss-status-index.svg?bbox=NaN,52.4,13.5,52.6", 400, "finite"},
		{"/maps/planungsraum/mss-status-index.svg?bbox=2,40,3,41", 400, "no unit"},
		{"/maps/planungsraum/mss-status-index.svg?lang=fr", 400, "de or en"},
		{"/maps/planungsraum/mss-status-index.svg?labels=ja", 400, "true or false"},
		{"/maps/planungsraum/mss-status-index.svg?offers=nope", 400, "kitas"},
		{"/maps/planungsraum/mss-status-index.svg?title=" + strings.Repeat("x", 201), 400, "200"},
		{"/maps/planungsraum/mss-status-index.svg?k=13&method=quantile", 400, "k"},
		{"/maps/planungsraum/mss-status-index.svg?method=magic", 400, "method"},
		{"/maps/planungsraum/mss-status-index.svg?scheme=Rainbow", 400, "scheme"},
		{"/maps/planungsraum/mss-status-index.svg?date=2020-31-12", 400, "YYYY-MM-DD"},
		{"/maps/planungsraum/mss-status-index.svg?date=2019-12-31", 404, "dates"},
		{"/maps/nirgendwo/mss-status-index.svg", 404, "nirgendwo"},
		{"/maps/planungsraum/gibtsnicht.png", 404, "gibtsnicht"},
		{"/reports/planungsraum/mss-status-index?lang=fr", 400, "de or en"},
		{"/reports/planungsraum/gibtsnicht", 404, "gibtsnicht"},
		{"/api/v1/indicators/mss-status-index/values?level=planungsraum&format=shp", 400, "geojson, gpkg"},
	} {
		w := do(t, srv, tc.target)
		if w.Code != tc.status || !strings.Contains(w.Header().Get(echo.HeaderContentType), "problem+json") || !strings.Contains(w.Body.String(), tc.says) {
			t.Errorf("GET %s: %d %s, want %d with %q", tc.target, w.Code, w.Body.String(), tc.status, tc.says)
		}
	}
	// Within the bounds: a small landscape page of a part of the city.
	w := getOK(t, srv, "/maps/planungsraum/mss-status-index.png?width=160&height=110&dpi=72&bbox=13.3,52.45,13.5,52.55", "")
	if img := decodePNG(t, w.Body.Bytes()); img.Bounds().Dx() != 454 || img.Bounds().Dy() != 312 {
		t.Errorf("160 × 110 mm at 72 dpi: %v, want 454×312", img.Bounds().Size())
	}
}

// TestMapsAndExportsVisibility: an internal indicator is not there for
// anonymous callers and viewers (404 from every map, report and export),
// and is for analysts, cached privately.
func TestMapsAndExportsVisibility(t *testing.T) {
	srv, st := berlinServer(t)
	addInternal(t, st, "planungsraum")
	viewer := newToken(t, st, "leser", auth.Viewer)
	analyst := newToken(t, st, "analyse", auth.Analyst)
	targets := []struct{ target, accept string }{
		{"/maps/planungsraum/x_geheim.svg", ""},
		{"/maps/planungsraum/x_geheim.png", ""},
		{"/maps/planungsraum/x_geheim.pdf", ""},
		{"/maps/planungsraum/x_geheim", ""},
		{"/reports/planungsraum/x_geheim", ""},
	}
	for _, f := range []string{"json", "csv", "csv-excel", "xlsx", "geojson", "gpkg"} {
		targets = append(targets, struct{ target, accept string }{"/api/v1/indicators/x_geheim/values?level=planungsraum&format=" + f, ""})
	}
	for _, a := range []string{"application/geo+json", "application/geopackage+sqlite3", "text/csv"} {
		targets = append(targets, struct{ target, accept string }{"/api/v1/indicators/x_geheim/values?level=planungsraum", a})
	}
	for _, tc := range targets {
		var header []string
		if tc.accept != "" {
			header = []string{"Accept", tc.accept}
		}
		for _, who := range []struct{ name, token string }{{"anonymous", ""}, {"viewer", viewer}} {
			w := request(t, srv, http.MethodGet, tc.target, who.token, nil, header...)
			if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), internalMarker[:7]) {
				t.Errorf("%s GET %s (Accept %q): %d, want 404", who.name, tc.target, tc.accept, w.Code)
			}
		}
		w := getOK(t, srv, tc.target, analyst, header...)
		if strings.HasPrefix(tc.target, "/maps") || strings.HasPrefix(tc.target, "/reports") {
			if cc := w.Header().Get(echo.HeaderCacheControl); !strings.HasPrefix(cc, "private") {
				t.Errorf("analyst GET %s: Cache-Control %q, want private", tc.target, cc)
			}
		}
	}
	// The analyst's files do carry the internal values (so the 404s above
	// hide something).
	w := getOK(t, srv, "/api/v1/indicators/x_geheim/values?level=planungsraum&format=geojson", analyst)
	if !strings.Contains(w.Body.String(), internalMarker[:7]) {
		t.Error("the analyst's GeoJSON lacks the internal values")
	}
	w = getOK(t, srv, "/maps/planungsraum/x_geheim.svg", analyst)
	if !strings.Contains(w.Body.String(), "Geheime Quote") {
		t.Error("the analyst's map does not name the internal indicator")
	}
}

// mapContext is an echo context for a map request that goes straight to
// the handler, past the response cache.
func mapContext(s *Server, level, file, query string) (echo.Context, *httptest.ResponseRecorder) {
	req := httptest.NewRequest(http.MethodGet, "/maps/"+level+"/"+file+"?"+query, nil)
	rec := httptest.NewRecorder()
	c := s.echo.NewContext(req, rec)
	c.SetPath("/maps/:level/:id")
	c.SetParamNames("level", "id")
	c.SetParamValues(level, file)
	return c, rec
}

// benchScene is the A4 map of the Berlin Planungsräume, as the handler
// lays it out.
func benchScene(b *testing.B, s *Server) *render.Scene {
	sc, _, err := render.BuildMap(benchMap(b, s))
	if err != nil {
		b.Fatal(err)
	}
	return sc
}

// benchMap is the description of that map.
func benchMap(b *testing.B, s *Server) render.Map {
	c, _ := mapContext(s, "planungsraum", "mss-status-index.svg", "")
	v, err := s.mapViewOf(c, "planungsraum", "mss-status-index")
	if err != nil {
		b.Fatal(err)
	}
	p, err := parseMapParams(c, "svg")
	if err != nil {
		b.Fatal(err)
	}
	m, err := s.mapOf(c.Request().Context(), v, p)
	if err != nil {
		b.Fatal(err)
	}
	if len(m.Areas) != 542 {
		b.Fatalf("%d areas, want Berlin's 542 Planungsräume", len(m.Areas))
	}
	return m
}

// BenchmarkMapRender renders the A4 map of Berlin's 542 Planungsräume
// from the data in memory: layout (projection, snapping, legend) alone,
// then layout and file: SVG, PDF, and PNG at 300 dpi (2480×3508).
func BenchmarkMapRender(b *testing.B) {
	s, _ := berlinServer(b)
	m := benchMap(b, s)
	for _, f := range []struct {
		name  string
		write func(io.Writer, *render.Scene) error
	}{
		{"layout", func(io.Writer, *render.Scene) error { return nil }},
		{"layout+svg", func(w io.Writer, sc *render.Scene) error { return render.WriteSVG(w, sc, render.SVGOptions{}) }},
		{"layout+pdf", render.WritePDF},
		{"layout+png300", func(w io.Writer, sc *render.Scene) error { return render.WritePNG(w, sc, 300) }},
	} {
		b.Run(f.name, func(b *testing.B) {
			for b.Loop() {
				sc, _, err := render.BuildMap(m)
				if err != nil {
					b.Fatal(err)
				}
				var out bytes.Buffer
				if err := f.write(&out, sc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	sc := benchScene(b, s)
	b.Run("svg", func(b *testing.B) {
		for b.Loop() {
			var out bytes.Buffer
			if err := render.WriteSVG(&out, sc, render.SVGOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pdf", func(b *testing.B) {
		for b.Loop() {
			var out bytes.Buffer
			if err := render.WritePDF(&out, sc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("png300", func(b *testing.B) {
		for b.Loop() {
			var out bytes.Buffer
			if err := render.WritePNG(&out, sc, 300); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raster300", func(b *testing.B) {
		for b.Loop() {
			render.Raster(sc, 300)
		}
	})
}

// BenchmarkMapRequest is the whole map answer without the response
// cache: the table, classification and units from the store, the layout
// and the file.
func BenchmarkMapRequest(b *testing.B) {
	s, _ := berlinServer(b)
	for _, tc := range []struct{ name, file, query string }{
		{"svg", "mss-status-index.svg", ""},
		{"pdf", "mss-status-index.pdf", ""},
		{"png300", "mss-status-index.png", "dpi=300"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				c, rec := mapContext(s, "planungsraum", tc.file, tc.query)
				if err := s.mapFile(c); err != nil || rec.Code != http.StatusOK {
					b.Fatalf("%v %d", err, rec.Code)
				}
			}
		})
	}
}

// withheldIndicator is a public indicator of the synthetic city with
// withheld values at the level on its latest date, and the codes of the
// withheld units.
func withheldIndicator(t *testing.T, srv http.Handler, level string) (string, map[string]bool) {
	t.Helper()
	var inds []indicatorDoc
	if err := json.Unmarshal(getOK(t, srv, "/api/v1/indicators", "").Body.Bytes(), &inds); err != nil {
		t.Fatal(err)
	}
	for _, ind := range inds {
		if ind.Visibility != atlas.Public || !contains(ind.Levels, level) {
			continue
		}
		vals := mapValues(t, srv, ind.ID, level, "")
		withheld := map[string]bool{}
		for _, v := range vals.Values {
			if v.Status == "suppressed" {
				withheld[v.Code] = true
				if v.Value != nil {
					t.Fatalf("values answer: withheld %s has a value", v.Code)
				}
			}
		}
		if len(withheld) > 0 && vals.Classification != nil {
			return ind.ID, withheld
		}
	}
	t.Fatal("no public indicator of the synthetic city has withheld values: the disclosure checks would check nothing")
	return "", nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestMapsAndExportsWithheld: on the synthetic city, whose catalog
// withholds small counts, no withheld value has a number or a class in
// any map, report or export: its area is hatched (SVG, PNG), its row and
// feature carry no number (report, CSV, GeoJSON, GeoPackage), and the
// classes count only published values.
func TestMapsAndExportsWithheld(t *testing.T) {
	srv, _ := synthServer(t)
	const level = "baublock"
	id, withheld := withheldIndicator(t, srv, level)
	vals := mapValues(t, srv, id, level, "")
	okCount := 0
	for _, v := range vals.Values {
		if v.Value != nil {
			okCount++
		}
	}
	t.Logf("%s: %d withheld of %d values", id, len(withheld), len(vals.Values))

	// SVG: hatched, no class, no number in the tooltip; the legend
	// counts the published values only and explains the hatching.
	svg := getOK(t, srv, "/maps/"+level+"/"+id+".svg", "").Body.Bytes()
	hatched, counted := 0, 0
	for _, e := range svgElements(t, svg) {
		if e.group == "legend" && e.attrs["data-count"] != "" {
			n, _ := strconv.Atoi(e.attrs["data-count"])
			counted += n
		}
		if e.group != "areas" || e.name != "path" || !withheld[e.attrs["data-code"]] {
			continue
		}
		hatched++
		if e.attrs["data-status"] != "suppressed" || e.attrs["data-class"] != "" || !strings.HasPrefix(e.attrs["fill"], "url(#hatch") {
			t.Errorf("withheld unit %s: %v", e.attrs["data-code"], e.attrs)
		}
		if !strings.HasSuffix(e.title, ": geheim gehalten") {
			t.Errorf("withheld unit %s: tooltip %q", e.attrs["data-code"], e.title)
		}
	}
	if hatched != len(withheld) {
		t.Errorf("%d hatched areas, want the %d withheld units", hatched, len(withheld))
	}
	if counted != okCount {
		t.Errorf("the legend counts %d values, want the %d published", counted, okCount)
	}
	if !bytes.Contains(svg, []byte("statistischen Geheimhaltung")) {
		t.Error("the map does not explain the hatching")
	}

	// PNG: a withheld unit's interior shows the hatching, never a class colour.
	const dpi = 150
	img := decodePNG(t, getOK(t, srv, "/maps/"+level+"/"+id+".png?dpi=150", "").Body.Bytes())
	lay, m := mapLayout(t, srv, level, id+".png", "dpi=150")
	classColours := map[string]bool{}
	for _, c := range vals.Classification.Colors {
		classColours[c] = true
	}
	checked := 0
	for _, a := range m.Areas {
		if !withheld[a.Code] {
			continue
		}
		px, ok := interiorPixel(lay, a.Geometry, dpi, 2)
		if !ok {
			continue
		}
		checked++
		got := colourAt(img, px)
		if classColours[got.Hex()] || (got != render.SuppressedColor && got != render.HatchColor) {
			t.Errorf("withheld unit %s at %v: %s, want the hatching", a.Code, px, got.Hex())
		}
	}
	if checked == 0 {
		t.Error("no withheld unit had a clear interior pixel")
	}

	// Report: a withheld row has no value and no rank.
	page := getOK(t, srv, "/reports/"+level+"/"+id, "").Body.String()
	rowRE := regexp.MustCompile(`<tr><td class="num">([^<]*)</td><td>([^<]*)</td><td>[^<]*</td><td class="num">([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>`)
	rows := 0
	for _, r := range rowRE.FindAllStringSubmatch(page, -1) {
		if !withheld[r[2]] {
			continue
		}
		rows++
		if r[1] != "" || r[3] != "" || r[5] != "" || r[4] != "geheim gehalten" {
			t.Errorf("report row of withheld %s: rank %q value %q status %q class %q", r[2], r[1], r[3], r[4], r[5])
		}
	}
	if rows != len(withheld) {
		t.Errorf("report lists %d withheld rows, want %d", rows, len(withheld))
	}

	// GeoJSON and GeoPackage: the withheld features carry no number.
	base := "/api/v1/indicators/" + id + "/values?level=" + level
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(getOK(t, srv, base+"&format=geojson", "").Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range fc.Features {
		p := f.Properties
		if p["status"] == "suppressed" {
			seen++
			if p["value"] != nil || p["numerator"] != nil || p["denominator"] != nil || p["class"] != nil {
				t.Errorf("GeoJSON: withheld %v carries %v", p["code"], p)
			}
		}
	}
	path := filepath.Join(t.TempDir(), "x.gpkg")
	if err := os.WriteFile(path, getOK(t, srv, base+"&format=gpkg", "").Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, feats, err := gpkg.Read(context.Background(), path, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range feats {
		if f.Properties["status"] == "suppressed" {
			seen++
			for _, k := range []string{"value", "numerator", "denominator", "class"} {
				if f.Properties[k] != nil {
					t.Errorf("GeoPackage: withheld %v has %s %v", f.Properties["code"], k, f.Properties[k])
				}
			}
		}
	}
	if seen != 2*len(withheld) {
		t.Errorf("%d withheld features in GeoJSON and GeoPackage, want %d each", seen, len(withheld))
	}
	// CSV: the withheld rows' number cells are empty.
	for _, line := range strings.Split(getOK(t, srv, base+"&format=csv", "").Body.String(), "\r\n") {
		f := strings.Split(line, ",")
		if len(f) >= 7 && f[5] == "suppressed" && (f[2] != "" || f[3] != "" || f[4] != "" || f[6] != "") {
			t.Errorf("CSV: withheld row %q", line)
		}
	}
}

// TestExportGeoFormats: the values as GeoJSON and GeoPackage, asked for
// by format or Accept, are the JSON answer's rows with their units'
// geometry, and GDAL opens both with every feature and field.
func TestExportGeoFormats(t *testing.T) {
	requireTool(t, "ogrinfo", "gdal-bin")
	srv, _ := berlinServer(t)
	base := "/api/v1/indicators/mss-status-index/values?level=planungsraum"
	vals := mapValues(t, srv, "mss-status-index", "planungsraum", "")
	dir := t.TempDir()
	for _, tc := range []struct{ query, accept, mediaType, ext string }{
		{"&format=geojson", "", "application/geo+json", "geojson"},
		{"", "application/geo+json", "application/geo+json", "geojson"},
		{"&format=gpkg", "", "application/geopackage+sqlite3", "gpkg"},
		{"", "application/geopackage+sqlite3, application/json;q=0.5", "application/geopackage+sqlite3", "gpkg"},
	} {
		var header []string
		if tc.accept != "" {
			header = []string{"Accept", tc.accept}
		}
		w := getOK(t, srv, base+tc.query, "", header...)
		if ct := w.Header().Get(echo.HeaderContentType); ct != tc.mediaType {
			t.Errorf("%s (Accept %q): content type %q, want %q", tc.query, tc.accept, ct, tc.mediaType)
		}
		if cd := w.Header().Get(echo.HeaderContentDisposition); !strings.Contains(cd, "mss-status-index_planungsraum_2020-12-31."+tc.ext) {
			t.Errorf("Content-Disposition %q", cd)
		}
		f := filepath.Join(dir, "values."+tc.ext)
		if err := os.WriteFile(f, w.Body.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", f).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %s: %v\n%s", f, err, out)
		}
		info := string(out)
		for _, want := range []string{"Layer name: mss_status_index_planungsraum", "Feature Count: 542", "Multi Polygon",
			"code: String", "name: String", "value: Real", "status: String", "class: String"} {
			if !strings.Contains(info, want) {
				t.Errorf("ogrinfo %s lacks %q:\n%s", tc.ext, want, info)
			}
		}
		if tc.ext == "gpkg" && !strings.Contains(info, "numerator: Real") {
			t.Errorf("GeoPackage numerator is not a Real:\n%s", info)
		}
		if tc.ext != "geojson" {
			continue
		}
		var fc struct {
			Features []struct {
				Properties struct {
					Code  string   `json:"code"`
					Value *float64 `json:"value"`
					Class *string  `json:"class"`
				} `json:"properties"`
				Geometry struct {
					Type string `json:"type"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &fc); err != nil {
			t.Fatal(err)
		}
		if len(fc.Features) != len(vals.Values) {
			t.Fatalf("%d features, %d values", len(fc.Features), len(vals.Values))
		}
		for i, f := range fc.Features {
			v := vals.Values[i]
			if f.Properties.Code != v.Code || !sameFloat(f.Properties.Value, v.Value) || !sameString(f.Properties.Class, v.Class) ||
				f.Geometry.Type != "MultiPolygon" {
				t.Errorf("feature %d: %+v, want %+v", i, f.Properties, v)
			}
		}
	}
	// GDAL reads the values the JSON answer has.
	out, err := exec.Command("ogrinfo", "-ro", "-al", "-q", "-geom=NO", "-where", "code = '"+vals.Values[0].Code+"'", filepath.Join(dir, "values.gpkg")).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if v := vals.Values[0].Value; v != nil && !strings.Contains(string(out), "value (Real) = "+strconv.FormatFloat(*v, 'f', -1, 64)[:6]) {
		t.Errorf("ogrinfo of %s:\n%s", vals.Values[0].Code, out)
	}
}

func sameFloat(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func sameString(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestMapUnclassified: values that cannot be split into classes (one
// unit) still make a map, in one colour, saying why there are no
// classes.
func TestMapUnclassified(t *testing.T) {
	srv, st := newServer(t)
	hiddenFixture(t, st)
	w := getOK(t, srv, "/maps/bezirk/x_public.svg", "")
	var fill string
	for _, e := range svgElements(t, w.Body.Bytes()) {
		if e.group == "areas" && e.attrs["data-code"] == "01" {
			fill = e.attrs["fill"]
		}
	}
	cols, _ := classify.Palette(classify.DefaultScheme(classify.Neutral), 1, classify.Neutral)
	if fill != cols[0] {
		t.Errorf("the one unit is %q, want %s", fill, cols[0])
	}
	if !strings.Contains(w.Body.String(), "lassen sich nicht in Klassen teilen") {
		t.Error("the map does not say why it has no classes")
	}
	if w := do(t, srv, "/maps/bezirk/x_internal.png"); w.Code != http.StatusNotFound {
		t.Errorf("internal indicator: %d, want 404", w.Code)
	}
	getOK(t, srv, "/reports/bezirk/x_public?lang=en", "")
	getOK(t, srv, "/maps/bezirk/x_public.pdf", "")
}

// gapMapCases are gap maps with their /api/v1/gaps parameters: the
// catalog's default pair, the same in full with other cut-offs in
// English, and a pair of the request.
var gapMapCases = []struct{ level, query string }{
	{"planungsraum", ""},
	{"planungsraum", "need=mss-status-index&supply=jugendfreizeit-abdeckung-500m&need_breaks=0.5,1.5&supply_breaks=10,60&lang=en"},
	{"planungsraum", "need=mss_s4&supply=jugendfreizeit-abdeckung-500m&supply_breaks=0,50"},
}

// TestGapMapSVGLegendIsTheGapAnalysis: the gap map's SVG parses, its
// 3 × 3 legend has the classes, colours and counts /api/v1/gaps answers
// for the same parameters, and each area has its class's colour (withheld
// ones hatched, never a class colour: in the synthetic city, whose child
// poverty is withheld in small blocks).
func TestGapMapSVGLegendIsTheGapAnalysis(t *testing.T) {
	srv, _ := berlinServer(t)
	ss, _ := synthServer(t)
	cases := append([]struct{ level, query string }{}, gapMapCases...)
	cases = append(cases, struct{ level, query string }{"planungsraum", "labels=true"}, struct{ level, query string }{"baublock", "supply_breaks=0,1000"})
	for _, tc := range cases {
		t.Run(tc.level+"?"+tc.query, func(t *testing.T) {
			h := srv
			if tc.level == "baublock" {
				h = ss
			}
			doc := gapOf(t, h, "", "?level="+tc.level+"&"+tc.query)
			w := getOK(t, h, "/maps/"+tc.level+"/_gap.svg?"+tc.query, "")
			if ct := w.Header().Get(echo.HeaderContentType); ct != "image/svg+xml" {
				t.Errorf("content type %q", ct)
			}
			var cells []svgElement
			areas := map[string]svgElement{}
			for _, e := range svgElements(t, w.Body.Bytes()) {
				if e.group == "legend" && e.attrs["data-key"] != "" {
					cells = append(cells, e)
				}
				if e.group == "areas" && e.name == "path" {
					areas[e.attrs["data-code"]] = e
				}
			}
			if len(cells) != 9 || len(doc.Legend.Classes) != 9 {
				t.Fatalf("legend has %d cells, the gap analysis %d classes; want 9", len(cells), len(doc.Legend.Classes))
			}
			colour := map[string]string{}
			for i, cl := range doc.Legend.Classes {
				colour[cl.Key] = cl.Color
				c := cells[i]
				if c.attrs["data-key"] != cl.Key || c.attrs["data-count"] != strconv.Itoa(cl.Count) || c.attrs["fill"] != cl.Color {
					t.Errorf("cell %d: key %s count %s fill %s, want %s %d %s", i, c.attrs["data-key"], c.attrs["data-count"], c.attrs["fill"], cl.Key, cl.Count, cl.Color)
				}
			}
			body := w.Body.String()
			wantTitle := "Bedarf und Angebot: "
			if strings.Contains(tc.query, "lang=en") {
				wantTitle = "Need and supply: "
			}
			if !strings.Contains(body, wantTitle) {
				t.Errorf("the title does not start %q", wantTitle)
			}
			suppressed := 0
			for _, a := range doc.Areas {
				e, found := areas[a.Code]
				if !found {
					t.Errorf("unit %s is not on the map", a.Code)
					continue
				}
				switch a.Class {
				case "suppressed":
					suppressed++
					if e.attrs["data-status"] != "suppressed" || e.attrs["fill"] == "" || slices.Contains(slices.Collect(maps.Values(colour)), e.attrs["fill"]) {
						t.Errorf("withheld unit %s: status %s fill %s", a.Code, e.attrs["data-status"], e.attrs["fill"])
					}
				case "no_data":
					if e.attrs["data-status"] != "missing" || e.attrs["fill"] != render.NoDataColor.Hex() {
						t.Errorf("unit %s without data: status %s fill %s", a.Code, e.attrs["data-status"], e.attrs["fill"])
					}
				default:
					if e.attrs["fill"] != colour[a.Class] {
						t.Errorf("unit %s (%s): fill %s, want %s", a.Code, a.Class, e.attrs["fill"], colour[a.Class])
					}
				}
			}
			if suppressed != doc.Legend.Suppressed.Count {
				t.Errorf("%d withheld areas, the analysis counts %d", suppressed, doc.Legend.Suppressed.Count)
			}
			if tc.level == "baublock" && (suppressed == 0 || !strings.Contains(body, "geheim gehalten ("+strconv.Itoa(suppressed)+")")) {
				t.Errorf("the synthetic city's map shows %d withheld areas and does not list them in its legend", suppressed)
			}
		})
	}
}

// TestGapMapPNGInteriorColours: at each unit's interior point the gap
// map's PNG has exactly the colour of the unit's class in /api/v1/gaps
// (the no-data grey for a unit without one).
func TestGapMapPNGInteriorColours(t *testing.T) {
	srv, _ := berlinServer(t)
	for _, tc := range gapMapCases {
		t.Run(tc.query, func(t *testing.T) {
			doc := gapOf(t, srv, "", "?level="+tc.level+"&"+tc.query)
			const dpi = 120
			q := tc.query + "&dpi=120"
			w := getOK(t, srv, "/maps/"+tc.level+"/_gap.png?"+q, "")
			img := decodePNG(t, w.Body.Bytes())
			c, _ := mapContext(srv, tc.level, "_gap.png", q)
			p, err := parseMapParams(c, "png")
			if err != nil {
				t.Fatal(err)
			}
			m, _, _, err := srv.gapMap(c, p)
			if err != nil {
				t.Fatal(err)
			}
			_, lay, err := render.BuildMap(m)
			if err != nil {
				t.Fatal(err)
			}
			geom := map[string]orb.MultiPolygon{}
			for _, a := range m.Areas {
				geom[a.Code] = a.Geometry
			}
			colour := map[string]string{gap.NoData: render.NoDataColor.Hex()}
			for _, cl := range doc.Legend.Classes {
				colour[cl.Key] = cl.Color
			}
			checked, classes := 0, map[string]bool{}
			for _, a := range doc.Areas {
				if a.Class == gap.Suppressed {
					continue // hatched: checked in the SVG
				}
				px, ok := interiorPixel(lay, geom[a.Code], dpi, 2.5)
				if !ok {
					continue
				}
				checked++
				classes[a.Class] = true
				if got := colourAt(img, px).Hex(); got != colour[a.Class] {
					t.Errorf("unit %s (%s) at %v: %s, want %s", a.Code, a.Class, px, got, colour[a.Class])
				}
			}
			if checked < len(doc.Areas)*2/3 || len(classes) < 3 {
				t.Errorf("only %d of %d units in %d classes checked; the check checks too little", checked, len(doc.Areas), len(classes))
			}
		})
	}
}

// TestGapMapVisibilityAndBytes: an internal indicator as need or supply
// answers 404 anonymously (and says nothing of it), an analyst gets the
// map cached privately; the same request gives the same bytes and a
// strong ETag; bad parameters are problems that say what is allowed.
func TestGapMapVisibilityAndBytes(t *testing.T) {
	srv, st := berlinServer(t)
	addInternal(t, st, "planungsraum")
	analyst := newToken(t, st, "analyse", auth.Analyst)
	for _, q := range []string{
		"need=x_geheim&supply=jugendfreizeit-abdeckung-500m&supply_breaks=0,50",
		"need=mss-status-index&supply=x_geheim",
	} {
		for _, ext := range []string{"svg", "png", "pdf"} {
			target := "/maps/planungsraum/_gap." + ext + "?" + q
			if w := do(t, srv, target); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "Geheime") {
				t.Errorf("anonymous GET %s: %d, want 404", target, w.Code)
			}
		}
		w := getOK(t, srv, "/maps/planungsraum/_gap.svg?"+q, analyst)
		if cc := w.Header().Get(echo.HeaderCacheControl); !strings.HasPrefix(cc, "private") || !strings.Contains(w.Body.String(), "Geheime Quote") {
			t.Errorf("analyst: Cache-Control %q, or the map does not name the internal indicator", cc)
		}
	}

	srv2 := New(st, Config{OpenAPI: sozialatlas.OpenAPI, Catalog: srv.catalog})
	for _, target := range []string{
		"/maps/planungsraum/_gap.pdf",
		"/maps/planungsraum/_gap.png?dpi=96&labels=true&offers=kitas",
		"/maps/planungsraum/_gap.svg?lang=en&need_breaks=0.5,1.5&title=L%C3%BCcken",
	} {
		a, b := getOK(t, srv, target, ""), getOK(t, srv2, target, "")
		if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
			t.Errorf("%s: two servers answer different bytes", target)
		}
		etag := a.Header().Get("ETag")
		if etag == "" || strings.HasPrefix(etag, "W/") || etag != b.Header().Get("ETag") {
			t.Errorf("%s: ETags %q and %q, want the same strong one", target, etag, b.Header().Get("ETag"))
		}
		if cc := a.Header().Get(echo.HeaderCacheControl); cc != "public, max-age=60" {
			t.Errorf("%s: Cache-Control %q", target, cc)
		}
		if w := request(t, srv2, http.MethodGet, target, "", nil, "If-None-Match", etag); w.Code != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: %d, want 304", target, w.Code)
		}
	}
	if cd := getOK(t, srv, "/maps/planungsraum/_gap.pdf", "").Header().Get(echo.HeaderContentDisposition); !strings.Contains(cd, "gap_mss-status-index_jugendfreizeit-abdeckung-500m_planungsraum_") {
		t.Errorf("Content-Disposition %q", cd)
	}

	for _, tc := range []struct {
		target string
		status int
		says   string
	}{
		{"/maps/planungsraum/_gap.svg?need_breaks=2,1", 400, "a < b"},
		{"/maps/planungsraum/_gap.svg?need=mss-status-index&supply=mss-status-index", 400, "same indicator"},
		{"/maps/planungsraum/_gap.svg?pair=nope", 404, "status-jugendfreizeit"},
		{"/maps/planungsraum/_gap.svg?level=bezirk", 400, "path"},
		{"/maps/planungsraum/_gap.png?dpi=600", 400, "dpi"},
		{"/maps/planungsraum/_gap.svg?date=2020-31-12", 400, "YYYY-MM-DD"},
		{"/maps/planungsraum/_gap.svg?offers=nope", 400, "kitas"},
		{"/maps/nirgendwo/_gap.svg?need=mss-status-index&supply=jugendfreizeit-abdeckung-500m", 404, "nirgendwo"},
	} {
		w := do(t, srv, tc.target)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.says) {
			t.Errorf("GET %s: %d %s, want %d with %q", tc.target, w.Code, w.Body.String(), tc.status, tc.says)
		}
	}
}
