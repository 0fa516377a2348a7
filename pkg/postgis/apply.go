package postgis

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Apply writes a batch in one transaction. See atlas.Store.
//
// Imports are serialised with a transaction-level advisory lock, so that
// the counts of a batch are exact even when several servers import at
// once; readers are never blocked.
func (s *Store) Apply(ctx context.Context, b *atlas.Batch, opts atlas.ApplyOptions) (atlas.Changes, error) {
	if err := b.Validate(); err != nil {
		return atlas.Changes{}, err
	}
	var ch atlas.Changes
	err := s.with(ctx, func(c *pgx.Conn) error {
		tx, err := c.Begin(ctx)
		if err != nil {
			return atlas.Internalf(err, "begin import")
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) // no-op after Commit
		w := &writer{ctx: ctx, tx: tx}
		if ch, err = w.apply(b); err != nil {
			return err
		}
		if opts.DryRun {
			ch.ImportID = 0
			return nil // the deferred rollback discards everything
		}
		return atlas.Internalf(tx.Commit(ctx), "commit import")
	})
	if err != nil {
		return atlas.Changes{}, atlas.Internalf(err, "import")
	}
	return ch, nil
}

type writer struct {
	ctx context.Context
	tx  pgx.Tx

	unitStage, offerStage, valueStage bool // temporary tables created
}

func (w *writer) exec(sql string, args ...any) (int, error) {
	tag, err := w.tx.Exec(w.ctx, sql, args...)
	return int(tag.RowsAffected()), err
}

func (w *writer) apply(b *atlas.Batch) (ch atlas.Changes, err error) {
	if _, err := w.exec(`SELECT pg_advisory_xact_lock($1)`, importLock); err != nil {
		return ch, atlas.Internalf(err, "wait for other imports")
	}
	// Sorting and hashing of staged rows stay in memory.
	if _, err := w.exec(`SET LOCAL work_mem = '64MB'`); err != nil {
		return ch, atlas.Internalf(err, "configure import")
	}
	files, err := json.Marshal(b.Source.Files)
	if err != nil {
		return ch, atlas.Internalf(err, "log import")
	}
	inputs := b.Source.Inputs
	if inputs == nil {
		inputs = []int64{} // pgx sends a nil slice as NULL
	}
	var importID int32
	if err := w.tx.QueryRow(w.ctx, `INSERT INTO sozialatlas.imports (name, user_name, files, inputs, action, note, started)
		VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp()) RETURNING id`,
		b.Source.Name, b.Source.User, json.RawMessage(files), inputs, b.Source.Action, b.Source.Note).Scan(&importID); err != nil {
		return ch, atlas.Internalf(err, "log import")
	}
	ch.ImportID = int64(importID)

	levelIDs, err := w.levels(b.Levels, &ch.Levels)
	if err != nil {
		return ch, err
	}
	indicatorIDs, err := keyedAllOf(w, indicatorTable, b.Indicators, &ch.Indicators, func(i atlas.Indicator) (string, []any) {
		vals := []any{i.Name, i.Unit, i.Description, i.Topic, i.Source, i.Licence, i.Attribution,
			string(i.Polarity), int64(i.Precision), string(i.Visibility), i.Interval}
		return i.ID, vals
	})
	if err != nil {
		return ch, err
	}
	layerIDs, err := keyedAllOf(w, layerTable, b.Layers, &ch.Layers, func(l atlas.OfferLayer) (string, []any) {
		vis := string(l.Visibility)
		if vis == "" {
			vis = string(atlas.Public)
		}
		vals := []any{l.Name, l.Description, l.Source, l.Licence, l.Attribution, vis}
		return l.ID, vals
	})
	if err != nil {
		return ch, err
	}
	units := newUnitIDs(w, levelIDs)
	if err := w.units(b.Units, units, &ch.Units); err != nil {
		return ch, err
	}
	if err := w.offers(b.Offers, layerIDs, &ch.Offers); err != nil {
		return ch, err
	}
	if err := w.values(b.ValueList(), importID, indicatorIDs, units, &ch.Values); err != nil {
		return ch, err
	}

	changes, err := json.Marshal(ch)
	if err != nil {
		return ch, atlas.Internalf(err, "log import")
	}
	if _, err := w.exec(`UPDATE sozialatlas.imports SET finished = clock_timestamp(), changes = $1 WHERE id = $2`,
		json.RawMessage(changes), importID); err != nil {
		return ch, atlas.Internalf(err, "log import")
	}
	return ch, nil
}

