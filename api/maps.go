package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
	"github.com/sozialatlas/sozialatlas/pkg/render"
)

// Maps for council reports: /maps/{level}/{indicator}.{svg,png,pdf}
// renders the choropleth on the server. Values, classes and colours come
// from the table and the one classification (readTable, classify) that
// the values and breaks answers use; pkg/render lays out one scene and
// writes it in the three formats. A withheld value reaches the scene only
// as its status: its area is hatched, never coloured by a class.

// mapRoute is the route of the server-rendered maps; id is the indicator
// with the format's extension.
const mapRoute = "/maps/:level/:id"

// routesMaps registers the maps and report pages.
func (s *Server) routesMaps(e *echo.Echo) {
	e.GET(mapRoute, s.mapFile)
	e.GET("/reports/:level/:id", s.report)
}

// Bounds of the map parameters.
const (
	minPageMM, maxPageMM = 50, 420 // A3's long side
	defaultWidthMM       = 210     // A4 portrait
	defaultHeightMM      = 297
	minDPI, maxDPI       = 72, 300
	defaultDPI           = 150
	maxTitle             = 200
	mediaSVG             = "image/svg+xml"
	mediaPDF             = "application/pdf"
	mediaPNG             = "image/png"
)

var mapMedia = map[string]string{"svg": mediaSVG, "png": mediaPNG, "pdf": mediaPDF}

// mapParams are a map request's parameters, checked.
type mapParams struct {
	format        string  // svg, png, pdf
	width, height float64 // mm
	dpi           float64
	bbox          *orb.Bound
	title         string
	lang          *texts
	labels        bool
}

// splitExt splits "mss-status-index.png" into the indicator id and the
// format; without an extension the format is SVG.
func splitExt(name string) (string, string, error) {
	id, ext, found := strings.Cut(name, ".")
	if !found {
		return id, "svg", nil
	}
	if _, ok := mapMedia[ext]; !ok {
		return "", "", atlas.Errorf(atlas.EINVALID, "map format %q: want %s.svg, %s.png or %s.pdf", ext, id, id, id)
	}
	return id, ext, nil
}

func parseMapParams(c echo.Context, format string) (mapParams, error) {
	p := mapParams{format: format, width: defaultWidthMM, height: defaultHeightMM, dpi: defaultDPI}
	var err error
	if p.width, err = boundedNumber(c, "width", defaultWidthMM, minPageMM, maxPageMM, "millimetres"); err != nil {
		return p, err
	}
	if p.height, err = boundedNumber(c, "height", defaultHeightMM, minPageMM, maxPageMM, "millimetres"); err != nil {
		return p, err
	}
	if p.dpi, err = boundedNumber(c, "dpi", defaultDPI, minDPI, maxDPI, "dots per inch"); err != nil {
		return p, err
	}
	if p.bbox, err = mapBBox(c.QueryParam("bbox")); err != nil {
		return p, err
	}
	if p.title, err = titleParam(c.QueryParam("title")); err != nil {
		return p, err
	}
	if p.lang, err = langParam(c.QueryParam("lang")); err != nil {
		return p, err
	}
	switch v := c.QueryParam("labels"); v {
	case "", "false":
	case "true":
		p.labels = true
	default:
		return p, atlas.Errorf(atlas.EINVALID, "labels %q: want true or false", v)
	}
	return p, nil
}

// boundedNumber reads a number parameter within [lo, hi].
func boundedNumber(c echo.Context, name string, def, lo, hi float64, unit string) (float64, error) {
	v := c.QueryParam(name)
	if v == "" {
		return def, nil
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) || x < lo || x > hi {
		return 0, atlas.Errorf(atlas.EINVALID, "%s %q: want a number from %g to %g (%s)", name, v, lo, hi, unit)
	}
	return x, nil
}

// mapBBox reads bbox and asks for an area a map can show.
func mapBBox(v string) (*orb.Bound, error) {
	b, err := parseBBox(v)
	if err != nil || b == nil {
		return b, err
	}
	for _, x := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, atlas.Errorf(atlas.EINVALID, "bbox %q: want four finite numbers minLon,minLat,maxLon,maxLat", v)
		}
	}
	if b.Min[0] >= b.Max[0] || b.Min[1] >= b.Max[1] {
		return nil, atlas.Errorf(atlas.EINVALID, "bbox %q: the area is empty; want minLon < maxLon and minLat < maxLat", v)
	}
	if b.Max[1] > 85 || b.Min[1] < -85 {
		return nil, atlas.Errorf(atlas.EINVALID, "bbox %q: latitudes beyond ±85° cannot be mapped", v)
	}
	return b, nil
}

