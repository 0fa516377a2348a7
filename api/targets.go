package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

type targetDoc struct {
	Name      string              `json:"name,omitempty"`
	Value     float64             `json:"value"`
	Date      atlas.Date          `json:"date"`
	Direction string              `json:"direction"`
	Level     string              `json:"level"`
	Code      string              `json:"code,omitempty"`
	UnitName  string              `json:"unit_name,omitempty"`
	From      atlas.Date          `json:"from,omitempty"`
	Series    []seriesPointDoc    `json:"series"`
	Progress  *indicator.Progress `json:"progress"`
	Note      string              `json:"note,omitempty"`
}

type targetsDoc struct {
	Indicator string         `json:"indicator"`
	Name      string         `json:"name"`
	Unit      string         `json:"unit"`
	Polarity  atlas.Polarity `json:"polarity"`
	CityLevel string         `json:"city_level,omitempty"`
	Rule      string         `json:"rule"`
	Targets   []targetDoc    `json:"targets"`
}

const targetRule = "The path runs straight from the baseline (the first published value, or the latest on or before the target's from date) " +
	"to the target value on the target date. reached: the latest value meets the target; on_track: it is at or beyond the path's value " +
	"on its date in the target's direction; behind: it falls short, or the target date has passed. The city's value comes from " +
	"published values only (see /statistics: city)."

// targets shows an indicator's action-plan targets from the catalog with
// their progress, computed from the published series.
func (s *Server) targets(c echo.Context) error {
	ind, err := s.indicator(c, c.Param("id"))
	if err != nil {
		return err
	}
	doc := targetsDoc{Indicator: ind.ID, Name: ind.Name, Unit: ind.Unit, Polarity: ind.Polarity, Rule: targetRule, Targets: []targetDoc{}}
	var defs []indicator.Target
	if s.catalog != nil {
		if d, found := s.catalog.Definition(ind.ID); found {
			defs = d.Targets
		}
	}
	if len(defs) == 0 {
		return c.JSON(http.StatusOK, doc)
	}
	series, err := s.series(c.Request().Context())
	if err != nil {
		return err
	}
	dates := map[string][]atlas.Date{}
	for _, sr := range series {
		if sr.Indicator == ind.ID {
			dates[sr.Level] = sr.Dates
		}
	}
	cityLevel, err := s.cityLevel(c, ind, dates)
	if err != nil {
		return err
	}
	doc.CityLevel = cityLevel
	for _, t := range defs {
		td, err := s.targetProgress(c, ind, t, dates, cityLevel)
		if err != nil {
			return err
		}
		doc.Targets = append(doc.Targets, td)
	}
	return c.JSON(http.StatusOK, doc)
}

// cityLevel is the level whose values give the city value: ?level=, or
// the top-most level with values.
func (s *Server) cityLevel(c echo.Context, ind atlas.Indicator, dates map[string][]atlas.Date) (string, error) {
	if l := c.QueryParam("level"); l != "" {
		if _, ok := dates[l]; !ok {
			return "", atlas.Errorf(atlas.ENOTFOUND, "indicator %s has no values at level %q", ind.ID, l)
		}
		return l, nil
	}
	levels, err := s.store.Levels(c.Request().Context())
	if err != nil {
		return "", err
	}
	for _, l := range levels { // parents first
		if _, ok := dates[l.ID]; ok {
			return l.ID, nil
		}
	}
	return "", nil
}

// targetProgress reads the series a target is judged by: the city's
// value on each date, or the unit's.
func (s *Server) targetProgress(c echo.Context, ind atlas.Indicator, t indicator.Target, dates map[string][]atlas.Date, cityLevel string) (targetDoc, error) {
	td := targetDoc{Name: t.Name, Value: *t.Value, Date: t.Date, Direction: t.Direction, Level: t.TargetLevel(), Code: t.Code,
		From: t.From, Series: []seriesPointDoc{}}
	level := cityLevel
	if td.Level != indicator.City {
		level = td.Level
		units, err := s.store.Units(c.Request().Context(), level, atlas.UnitQuery{Codes: []string{t.Code}, NoGeometry: true})
		if err != nil && atlas.ErrorCode(err) != atlas.ENOTFOUND {
			return td, err
		}
		if len(units) == 0 {
			p := t.Progress(nil)
			td.Progress, td.Note = &p, "there is no unit "+t.Code+" at level "+level
			return td, nil
		}
		td.UnitName = units[0].Name
	}
	var points []indicator.Point
	for _, d := range dates[level] {
		tab, err := s.readTable(c, ind, level, d)
		if err != nil {
			return td, err
		}
		p := seriesPointDoc{Date: d, Status: string(atlas.Missing)}
		if td.Level == indicator.City {
			city, err := s.cityValue(c, tab)
			if err != nil {
				return td, err
			}
			if p.Value = city.Value; p.Value != nil {
				p.Status = string(atlas.OK)
			}
		} else if i, found := slices.BinarySearchFunc(tab.Rows, t.Code, func(r row, code string) int {
			return strings.Compare(r.Code, code)
		}); found {
			p.Value, p.Status = tab.Rows[i].Value, string(tab.Rows[i].Status)
		}
		td.Series = append(td.Series, p)
		if p.Value != nil { // only published values: a withheld one is not judged
			points = append(points, indicator.Point{Date: d, Value: *p.Value})
		}
	}
	pr := t.Progress(points)
	td.Progress = &pr
	switch {
	case level == "":
		td.Note = "the indicator has no values yet"
	case pr.Status == indicator.NoData:
		td.Note = "no published value to judge the target by"
	case len(points) == 1 && pr.Status != indicator.Reached:
		td.Note = "only the baseline is published: the path starts at it, so progress can be judged from the next value on"
	}
	return td, nil
}
