package api

import (
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
)

// table is an indicator's values at one level and date as a caller may see
// them. Every answer built from values (JSON, CSV, XLSX, statistics,
// rankings, OGC features) starts from a table, so the disclosure rule
// lives here once: only an OK row carries numbers.
type table struct {
	Indicator atlas.Indicator
	Level     string
	Date      atlas.Date
	Dates     []atlas.Date // every date the indicator has at the level
	Rows      []row        // one per unit with a stored value, by code
	// Legend is the one classification of the values (see classify); nil
	// when they cannot be split into classes, and Unclassified says why.
	Legend       *classify.Legend
	Unclassified string
}

// tableHead heads the answers about one table: which indicator, level
// and date, and the unit of the values.
type tableHead struct {
	Indicator string     `json:"indicator"`
	Level     string     `json:"level"`
	Date      atlas.Date `json:"date"`
	Unit      string     `json:"unit"`
}

func (t *table) head() tableHead {
	return tableHead{Indicator: t.Indicator.ID, Level: t.Level, Date: t.Date, Unit: t.Indicator.Unit}
}

// row is one unit's value. Value, Numerator and Denominator are set only
// when Status is OK: a suppressed or missing value has no number.
type row struct {
	Code, Name, Parent     string
	Value                  *float64
	Numerator, Denominator atlas.Float
	Status                 atlas.Status
}

// Numbers are the values of the OK rows, for classification and statistics.
func (t *table) Numbers() []float64 {
	var out []float64
	for _, r := range t.Rows {
		if r.Value != nil {
			out = append(out, *r.Value)
		}
	}
	return out
}

// classify classifies the table's values with the request's method, k and
// scheme or the indicator's defaults: the one classification every answer
// with classes uses (values and their exports, breaks, tiles). Values that
// cannot be split into classes (one distinct value, fewer distinct values
// than Jenks classes) still answer, without classes; only a bad parameter
// is an error.
func (s *Server) classify(c echo.Context, t *table) error {
	opts, err := s.legendOptions(c, t.Indicator)
	if err != nil {
		return err
	}
	t.Legend, t.Unclassified = nil, ""
	if lg, err := classify.Classify(t.Numbers(), opts); err == nil {
		t.Legend = &lg
	} else {
		t.Unclassified = strings.TrimPrefix(err.Error(), "classify: ")
	}
	return nil
}

// classOf is the label of the class of a value, or nil for a value that is
// not OK or a table without classes.
func (t *table) classOf(v *float64) *string {
	if v == nil || t.Legend == nil {
		return nil
	}
	label := t.Legend.Labels[t.Legend.Class(*v)]
	return &label
}

// tableOf reads the table the request names: indicator id, and the query
// parameters level (required) and date (YYYY-MM-DD; default the latest).
func (s *Server) tableOf(c echo.Context, id string) (*table, error) {
	return s.tableAt(c, id, c.QueryParam("level"))
}

// tableAt is tableOf at a level the path names.
func (s *Server) tableAt(c echo.Context, id, level string) (*table, error) {
	ind, err := s.indicator(c, id)
	if err != nil {
		return nil, err
	}
	var date atlas.Date
	if v := c.QueryParam("date"); v != "" {
		if date, err = atlas.ParseDate(v); err != nil {
			return nil, atlas.Errorf(atlas.EINVALID, "date %q: want YYYY-MM-DD", v)
		}
	}
	return s.readTable(c, ind, level, date)
}

// readTable reads the values of a visible indicator at a level on a date
// (0: the latest the indicator has there).
func (s *Server) readTable(c echo.Context, ind atlas.Indicator, level string, date atlas.Date) (*table, error) {
	ctx := c.Request().Context()
	series, err := s.series(ctx)
	if err != nil {
		return nil, err
	}
	var have []string
	var dates []atlas.Date
	for _, sr := range series {
		if sr.Indicator == ind.ID {
			have = append(have, sr.Level)
			if sr.Level == level {
				dates = sr.Dates
			}
		}
	}
	if level == "" || dates == nil {
		if len(have) == 0 {
			return nil, atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values yet", ind.ID)
		}
		if level == "" {
			return nil, atlas.Errorf(atlas.EINVALID, "level is missing: say one of %s", strings.Join(have, ", "))
		}
		return nil, atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values at level %q; it has at %s", ind.ID, level, strings.Join(have, ", "))
	}
	if date == 0 {
		date = dates[len(dates)-1]
	} else if !slices.Contains(dates, date) {
		return nil, atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values at %s on %s; dates: %s", ind.ID, level, date, joinDates(dates))
	}
	vals, err := s.store.Values(ctx, atlas.ValueQuery{Indicator: ind.ID, Level: level, Dates: []atlas.Date{date}})
	if err != nil {
		return nil, err
	}
	units, err := s.store.Units(ctx, level, atlas.UnitQuery{NoGeometry: true})
	if err != nil {
		return nil, err
	}
	type unitInfo struct{ name, parent string }
	info := make(map[string]unitInfo, len(units))
	for _, u := range units {
		info[u.Code] = unitInfo{u.Name, u.Parent}
	}
	t := &table{Indicator: ind, Level: level, Date: date, Dates: dates, Rows: make([]row, 0, len(vals))}
	for _, v := range vals {
		u := info[v.Unit]
		r := row{Code: v.Unit, Name: u.name, Parent: u.parent, Status: v.Status}
		if v.Status == atlas.OK { // the only status that carries numbers
			x := v.Value
			r.Value, r.Numerator, r.Denominator = &x, v.Numerator, v.Denominator
		}
		t.Rows = append(t.Rows, r)
	}
	return t, nil
}
