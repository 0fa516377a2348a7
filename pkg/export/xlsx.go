package export

import (
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The sheets of a workbook XLSX writes.
const (
	DataSheet     = "Daten"
	MetadataSheet = "Metadaten"
)

// XLSX writes t as an Excel workbook. The sheet Daten has the header row
// (bold, frozen) and the rows: numbers as numeric cells, shown in their
// column's Format, texts as text cells (never formulas), empty cells
// left out. The sheet Metadaten has the metadata, one pair a row.
func XLSX(w io.Writer, t *Table) error {
	if err := t.check(); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), DataSheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := writeData(f, t, bold); err != nil {
		return err
	}
	if err := writeMetadata(f, t.Metadata, bold); err != nil {
		return err
	}
	if err := f.SetDocProps(&excelize.DocProperties{Title: t.Title, Creator: "sozialatlas"}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

func writeData(f *excelize.File, t *Table, bold int) error {
	styles := make([]int, len(t.Columns)) // 0: General
	for i, c := range t.Columns {
		if c.Kind == Number && c.Format != "" {
			id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &c.Format})
			if err != nil {
				return err
			}
			styles[i] = id
		}
	}
	sw, err := f.NewStreamWriter(DataSheet)
	if err != nil {
		return err
	}
	// Panes and widths must come before the first row.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, wd := range columnWidths(t) {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	row := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		row[i] = excelize.Cell{StyleID: bold, Value: c.Name}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	for n, r := range t.Rows {
		for i, c := range r {
			switch {
			case !c.set:
				row[i] = nil
			case c.kind == Number:
				row[i] = excelize.Cell{StyleID: styles[i], Value: c.num}
			default:
				row[i] = c.text
			}
		}
		ref, err := excelize.CoordinatesToCellName(1, n+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(ref, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func writeMetadata(f *excelize.File, meta []Pair, bold int) error {
	if _, err := f.NewSheet(MetadataSheet); err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, p := range meta {
		for col, v := range []string{p.Key, p.Value} {
			ref, _ := excelize.CoordinatesToCellName(col+1, i+1)
			if err := f.SetCellStr(MetadataSheet, ref, v); err != nil {
				return err
			}
		}
	}
	if len(meta) > 0 {
		lastKey, _ := excelize.CoordinatesToCellName(1, len(meta))
		lastValue, _ := excelize.CoordinatesToCellName(2, len(meta))
		if err := f.SetCellStyle(MetadataSheet, "A1", lastKey, bold); err != nil {
			return err
		}
		if err := f.SetCellStyle(MetadataSheet, "B1", lastValue, wrap); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(MetadataSheet, "A", "A", 24); err != nil {
		return err
	}
	return f.SetColWidth(MetadataSheet, "B", "B", 100)
}

// columnWidths fits each column to its longest header or text, within
// bounds, so that a sheet opens readable.
func columnWidths(t *Table) []float64 {
	out := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		n := utf8.RuneCountInString(c.Name)
		if c.Kind == Number {
			n = max(n, 12)
		}
		out[i] = float64(n)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if c.set && c.kind == Text {
				out[i] = max(out[i], float64(utf8.RuneCountInString(c.text)))
			}
		}
	}
	for i := range out {
		out[i] = min(max(out[i]+2, 8), 60)
	}
	return out
}
