package export

import (
	"bytes"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSX reads the workbook back: numbers are numeric cells holding the
// full value, texts stay texts (the code its leading zero, a formula-like
// name no formula), a withheld value's cell is empty, and the metadata
// sheet has the licence.
func TestXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := XLSX(&b, sample()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{DataSheet, MetadataSheet}) {
		t.Errorf("sheets %v", got)
	}
	raw := func(cell string) string {
		v, err := f.GetCellValue(DataSheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := func(cell string) excelize.CellType {
		ct, err := f.GetCellType(DataSheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	for cell, want := range map[string]string{"C2": "12.5", "C3": "-3.25", "C4": "0.30000000000000004", "C6": "0", "C7": "1234567.125"} {
		// A cell without a type attribute is a number in OOXML.
		if ct := typ(cell); (ct != excelize.CellTypeUnset && ct != excelize.CellTypeNumber) || raw(cell) != want {
			t.Errorf("%s: type %v value %q, want the number %s", cell, ct, raw(cell), want)
		}
		if shown, _ := f.GetCellValue(DataSheet, cell); cell == "C2" && shown != "12.5" || cell == "C7" && shown != "1,234,567.1" {
			t.Errorf("%s shown as %q with format %s", cell, shown, Decimals(1))
		}
	}
	for cell, want := range map[string]string{"A1": "code", "A2": "01100101", "B3": `Der "Kiez"; Süd`, "B5": `=HYPERLINK("x")`, "D5": "suppressed"} {
		if ct := typ(cell); ct != excelize.CellTypeInlineString && ct != excelize.CellTypeSharedString || raw(cell) != want {
			t.Errorf("%s: type %v value %q, want the text %q", cell, ct, raw(cell), want)
		}
	}
	if formula, _ := f.GetCellFormula(DataSheet, "B5"); formula != "" {
		t.Errorf("B5 has the formula %q", formula)
	}
	if raw("C5") != "" || typ("C5") != excelize.CellTypeUnset {
		t.Errorf("suppressed C5: %q, want an empty cell", raw("C5"))
	}
	if rows, _ := f.GetRows(DataSheet); len(rows) != 7 {
		t.Errorf("%d rows, want header and 6", len(rows))
	}
	if panes, err := f.GetPanes(DataSheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	id, _ := f.GetCellStyle(DataSheet, "B1")
	if st, err := f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header not bold: %+v %v", st, err)
	}
	meta, err := f.GetRows(MetadataSheet)
	if err != nil || len(meta) != 1 || !slices.Equal(meta[0], []string{"licence", "dl-de/by-2-0"}) {
		t.Errorf("metadata sheet: %q %v", meta, err)
	}
	if p, err := f.GetDocProps(); err != nil || p.Title != "Test" {
		t.Errorf("document title: %+v %v", p, err)
	}
}
