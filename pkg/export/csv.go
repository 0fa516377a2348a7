package export

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// dialect is what differs between the CSV variants.
type dialect struct {
	sep     byte
	decimal byte
	bom     bool
	text    func(string) string // how a text cell is spelt before quoting
}

var (
	rfc4180 = dialect{sep: ',', decimal: '.', text: func(s string) string { return s }}
	// German Excel reads ';' and a decimal comma by default (the list
	// separator of the German locale), and UTF-8 only after a BOM. A
	// "sep=;" line would make it ignore the BOM, so there is none.
	germanExcel = dialect{sep: ';', decimal: ',', bom: true, text: excelText}
)

// CSV writes t as RFC 4180 says: a header record, then one record per
// row; fields separated by commas and quoted when they hold a comma, a
// quote or a line break; records ended by CRLF; UTF-8 without BOM.
// Numbers have a decimal point and are written in full, in the shortest
// form that reads back as the same float64 (no exponent); an empty cell
// is an empty field.
func CSV(w io.Writer, t *Table) error { return writeCSV(w, t, rfc4180) }

// ExcelCSV writes t for Excel on a German Windows, which opens it with a
// double-click: UTF-8 with a BOM, ';' between fields, a decimal comma,
// CRLF. Numbers are written in full as in CSV, without thousands
// separators. A text Excel would change on opening (a code such as
// 01100101 that would lose its leading zero, "1.2" that would become a
// date, a text starting with = + - or @ that would run as a formula) is
// written as the formula ="…", which Excel shows as exactly that text.
func ExcelCSV(w io.Writer, t *Table) error { return writeCSV(w, t, germanExcel) }

func writeCSV(w io.Writer, t *Table, d dialect) error {
	if err := t.check(); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if d.bom {
		bw.WriteString("\uFEFF")
	}
	header := make([]Cell, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = TextCell(c.Name)
	}
	var buf []byte
	record := func(r []Cell) error {
		buf = buf[:0]
		for i, c := range r {
			if i > 0 {
				buf = append(buf, d.sep)
			}
			buf = d.appendCell(buf, c)
		}
		buf = append(buf, '\r', '\n')
		_, err := bw.Write(buf)
		return err
	}
	if err := record(header); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := record(r); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func (d dialect) appendCell(b []byte, c Cell) []byte {
	switch {
	case !c.set:
		return b
	case c.kind == Number:
		start := len(b)
		b = strconv.AppendFloat(b, c.num, 'f', -1, 64)
		if d.decimal != '.' {
			for i := start; i < len(b); i++ {
				if b[i] == '.' {
					b[i] = d.decimal
				}
			}
		}
		return b
	}
	s := d.text(c.text)
	if !strings.ContainsAny(s, string(d.sep)+"\"\r\n") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}

// excelFormulaMax is the longest text a formula may hold in Excel.
const excelFormulaMax = 255

// excelText spells s so that Excel shows it as the text it is.
func excelText(s string) string {
	if !excelConverts(s) {
		return s
	}
	if utf8.RuneCountInString(s) > excelFormulaMax {
		// Too long for ="…": a leading apostrophe still keeps a formula
		// from running, though Excel shows it.
		return "'" + s
	}
	return `="` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// excelConverts reports whether Excel would read s as something other
// than text: a formula (a first character = + - @, or a tab or CR that
// Excel strips before one), or a number, date, time, percentage or
// fraction, which are made of digits and a few signs only.
func excelConverts(s string) bool {
	if s == "" {
		return false
	}
	if strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return true
	}
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case strings.ContainsRune(" .,:/-+%eE€$", r):
		default:
			return false
		}
	}
	return digit
}
