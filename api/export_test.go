package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/export"
)

func doAccept(t *testing.T, h http.Handler, target, accept string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	h.ServeHTTP(w, r)
	return w
}

// exportRow is one row of an export, as text: the columns code, name,
// value, numerator, denominator, status, class, numbers with a decimal
// point and "" for an empty cell.
type exportRow [7]string

var exportHeader = exportRow{"code", "name", "value", "numerator", "denominator", "status", "class"}

// readExportCSV reads an export written by CSV or ExcelCSV back into rows in
// the plain form, undoing what the German variant does for Excel.
func readExportCSV(t *testing.T, body []byte, excel bool) []exportRow {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(body))
	if excel {
		if !bytes.HasPrefix(body, []byte("\uFEFF")) {
			t.Fatalf("csv-excel without BOM: %q", body[:min(20, len(body))])
		}
		r = csv.NewReader(bytes.NewReader(body[3:]))
		r.Comma = ';'
	}
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read CSV: %v", err)
	}
	var out []exportRow
	for _, rec := range recs {
		if len(rec) != 7 {
			t.Fatalf("record with %d fields: %q", len(rec), rec)
		}
		var row exportRow
		for i, f := range rec {
			if excel {
				if strings.HasPrefix(f, `="`) { // a text Excel must not convert
					f = strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(f, `="`), `"`), `""`, `"`)
				} else if i >= 2 && i <= 4 {
					f = strings.Replace(f, ",", ".", 1)
				}
			}
			row[i] = f
		}
		out = append(out, row)
	}
	return out
}

// readExportXLSX reads the data sheet back, numbers as their raw values.
func readExportXLSX(t *testing.T, body []byte) ([]exportRow, *excelize.File) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("read XLSX: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows(export.DataSheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []exportRow
	for n, r := range rows {
		var row exportRow
		copy(row[:], r)
		for i := 2; i <= 4 && n > 0; i++ { // numbers are numeric cells
			ref, _ := excelize.CoordinatesToCellName(i+1, n+1)
			if ct, _ := f.GetCellType(export.DataSheet, ref); row[i] != "" && ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber {
				t.Errorf("%s %q is not a numeric cell (type %v)", ref, row[i], ct)
			}
		}
		out = append(out, row)
	}
	return out, f
}

// jsonExportRows is the JSON values answer in the rows of an export.
func jsonExportRows(t *testing.T, body []byte) []exportRow {
	t.Helper()
	var doc valuesDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	num := func(x *float64) string {
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	}
	opt := func(x atlas.Float) string {
		if !x.Valid {
			return ""
		}
		return num(&x.V)
	}
	out := []exportRow{exportHeader}
	for _, v := range doc.Values {
		class := ""
		if v.Class != nil {
			class = *v.Class
		}
		out = append(out, exportRow{v.Code, v.Name, num(v.Value), opt(v.Numerator), opt(v.Denominator), v.Status, class})
	}
	return out
}

// sameExportRows compares rows cell by cell, numbers by value: what the
// export says is what the JSON says, to the last bit.
func sameExportRows(t *testing.T, what string, got, want []exportRow) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, JSON has %d", what, len(got), len(want))
	}
	bad := 0
	for i := range want {
		for j := range want[i] {
			g, w := got[i][j], want[i][j]
			if i > 0 && j >= 2 && j <= 4 && g != "" && w != "" {
				gx, err1 := strconv.ParseFloat(g, 64)
				wx, err2 := strconv.ParseFloat(w, 64)
				if err1 == nil && err2 == nil && gx == wx {
					continue
				}
			}
			if g != w && bad < 5 {
				t.Errorf("%s row %d %s: %q, JSON %q", what, i, exportHeader[j], g, w)
				bad++
			}
		}
	}
}

