package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// DefaultNA are the no-data markers of German statistics offices: an empty
// cell, "." (unknown or secret), "-", "–", "—", "x" (not sensible), "/" (not
// reliable enough) and -9999. A marker becomes a missing value, never a number.
var DefaultNA = []string{"", ".", "-", "–", "—", "x", "/", "-9999"}

// csvFile is a decoded CSV file, read record by record.
type csvFile struct {
	header   []string
	columns  map[string]int
	delim    rune
	decimal  byte // ',' or '.'
	encoding string
	na       map[string]bool
	naNums   []float64 // numeric markers, also matched as numbers ("-9999,0")
	r        *csv.Reader
}

// openCSV decodes data (BOM, encoding), finds the delimiter and reads the
// header. The format's settings override detection.
func openCSV(data []byte, f CSVFormat, defaultNA []string) (*csvFile, error) {
	c := &csvFile{}
	text, enc, err := decodeText(data, f.Encoding)
	if err != nil {
		return nil, err
	}
	c.encoding = enc
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, errors.New("the file is empty")
	}
	if c.delim, err = delimiter(text, f.Delimiter); err != nil {
		return nil, err
	}
	switch f.Decimal {
	case "", "auto":
		c.decimal = '.'
		if c.delim == ';' {
			c.decimal = ','
		}
	case "comma":
		c.decimal = ','
	case "point":
		c.decimal = '.'
	default:
		return nil, fmt.Errorf("decimal %q: want auto, comma or point", f.Decimal)
	}
	if c.decimal == ',' && c.delim == ',' {
		return nil, errors.New("decimal comma and comma delimiter together cannot be told apart; set delimiter or decimal")
	}
	na := f.NA
	if na == nil {
		na = defaultNA
	}
	if na == nil {
		na = DefaultNA
	}
	c.na = map[string]bool{}
	for _, m := range na {
		c.na[strings.TrimSpace(m)] = true
		if v, err := strconv.ParseFloat(strings.TrimSpace(m), 64); err == nil {
			c.naNums = append(c.naNums, v)
		}
	}
	c.r = csv.NewReader(bytes.NewReader(text))
	c.r.Comma = c.delim
	c.r.ReuseRecord = true
	header, err := c.r.Read()
	if err != nil {
		return nil, fmt.Errorf("header: %v", csvError(err))
	}
	c.header = make([]string, len(header))
	c.columns = map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, fmt.Errorf("header: column %d has no name", i+1)
		}
		if j, dup := c.columns[h]; dup {
			return nil, fmt.Errorf("header: column %q appears twice (columns %d and %d)", h, j+1, i+1)
		}
		c.header[i] = h
		c.columns[h] = i
	}
	c.r.FieldsPerRecord = len(header)
	return c, nil
}

// decodeText strips a byte order mark and converts the text to UTF-8.
func decodeText(data []byte, encoding string) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return data[3:], "utf-8 (BOM)", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		// Excel's "Unicode text" export.
		out, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), data)
		if err != nil {
			return nil, "", fmt.Errorf("UTF-16 text: %v", err)
		}
		return out, "utf-16", nil
	}
	switch strings.ToLower(encoding) {
	case "", "auto":
		if utf8.Valid(data) {
			return data, "utf-8", nil
		}
		out, _, err := transform.Bytes(charmap.Windows1252.NewDecoder(), data)
		return out, "windows-1252", err
	case "utf-8", "utf8":
		if i := invalidUTF8(data); i >= 0 {
			return nil, "", fmt.Errorf("line %d: not valid UTF-8 (set encoding: windows-1252 if the file comes from Excel)", 1+bytes.Count(data[:i], []byte("\n")))
		}
		return data, "utf-8", nil
	case "windows-1252", "cp1252", "latin1", "iso-8859-1":
		out, _, err := transform.Bytes(charmap.Windows1252.NewDecoder(), data)
		return out, "windows-1252", err
	}
	return nil, "", fmt.Errorf("encoding %q: want auto, utf-8 or windows-1252", encoding)
}

func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// delimiter finds the delimiter from the header line: the one of ; , tab that
// occurs most often outside quotes.
func delimiter(text []byte, setting string) (rune, error) {
	switch setting {
	case ";":
		return ';', nil
	case ",":
		return ',', nil
	case "tab", "\t":
		return '\t', nil
	case "", "auto":
	default:
		return 0, fmt.Errorf("delimiter %q: want auto, \";\", \",\" or tab", setting)
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(text) {
		if r == '"' {
			quoted = !quoted
		}
		if !quoted && (r == '\n' || r == '\r') {
			break
		}
		if !quoted && (r == ';' || r == ',' || r == '\t') {
			counts[r]++
		}
	}
	best, n, tie := rune(0), 0, false
	for _, r := range []rune{';', '\t', ','} {
		switch {
		case counts[r] > n:
			best, n, tie = r, counts[r], false
		case counts[r] == n && n > 0:
			tie = true
		}
	}
	if n == 0 {
		return 0, errors.New("the header has a single column: cannot tell the delimiter (set delimiter)")
	}
	if tie {
		return 0, errors.New("the header has as many ; as , or tabs: cannot tell the delimiter (set delimiter)")
	}
	return best, nil
}

// next returns the next record and its line, or io.EOF.
func (c *csvFile) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		if err == io.EOF {
			return nil, 0, err
		}
		var pe *csv.ParseError
		line := 0
		if errors.As(err, &pe) {
			line = pe.StartLine
		}
		return nil, line, csvError(err)
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

// csvError rewords encoding/csv's errors without its "record on line" prefix.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			return errors.New("wrong number of fields (compare with the header)")
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return fmt.Errorf("column %d: %v", pe.Column, pe.Err)
		}
		return pe.Err
	}
	return err
}

// cell reads one cell: a number, or a no-data marker (missing). A numeric
// marker matches however it is written ("-9999,0"), and the cell is parsed
// once either way: this runs for every cell of files with millions.
func (c *csvFile) cell(s string) (x float64, missing bool, err error) {
	s = strings.TrimSpace(s)
	if c.na[s] {
		return 0, true, nil
	}
	x, err = parseNumber(s, c.decimal)
	if err != nil {
		return 0, false, err
	}
	for _, m := range c.naNums {
		if x == m {
			return 0, true, nil
		}
	}
	return x, false, nil
}

var (
	pointNumber = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)
	commaNumber = regexp.MustCompile(`^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$`)
)

// parseNumber reads a number written with the given decimal separator. With
// decimal comma, "." may only group thousands (1.234,5); with decimal
// point, a comma is refused. Inf, NaN and hex floats are never numbers.
func parseNumber(s string, decimal byte) (float64, error) {
	s = strings.TrimSpace(s)
	if decimal == ',' {
		if !commaNumber.MatchString(s) {
			if pointNumber.MatchString(s) && strings.Contains(s, ".") {
				return 0, fmt.Errorf("%q is not a number with decimal comma (the file uses decimal commas; set decimal: point if it does not)", s)
			}
			return 0, fmt.Errorf("%q is not a number", s)
		}
		s = strings.ReplaceAll(s, ".", "")
		s = strings.Replace(s, ",", ".", 1)
	} else if !pointNumber.MatchString(s) {
		if commaNumber.MatchString(s) && strings.Contains(s, ",") {
			return 0, fmt.Errorf("%q is not a number with decimal point (set decimal: comma if the file uses decimal commas)", s)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return v, nil
}
