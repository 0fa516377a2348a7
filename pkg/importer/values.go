package importer

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// valueReader turns the rows of one CSV file into values.
type valueReader struct {
	spec   ValuesFile
	csv    *csvFile
	known  *knownSet // levels, units and indicators the values may refer to
	report func(where, field, reason string)

	unitCol, nameCol, dateCol, indCol, valueCol, numCol, denCol int
	wide                                                        []wideColumn
}

// wideColumn is one value column of a wide file: its indicator and date.
type wideColumn struct {
	col       int
	indicator string
	date      atlas.Date
}

// setup checks the spec against the header. It returns false when the file
// cannot be read at all (the problems are reported).
func (r *valueReader) setup() bool {
	s, c := r.spec, r.csv
	ok := true
	col := func(name, what string, required bool) int {
		if name == "" {
			if required {
				r.report("header", "", fmt.Sprintf("say which column holds the %s", what))
				ok = false
			}
			return -1
		}
		i, found := c.columns[name]
		if !found {
			r.report("header", name, fmt.Sprintf("column %q (%s) not found; the header has: %s", name, what, strings.Join(c.header, ", ")))
			ok = false
			return -1
		}
		return i
	}
	r.unitCol = col(s.Unit, "unit codes (unit:)", true)
	r.nameCol = col(s.NameColumn, "unit names", false)
	r.dateCol = col(s.DateColumn, "dates", false)
	r.indCol = col(s.IndicatorColumn, "indicators", false)
	r.numCol = col(s.NumeratorColumn, "numerators", false)
	r.denCol = col(s.DenominatorCol, "denominators", false)
	r.valueCol = -1
	if s.DateColumn != "" && s.Date != 0 {
		r.report("", "", "give either date or date_column, not both")
		ok = false
	}

	switch s.Layout {
	case "long":
		r.valueCol = col(orDefault(s.ValueColumn, "value"), "values", true)
		if s.IndicatorColumn == "" && s.Indicator == "" {
			r.report("", "", "a long file needs indicator (one indicator) or indicator_column")
			ok = false
		}
		if s.DateColumn == "" && s.Date == 0 {
			r.report("", "", "a long file needs date (one date) or date_column")
			ok = false
		}
		if s.Indicator != "" {
			ok = r.checkIndicator(s.Indicator, "indicator") && ok
		}
	case "wide":
		ok = r.setupWide() && ok
	default:
		r.report("", "layout", fmt.Sprintf("layout %q: want long or wide", s.Layout))
		ok = false
	}
	return ok
}

func (r *valueReader) setupWide() bool {
	s, c := r.spec, r.csv
	ok := true
	ignore := map[string]bool{s.Unit: true, s.DateColumn: true, s.NameColumn: true}
	for _, h := range s.Ignore {
		if _, found := c.columns[h]; !found {
			r.report("header", h, fmt.Sprintf("ignored column %q is not in the header", h))
			ok = false
		}
		ignore[h] = true
	}
	switch {
	case len(s.Columns) > 0 && s.Indicator != "":
		r.report("", "", "a wide file has either columns (one column per indicator) or indicator (one column per date), not both")
		return false
	case len(s.Columns) > 0: // one column per indicator
		if s.DateColumn == "" && s.Date == 0 {
			r.report("", "", "a wide file with one column per indicator needs date or date_column")
			ok = false
		}
		headers := make([]string, 0, len(s.Columns))
		for h := range s.Columns {
			headers = append(headers, h)
		}
		sort.Strings(headers)
		for _, h := range headers {
			i, found := c.columns[h]
			if !found {
				r.report("header", h, fmt.Sprintf("column %q not found; the header has: %s", h, strings.Join(c.header, ", ")))
				ok = false
				continue
			}
			if !r.checkIndicator(s.Columns[h], h) {
				ok = false
			}
			r.wide = append(r.wide, wideColumn{col: i, indicator: s.Columns[h], date: s.Date})
		}
		var unmapped []string
		for _, h := range c.header {
			if _, mapped := s.Columns[h]; !mapped && !ignore[h] {
				unmapped = append(unmapped, h)
			}
		}
		if len(unmapped) > 0 {
			r.report("header", "", fmt.Sprintf("columns %s are neither mapped to an indicator (columns:) nor ignored (ignore:)", strings.Join(unmapped, ", ")))
			ok = false
		}
	case s.Indicator != "": // one column per date
		ok = r.checkIndicator(s.Indicator, "indicator") && ok
		for i, h := range c.header {
			if ignore[h] {
				continue
			}
			d, err := parseDate(h, s.YearDay)
			if err != nil {
				r.report("header", h, fmt.Sprintf("column %q is not a date (%v); add it to ignore: if it holds no values", h, err))
				ok = false
				continue
			}
			r.wide = append(r.wide, wideColumn{col: i, indicator: s.Indicator, date: d})
		}
	default:
		r.report("", "", "a wide file needs columns (header → indicator) or indicator (columns are dates)")
		ok = false
	}
	return ok
}