// TestExportMatchesJSON: every format has the rows, numbers, statuses
// and classes of the JSON answer for the same indicator, level, date and
// classification, and is offered as a file with its type and name.
func TestExportMatchesJSON(t *testing.T) {
	srv, _ := berlinServer(t)
	for _, q := range []string{
		"/api/v1/indicators/mss-status-index/values?level=planungsraum&date=2020-12-31", // fixed classes, 6 missing values
		"/api/v1/indicators/anteil-unter6/values?level=planungsraum&method=jenks&k=4",   // numerators and denominators
		"/api/v1/indicators/kitaplaetze-je-1000-u6/values?level=bezirk",
	} {
		w := do(t, srv, q)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", q, w.Code, w.Body.String())
		}
		want := jsonExportRows(t, w.Body.Bytes())
		missing, withNumerator := 0, 0
		for _, r := range want[1:] {
			if r[5] == "missing" {
				missing++
			}
			if r[3] != "" {
				withNumerator++
			}
		}
		t.Logf("%s: %d rows, %d missing, %d with numerator", q, len(want)-1, missing, withNumerator)
		var doc valuesDoc
		json.Unmarshal(w.Body.Bytes(), &doc)
		stem := doc.Indicator + "_" + doc.Level + "_" + doc.Date.String()

		for _, tc := range []struct{ format, ctype, file string }{
			{"csv", "text/csv; charset=utf-8; header=present", stem + ".csv"},
			{"csv-excel", "text/csv; charset=utf-8; header=present", stem + ".csv"},
			{"xlsx", xlsxType, stem + ".xlsx"},
		} {
			start := time.Now()
			w := do(t, srv, q+"&format="+tc.format)
			t.Logf("%s: %d bytes in %s", tc.format, w.Body.Len(), time.Since(start).Round(time.Millisecond))
			if w.Code != 200 || w.Header().Get("Content-Type") != tc.ctype {
				t.Fatalf("%s %s: %d %s %.200s", q, tc.format, w.Code, w.Header().Get("Content-Type"), w.Body.String())
			}
			disp, params, err := mime.ParseMediaType(w.Header().Get("Content-Disposition"))
			if err != nil || disp != "attachment" || params["filename"] != tc.file {
				t.Errorf("%s: Content-Disposition %q, want attachment %s", tc.format, w.Header().Get("Content-Disposition"), tc.file)
			}
			var got []exportRow
			switch tc.format {
			case "csv":
				got = readExportCSV(t, w.Body.Bytes(), false)
			case "csv-excel":
				got = readExportCSV(t, w.Body.Bytes(), true)
				if !strings.Contains(w.Body.String(), "\r\n") || strings.Count(w.Body.String(), "\r\n") != len(want) {
					t.Errorf("csv-excel: want %d CRLF-ended records", len(want))
				}
			case "xlsx":
				got, _ = readExportXLSX(t, w.Body.Bytes())
			}
			sameExportRows(t, q+" "+tc.format, got, want)
		}
	}
}

// TestExportNegotiation: without ?format=, the Accept header chooses;
// browsers and clients that say nothing get JSON.
func TestExportNegotiation(t *testing.T) {
	srv, _ := berlinServer(t)
	const q = "/api/v1/indicators/anteil-unter6/values?level=bezirk"
	csvBody := do(t, srv, q+"&format=csv").Body.String()
	for _, tc := range []struct{ accept, ctype string }{
		{"", "application/json"},
		{"*/*", "application/json"},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json"},
		{"application/json", "application/json"},
		{"text/csv, application/json", "application/json"}, // a tie: JSON
		{"text/csv", "text/csv; charset=utf-8; header=present"},
		{"application/json;q=0.5, text/csv", "text/csv; charset=utf-8; header=present"},
		{"text/csv;q=0, */*", "application/json"},
		{"text/*", "text/csv; charset=utf-8; header=present"},
		{xlsxType, xlsxType},
		{"text/csv;q=0.4, " + xlsxType + ";q=0.6", xlsxType},
		{"image/png", "application/json"},
	} {
		w := doAccept(t, srv, q, tc.accept)
		ct := w.Header().Get("Content-Type")
		if tc.ctype == "application/json" {
			ct, _, _ = strings.Cut(ct, ";")
		}
		if w.Code != 200 || ct != tc.ctype || !strings.Contains(w.Header().Get("Vary"), "Accept") {
			t.Errorf("Accept %q: %d %q (Vary %q), want %s", tc.accept, w.Code, ct, w.Header().Get("Vary"), tc.ctype)
		}
		if strings.HasPrefix(tc.ctype, "text/csv") && w.Body.String() != csvBody {
			t.Errorf("Accept %q: not the body of format=csv", tc.accept)
		}
	}
	// ?format= wins over Accept.
	if w := doAccept(t, srv, q+"&format=json", "text/csv"); !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Errorf("format=json with Accept text/csv: %s", w.Header().Get("Content-Type"))
	}
}