func titleParam(v string) (string, error) {
	if len([]rune(v)) > maxTitle {
		return "", atlas.Errorf(atlas.EINVALID, "title: at most %d characters", maxTitle)
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return "", atlas.Errorf(atlas.EINVALID, "title: no control characters (line breaks, tabs)")
		}
	}
	return strings.TrimSpace(v), nil
}

func langParam(v string) (*texts, error) {
	switch v {
	case "", "de":
		return &german, nil
	case "en":
		return &english, nil
	}
	return nil, atlas.Errorf(atlas.EINVALID, "lang %q: want de or en", v)
}

// mapView is what a map and a report show: the classified table, the
// level, and every unit of the level with its geometry.
type mapView struct {
	t      *table
	level  atlas.Level
	units  []atlas.Unit
	offers *atlas.OfferLayer // the offers=<layer> drawn as points, when asked for
}

// mapViewOf reads the indicator (404 when the caller may not see it), its
// classified table at the level on the request's date, and the level's
// units with geometry.
func (s *Server) mapViewOf(c echo.Context, levelID, id string) (*mapView, error) {
	t, err := s.tableAt(c, id, levelID)
	if err != nil {
		return nil, err
	}
	if err := s.classify(c, t); err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	level, err := s.levelOf(ctx, levelID)
	if err != nil {
		return nil, err
	}
	units, err := s.store.Units(ctx, levelID, atlas.UnitQuery{})
	if err != nil {
		return nil, err
	}
	v := &mapView{t: t, level: level, units: units}
	if v.offers, err = s.offersParam(c); err != nil {
		return nil, err
	}
	return v, nil
}

// offersParam is the offers=<layer> to draw, nil without one. Only a
// layer the caller may see; an unknown or hidden one is a bad parameter,
// named among the visible ones.
func (s *Server) offersParam(c echo.Context) (*atlas.OfferLayer, error) {
	id := c.QueryParam("offers")
	if id == "" {
		return nil, nil
	}
	l, err := s.layerOf(c, id)
	if atlas.ErrorCode(err) == atlas.ENOTFOUND {
		return nil, atlas.Errorf(atlas.EINVALID, "offers: %s", atlas.ErrorMessage(err))
	} else if err != nil {
		return nil, err
	}
	return &l, nil
}

// levelOf is a level's metadata.
func (s *Server) levelOf(ctx context.Context, id string) (atlas.Level, error) {
	levels, err := s.store.Levels(ctx)
	if err != nil {
		return atlas.Level{}, err
	}
	for _, l := range levels {
		if l.ID == id {
			return l, nil
		}
	}
	return atlas.Level{}, atlas.Errorf(atlas.ENOTFOUND, "level %q does not exist", id)
}

// mapFile answers /maps/{level}/{indicator}.{svg,png,pdf}.
func (s *Server) mapFile(c echo.Context) error {
	id, format, err := splitExt(c.Param("id"))
	if err != nil {
		return err
	}
	p, err := parseMapParams(c, format)
	if err != nil {
		return err
	}
	if id == gapMapID {
		return s.gapMapFile(c, p)
	}
	v, err := s.mapViewOf(c, c.Param("level"), id)
	if err != nil {
		return err
	}
	m, err := s.mapOf(c.Request().Context(), v, p)
	if err != nil {
		return err
	}
	b, err := drawMapFile(m, p, id)
	if err != nil {
		return err
	}
	file := v.t.Indicator.ID + "_" + v.t.Level + "_" + v.t.Date.String() + "." + p.format
	return sendFile(c, v.t.Indicator, mapMedia[p.format], "inline", file, b)
}

