package api

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/spatialstats"
	"github.com/sozialatlas/sozialatlas/pkg/stats"
)

// routesAnalysis registers the analysis resources under /api/v1. Every
// one reads values through readTable, so the numbers it computes come from
// OK rows only: a withheld value is counted, never used.
func (s *Server) routesAnalysis(g *echo.Group) {
	g.GET("/indicators/:id/statistics", s.statistics)
	g.GET("/indicators/:id/breaks", s.breaks)
	g.GET("/indicators/:id/ranking", s.ranking)
	g.GET("/indicators/:id/compare", s.compare)
	g.GET("/indicators/:id/change", s.change)
	g.GET("/indicators/:id/moran", s.moran)
	g.GET("/indicators/:id/lisa", s.lisa)
	g.GET("/levels/:level/units/:code/series", s.unitSeries)
}

// Bounds of the analysis parameters.
const (
	minCompare, maxCompare = 2, 5
	maxSeriesIndicators    = 100
	maxPermutations        = 9999
	defaultPermutations    = 999
	minLISAPermutations    = 99 // fewer cannot tell a cluster at alpha 0.01 from chance
	defaultAlpha           = 0.05
	// spatialSeed seeds the permutation tests, so that the same data give
	// the same pseudo p-values on every request.
	spatialSeed uint64 = 20210101
)

// ---- statistics ----

// cityDoc is the value of the whole city, with where it comes from.
type cityDoc struct {
	Value  *float64 `json:"value"`
	Source string   `json:"source"` // "sum", "top_level" or "none"
	Note   string   `json:"note"`
}

type statisticsDoc struct {
	tableHead
	N          int      `json:"n"`
	Suppressed int      `json:"suppressed"`
	Missing    int      `json:"missing"`
	Min        *float64 `json:"min"`
	Max        *float64 `json:"max"`
	Mean       *float64 `json:"mean"`
	Median     *float64 `json:"median"`
	City       cityDoc  `json:"city"`
}

func (s *Server) statistics(c echo.Context) error {
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	city, err := s.cityValue(c, t)
	if err != nil {
		return err
	}
	doc := statisticsDoc{tableHead: t.head(), City: city}
	doc.N, doc.Suppressed, doc.Missing = t.counts()
	if sum, ok := stats.Summarize(t.Numbers()); ok {
		doc.Min, doc.Max, doc.Mean, doc.Median = &sum.Min, &sum.Max, &sum.Mean, &sum.Median
	}
	return c.JSON(http.StatusOK, doc)
}

// counts returns the number of OK, suppressed and missing rows.
func (t *table) counts() (ok, suppressed, missing int) {
	for _, r := range t.Rows {
		switch r.Status {
		case atlas.OK:
			ok++
		case atlas.Suppressed:
			suppressed++
		default:
			missing++
		}
	}
	return ok, suppressed, missing
}

// aggregation says how an indicator's values add up to the city's.
type aggregation int

const (
	notAdditive aggregation = iota // an index, a published share: no sum
	rate                           // scale × Σ numerators / Σ denominators
	count                          // Σ values
)

// aggregationOf: a rate when every OK row carries its numerator and
// denominator, a count when the catalog says so.
func (s *Server) aggregationOf(t *table) aggregation {
	ok, ratio := 0, true
	for _, r := range t.Rows {
		if r.Value != nil {
			ok++
			ratio = ratio && r.Numerator.Valid && r.Denominator.Valid
		}
	}
	switch {
	case ok > 0 && ratio:
		return rate
	case s.catalog != nil && s.catalog.KindOf(t.Indicator.ID) == indicator.Count:
		return count
	}
	return notAdditive
}

