package api

import (
	"bytes"
	"cmp"
	"embed"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/gap"
	"github.com/sozialatlas/sozialatlas/pkg/spatialstats"
)

// The area profile (Steckbrief) of a unit: every indicator the caller may
// see with its value, rank, the city's value and the change since the
// previous date; the offers in the unit by goal and target group; the
// gap findings of the catalog's pairs; its parent and neighbours. As JSON
// (/api/v1/levels/{level}/units/{code}/profile) and as a printable page
// (/profiles/{level}/{code}), both from the same tables as every other
// answer, so they show no number a values answer would not.

type unitRefDoc struct {
	Level string `json:"level"`
	Code  string `json:"code"`
	Name  string `json:"name"`
}

type profileIndicatorDoc struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Unit       string          `json:"unit"`
	Topic      string          `json:"topic"`
	Polarity   atlas.Polarity  `json:"polarity"`
	Precision  int             `json:"precision"`
	Date       atlas.Date      `json:"date"`
	Value      *float64        `json:"value"`
	Status     string          `json:"status"`
	Class      *string         `json:"class"`
	Rank       *int            `json:"rank"`
	Ranked     int             `json:"ranked"`
	City       cityDoc         `json:"city"`
	Previous   *seriesPointDoc `json:"previous"`
	Change     *float64        `json:"change"`
	Assessment string          `json:"assessment"`
}

type profileLayerDoc struct {
	Layer         string         `json:"layer"`
	Name          string         `json:"name"`
	Offers        int            `json:"offers"`
	ByGoal        map[string]int `json:"by_goal"`
	ByTargetGroup map[string]int `json:"by_target_group"`
	ByCategory    map[string]int `json:"by_category"`
}

type profileOffersDoc struct {
	Date          atlas.Date        `json:"date"`
	Offers        int               `json:"offers"`
	ByGoal        map[string]int    `json:"by_goal"`
	ByTargetGroup map[string]int    `json:"by_target_group"`
	Layers        []profileLayerDoc `json:"layers"`
	Note          string            `json:"note"`
}

type profileGapDoc struct {
	Pair        string      `json:"pair"`
	Name        string      `json:"name,omitempty"`
	Need        string      `json:"need"`
	Supply      string      `json:"supply"`
	Class       string      `json:"class"`
	NeedLevel   string      `json:"need_level,omitempty"`
	SupplyLevel string      `json:"supply_level,omitempty"`
	Gap         bool        `json:"gap"`
	Color       string      `json:"color,omitempty"`
	Label       gapLabelDoc `json:"label"`
	Note        string      `json:"note,omitempty"`
}

type levelRefDoc struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type profileDoc struct {
	Level      levelRefDoc           `json:"level"`
	Code       string                `json:"code"`
	Name       string                `json:"name"`
	Parent     *unitRefDoc           `json:"parent"`
	Neighbours []unitRefDoc          `json:"neighbours"`
	Date       *atlas.Date           `json:"date"`
	Indicators []profileIndicatorDoc `json:"indicators"`
	Offers     profileOffersDoc      `json:"offers"`
	Gaps       []profileGapDoc       `json:"gaps"`
	Note       string                `json:"note"`
}

const profileNote = "Each indicator on its latest date (or its latest on or before the date asked for), ranked among the level's units with a published value " +
	"(rank 1 the highest value), with the city's value and the change since the indicator's previous date. Withheld values carry no number here either. " +
	"assessment reads the change by the indicator's polarity: better, worse or unchanged (empty for neutral indicators)."

func (s *Server) profile(c echo.Context) error {
	doc, err := s.profileOf(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, doc)
}

