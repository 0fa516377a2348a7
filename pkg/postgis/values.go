package postgis

import (
	"cmp"
	"encoding/binary"
	"io"
	"math"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// valueRow is a value with its keys resolved to the integers stored.
type valueRow struct {
	indicator, unit int32
	day             int32 // days since 2000-01-01, PostgreSQL's binary date
	i               int32 // index in the batch
}

// compareValueRows orders rows as the primary key (indicator, date, unit),
// then by their place in the batch.
func compareValueRows(a, b valueRow) int {
	if c := cmp.Compare(a.indicator, b.indicator); c != 0 {
		return c
	}
	if c := cmp.Compare(a.day, b.day); c != 0 {
		return c
	}
	if c := cmp.Compare(a.unit, b.unit); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

func sameValueKey(a, b valueRow) bool {
	return a.indicator == b.indicator && a.unit == b.unit && a.day == b.day
}

const valueColumns = `(indicator_id, unit_id, date, import_id, value, numerator, denominator, status)`

// values upserts values.
//
// Keys are resolved in Go and the rows sorted by the primary key, which
// keeps the index inserts local. Values of an indicator and date that has
// no values yet cannot conflict with stored rows: they are copied straight
// into indicator_values with a binary COPY. That is the common case: a
// first load, a new indicator, the next year's figures. All others are
// copied into a staging table and merged with INSERT … ON CONFLICT DO
// NOTHING (counting the new rows) and an UPDATE of the rows that differ
// (counting the changed ones). Imports hold the import lock, so no other
// import adds a slice between the check and the COPY.
func (w *writer) values(values atlas.ValueList, importID int32, indicatorIDs map[string]int32, units *unitIDs, c *atlas.Count) error {
	if values.Len() == 0 {
		return nil
	}
	if values.Len() > math.MaxInt32 {
		return atlas.Errorf(atlas.ETOOLARGE, "a batch can hold at most %d values", math.MaxInt32)
	}
	// Only the units the values name are looked up, not whole levels.
	need := map[string]map[string]struct{}{}
	var (
		lastLevel string
		names     map[string]struct{}
	)
	for _, v := range values.All() {
		if names == nil || v.Level != lastLevel {
			if names = need[v.Level]; names == nil {
				names = map[string]struct{}{}
				need[v.Level] = names
			}
			lastLevel = v.Level
		}
		names[v.Unit] = struct{}{}
	}
	known := make(map[string]map[string]int32, len(need))
	for level, names := range need {
		if _, ok := units.levels[level]; !ok {
			continue // refused below, in batch order
		}
		m, err := units.lookup(level, names)
		if err != nil {
			return err
		}
		known[level] = m
	}

	rows := make([]valueRow, values.Len())
	days := map[atlas.Date]int32{}
	var (
		lastIndicator string
		indicatorID   int32
		codes         map[string]int32
	)
	for i, v := range values.All() {
		if codes == nil || v.Indicator != lastIndicator {
			id, ok := indicatorIDs[v.Indicator]
			if !ok {
				return atlas.Errorf(atlas.EINVALID, "indicator %q does not exist", v.Indicator)
			}
			lastIndicator, indicatorID = v.Indicator, id
		}
		if codes == nil || v.Level != lastLevel {
			m, ok := known[v.Level]
			if !ok {
				return atlas.Errorf(atlas.EINVALID, "level %q does not exist", v.Level)
			}
			lastLevel, codes = v.Level, m
		}
		unit, ok := codes[v.Unit]
		if !ok {
			return atlas.Errorf(atlas.EINVALID, "unit %q does not exist in level %s", v.Unit, v.Level)
		}
		day, ok := days[v.Date]
		if !ok {
			day = pgDays(v.Date)
			days[v.Date] = day
		}
		rows[i] = valueRow{indicator: indicatorID, unit: unit, day: day, i: int32(i)}
	}
	if !slices.IsSortedFunc(rows, compareValueRows) {
		slices.SortFunc(rows, compareValueRows)
	}

	// The slices (indicator and date) that have no stored values yet.
	type slice struct{ indicator, day int32 }
	var sliceInds, sliceDays []int32
	for k, r := range rows {
		if k == 0 || r.indicator != rows[k-1].indicator || r.day != rows[k-1].day {
			sliceInds, sliceDays = append(sliceInds, r.indicator), append(sliceDays, r.day)
		}
	}
	fresh := map[slice]bool{}
	res, err := w.tx.Query(w.ctx, `SELECT t.i, t.d FROM unnest($1::integer[], $2::integer[]) AS t (i, d)
		WHERE NOT EXISTS (SELECT 1 FROM sozialatlas.indicator_values v
		                  WHERE v.indicator_id = t.i AND v.date = DATE '2000-01-01' + t.d)`, sliceInds, sliceDays)
	if err != nil {
		return atlas.Internalf(err, "read values")
	}
	var f slice
	if _, err := pgx.ForEachRow(res, []any{&f.indicator, &f.day}, func() error {
		fresh[f] = true
		return nil
	}); err != nil {
		return atlas.Internalf(err, "read values")
	}

	// Split the rows into those copied directly and rounds of staged rows
	// in which each key occurs once (see rounds). Sorted, a key's rows are
	// next to each other in batch order.
	direct := rows[:0:0]
	var staged [][]valueRow
	round := 0
	for k, r := range rows {
		if k > 0 && sameValueKey(r, rows[k-1]) {
			round++
		} else {
			round = 0
		}
		if round == 0 && fresh[slice{r.indicator, r.day}] {
			direct = append(direct, r)
			continue
		}
		for len(staged) <= round {
			staged = append(staged, nil)
		}
		staged[round] = append(staged[round], r)
	}

	if len(direct) > 0 {
		tag, err := w.tx.Conn().PgConn().CopyFrom(w.ctx, newValueCopy(values, direct, importID),
			`COPY sozialatlas.indicator_values `+valueColumns+` FROM STDIN (FORMAT binary)`)
		if err != nil {
			return atlas.Internalf(err, "insert values")
		}
		c.Inserted += int(tag.RowsAffected())
	}
	for _, rs := range staged {
		if err := w.stageValues(values, rs, importID, c); err != nil {
			return err
		}
	}
	c.Unchanged = values.Len() - c.Inserted - c.Updated
	return nil
}

// stageValues merges rows with distinct keys through the staging table.
func (w *writer) stageValues(values atlas.ValueList, rows []valueRow, importID int32, c *atlas.Count) error {
	err := w.stage(&w.valueStage, "value_stage", `indicator_id integer, unit_id integer, date date,
		import_id integer, value double precision, numerator double precision, denominator double precision, status text`)
	if err != nil {
		return atlas.Internalf(err, "stage values")
	}
	if _, err := w.tx.Conn().PgConn().CopyFrom(w.ctx, newValueCopy(values, rows, importID),
		`COPY value_stage `+valueColumns+` FROM STDIN (FORMAT binary)`); err != nil {
		return atlas.Internalf(err, "stage values")
	}
	inserted, err := w.exec(`INSERT INTO sozialatlas.indicator_values ` + valueColumns + `
		SELECT indicator_id, unit_id, date, import_id, value, numerator, denominator, status FROM value_stage
		ON CONFLICT (indicator_id, unit_id, date) DO NOTHING`)
	if err != nil {
		return atlas.Internalf(err, "insert values")
	}
	c.Inserted += inserted
	if inserted == len(rows) {
		return nil
	}
	updated, err := w.exec(`UPDATE sozialatlas.indicator_values v
		SET value = s.value, numerator = s.numerator, denominator = s.denominator, status = s.status, import_id = s.import_id
		FROM value_stage s
		WHERE v.indicator_id = s.indicator_id AND v.unit_id = s.unit_id AND v.date = s.date
		  AND (v.value, v.numerator, v.denominator, v.status) IS DISTINCT FROM (s.value, s.numerator, s.denominator, s.status)`)
	if err != nil {
		return atlas.Internalf(err, "update values")
	}
	c.Updated += updated
	return nil
}

// valueCopy streams rows in PostgreSQL's binary COPY format (see the COPY
// reference, "Binary Format"): a signature, flags and header extension,
// then per row the number of fields and each field as length and bytes
// (length -1 for NULL), then -1 as the end.
type valueCopy struct {
	values   atlas.ValueList
	rows     []valueRow
	importID int32

	pos     int
	started bool
	done    bool
	buf     []byte // encoded, not yet read
	space   []byte
}

var copySignature = []byte("PGCOPY\n\xff\r\n\x00")

func newValueCopy(values atlas.ValueList, rows []valueRow, importID int32) *valueCopy {
	return &valueCopy{values: values, rows: rows, importID: importID, space: make([]byte, 0, 64<<10)}
}

func (r *valueCopy) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		r.fill()
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// fill encodes the next rows; it is called only when buf is consumed, so
// it may reuse its space.
func (r *valueCopy) fill() {
	be := binary.BigEndian
	b := r.space[:0]
	if !r.started {
		b = append(b, copySignature...)
		b = be.AppendUint32(b, 0) // flags
		b = be.AppendUint32(b, 0) // header extension length
		r.started = true
	}
	for ; r.pos < len(r.rows) && len(b) < cap(r.space)-256; r.pos++ {
		row := r.rows[r.pos]
		v := r.values.At(int(row.i))
		b = be.AppendUint16(b, 8)
		for _, x := range [4]int32{row.indicator, row.unit, row.day, r.importID} {
			b = be.AppendUint32(b, 4)
			b = be.AppendUint32(b, uint32(x))
		}
		// The value of a row that is not OK is NULL, as in the embedded
		// store; numerator and denominator go as given, for the CHECK.
		b = appendFloat8(b, atlas.Float{V: v.Value, Valid: v.Status == atlas.OK})
		b = appendFloat8(b, v.Numerator)
		b = appendFloat8(b, v.Denominator)
		b = be.AppendUint32(b, uint32(len(v.Status)))
		b = append(b, v.Status...)
	}
	if r.pos == len(r.rows) {
		b = be.AppendUint16(b, 0xffff)
		r.done = true
	}
	r.space = b
	r.buf = b
}

func appendFloat8(b []byte, f atlas.Float) []byte {
	if !f.Valid {
		return binary.BigEndian.AppendUint32(b, 0xffffffff)
	}
	b = binary.BigEndian.AppendUint32(b, 8)
	return binary.BigEndian.AppendUint64(b, math.Float64bits(f.V))
}
