package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Levels returns all levels, parents first, with their unit counts.
func (s *Store) Levels(ctx context.Context) ([]atlas.Level, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT l.key, l.name, coalesce(p.key, ''), l.description, l.source, l.licence, l.attribution,
		       (SELECT count(*) FROM units u WHERE u.level_id = l.id)
		FROM levels l LEFT JOIN levels p ON p.id = l.parent_id
		ORDER BY l.id`)
	if err != nil {
		return nil, atlas.Internalf(err, "read levels")
	}
	defer rows.Close()
	var out []atlas.Level
	for rows.Next() {
		var l atlas.Level
		if err := rows.Scan(&l.ID, &l.Name, &l.Parent, &l.Description, &l.Source, &l.Licence, &l.Attribution, &l.Units); err != nil {
			return nil, atlas.Internalf(err, "read levels")
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, atlas.Internalf(err, "read levels")
	}
	return atlas.SortLevels(out)
}

func (s *Store) levelID(ctx context.Context, key string) (int64, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM levels WHERE key = ?`, key).Scan(&id)
	if err == sql.ErrNoRows {
		return 0, atlas.Errorf(atlas.ENOTFOUND, "level %q does not exist", key)
	}
	return id, atlas.Internalf(err, "read level %s", key)
}

// Units returns the units of a level, ordered by code.
func (s *Store) Units(ctx context.Context, level string, q atlas.UnitQuery) ([]atlas.Unit, error) {
	levelID, err := s.levelID(ctx, level)
	if err != nil {
		return nil, err
	}
	geom := "u.geom"
	if q.NoGeometry {
		geom = "NULL"
	}
	query := `SELECT u.code, u.name, coalesce(p.code, ''), u.valid_from, u.valid_to, ` + geom + `
		FROM units u LEFT JOIN units p ON p.id = u.parent_id
		WHERE u.level_id = ?`
	args := []any{levelID}
	if q.BBox != nil {
		query += ` AND u.id IN (SELECT id FROM units_bbox WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)`
		args = append(args, q.BBox.Min[0], q.BBox.Max[0], q.BBox.Min[1], q.BBox.Max[1])
	}
	if len(q.Codes) > 0 {
		query += ` AND u.code IN (SELECT value FROM json_each(?))`
		args = append(args, jsonString(q.Codes))
	}
	query += ` ORDER BY u.code`
	query, args = page(query, args, q.Limit, q.Offset)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	defer rows.Close()
	var out []atlas.Unit
	for rows.Next() {
		u := atlas.Unit{Level: level}
		var from, to sql.NullInt64
		var g []byte
		if err := rows.Scan(&u.Code, &u.Name, &u.Parent, &from, &to, &g); err != nil {
			return nil, atlas.Internalf(err, "read units of %s", level)
		}
		u.From, u.To = atlas.Date(from.Int64), atlas.Date(to.Int64)
		if g != nil {
			if u.Geometry, err = decodeMultiPolygon(g); err != nil {
				return nil, atlas.Internalf(err, "decode geometry of unit %s", u.Code)
			}
		}
		out = append(out, u)
	}
	return out, atlas.Internalf(rows.Err(), "read units of %s", level)
}