// profileOf builds the profile the request names.
func (s *Server) profileOf(c echo.Context) (*profileDoc, error) {
	ctx := c.Request().Context()
	levelID, code := c.Param("level"), c.Param("code")
	var day atlas.Date
	if v := c.QueryParam("date"); v != "" {
		d, err := atlas.ParseDate(v)
		if err != nil {
			return nil, atlas.Errorf(atlas.EINVALID, "date %q: want YYYY-MM-DD", v)
		}
		day = d
	}
	units, err := s.store.Units(ctx, levelID, atlas.UnitQuery{Codes: []string{code}})
	if err != nil {
		return nil, err
	}
	if len(units) == 0 {
		return nil, atlas.Errorf(atlas.ENOTFOUND, "no unit %s at level %s", code, levelID)
	}
	unit := units[0]
	levels, err := s.store.Levels(ctx)
	if err != nil {
		return nil, err
	}
	doc := &profileDoc{Level: levelRefDoc{ID: levelID, Name: levelID}, Code: unit.Code, Name: unit.Name,
		Neighbours: []unitRefDoc{}, Indicators: []profileIndicatorDoc{}, Gaps: []profileGapDoc{}, Note: profileNote}
	if day != 0 {
		doc.Date = &day
	}
	for _, l := range levels {
		if l.ID == levelID {
			doc.Level = levelRefDoc{ID: l.ID, Name: l.Name}
			if l.Parent != "" && unit.Parent != "" {
				doc.Parent = &unitRefDoc{Level: l.Parent, Code: unit.Parent}
				if ps, err := s.store.Units(ctx, l.Parent, atlas.UnitQuery{Codes: []string{unit.Parent}, NoGeometry: true}); err == nil && len(ps) == 1 {
					doc.Parent.Name = ps[0].Name
				}
			}
		}
	}
	if doc.Neighbours, err = s.neighbours(c, unit); err != nil {
		return nil, err
	}
	if err := s.profileIndicators(c, doc, day); err != nil {
		return nil, err
	}
	if err := s.profileOffers(c, doc, day); err != nil {
		return nil, err
	}
	s.profileGaps(c, doc, day)
	return doc, nil
}

// neighbours are the units of the same level that share a border or a
// corner with the unit: pkg/spatialstats' queen contiguity among the
// units whose boxes touch the unit's.
func (s *Server) neighbours(c echo.Context, u atlas.Unit) ([]unitRefDoc, error) {
	box := u.Geometry.Bound().Pad(1e-8)
	cands, err := s.store.Units(c.Request().Context(), u.Level, atlas.UnitQuery{BBox: &box})
	if err != nil {
		return nil, err
	}
	geoms := make([]orb.MultiPolygon, len(cands))
	self := -1
	for i, cu := range cands {
		geoms[i] = cu.Geometry
		if cu.Code == u.Code {
			self = i
		}
	}
	out := []unitRefDoc{}
	if self < 0 {
		return out, nil
	}
	nb, _ := spatialstats.Queen(geoms).Neighbours(self)
	for _, j := range nb {
		out = append(out, unitRefDoc{Level: u.Level, Code: cands[j].Code, Name: cands[j].Name})
	}
	slices.SortFunc(out, func(a, b unitRefDoc) int { return strings.Compare(a.Code, b.Code) })
	return out, nil
}

// profileIndicators adds every visible indicator with values at the level.
func (s *Server) profileIndicators(c echo.Context, doc *profileDoc, day atlas.Date) error {
	inds, err := s.seriesIndicators(c, doc.Level.ID)
	if err != nil {
		return err
	}
	for _, ind := range inds {
		date, err := s.dateOnOrBefore(c, ind, doc.Level.ID, day)
		if atlas.ErrorCode(err) == atlas.ENOTFOUND {
			continue // no value on or before the date asked for
		} else if err != nil {
			return err
		}
		t, err := s.readTable(c, ind, doc.Level.ID, date)
		if err != nil {
			return err
		}
		if err := s.classify(c, t); err != nil {
			return err
		}
		city, err := s.cityValue(c, t)
		if err != nil {
			return err
		}
		d := profileIndicatorDoc{ID: ind.ID, Name: ind.Name, Unit: ind.Unit, Topic: ind.Topic, Polarity: ind.Polarity,
			Precision: ind.Precision, Date: date, Status: string(atlas.Missing), City: city}
		ranked := rankRows(t, true)
		d.Ranked = len(ranked)
		for _, r := range ranked {
			if r.Code == doc.Code {
				rank := r.rank
				d.Rank = &rank
			}
		}
		if r, ok := rowOf(t, doc.Code); ok {
			d.Value, d.Status, d.Class = r.Value, string(r.Status), t.classOf(r.Value)
		}
		if i := slices.Index(t.Dates, date); i > 0 {
			prev, err := s.readTable(c, ind, doc.Level.ID, t.Dates[i-1])
			if err != nil {
				return err
			}
			p := seriesPointDoc{Date: t.Dates[i-1], Status: string(atlas.Missing)}
			if r, ok := rowOf(prev, doc.Code); ok {
				p.Value, p.Status = r.Value, string(r.Status)
			}
			d.Previous = &p
			if p.Value != nil && d.Value != nil { // a withheld value at either date: no change
				ch := *d.Value - *p.Value
				d.Change = &ch
				d.Assessment = assessment(ind.Polarity, ch)
			}
		}
		doc.Indicators = append(doc.Indicators, d)
	}
	slices.SortStableFunc(doc.Indicators, func(a, b profileIndicatorDoc) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), strings.Compare(a.ID, b.ID))
	})
	return nil
}