// TestExportDisclosure: a suppressed value leaves no number in any format
// (value, numerator, denominator and class are empty, the status says
// why); hidden indicators are 404 in every format; an unknown format is a
// 400 that names the formats there are.
func TestExportDisclosure(t *testing.T) {
	srv, store := newServer(t)
	b := &atlas.Batch{
		Levels: []atlas.Level{{ID: "bezirk", Name: "Bezirk", Licence: "dl-de/by-2-0"}},
		Units: []atlas.Unit{
			{Level: "bezirk", Code: "01", Name: "Mitte", Geometry: orbSquare(13.1)},
			{Level: "bezirk", Code: "02", Name: "Nord, Ost", Geometry: orbSquare(13.3)},
			{Level: "bezirk", Code: "03", Name: "Süd", Geometry: orbSquare(13.5)},
			{Level: "bezirk", Code: "04", Name: "West", Geometry: orbSquare(13.7)},
			{Level: "bezirk", Code: "05", Name: "Hafen", Geometry: orbSquare(13.9)},
		},
	}
	for _, vis := range []atlas.Visibility{atlas.Public, atlas.Internal, atlas.Confidential} {
		id := "x_" + string(vis)
		b.Indicators = append(b.Indicators, atlas.Indicator{ID: id, Name: "Anteil " + id, Unit: "%", Polarity: atlas.HigherWorse,
			Visibility: vis, Precision: 1, Licence: "CC BY 4.0", Attribution: "Amt für Statistik Testland"})
		b.Values = append(b.Values,
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "01", Date: 20241231, Value: 12.5, Numerator: atlas.Some(25), Denominator: atlas.Some(200), Status: atlas.OK},
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "02", Date: 20241231, Status: atlas.Suppressed},
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "03", Date: 20241231, Value: -3.25, Status: atlas.OK},
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "04", Date: 20241231, Status: atlas.Missing},
			atlas.Value{Indicator: id, Level: "bezirk", Unit: "05", Date: 20241231, Value: 987.625, Numerator: atlas.Some(7901), Denominator: atlas.Some(800), Status: atlas.OK})
	}
	if _, err := store.Apply(context.Background(), b, atlas.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	const q = "/api/v1/indicators/x_public/values?level=bezirk&method=equal_interval&k=2"
	want := []exportRow{
		exportHeader,
		{"01", "Mitte", "12.5", "25", "200", "ok", "1"},
		{"02", "Nord, Ost", "", "", "", "suppressed", ""},
		{"03", "Süd", "-3.25", "", "", "ok", "1"},
		{"04", "West", "", "", "", "missing", ""},
		{"05", "Hafen", "987.625", "7901", "800", "ok", "2"},
	}
	sameExportRows(t, "json", jsonExportRows(t, do(t, srv, q).Body.Bytes()), want)

	w := do(t, srv, q+"&format=csv")
	if body := w.Body.String(); !strings.Contains(body, "\r\n02,\"Nord, Ost\",,,,suppressed,\r\n") {
		t.Errorf("csv: the suppressed row is not empty cells and its status:\n%s", body)
	}
	sameExportRows(t, "csv", readExportCSV(t, w.Body.Bytes(), false), want)

	w = do(t, srv, q+"&format=csv-excel")
	body := w.Body.String()
	for _, s := range []string{"\r\n\"=\"\"02\"\"\";Nord, Ost;;;;suppressed;\r\n", ";12,5;25;200;ok;\"=\"\"1\"\"\"\r\n", ";-3,25;;;ok;\"=\"\"1\"\"\"\r\n", ";987,625;7901;800;ok;\"=\"\"2\"\"\"\r\n"} {
		if !strings.Contains(body, s) {
			t.Errorf("csv-excel: no %q in\n%s", s, body)
		}
	}
	sameExportRows(t, "csv-excel", readExportCSV(t, w.Body.Bytes(), true), want)

	w = do(t, srv, q+"&format=xlsx")
	got, f := readExportXLSX(t, w.Body.Bytes())
	sameExportRows(t, "xlsx", got, want)
	for _, cell := range []string{"C3", "D3", "E3", "G3"} {
		if v, _ := f.GetCellValue(export.DataSheet, cell); v != "" {
			t.Errorf("xlsx: suppressed row's %s is %q, want empty", cell, v)
		}
	}
	if shown, _ := f.GetCellValue(export.DataSheet, "C6"); shown != "987.6" {
		t.Errorf("xlsx: 987.625 shown as %q, want the indicator's precision 1", shown)
	}
	meta, _ := f.GetRows(export.MetadataSheet)
	metadata := map[string]string{}
	for _, r := range meta {
		if len(r) == 2 {
			metadata[r[0]] = r[1]
		}
	}
	for k, v := range map[string]string{"indicator": "x_public", "name": "Anteil x_public", "unit": "%", "date": "2024-12-31", "level": "bezirk",
		"licence": "CC BY 4.0", "attribution": "Amt für Statistik Testland", "units licence": "dl-de/by-2-0", "generated by": "sozialatlas", "query": q + "&format=xlsx"} {
		if metadata[k] != v {
			t.Errorf("metadata %s: %q, want %q", k, metadata[k], v)
		}
	}
	if !strings.HasPrefix(metadata["classification"], "equal_interval, 2 classes") || metadata["retrieved at"] == "" {
		t.Errorf("metadata: %q", metadata)
	}

	for _, id := range []string{"x_internal", "x_confidential"} {
		for _, format := range []string{"csv", "csv-excel", "xlsx", "json"} {
			w := do(t, srv, "/api/v1/indicators/"+id+"/values?level=bezirk&format="+format)
			if w.Code != 404 || w.Header().Get("Content-Type") != "application/problem+json" || w.Header().Get("Content-Disposition") != "" ||
				!strings.Contains(w.Body.String(), `indicator \"`+id+`\" does not exist`) || strings.Contains(w.Body.String(), "987") {
				t.Errorf("%s as %s: %d %s %s, want 404", id, format, w.Code, w.Header().Get("Content-Type"), w.Body.String())
			}
		}
		if w := doAccept(t, srv, "/api/v1/indicators/"+id+"/values?level=bezirk", "text/csv"); w.Code != 404 {
			t.Errorf("%s with Accept text/csv: %d, want 404", id, w.Code)
		}
	}

	for _, format := range []string{"pdf", "CSV", "xls"} {
		w := do(t, srv, "/api/v1/indicators/x_public/values?level=bezirk&format="+format)
		var p problem
		json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != 400 || w.Header().Get("Content-Type") != "application/problem+json" ||
			p.Detail != `format "`+format+`": want one of json, csv, csv-excel, xlsx, geojson, gpkg` {
			t.Errorf("format=%s: %d %q", format, w.Code, p.Detail)
		}
	}
	// The other errors of the values answer stay what they are.
	if w := do(t, srv, "/api/v1/indicators/x_public/values?format=csv"); w.Code != 400 || !strings.Contains(w.Body.String(), "level is missing") {
		t.Errorf("csv without level: %d %s", w.Code, w.Body.String())
	}
	if w := do(t, srv, "/api/v1/indicators/x_public/values?level=bezirk&format=xlsx&k=40"); w.Code != 400 {
		t.Errorf("xlsx with k=40: %d", w.Code)
	}
}