// OfferLayers returns all offer layers with their offer counts.
func (s *Store) OfferLayers(ctx context.Context) ([]atlas.OfferLayer, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT key, name, description, source, licence, attribution, visibility,
		       (SELECT count(*) FROM offers o WHERE o.layer_id = l.id)
		FROM offer_layers l ORDER BY key`)
	if err != nil {
		return nil, atlas.Internalf(err, "read offer layers")
	}
	defer rows.Close()
	var out []atlas.OfferLayer
	for rows.Next() {
		var l atlas.OfferLayer
		if err := rows.Scan(&l.ID, &l.Name, &l.Description, &l.Source, &l.Licence, &l.Attribution, &l.Visibility, &l.Offers); err != nil {
			return nil, atlas.Internalf(err, "read offer layers")
		}
		out = append(out, l)
	}
	return out, atlas.Internalf(rows.Err(), "read offer layers")
}

// Offers returns the offers of a layer, ordered by id.
func (s *Store) Offers(ctx context.Context, layer string, q atlas.OfferQuery) ([]atlas.Offer, error) {
	var layerID int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM offer_layers WHERE key = ?`, layer).Scan(&layerID)
	if err == sql.ErrNoRows {
		return nil, atlas.Errorf(atlas.ENOTFOUND, "offer layer %q does not exist", layer)
	} else if err != nil {
		return nil, atlas.Internalf(err, "read offer layer %s", layer)
	}
	query := `SELECT key, name, category, subcategory, provider, provider_type, capacity, address,
		target_groups, attributes, valid_from, valid_to, lon, lat,
		age_min, age_max, household_types, conditions, conditions_note, goals, languages, barrier_free, opening_hours, contact
		FROM offers WHERE layer_id = ?`
	args := []any{layerID}
	if q.BBox != nil {
		query += ` AND lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?`
		args = append(args, q.BBox.Min[0], q.BBox.Max[0], q.BBox.Min[1], q.BBox.Max[1])
	}
	query += ` ORDER BY key`
	query, args = page(query, args, q.Limit, q.Offset)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, atlas.Internalf(err, "read offers of %s", layer)
	}
	defer rows.Close()
	var out []atlas.Offer
	for rows.Next() {
		o := atlas.Offer{Layer: layer}
		var capacity, from, to, ageMin, ageMax, barrierFree sql.NullInt64
		var groups, attrs, households, conditions, goals, languages string
		if err := rows.Scan(&o.ID, &o.Name, &o.Category, &o.Subcategory, &o.Provider, &o.ProviderType,
			&capacity, &o.Address, &groups, &attrs, &from, &to, &o.Geometry[0], &o.Geometry[1],
			&ageMin, &ageMax, &households, &conditions, &o.ConditionsNote, &goals, &languages, &barrierFree,
			&o.OpeningHours, &o.Contact); err != nil {
			return nil, atlas.Internalf(err, "read offers of %s", layer)
		}
		o.AgeMin, o.AgeMax = intOrNil(ageMin), intOrNil(ageMax)
		if barrierFree.Valid {
			b := barrierFree.Int64 == 1
			o.BarrierFree = &b
		}
		for _, l := range []struct {
			text string
			dst  *[]string
		}{{households, &o.HouseholdTypes}, {conditions, &o.Conditions}, {goals, &o.Goals}, {languages, &o.Languages}} {
			if err := json.Unmarshal([]byte(l.text), l.dst); err != nil {
				return nil, atlas.Internalf(err, "decode the lists of offer %s", o.ID)
			}
			if len(*l.dst) == 0 {
				*l.dst = nil
			}
		}
		if capacity.Valid {
			c := int(capacity.Int64)
			o.Capacity = &c
		}
		o.From, o.To = atlas.Date(from.Int64), atlas.Date(to.Int64)
		if err := json.Unmarshal([]byte(groups), &o.TargetGroups); err != nil {
			return nil, atlas.Internalf(err, "decode target groups of offer %s", o.ID)
		}
		if err := json.Unmarshal([]byte(attrs), &o.Attributes); err != nil {
			return nil, atlas.Internalf(err, "decode attributes of offer %s", o.ID)
		}
		if len(o.TargetGroups) == 0 {
			o.TargetGroups = nil
		}
		if len(o.Attributes) == 0 {
			o.Attributes = nil
		}
		out = append(out, o)
	}
	return out, atlas.Internalf(rows.Err(), "read offers of %s", layer)
}

func intOrNil(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	i := int(n.Int64)
	return &i
}

