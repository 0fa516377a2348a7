package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
)

// A provider's list of offers is a table, one offer per row, as CSV or
// XLSX, with these columns (header names, in any order and case). Only id
// is required as a column. A new offer needs a name and a place: lon and
// lat (WGS84), or area_code (with level, as a column or for the whole
// file), which places the offer at the interior point of that unit. An
// offer the layer has already gets the columns the list has and keeps
// the rest. Lists (target_groups, household_types, conditions, goals,
// languages) separate their items with commas or semicolons. Other
// columns are kept as the offers' free attributes.
var offerListColumns = []string{"id", "name", "category", "subcategory", "provider", "provider_type", "capacity", "address",
	"target_groups", "age_min", "age_max", "household_types", "conditions", "conditions_note", "goals", "languages",
	"barrier_free", "opening_hours", "contact", "valid_from", "valid_to", "lon", "lat", "level", "area_code"}

// OfferListColumns lists the columns a provider's list may have.
func OfferListColumns() []string { return slices.Clone(offerListColumns) }

// OfferListOptions say where a provider's list goes and how to read it.
type OfferListOptions struct {
	Name   string   // the file's name, for the report and the import log
	Layer  string   // the offer layer the offers go into (it must exist)
	Format string   // csv or xlsx; "" detects (XLSX files are zip archives)
	Sheet  string   // the XLSX sheet; "" the first
	Level  string   // the level of area codes when the list has no level column
	Goals  []string // the goal vocabulary (atlas.DefaultGoals when nil)
	User   string
	DryRun bool
	CSV    CSVFormat
	// MaxProblems bounds the listed problems (default 100); all are counted.
	MaxProblems int
}

// ListProblem is one error in a list, at its row (the header is row 1)
// and column (1 = A), with the column's header.
type ListProblem struct {
	Row    int    `json:"row"`
	Column int    `json:"column,omitempty"`
	Cell   string `json:"cell,omitempty"` // e.g. "C7"
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func (p ListProblem) String() string {
	where := fmt.Sprintf("row %d", p.Row)
	if p.Cell != "" {
		where += ", cell " + p.Cell
	}
	if p.Field != "" {
		where += " (" + p.Field + ")"
	}
	return where + ": " + p.Reason
}

// OfferListReport is the outcome of reading a provider's list. It is all
// or nothing: with any error nothing is written.
type OfferListReport struct {
	Name     string        `json:"name"`
	Layer    string        `json:"layer"`
	Format   string        `json:"format"`
	DryRun   bool          `json:"dry_run"`
	Rows     int           `json:"rows"` // data rows read
	Problems []ListProblem `json:"problems"`
	Errors   int           `json:"errors"`
	Omitted  int           `json:"omitted"` // errors counted but not listed
	// Attributes are the columns kept as free attributes.
	Attributes []string       `json:"attributes"`
	Changes    *atlas.Changes `json:"changes,omitempty"`
	Touched    atlas.Touched  `json:"-"`
	// Offers are the offers read, for the caller's checks; not
	// serialised.
	Offers []atlas.Offer `json:"-"`

	limit int
}

// OK reports whether the list had no errors.
func (r *OfferListReport) OK() bool { return r.Errors == 0 }

func (r *OfferListReport) add(p ListProblem) {
	r.Errors++
	if len(r.Problems) < r.limit {
		r.Problems = append(r.Problems, p)
	} else {
		r.Omitted++
	}
}

// listTable is a list read into text cells, with each row's number in the
// file.
type listTable struct {
	header []string
	rows   [][]string
	lines  []int
	// decimal is the CSV's decimal separator ('.' for XLSX, whose numbers
	// are read raw).
	decimal byte
	xlsx    bool
}

// ImportOfferList reads a provider's list of offers, checks every row and
// writes the offers into the layer in one transaction, or nothing.
// Offers already in the layer with the same id are updated; offers the
// list does not name are kept. The import log records it as an
// atlas.OfferImport by the user.
func ImportOfferList(ctx context.Context, store atlas.Store, data []byte, o OfferListOptions) (*OfferListReport, error) {
	rep := &OfferListReport{Name: o.Name, Layer: o.Layer, DryRun: o.DryRun, Problems: []ListProblem{}, Attributes: []string{}, limit: o.MaxProblems}
	if rep.limit == 0 {
		rep.limit = 100
	}
	if o.Goals == nil {
		o.Goals = atlas.DefaultGoals
	}
	if _, err := store.Offers(ctx, o.Layer, atlas.OfferQuery{Limit: 1}); err != nil {
		return nil, err
	}
	format := strings.ToLower(o.Format)
	if format == "" {
		format = "csv"
		if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			format = "xlsx"
		}
	}
	rep.Format = format
	var t *listTable
	var err error
	switch format {
	case "csv":
		t, err = readListCSV(data, o.CSV)
	case "xlsx":
		t, err = readListXLSX(data, o.Sheet)
	default:
		return nil, atlas.Errorf(atlas.EINVALID, "format %q: want csv or xlsx", o.Format)
	}
	if err != nil {
		return nil, atlas.Errorf(atlas.EINVALID, "%s: %v", o.Name, err)
	}
	rep.Rows = len(t.rows)
	offers := readListOffers(ctx, store, t, o, rep)
	if !rep.OK() {
		return rep, nil
	}
	if len(offers) == 0 {
		rep.add(ListProblem{Row: 2, Reason: "the list has no offers"})
		return rep, nil
	}
	sum := sha256.Sum256(data)
	b := &atlas.Batch{Source: atlas.Source{Name: o.Name, User: o.User, Action: atlas.OfferImport,
		Files: []atlas.SourceFile{{Name: o.Name, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))}},
		Note:  fmt.Sprintf("%d offers from a provider's list into %s", len(offers), o.Layer)}, Offers: offers}
	ch, err := store.Apply(ctx, b, atlas.ApplyOptions{DryRun: o.DryRun})
	if err != nil {
		return nil, err
	}
	rep.Changes, rep.Touched, rep.Offers = &ch, b.Touched(), offers
	return rep, nil
}

