package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/classify"
)

// TestSpecialColoursAreNoClassColours: an area without a class (no data,
// withheld) must never be taken for a class, whatever the scheme.
func TestSpecialColoursAreNoClassColours(t *testing.T) {
	special := map[string]string{NoDataColor.Hex(): "no data", SuppressedColor.Hex(): "withheld", HatchColor.Hex(): "hatching"}
	n := 0
	for _, s := range classify.Schemes() {
		for k := 1; k <= s.MaxK; k++ {
			for _, pol := range []string{classify.HigherWorse, classify.HigherBetter} {
				cols, err := classify.Palette(s.Name, k, pol)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range cols {
					n++
					if what, found := special[c]; found {
						t.Errorf("%s %d: class colour %s is the %s colour", s.Name, k, c, what)
					}
				}
			}
		}
	}
	if n < 500 {
		t.Fatalf("checked only %d palette colours", n)
	}
}

func TestTextMeasureAndWrap(t *testing.T) {
	if w := TextWidth("Mitte", 10, false); w < 20 || w > 40 {
		t.Errorf("width of Mitte at 10 pt = %v, want about 28", w)
	}
	if TextWidth("Mitte", 10, true) <= TextWidth("Mitte", 10, false) {
		t.Error("bold is not wider than regular")
	}
	if TextWidth("Mitte", 20, false) != 2*TextWidth("Mitte", 10, false) {
		t.Error("width does not scale with size")
	}
	lines := Wrap("Daten: Amt für Statistik Berlin-Brandenburg, Lizenz CC BY 3.0 DE", 8, false, 100)
	if len(lines) < 2 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if TextWidth(l, 8, false) > 100 && strings.Contains(l, " ") {
			t.Errorf("line %q is wider than 100 pt", l)
		}
	}
	if got := strings.Join(lines, " "); got != "Daten: Amt für Statistik Berlin-Brandenburg, Lizenz CC BY 3.0 DE" {
		t.Errorf("wrapping lost words: %q", got)
	}
	if got := Printable("−1,5 ≤ x – Straße"); got != "-1,5 < x – Straße" {
		t.Errorf("Printable = %q", got)
	}
}

func TestAppendNum(t *testing.T) {
	for v, want := range map[float64]string{0: "0", -0.001: "0", 1.5: "1.5", 2.25: "2.25", 3.999: "4", -12.345: "-12.35", 100: "100"} {
		if got := string(appendNum(nil, v)); got != want {
			t.Errorf("appendNum(%v) = %q, want %q", v, got, want)
		}
	}
}

// square is a unit square in degrees near Berlin, x from lon.
func square(lon, lat, d float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{lon, lat}, {lon + d, lat}, {lon + d, lat + d}, {lon, lat + d}, {lon, lat}}}}
}

// testMap is two neighbours, a withheld area and one without data.
func testMap() Map {
	red, blue := Color{0xe3, 0x1a, 0x1c}, Color{0x1f, 0x78, 0xb4}
	return Map{Width: 400, Height: 400, Lang: "de", Title: "Test – Karte", Subtitle: []string{"Einheit: %"},
		Areas: []Area{
			{Code: "a", Geometry: square(13.0, 52.0, 0.1), Class: 0, Title: "A", Label: "A"},
			{Code: "b", Geometry: square(13.1, 52.0, 0.1), Class: 1, Title: "B", Label: "B"},
			{Code: "c", Geometry: square(13.0, 52.1, 0.1), Class: Suppressed, Title: "C"},
			{Code: "d", Geometry: square(13.1, 52.1, 0.1), Class: NoData, Title: "D"},
		},
		Legend: Legend{Title: "Quote (%)", Classes: []LegendClass{{Label: "bis 1", Color: red}, {Label: "über 1", Color: blue}},
			NoData:     &LegendNote{Label: "keine Daten (1)", Explanation: "Grau: kein Wert."},
			Suppressed: &LegendNote{Label: "geheim (1)", Explanation: "Schraffiert: geheim."}},
		Notes: []string{"Quelle: Test"}, Labels: true,
	}
}