// rowOf is the unit's row of a table (rows are in code order).
func rowOf(t *table, code string) (row, bool) {
	i, found := slices.BinarySearchFunc(t.Rows, code, func(r row, code string) int { return strings.Compare(r.Code, code) })
	if !found {
		return row{}, false
	}
	return t.Rows[i], true
}

// assessment reads a change by polarity.
func assessment(p atlas.Polarity, change float64) string {
	switch {
	case p == atlas.Neutral:
		return ""
	case change == 0:
		return "unchanged"
	case (change > 0) == (p == atlas.HigherBetter):
		return "better"
	}
	return "worse"
}

// profileOffers counts the offers of every visible layer in the unit on
// the date (default today), by the rule of offer-counts.
func (s *Server) profileOffers(c echo.Context, doc *profileDoc, day atlas.Date) error {
	if day == 0 {
		day = atlas.DateOf(time.Now())
	}
	ctx := c.Request().Context()
	doc.Offers = profileOffersDoc{Date: day, ByGoal: map[string]int{}, ByTargetGroup: map[string]int{}, Layers: []profileLayerDoc{},
		Note: "Offers valid on the date, located by point in polygon (the engine's border rule). An offer with several goals or target groups counts under each; " +
			noneKey + " counts offers without any."}
	layers, err := s.visibleLayers(c)
	if err != nil {
		return err
	}
	a, err := s.offerAssigner(ctx, doc.Level.ID)
	if err != nil {
		return err
	}
	self := slices.IndexFunc(a.units, func(u atlas.Unit) bool { return u.Code == doc.Code })
	for _, g := range s.catalog.Goals() {
		doc.Offers.ByGoal[g] = 0
	}
	for _, l := range layers {
		offers, err := s.store.Offers(ctx, l.ID, atlas.OfferQuery{})
		if err != nil {
			return err
		}
		ld := profileLayerDoc{Layer: l.ID, Name: l.Name, ByGoal: map[string]int{}, ByTargetGroup: map[string]int{}, ByCategory: map[string]int{}}
		valid := slices.DeleteFunc(offers, func(o atlas.Offer) bool { return !o.Contains(day) })
		for i, at := range a.assign(valid) {
			if at != self || self < 0 {
				continue
			}
			o := &valid[i]
			ld.Offers++
			for _, g := range keysOf(o, "goal") {
				ld.ByGoal[g]++
				doc.Offers.ByGoal[g]++
			}
			for _, g := range keysOf(o, "target_group") {
				ld.ByTargetGroup[g]++
				doc.Offers.ByTargetGroup[g]++
			}
			for _, g := range keysOf(o, "category") {
				ld.ByCategory[g]++
			}
		}
		doc.Offers.Offers += ld.Offers
		doc.Offers.Layers = append(doc.Offers.Layers, ld)
	}
	return nil
}

// profileGaps adds the unit's class in each of the catalog's gap pairs
// whose indicators the caller may see; a pair it may not see is not
// mentioned.
func (s *Server) profileGaps(c echo.Context, doc *profileDoc, day atlas.Date) {
	for _, p := range s.catalog.GapPairs() {
		if _, err := s.indicator(c, p.Need); err != nil {
			continue
		}
		if _, err := s.indicator(c, p.Supply); err != nil {
			continue
		}
		g := profileGapDoc{Pair: p.ID, Name: p.Name, Need: p.Need, Supply: p.Supply, Class: gap.NoData}
		req := gapRequest{pair: p.ID, level: doc.Level.ID, need: p.Need, supply: p.Supply, date: day,
			needBreaks: p.NeedBreaks, supplyBreaks: p.SupplyBreaks}
		an, err := s.gapAnalysis(c, req)
		if err != nil {
			g.Color, g.Label = gap.NoDataColor, gapLabelDoc{DE: "keine Angabe", EN: "no data"}
			g.Note = atlas.ErrorMessage(err)
			doc.Gaps = append(doc.Gaps, g)
			continue
		}
		for _, a := range an.Areas {
			if a.Code == doc.Code {
				g.Class = a.Class
			}
		}
		for _, cl := range an.Legend.Classes {
			if cl.Key == g.Class {
				g.NeedLevel, g.SupplyLevel, g.Color, g.Label = cl.Need, cl.Supply, cl.Color, cl.Label
				g.Gap = cl.Need == "high" && cl.Supply == "low"
			}
		}
		for _, extra := range []gapClassDoc{an.Legend.NoData, an.Legend.Suppressed} {
			if extra.Key == g.Class {
				g.Color, g.Label = extra.Color, extra.Label
			}
		}
		doc.Gaps = append(doc.Gaps, g)
	}
}

