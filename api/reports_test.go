package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// htmlNode finds the element with an id.
func htmlByID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				return n
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := htmlByID(c, id); f != nil {
			return f
		}
	}
	return nil
}

// htmlAll lists the elements named tag under n.
func htmlAll(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return out
}

func htmlText(n *html.Node) string {
	var b strings.Builder
	var visit func(*html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(n)
	return strings.TrimSpace(b.String())
}

func parseReport(t *testing.T, body []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"map", "legend", "statistics", "series", "metadata", "units"} {
		if htmlByID(doc, id) == nil {
			t.Fatalf("the report has no #%s", id)
		}
	}
	return doc
}

// TestReportBerlin: the report page holds the map, the legend, the
// statistics and the ranking the API gives, and nothing from elsewhere.
func TestReportBerlin(t *testing.T) {
	srv, _ := berlinServer(t)
	w := getOK(t, srv, "/reports/planungsraum/mss-status-index", "")
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	body := w.Body.Bytes()
	doc := parseReport(t, body)
	// No external resource: everything is inline.
	for _, bad := range []string{`src="`, `href="http`, "<link", "<script", "<img", "@import", "url(http"} {
		if bytes.Contains(body, []byte(bad)) {
			t.Errorf("the report contains %q", bad)
		}
	}
	if !bytes.Contains(body, []byte("@page")) {
		t.Error("no print CSS")
	}
	// The map: every unit, as the map answer draws it.
	svg := htmlAll(htmlByID(doc, "map"), "svg")
	if len(svg) != 1 {
		t.Fatalf("%d SVGs in #map", len(svg))
	}
	paths := 0
	for _, p := range htmlAll(svg[0], "path") {
		for _, a := range p.Attr {
			if a.Key == "data-code" {
				paths++
			}
		}
	}
	if paths != 542 {
		t.Errorf("the report's map has %d areas, want 542", paths)
	}
	// The legend: the classes of the breaks answer, and no data.
	want := breaksOf(t, srv, "mss-status-index", "planungsraum", "")
	items := htmlAll(htmlByID(doc, "legend"), "li")
	if len(items) != len(want.Breaks)+1 {
		t.Fatalf("%d legend entries, want %d classes and no data", len(items), len(want.Breaks))
	}
	for i, c := range want.Counts {
		if txt := htmlText(items[i]); !strings.HasPrefix(txt, want.Labels[i]+":") || !strings.HasSuffix(txt, "("+strconv.Itoa(c)+")") {
			t.Errorf("legend entry %d: %q, want label %s and count %d", i, txt, want.Labels[i], c)
		}
	}
	// Statistics as the statistics answer has them.
	var st statisticsDoc
	if err := json.Unmarshal(getOK(t, srv, "/api/v1/indicators/mss-status-index/statistics?level=planungsraum", "").Body.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	stats := map[string]string{}
	for _, tr := range htmlAll(htmlByID(doc, "statistics"), "tr") {
		stats[htmlText(tr.FirstChild)] = htmlText(tr.LastChild)
	}
	if stats["Gebiete mit Wert"] != strconv.Itoa(st.N) || stats["ohne Wert"] != strconv.Itoa(st.Missing) ||
		stats["Maximum"] != german.number(*st.Max, 2)+" Index" || stats["Median"] != german.number(*st.Median, 2)+" Index" {
		t.Errorf("statistics %v, want n %d, missing %d, max %v, median %v", stats, st.N, st.Missing, *st.Max, *st.Median)
	}
	// The units by rank, as the ranking answer orders them.
	var rk struct {
		Units []struct {
			Rank *int   `json:"rank"`
			Code string `json:"code"`
		} `json:"units"`
	}
	if err := json.Unmarshal(getOK(t, srv, "/api/v1/indicators/mss-status-index/ranking?level=planungsraum&limit=10000", "").Body.Bytes(), &rk); err != nil {
		t.Fatal(err)
	}
	rows := htmlAll(htmlByID(doc, "units"), "tr")[1:] // after the head
	if len(rows) != len(rk.Units) {
		t.Fatalf("%d rows, the ranking has %d units", len(rows), len(rk.Units))
	}
	for i, r := range rk.Units {
		cells := htmlAll(rows[i], "td")
		rank := ""
		if r.Rank != nil {
			rank = strconv.Itoa(*r.Rank)
		}
		if htmlText(cells[0]) != rank || htmlText(cells[1]) != r.Code {
			t.Errorf("row %d: rank %q code %q, want %q %q", i, htmlText(cells[0]), htmlText(cells[1]), rank, r.Code)
		}
	}
	// Method and metadata from the catalog.
	page := string(body)
	for _, s := range []string{"Sum of the z-values", "Berechnung: op index", "Klassenbildung: feste Grenzen", "Datenlizenz Deutschland", "Geoportal Berlin"} {
		if !strings.Contains(page, s) {
			t.Errorf("the report lacks %q", s)
		}
	}
	en := getOK(t, srv, "/reports/planungsraum/mss-status-index?lang=en", "").Body.String()
	for _, s := range []string{`lang="en"`, "<h2>Statistics</h2>", "Areas with a value", "-1.45"} {
		if !strings.Contains(en, s) {
			t.Errorf("the English report lacks %q", s)
		}
	}
}

// TestReportSeries: on the synthetic city (several dates) the chart has a
// point for each date's city value, labelled as the statistics answer
// gives it.
func TestReportSeries(t *testing.T) {
	srv, _ := synthServer(t)
	var inds []indicatorDoc
	if err := json.Unmarshal(getOK(t, srv, "/api/v1/indicators", "").Body.Bytes(), &inds); err != nil {
		t.Fatal(err)
	}
	var id string
	var dates []string
	precision := 0
	for _, ind := range inds {
		if ind.ID == "sgb2-quote" {
			id, precision = ind.ID, ind.Precision
			for _, d := range ind.Dates {
				dates = append(dates, d.String())
			}
		}
	}
	if id == "" || len(dates) < 2 {
		t.Fatalf("sgb2-quote with several dates is missing: %v", dates)
	}
	var labels []string
	for _, d := range dates {
		var st statisticsDoc
		if err := json.Unmarshal(getOK(t, srv, "/api/v1/indicators/"+id+"/statistics?level=baublock&date="+d, "").Body.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		if st.City.Value == nil {
			t.Fatalf("no city value on %s: %s", d, st.City.Note)
		}
		labels = append(labels, german.number(*st.City.Value, precision))
	}
	doc := parseReport(t, getOK(t, srv, "/reports/baublock/"+id, "").Body.Bytes())
	chart := htmlByID(doc, "series")
	if n := len(htmlAll(chart, "circle")); n != len(dates) {
		t.Errorf("%d points in the chart, want %d dates", n, len(dates))
	}
	var texts []string
	for _, tx := range htmlAll(chart, "text") {
		texts = append(texts, htmlText(tx))
	}
	all := strings.Join(texts, "|")
	for _, l := range labels {
		if !strings.Contains(all, "|"+l+"|") && !strings.HasSuffix(all, "|"+l) {
			t.Errorf("the chart lacks the city value %s: %s", l, all)
		}
	}
}
