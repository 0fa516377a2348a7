package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Levels returns all levels, parents first, with their unit counts.
func (s *Store) Levels(ctx context.Context) ([]atlas.Level, error) {
	var out []atlas.Level
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `
			SELECT l.key, l.name, coalesce(p.key, ''), l.description, l.source, l.licence, l.attribution,
			       (SELECT count(*) FROM sozialatlas.units u WHERE u.level_id = l.id)
			FROM sozialatlas.levels l LEFT JOIN sozialatlas.levels p ON p.id = l.parent_id
			ORDER BY l.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l atlas.Level
			if err := rows.Scan(&l.ID, &l.Name, &l.Parent, &l.Description, &l.Source, &l.Licence, &l.Attribution, &l.Units); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, atlas.Internalf(err, "read levels")
	}
	return atlas.SortLevels(out)
}

// Units returns the units of a level, ordered by code.
func (s *Store) Units(ctx context.Context, level string, q atlas.UnitQuery) ([]atlas.Unit, error) {
	var out []atlas.Unit
	err := s.with(ctx, func(c *pgx.Conn) error {
		var levelID int32
		err := c.QueryRow(ctx, `SELECT id FROM sozialatlas.levels WHERE key = $1`, level).Scan(&levelID)
		if errors.Is(err, pgx.ErrNoRows) {
			return atlas.Errorf(atlas.ENOTFOUND, "level %q does not exist", level)
		} else if err != nil {
			return err
		}
		geom := `ST_AsBinary(u.geom, 'NDR')`
		if q.NoGeometry {
			geom = `NULL::bytea`
		}
		var args params
		query := `SELECT u.code, u.name, coalesce(p.code, ''), u.valid_from, u.valid_to, ` + geom + `
			FROM sozialatlas.units u LEFT JOIN sozialatlas.units p ON p.id = u.parent_id
			WHERE u.level_id = ` + args.add(levelID)
		if b := q.BBox; b != nil {
			// && compares bounding boxes and uses the GiST index.
			query += ` AND u.geom && ST_MakeEnvelope(` + args.add(b.Min[0]) + `, ` + args.add(b.Min[1]) + `, ` +
				args.add(b.Max[0]) + `, ` + args.add(b.Max[1]) + `, 4326)`
		}
		if len(q.Codes) > 0 {
			query += ` AND u.code = ANY(` + args.add(q.Codes) + `::text[])`
		}
		query = page(query+` ORDER BY u.code`, &args, q.Limit, q.Offset)
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u := atlas.Unit{Level: level}
			var from, to pgtype.Date
			var g []byte
			if err := rows.Scan(&u.Code, &u.Name, &u.Parent, &from, &to, &g); err != nil {
				return err
			}
			u.From, u.To = fromPgDate(from), fromPgDate(to)
			if g != nil {
				if u.Geometry, err = decodeMultiPolygon(g); err != nil {
					return atlas.Internalf(err, "decode geometry of unit %s", u.Code)
				}
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, atlas.Internalf(err, "read units of %s", level)
	}
	return out, nil
}

// OfferLayers returns all offer layers with their offer counts.
func (s *Store) OfferLayers(ctx context.Context) ([]atlas.OfferLayer, error) {
	var out []atlas.OfferLayer
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `
			SELECT key, name, description, source, licence, attribution, visibility,
			       (SELECT count(*) FROM sozialatlas.offers o WHERE o.layer_id = l.id)
			FROM sozialatlas.offer_layers l ORDER BY key`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l atlas.OfferLayer
			if err := rows.Scan(&l.ID, &l.Name, &l.Description, &l.Source, &l.Licence, &l.Attribution, &l.Visibility, &l.Offers); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, atlas.Internalf(err, "read offer layers")
	}
	return out, nil
}

// Offers returns the offers of a layer, ordered by id.
func (s *Store) Offers(ctx context.Context, layer string, q atlas.OfferQuery) ([]atlas.Offer, error) {
	var out []atlas.Offer
	err := s.with(ctx, func(c *pgx.Conn) error {
		var layerID int32
		err := c.QueryRow(ctx, `SELECT id FROM sozialatlas.offer_layers WHERE key = $1`, layer).Scan(&layerID)
		if errors.Is(err, pgx.ErrNoRows) {
			return atlas.Errorf(atlas.ENOTFOUND, "offer layer %q does not exist", layer)
		} else if err != nil {
			return err
		}
		var args params
		query := `SELECT key, name, category, subcategory, provider, provider_type, capacity, address,
			target_groups, attributes::text, valid_from, valid_to, ST_X(geom), ST_Y(geom),
			age_min, age_max, household_types, conditions, conditions_note, goals, languages, barrier_free,
			opening_hours, contact
			FROM sozialatlas.offers WHERE layer_id = ` + args.add(layerID)
		if b := q.BBox; b != nil {
			// && finds the candidates in the GiST index, whose boxes are
			// rounded outwards to float4; the BETWEENs make the test exact.
			x0, y0, x1, y1 := args.add(b.Min[0]), args.add(b.Min[1]), args.add(b.Max[0]), args.add(b.Max[1])
			query += ` AND geom && ST_MakeEnvelope(` + x0 + `, ` + y0 + `, ` + x1 + `, ` + y1 + `, 4326)
				AND ST_X(geom) BETWEEN ` + x0 + ` AND ` + x1 + ` AND ST_Y(geom) BETWEEN ` + y0 + ` AND ` + y1
		}
		query = page(query+` ORDER BY key`, &args, q.Limit, q.Offset)
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o := atlas.Offer{Layer: layer}
			var capacity *int64
			var ageMin, ageMax *int32
			var attrs string
			var from, to pgtype.Date
			if err := rows.Scan(&o.ID, &o.Name, &o.Category, &o.Subcategory, &o.Provider, &o.ProviderType,
				&capacity, &o.Address, &o.TargetGroups, &attrs, &from, &to, &o.Geometry[0], &o.Geometry[1],
				&ageMin, &ageMax, &o.HouseholdTypes, &o.Conditions, &o.ConditionsNote, &o.Goals, &o.Languages,
				&o.BarrierFree, &o.OpeningHours, &o.Contact); err != nil {
				return err
			}
			for _, a := range []struct {
				from *int32
				to   **int
			}{{ageMin, &o.AgeMin}, {ageMax, &o.AgeMax}} {
				if a.from != nil {
					n := int(*a.from)
					*a.to = &n
				}
			}
			for _, l := range []*[]string{&o.HouseholdTypes, &o.Conditions, &o.Goals, &o.Languages} {
				if len(*l) == 0 {
					*l = nil
				}
			}
			if capacity != nil {
				c := int(*capacity)
				o.Capacity = &c
			}
			o.From, o.To = fromPgDate(from), fromPgDate(to)
			if err := json.Unmarshal([]byte(attrs), &o.Attributes); err != nil {
				return atlas.Internalf(err, "decode attributes of offer %s", o.ID)
			}
			if len(o.TargetGroups) == 0 {
				o.TargetGroups = nil
			}
			if len(o.Attributes) == 0 {
				o.Attributes = nil
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, atlas.Internalf(err, "read offers of %s", layer)
	}
	return out, nil
}

// Indicators returns all indicator metadata, ordered by id.
func (s *Store) Indicators(ctx context.Context) ([]atlas.Indicator, error) {
	var out []atlas.Indicator
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `
			SELECT key, name, unit, description, topic, source, licence, attribution,
			       polarity, precision, visibility, interval
			FROM sozialatlas.indicators ORDER BY key`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i atlas.Indicator
			if err := rows.Scan(&i.ID, &i.Name, &i.Unit, &i.Description, &i.Topic, &i.Source, &i.Licence,
				&i.Attribution, &i.Polarity, &i.Precision, &i.Visibility, &i.Interval); err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, atlas.Internalf(err, "read indicators")
	}
	return out, nil
}

// Values returns the values of one indicator at one level, ordered by unit
// code and date.
func (s *Store) Values(ctx context.Context, q atlas.ValueQuery) ([]atlas.Value, error) {
	if q.Level == "" {
		return nil, atlas.Errorf(atlas.EINVALID, "values of %s: a level is needed", q.Indicator)
	}
	var args params
	query := `SELECT u.code, v.date, v.value, v.numerator, v.denominator, v.status, v.import_id
		FROM sozialatlas.indicator_values v
		JOIN sozialatlas.indicators i ON i.id = v.indicator_id
		JOIN sozialatlas.units u ON u.id = v.unit_id
		JOIN sozialatlas.levels l ON l.id = u.level_id
		WHERE i.key = ` + args.add(q.Indicator) + ` AND l.key = ` + args.add(q.Level)
	if len(q.Dates) > 0 {
		ds := make([]pgtype.Date, 0, len(q.Dates))
		for _, d := range q.Dates {
			if d.Valid() { // a day that does not exist has no values
				ds = append(ds, pgDate(d))
			}
		}
		query += ` AND v.date = ANY(` + args.add(ds) + `::date[])`
	}
	if len(q.Units) > 0 {
		query += ` AND u.code = ANY(` + args.add(q.Units) + `::text[])`
	}
	query += ` ORDER BY u.code, v.date`
	var out []atlas.Value
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v := atlas.Value{Indicator: q.Indicator, Level: q.Level}
			var date pgtype.Date
			var value, num, den pgtype.Float8
			if err := rows.Scan(&v.Unit, &date, &value, &num, &den, &v.Status, &v.Import); err != nil {
				return err
			}
			v.Date = fromPgDate(date)
			v.Value = value.Float64
			v.Numerator = atlas.Float{V: num.Float64, Valid: num.Valid}
			v.Denominator = atlas.Float{V: den.Float64, Valid: den.Valid}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, atlas.Internalf(err, "read values of %s", q.Indicator)
	}
	return out, nil
}

// Imports returns the import log, newest first.
func (s *Store) Imports(ctx context.Context, limit int) ([]atlas.ImportRecord, error) {
	var args params
	query := page(`SELECT id, name, user_name, files::text, inputs, action, note, started, finished, coalesce(changes::text, '{}')
		FROM sozialatlas.imports ORDER BY id DESC`, &args, limit, 0)
	var out []atlas.ImportRecord
	err := s.with(ctx, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r atlas.ImportRecord
			var files, changes string
			var finished *time.Time
			if err := rows.Scan(&r.ID, &r.Source.Name, &r.Source.User, &files, &r.Source.Inputs, &r.Source.Action, &r.Source.Note, &r.Started, &finished, &changes); err != nil {
				return err
			}
			if len(r.Source.Inputs) == 0 {
				r.Source.Inputs = nil // an import of files, as it was given
			}
			if err := json.Unmarshal([]byte(files), &r.Source.Files); err != nil {
				return atlas.Internalf(err, "decode import %d", r.ID)
			}
			if err := json.Unmarshal([]byte(changes), &r.Changes); err != nil {
				return atlas.Internalf(err, "decode import %d", r.ID)
			}
			r.Started = r.Started.UTC()
			if finished != nil {
				r.Finished = finished.UTC()
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, atlas.Internalf(err, "read imports")
	}
	return out, nil
}

// ScanValues calls fn with every value of an indicator at every level: one
// scan of the indicator's range of the value table, without joins; unit
// ids are resolved from the store's unit keys.
func (s *Store) ScanValues(ctx context.Context, indicator string, fn func(v *atlas.Value) error) error {
	var fnErr error
	err := s.with(ctx, func(c *pgx.Conn) error {
		var indID int32
		switch err := c.QueryRow(ctx, `SELECT id FROM sozialatlas.indicators WHERE key = $1`, indicator).Scan(&indID); {
		case errors.Is(err, pgx.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		keys := s.unitKeys.Load()
		if keys == nil {
			var err error
			if keys, err = s.readUnitKeys(ctx, c); err != nil {
				return err
			}
		}
		// Values of units written after the keys were read wait for the
		// end of the scan, when the connection is free to read the keys.
		type later struct {
			unit int32
			v    atlas.Value
		}
		var pending []later
		rows, err := c.Query(ctx, `SELECT unit_id, (extract(year FROM date) * 10000 + extract(month FROM date) * 100 + extract(day FROM date))::int,
				value, numerator, denominator, CASE status WHEN 'ok' THEN 0 WHEN 'suppressed' THEN 1 ELSE 2 END, import_id
			FROM sozialatlas.indicator_values WHERE indicator_id = $1`, indID)
		if err != nil {
			return err
		}
		defer rows.Close()
		statuses := [3]atlas.Status{atlas.OK, atlas.Suppressed, atlas.Missing}
		var v atlas.Value
		for rows.Next() {
			var unit, date, st int32
			var imp int64
			var value, num, den pgtype.Float8
			if err := rows.Scan(&unit, &date, &value, &num, &den, &st, &imp); err != nil {
				return err
			}
			k := (*keys)[unit]
			v = atlas.Value{Indicator: indicator, Level: k.level, Unit: k.code, Date: atlas.Date(date),
				Value: value.Float64, Numerator: atlas.Float{V: num.Float64, Valid: num.Valid},
				Denominator: atlas.Float{V: den.Float64, Valid: den.Valid}, Status: statuses[st], Import: imp}
			if k.code == "" {
				pending = append(pending, later{unit, v})
				continue
			}
			if fnErr = fn(&v); fnErr != nil {
				return fnErr
			}
		}
		if err := rows.Err(); err != nil || len(pending) == 0 {
			return err
		}
		if keys, err = s.readUnitKeys(ctx, c); err != nil {
			return err
		}
		for _, p := range pending {
			k, found := (*keys)[p.unit]
			if !found {
				return fmt.Errorf("value of unknown unit id %d", p.unit)
			}
			p.v.Level, p.v.Unit = k.level, k.code
			if fnErr = fn(&p.v); fnErr != nil {
				return fnErr
			}
		}
		return nil
	})
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
func (s *Store) readUnitKeys(ctx context.Context, c *pgx.Conn) (*map[int32]unitKey, error) {
	rows, err := c.Query(ctx, `SELECT u.id, l.key, u.code FROM sozialatlas.units u JOIN sozialatlas.levels l ON l.id = u.level_id`)
	if err != nil {
		return nil, err
	}
	keys := map[int32]unitKey{}
	var id int32
	var k unitKey
	if _, err := pgx.ForEachRow(rows, []any{&id, &k.level, &k.code}, func() error {
		keys[id] = k
		return nil
	}); err != nil {
		return nil, err
	}
	s.unitKeys.Store(&keys)
	return &keys, nil
}
