package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/render"
	"github.com/sozialatlas/sozialatlas/pkg/stats"
)

// /reports/{level}/{indicator} is a printable A4 page for council
// reports: the map, its legend, statistics, the city value over time,
// the method and metadata, and the table of units with values and ranks.
// It is HTML with print CSS and no external resource (the map and the
// chart are inline SVG), built from the same table, classification and
// scene as the maps, so it shows no number a map or values answer would
// not.

//go:embed templates/report.html
var reportFS embed.FS

var reportTemplate = template.Must(template.ParseFS(reportFS, "templates/report.html"))

// reportTexts are the report's headings.
type reportTexts struct {
	Legend, Statistics, Series, SeriesNote, Method, Metadata, Units string
	Rank, Code, Name, Value, Status, Class                          string
	N, Suppressed, Missing, Min, Max, Mean, Median, City            string
	Classification, Disclosure, Computation, Breaks                 string
	StatusOK, NoCity, NoSeries, Footer                              string
	Meta                                                            map[string]string
	Polarity                                                        map[atlas.Polarity]string
}

var germanReport = reportTexts{
	Legend: "Legende", Statistics: "Statistik", Series: "Gesamtstadt im Zeitverlauf",
	SeriesNote: "Wert der Gesamtstadt je Stichtag (aus veröffentlichten Werten; siehe Hinweis der Statistik).",
	Method:     "Methode", Metadata: "Metadaten", Units: "Gebiete",
	Rank: "Rang", Code: "Schlüssel", Name: "Name", Value: "Wert", Status: "Status", Class: "Klasse",
	N: "Gebiete mit Wert", Suppressed: "geheim gehalten", Missing: "ohne Wert", Min: "Minimum", Max: "Maximum",
	Mean: "Mittelwert (ungewichtet)", Median: "Median", City: "Gesamtstadt",
	Classification: "Klassenbildung", Disclosure: "Geheimhaltung", Computation: "Berechnung", Breaks: "Klassengrenzen (Obergrenzen, einschließlich)",
	StatusOK: "ok", NoCity: "kein Wert", NoSeries: "Für die Gesamtstadt gibt es an keinem Stichtag einen Wert (siehe Hinweis der Statistik).",
	Footer: "Erstellt mit sozialatlas. Geheim gehaltene Werte sind in keiner Zahl dieses Berichts enthalten.",
	Polarity: map[atlas.Polarity]string{atlas.HigherWorse: "höhere Werte sind ungünstiger", atlas.HigherBetter: "höhere Werte sind günstiger",
		atlas.Neutral: "ohne Wertung"},
	Meta: map[string]string{"indicator": "Indikator", "unit": "Einheit", "topic": "Thema", "level": "Ebene", "date": "Stichtag",
		"source": "Quelle", "licence": "Lizenz", "attribution": "Namensnennung", "units": "Gebiete", "polarity": "Richtung",
		"interval": "Aktualisierung"},
}

var englishReport = reportTexts{
	Legend: "Legend", Statistics: "Statistics", Series: "City over time",
	SeriesNote: "The city's value on each date (from published values; see the note under statistics).",
	Method:     "Method", Metadata: "Metadata", Units: "Areas",
	Rank: "Rank", Code: "Code", Name: "Name", Value: "Value", Status: "Status", Class: "Class",
	N: "Areas with a value", Suppressed: "withheld", Missing: "without a value", Min: "Minimum", Max: "Maximum",
	Mean: "Mean (unweighted)", Median: "Median", City: "City",
	Classification: "Classes", Disclosure: "Disclosure control", Computation: "Computation", Breaks: "Class bounds (inclusive upper bounds)",
	StatusOK: "ok", NoCity: "no value", NoSeries: "The city has a value on no date (see the note under statistics).",
	Footer: "Made with sozialatlas. Withheld values enter no number of this report.",
	Polarity: map[atlas.Polarity]string{atlas.HigherWorse: "higher is worse", atlas.HigherBetter: "higher is better",
		atlas.Neutral: "neutral"},
	Meta: map[string]string{"indicator": "Indicator", "unit": "Unit", "topic": "Topic", "level": "Level", "date": "Date",
		"source": "Source", "licence": "Licence", "attribution": "Attribution", "units": "Areas", "polarity": "Direction",
		"interval": "Updated"},
}

// reportPage is what the template shows.
type reportPage struct {
	Lang       string
	T          reportTexts
	Title      string
	Subtitle   []string
	Map        template.HTML
	Legend     []legendRow
	Stats      []pair
	CityNote   string
	Chart      template.HTML
	Method     []string
	Meta       []pair
	Units      []unitRow
	Attributes []string // the map's notes: attribution and explanations
}

type legendRow struct {
	Swatch template.HTML
	Label  string
}

type pair struct{ Key, Value string }

type unitRow struct {
	Rank, Code, Name, Value, Status, Class string
}

// Size of the report's map and chart, mm (the A4 page's width less its
// margins).
const (
	reportMapW, reportMapH     = 180, 150
	reportChartW, reportChartH = 180, 55
)