func readListCSV(data []byte, f CSVFormat) (*listTable, error) {
	c, err := openCSV(data, f, []string{""})
	if err != nil {
		return nil, err
	}
	t := &listTable{header: append([]string(nil), c.header...), decimal: c.decimal}
	for {
		rec, line, err := c.next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		t.rows = append(t.rows, append([]string(nil), rec...))
		t.lines = append(t.lines, line)
	}
}

func readListXLSX(data []byte, sheet string) (*listTable, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if sheet == "" && len(sheets) > 0 {
		sheet = sheets[0]
	}
	if !slices.Contains(sheets, sheet) {
		return nil, fmt.Errorf("sheet %q: the workbook has %s", sheet, strings.Join(sheets, ", "))
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %v", sheet, err)
	}
	// Rows before the header that are empty are skipped, as Excel users
	// often leave one.
	first := 0
	for first < len(rows) && strings.TrimSpace(strings.Join(rows[first], "")) == "" {
		first++
	}
	if first == len(rows) {
		return nil, fmt.Errorf("sheet %s is empty", sheet)
	}
	t := &listTable{decimal: '.', xlsx: true}
	for i, h := range rows[first] {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("header: column %s has no name", columnName(i))
		}
		t.header = append(t.header, h)
	}
	for i := first + 1; i < len(rows); i++ {
		if strings.TrimSpace(strings.Join(rows[i], "")) == "" {
			continue // empty rows between offers
		}
		row := make([]string, len(t.header))
		for j, v := range rows[i] {
			if j >= len(t.header) {
				if strings.TrimSpace(v) != "" {
					return nil, fmt.Errorf("row %d: cell %s%d has a value but no header", i+1, columnName(j), i+1)
				}
				continue
			}
			row[j] = v
		}
		t.rows = append(t.rows, row)
		t.lines = append(t.lines, i+1)
	}
	return t, nil
}

// columnName is the spreadsheet letter of column i (0 = A).
func columnName(i int) string {
	s, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return s
}

