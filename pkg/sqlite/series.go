package sqlite

import (
	"context"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Series lists, for every indicator and level with values, their dates.
// It reads the whole value table; callers cache it per import (the API
// keys its copy by the newest import id).
func (s *Store) Series(ctx context.Context) ([]atlas.Series, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT i.key, l.key, d.date
		FROM (SELECT v.indicator_id, u.level_id, v.date
		      FROM indicator_values v JOIN units u ON u.id = v.unit_id
		      GROUP BY v.indicator_id, u.level_id, v.date) d
		JOIN indicators i ON i.id = d.indicator_id
		JOIN levels l ON l.id = d.level_id
		ORDER BY i.key, l.key, d.date`)
	if err != nil {
		return nil, atlas.Internalf(err, "read value series")
	}
	defer rows.Close()
	var out []atlas.Series
	for rows.Next() {
		var ind, level string
		var date atlas.Date
		if err := rows.Scan(&ind, &level, &date); err != nil {
			return nil, atlas.Internalf(err, "read value series")
		}
		if n := len(out); n > 0 && out[n-1].Indicator == ind && out[n-1].Level == level {
			out[n-1].Dates = append(out[n-1].Dates, date)
			continue
		}
		out = append(out, atlas.Series{Indicator: ind, Level: level, Dates: []atlas.Date{date}})
	}
	return out, atlas.Internalf(rows.Err(), "read value series")
}