// cityValue is the city's value of the table's indicator on its date. The
// sum over the level's units is used only when it cannot include a
// withheld number: with a suppressed unit, the sum of the others together
// with the published city total would give the withheld one away (and its
// number is unknown here anyway). Then the top level's stored values are
// used, else there is none.
func (s *Server) cityValue(c echo.Context, t *table) (cityDoc, error) {
	agg := s.aggregationOf(t)
	v, why := sumOf(t, agg)
	if why == "" {
		return cityDoc{Value: &v, Source: "sum", Note: sumNote(t, agg)}, nil
	}
	top, err := s.topLevel(c.Request().Context(), t.Level)
	if err != nil {
		return cityDoc{}, err
	}
	if top != t.Level {
		has, err := s.hasValues(c.Request().Context(), t.Indicator.ID, top, t.Date)
		if err != nil {
			return cityDoc{}, err
		}
		if has {
			tt, err := s.readTable(c, t.Indicator, top, t.Date)
			if err != nil {
				return cityDoc{}, err
			}
			if len(tt.Rows) == 1 && tt.Rows[0].Value != nil {
				return cityDoc{Value: tt.Rows[0].Value, Source: "top_level",
					Note: fmt.Sprintf("%s, so the stored value of the top level %s (%s)", why, top, tt.Rows[0].Name)}, nil
			}
			tagg := s.aggregationOf(tt)
			tv, twhy := sumOf(tt, tagg)
			if twhy == "" {
				return cityDoc{Value: &tv, Source: "top_level",
					Note: fmt.Sprintf("%s, so %s (the top level)", why, sumNote(tt, tagg))}, nil
			}
			why += "; at the top level " + top + ", " + twhy
		}
	}
	return cityDoc{Source: "none", Note: "no city value: " + why}, nil
}

// sumOf is the city value from the table's units, or why there is none.
func sumOf(t *table, agg aggregation) (float64, string) {
	ok, suppressed, missing := t.counts()
	switch {
	case agg == notAdditive:
		return 0, fmt.Sprintf("%s is neither a rate nor a count, so its values do not add up", t.Indicator.ID)
	case ok == 0:
		return 0, fmt.Sprintf("no unit at %s has a value", t.Level)
	case suppressed > 0:
		return 0, unitsAre(suppressed, t.Level) + " suppressed"
	case agg == count && missing > 0:
		return 0, unitsAre(missing, t.Level) + " without a value"
	case agg == count:
		sum := 0.0
		for _, r := range t.Rows {
			if r.Value != nil {
				sum += *r.Value
			}
		}
		return sum, ""
	}
	num, den := 0.0, 0.0
	for _, r := range t.Rows {
		if r.Value != nil {
			num += r.Numerator.V
			den += r.Denominator.V
		}
	}
	if den == 0 {
		return 0, fmt.Sprintf("the denominators at %s sum to 0", t.Level)
	}
	return rateScale(t) * num / den, ""
}

// unitsAre is "1 unit at level is" or "n units at level are".
func unitsAre(n int, level string) string {
	if n == 1 {
		return "1 unit at " + level + " is"
	}
	return fmt.Sprintf("%d units at %s are", n, level)
}

func sumNote(t *table, agg aggregation) string {
	ok, _, _ := t.counts()
	if agg == count {
		return fmt.Sprintf("the sum over the %d units at %s", ok, t.Level)
	}
	return fmt.Sprintf("the quotient of the sums of the numerators and denominators of the %d units with a value at %s", ok, t.Level)
}

// rateScale is the factor between a rate and its quotient (100 for a
// share in %), as the stored values show it: taken from the row with the
// largest numerator, where rounding matters least, and rounded to 12
// digits to drop the noise of the division.
func rateScale(t *table) float64 {
	best := -1
	for i, r := range t.Rows {
		if r.Value != nil && r.Numerator.V != 0 && r.Denominator.V != 0 &&
			(best < 0 || math.Abs(r.Numerator.V) > math.Abs(t.Rows[best].Numerator.V)) {
			best = i
		}
	}
	if best < 0 {
		return 1 // every numerator is 0: so is the city's, whatever the scale
	}
	r := t.Rows[best]
	scale := *r.Value * r.Denominator.V / r.Numerator.V
	rounded, err := strconv.ParseFloat(strconv.FormatFloat(scale, 'g', 12, 64), 64)
	if err != nil {
		return scale
	}
	return rounded
}