func TestBuildMapAndRaster(t *testing.T) {
	m := testMap()
	sc, lay, err := BuildMap(m)
	if err != nil {
		t.Fatal(err)
	}
	img := Raster(sc, 144)
	k := 144.0 / 72
	at := func(p Point) Color {
		c := img.RGBAAt(int(p.X*k), int(p.Y*k))
		return Color{c.R, c.G, c.B}
	}
	// Quarter points of each square, away from labels and borders.
	inner := func(a Area) Point {
		b := a.Geometry.Bound()
		return lay.Project(orb.Point{b.Min[0] + 0.25*(b.Max[0]-b.Min[0]), b.Min[1] + 0.25*(b.Max[1]-b.Min[1])})
	}
	if got := at(inner(m.Areas[0])); got != m.Legend.Classes[0].Color {
		t.Errorf("area a: %v, want class 0 %v", got, m.Legend.Classes[0].Color)
	}
	if got := at(inner(m.Areas[1])); got != m.Legend.Classes[1].Color {
		t.Errorf("area b: %v, want class 1 %v", got, m.Legend.Classes[1].Color)
	}
	if got := at(inner(m.Areas[3])); got != NoDataColor {
		t.Errorf("area d: %v, want the no-data colour", got)
	}
	// The withheld area shows its hatching: both colours, and nothing else
	// inside.
	seen := map[Color]int{}
	c0, c1 := lay.Project(orb.Point{13.02, 52.12}), lay.Project(orb.Point{13.08, 52.18})
	for y := int(c1.Y * k); y < int(c0.Y*k); y++ {
		for x := int(c0.X * k); x < int(c1.X*k); x++ {
			c := img.RGBAAt(x, y)
			seen[Color{c.R, c.G, c.B}]++
		}
	}
	if len(seen) != 2 || seen[SuppressedColor] == 0 || seen[HatchColor] == 0 {
		t.Errorf("withheld area has colours %v, want only hatching %v on %v", seen, HatchColor, SuppressedColor)
	}
	// Legend swatches have their class colour.
	for i, sw := range lay.Swatches {
		if got := at(Point{sw[0] + sw[2]/2, sw[1] + sw[3]/2}); got != m.Legend.Classes[i].Color {
			t.Errorf("swatch %d: %v, want %v", i, got, m.Legend.Classes[i].Color)
		}
	}
}

// TestSharedBorders: neighbours are snapped alike, so their common edge
// has the same vertices in both.
func TestSharedBorders(t *testing.T) {
	project := func(p orb.Point) Point { return Point{p[0] * 1234.5678, p[1] * 987.654321} }
	a := projectRings(orb.MultiPolygon{{{{0, 0}, {0.3333, 0}, {0.3333, 0.1}, {0.1666, 0.2}, {0, 0.1}, {0, 0}}}}, project, [4]float64{-1e9, -1e9, 1e9, 1e9})
	b := projectRings(orb.MultiPolygon{{{{0.3333, 0}, {0.6, 0}, {0.6, 0.1}, {0.3333, 0.1}, {0.3333, 0}}}}, project, [4]float64{-1e9, -1e9, 1e9, 1e9})
	shared := func(r []Point) map[Point]bool {
		m := map[Point]bool{}
		for _, p := range r {
			m[p] = true
		}
		return m
	}
	pa, pb := shared(a[0]), shared(b[0])
	n := 0
	for p := range pb {
		if pa[p] {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d common vertices, want the 2 ends of the shared edge: %v / %v", n, a, b)
	}
	if signedArea(a[0]) <= 0 || signedArea(b[0]) <= 0 {
		t.Error("outer rings are not oriented positively")
	}
	// A hole runs the other way.
	h := projectRings(orb.MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, {{0.2, 0.2}, {0.2, 0.8}, {0.8, 0.8}, {0.8, 0.2}, {0.2, 0.2}}}},
		project, [4]float64{-1e9, -1e9, 1e9, 1e9})
	if len(h) != 2 || signedArea(h[0]) <= 0 || signedArea(h[1]) >= 0 {
		t.Errorf("hole not oriented against its ring: %v", h)
	}
	// Points on a straight line between their neighbours go.
	if got := dropCollinear([][2]int64{{0, 0}, {5, 0}, {10, 0}, {10, 10}, {0, 10}}); len(got) != 4 {
		t.Errorf("dropCollinear kept %v", got)
	}
}