// Indicators returns all indicator metadata, ordered by id.
func (s *Store) Indicators(ctx context.Context) ([]atlas.Indicator, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT key, name, unit, description, topic, source, licence, attribution,
		       polarity, precision, visibility, interval
		FROM indicators ORDER BY key`)
	if err != nil {
		return nil, atlas.Internalf(err, "read indicators")
	}
	defer rows.Close()
	var out []atlas.Indicator
	for rows.Next() {
		var i atlas.Indicator
		if err := rows.Scan(&i.ID, &i.Name, &i.Unit, &i.Description, &i.Topic, &i.Source, &i.Licence,
			&i.Attribution, &i.Polarity, &i.Precision, &i.Visibility, &i.Interval); err != nil {
			return nil, atlas.Internalf(err, "read indicators")
		}
		out = append(out, i)
	}
	return out, atlas.Internalf(rows.Err(), "read indicators")
}

// Values returns the values of one indicator at one level, ordered by unit
// code and date.
func (s *Store) Values(ctx context.Context, q atlas.ValueQuery) ([]atlas.Value, error) {
	if q.Level == "" {
		return nil, atlas.Errorf(atlas.EINVALID, "values of %s: a level is needed", q.Indicator)
	}
	query := `SELECT u.code, v.date, v.value, v.numerator, v.denominator, v.status, v.import_id
		FROM indicator_values v
		JOIN indicators i ON i.id = v.indicator_id
		JOIN units u ON u.id = v.unit_id
		JOIN levels l ON l.id = u.level_id
		WHERE i.key = ? AND l.key = ?`
	args := []any{q.Indicator, q.Level}
	if len(q.Dates) > 0 {
		ds := make([]int32, len(q.Dates))
		for i, d := range q.Dates {
			ds[i] = int32(d)
		}
		query += ` AND v.date IN (SELECT value FROM json_each(?))`
		args = append(args, jsonString(ds))
	}
	if len(q.Units) > 0 {
		query += ` AND u.code IN (SELECT value FROM json_each(?))`
		args = append(args, jsonString(q.Units))
	}
	query += ` ORDER BY u.code, v.date`
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, atlas.Internalf(err, "read values of %s", q.Indicator)
	}
	defer rows.Close()
	var out []atlas.Value
	for rows.Next() {
		v := atlas.Value{Indicator: q.Indicator, Level: q.Level}
		var value, num, den sql.NullFloat64
		if err := rows.Scan(&v.Unit, &v.Date, &value, &num, &den, &v.Status, &v.Import); err != nil {
			return nil, atlas.Internalf(err, "read values of %s", q.Indicator)
		}
		v.Value = value.Float64
		v.Numerator = atlas.Float{V: num.Float64, Valid: num.Valid}
		v.Denominator = atlas.Float{V: den.Float64, Valid: den.Valid}
		out = append(out, v)
	}
	return out, atlas.Internalf(rows.Err(), "read values of %s", q.Indicator)
}

// Imports returns the import log, newest first.
func (s *Store) Imports(ctx context.Context, limit int) ([]atlas.ImportRecord, error) {
	query, args := page(`SELECT id, name, user, files, inputs, action, note, started, coalesce(finished, ''), coalesce(changes, '{}') FROM imports ORDER BY id DESC`, nil, limit, 0)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, atlas.Internalf(err, "read imports")
	}
	defer rows.Close()
	var out []atlas.ImportRecord
	for rows.Next() {
		var r atlas.ImportRecord
		var files, inputs, started, finished, changes string
		if err := rows.Scan(&r.ID, &r.Source.Name, &r.Source.User, &files, &inputs, &r.Source.Action, &r.Source.Note, &started, &finished, &changes); err != nil {
			return nil, atlas.Internalf(err, "read imports")
		}
		if err := json.Unmarshal([]byte(files), &r.Source.Files); err != nil {
			return nil, atlas.Internalf(err, "decode import %d", r.ID)
		}
		if err := json.Unmarshal([]byte(inputs), &r.Source.Inputs); err != nil {
			return nil, atlas.Internalf(err, "decode inputs of import %d", r.ID)
		}
		if len(r.Source.Inputs) == 0 {
			r.Source.Inputs = nil // an import of files, as it was given
		}
		if err := json.Unmarshal([]byte(changes), &r.Changes); err != nil {
			return nil, atlas.Internalf(err, "decode import %d", r.ID)
		}
		r.Started, _ = time.Parse(time.RFC3339Nano, started)
		r.Finished, _ = time.Parse(time.RFC3339Nano, finished)
		out = append(out, r)
	}
	return out, atlas.Internalf(rows.Err(), "read imports")
}

func page(query string, args []any, limit, offset int) (string, []any) {
	if limit > 0 || offset > 0 {
		if limit <= 0 {
			limit = -1 // SQLite: no limit
		}
		query += ` LIMIT ? OFFSET ?`
		args = append(args, limit, offset)
	}
	return query, args
}

func jsonString(v any) string {
	b, _ := json.Marshal(v) // slices of strings and ints always marshal
	return string(b)
}

func decodeMultiPolygon(b []byte) (orb.MultiPolygon, error) {
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, err
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return nil, atlas.Errorf(atlas.EINTERNAL, "stored geometry is a %s, want MultiPolygon", strings.ToLower(g.GeoJSONType()))
	}
	return mp, nil
}

// ScanValues calls fn with every value of an indicator at every level, in
// one range scan of the value table's primary key and without joins: unit
// ids are resolved from the store's unit keys. For the millions of values
// the engine reads this is several times faster than a read per level,
// and nothing is collected in between.
func (s *Store) ScanValues(ctx context.Context, indicator string, fn func(v *atlas.Value) error) error {
	var indID int64
	switch err := s.db.QueryRowContext(ctx, `SELECT id FROM indicators WHERE key = ?`, indicator).Scan(&indID); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return atlas.Internalf(err, "read values of %s", indicator)
	}
	keys := s.unitKeys.Load()
	if keys == nil {
		var err error
		if keys, err = s.readUnitKeys(ctx); err != nil {
			return atlas.Internalf(err, "read values of %s", indicator)
		}
	}
	statuses := [3]atlas.Status{atlas.OK, atlas.Suppressed, atlas.Missing}
	// The rows are read through the driver, without database/sql's
	// conversions, which cost a third of a million-row read.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return atlas.Internalf(err, "read values of %s", indicator)
	}
	// Values of units written after the keys were read wait for the end of
	// the scan, when the keys are read again.
	type later struct {
		unit int64
		v    atlas.Value
	}
	var pending []later
	var fnErr error
	err = conn.Raw(func(dc any) error {
		// Unit, date (yyyymmdd < 2^27) and status (< 4) come packed in one
		// integer: each column read costs the driver two calls into SQLite,
		// each taking the connection's mutex, and that was a third of the
		// time of the scan.
		rows, err := dc.(driver.QueryerContext).QueryContext(ctx, `SELECT
			(unit_id << 29) | (date << 2) | CASE status WHEN 'ok' THEN 0 WHEN 'suppressed' THEN 1 ELSE 2 END,
			value, numerator, denominator, import_id
			FROM indicator_values WHERE indicator_id = ?`, []driver.NamedValue{{Ordinal: 1, Value: indID}})
		if err != nil {
			return err
		}
		defer rows.Close()
		row := make([]driver.Value, 5)
		var v atlas.Value
		for {
			if err := rows.Next(row); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			packed := row[0].(int64)
			unit := packed >> 29
			k := (*keys)[unit]
			v = atlas.Value{Indicator: indicator, Level: k.level, Unit: k.code, Date: atlas.Date(packed >> 2 & (1<<27 - 1)),
				Status: statuses[packed&3], Import: row[4].(int64)}
			v.Value = number(row[1]).V
			v.Numerator, v.Denominator = number(row[2]), number(row[3])
			if k.code == "" {
				pending = append(pending, later{unit, v})
				continue
			}
			if fnErr = fn(&v); fnErr != nil {
				return fnErr
			}
		}
	})
	conn.Close()
	if err == nil && len(pending) > 0 {
		if keys, err = s.readUnitKeys(ctx); err == nil {
			for _, p := range pending {
				k, found := (*keys)[p.unit]
				if !found {
					err = fmt.Errorf("value of unknown unit id %d", p.unit)
					break
				}
				p.v.Level, p.v.Unit = k.level, k.code
				if fnErr = fn(&p.v); fnErr != nil {
					break
				}
			}
		}
	}
	if fnErr != nil {
		return fnErr
	}
	return atlas.Internalf(err, "read values of %s", indicator)
}

// unitKey is what a unit id stands for: its level and code.
type unitKey struct{ level, code string }

// readUnitKeys reads every unit's key and keeps them for later scans. Units
// are never deleted and their level and code never change, so a key once
// read stays true; only new units are missing, and a scan that meets one
// reads the keys again.
func (s *Store) readUnitKeys(ctx context.Context) (*map[int64]unitKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, l.key, u.code FROM units u JOIN levels l ON l.id = u.level_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := map[int64]unitKey{}
	for rows.Next() {
		var id int64
		var k unitKey
		if err := rows.Scan(&id, &k.level, &k.code); err != nil {
			return nil, err
		}
		keys[id] = k
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.unitKeys.Store(&keys)
	return &keys, nil
}

// number reads a REAL column through the driver: a float, or NULL.
// (Integers are accepted too, should a value have been stored as one.)
func number(x driver.Value) atlas.Float {
	switch v := x.(type) {
	case float64:
		return atlas.Some(v)
	case int64:
		return atlas.Some(float64(v))
	}
	return atlas.Float{}
}
