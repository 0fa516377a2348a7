package storetest

import (
	"fmt"
	"testing"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// BenchValueRows is the size of the value benchmark: 1,000,000 rows, the
// figure the foundation issue sets (≥ 200,000 rows/s into PostGIS, ≥ 100,000
// rows/s into SQLite).
const BenchValueRows = 1_000_000

// BenchmarkApplyValues loads BenchValueRows values (1,000 units × 100
// indicators × 10 dates) into an empty store per iteration and reports
// rows/s. Setting up units and indicators is not timed.
func BenchmarkApplyValues(b *testing.B, newStore NewStore) {
	const units, indicators, dates = 1000, 100, 10
	setup := &atlas.Batch{Levels: []atlas.Level{{ID: "block", Name: "Block"}}}
	for i := 0; i < units; i++ {
		x := float64(i%40) * 0.01
		y := float64(i/40) * 0.01
		setup.Units = append(setup.Units, atlas.Unit{Level: "block", Code: fmt.Sprintf("B%05d", i), Name: fmt.Sprintf("Block %d", i), Geometry: square(13+x, 52+y, 0.01)})
	}
	values := &atlas.Batch{Values: make([]atlas.Value, 0, BenchValueRows)}
	for k := 0; k < indicators; k++ {
		id := fmt.Sprintf("ind_%03d", k)
		setup.Indicators = append(setup.Indicators, atlas.Indicator{ID: id, Name: id, Polarity: atlas.Neutral, Visibility: atlas.Public})
		for d := 0; d < dates; d++ {
			for _, u := range setup.Units {
				values.Values = append(values.Values, atlas.Value{Indicator: id, Level: "block", Unit: u.Code,
					Date: atlas.NewDate(2015+d, 12, 31), Value: float64(k*d) / 3, Numerator: atlas.Some(float64(k)), Denominator: atlas.Some(float64(d + 1)), Status: atlas.OK})
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newStore(b)
		if _, err := s.Apply(ctx, setup, atlas.ApplyOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ch, err := s.Apply(ctx, values, atlas.ApplyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if ch.Values.Inserted != BenchValueRows {
			b.Fatalf("inserted %d rows, want %d", ch.Values.Inserted, BenchValueRows)
		}
	}
	b.ReportMetric(float64(BenchValueRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
