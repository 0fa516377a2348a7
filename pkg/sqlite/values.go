package sqlite

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// valueBatch rows go into one INSERT: fewer statement executions is where
// most of the time of a bulk load goes with a pure-Go SQLite.
const valueBatch = 100

const valueCols = 8

// values upserts values. Rows are first inserted with ON CONFLICT DO NOTHING,
// which counts the new ones; only a batch in which some rows existed falls
// back to per-row updates that change a row only where it differs.
func (w *writer) values(values atlas.ValueList, importID int64, indicatorIDs map[string]int64, units *unitIDs, c *atlas.Count) error {
	if values.Len() == 0 {
		return nil
	}
	insertN := func(n int) string {
		return `INSERT INTO indicator_values (indicator_id, unit_id, date, value, numerator, denominator, status, import_id) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ") +
			` ON CONFLICT (indicator_id, unit_id, date) DO NOTHING`
	}
	full, err := w.tx.PrepareContext(w.ctx, insertN(valueBatch))
	if err != nil {
		return atlas.Internalf(err, "prepare value insert")
	}
	defer full.Close()
	update, err := w.tx.PrepareContext(w.ctx, `UPDATE indicator_values
		SET value = ?4, numerator = ?5, denominator = ?6, status = ?7, import_id = ?8
		WHERE indicator_id = ?1 AND unit_id = ?2 AND date = ?3
		  AND (value IS NOT ?4 OR numerator IS NOT ?5 OR denominator IS NOT ?6 OR status IS NOT ?7)`)
	if err != nil {
		return atlas.Internalf(err, "prepare value update")
	}
	defer update.Close()

	// Inserting in key order appends to the B-tree instead of splitting
	// pages all over it: a third faster when files interleave indicators.
	keys, err := valueKeys(values, indicatorIDs, units)
	if err != nil {
		return err
	}
	args := make([]any, 0, valueBatch*valueCols)
	for start := 0; start < len(keys); start += valueBatch {
		end := min(start+valueBatch, len(keys))
		args = args[:0]
		for _, k := range keys[start:end] {
			args = append(args, valueRow(k, values.At(k.i), importID)...)
		}
		stmt := full
		if end-start < valueBatch {
			if stmt, err = w.tx.PrepareContext(w.ctx, insertN(end-start)); err != nil {
				return atlas.Internalf(err, "prepare value insert")
			}
			defer stmt.Close()
		}
		res, err := stmt.ExecContext(w.ctx, args...)
		if err != nil {
			return atlas.Internalf(err, "insert values")
		}
		inserted, _ := res.RowsAffected()
		c.Inserted += int(inserted)
		if int(inserted) == end-start {
			continue
		}
		for i := 0; i < end-start; i++ {
			res, err := update.ExecContext(w.ctx, args[i*valueCols:(i+1)*valueCols]...)
			if err != nil {
				return atlas.Internalf(err, "update values")
			}
			if n, _ := res.RowsAffected(); n > 0 {
				c.Updated++
			}
		}
	}
	c.Unchanged = values.Len() - c.Inserted - c.Updated
	return nil
}

// valueKey is a value's primary key in the table, and where it is in the batch.
type valueKey struct {
	indicator, unit int64
	date            atlas.Date
	i               int
}

// valueKeys resolves the ids of every value and sorts them by key.
func valueKeys(values atlas.ValueList, indicatorIDs map[string]int64, units *unitIDs) ([]valueKey, error) {
	// Only the units the values name are looked up, not whole levels.
	need := map[string]map[string]struct{}{}
	var (
		lastLevel string
		codes     map[string]struct{}
	)
	for _, v := range values.All() {
		if codes == nil || v.Level != lastLevel {
			if codes = need[v.Level]; codes == nil {
				codes = map[string]struct{}{}
				need[v.Level] = codes
			}
			lastLevel = v.Level
		}
		codes[v.Unit] = struct{}{}
	}
	known := make(map[string]map[string]int64, len(need))
	for level, codes := range need {
		if _, ok := units.levels[level]; !ok {
			continue // refused below, in batch order
		}
		m, err := units.lookup(level, codes)
		if err != nil {
			return nil, err
		}
		known[level] = m
	}

	keys := make([]valueKey, values.Len())
	for i, v := range values.All() {
		ind, ok := indicatorIDs[v.Indicator]
		if !ok {
			return nil, atlas.Errorf(atlas.EINVALID, "indicator %q does not exist", v.Indicator)
		}
		codes, ok := known[v.Level]
		if !ok {
			return nil, atlas.Errorf(atlas.EINVALID, "level %q does not exist", v.Level)
		}
		unit, ok := codes[v.Unit]
		if !ok {
			return nil, atlas.Errorf(atlas.EINVALID, "unit %q does not exist in level %s", v.Unit, v.Level)
		}
		keys[i] = valueKey{ind, unit, v.Date, i}
	}
	slices.SortFunc(keys, func(a, b valueKey) int {
		return cmp.Or(cmp.Compare(a.indicator, b.indicator), cmp.Compare(a.unit, b.unit), cmp.Compare(a.date, b.date), cmp.Compare(a.i, b.i))
	})
	return keys, nil
}

func valueRow(k valueKey, v atlas.Value, importID int64) []any {
	var value any
	if v.Status == atlas.OK {
		value = v.Value
	}
	return []any{k.indicator, k.unit, int64(k.date), value, nullFloat(v.Numerator), nullFloat(v.Denominator), string(v.Status), importID}
}

func nullFloat(f atlas.Float) any {
	if !f.Valid {
		return nil
	}
	return f.V
}
