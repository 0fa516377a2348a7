package export

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
)

// sample has the cases a table of units meets: codes with leading zeros,
// names with separators, quotes and line breaks, negative and fractional
// numbers, and a withheld value whose cells are empty.
func sample() *Table {
	num := func(x float64) Cell { return NumberCell(x) }
	tenth, fifth := 0.1, 0.2 // variables: a constant 0.1 + 0.2 is exactly 0.3
	return &Table{
		Title:    "Test",
		Metadata: []Pair{{"licence", "dl-de/by-2-0"}},
		Columns: []Column{
			{Name: "code", Kind: Text}, {Name: "name", Kind: Text},
			{Name: "value", Kind: Number, Format: Decimals(1)}, {Name: "status", Kind: Text},
		},
		Rows: [][]Cell{
			{TextCell("01100101"), TextCell("Mitte, Nord"), num(12.5), TextCell("ok")},
			{TextCell("02"), TextCell(`Der "Kiez"; Süd`), num(-3.25), TextCell("ok")},
			{TextCell("03"), TextCell("Zeile 1\nZeile 2"), num(tenth + fifth), TextCell("ok")},
			{TextCell("04"), TextCell("=HYPERLINK(\"x\")"), {}, TextCell("suppressed")},
			{TextCell("05"), TextCell("Groß"), num(math.Copysign(0, -1)), TextCell("ok")},
			{TextCell("06"), TextCell("Weit"), num(1234567.125), TextCell("ok")},
		},
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, sample()); err != nil {
		t.Fatal(err)
	}
	want := "code,name,value,status\r\n" +
		"01100101,\"Mitte, Nord\",12.5,ok\r\n" +
		"02,\"Der \"\"Kiez\"\"; Süd\",-3.25,ok\r\n" +
		"03,\"Zeile 1\nZeile 2\",0.30000000000000004,ok\r\n" +
		"04,\"=HYPERLINK(\"\"x\"\")\",,suppressed\r\n" +
		"05,Groß,0,ok\r\n" +
		"06,Weit,1234567.125,ok\r\n"
	if got := b.String(); got != want {
		t.Errorf("CSV:\n got %q\nwant %q", got, want)
	}
	// A standard reader gets every field back as it was.
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || recs[1][1] != "Mitte, Nord" || recs[2][1] != `Der "Kiez"; Süd` || recs[3][1] != "Zeile 1\nZeile 2" || recs[4][2] != "" || recs[1][0] != "01100101" {
		t.Errorf("read back: %q", recs)
	}
}

func TestExcelCSV(t *testing.T) {
	var b bytes.Buffer
	if err := ExcelCSV(&b, sample()); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if !strings.HasPrefix(got, "\xEF\xBB\xBFcode;name;value;status\r\n") {
		t.Fatalf("want a UTF-8 BOM and a ';' header, got %q", got[:min(40, len(got))])
	}
	want := "\uFEFFcode;name;value;status\r\n" +
		"\"=\"\"01100101\"\"\";Mitte, Nord;12,5;ok\r\n" + // the code keeps its leading zero
		"\"=\"\"02\"\"\";\"Der \"\"Kiez\"\"; Süd\";-3,25;ok\r\n" +
		"\"=\"\"03\"\"\";\"Zeile 1\nZeile 2\";0,30000000000000004;ok\r\n" +
		"\"=\"\"04\"\"\";\"=\"\"=HYPERLINK(\"\"\"\"x\"\"\"\")\"\"\";;suppressed\r\n" + // a text, not a formula
		"\"=\"\"05\"\"\";Groß;0;ok\r\n" +
		"\"=\"\"06\"\"\";Weit;1234567,125;ok\r\n"
	if got != want {
		t.Errorf("ExcelCSV:\n got %q\nwant %q", got, want)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(got, "\uFEFF")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[1][2] != "12,5" || recs[2][2] != "-3,25" || recs[4][2] != "" || recs[4][3] != "suppressed" || recs[1][1] != "Mitte, Nord" {
		t.Errorf("read back: %q", recs)
	}
}

func TestExcelText(t *testing.T) {
	for in, want := range map[string]string{
		"Mitte":                        "Mitte",
		"A01":                          "A01",
		"1. Bezirk":                    "1. Bezirk",
		"01100101":                     `="01100101"`,
		"1.2":                          `="1.2"`, // a date to Excel
		"12:30":                        `="12:30"`,
		"5%":                           `="5%"`,
		"-5":                           `="-5"`,
		"+49 30":                       `="+49 30"`,
		"@SUM(A1)":                     `="@SUM(A1)"`,
		`=1+"a"`:                       `="=1+""a"""`,
		"":                             "",
		"=" + strings.Repeat("x", 300): "'=" + strings.Repeat("x", 300),
	} {
		if got := excelText(in); got != want {
			t.Errorf("excelText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestInvalidTables: a table a writer would get wrong is refused before a
// byte is written.
func TestInvalidTables(t *testing.T) {
	cols := []Column{{Name: "name", Kind: Text}, {Name: "value", Kind: Number}}
	for name, tb := range map[string]*Table{
		"no columns":           {},
		"short row":            {Columns: cols, Rows: [][]Cell{{TextCell("a")}}},
		"text in number":       {Columns: cols, Rows: [][]Cell{{TextCell("a"), TextCell("12")}}},
		"number in text":       {Columns: cols, Rows: [][]Cell{{NumberCell(1), NumberCell(2)}}},
		"not a number":         {Columns: cols, Rows: [][]Cell{{TextCell("a"), NumberCell(math.NaN())}}},
		"infinite":             {Columns: cols, Rows: [][]Cell{{TextCell("a"), NumberCell(math.Inf(-1))}}},
		"bad row after a good": {Columns: cols, Rows: [][]Cell{{TextCell("a"), NumberCell(1)}, {TextCell("b")}}},
	} {
		for wname, write := range map[string]func(*bytes.Buffer, *Table) error{
			"CSV":      func(b *bytes.Buffer, t *Table) error { return CSV(b, t) },
			"ExcelCSV": func(b *bytes.Buffer, t *Table) error { return ExcelCSV(b, t) },
			"XLSX":     func(b *bytes.Buffer, t *Table) error { return XLSX(b, t) },
		} {
			var b bytes.Buffer
			if err := write(&b, tb); err == nil || b.Len() > 0 {
				t.Errorf("%s, %s: err %v, %d bytes written", name, wname, err, b.Len())
			}
		}
	}
}

func TestDecimals(t *testing.T) {
	for n, want := range map[int]string{0: "#,##0", 1: "#,##0.0", 3: "#,##0.000", -1: "#,##0"} {
		if got := Decimals(n); got != want {
			t.Errorf("Decimals(%d) = %q, want %q", n, got, want)
		}
	}
}
