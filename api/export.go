package api

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/export"
)

const (
	xlsxType    = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	geojsonType = "application/geo+json"
	gpkgType    = "application/geopackage+sqlite3"
)

// tableFormat is a file format a values answer can take besides JSON.
type tableFormat struct {
	name      string // as ?format= says it
	mediaType string
	ext       string
	write     func(io.Writer, *export.Table) error
	// geo formats carry each unit's geometry, and no time of retrieval,
	// so that the same data give the same file.
	geo bool
}

var tableFormats = []tableFormat{
	{"csv", "text/csv; charset=utf-8; header=present", "csv", export.CSV, false},
	{"csv-excel", "text/csv; charset=utf-8; header=present", "csv", export.ExcelCSV, false},
	{"xlsx", xlsxType, "xlsx", export.XLSX, false},
	{"geojson", geojsonType, "geojson", export.GeoJSON, true},
	{"gpkg", gpkgType, "gpkg", export.GeoPackage, true},
}

// formatNames are the values ?format= takes.
func formatNames() string {
	names := []string{"json"}
	for _, f := range tableFormats {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

// tableFormatOf is the format a values request asks for: the query
// parameter format, else the Accept header; nil is JSON.
func tableFormatOf(c echo.Context) (*tableFormat, error) {
	name := c.QueryParam("format")
	if name == "" {
		return acceptedFormat(c.Request().Header.Get(echo.HeaderAccept)), nil
	}
	if name == "json" {
		return nil, nil
	}
	if f := formatNamed(name); f != nil {
		return f, nil
	}
	return nil, atlas.Errorf(atlas.EINVALID, "format %q: want one of %s", name, formatNames())
}

func formatNamed(name string) *tableFormat {
	for i := range tableFormats {
		if tableFormats[i].name == name {
			return &tableFormats[i]
		}
	}
	return nil
}

// acceptedFormat picks JSON, CSV or XLSX by the qualities an Accept header
// gives them (RFC 9110, 12.5.1: the most specific range sets a type's
// quality). JSON wins ties and anything the header does not decide, so
// that browsers (*/*) and clients without an Accept header get JSON.
func acceptedFormat(accept string) *tableFormat {
	if accept == "" {
		return nil
	}
	offers := []struct {
		mediaType string
		format    *tableFormat
	}{{"application/json", nil}, {"text/csv", formatNamed("csv")}, {xlsxType, formatNamed("xlsx")},
		{geojsonType, formatNamed("geojson")}, {gpkgType, formatNamed("gpkg")}}
	var best *tableFormat
	bestQ := 0.0
	for _, o := range offers {
		if q := acceptQuality(accept, o.mediaType); q > bestQ {
			best, bestQ = o.format, q
		}
	}
	return best
}

// acceptQuality is the quality an Accept header gives a media type: that of the
// most specific range matching it, 0 when none does.
func acceptQuality(accept, mediaType string) float64 {
	typ, _, _ := strings.Cut(mediaType, "/")
	q, specificity := 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		rng, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		s := -1
		switch rng {
		case mediaType:
			s = 2
		case typ + "/*":
			s = 1
		case "*/*":
			s = 0
		}
		if s <= specificity {
			continue
		}
		rq := 1.0
		if v, found := params["q"]; found {
			if rq, err = strconv.ParseFloat(v, 64); err != nil || rq < 0 || rq > 1 {
				continue
			}
		}
		q, specificity = rq, s
	}
	return q
}

// exportValues answers a values request as a file: the same rows, numbers
// and classes as the JSON answer, from the same table (so a suppressed
// value has no number here either), with the metadata a reader needs to
// cite and understand them.
func (s *Server) exportValues(c echo.Context, f *tableFormat) error {
	t, err := s.tableOf(c, c.Param("id"))
	if err != nil {
		return err
	}
	if err := s.classify(c, t); err != nil { // the classes of the JSON answer
		return err
	}
	levels, err := s.store.Levels(c.Request().Context())
	if err != nil {
		return err
	}
	level := atlas.Level{ID: t.Level, Name: t.Level}
	for _, l := range levels {
		if l.ID == t.Level {
			level = l
		}
	}
	et := valuesTable(t)
	et.Title = t.Indicator.Name + ", " + level.Name + ", " + t.Date.String()
	now := time.Now().UTC()
	if f.geo {
		now = time.Time{} // reproducible: no time of retrieval
		if err := s.addGeometries(c, t, et); err != nil {
			return err
		}
	}
	et.Metadata = valuesMetadata(t, level, c.Request().URL.RequestURI(), now)
	var b bytes.Buffer
	if err := f.write(&b, et); err != nil {
		return atlas.Internalf(err, "export %s of %s", f.name, t.Indicator.ID)
	}
	file := t.Indicator.ID + "_" + t.Level + "_" + t.Date.String() + "." + f.ext
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": file}))
	return c.Blob(http.StatusOK, f.mediaType, b.Bytes())
}

// addGeometries gives each row its unit's geometry (WGS84), the layer a
// name and the file the data's date as its time of last change.
func (s *Server) addGeometries(c echo.Context, t *table, et *export.Table) error {
	units, err := s.store.Units(c.Request().Context(), t.Level, atlas.UnitQuery{})
	if err != nil {
		return err
	}
	geom := make(map[string]orb.Geometry, len(units))
	for _, u := range units {
		geom[u.Code] = u.Geometry
	}
	et.Geometries = make([]orb.Geometry, len(t.Rows))
	for i, r := range t.Rows {
		et.Geometries[i] = geom[r.Code]
	}
	et.Layer = strings.ReplaceAll(t.Indicator.ID+"_"+t.Level, "-", "_")
	et.Changed = t.Date.Time()
	return nil
}

// valuesTable is the values as rows: code, name, value, numerator,
// denominator, status, class. A row that is not OK has empty number and
// class cells and says its status.
func valuesTable(t *table) *export.Table {
	number := func(x *float64) export.Cell {
		if x == nil {
			return export.Cell{}
		}
		return export.NumberCell(*x)
	}
	optional := func(x atlas.Float) export.Cell {
		if !x.Valid {
			return export.Cell{}
		}
		return export.NumberCell(x.V)
	}
	et := &export.Table{Columns: []export.Column{
		{Name: "code", Kind: export.Text},
		{Name: "name", Kind: export.Text},
		{Name: "value", Kind: export.Number, Format: export.Decimals(t.Indicator.Precision)},
		{Name: "numerator", Kind: export.Number},
		{Name: "denominator", Kind: export.Number},
		{Name: "status", Kind: export.Text},
		{Name: "class", Kind: export.Text},
	}}
	for _, r := range t.Rows {
		class := export.Cell{}
		if label := t.classOf(r.Value); label != nil {
			class = export.TextCell(*label)
		}
		et.Rows = append(et.Rows, []export.Cell{
			export.TextCell(r.Code), export.TextCell(r.Name), number(r.Value),
			optional(r.Numerator), optional(r.Denominator), export.TextCell(string(r.Status)), class,
		})
	}
	return et
}

// valuesMetadata describes an export: what the values are, where they
// come from, under which licence, how they are classified, and when and
// how they were retrieved. Empty fields are left out.
func valuesMetadata(t *table, level atlas.Level, query string, now time.Time) []export.Pair {
	lg := t.Legend
	ind := t.Indicator
	var out []export.Pair
	add := func(k, v string) {
		if v != "" {
			out = append(out, export.Pair{Key: k, Value: v})
		}
	}
	add("indicator", ind.ID)
	add("name", ind.Name)
	add("unit", ind.Unit)
	add("date", t.Date.String())
	add("level", level.ID)
	add("level name", level.Name)
	add("topic", ind.Topic)
	add("description", ind.Description)
	add("source", ind.Source)
	add("licence", ind.Licence)
	add("attribution", ind.Attribution)
	add("units source", level.Source)
	add("units licence", level.Licence)
	add("units attribution", level.Attribution)
	add("polarity", string(ind.Polarity))
	add("precision", strconv.Itoa(ind.Precision)+" decimals shown; values are exported in full")
	if lg != nil {
		add("classification", string(lg.Method)+", "+strconv.Itoa(len(lg.Breaks))+" classes: "+strings.Join(lg.Labels, ", "))
		breaks := make([]string, len(lg.Breaks))
		for i, b := range lg.Breaks {
			breaks[i] = strconv.FormatFloat(b, 'f', -1, 64)
		}
		add("class breaks", strings.Join(breaks, "; ")+" (inclusive upper bounds)")
	} else {
		add("classification", "none: the values cannot be split into classes")
	}
	add("status values", "ok: a value; suppressed: withheld by disclosure control, no number; missing: no value")
	add("query", query)
	if !now.IsZero() {
		add("retrieved at", now.Format(time.RFC3339))
	}
	add("generated by", "sozialatlas")
	return out
}
