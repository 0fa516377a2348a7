package postgis

import (
	"context"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Series lists, for every indicator and level with values, their dates.
// It reads the whole value table; callers cache it per import (the API
// keys its copy by the newest import id).
func (s *Store) Series(ctx context.Context) ([]atlas.Series, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT i.key, l.key, array_agg(d.date ORDER BY d.date)
		FROM (SELECT DISTINCT v.indicator_id, u.level_id, v.date
		      FROM sozialatlas.indicator_values v JOIN sozialatlas.units u ON u.id = v.unit_id) d
		JOIN sozialatlas.indicators i ON i.id = d.indicator_id
		JOIN sozialatlas.levels l ON l.id = d.level_id
		GROUP BY i.key, l.key
		ORDER BY i.key, l.key`)
	if err != nil {
		return nil, atlas.Internalf(err, "read value series")
	}
	defer rows.Close()
	var out []atlas.Series
	for rows.Next() {
		var sr atlas.Series
		var dates []pgtype.Date
		if err := rows.Scan(&sr.Indicator, &sr.Level, &dates); err != nil {
			return nil, atlas.Internalf(err, "read value series")
		}
		for _, d := range dates {
			sr.Dates = append(sr.Dates, fromPgDate(d))
		}
		out = append(out, sr)
	}
	return out, atlas.Internalf(rows.Err(), "read value series")
}
