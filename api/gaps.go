package api

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/gap"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// gapRequest is what a gap analysis compares.
type gapRequest struct {
	pair                     string // the catalog's pair, if from there
	level                    string
	need, supply             string
	date                     atlas.Date
	needBreaks, supplyBreaks []float64 // nil: terciles
	needFrom, supplyFrom     string    // where the breaks come from
}

// gapRequestOf reads the request: need, supply and level, or a pair of
// the catalog (pair=, by default the first), whose settings the
// parameters override.
func (s *Server) gapRequestOf(c echo.Context) (gapRequest, error) {
	r := gapRequest{need: c.QueryParam("need"), supply: c.QueryParam("supply"), level: c.QueryParam("level")}
	pairs := s.catalog.GapPairs()
	var pair *indicator.GapPair
	if id := c.QueryParam("pair"); id != "" {
		for _, p := range pairs {
			if p.ID == id {
				pair = p
			}
		}
		if pair == nil {
			return r, atlas.Errorf(atlas.ENOTFOUND, "gap pair %q is not in the catalog; pairs: %s", id, pairNames(pairs))
		}
	} else if r.need == "" && r.supply == "" && len(pairs) > 0 {
		pair = pairs[0]
	}
	if pair != nil {
		r.pair = pair.ID
		if r.need == "" {
			r.need = pair.Need
		}
		if r.supply == "" {
			r.supply = pair.Supply
		}
		if r.level == "" {
			r.level = pair.Level
		}
		if pair.Need == r.need && pair.NeedBreaks != nil {
			r.needBreaks, r.needFrom = pair.NeedBreaks, "catalog"
		}
		if pair.Supply == r.supply && pair.SupplyBreaks != nil {
			r.supplyBreaks, r.supplyFrom = pair.SupplyBreaks, "catalog"
		}
	}
	if r.need == "" || r.supply == "" {
		return r, atlas.Errorf(atlas.EINVALID, "need and supply are missing: say need=<indicator>&supply=<indicator> (or pair=<id>; the catalog's pairs: %s)", pairNames(pairs))
	}
	if r.need == r.supply {
		return r, atlas.Errorf(atlas.EINVALID, "need and supply are the same indicator %s", r.need)
	}
	for _, b := range []struct {
		name string
		dst  *[]float64
		from *string
	}{{"need_breaks", &r.needBreaks, &r.needFrom}, {"supply_breaks", &r.supplyBreaks, &r.supplyFrom}} {
		v := c.QueryParam(b.name)
		if v == "" {
			continue
		}
		br, err := parseCutoffs(b.name, v)
		if err != nil {
			return r, err
		}
		*b.dst, *b.from = br, "request"
	}
	if v := c.QueryParam("date"); v != "" {
		d, err := atlas.ParseDate(v)
		if err != nil {
			return r, atlas.Errorf(atlas.EINVALID, "date %q: want YYYY-MM-DD", v)
		}
		r.date = d
	}
	return r, nil
}

func pairNames(pairs []*indicator.GapPair) string {
	if len(pairs) == 0 {
		return "none"
	}
	names := make([]string, len(pairs))
	for i, p := range pairs {
		names[i] = p.ID
	}
	return strings.Join(names, ", ")
}

// parseCutoffs reads two ascending finite numbers: the upper bounds of the
// low and the middle class.
func parseCutoffs(name, v string) ([]float64, error) {
	parts := strings.Split(v, ",")
	bad := atlas.Errorf(atlas.EINVALID, "%s %q: want two numbers a,b with a < b (the upper bounds of the low and the middle class, on the indicator's own values)", name, v)
	if len(parts) != 2 {
		return nil, bad
	}
	out := make([]float64, 2)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, bad
		}
		out[i] = x
	}
	if out[0] >= out[1] {
		return nil, bad
	}
	return out, nil
}

type gapSideDoc struct {
	Indicator  string         `json:"indicator"`
	Name       string         `json:"name"`
	Unit       string         `json:"unit"`
	Polarity   atlas.Polarity `json:"polarity"`
	Date       atlas.Date     `json:"date"`
	End        string         `json:"end"`
	Reading    string         `json:"reading"`
	Breaks     [2]float64     `json:"breaks"`
	BreaksFrom string         `json:"breaks_from"`
	N          int            `json:"n"`
	Suppressed int            `json:"suppressed"`
	Missing    int            `json:"missing"`
}