// readListOffers turns the rows into offers, reporting every problem with
// its row and column.
func readListOffers(ctx context.Context, store atlas.Store, t *listTable, o OfferListOptions, rep *OfferListReport) []atlas.Offer {
	col := map[string]int{}
	for i, h := range t.header {
		key := strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(offerListColumns, key) {
			rep.Attributes = append(rep.Attributes, h)
			continue
		}
		if j, dup := col[key]; dup {
			rep.add(ListProblem{Row: 1, Column: i + 1, Cell: columnName(i) + "1", Field: h,
				Reason: fmt.Sprintf("column %s appears twice (columns %s and %s)", key, columnName(j), columnName(i))})
		}
		col[key] = i
	}
	if _, ok := col["id"]; !ok {
		rep.add(ListProblem{Row: 1, Field: "id", Reason: fmt.Sprintf("column id is missing: each offer needs an id that stays the same (the columns are %s)", strings.Join(offerListColumns, ", "))})
	}
	_, hasLon := col["lon"]
	_, hasLat := col["lat"]
	if hasLon != hasLat {
		rep.add(ListProblem{Row: 1, Field: "lon/lat", Reason: "give both lon and lat, or neither"})
	}
	if !rep.OK() {
		return nil
	}

	city, err := CityBound(ctx, store)
	if err != nil {
		rep.add(ListProblem{Row: 1, Reason: atlas.ErrorMessage(err)})
		return nil
	}
	places, err := listPlaces(ctx, store, t, col, o.Level, rep)
	if err != nil {
		rep.add(ListProblem{Row: 1, Field: "area_code", Reason: atlas.ErrorMessage(err)})
		return nil
	}
	stored, err := store.Offers(ctx, o.Layer, atlas.OfferQuery{})
	if err != nil {
		rep.add(ListProblem{Row: 1, Reason: atlas.ErrorMessage(err)})
		return nil
	}
	existing := make(map[string]atlas.Offer, len(stored))
	for _, s := range stored {
		existing[s.ID] = s
	}
	seen := map[string]int{}
	var out []atlas.Offer
	for i, rec := range t.rows {
		line := t.lines[i]
		r := &listRow{t: t, rec: rec, col: col, line: line, rep: rep, city: city}
		id := r.text("id")
		old, known := existing[id]
		of := r.offer(old)
		of.Layer, of.ID = o.Layer, id
		if id == "" {
			r.fail("id", "the offer has no id: give each offer an id that stays the same, so that the list can be imported again")
		} else if prev, dup := seen[id]; dup {
			r.fail("id", fmt.Sprintf("id %q is also in row %d", id, prev))
		}
		seen[id] = line
		// The vocabularies bind what the list says anew; an offer a
		// publisher's file brought keeps its words until they change.
		if of.ProviderType != "" && (!known || of.ProviderType != old.ProviderType) {
			if err := atlas.CheckProviderType(of.ProviderType); err != nil {
				r.fail("provider_type", atlas.ErrorMessage(err))
			}
		}
		if !known || !slices.Equal(of.Goals, old.Goals) {
			if err := atlas.CheckGoals(of.Goals, o.Goals); err != nil {
				r.fail("goals", atlas.ErrorMessage(err))
			}
		}
		if p, ok := r.place(places, known); ok {
			of.Geometry = p
		}
		for _, fe := range of.InventoryErrors() {
			r.fail(fe.Field, fe.Message)
		}
		if r.failed {
			continue
		}
		if err := of.Validate(); err != nil {
			r.fail("", strings.TrimPrefix(atlas.ErrorMessage(err), "offer "+of.ID+": "))
			continue
		}
		for _, a := range rep.Attributes {
			j := slices.Index(t.header, a)
			if v := strings.TrimSpace(rec[j]); v != "" {
				if of.Attributes == nil {
					of.Attributes = map[string]any{}
				}
				of.Attributes[a] = v
			}
		}
		out = append(out, of)
	}
	return out
}