// topLevel is the level at the top of level's chain of parents.
func (s *Server) topLevel(ctx context.Context, level string) (string, error) {
	levels, err := s.store.Levels(ctx)
	if err != nil {
		return "", err
	}
	parent := map[string]string{}
	for _, l := range levels {
		parent[l.ID] = l.Parent
	}
	for range levels { // bounded: levels form no cycle, but do not trust it
		p := parent[level]
		if p == "" {
			break
		}
		level = p
	}
	return level, nil
}

// hasValues reports whether an indicator has values at a level on a date.
func (s *Server) hasValues(ctx context.Context, id, level string, date atlas.Date) (bool, error) {
	series, err := s.series(ctx)
	if err != nil {
		return false, err
	}
	for _, sr := range series {
		if sr.Indicator == id && sr.Level == level {
			return slices.Contains(sr.Dates, date), nil
		}
	}
	return false, nil
}

// ---- breaks ----

type breaksDoc struct {
	tableHead
	N              int              `json:"n"`
	Classification *classify.Legend `json:"classification"`
	Note           string           `json:"note,omitempty"`
}

// breaks is the legend of the one classification, as indicatorValues
// classifies the same values.
func (s *Server) breaks(c echo.Context) error {
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.classify(c, t); err != nil {
		return err
	}
	doc := breaksDoc{tableHead: t.head(),
		N: len(t.Numbers()), Classification: t.Legend}
	if t.Legend == nil {
		doc.Note = "the values cannot be classified: " + t.Unclassified
	}
	return c.JSON(http.StatusOK, doc)
}

// ---- ranking ----

type rankDoc struct {
	Rank   *int     `json:"rank"`
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Value  *float64 `json:"value"`
	Status string   `json:"status"`
}

type rankingDoc struct {
	tableHead
	Order    string    `json:"order"`
	Ranked   int       `json:"ranked"`
	Unranked int       `json:"unranked"`
	Units    []rankDoc `json:"units"`
}

func (s *Server) ranking(c echo.Context) error {
	order := c.QueryParam("order")
	if order == "" {
		order = "desc"
	}
	if order != "desc" && order != "asc" {
		return atlas.Errorf(atlas.EINVALID, "order %q: want desc or asc", order)
	}
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	ranked := rankRows(t, order == "desc")
	doc := rankingDoc{tableHead: t.head(), Order: order,
		Ranked: len(ranked), Unranked: len(t.Rows) - len(ranked), Units: []rankDoc{}}
	for _, r := range ranked {
		doc.Units = append(doc.Units, rankDoc{Rank: &r.rank, Code: r.Code, Name: r.Name, Value: r.Value, Status: string(r.Status)})
	}
	for _, r := range t.Rows { // in code order, after every ranked unit
		if r.Value == nil {
			doc.Units = append(doc.Units, rankDoc{Code: r.Code, Name: r.Name, Status: string(r.Status)})
		}
	}
	start := min(q.offset, len(doc.Units))
	doc.Units = doc.Units[start : start+min(q.limit, len(doc.Units)-start)]
	return c.JSON(http.StatusOK, doc)
}

type rankedRow struct {
	row
	rank int
}

// rankRows ranks the OK rows by value (rank 1 the highest when desc), ties
// in code order with a shared competition rank.
func rankRows(t *table, desc bool) []rankedRow {
	var out []rankedRow
	for _, r := range t.Rows {
		if r.Value != nil {
			out = append(out, rankedRow{row: r})
		}
	}
	slices.SortFunc(out, func(a, b rankedRow) int {
		c := cmp.Compare(*a.Value, *b.Value)
		if desc {
			c = -c
		}
		return cmp.Or(c, strings.Compare(a.Code, b.Code))
	})
	values := make([]float64, len(out))
	for i, r := range out {
		values[i] = *r.Value
	}
	for i, rk := range stats.CompetitionRanks(values) {
		out[i].rank = rk
	}
	return out
}