// keyedTable is a table of few rows found by a global key (levels,
// indicators, offer layers): its rows are compared in Go, as in the
// embedded store.
type keyedTable struct {
	name string // qualified
	cols []string
}

var (
	levelTable     = keyedTable{"sozialatlas.levels", []string{"name", "parent_id", "description", "source", "licence", "attribution"}}
	indicatorTable = keyedTable{"sozialatlas.indicators", []string{"name", "unit", "description", "topic", "source", "licence", "attribution", "polarity", "precision", "visibility", "interval"}}
	layerTable     = keyedTable{"sozialatlas.offer_layers", []string{"name", "description", "source", "licence", "attribution", "visibility"}}
)

type storedRow struct {
	id   int32
	vals []any // string, int64 or nil
}

func (w *writer) load(t keyedTable) (map[string]storedRow, error) {
	rows, err := w.tx.Query(w.ctx, `SELECT id, key, `+strings.Join(t.cols, ", ")+` FROM `+t.name)
	if err != nil {
		return nil, atlas.Internalf(err, "read %s", t.name)
	}
	defer rows.Close()
	out := map[string]storedRow{}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, atlas.Internalf(err, "read %s", t.name)
		}
		id, ok1 := vals[0].(int32)
		key, ok2 := vals[1].(string)
		if !ok1 || !ok2 {
			return nil, atlas.Errorf(atlas.EINTERNAL, "read %s: unexpected id or key type %T, %T", t.name, vals[0], vals[1])
		}
		r := storedRow{id: id, vals: vals[2:]}
		for i, v := range r.vals {
			switch x := v.(type) {
			case int16:
				r.vals[i] = int64(x)
			case int32:
				r.vals[i] = int64(x)
			}
		}
		out[key] = r
	}
	return out, atlas.Internalf(rows.Err(), "read %s", t.name)
}

