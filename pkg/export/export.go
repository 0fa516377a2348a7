// Package export writes tables for people who work in spreadsheets: CSV
// as RFC 4180 describes it, CSV as Excel on a German Windows reads it, and
// XLSX with a sheet of metadata; and, with a geometry per row, for GIS:
// GeoJSON (RFC 7946) and GeoPackage. It knows nothing of HTTP or of the
// atlas: callers build a Table and choose a writer.
//
// Numbers are written as they are, never rounded: a file is data to
// compute with, and a rounded value could contradict its class or its
// sums. How many decimals to show is a spreadsheet's cell format (see
// Column.Format), which XLSX carries and CSV cannot.
//
// An empty cell is empty in every format. A caller that withholds a
// number (a suppressed value) leaves its cell empty and says why in a
// text column; the writers have no way to print a number that is not in
// the table.
package export

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Table is what a writer writes: a title, metadata pairs and columns of
// rows.
type Table struct {
	// Title names the table, e.g. "Anteil unter 6-Jährige, Planungsraum,
	// 2020-12-31"; XLSX keeps it in the document properties.
	Title string
	// Metadata describe the table (indicator, unit, date, source,
	// licence, …), in order. XLSX writes them on their own sheet; CSV has
	// no place for them without breaking the table for parsers.
	Metadata []Pair
	Columns  []Column
	Rows     [][]Cell
	// Geometries hold one WGS84 geometry per row for the GeoJSON and
	// GeoPackage writers (nil: a row without geometry); the other
	// writers ignore them.
	Geometries []orb.Geometry
	// Layer names the table inside a GeoPackage (and the GeoJSON
	// collection); default "data".
	Layer string
	// Changed is written where a format records when its data last
	// changed (GeoPackage), instead of the time of writing, so that the
	// same table gives the same bytes.
	Changed time.Time
}

// Pair is one metadata entry.
type Pair struct{ Key, Value string }

// Kind is what a column holds.
type Kind int

const (
	Text Kind = iota
	Number
)

func (k Kind) String() string {
	if k == Number {
		return "number"
	}
	return "text"
}

// Column is a column's header and kind.
type Column struct {
	Name string
	Kind Kind
	// Format is an Excel number format for a Number column in XLSX, e.g.
	// Decimals(1); "" is General. It changes what a spreadsheet shows,
	// never the value in the cell.
	Format string
}

// Decimals is the number format that shows n decimals, with thousands
// grouped (Excel shows the separators of the reader's locale).
func Decimals(n int) string {
	if n <= 0 {
		return "#,##0"
	}
	return "#,##0." + strings.Repeat("0", n)
}

// Cell is one cell: a text, a number, or empty (the zero Cell).
type Cell struct {
	kind Kind
	set  bool
	text string
	num  float64
}

// TextCell is a cell holding s.
func TextCell(s string) Cell { return Cell{kind: Text, set: true, text: s} }

// NumberCell is a cell holding x. Negative zero is zero: no writer prints
// "-0".
func NumberCell(x float64) Cell {
	if x == 0 {
		x = 0
	}
	return Cell{kind: Number, set: true, num: x}
}

// Empty reports whether the cell holds nothing.
func (c Cell) Empty() bool { return !c.set }

// check refuses a table a writer would write wrongly: rows of the wrong
// length, a text in a number column (or the reverse), numbers that are
// not finite. Writers call it before writing a byte, so that an invalid
// table never leaves as half a file.
func (t *Table) check() error {
	if len(t.Columns) == 0 {
		return fmt.Errorf("export: table has no columns")
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			return fmt.Errorf("export: row %d has %d cells for %d columns", i+1, len(r), len(t.Columns))
		}
		for j, c := range r {
			col := t.Columns[j]
			if !c.set {
				continue
			}
			if c.kind != col.Kind {
				return fmt.Errorf("export: row %d, column %s: a %s in a %s column", i+1, col.Name, c.kind, col.Kind)
			}
			if c.kind == Number && (math.IsNaN(c.num) || math.IsInf(c.num, 0)) {
				return fmt.Errorf("export: row %d, column %s: %v is not a finite number", i+1, col.Name, c.num)
			}
		}
	}
	return nil
}
