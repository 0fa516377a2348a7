package postgis

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// pgDate converts a checked Date; the zero Date is NULL.
func pgDate(d atlas.Date) pgtype.Date {
	if d == 0 {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: d.Time(), Valid: true}
}

// int4 is an optional whole number as the COPY protocol takes it.
func int4(p *int) any {
	if p == nil {
		return nil
	}
	return int32(*p)
}

// textArray is a list as a text[], empty rather than NULL.
func textArray(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func fromPgDate(d pgtype.Date) atlas.Date {
	if !d.Valid || d.InfinityModifier != pgtype.Finite {
		return 0
	}
	return atlas.DateOf(d.Time)
}

// pgEpochDays is 2000-01-01, day 0 of PostgreSQL's binary date format,
// counted from 1970-01-01.
const pgEpochDays = 10957

// pgDays returns a checked, non-zero Date as days since 2000-01-01.
func pgDays(d atlas.Date) int32 {
	// Days from civil (proleptic Gregorian), years counted from March.
	y, m, day := d.Year(), int(d.Month()), d.Day()
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	doy := (153*((m+9)%12)+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int32(era*146097 + doe - 719468 - pgEpochDays)
}

// encodeWKB returns g as little-endian (NDR) WKB, the form ST_AsBinary(g,
// 'NDR') returns, so that stored and new geometries compare bytewise.
func encodeWKB(g orb.Geometry) ([]byte, error) {
	return wkb.Marshal(g, binary.LittleEndian)
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

// params collects the arguments of a statement built piece by piece and
// returns their placeholders.
type params []any

func (p *params) add(v any) string {
	*p = append(*p, v)
	return "$" + strconv.Itoa(len(*p))
}

// page adds LIMIT and OFFSET; a limit of 0 or less means no limit.
func page(query string, args *params, limit, offset int) string {
	if limit <= 0 && offset <= 0 {
		return query
	}
	var l any // NULL: no limit
	if limit > 0 {
		l = int64(limit)
	}
	return query + ` LIMIT ` + args.add(l) + `::bigint OFFSET ` + args.add(int64(max(offset, 0)))
}