// put inserts the row or updates it where it differs, and counts which.
func (w *writer) put(t keyedTable, existing map[string]storedRow, key string, vals []any, c *atlas.Count) (int32, error) {
	if old, ok := existing[key]; ok {
		if sameRow(old.vals, vals) {
			c.Unchanged++
			return old.id, nil
		}
		var args params
		args.add(old.id)
		set := make([]string, len(t.cols))
		for i, col := range t.cols {
			set[i] = col + ` = ` + args.add(vals[i])
		}
		if _, err := w.exec(`UPDATE `+t.name+` SET `+strings.Join(set, ", ")+` WHERE id = $1`, args...); err != nil {
			return 0, atlas.Internalf(err, "update %s %s", t.name, key)
		}
		existing[key] = storedRow{old.id, vals}
		c.Updated++
		return old.id, nil
	}
	var args params
	ph := []string{args.add(key)}
	for _, v := range vals {
		ph = append(ph, args.add(v))
	}
	var id int32
	if err := w.tx.QueryRow(w.ctx, `INSERT INTO `+t.name+` (key, `+strings.Join(t.cols, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`) RETURNING id`,
		args...).Scan(&id); err != nil {
		return 0, atlas.Internalf(err, "insert %s %s", t.name, key)
	}
	existing[key] = storedRow{id, vals}
	c.Inserted++
	return id, nil
}

func sameRow(old, new []any) bool {
	for i := range old {
		switch x := old[i].(type) {
		case nil:
			if new[i] != nil {
				return false
			}
		case string:
			if y, ok := new[i].(string); !ok || x != y {
				return false
			}
		case int64:
			if y, ok := new[i].(int64); !ok || x != y {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func ids(existing map[string]storedRow) map[string]int32 {
	m := make(map[string]int32, len(existing))
	for k, r := range existing {
		m[k] = r.id
	}
	return m
}

// keyedAllOf upserts a list of globally keyed items and returns key → id.
func keyedAllOf[T any](w *writer, t keyedTable, items []T, c *atlas.Count, row func(T) (string, []any)) (map[string]int32, error) {
	existing, err := w.load(t)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		key, vals := row(it)
		if _, err := w.put(t, existing, key, vals, c); err != nil {
			return nil, err
		}
	}
	return ids(existing), nil
}

// levels upserts levels in batch order (parents first) and returns key → id
// for all levels.
func (w *writer) levels(levels []atlas.Level, c *atlas.Count) (map[string]int32, error) {
	existing, err := w.load(levelTable)
	if err != nil {
		return nil, err
	}
	for _, l := range levels {
		var parent any
		if l.Parent != "" {
			r, ok := existing[l.Parent]
			if !ok {
				return nil, atlas.Errorf(atlas.EINVALID, "level %s: parent level %q does not exist", l.ID, l.Parent)
			}
			parent = int64(r.id)
		}
		vals := []any{l.Name, parent, l.Description, l.Source, l.Licence, l.Attribution}
		if _, err := w.put(levelTable, existing, l.ID, vals, c); err != nil {
			return nil, err
		}
	}
	return ids(existing), nil
}

// unitIDs finds unit ids by level and code. A level whose units are
// parents of units a batch writes is read whole, once. Values look up only
// the codes they name (see lookup): the engine writes small batches of
// computed values into levels of 100,000 blocks, and reading the whole
// level each time cost 5 times what writing them did.
type unitIDs struct {
	w        *writer
	levels   map[string]int32
	byLevel  map[string]map[string]int32 // level → code → id, as far as known
	complete map[string]bool             // levels read whole
}

func newUnitIDs(w *writer, levels map[string]int32) *unitIDs {
	return &unitIDs{w: w, levels: levels, byLevel: map[string]map[string]int32{}, complete: map[string]bool{}}
}

// forget drops what is known of a level whose units are being written.
func (u *unitIDs) forget(level string) {
	delete(u.byLevel, level)
	delete(u.complete, level)
}

// level returns the ids of every unit of a level.
func (u *unitIDs) level(level string) (map[string]int32, error) {
	if u.complete[level] {
		return u.byLevel[level], nil
	}
	levelID, ok := u.levels[level]
	if !ok {
		return nil, atlas.Errorf(atlas.EINVALID, "level %q does not exist", level)
	}
	rows, err := u.w.tx.Query(u.w.ctx, `SELECT code, id FROM sozialatlas.units WHERE level_id = $1`, levelID)
	if err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	m, err := collectCodes(rows, nil)
	if err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	u.byLevel[level], u.complete[level] = m, true
	return m, nil
}

// wholeLevel is the number of codes from which lookup reads the whole
// level instead of looking up the codes, as in the embedded store: sending
// every code of a level and probing the index for each costs more than
// reading the level.
const wholeLevel = 10_000

// lookup reads the ids of those codes of a level that are not known yet
// with one indexed query, and returns the level's known codes. Codes that
// do not exist are left out.
func (u *unitIDs) lookup(level string, codes map[string]struct{}) (map[string]int32, error) {
	if u.complete[level] || len(codes) >= wholeLevel {
		return u.level(level)
	}
	levelID, ok := u.levels[level]
	if !ok {
		return nil, atlas.Errorf(atlas.EINVALID, "level %q does not exist", level)
	}
	m := u.byLevel[level]
	missing := make([]string, 0, len(codes))
	for c := range codes {
		if _, ok := m[c]; !ok {
			missing = append(missing, c)
		}
	}
	if m != nil && len(missing) == 0 {
		return m, nil
	}
	rows, err := u.w.tx.Query(u.w.ctx, `SELECT code, id FROM sozialatlas.units
		WHERE level_id = $1 AND code = ANY($2::text[])`, levelID, missing)
	if err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	if m, err = collectCodes(rows, m); err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	u.byLevel[level] = m
	return m, nil
}

// collectCodes adds rows of code and id to m (a new map if nil).
func collectCodes(rows pgx.Rows, m map[string]int32) (map[string]int32, error) {
	if m == nil {
		m = map[string]int32{}
	}
	var code string
	var id int32
	_, err := pgx.ForEachRow(rows, []any{&code, &id}, func() error {
		m[code] = id
		return nil
	})
	return m, err
}

// rounds splits the rows 0…n-1 into rounds in which every key occurs once.
// Applying the rounds one after the other with set-based statements gives
// what applying the rows one by one gives (the embedded store's way) when
// a batch holds a key twice: the later row wins, and the counts agree.
// Without repeated keys there is one round of all rows.
func rounds[K comparable](n int, key func(int) K) [][]int {
	seen := make(map[K]int, n)
	var out [][]int
	for i := 0; i < n; i++ {
		k := key(i)
		r := seen[k]
		seen[k] = r + 1
		if r == len(out) {
			out = append(out, make([]int, 0, n))
		}
		out[r] = append(out[r], i)
	}
	return out
}

// stage creates a temporary staging table for this transaction, or empties
// it when it exists already.
func (w *writer) stage(created *bool, name, columns string) error {
	if *created {
		_, err := w.exec(`TRUNCATE ` + name)
		return err
	}
	if _, err := w.exec(`CREATE TEMPORARY TABLE ` + name + ` (` + columns + `) ON COMMIT DROP`); err != nil {
		return err
	}
	*created = true
	return nil
}

// units upserts units level by level, parent levels first, each level with
// one COPY into a staging table and two set-based statements.
func (w *writer) units(units []atlas.Unit, ids *unitIDs, c *atlas.Count) error {
	if len(units) == 0 {
		return nil
	}
	byLevel := map[string][]int{}
	for i, u := range units {
		if _, ok := ids.levels[u.Level]; !ok {
			return atlas.Errorf(atlas.EINVALID, "unit %s: level %q does not exist", u.Code, u.Level)
		}
		byLevel[u.Level] = append(byLevel[u.Level], i)
	}

	// The levels' tree, with the levels of this batch in it already.
	rows, err := w.tx.Query(w.ctx, `SELECT l.key, coalesce(p.key, '') FROM sozialatlas.levels l
		LEFT JOIN sozialatlas.levels p ON p.id = l.parent_id ORDER BY l.id`)
	if err != nil {
		return atlas.Internalf(err, "read levels")
	}
	var tree []atlas.Level
	var key, parent string
	if _, err := pgx.ForEachRow(rows, []any{&key, &parent}, func() error {
		tree = append(tree, atlas.Level{ID: key, Parent: parent})
		return nil
	}); err != nil {
		return atlas.Internalf(err, "read levels")
	}
	if tree, err = atlas.SortLevels(tree); err != nil {
		return err
	}
	for _, l := range tree {
		if idx := byLevel[l.ID]; len(idx) > 0 {
			if err := w.unitsOfLevel(units, idx, l, ids, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *writer) unitsOfLevel(units []atlas.Unit, idx []int, level atlas.Level, ids *unitIDs, c *atlas.Count) error {
	levelID := ids.levels[level.ID]
	rows := make([][]any, len(idx))
	var parents map[string]int32
	for k, i := range idx {
		u := &units[i]
		var parent any
		if u.Parent != "" {
			if level.Parent == "" {
				return atlas.Errorf(atlas.EINVALID, "unit %s names parent %q but level %s has no parent level", u.Code, u.Parent, u.Level)
			}
			if parents == nil {
				var err error
				if parents, err = ids.level(level.Parent); err != nil {
					return err
				}
			}
			id, ok := parents[u.Parent]
			if !ok {
				return atlas.Errorf(atlas.EINVALID, "unit %s: parent %q does not exist in level %s", u.Code, u.Parent, level.Parent)
			}
			parent = id
		}
		g, err := encodeWKB(u.Geometry)
		if err != nil {
			return atlas.Internalf(err, "encode geometry of unit %s", u.Code)
		}
		rows[k] = []any{u.Code, u.Name, parent, pgDate(u.From), pgDate(u.To), g}
	}
	ids.forget(level.ID) // read again when values need them

	for _, round := range rounds(len(idx), func(k int) string { return units[idx[k]].Code }) {
		if err := w.stage(&w.unitStage, "unit_stage", `code text COLLATE "C", name text, parent_id integer,
			valid_from date, valid_to date, wkb bytea`); err != nil {
			return atlas.Internalf(err, "stage units of %s", level.ID)
		}
		staged := make([][]any, len(round))
		for j, k := range round {
			staged[j] = rows[k]
		}
		if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{"unit_stage"},
			[]string{"code", "name", "parent_id", "valid_from", "valid_to", "wkb"}, pgx.CopyFromRows(staged)); err != nil {
			return atlas.Internalf(err, "stage units of %s", level.ID)
		}
		inserted, err := w.exec(`INSERT INTO sozialatlas.units (level_id, code, name, parent_id, valid_from, valid_to, geom)
			SELECT $1, code, name, parent_id, valid_from, valid_to, ST_GeomFromWKB(wkb, 4326) FROM unit_stage
			ON CONFLICT (level_id, code) DO NOTHING`, levelID)
		if err != nil {
			return atlas.Internalf(err, "insert units of %s", level.ID)
		}
		updated := 0
		if inserted < len(round) {
			// The geometry compares as WKB: ST_Equals would call a unit
			// whose rings start elsewhere unchanged.
			updated, err = w.exec(`UPDATE sozialatlas.units u
				SET name = s.name, parent_id = s.parent_id, valid_from = s.valid_from, valid_to = s.valid_to,
				    geom = ST_GeomFromWKB(s.wkb, 4326)
				FROM unit_stage s
				WHERE u.level_id = $1 AND u.code = s.code
				  AND (u.name, u.parent_id, u.valid_from, u.valid_to, ST_AsBinary(u.geom, 'NDR'))
				      IS DISTINCT FROM (s.name, s.parent_id, s.valid_from, s.valid_to, s.wkb)`, levelID)
			if err != nil {
				return atlas.Internalf(err, "update units of %s", level.ID)
			}
		}
		c.Inserted += inserted
		c.Updated += updated
		c.Unchanged += len(round) - inserted - updated
	}
	return nil
}

// offers upserts offers with one COPY into a staging table and two
// set-based statements.
func (w *writer) offers(offers []atlas.Offer, layerIDs map[string]int32, c *atlas.Count) error {
	if len(offers) == 0 {
		return nil
	}
	type offerKey struct {
		layer int32
		key   string
	}
	keys := make([]offerKey, len(offers))
	rows := make([][]any, len(offers))
	for i := range offers {
		o := &offers[i]
		layerID, ok := layerIDs[o.Layer]
		if !ok {
			return atlas.Errorf(atlas.EINVALID, "offer %s: offer layer %q does not exist", o.ID, o.Layer)
		}
		groups := o.TargetGroups
		if groups == nil {
			groups = []string{}
		}
		attrs := o.Attributes
		if attrs == nil {
			attrs = map[string]any{}
		}
		a, err := json.Marshal(attrs)
		if err != nil {
			return atlas.Errorf(atlas.EINVALID, "offer %s: attributes cannot be stored: %v", o.ID, err)
		}
		var capacity any
		if o.Capacity != nil {
			capacity = int64(*o.Capacity)
		}
		g, err := encodeWKB(o.Geometry)
		if err != nil {
			return atlas.Internalf(err, "encode geometry of offer %s", o.ID)
		}
		keys[i] = offerKey{layerID, o.ID}
		rows[i] = []any{layerID, o.ID, o.Name, o.Category, o.Subcategory, o.Provider, o.ProviderType, capacity,
			o.Address, groups, json.RawMessage(a), pgDate(o.From), pgDate(o.To), g,
			int4(o.AgeMin), int4(o.AgeMax), textArray(o.HouseholdTypes), textArray(o.Conditions), o.ConditionsNote,
			textArray(o.Goals), textArray(o.Languages), o.BarrierFree, o.OpeningHours, o.Contact}
	}
	for _, round := range rounds(len(offers), func(i int) offerKey { return keys[i] }) {
		if err := w.stage(&w.offerStage, "offer_stage", `layer_id integer, key text COLLATE "C", name text,
			category text, subcategory text, provider text, provider_type text, capacity bigint, address text,
			target_groups text[], attributes jsonb, valid_from date, valid_to date, wkb bytea,
			age_min integer, age_max integer, household_types text[], conditions text[], conditions_note text,
			goals text[], languages text[], barrier_free boolean, opening_hours text, contact text`); err != nil {
			return atlas.Internalf(err, "stage offers")
		}
		staged := make([][]any, len(round))
		for j, i := range round {
			staged[j] = rows[i]
		}
		if _, err := w.tx.CopyFrom(w.ctx, pgx.Identifier{"offer_stage"},
			[]string{"layer_id", "key", "name", "category", "subcategory", "provider", "provider_type", "capacity",
				"address", "target_groups", "attributes", "valid_from", "valid_to", "wkb",
				"age_min", "age_max", "household_types", "conditions", "conditions_note", "goals", "languages",
				"barrier_free", "opening_hours", "contact"}, pgx.CopyFromRows(staged)); err != nil {
			return atlas.Internalf(err, "stage offers")
		}
		inserted, err := w.exec(`INSERT INTO sozialatlas.offers (layer_id, key, name, category, subcategory, provider,
				provider_type, capacity, address, target_groups, attributes, valid_from, valid_to, geom,
				age_min, age_max, household_types, conditions, conditions_note, goals, languages, barrier_free,
				opening_hours, contact)
			SELECT layer_id, key, name, category, subcategory, provider, provider_type, capacity, address,
				target_groups, attributes, valid_from, valid_to, ST_GeomFromWKB(wkb, 4326),
				age_min, age_max, household_types, conditions, conditions_note, goals, languages, barrier_free,
				opening_hours, contact
			FROM offer_stage
			ON CONFLICT (layer_id, key) DO NOTHING`)
		if err != nil {
			return atlas.Internalf(err, "insert offers")
		}
		updated := 0
		if inserted < len(round) {
			updated, err = w.exec(`UPDATE sozialatlas.offers o
				SET name = s.name, category = s.category, subcategory = s.subcategory, provider = s.provider,
				    provider_type = s.provider_type, capacity = s.capacity, address = s.address,
				    target_groups = s.target_groups, attributes = s.attributes,
				    valid_from = s.valid_from, valid_to = s.valid_to, geom = ST_GeomFromWKB(s.wkb, 4326),
				    age_min = s.age_min, age_max = s.age_max, household_types = s.household_types,
				    conditions = s.conditions, conditions_note = s.conditions_note, goals = s.goals,
				    languages = s.languages, barrier_free = s.barrier_free, opening_hours = s.opening_hours,
				    contact = s.contact
				FROM offer_stage s
				WHERE o.layer_id = s.layer_id AND o.key = s.key
				  AND (o.name, o.category, o.subcategory, o.provider, o.provider_type, o.capacity, o.address,
				       o.target_groups, o.attributes, o.valid_from, o.valid_to, ST_AsBinary(o.geom, 'NDR'),
				       o.age_min, o.age_max, o.household_types, o.conditions, o.conditions_note, o.goals,
				       o.languages, o.barrier_free, o.opening_hours, o.contact)
				      IS DISTINCT FROM
				      (s.name, s.category, s.subcategory, s.provider, s.provider_type, s.capacity, s.address,
				       s.target_groups, s.attributes, s.valid_from, s.valid_to, s.wkb,
				       s.age_min, s.age_max, s.household_types, s.conditions, s.conditions_note, s.goals,
				       s.languages, s.barrier_free, s.opening_hours, s.contact)`)
			if err != nil {
				return atlas.Internalf(err, "update offers")
			}
		}
		c.Inserted += inserted
		c.Updated += updated
		c.Unchanged += len(round) - inserted - updated
	}
	return nil
}