// ---- compare ----

type compareUnitDoc struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Value      *float64 `json:"value"`
	Status     string   `json:"status"`
	Rank       *int     `json:"rank"`
	Difference *float64 `json:"difference"`
}

type compareDoc struct {
	tableHead
	Ranked int              `json:"ranked"`
	City   cityDoc          `json:"city"`
	Units  []compareUnitDoc `json:"units"`
}

func (s *Server) compare(c echo.Context) error {
	codes, err := codeList(c.QueryParam("units"), "units", minCompare, maxCompare)
	if err != nil {
		return err
	}
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.checkUnits(c.Request().Context(), t.Level, codes); err != nil {
		return err
	}
	city, err := s.cityValue(c, t)
	if err != nil {
		return err
	}
	ranked := rankRows(t, true)
	byCode := map[string]rankedRow{}
	for _, r := range ranked {
		byCode[r.Code] = r
	}
	for _, r := range t.Rows {
		if r.Value == nil {
			byCode[r.Code] = rankedRow{row: r}
		}
	}
	doc := compareDoc{tableHead: t.head(), Ranked: len(ranked), City: city}
	for _, code := range codes {
		r, found := byCode[code]
		if !found { // a unit of the level without a stored value
			r = rankedRow{row: row{Code: code, Status: atlas.Missing}}
		}
		u := compareUnitDoc{Code: code, Name: r.Name, Value: r.Value, Status: string(r.Status)}
		if r.Value != nil {
			u.Rank = &r.rank
			if city.Value != nil {
				d := *r.Value - *city.Value
				u.Difference = &d
			}
		}
		doc.Units = append(doc.Units, u)
	}
	if err := s.fillNames(c.Request().Context(), t.Level, doc.Units); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, doc)
}

// codeList splits a comma-separated list of codes or ids and checks its
// length and that no entry repeats.
func codeList(v, name string, lo, hi int) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, atlas.Errorf(atlas.EINVALID, "%s is missing: say %d to %d, separated by commas", name, lo, hi)
	}
	list := strings.Split(v, ",")
	if len(list) < lo || len(list) > hi {
		return nil, atlas.Errorf(atlas.EINVALID, "%s: %d given; want %d to %d, separated by commas", name, len(list), lo, hi)
	}
	seen := map[string]bool{}
	for i, x := range list {
		x = strings.TrimSpace(x)
		if x == "" {
			return nil, atlas.Errorf(atlas.EINVALID, "%s %q: entry %d is empty", name, v, i+1)
		}
		if seen[x] {
			return nil, atlas.Errorf(atlas.EINVALID, "%s: %q is given twice", name, x)
		}
		seen[x] = true
		list[i] = x
	}
	return list, nil
}

// checkUnits fails with ENOTFOUND naming every code that is no unit of
// the level.
func (s *Server) checkUnits(ctx context.Context, level string, codes []string) error {
	units, err := s.store.Units(ctx, level, atlas.UnitQuery{Codes: codes, NoGeometry: true})
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, u := range units {
		known[u.Code] = true
	}
	var unknown []string
	for _, code := range codes {
		if !known[code] {
			unknown = append(unknown, code)
		}
	}
	if len(unknown) > 0 {
		return atlas.Errorf(atlas.ENOTFOUND, "no unit %s at level %s", strings.Join(unknown, ", "), level)
	}
	return nil
}