type gapLabelDoc struct {
	DE string `json:"de"`
	EN string `json:"en"`
}

type gapClassDoc struct {
	Key    string      `json:"key"`
	Need   string      `json:"need,omitempty"`
	Supply string      `json:"supply,omitempty"`
	Color  string      `json:"color"`
	Label  gapLabelDoc `json:"label"`
	Count  int         `json:"count"`
}

type gapLegendDoc struct {
	Scheme     string        `json:"scheme"`
	Classes    []gapClassDoc `json:"classes"`
	NoData     gapClassDoc   `json:"no_data"`
	Suppressed gapClassDoc   `json:"suppressed"`
}

type gapAreaDoc struct {
	Code   string   `json:"code"`
	Name   string   `json:"name"`
	Need   pointDoc `json:"need"`
	Supply pointDoc `json:"supply"`
	Class  string   `json:"class"`
}

type gapRankDoc struct {
	Rank   int     `json:"rank"`
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	Need   float64 `json:"need"`
	Supply float64 `json:"supply"`
}

type gapDoc struct {
	Pair   string       `json:"pair,omitempty"`
	Level  string       `json:"level"`
	Need   gapSideDoc   `json:"need"`
	Supply gapSideDoc   `json:"supply"`
	Legend gapLegendDoc `json:"legend"`
	Areas  []gapAreaDoc `json:"areas"`
	Gaps   []gapRankDoc `json:"gaps"`
	Note   string       `json:"note"`
}

const gapNote = "Need and supply are each split into low, middle and high at two cut-offs on the indicator's own values " +
	"(upper bounds, inclusive); polarity decides which end is need or supply (see each side's reading). " +
	"Only published values are used: an area with a withheld value is in class suppressed, one without a value in no_data, " +
	"and the terciles are computed from published values only. gaps lists the areas of high need and low supply, the most need first."

// gaps is the bivariate gap analysis: GET /api/v1/gaps.
func (s *Server) gaps(c echo.Context) error {
	req, err := s.gapRequestOf(c)
	if err != nil {
		return err
	}
	doc, err := s.gapAnalysis(c, req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, doc)
}