func (s *Server) report(c echo.Context) error {
	tr, err := langParam(c.QueryParam("lang"))
	if err != nil {
		return err
	}
	v, err := s.mapViewOf(c, c.Param("level"), c.Param("id"))
	if err != nil {
		return err
	}
	p := mapParams{width: reportMapW, height: reportMapH, lang: tr}
	m, err := s.mapOf(c.Request().Context(), v, p)
	if err != nil {
		return err
	}
	m.Bare = true
	scene, _, err := render.BuildMap(m)
	if err != nil {
		return tooSmall(err)
	}
	var svg bytes.Buffer
	if err := render.WriteSVG(&svg, scene, render.SVGOptions{Fragment: true, IDPrefix: "map-"}); err != nil {
		return atlas.Internalf(err, "report map")
	}
	t := v.t
	ind := t.Indicator
	page := reportPage{Lang: tr.code, T: tr.report, Title: ind.Name, Subtitle: m.Subtitle,
		Map: template.HTML(svg.String()), Attributes: m.Notes}
	page.Legend = reportLegend(m.Legend)

	city, err := s.cityValue(c, t)
	if err != nil {
		return err
	}
	page.Stats, page.CityNote = reportStats(t, tr, city)
	chart, err := s.reportChart(c, t, tr)
	if err != nil {
		return err
	}
	page.Chart = chart
	page.Method = s.methodText(t, tr)
	page.Meta = reportMeta(t, v.level, tr)
	page.Units = reportUnits(t, tr)

	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, page); err != nil {
		return atlas.Internalf(err, "report of %s", ind.ID)
	}
	return sendFile(c, ind, "text/html; charset=utf-8", "", "", b.Bytes())
}

// reportLegend draws each legend entry's swatch as a small inline SVG, so
// that it prints as the map does (browsers drop CSS backgrounds in print).
func reportLegend(lg render.Legend) []legendRow {
	var rows []legendRow
	swatch := func(st render.Style, id string) template.HTML {
		sc := &render.Scene{Width: 14, Height: 9, Items: []render.Item{render.Rect(0.25, 0.25, 13.5, 8.5, st)}}
		var b bytes.Buffer
		render.WriteSVG(&b, sc, render.SVGOptions{Fragment: true, IDPrefix: id + "-"})
		return template.HTML(b.String())
	}
	frame := render.Color{R: 0x99, G: 0x99, B: 0x99}
	for i, c := range lg.Classes {
		col := c.Color
		rows = append(rows, legendRow{swatch(render.Style{Fill: &col, Stroke: &frame, StrokeWidth: 0.5}, "class"+strconv.Itoa(i)), c.Label})
	}
	if n := lg.NoData; n != nil {
		rows = append(rows, legendRow{swatch(render.Style{Fill: &render.NoDataColor, Stroke: &frame, StrokeWidth: 0.5}, "nodata"), n.Label})
	}
	if n := lg.Suppressed; n != nil {
		h := render.SuppressedHatch
		rows = append(rows, legendRow{swatch(render.Style{Fill: &render.SuppressedColor, Hatch: &h, Stroke: &frame, StrokeWidth: 0.5}, "suppressed"), n.Label})
	}
	return rows
}

// reportStats are the counts and the summary of the published values, and
// the city value with its note.
func reportStats(t *table, tr *texts, city cityDoc) ([]pair, string) {
	rt := tr.report
	ok, suppressed, missing := t.counts()
	unit := " " + t.Indicator.Unit
	out := []pair{{rt.N, strconv.Itoa(ok)}, {rt.Suppressed, strconv.Itoa(suppressed)}, {rt.Missing, strconv.Itoa(missing)}}
	if sum, found := stats.Summarize(t.Numbers()); found {
		dec := t.Indicator.Precision
		out = append(out, pair{rt.Min, tr.number(sum.Min, dec) + unit}, pair{rt.Max, tr.number(sum.Max, dec) + unit},
			pair{rt.Mean, tr.number(sum.Mean, dec) + unit}, pair{rt.Median, tr.number(sum.Median, dec) + unit})
	}
	cv := rt.NoCity
	if city.Value != nil {
		cv = tr.number(*city.Value, t.Indicator.Precision) + unit
	}
	return append(out, pair{rt.City, cv}), city.Note
}

// reportChart is the city value on every date of the indicator at the
// level, each from that date's table (so from published values only).
func (s *Server) reportChart(c echo.Context, t *table, tr *texts) (template.HTML, error) {
	ch := render.Chart{Width: reportChartW * 72 / 25.4, Height: reportChartH * 72 / 25.4,
		Color:  render.Color{R: 0x08, G: 0x51, B: 0x9c},
		Format: tr.number, Decimals: t.Indicator.Precision}
	found := false
	for _, d := range t.Dates {
		tt := t
		if d != t.Date {
			var err error
			if tt, err = s.readTable(c, t.Indicator, t.Level, d); err != nil {
				return "", err
			}
		}
		city, err := s.cityValue(c, tt)
		if err != nil {
			return "", err
		}
		ch.Labels = append(ch.Labels, tr.date(d))
		ch.Values = append(ch.Values, city.Value)
		found = found || city.Value != nil
	}
	if !found {
		return "", nil // the page says so instead of an empty chart
	}
	var b bytes.Buffer
	if err := render.WriteSVG(&b, render.BuildChart(ch), render.SVGOptions{Fragment: true, IDPrefix: "chart-"}); err != nil {
		return "", atlas.Internalf(err, "report chart")
	}
	return template.HTML(b.String()), nil
}