// fillNames names units that have no row in the table.
func (s *Server) fillNames(ctx context.Context, level string, units []compareUnitDoc) error {
	var codes []string
	for _, u := range units {
		if u.Name == "" {
			codes = append(codes, u.Code)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	found, err := s.store.Units(ctx, level, atlas.UnitQuery{Codes: codes, NoGeometry: true})
	if err != nil {
		return err
	}
	for _, f := range found {
		for i := range units {
			if units[i].Code == f.Code {
				units[i].Name = f.Name
			}
		}
	}
	return nil
}

// ---- change ----

type pointDoc struct {
	Value  *float64 `json:"value"`
	Status string   `json:"status"`
}

type changeUnitDoc struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	From     pointDoc `json:"from"`
	To       pointDoc `json:"to"`
	Absolute *float64 `json:"absolute"`
	Relative *float64 `json:"relative"`
}

type changeDoc struct {
	Indicator string          `json:"indicator"`
	Level     string          `json:"level"`
	From      atlas.Date      `json:"from"`
	To        atlas.Date      `json:"to"`
	Unit      string          `json:"unit"`
	Relative  string          `json:"relative"` // what units[].relative is
	Units     []changeUnitDoc `json:"units"`
}

func (s *Server) change(c echo.Context) error {
	ind, err := s.indicator(c, c.Param("id"))
	if err != nil {
		return err
	}
	var dates [2]atlas.Date
	for i, name := range []string{"from", "to"} {
		v := c.QueryParam(name)
		if v == "" {
			return atlas.Errorf(atlas.EINVALID, "%s is missing: say a date (YYYY-MM-DD) the indicator has values for", name)
		}
		if dates[i], err = atlas.ParseDate(v); err != nil {
			return atlas.Errorf(atlas.EINVALID, "%s %q: want YYYY-MM-DD", name, v)
		}
	}
	if dates[0] >= dates[1] {
		return atlas.Errorf(atlas.EINVALID, "from %s must be before to %s", dates[0], dates[1])
	}
	level := c.QueryParam("level")
	from, err := s.readTable(c, ind, level, dates[0])
	if err != nil {
		return err
	}
	to, err := s.readTable(c, ind, level, dates[1])
	if err != nil {
		return err
	}
	pp := ind.Unit == "%"
	doc := changeDoc{Indicator: ind.ID, Level: level, From: dates[0], To: dates[1], Unit: ind.Unit, Relative: "percent", Units: []changeUnitDoc{}}
	if pp {
		doc.Relative = "percentage_points"
	}
	for _, p := range pairRows(from, to) {
		u := changeUnitDoc{Code: p.code, Name: p.name,
			From: pointDoc{Value: p.a.Value, Status: string(p.a.Status)}, To: pointDoc{Value: p.b.Value, Status: string(p.b.Status)}}
		if p.a.Value != nil && p.b.Value != nil { // a withheld value at either date: no change
			d := *p.b.Value - *p.a.Value
			u.Absolute = &d
			if pp {
				u.Relative = &d
			} else if rel, ok := stats.RelativeChange(*p.a.Value, *p.b.Value); ok {
				u.Relative = &rel
			}
		}
		doc.Units = append(doc.Units, u)
	}
	return c.JSON(http.StatusOK, doc)
}

type rowPair struct {
	code, name string
	a, b       row
}

// pairRows joins two tables by unit code; a unit without a row in one is
// missing there.
func pairRows(a, b *table) []rowPair {
	byCode := map[string]*rowPair{}
	var out []*rowPair
	get := func(r row) *rowPair {
		p := byCode[r.Code]
		if p == nil {
			p = &rowPair{code: r.Code, name: r.Name, a: row{Status: atlas.Missing}, b: row{Status: atlas.Missing}}
			byCode[r.Code] = p
			out = append(out, p)
		}
		return p
	}
	for _, r := range a.Rows {
		get(r).a = r
	}
	for _, r := range b.Rows {
		get(r).b = r
	}
	slices.SortFunc(out, func(x, y *rowPair) int { return strings.Compare(x.code, y.code) })
	pairs := make([]rowPair, len(out))
	for i, p := range out {
		pairs[i] = *p
	}
	return pairs
}

// ---- series of one unit ----

type seriesPointDoc struct {
	Date   atlas.Date `json:"date"`
	Value  *float64   `json:"value"`
	Status string     `json:"status"`
}

type unitSeriesIndicatorDoc struct {
	ID     string           `json:"id"`
	Name   string           `json:"name"`
	Unit   string           `json:"unit"`
	Values []seriesPointDoc `json:"values"`
}

type unitSeriesDoc struct {
	Level      string                   `json:"level"`
	Code       string                   `json:"code"`
	Name       string                   `json:"name"`
	Indicators []unitSeriesIndicatorDoc `json:"indicators"`
}

func (s *Server) unitSeries(c echo.Context) error {
	ctx := c.Request().Context()
	level, code := c.Param("level"), c.Param("code")
	units, err := s.store.Units(ctx, level, atlas.UnitQuery{Codes: []string{code}, NoGeometry: true})
	if err != nil {
		return err
	}
	if len(units) == 0 {
		return atlas.Errorf(atlas.ENOTFOUND, "no unit %s at level %s", code, level)
	}
	inds, err := s.seriesIndicators(c, level)
	if err != nil {
		return err
	}
	series, err := s.series(ctx)
	if err != nil {
		return err
	}
	doc := unitSeriesDoc{Level: level, Code: code, Name: units[0].Name, Indicators: []unitSeriesIndicatorDoc{}}
	for _, ind := range inds {
		var dates []atlas.Date
		for _, sr := range series {
			if sr.Indicator == ind.ID && sr.Level == level {
				dates = sr.Dates
			}
		}
		if dates == nil {
			return atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values at level %q", ind.ID, level)
		}
		d := unitSeriesIndicatorDoc{ID: ind.ID, Name: ind.Name, Unit: ind.Unit, Values: []seriesPointDoc{}}
		for _, date := range dates {
			t, err := s.readTable(c, ind, level, date)
			if err != nil {
				return err
			}
			p := seriesPointDoc{Date: date, Status: string(atlas.Missing)}
			if i, found := slices.BinarySearchFunc(t.Rows, code, func(r row, code string) int { return strings.Compare(r.Code, code) }); found {
				p.Value, p.Status = t.Rows[i].Value, string(t.Rows[i].Status)
			}
			d.Values = append(d.Values, p)
		}
		doc.Indicators = append(doc.Indicators, d)
	}
	return c.JSON(http.StatusOK, doc)
}

// seriesIndicators are the indicators the request names, each visible, or
// by default every visible indicator with values at the level, by id.
func (s *Server) seriesIndicators(c echo.Context, level string) ([]atlas.Indicator, error) {
	if v := c.QueryParam("indicators"); v != "" {
		ids, err := codeList(v, "indicators", 1, maxSeriesIndicators)
		if err != nil {
			return nil, err
		}
		out := make([]atlas.Indicator, 0, len(ids))
		for _, id := range ids {
			ind, err := s.indicator(c, id)
			if err != nil {
				return nil, err
			}
			out = append(out, ind)
		}
		return out, nil
	}
	vis, err := s.visible(c)
	if err != nil {
		return nil, err
	}
	series, err := s.series(c.Request().Context())
	if err != nil {
		return nil, err
	}
	var out []atlas.Indicator
	for _, sr := range series {
		if ind, ok := vis[sr.Indicator]; ok && sr.Level == level {
			out = append(out, ind)
		}
	}
	slices.SortFunc(out, func(a, b atlas.Indicator) int { return strings.Compare(a.ID, b.ID) })
	return slices.CompactFunc(out, func(a, b atlas.Indicator) bool { return a.ID == b.ID }), nil
}

// ---- Moran's I and LISA ----

// spatialInput is a table's OK values with queen contiguity among their
// units, row-standardised after the units without a value were left out.
type spatialInput struct {
	codes, names []string
	y            []float64
	w            spatialstats.Weights
	excluded     []excludedDoc
}

type excludedDoc struct {
	Code   string `json:"code"`
	Status string `json:"status"`
}

// spatialInputOf builds the weights from the level's geometries. Units
// without an OK value are left out of the weights, not given a value: a
// withheld number must not enter the statistic, and an invented one would
// bias it.
func (s *Server) spatialInputOf(ctx context.Context, t *table) (*spatialInput, error) {
	units, err := s.store.Units(ctx, t.Level, atlas.UnitQuery{})
	if err != nil {
		return nil, err
	}
	rows := make(map[string]row, len(t.Rows))
	for _, r := range t.Rows {
		rows[r.Code] = r
	}
	geoms := make([]orb.MultiPolygon, 0, len(units))
	in := &spatialInput{excluded: []excludedDoc{}}
	var keep []int
	for i, u := range units {
		geoms = append(geoms, u.Geometry)
		r, found := rows[u.Code]
		if !found || r.Value == nil {
			st := atlas.Missing
			if found {
				st = r.Status
			}
			in.excluded = append(in.excluded, excludedDoc{Code: u.Code, Status: string(st)})
			continue
		}
		keep = append(keep, i)
		in.codes = append(in.codes, u.Code)
		in.names = append(in.names, u.Name)
		in.y = append(in.y, *r.Value)
	}
	sub, err := spatialstats.Queen(geoms).Subset(keep)
	if err != nil {
		return nil, atlas.Internalf(err, "spatial weights of %s", t.Level)
	}
	in.w = sub.RowStandardised()
	return in, nil
}

// permutationsParam reads permutations within lo..maxPermutations.
func permutationsParam(c echo.Context, lo int) (int, error) {
	v := c.QueryParam("permutations")
	if v == "" {
		return defaultPermutations, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > maxPermutations {
		return 0, atlas.Errorf(atlas.EINVALID, "permutations %q: want a whole number from %d to %d", v, lo, maxPermutations)
	}
	return n, nil
}

// spatialError turns a refusal of pkg/spatialstats (too few units, equal
// values) into a message for the caller.
func spatialError(err error, what string, t *table) error {
	msg := err.Error()
	if _, after, found := strings.Cut(msg, ": "); found && strings.HasPrefix(msg, "spatialstats: ") {
		msg = after
		if _, after, found := strings.Cut(msg, ": "); found {
			msg = after
		}
	}
	return atlas.Errorf(atlas.EINVALID, "%s of %s at %s on %s cannot be computed: %s", what, t.Indicator.ID, t.Level, t.Date, msg)
}

// finite is x, or nil for NaN and ±Inf, which JSON cannot carry.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

type inferenceDoc struct {
	Variance *float64 `json:"variance"`
	Z        *float64 `json:"z"`
	P        *float64 `json:"p"`
}

type permutationDoc struct {
	Mean     *float64 `json:"mean"`
	Variance *float64 `json:"variance"`
	Z        *float64 `json:"z"`
	P        *float64 `json:"p"`
}

type moranDoc struct {
	Indicator     string          `json:"indicator"`
	Level         string          `json:"level"`
	Date          atlas.Date      `json:"date"`
	Weights       string          `json:"weights"`
	N             int             `json:"n"`
	Excluded      int             `json:"excluded"`
	Islands       int             `json:"islands"`
	I             float64         `json:"i"`
	Expected      float64         `json:"expected"`
	Normality     inferenceDoc    `json:"normality"`
	Randomisation inferenceDoc    `json:"randomisation"`
	Permutations  int             `json:"permutations"`
	Seed          uint64          `json:"seed"`
	Permutation   *permutationDoc `json:"permutation"`
	Note          string          `json:"note"`
}

const weightsNote = "queen contiguity from the unit geometries, row-standardised; units without a value (suppressed or missing) are left out of the weights"

func (s *Server) moran(c echo.Context) error {
	perms, err := permutationsParam(c, 0)
	if err != nil {
		return err
	}
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	in, err := s.spatialInputOf(c.Request().Context(), t)
	if err != nil {
		return err
	}
	res, err := spatialstats.Moran(in.y, in.w, perms, spatialSeed)
	if err != nil {
		return spatialError(err, "Moran's I", t)
	}
	doc := moranDoc{Indicator: t.Indicator.ID, Level: t.Level, Date: t.Date, Weights: "queen", N: res.N,
		Excluded: len(in.excluded), Islands: len(in.w.Islands()), I: res.I, Expected: res.EI,
		Normality:     inferenceDoc{finite(res.VINorm), finite(res.ZNorm), finite(res.PNorm)},
		Randomisation: inferenceDoc{finite(res.VIRand), finite(res.ZRand), finite(res.PRand)},
		Permutations:  perms, Seed: spatialSeed,
		Note: weightsNote + "; p values are one-tailed in the direction of the deviation from the expected value"}
	if perms > 0 {
		doc.Permutation = &permutationDoc{finite(res.EISim), finite(res.VISim), finite(res.ZSim), finite(res.PSim)}
	}
	return c.JSON(http.StatusOK, doc)
}

type lisaUnitDoc struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Value    float64  `json:"value"`
	I        float64  `json:"i"`
	Z        float64  `json:"z"`
	Lag      float64  `json:"lag"`
	Quadrant *string  `json:"quadrant"`
	P        *float64 `json:"p"`
	Cluster  string   `json:"cluster"`
}

type lisaDoc struct {
	Indicator    string         `json:"indicator"`
	Level        string         `json:"level"`
	Date         atlas.Date     `json:"date"`
	Weights      string         `json:"weights"`
	N            int            `json:"n"`
	Islands      int            `json:"islands"`
	Permutations int            `json:"permutations"`
	Seed         uint64         `json:"seed"`
	Alpha        float64        `json:"alpha"`
	Clusters     map[string]int `json:"clusters"`
	Units        []lisaUnitDoc  `json:"units"`
	Excluded     []excludedDoc  `json:"excluded"`
	Note         string         `json:"note"`
}

// notSignificant is the cluster class of a unit whose pseudo p-value is
// above alpha, or that has no neighbours.
const notSignificant = "not_significant"

func (s *Server) lisa(c echo.Context) error {
	perms, err := permutationsParam(c, minLISAPermutations)
	if err != nil {
		return err
	}
	alpha := defaultAlpha
	if v := c.QueryParam("alpha"); v != "" {
		a, err := strconv.ParseFloat(v, 64)
		if err != nil || !(a > 0 && a <= 0.5) {
			return atlas.Errorf(atlas.EINVALID, "alpha %q: want a number above 0 and at most 0.5, e.g. 0.05", v)
		}
		alpha = a
	}
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	in, err := s.spatialInputOf(c.Request().Context(), t)
	if err != nil {
		return err
	}
	res, err := spatialstats.Local(in.y, in.w, perms, spatialSeed, alpha)
	if err != nil {
		return spatialError(err, "Local Moran's I", t)
	}
	doc := lisaDoc{Indicator: t.Indicator.ID, Level: t.Level, Date: t.Date, Weights: "queen", N: len(res),
		Islands: len(in.w.Islands()), Permutations: perms, Seed: spatialSeed, Alpha: alpha,
		Clusters: map[string]int{"HH": 0, "LL": 0, "HL": 0, "LH": 0, notSignificant: 0},
		Units:    make([]lisaUnitDoc, 0, len(res)), Excluded: in.excluded,
		Note: weightsNote + "; clusters are the quadrants of units with a pseudo p-value at most alpha, without correction for multiple testing"}
	for i, r := range res {
		u := lisaUnitDoc{Code: in.codes[i], Name: in.names[i], Value: in.y[i], I: r.I, Z: r.Z, Lag: r.Lag,
			P: finite(r.PSim), Cluster: notSignificant}
		if r.Quadrant != "" {
			q := string(r.Quadrant)
			u.Quadrant = &q
		}
		if r.Cluster != "" {
			u.Cluster = string(r.Cluster)
		}
		doc.Clusters[u.Cluster]++
		doc.Units = append(doc.Units, u)
	}
	return c.JSON(http.StatusOK, doc)
}