// ---- the printable page ----

//go:embed templates/profile.html
var profileFS embed.FS

var profileTemplate = template.Must(template.New("profile.html").Funcs(template.FuncMap{"swatch": swatch}).
	ParseFS(profileFS, "templates/profile.html"))

// profileTexts are the page's words.
type profileTexts struct {
	Lang, Profile, Level, Code, Parent, Neighbours, None, Indicators, Indicator, Value, Rank, City, Change, Date  string
	Offers, OffersNote, Layer, Total, ByGoal, ByTargetGroup, Gaps, GapsNote, Need, Supply, Class, Footer, NoValue string
	Withheld, Better, Worse, Unchanged, Of, Number                                                                string
}

var profileGerman = profileTexts{Lang: "de", Profile: "Gebietssteckbrief", Level: "Ebene", Code: "Schlüssel", Parent: "Übergeordnetes Gebiet",
	Neighbours: "Nachbargebiete", None: "keine", Indicators: "Indikatoren", Indicator: "Indikator", Value: "Wert", Rank: "Rang",
	City: "Gesamtstadt", Change: "Veränderung", Date: "Stichtag", Offers: "Angebote im Gebiet", Layer: "Angebotsart",
	OffersNote: "Angebote, die am Stichtag bestehen, dem Gebiet nach ihrer Lage zugeordnet (Punkt im Gebiet).",
	Total:      "insgesamt", ByGoal: "nach Zieldimension", ByTargetGroup: "nach Zielgruppe", Gaps: "Bedarf und Angebot",
	GapsNote: "Bivariate Klassen aus den konfigurierten Paaren von Bedarfs- und Angebotsindikator.", Need: "Bedarf", Supply: "Angebot",
	Class: "Klasse", NoValue: "kein Wert", Withheld: "geheim gehalten", Better: "besser", Worse: "schlechter", Unchanged: "unverändert",
	Of: "von", Number: "Anzahl", Footer: "Erstellt mit sozialatlas. Geheim gehaltene Werte sind in keiner Zahl dieses Steckbriefs enthalten."}

var profileEnglish = profileTexts{Lang: "en", Profile: "Area profile", Level: "Level", Code: "Code", Parent: "Parent area",
	Neighbours: "Neighbouring areas", None: "none", Indicators: "Indicators", Indicator: "Indicator", Value: "Value", Rank: "Rank",
	City: "City", Change: "Change", Date: "Date", Offers: "Offers in the area", Layer: "Kind of offer",
	OffersNote: "Offers running on the date, assigned to the area by where they are (point in the area).",
	Total:      "total", ByGoal: "by goal", ByTargetGroup: "by target group", Gaps: "Need and supply",
	GapsNote: "Bivariate classes of the configured pairs of a need and a supply indicator.", Need: "Need", Supply: "Supply",
	Class: "Class", NoValue: "no value", Withheld: "withheld", Better: "better", Worse: "worse", Unchanged: "unchanged",
	Of: "of", Number: "Number", Footer: "Made with sozialatlas. Withheld values enter no number of this profile."}

type profileRow struct {
	Name, Unit, Date, Value, Rank, City, Change, Assessment string
}

type profileTopic struct {
	Topic string
	Rows  []profileRow
}

type countRow struct {
	Key   string
	Count int
}

type profileLayerRow struct {
	Name   string
	Offers int
	Goals  []countRow
	Groups []countRow
}

type profileGapRow struct {
	Name, Need, Supply, Label, Color, Note string
	Gap                                    bool
}

type profilePage struct {
	T          profileTexts
	Title      string
	Level      string
	Code       string
	Parent     string
	Neighbours string
	Topics     []profileTopic
	OffersDate string
	Offers     int
	Goals      []countRow
	Groups     []countRow
	Layers     []profileLayerRow
	Gaps       []profileGapRow
}