// drawMapFile lays out the map and writes it in the request's format.
func drawMapFile(m render.Map, p mapParams, what string) ([]byte, error) {
	scene, _, err := render.BuildMap(m)
	if err != nil {
		return nil, tooSmall(err)
	}
	var b bytes.Buffer
	switch p.format {
	case "svg":
		err = render.WriteSVG(&b, scene, render.SVGOptions{})
	case "png":
		err = render.WritePNG(&b, scene, p.dpi)
	case "pdf":
		err = render.WritePDF(&b, scene)
	}
	if err != nil {
		return nil, atlas.Internalf(err, "map %s of %s", p.format, what)
	}
	return b.Bytes(), nil
}

// tooSmall turns render's page-size error into a problem for the caller.
func tooSmall(err error) error {
	if e, ok := err.(*render.TooSmallError); ok {
		return atlas.Errorf(atlas.EINVALID, "the page is too small for the map with its title, legend and notes: make height at least %.0f mm or width larger",
			math.Ceil(e.NeedHeight*25.4/72))
	}
	return err
}

// sendFile answers a rendered file with a strong ETag (its bytes are a
// function of the request and the data), which the answer middleware keeps
// and matches for 304, and caching rules by the indicator's visibility.
func sendFile(c echo.Context, ind atlas.Indicator, mediaType, disposition, file string, body []byte) error {
	h := c.Response().Header()
	sum := sha256.Sum256(body)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	if ind.Visibility == atlas.Public {
		h.Set(echo.HeaderCacheControl, "public, max-age=60")
	} else {
		h.Set(echo.HeaderCacheControl, "private, max-age=60")
	}
	if file != "" {
		h.Set(echo.HeaderContentDisposition, mime.FormatMediaType(disposition, map[string]string{"filename": file}))
	}
	return c.Blob(http.StatusOK, mediaType, body)
}

// mapOf describes the map: areas with their classes, the legend with the
// classification's ranges and counts, texts in the reader's language.
func (s *Server) mapOf(ctx context.Context, v *mapView, p mapParams) (render.Map, error) {
	t, tr := v.t, p.lang
	ind := t.Indicator
	m := render.Map{Width: p.width * 72 / 25.4, Height: p.height * 72 / 25.4, Lang: tr.code, Labels: p.labels}
	m.Title = p.title
	if m.Title == "" {
		m.Title = ind.Name
	}
	m.Subtitle = tr.subtitle(t, v.level, m.Title != ind.Name)
	classes, err := legendClasses(t, tr)
	if err != nil {
		return m, err
	}
	m.Legend = render.Legend{Title: tr.legendTitle(ind), Classes: classes}

	byCode := make(map[string]*row, len(t.Rows))
	for i := range t.Rows {
		byCode[t.Rows[i].Code] = &t.Rows[i]
	}
	missing, suppressed := 0, 0
	for _, u := range v.units {
		a := render.Area{Code: u.Code, Geometry: u.Geometry, Label: u.Name, Class: render.NoData}
		r := byCode[u.Code]
		switch {
		case r != nil && r.Value != nil:
			a.Class = 0 // one class when the values have none (see legendClasses)
			if t.Legend != nil {
				a.Class = t.Legend.Class(*r.Value)
			}
			a.Title = u.Name + " (" + u.Code + "): " + tr.number(*r.Value, ind.Precision) + " " + ind.Unit
		case r != nil && r.Status == atlas.Suppressed:
			a.Class = render.Suppressed
			a.Title = u.Name + " (" + u.Code + "): " + tr.suppressed
			suppressed++
		default:
			a.Title = u.Name + " (" + u.Code + "): " + tr.noData
			missing++
		}
		m.Areas = append(m.Areas, a)
	}
	if suppressed > 0 {
		m.Legend.Suppressed = &render.LegendNote{Label: tr.suppressed + " (" + strconv.Itoa(suppressed) + ")", Explanation: tr.suppressedNote}
	}
	if missing > 0 {
		m.Legend.NoData = &render.LegendNote{Label: tr.noData + " (" + strconv.Itoa(missing) + ")", Explanation: tr.noDataNote}
	}
	if err := s.extentAndOffers(ctx, &m, v.level, v.units, v.offers, p); err != nil {
		return m, err
	}
	if t.Legend == nil && t.Unclassified != "" {
		m.Notes = append(m.Notes, tr.unclassified+t.Unclassified)
	}
	m.Notes = append([]string{
		tr.attribution(tr.dataWord, ind.Attribution, ind.Source, ind.Licence),
		tr.attribution(tr.areasWord+" "+v.level.Name, v.level.Attribution, v.level.Source, v.level.Licence),
	}, m.Notes...)
	m.Notes = append(m.Notes, tr.madeWith)
	return m, nil
}