// gapAnalysis reads both indicators' published values at the level (each
// on its latest date, or its latest on or before the request's date) and
// classifies them with pkg/gap.
func (s *Server) gapAnalysis(c echo.Context, req gapRequest) (*gapDoc, error) {
	if req.level == "" {
		return nil, atlas.Errorf(atlas.EINVALID, "level is missing: say the level of the areas, e.g. level=planungsraum")
	}
	var tables [2]*table
	var sides [2]gapSideDoc
	var cut [2]gap.Side
	for i, id := range []string{req.need, req.supply} {
		ind, err := s.indicator(c, id)
		if err != nil {
			return nil, err
		}
		date, err := s.dateOnOrBefore(c, ind, req.level, req.date)
		if err != nil {
			return nil, err
		}
		t, err := s.readTable(c, ind, req.level, date)
		if err != nil {
			return nil, err
		}
		breaks, from := req.needBreaks, req.needFrom
		if i == 1 {
			breaks, from = req.supplyBreaks, req.supplyFrom
		}
		var b [2]float64
		if breaks == nil {
			if b, err = gap.Terciles(t.Numbers()); err != nil {
				return nil, atlas.Errorf(atlas.EINVALID, "%s at %s on %s: %v (%s=a,b)", ind.ID, req.level, date, err, map[int]string{0: "need_breaks", 1: "supply_breaks"}[i])
			}
			from = "terciles"
		} else {
			b = [2]float64{breaks[0], breaks[1]}
		}
		ok, suppressed, missing := t.counts()
		side := gapSideDoc{Indicator: ind.ID, Name: ind.Name, Unit: ind.Unit, Polarity: ind.Polarity, Date: date,
			Breaks: b, BreaksFrom: from, N: ok, Suppressed: suppressed, Missing: missing}
		if i == 0 {
			side.End = gap.NeedEnd(ind.Polarity)
			side.Reading = "high need is the " + side.End + " end of the values (polarity " + string(ind.Polarity) + ")"
		} else {
			side.End = gap.SupplyEnd(ind.Polarity)
			side.Reading = "high supply is the " + side.End + " end of the values (polarity " + string(ind.Polarity) + ")"
		}
		tables[i], sides[i], cut[i] = t, side, gap.Side{Polarity: ind.Polarity, Cutoffs: b}
	}
	pairs := pairRows(tables[0], tables[1])
	areas := make([]gap.Area, len(pairs))
	value := func(r row) gap.Value {
		if r.Value == nil { // only OK rows carry numbers (readTable)
			return gap.Value{V: math.NaN(), Status: r.Status}
		}
		return gap.Value{V: *r.Value, Status: atlas.OK}
	}
	for i, p := range pairs {
		areas[i] = gap.Area{Code: p.code, Need: value(p.a), Supply: value(p.b)}
	}
	results := gap.Classify(areas, cut[0], cut[1])
	doc := &gapDoc{Pair: req.pair, Level: req.level, Need: sides[0], Supply: sides[1], Note: gapNote,
		Areas: make([]gapAreaDoc, len(pairs)), Gaps: []gapRankDoc{}}
	doc.Legend = gapLegend(gap.Counts(results))
	for i, p := range pairs {
		name := p.name
		if name == "" {
			name = p.b.Name
		}
		doc.Areas[i] = gapAreaDoc{Code: p.code, Name: name, Need: pointDoc{Value: p.a.Value, Status: string(p.a.Status)},
			Supply: pointDoc{Value: p.b.Value, Status: string(p.b.Status)}, Class: results[i].Key}
	}
	for rank, i := range gap.Gaps(areas, results, cut[0]) {
		doc.Gaps = append(doc.Gaps, gapRankDoc{Rank: rank + 1, Code: areas[i].Code, Name: doc.Areas[i].Name,
			Need: areas[i].Need.V, Supply: areas[i].Supply.V})
	}
	return doc, nil
}

func gapLegend(counts map[string]int) gapLegendDoc {
	lg := gapLegendDoc{Scheme: gap.Scheme,
		NoData: gapClassDoc{Key: gap.NoData, Color: gap.NoDataColor, Label: gapLabelDoc{DE: "keine Angabe", EN: "no data"}, Count: counts[gap.NoData]},
		Suppressed: gapClassDoc{Key: gap.Suppressed, Color: gap.SuppressedColor,
			Label: gapLabelDoc{DE: "geheim gehalten (schraffiert)", EN: "withheld (hatched)"}, Count: counts[gap.Suppressed]}}
	for _, cl := range gap.Classes() {
		lg.Classes = append(lg.Classes, gapClassDoc{Key: cl.Key, Need: cl.Need.String(), Supply: cl.Supply.String(), Color: cl.Color,
			Label: gapLabelDoc{DE: cl.LabelDE, EN: cl.LabelEN}, Count: counts[cl.Key]})
	}
	return lg
}

// dateOnOrBefore is the indicator's latest date at the level, or its
// latest on or before day.
func (s *Server) dateOnOrBefore(c echo.Context, ind atlas.Indicator, level string, day atlas.Date) (atlas.Date, error) {
	series, err := s.series(c.Request().Context())
	if err != nil {
		return 0, err
	}
	var dates []atlas.Date
	var have []string
	for _, sr := range series {
		if sr.Indicator == ind.ID {
			have = append(have, sr.Level)
			if sr.Level == level {
				dates = sr.Dates
			}
		}
	}
	if dates == nil {
		if len(have) == 0 {
			return 0, atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values yet", ind.ID)
		}
		return 0, atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values at level %q; it has at %s", ind.ID, level, strings.Join(have, ", "))
	}
	if day == 0 {
		return dates[len(dates)-1], nil
	}
	i, found := slices.BinarySearch(dates, day)
	if !found {
		i--
	}
	if i < 0 {
		return 0, atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values at %s on or before %s; dates: %s", ind.ID, level, day, joinDates(dates))
	}
	return dates[i], nil
}