// methodText describes the indicator, its computation from the catalog,
// its classes and disclosure control.
func (s *Server) methodText(t *table, tr *texts) []string {
	rt := tr.report
	ind := t.Indicator
	var out []string
	if ind.Description != "" {
		out = append(out, ind.Description)
	}
	if s.catalog != nil {
		if d, found := s.catalog.Definition(ind.ID); found {
			out = append(out, rt.Computation+": "+computeText(d.Compute))
			rule := d.Disclosure
			if rule == nil {
				rule = s.catalog.Defaults.Disclosure
			}
			if rule.Protects() {
				if tr.code == "de" {
					out = append(out, fmt.Sprintf("%s: Fallzahlen unter %d werden nicht veröffentlicht, ebenso Werte, aus denen sie sich zurückrechnen ließen (sekundäre Geheimhaltung).", rt.Disclosure, rule.K))
				} else {
					out = append(out, fmt.Sprintf("%s: counts below %d are not published, nor values from which they could be derived (secondary suppression).", rt.Disclosure, rule.K))
				}
			}
		}
	}
	if lg := t.Legend; lg != nil {
		breaks := make([]string, len(lg.Breaks))
		for i, b := range lg.Breaks {
			breaks[i] = tr.number(b, distinctDecimals(append([]float64{lg.Min}, lg.Breaks...), ind.Precision))
		}
		out = append(out, rt.Classification+": "+tr.methods[lg.Method]+", "+strconv.Itoa(len(lg.Breaks))+" "+
			strings.ToLower(tr.classesWord)+", "+tr.scheme+" "+lg.Scheme+". "+rt.Breaks+": "+strings.Join(breaks, "; ")+".")
	} else if t.Unclassified != "" {
		out = append(out, tr.unclassified+t.Unclassified)
	}
	return out
}

// computeText lists a formula's parameters that are set.
func computeText(cp indicator.Compute) string {
	parts := []string{"op " + cp.Op}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+" "+v)
		}
	}
	add("numerator", cp.Numerator)
	add("denominator", cp.Denominator)
	if cp.Scale != 0 {
		add("scale", strconv.FormatFloat(cp.Scale, 'f', -1, 64))
	}
	add("inputs", strings.Join(cp.Inputs, ", "))
	add("of", cp.Of)
	add("mode", cp.Mode)
	add("layer", cp.Layer)
	add("measure", cp.Measure)
	add("population", cp.Population)
	if cp.Distance != 0 {
		add("distance", strconv.FormatFloat(cp.Distance, 'f', -1, 64)+" m")
	}
	if cp.D0 != 0 {
		add("d0", strconv.FormatFloat(cp.D0, 'f', -1, 64)+" m")
	}
	add("level", cp.Level)
	return strings.Join(parts, "; ")
}

func reportMeta(t *table, level atlas.Level, tr *texts) []pair {
	m := tr.report.Meta
	ind := t.Indicator
	var out []pair
	add := func(k, v string) {
		if v != "" {
			out = append(out, pair{m[k], v})
		}
	}
	add("indicator", ind.Name+" ("+ind.ID+")")
	add("unit", ind.Unit)
	add("topic", ind.Topic)
	add("level", level.Name+" ("+level.ID+")")
	add("date", tr.date(t.Date))
	add("source", ind.Source)
	add("licence", ind.Licence)
	add("attribution", ind.Attribution)
	add("units", strings.Trim(strings.Join([]string{level.Attribution, level.Source, level.Licence}, "; "), "; "))
	add("polarity", tr.report.Polarity[ind.Polarity])
	add("interval", ind.Interval)
	return out
}

// reportUnits lists the units by rank (1 the highest value), then those
// without a value in code order; a withheld row has no number.
func reportUnits(t *table, tr *texts) []unitRow {
	var out []unitRow
	for _, r := range rankRows(t, true) {
		row := unitRow{Rank: strconv.Itoa(r.rank), Code: r.Code, Name: r.Name,
			Value: tr.number(*r.Value, t.Indicator.Precision), Status: tr.report.StatusOK}
		if label := t.classOf(r.Value); label != nil {
			row.Class = *label
		}
		out = append(out, row)
	}
	for _, r := range t.Rows {
		if r.Value == nil {
			st := tr.noData
			if r.Status == atlas.Suppressed {
				st = tr.suppressed
			}
			out = append(out, unitRow{Code: r.Code, Name: r.Name, Status: st})
		}
	}
	return out
}