// extentAndOffers sets the map's extent from bbox (which must show a
// unit) and draws the offers of the layer, when asked for, with their
// attribution as a note.
func (s *Server) extentAndOffers(ctx context.Context, m *render.Map, level atlas.Level, units []atlas.Unit, layer *atlas.OfferLayer, p mapParams) error {
	if p.bbox != nil {
		m.Extent = *p.bbox
		if !intersectsAny(units, *p.bbox) {
			return atlas.Errorf(atlas.EINVALID, "bbox: no unit of %s lies in it; the level covers %s", level.ID, boundString(atlas.UnitsBound(units)))
		}
	}
	if layer != nil {
		pts, err := s.offerPoints(ctx, layer.ID, m.Extent, units)
		if err != nil {
			return err
		}
		m.Points = pts
		m.PointsLabel = layer.Name + " (" + strconv.Itoa(len(pts)) + ")"
		tr := p.lang
		m.Notes = append(m.Notes, tr.attribution(tr.offersWord+" "+layer.Name, layer.Attribution, layer.Source, layer.Licence))
	}
	return nil
}

// offerPoints are the offers of a layer in the map's extent (the units'
// when it has none), read as the offers answer reads them.
func (s *Server) offerPoints(ctx context.Context, layer string, ext orb.Bound, units []atlas.Unit) ([]orb.Point, error) {
	if ext.IsZero() {
		ext = atlas.UnitsBound(units)
	}
	offers, err := s.store.Offers(ctx, layer, atlas.OfferQuery{BBox: &ext})
	if err != nil {
		return nil, err
	}
	pts := make([]orb.Point, 0, len(offers))
	for _, o := range offers {
		pts = append(pts, o.Geometry)
	}
	return pts, nil
}

func intersectsAny(units []atlas.Unit, b orb.Bound) bool {
	for _, u := range units {
		if u.Geometry.Bound().Intersects(b) {
			return true
		}
	}
	return false
}

func boundString(b orb.Bound) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
	return f(b.Min[0]) + "," + f(b.Min[1]) + "," + f(b.Max[0]) + "," + f(b.Max[1])
}

// legendClasses are the legend's classes: range, label and count of each
// class of the one classification, with the exact bounds for readers of
// the SVG. Values without classes (one distinct value) get one entry.
func legendClasses(t *table, tr *texts) ([]render.LegendClass, error) {
	ind := t.Indicator
	lg := t.Legend
	if lg == nil {
		nums := t.Numbers()
		if len(nums) == 0 {
			return nil, nil
		}
		cols, err := classify.Palette(classify.DefaultScheme(polarityOf(ind)), 1, polarityOf(ind))
		if err != nil {
			return nil, atlas.Internalf(err, "palette")
		}
		col, _ := render.ParseHex(cols[0])
		return []render.LegendClass{{Label: tr.number(nums[0], ind.Precision) + " (" + strconv.Itoa(len(nums)) + ")", Color: col}}, nil
	}
	bounds := append([]float64{lg.Min}, lg.Breaks...)
	dec := distinctDecimals(bounds, ind.Precision)
	out := make([]render.LegendClass, len(lg.Breaks))
	for i, b := range lg.Breaks {
		col, err := render.ParseHex(lg.Colors[i])
		if err != nil {
			return nil, atlas.Internalf(err, "legend colour")
		}
		label := tr.rangeLabel(i, bounds[i], b, dec)
		if name := lg.Labels[i]; name != strconv.Itoa(i+1) {
			label = name + ": " + label
		}
		label += " (" + strconv.Itoa(lg.Counts[i]) + ")"
		out[i] = render.LegendClass{Label: label, Color: col, Attrs: []render.Attr{
			{Name: "data-class", Value: strconv.Itoa(i)},
			{Name: "data-label", Value: lg.Labels[i]},
			{Name: "data-lower", Value: strconv.FormatFloat(bounds[i], 'g', -1, 64)},
			{Name: "data-upper", Value: strconv.FormatFloat(b, 'g', -1, 64)},
			{Name: "data-count", Value: strconv.Itoa(lg.Counts[i])},
			{Name: "data-color", Value: lg.Colors[i]},
		}}
	}
	return out, nil
}