// offer is the row's offer: the stored one (for an id the layer has) with
// every field the list has a column for replaced, so that a list without,
// say, opening hours keeps the stored ones; an empty cell clears a field.
func (r *listRow) offer(old atlas.Offer) atlas.Offer {
	of := old
	of.Attributes = maps.Clone(old.Attributes)
	for field, dst := range map[string]*string{"name": &of.Name, "category": &of.Category, "subcategory": &of.Subcategory,
		"provider": &of.Provider, "provider_type": &of.ProviderType, "address": &of.Address, "conditions_note": &of.ConditionsNote,
		"opening_hours": &of.OpeningHours, "contact": &of.Contact} {
		if r.has(field) {
			*dst = r.text(field)
		}
	}
	for field, dst := range map[string]*[]string{"target_groups": &of.TargetGroups, "household_types": &of.HouseholdTypes,
		"conditions": &of.Conditions, "goals": &of.Goals, "languages": &of.Languages} {
		if r.has(field) {
			*dst = r.list(field)
		}
	}
	for field, dst := range map[string]**int{"capacity": &of.Capacity, "age_min": &of.AgeMin, "age_max": &of.AgeMax} {
		if r.has(field) {
			*dst = r.whole(field)
		}
	}
	if r.has("barrier_free") {
		of.BarrierFree = r.bool("barrier_free")
	}
	if r.has("valid_from") {
		of.From = r.date("valid_from")
	}
	if r.has("valid_to") {
		of.To = r.date("valid_to")
	}
	return of
}

// listPlaces finds the interior point of every unit the list names by
// area code, by level.
func listPlaces(ctx context.Context, store atlas.Store, t *listTable, col map[string]int, level string, rep *OfferListReport) (map[string]map[string]orb.Point, error) {
	ac, ok := col["area_code"]
	if !ok {
		return nil, nil
	}
	codes := map[string][]string{}
	for i, rec := range t.rows {
		code := strings.TrimSpace(rec[ac])
		if code == "" {
			continue
		}
		lv := level
		if lc, ok := col["level"]; ok && strings.TrimSpace(rec[lc]) != "" {
			lv = strings.TrimSpace(rec[lc])
		}
		if lv == "" {
			rep.add(ListProblem{Row: t.lines[i], Column: ac + 1, Cell: cellName(ac, t.lines[i]), Field: t.header[ac],
				Reason: "an area code needs its level: give a level column or say the level of the whole list (level=)"})
			continue
		}
		codes[lv] = append(codes[lv], code)
	}
	out := map[string]map[string]orb.Point{}
	for lv, cs := range codes {
		units, err := store.Units(ctx, lv, atlas.UnitQuery{Codes: cs})
		if err != nil {
			return nil, err
		}
		m := map[string]orb.Point{}
		for _, u := range units {
			m[u.Code] = geo.InteriorPoint(u.Geometry)
		}
		out[lv] = m
	}
	return out, nil
}

// cityMargin is how far (degrees) an offer may lie outside the bounding
// box of the city's areas: offers just beyond the border serve residents
// too, but a point in another country is a mistake (swapped coordinates,
// metres read as degrees).
const cityMargin = 0.2

// CityBound is the bounding box of the units of the top level (the whole
// city), or nil when the store has no units yet.
func CityBound(ctx context.Context, store atlas.Store) (*orb.Bound, error) {
	levels, err := store.Levels(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range levels {
		if l.Parent != "" || l.Units == 0 {
			continue
		}
		units, err := store.Units(ctx, l.ID, atlas.UnitQuery{})
		if err != nil {
			return nil, err
		}
		b := atlas.UnitsBound(units)
		return &b, nil
	}
	return nil, nil
}

// InCity reports whether p lies within the city's bounding box, with the
// margin providers' lists are allowed; true without units.
func InCity(city *orb.Bound, p orb.Point) bool {
	return city == nil || city.Pad(cityMargin).Contains(p)
}

func cellName(col, row int) string { return columnName(col) + strconv.Itoa(row) }

// listRow reads the cells of one row, reporting problems at their cell.
type listRow struct {
	t      *listTable
	rec    []string
	col    map[string]int
	line   int
	rep    *OfferListReport
	city   *orb.Bound // the bounding box of the city's areas; nil: none yet
	failed bool
}

func (r *listRow) fail(field, reason string) {
	p := ListProblem{Row: r.line, Field: field, Reason: reason}
	if j, ok := r.col[field]; ok {
		p.Column, p.Cell, p.Field = j+1, cellName(j, r.line), r.t.header[j]
	}
	r.rep.add(p)
	r.failed = true
}

// has reports whether the list has a column for the field.
func (r *listRow) has(field string) bool {
	_, ok := r.col[field]
	return ok
}

func (r *listRow) text(field string) string {
	j, ok := r.col[field]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.rec[j])
}