func TestWritersDeterministicAndValid(t *testing.T) {
	sc, _, err := BuildMap(testMap())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"svg", func(w io.Writer) error { return WriteSVG(w, sc, SVGOptions{}) }},
		{"pdf", func(w io.Writer) error { return WritePDF(w, sc) }},
		{"png", func(w io.Writer) error { return WritePNG(w, sc, 100) }},
	} {
		var a, b bytes.Buffer
		if err := f.write(&a); err != nil {
			t.Fatal(err)
		}
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two writes of one scene differ", f.name)
		}
		switch f.name {
		case "svg":
			checkSVG(t, a.Bytes())
		case "pdf":
			checkPDF(t, a.Bytes())
		case "png":
			img, err := png.Decode(&a)
			if err != nil {
				t.Fatal(err)
			}
			if w, h := PixelSize(sc, 100); img.Bounds().Dx() != w || img.Bounds().Dy() != h || w != 556 {
				t.Errorf("png is %v, want %d×%d", img.Bounds(), w, h)
			}
		}
	}
}

func checkSVG(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	paths, hatched := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("svg does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			for _, a := range se.Attr {
				if a.Name.Local == "data-code" {
					paths++
				}
				if a.Name.Local == "fill" && strings.HasPrefix(a.Value, "url(#hatch") {
					hatched++
				}
			}
		}
	}
	if paths != 4 || hatched != 2 { // the withheld area and its legend swatch
		t.Errorf("svg: %d area paths, %d hatched paths; want 4 and 2", paths, hatched)
	}
}

// checkPDF checks the cross-reference table: every offset points at its
// object.
func checkPDF(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatal("not a PDF")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	lines := strings.Split(string(b[xref:]), "\n")
	if lines[0] != "xref" {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	n, _ := strconv.Atoi(strings.Fields(lines[1])[1])
	for i := 1; i < n; i++ {
		off, _ := strconv.Atoi(lines[2+i][:10])
		if want := strconv.Itoa(i) + " 0 obj"; !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Errorf("object %d: offset %d does not start it", i, off)
		}
	}
	if bytes.Contains(b, []byte("CreationDate")) || bytes.Contains(b, []byte("ModDate")) {
		t.Error("the PDF carries a date")
	}
}

func TestTooSmall(t *testing.T) {
	m := testMap()
	m.Height = 120
	_, _, err := BuildMap(m)
	var ts *TooSmallError
	if !errors.As(err, &ts) || ts.NeedHeight <= 120 {
		t.Fatalf("err = %v, want a TooSmallError asking for more than 120 pt", err)
	}
	m.Height = ts.NeedHeight + 1
	if _, _, err := BuildMap(m); err != nil {
		t.Errorf("at the height asked for: %v", err)
	}
}

func TestChart(t *testing.T) {
	v1, v3 := 12.5, 14.0
	sc := BuildChart(Chart{Width: 300, Height: 120, Labels: []string{"2021", "2022", "2023"}, Values: []*float64{&v1, nil, &v3}, Decimals: 1})
	var b bytes.Buffer
	if err := WriteSVG(&b, sc, SVGOptions{Fragment: true}); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if strings.Count(s, "<circle") != 2 || !strings.Contains(s, ">12.5<") || !strings.Contains(s, ">2022<") || !strings.Contains(s, ">12.5<") {
		t.Errorf("chart: want two points labelled and three dates:\n%s", s)
	}
	if ticks := niceTicks(0.13, 4111.45, 4); ticks[0] > 0.13 || ticks[len(ticks)-1] < 4111.45 || len(ticks) > 7 {
		t.Errorf("niceTicks = %v", ticks)
	}
}

// TestChartAxisDecimals: the axis shows as many decimals as its ticks
// need, so no two ticks read alike.
func TestChartAxisDecimals(t *testing.T) {
	a, b, c := 2.13, 2.22, 2.29
	sc := BuildChart(Chart{Width: 300, Height: 120, Labels: []string{"1", "2", "3"}, Values: []*float64{&a, &b, &c}, Decimals: 1})
	seen := map[string]bool{}
	for _, it := range sc.Items[0].(*Group).Items {
		if tx, ok := it.(*Text); ok && tx.Anchor == End {
			if seen[tx.S] {
				t.Errorf("tick %q twice", tx.S)
			}
			seen[tx.S] = true
		}
	}
	if len(seen) < 3 {
		t.Errorf("ticks %v", seen)
	}
}