func (r *valueReader) checkIndicator(id, field string) bool {
	if !r.known.indicators[id] {
		r.report("", field, fmt.Sprintf("indicator %q is not declared (add it under indicators:) and not in the store", id))
		return false
	}
	return true
}

// read reads all rows and appends their values to out.
func (r *valueReader) read(out []atlas.Value, lines int) ([]atlas.Value, int) {
	s := r.spec
	// Growing a slice of millions of values append by append copies
	// gigabytes; the line count bounds the rows.
	perRow := max(len(r.wide), 1)
	out = slices.Grow(out, lines*perRow)
	codes := r.known.units[s.Level]
	rows := 0
	for {
		rec, line, err := r.csv.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			r.report(lineAt(line), "", err.Error())
			if line == 0 {
				break // cannot resynchronise
			}
			continue
		}
		rows++
		code := strings.TrimSpace(rec[r.unitCol])
		unit, found := codes[code]
		switch {
		case code == "":
			r.report(lineAt(line), s.Unit, "unit code is empty")
			continue
		case !found:
			r.report(lineAt(line), s.Unit, fmt.Sprintf("unit %q does not exist in level %s", code, s.Level))
			continue
		}
		code = unit.code // share one string per unit
		if r.nameCol >= 0 {
			// A code list shifted by one row shows up here, not on the map.
			if name := strings.TrimSpace(rec[r.nameCol]); name != unit.name {
				r.report(lineAt(line), s.NameColumn, fmt.Sprintf("unit %s is called %q, not %q: check the codes", code, unit.name, name))
				continue
			}
		}
		date := s.Date
		if r.dateCol >= 0 {
			d, err := parseDate(rec[r.dateCol], s.YearDay)
			if err != nil {
				r.report(lineAt(line), s.DateColumn, err.Error())
				continue
			}
			date = d
		}
		if r.valueCol >= 0 { // long
			ind := s.Indicator
			if r.indCol >= 0 {
				ind = strings.TrimSpace(rec[r.indCol])
				if !r.known.indicators[ind] {
					r.report(lineAt(line), s.IndicatorColumn, fmt.Sprintf("indicator %q is not declared and not in the store", ind))
					continue
				}
				ind = r.known.indicatorID[ind]
			}
			v, ok := r.value(rec, r.valueCol, line)
			if !ok {
				continue
			}
			v.Indicator, v.Level, v.Unit, v.Date = ind, s.Level, code, date
			if !r.ratio(&v, rec, line) {
				continue
			}
			out = append(out, v)
			continue
		}
		for _, w := range r.wide {
			v, ok := r.value(rec, w.col, line)
			if !ok {
				continue
			}
			v.Indicator, v.Level, v.Unit, v.Date = w.indicator, s.Level, code, w.date
			if w.date == 0 {
				v.Date = date
			}
			out = append(out, v)
		}
	}
	return out, rows
}

// value reads one cell: a number, or a no-data marker (missing).
func (r *valueReader) value(rec []string, col int, line int) (atlas.Value, bool) {
	x, missing, err := r.csv.cell(rec[col])
	switch {
	case err != nil:
		r.report(lineAt(line), r.csv.header[col], err.Error())
		return atlas.Value{}, false
	case missing:
		return atlas.Value{Status: atlas.Missing}, true
	}
	return atlas.Value{Value: x, Status: atlas.OK}, true
}

func lineAt(line int) string { return fmt.Sprintf("line %d", line) }

// ratio reads the optional numerator and denominator of a long row.
func (r *valueReader) ratio(v *atlas.Value, rec []string, line int) bool {
	for _, part := range []struct {
		col int
		dst *atlas.Float
	}{{r.numCol, &v.Numerator}, {r.denCol, &v.Denominator}} {
		if part.col < 0 {
			continue
		}
		x, missing, err := r.csv.cell(rec[part.col])
		switch {
		case err != nil:
			r.report(lineAt(line), r.csv.header[part.col], err.Error())
			return false
		case missing:
			continue
		case v.Status != atlas.OK:
			r.report(lineAt(line), r.csv.header[part.col], "the value is missing but this column has a number")
			return false
		}
		*part.dst = atlas.Some(x)
	}
	return true
}

// parseDate reads a date, or a bare year when yearDay ("12-31") says which
// day of the year it stands for.
func parseDate(s, yearDay string) (atlas.Date, error) {
	s = strings.TrimSpace(s)
	if len(s) == 4 {
		if _, err := strconv.Atoi(s); err == nil {
			if yearDay == "" {
				return 0, fmt.Errorf("date %q is a bare year; set year_day (e.g. \"12-31\") to say which day it stands for", s)
			}
			return atlas.ParseDate(s + "-" + yearDay)
		}
	}
	d, err := atlas.ParseDate(s)
	if err != nil {
		return 0, fmt.Errorf("%s", atlas.ErrorMessage(err))
	}
	return d, nil
}