func (r *listRow) list(field string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(r.text(field), func(c rune) bool { return c == ',' || c == ';' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (r *listRow) number(field string) (float64, bool) {
	s := r.text(field)
	if s == "" {
		return 0, false
	}
	x, err := parseNumber(s, r.t.decimal)
	if err != nil && r.t.xlsx {
		x, err = parseNumber(s, ',') // a number typed as text with a decimal comma
	}
	if err != nil {
		r.fail(field, err.Error())
		return 0, false
	}
	return x, true
}

func (r *listRow) whole(field string) *int {
	x, ok := r.number(field)
	if !ok {
		return nil
	}
	if x != math.Trunc(x) || x < 0 || x > 1e9 {
		r.fail(field, fmt.Sprintf("%s %q: want a whole number, 0 or more", field, r.text(field)))
		return nil
	}
	n := int(x)
	return &n
}

func (r *listRow) bool(field string) *bool {
	s := strings.ToLower(r.text(field))
	var v bool
	switch s {
	case "", "unbekannt", "unknown", "?":
		return nil
	case "ja", "yes", "true", "wahr", "1", "x":
		v = true
	case "nein", "no", "false", "falsch", "0":
		v = false
	default:
		r.fail(field, fmt.Sprintf("%s %q: want ja or nein (yes, no, true, false, 1, 0), or leave it empty when not known", field, r.text(field)))
		return nil
	}
	return &v
}

func (r *listRow) date(field string) atlas.Date {
	s := r.text(field)
	if s == "" {
		return 0
	}
	if d, err := atlas.ParseDate(s); err == nil {
		return d
	}
	if r.t.xlsx { // a date cell, read raw: days since 1899-12-30
		if x, err := strconv.ParseFloat(s, 64); err == nil && x > 0 && x == math.Trunc(x) {
			if tm, err := excelize.ExcelDateToTime(x, false); err == nil {
				return atlas.DateOf(tm)
			}
		}
	}
	r.fail(field, fmt.Sprintf("%s %q: want a date as YYYY-MM-DD or DD.MM.YYYY", field, s))
	return 0
}

// place is the offer's point: lon and lat, or the interior point of its
// area; an offer the layer has keeps its point when the row gives none.
func (r *listRow) place(places map[string]map[string]orb.Point, known bool) (orb.Point, bool) {
	code := r.text("area_code")
	lonText, latText := r.text("lon"), r.text("lat")
	switch {
	case lonText != "" || latText != "":
		if code != "" {
			r.fail("area_code", "give either lon and lat or an area code, not both")
			return orb.Point{}, false
		}
		lon, ok1 := r.number("lon")
		lat, ok2 := r.number("lat")
		if !ok1 || !ok2 {
			if !r.failed {
				r.fail("lon", "give both lon and lat")
			}
			return orb.Point{}, false
		}
		p := orb.Point{lon, lat}
		if !InCity(r.city, p) {
			r.fail("lon", fmt.Sprintf("(%s, %s) lies outside the city's areas: want longitude, latitude in WGS84 degrees, longitude first", lonText, latText))
			return orb.Point{}, false
		}
		return p, true
	case code != "":
		lv := r.text("level")
		for l, m := range places {
			if lv != "" && l != lv {
				continue
			}
			if p, ok := m[code]; ok {
				return p, true
			}
		}
		if len(places) > 0 {
			r.fail("area_code", fmt.Sprintf("no unit %q at the level named", code))
		}
		return orb.Point{}, false
	}
	if !known {
		r.fail("lon", "the offer is new and has no place: give lon and lat, or an area code")
	}
	return orb.Point{}, false
}