func polarityOf(ind atlas.Indicator) string {
	if ind.Polarity == "" {
		return classify.Neutral
	}
	return string(ind.Polarity)
}

// distinctDecimals is the number of decimals, from the indicator's
// precision up to 6, at which neighbouring bounds read differently.
func distinctDecimals(bounds []float64, precision int) int {
	dec := max(0, precision)
	for ; dec < 6; dec++ {
		ok := true
		for i := 1; i < len(bounds); i++ {
			if strconv.FormatFloat(bounds[i-1], 'f', dec, 64) == strconv.FormatFloat(bounds[i], 'f', dec, 64) {
				ok = false
			}
		}
		if ok {
			break
		}
	}
	return dec
}

// texts are a map's and a report's words in one language.
type texts struct {
	code                                string
	decimal, group                      string
	noData, suppressed                  string
	noDataNote, suppressedNote          string
	dataWord, areasWord, offersWord     string
	sourceWord, licenceWord             string
	unitWord, asOf, classesWord, scheme string
	from, over, to                      string
	madeWith, unclassified              string
	methods                             map[classify.Method]string
	report                              reportTexts
}

var german = texts{
	code: "de", decimal: ",", group: ".",
	noData: "keine Daten", suppressed: "geheim gehalten",
	noDataNote:     "Grau: für dieses Gebiet liegt kein Wert vor.",
	suppressedNote: "Schraffiert: Wert aus Gründen der statistischen Geheimhaltung nicht veröffentlicht (zu kleine Fallzahlen); er geht in keine Klasse, Summe oder Statistik ein.",
	dataWord:       "Daten", areasWord: "Gebiete", offersWord: "Angebote",
	sourceWord: "Quelle", licenceWord: "Lizenz",
	unitWord: "Einheit", asOf: "Stand", classesWord: "Klassen", scheme: "Farbschema",
	from: "", over: "über", to: "bis",
	madeWith:     "Karte: sozialatlas.",
	unclassified: "Die Werte lassen sich nicht in Klassen teilen: ",
	methods: map[classify.Method]string{classify.Quantile: "Quantile", classify.EqualInterval: "gleiche Intervalle",
		classify.Jenks: "natürliche Brüche (Jenks)", classify.StdDev: "Standardabweichungen", classify.Manual: "feste Grenzen"},
	report: germanReport,
}

var english = texts{
	code: "en", decimal: ".", group: ",",
	noData: "no data", suppressed: "withheld",
	noDataNote:     "Grey: there is no value for this area.",
	suppressedNote: "Hatched: value withheld by statistical disclosure control (counts too small to publish); it enters no class, sum or statistic.",
	dataWord:       "Data", areasWord: "Areas", offersWord: "Offers",
	sourceWord: "source", licenceWord: "licence",
	unitWord: "Unit", asOf: "as of", classesWord: "Classes", scheme: "colour scheme",
	from: "", over: "over", to: "to",
	madeWith:     "Map: sozialatlas.",
	unclassified: "The values cannot be split into classes: ",
	methods: map[classify.Method]string{classify.Quantile: "quantiles", classify.EqualInterval: "equal intervals",
		classify.Jenks: "natural breaks (Jenks)", classify.StdDev: "standard deviations", classify.Manual: "fixed bounds"},
	report: englishReport,
}

// number formats v with dec decimals and the language's separators.
func (tr *texts) number(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', max(0, dec), 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg && strings.Trim(s, "0.") != "" {
		b.WriteByte('-')
	}
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(tr.group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(tr.decimal + frac)
	}
	return b.String()
}

// date is 31.12.2020 in German, 2020-12-31 in English.
func (tr *texts) date(d atlas.Date) string {
	if tr.code == "de" {
		return d.Time().Format("02.01.2006")
	}
	return d.String()
}

// rangeLabel is a class's range: the first from the minimum, the others
// above the bound below (breaks are inclusive upper bounds).
func (tr *texts) rangeLabel(i int, lo, hi float64, dec int) string {
	if i == 0 {
		return tr.number(lo, dec) + " " + tr.to + " " + tr.number(hi, dec)
	}
	return tr.over + " " + tr.number(lo, dec) + " " + tr.to + " " + tr.number(hi, dec)
}

