package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Apply writes a batch in one transaction. See atlas.Store.
func (s *Store) Apply(ctx context.Context, b *atlas.Batch, opts atlas.ApplyOptions) (atlas.Changes, error) {
	if err := b.Validate(); err != nil {
		return atlas.Changes{}, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return atlas.Changes{}, atlas.Internalf(err, "begin import")
	}
	defer tx.Rollback() // no-op after Commit
	w := &writer{ctx: ctx, tx: tx}
	ch, err := w.apply(b)
	if err != nil {
		return atlas.Changes{}, err
	}
	if opts.DryRun {
		ch.ImportID = 0
		return ch, nil // the deferred rollback discards everything
	}
	if err := tx.Commit(); err != nil {
		return atlas.Changes{}, atlas.Internalf(err, "commit import")
	}
	return ch, nil
}

type writer struct {
	ctx context.Context
	tx  *sql.Tx
}

func (w *writer) apply(b *atlas.Batch) (ch atlas.Changes, err error) {
	files, _ := json.Marshal(b.Source.Files)
	inputs := b.Source.Inputs
	if inputs == nil {
		inputs = []int64{} // [], as the column's default, not null
	}
	res, err := w.tx.ExecContext(w.ctx, `INSERT INTO imports (name, user, files, inputs, action, note, started) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.Source.Name, b.Source.User, string(files), jsonString(inputs), b.Source.Action, b.Source.Note, now())
	if err != nil {
		return ch, atlas.Internalf(err, "log import")
	}
	if ch.ImportID, err = res.LastInsertId(); err != nil {
		return ch, atlas.Internalf(err, "log import")
	}

	levelIDs, err := w.levels(b.Levels, &ch.Levels)
	if err != nil {
		return ch, err
	}
	indicatorIDs, err := keyedAllOf(w, indicatorTable, b.Indicators, &ch.Indicators, func(i atlas.Indicator) (string, []any) {
		return i.ID, []any{i.Name, i.Unit, i.Description, i.Topic, i.Source, i.Licence, i.Attribution,
			string(i.Polarity), int64(i.Precision), string(i.Visibility), i.Interval}
	})
	if err != nil {
		return ch, err
	}
	layerIDs, err := keyedAllOf(w, layerTable, b.Layers, &ch.Layers, func(l atlas.OfferLayer) (string, []any) {
		return l.ID, []any{l.Name, l.Description, l.Source, l.Licence, l.Attribution, layerVisibility(l)}
	})
	if err != nil {
		return ch, err
	}
	unitIDs := newUnitIDs(w, levelIDs)
	if err := w.units(b.Units, levelIDs, unitIDs, &ch.Units); err != nil {
		return ch, err
	}
	if err := w.offers(b.Offers, layerIDs, &ch.Offers); err != nil {
		return ch, err
	}
	if err := w.values(b.ValueList(), ch.ImportID, indicatorIDs, unitIDs, &ch.Values); err != nil {
		return ch, err
	}

	changes, _ := json.Marshal(ch)
	if _, err := w.tx.ExecContext(w.ctx, `UPDATE imports SET finished = ?, changes = ? WHERE id = ?`, now(), string(changes), ch.ImportID); err != nil {
		return ch, atlas.Internalf(err, "log import")
	}
	return ch, nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// keyedTable describes a table whose rows are found by a key within an
// optional scope (units by level and code, offers by layer and id).
type keyedTable struct {
	name  string
	scope string // scope column, "" for global keys
	key   string
	cols  []string
}

var (
	levelTable     = keyedTable{"levels", "", "key", []string{"name", "parent_id", "description", "source", "licence", "attribution"}}
	indicatorTable = keyedTable{"indicators", "", "key", []string{"name", "unit", "description", "topic", "source", "licence", "attribution", "polarity", "precision", "visibility", "interval"}}
	layerTable     = keyedTable{"offer_layers", "", "key", []string{"name", "description", "source", "licence", "attribution", "visibility"}}
	unitTable      = keyedTable{"units", "level_id", "code", []string{"name", "parent_id", "valid_from", "valid_to", "geom"}}
	offerTable     = keyedTable{"offers", "layer_id", "key", []string{"name", "category", "subcategory", "provider", "provider_type", "capacity", "address", "target_groups", "attributes", "valid_from", "valid_to", "lon", "lat",
		"age_min", "age_max", "household_types", "conditions", "conditions_note", "goals", "languages", "barrier_free", "opening_hours", "contact"}}
)

type storedRow struct {
	id   int64
	vals []any
}

// load reads the existing rows of a table (within one scope).
func (w *writer) load(t keyedTable, scopeID int64) (map[string]storedRow, error) {
	q := `SELECT id, ` + t.key + `, ` + strings.Join(t.cols, ", ") + ` FROM ` + t.name
	var args []any
	if t.scope != "" {
		q += ` WHERE ` + t.scope + ` = ?`
		args = append(args, scopeID)
	}
	rows, err := w.tx.QueryContext(w.ctx, q, args...)
	if err != nil {
		return nil, atlas.Internalf(err, "read %s", t.name)
	}
	defer rows.Close()
	out := map[string]storedRow{}
	for rows.Next() {
		var r storedRow
		var key string
		r.vals = make([]any, len(t.cols))
		dest := []any{&r.id, &key}
		for i := range r.vals {
			dest = append(dest, &r.vals[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, atlas.Internalf(err, "read %s", t.name)
		}
		out[key] = r
	}
	return out, atlas.Internalf(rows.Err(), "read %s", t.name)
}

// put inserts the row or updates it where it differs, and counts which.
func (w *writer) put(t keyedTable, existing map[string]storedRow, scopeID int64, key string, vals []any, c *atlas.Count) (int64, error) {
	if old, ok := existing[key]; ok {
		if sameRow(old.vals, vals) {
			c.Unchanged++
			return old.id, nil
		}
		q := `UPDATE ` + t.name + ` SET ` + strings.Join(t.cols, " = ?, ") + ` = ? WHERE id = ?`
		if _, err := w.tx.ExecContext(w.ctx, q, append(vals, old.id)...); err != nil {
			return 0, atlas.Internalf(err, "update %s %s", t.name, key)
		}
		existing[key] = storedRow{old.id, vals}
		c.Updated++
		return old.id, nil
	}
	cols := append([]string{t.key}, t.cols...)
	args := append([]any{key}, vals...)
	if t.scope != "" {
		cols = append([]string{t.scope}, cols...)
		args = append([]any{scopeID}, args...)
	}
	q := `INSERT INTO ` + t.name + ` (` + strings.Join(cols, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(cols)-1) + `)`
	res, err := w.tx.ExecContext(w.ctx, q, args...)
	if err != nil {
		return 0, atlas.Internalf(err, "insert %s %s", t.name, key)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, atlas.Internalf(err, "insert %s %s", t.name, key)
	}
	existing[key] = storedRow{id, vals}
	c.Inserted++
	return id, nil
}

// keyedAll upserts a list of globally keyed items and returns key → id.
func keyedAllOf[T any](w *writer, t keyedTable, items []T, c *atlas.Count, row func(T) (string, []any)) (map[string]int64, error) {
	existing, err := w.load(t, 0)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		key, vals := row(it)
		if _, err := w.put(t, existing, 0, key, vals, c); err != nil {
			return nil, err
		}
	}
	ids := make(map[string]int64, len(existing))
	for k, r := range existing {
		ids[k] = r.id
	}
	return ids, nil
}

// levels upserts levels in batch order (parents first) and returns key → id
// for all levels.
func (w *writer) levels(levels []atlas.Level, c *atlas.Count) (map[string]int64, error) {
	existing, err := w.load(levelTable, 0)
	if err != nil {
		return nil, err
	}
	ids := func() map[string]int64 {
		m := make(map[string]int64, len(existing))
		for k, r := range existing {
			m[k] = r.id
		}
		return m
	}
	for _, l := range levels {
		var parent any
		if l.Parent != "" {
			r, ok := existing[l.Parent]
			if !ok {
				return nil, atlas.Errorf(atlas.EINVALID, "level %s: parent level %q does not exist", l.ID, l.Parent)
			}
			parent = r.id
		}
		vals := []any{l.Name, parent, l.Description, l.Source, l.Licence, l.Attribution}
		if _, err := w.put(levelTable, existing, 0, l.ID, vals, c); err != nil {
			return nil, err
		}
	}
	return ids(), nil
}

// unitIDs finds unit ids by level and code. A level whose units a batch
// writes, or whose units are parents of units it writes, is read whole, once.
// Values look up only the codes they name (see lookup): the engine writes
// small batches of computed values into levels of 100,000 blocks, and
// reading the whole level each time cost 25 times what writing them did.
type unitIDs struct {
	w        *writer
	levels   map[string]int64
	byLevel  map[string]map[string]int64 // level → code → id, as far as known
	complete map[string]bool             // levels read whole
}

func newUnitIDs(w *writer, levels map[string]int64) *unitIDs {
	return &unitIDs{w: w, levels: levels, byLevel: map[string]map[string]int64{}, complete: map[string]bool{}}
}

// level returns the ids of every unit of a level.
func (u *unitIDs) level(level string) (map[string]int64, error) {
	if u.complete[level] {
		return u.byLevel[level], nil
	}
	levelID, ok := u.levels[level]
	if !ok {
		return nil, atlas.Errorf(atlas.EINVALID, "level %q does not exist", level)
	}
	rows, err := u.w.tx.QueryContext(u.w.ctx, `SELECT code, id FROM units WHERE level_id = ?`, levelID)
	if err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			return nil, atlas.Internalf(err, "read units of %s", level)
		}
		m[code] = id
	}
	if err := rows.Err(); err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	u.byLevel[level], u.complete[level] = m, true
	return m, nil
}

// wholeLevel is the number of codes from which lookup reads the whole
// level instead of probing the index once per code. A probe costs about
// 2.5 times as much as a row of a level read whole (measured with 100,000
// blocks), so probing all the codes of a level was 14 % slower; 10,000
// probes take about 30 ms, less than writing 10,000 values does.
const wholeLevel = 10_000

// lookup reads the ids of those codes of a level that are not known yet,
// with one index probe each, and returns the level's known codes. Codes
// that do not exist are left out.
func (u *unitIDs) lookup(level string, codes map[string]struct{}) (map[string]int64, error) {
	if u.complete[level] || len(codes) >= wholeLevel {
		return u.level(level)
	}
	levelID, ok := u.levels[level]
	if !ok {
		return nil, atlas.Errorf(atlas.EINVALID, "level %q does not exist", level)
	}
	m := u.byLevel[level]
	if m == nil {
		m = make(map[string]int64, len(codes))
		u.byLevel[level] = m
	}
	missing := make([]string, 0, len(codes))
	for c := range codes {
		if _, ok := m[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) == 0 {
		return m, nil
	}
	// CROSS JOIN keeps json_each the outer loop: one index probe per
	// code. With a plain JOIN SQLite scanned the level and parsed the JSON
	// for each unit, six times slower than reading the whole level.
	rows, err := u.w.tx.QueryContext(u.w.ctx, `SELECT u.code, u.id FROM json_each(?) j
		CROSS JOIN units u WHERE u.level_id = ? AND u.code = j.value`, jsonString(missing), levelID)
	if err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var id int64
		if err := rows.Scan(&code, &id); err != nil {
			return nil, atlas.Internalf(err, "read units of %s", level)
		}
		m[code] = id
	}
	return m, atlas.Internalf(rows.Err(), "read units of %s", level)
}

// units upserts units in batch order (parent levels first).
func (w *writer) units(units []atlas.Unit, levelIDs map[string]int64, ids *unitIDs, c *atlas.Count) error {
	parentLevel := map[string]string{}
	if len(units) > 0 {
		rows, err := w.tx.QueryContext(w.ctx, `SELECT l.key, coalesce(p.key, '') FROM levels l LEFT JOIN levels p ON p.id = l.parent_id`)
		if err != nil {
			return atlas.Internalf(err, "read levels")
		}
		for rows.Next() {
			var k, p string
			if err := rows.Scan(&k, &p); err != nil {
				rows.Close()
				return atlas.Internalf(err, "read levels")
			}
			parentLevel[k] = p
		}
		rows.Close()
	}
	existing := map[string]map[string]storedRow{}
	for _, u := range units {
		levelID, ok := levelIDs[u.Level]
		if !ok {
			return atlas.Errorf(atlas.EINVALID, "unit %s: level %q does not exist", u.Code, u.Level)
		}
		rows, ok := existing[u.Level]
		if !ok {
			var err error
			if rows, err = w.load(unitTable, levelID); err != nil {
				return err
			}
			existing[u.Level] = rows
		}
		var parent any
		if u.Parent != "" {
			pl := parentLevel[u.Level]
			if pl == "" {
				return atlas.Errorf(atlas.EINVALID, "unit %s names parent %q but level %s has no parent level", u.Code, u.Parent, u.Level)
			}
			parents, err := ids.level(pl)
			if err != nil {
				return err
			}
			id, ok := parents[u.Parent]
			if !ok {
				return atlas.Errorf(atlas.EINVALID, "unit %s: parent %q does not exist in level %s", u.Code, u.Parent, pl)
			}
			parent = id
		}
		g, err := wkb.Marshal(u.Geometry)
		if err != nil {
			return atlas.Internalf(err, "encode geometry of unit %s", u.Code)
		}
		before := *c
		id, err := w.put(unitTable, rows, levelID, u.Code, []any{u.Name, parent, nullDate(u.From), nullDate(u.To), g}, c)
		if err != nil {
			return err
		}
		if c.Inserted+c.Updated > before.Inserted+before.Updated {
			bound := u.Geometry.Bound()
			if _, err := w.tx.ExecContext(w.ctx, `INSERT OR REPLACE INTO units_bbox (id, minx, maxx, miny, maxy) VALUES (?, ?, ?, ?, ?)`,
				id, bound.Min[0], bound.Max[0], bound.Min[1], bound.Max[1]); err != nil {
				return atlas.Internalf(err, "index unit %s", u.Code)
			}
		}
		if m, ok := ids.byLevel[u.Level]; ok {
			m[u.Code] = id
		}
	}
	return nil
}

func (w *writer) offers(offers []atlas.Offer, layerIDs map[string]int64, c *atlas.Count) error {
	existing := map[string]map[string]storedRow{}
	for _, o := range offers {
		layerID, ok := layerIDs[o.Layer]
		if !ok {
			return atlas.Errorf(atlas.EINVALID, "offer %s: offer layer %q does not exist", o.ID, o.Layer)
		}
		rows, ok := existing[o.Layer]
		if !ok {
			var err error
			if rows, err = w.load(offerTable, layerID); err != nil {
				return err
			}
			existing[o.Layer] = rows
		}
		var capacity any
		if o.Capacity != nil {
			capacity = int64(*o.Capacity)
		}
		groups, attrs, err := offerJSON(o)
		if err != nil {
			return err
		}
		vals := []any{o.Name, o.Category, o.Subcategory, o.Provider, o.ProviderType, capacity, o.Address,
			groups, attrs, nullDate(o.From), nullDate(o.To), o.Geometry[0], o.Geometry[1],
			nullInt(o.AgeMin), nullInt(o.AgeMax), jsonList(o.HouseholdTypes), jsonList(o.Conditions), o.ConditionsNote,
			jsonList(o.Goals), jsonList(o.Languages), nullBool(o.BarrierFree), o.OpeningHours, o.Contact}
		if _, err := w.put(offerTable, rows, layerID, o.ID, vals, c); err != nil {
			return err
		}
	}
	return nil
}

// offerJSON encodes the list and map fields of an offer. encoding/json
// sorts map keys, so equal attributes give equal text.
func offerJSON(o atlas.Offer) (groups, attrs string, err error) {
	g := o.TargetGroups
	if g == nil {
		g = []string{}
	}
	a := o.Attributes
	if a == nil {
		a = map[string]any{}
	}
	gb, err := json.Marshal(g)
	if err != nil {
		return "", "", atlas.Internalf(err, "encode target groups of offer %s", o.ID)
	}
	ab, err := json.Marshal(a)
	if err != nil {
		return "", "", atlas.Errorf(atlas.EINVALID, "offer %s: attributes cannot be stored: %v", o.ID, err)
	}
	return string(gb), string(ab), nil
}

// layerVisibility is the layer's visibility as stored: public unless said.
func layerVisibility(l atlas.OfferLayer) string {
	if l.Visibility == "" {
		return string(atlas.Public)
	}
	return string(l.Visibility)
}

// jsonList encodes a list of texts as a JSON array, [] for none.
func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	return jsonString(l)
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

// nullBool stores true and false as 1 and 0 (what SQLite reads back), and
// an unknown as NULL.
func nullBool(p *bool) any {
	switch {
	case p == nil:
		return nil
	case *p:
		return int64(1)
	}
	return int64(0)
}

func nullDate(d atlas.Date) any {
	if d == 0 {
		return nil
	}
	return int64(d)
}

// sameRow compares values as written with values as read back.
func sameRow(old, new []any) bool {
	for i := range old {
		if !sameValue(old[i], new[i]) {
			return false
		}
	}
	return true
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case int64:
			return x == float64(y)
		}
		return false
	case string:
		y, ok := b.(string)
		return ok && x == y
	}
	return false
}