// profilePage renders the profile as a printable A4 page: HTML with print
// CSS and no external resource, in German (default) or English.
func (s *Server) profilePage(c echo.Context) error {
	tr := profileGerman
	switch c.QueryParam("lang") {
	case "", "de":
	case "en":
		tr = profileEnglish
	default:
		return atlas.Errorf(atlas.EINVALID, "lang %q: want de or en", c.QueryParam("lang"))
	}
	doc, err := s.profileOf(c)
	if err != nil {
		return err
	}
	page := profilePage{T: tr, Title: doc.Name, Level: doc.Level.Name, Code: doc.Code, Parent: tr.None, Neighbours: tr.None,
		OffersDate: formatDate(doc.Offers.Date, tr.Lang), Offers: doc.Offers.Offers,
		Goals: countRows(doc.Offers.ByGoal), Groups: countRows(doc.Offers.ByTargetGroup)}
	if doc.Parent != nil {
		page.Parent = doc.Parent.Name + " (" + doc.Parent.Code + ")"
	}
	if len(doc.Neighbours) > 0 {
		names := make([]string, len(doc.Neighbours))
		for i, n := range doc.Neighbours {
			names[i] = n.Name + " (" + n.Code + ")"
		}
		page.Neighbours = strings.Join(names, ", ")
	}
	for _, d := range doc.Indicators {
		if len(page.Topics) == 0 || page.Topics[len(page.Topics)-1].Topic != d.Topic {
			page.Topics = append(page.Topics, profileTopic{Topic: d.Topic})
		}
		r := profileRow{Name: d.Name, Unit: d.Unit, Date: formatDate(d.Date, tr.Lang), Value: tr.NoValue}
		switch {
		case d.Value != nil:
			r.Value = formatNumber(*d.Value, d.Precision, tr.Lang)
		case d.Status == string(atlas.Suppressed):
			r.Value = tr.Withheld
		}
		if d.Rank != nil {
			r.Rank = strconv.Itoa(*d.Rank) + " " + tr.Of + " " + strconv.Itoa(d.Ranked)
		}
		if d.City.Value != nil {
			r.City = formatNumber(*d.City.Value, d.Precision, tr.Lang)
		}
		if d.Change != nil {
			r.Change = formatSigned(*d.Change, d.Precision, tr.Lang)
			r.Assessment = map[string]string{"better": tr.Better, "worse": tr.Worse, "unchanged": tr.Unchanged}[d.Assessment]
		}
		page.Topics[len(page.Topics)-1].Rows = append(page.Topics[len(page.Topics)-1].Rows, r)
	}
	for _, l := range doc.Offers.Layers {
		page.Layers = append(page.Layers, profileLayerRow{Name: l.Name, Offers: l.Offers, Goals: countRows(l.ByGoal), Groups: countRows(l.ByTargetGroup)})
	}
	for _, g := range doc.Gaps {
		row := profileGapRow{Name: cmp.Or(g.Name, g.Pair), Need: g.Need, Supply: g.Supply, Color: g.Color, Note: g.Note, Gap: g.Gap,
			Label: g.Label.DE}
		if tr.Lang == "en" {
			row.Label = g.Label.EN
		}
		page.Gaps = append(page.Gaps, row)
	}
	var b bytes.Buffer
	if err := profileTemplate.Execute(&b, page); err != nil {
		return atlas.Internalf(err, "profile of %s %s", doc.Level.ID, doc.Code)
	}
	return c.HTMLBlob(http.StatusOK, b.Bytes())
}

// countRows lists counts by key, the largest first, "(none)" last.
func countRows(m map[string]int) []countRow {
	var out []countRow
	for k, n := range m {
		if n > 0 {
			out = append(out, countRow{k, n})
		}
	}
	slices.SortFunc(out, func(a, b countRow) int {
		if (a.Key == noneKey) != (b.Key == noneKey) {
			if a.Key == noneKey {
				return 1
			}
			return -1
		}
		return cmp.Or(b.Count-a.Count, strings.Compare(a.Key, b.Key))
	})
	return out
}

// swatch is a small inline SVG square of a colour (printed, unlike a CSS
// background).
func swatch(color string) template.HTML {
	if color == "" || !strings.HasPrefix(color, "#") || len(color) != 7 {
		return ""
	}
	return template.HTML(`<svg width="10" height="10" viewBox="0 0 10 10" aria-hidden="true"><rect x="0.5" y="0.5" width="9" height="9" fill="` +
		template.HTMLEscapeString(color) + `" stroke="#999" stroke-width="0.5"/></svg>`)
}

// formatNumber writes x with dec decimals, German (1.234,5) or English
// (1,234.5).
func formatNumber(x float64, dec int, lang string) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if x < 0 && strings.Trim(s, "0.") != "" {
		b.WriteString("−")
	}
	group, point := ".", ","
	if lang == "en" {
		group, point = ",", "."
	}
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteString(point + frac)
	}
	return b.String()
}

func formatSigned(x float64, dec int, lang string) string {
	s := formatNumber(x, dec, lang)
	if x > 0 && strings.Trim(strconv.FormatFloat(x, 'f', dec, 64), "0.") != "" {
		return "+" + s
	}
	return s
}

func formatDate(d atlas.Date, lang string) string {
	if d == 0 {
		return ""
	}
	if lang == "en" {
		return d.String()
	}
	return d.Time().Format("02.01.2006")
}