func (tr *texts) legendTitle(ind atlas.Indicator) string {
	if ind.Unit == "" {
		return ind.Name
	}
	return ind.Name + " (" + ind.Unit + ")"
}

// subtitle names the indicator (when the title does not), its unit, the
// level, the date and the classification.
func (tr *texts) subtitle(t *table, level atlas.Level, withName bool) []string {
	var parts []string
	if withName {
		parts = append(parts, t.Indicator.Name)
	}
	if t.Indicator.Unit != "" {
		parts = append(parts, tr.unitWord+": "+t.Indicator.Unit)
	}
	parts = append(parts, level.Name, tr.asOf+" "+tr.date(t.Date))
	lines := []string{strings.Join(parts, " · ")}
	if lg := t.Legend; lg != nil {
		lines = append(lines, tr.classesWord+": "+tr.methods[lg.Method]+", "+strconv.Itoa(len(lg.Breaks))+" · "+tr.scheme+" "+lg.Scheme)
	}
	return lines
}

// attribution is "<what>: <attribution>; <source>; licence <licence>."
func (tr *texts) attribution(what, attribution, source, licence string) string {
	var parts []string
	if attribution != "" {
		parts = append(parts, attribution)
	}
	if source != "" && source != attribution {
		parts = append(parts, tr.sourceWord+": "+source)
	}
	if licence != "" {
		parts = append(parts, tr.licenceWord+": "+licence)
	}
	if len(parts) == 0 {
		return what + ": –"
	}
	return what + ": " + strings.Join(parts, "; ") + "."
}

// ---- the gap map ----

// gapMapID is the name of the gap map in the maps' route:
// /maps/{level}/_gap.{svg,png,pdf}. Every lower-case name (gap, gaps,
// gap-analysis) is a valid indicator id (atlas.ValidID), so a catalog
// could define it; a name starting with "_" cannot be one, so the gap
// map never hides an indicator's map.
const gapMapID = "_gap"

// gapTexts are the gap map's words in one language.
type gapTexts struct {
	title, legend, need, supply, upTo string
	levels                            [3]string
	noDataNote, suppressedNote        string
	breaksFrom                        map[string]string
	method                            string
}

var germanGap = gapTexts{
	title: "Bedarf und Angebot", legend: "Bedarf gegen Angebot: Zahl der Gebiete je Klasse",
	need: "Bedarf", supply: "Angebot", upTo: "bis",
	levels:         [3]string{"niedrig", "mittel", "hoch"},
	noDataNote:     "Grau: für dieses Gebiet fehlt mindestens einer der beiden Werte.",
	suppressedNote: "Schraffiert: mindestens einer der beiden Werte ist aus Gründen der statistischen Geheimhaltung nicht veröffentlicht (zu kleine Fallzahlen); das Gebiet geht in keine Klasse ein.",
	breaksFrom:     map[string]string{"terciles": "Terzile der veröffentlichten Werte", "catalog": "Grenzen des Katalogs", "request": "Grenzen der Anfrage"},
	method:         "Klassen: je Indikator niedrig, mittel, hoch an zwei Grenzen (obere Grenzen, einschließlich); die Polarität bestimmt, welches Ende Bedarf bzw. Angebot ist. Bedarf: %s; Angebot: %s. Dunkelste Klasse: hoher Bedarf bei niedrigem Angebot.",
}

var englishGap = gapTexts{
	title: "Need and supply", legend: "Need against supply: number of areas per class",
	need: "Need", supply: "Supply", upTo: "up to",
	levels:         [3]string{"low", "middle", "high"},
	noDataNote:     "Grey: at least one of the two values is missing for this area.",
	suppressedNote: "Hatched: at least one of the two values is withheld by statistical disclosure control (counts too small to publish); the area enters no class.",
	breaksFrom:     map[string]string{"terciles": "terciles of the published values", "catalog": "the catalog's cut-offs", "request": "the request's cut-offs"},
	method:         "Classes: each indicator low, middle, high at two cut-offs (upper bounds, inclusive); polarity decides which end is need or supply. Need: %s; supply: %s. Darkest class: high need with low supply.",
}

func (tr *texts) gapWords() *gapTexts {
	if tr.code == "en" {
		return &englishGap
	}
	return &germanGap
}

// gapMapFile answers /maps/{level}/_gap.{svg,png,pdf}: the areas in the
// classes of exactly the analysis /api/v1/gaps answers for the same
// parameters (gapAnalysis), with a 3 × 3 legend.
func (s *Server) gapMapFile(c echo.Context, p mapParams) error {
	m, doc, vis, err := s.gapMap(c, p)
	if err != nil {
		return err
	}
	b, err := drawMapFile(m, p, "the gap analysis")
	if err != nil {
		return err
	}
	file := "gap_" + doc.Need.Indicator + "_" + doc.Supply.Indicator + "_" + doc.Level + "_" + doc.Need.Date.String()
	if doc.Supply.Date != doc.Need.Date {
		file += "_" + doc.Supply.Date.String()
	}
	return sendFile(c, vis, mapMedia[p.format], "inline", file+"."+p.format, b)
}

// gapMap reads the analysis and describes its map; vis is the less public
// of the two indicators, which decides how the file may be cached.
func (s *Server) gapMap(c echo.Context, p mapParams) (render.Map, *gapDoc, atlas.Indicator, error) {
	var m render.Map
	var vis atlas.Indicator
	level := c.Param("level")
	if q := c.QueryParam("level"); q != "" && q != level {
		return m, nil, vis, atlas.Errorf(atlas.EINVALID, "level %q: the gap map's level is the path's, %q; leave level= out", q, level)
	}
	req, err := s.gapRequestOf(c)
	if err != nil {
		return m, nil, vis, err
	}
	req.level = level
	doc, err := s.gapAnalysis(c, req) // both indicators through s.indicator: 404 when hidden
	if err != nil {
		return m, nil, vis, err
	}
	var inds [2]atlas.Indicator
	for i, id := range []string{doc.Need.Indicator, doc.Supply.Indicator} {
		if inds[i], err = s.indicator(c, id); err != nil {
			return m, nil, vis, err
		}
	}
	vis = inds[0]
	if inds[1].Visibility != atlas.Public {
		vis = inds[1]
	}
	ctx := c.Request().Context()
	lv, err := s.levelOf(ctx, level)
	if err != nil {
		return m, nil, vis, err
	}
	units, err := s.store.Units(ctx, level, atlas.UnitQuery{})
	if err != nil {
		return m, nil, vis, err
	}
	layer, err := s.offersParam(c)
	if err != nil {
		return m, nil, vis, err
	}
	if m, err = gapMapOf(doc, inds, lv, units, p); err != nil {
		return m, nil, vis, err
	}
	if err := s.extentAndOffers(ctx, &m, lv, units, layer, p); err != nil {
		return m, nil, vis, err
	}
	m.Notes = append(m.Notes, p.lang.madeWith)
	return m, doc, vis, nil
}

// gapMapOf describes the gap map: each unit in its class of the analysis
// (withheld hatched, missing grey), the nine classes as a grid legend with
// their counts and the cut-offs on the axes, both indicators' sources.
func gapMapOf(doc *gapDoc, inds [2]atlas.Indicator, level atlas.Level, units []atlas.Unit, p mapParams) (render.Map, error) {
	tr := p.lang
	gw := tr.gapWords()
	need, supply := inds[0], inds[1]
	m := render.Map{Width: p.width * 72 / 25.4, Height: p.height * 72 / 25.4, Lang: tr.code, Labels: p.labels}
	m.Title = p.title
	if m.Title == "" {
		m.Title = gw.title + ": " + need.Name + " / " + supply.Name
	}
	asOf := tr.asOf + " " + tr.date(doc.Need.Date)
	if doc.Supply.Date != doc.Need.Date {
		asOf = gw.need + " " + tr.asOf + " " + tr.date(doc.Need.Date) + ", " + gw.supply + " " + tr.asOf + " " + tr.date(doc.Supply.Date)
	}
	m.Subtitle = []string{level.Name + " · " + asOf}
	if p.title != "" {
		m.Subtitle = append([]string{gw.need + ": " + need.Name + " · " + gw.supply + ": " + supply.Name}, m.Subtitle...)
	}

	index := map[string]int{}
	var classes []render.LegendClass
	var labels []string
	for i, cl := range doc.Legend.Classes {
		col, err := render.ParseHex(cl.Color)
		if err != nil {
			return m, atlas.Internalf(err, "gap colour")
		}
		label := cl.Label.DE
		if tr.code == "en" {
			label = cl.Label.EN
		}
		index[cl.Key] = i
		labels = append(labels, label)
		classes = append(classes, render.LegendClass{Label: strconv.Itoa(cl.Count), Color: col, Attrs: []render.Attr{
			{Name: "data-key", Value: cl.Key},
			{Name: "data-need", Value: cl.Need},
			{Name: "data-supply", Value: cl.Supply},
			{Name: "data-label", Value: label},
			{Name: "data-count", Value: strconv.Itoa(cl.Count)},
			{Name: "data-color", Value: cl.Color},
		}})
	}
	grid := &render.LegendGrid{
		XTitle: gw.need + ": " + tr.legendTitle(need),
		YTitle: gw.supply + ": " + tr.legendTitle(supply),
	}
	// Columns: need low to high; rows: supply high to low (the order of
	// gap.Classes, which the legend's classes keep).
	for l := 0; l < 3; l++ {
		grid.XTicks = append(grid.XTicks, gw.levels[l]+": "+tr.gapRange(gw, doc.Need, need.Precision, l))
		grid.YTicks = append(grid.YTicks, gw.levels[2-l]+": "+tr.gapRange(gw, doc.Supply, supply.Precision, 2-l))
	}
	m.Legend = render.Legend{Title: gw.legend, Classes: classes, Grid: grid}

	byCode := make(map[string]*gapAreaDoc, len(doc.Areas))
	for i := range doc.Areas {
		byCode[doc.Areas[i].Code] = &doc.Areas[i]
	}
	missing, suppressed := 0, 0
	for _, u := range units {
		a := render.Area{Code: u.Code, Geometry: u.Geometry, Label: u.Name, Class: render.NoData}
		ga := byCode[u.Code]
		switch {
		case ga != nil && ga.Class == doc.Legend.Suppressed.Key:
			a.Class = render.Suppressed
			a.Title = u.Name + " (" + u.Code + "): " + tr.suppressed
			suppressed++
		case ga != nil && ga.Class != doc.Legend.NoData.Key:
			i, ok := index[ga.Class]
			if !ok {
				return m, atlas.Errorf(atlas.EINTERNAL, "gap class %q of %s is not in the legend", ga.Class, u.Code)
			}
			a.Class = i
			a.Title = u.Name + " (" + u.Code + "): " + labels[i]
		default:
			a.Title = u.Name + " (" + u.Code + "): " + tr.noData
			missing++
		}
		m.Areas = append(m.Areas, a)
	}
	if suppressed > 0 {
		m.Legend.Suppressed = &render.LegendNote{Label: tr.suppressed + " (" + strconv.Itoa(suppressed) + ")", Explanation: gw.suppressedNote}
	}
	if missing > 0 {
		m.Legend.NoData = &render.LegendNote{Label: tr.noData + " (" + strconv.Itoa(missing) + ")", Explanation: gw.noDataNote}
	}
	m.Notes = []string{
		tr.attribution(gw.need+" "+need.Name, need.Attribution, need.Source, need.Licence),
		tr.attribution(gw.supply+" "+supply.Name, supply.Attribution, supply.Source, supply.Licence),
		tr.attribution(tr.areasWord+" "+level.Name, level.Attribution, level.Source, level.Licence),
		fmt.Sprintf(gw.method, gw.breaksFrom[doc.Need.BreaksFrom], gw.breaksFrom[doc.Supply.BreaksFrom]),
	}
	return m, nil
}

// gapRange is the values of one axis's level l: the polarity decides
// whether high need (or supply) is the high or the low end of the values.
func (tr *texts) gapRange(gw *gapTexts, side gapSideDoc, precision, l int) string {
	c := l // the value class: 0 up to the first cut-off, 1 up to the second, 2 above
	if side.End == "low" {
		c = 2 - l
	}
	b := side.Breaks
	dec := distinctDecimals(b[:], precision)
	switch c {
	case 0:
		return gw.upTo + " " + tr.number(b[0], dec)
	case 1:
		return tr.over + " " + tr.number(b[0], dec) + " " + tr.to + " " + tr.number(b[1], dec)
	}
	return tr.over + " " + tr.number(b[1], dec)
}
