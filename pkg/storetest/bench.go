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

// BenchmarkApplyComputed times what the engine does whenever an import
// changes its inputs: it applies a small batch of computed values (and the
// computed indicators' metadata again) for units and indicators that
// exist. Such an Apply must cost what its batch holds, not what the store
// holds: each sub-benchmark applies the same 100 values (changed every
// time, so every row is updated) to a store with a block level of 1,000
// and of 100,000 units, with 10 values per unit stored already. The
// figures of the two sizes should be close; the setup is not timed.
func BenchmarkApplyComputed(b *testing.B, newStore NewStore) {
	const batchValues = 100
	for _, units := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("units=%d", units), func(b *testing.B) {
			s := newStore(b)
			raw := atlas.Indicator{ID: "ew_raw", Name: "Einwohner (Rohdaten)", Polarity: atlas.Neutral, Visibility: atlas.Confidential}
			computed := atlas.Indicator{ID: "ew", Name: "Einwohner", Polarity: atlas.Neutral, Visibility: atlas.Public}
			setup := &atlas.Batch{
				Levels:     []atlas.Level{{ID: "block", Name: "Block"}},
				Indicators: []atlas.Indicator{raw, computed},
			}
			for i := 0; i < units; i++ {
				x, y := float64(i%400)*0.001, float64(i/400)*0.001
				setup.Units = append(setup.Units, atlas.Unit{Level: "block", Code: fmt.Sprintf("B%06d", i), Name: "Block", Geometry: square(13+x, 52+y, 0.001)})
			}
			if _, err := s.Apply(ctx, setup, atlas.ApplyOptions{}); err != nil {
				b.Fatal(err)
			}
			stored := &atlas.Batch{}
			for d := 0; d < 5; d++ {
				for _, id := range []string{raw.ID, computed.ID} {
					for _, u := range setup.Units {
						stored.Values = append(stored.Values, atlas.Value{Indicator: id, Level: "block", Unit: u.Code, Date: atlas.NewDate(2020+d, 12, 31), Value: 1, Status: atlas.OK})
					}
				}
			}
			if _, err := s.Apply(ctx, stored, atlas.ApplyOptions{}); err != nil {
				b.Fatal(err)
			}
			// Every 10th unit of the first 1,000, so that both sizes touch
			// the same units, at the last date stored.
			batch := &atlas.Batch{Source: atlas.Source{Name: "ew berechnet", Inputs: []int64{1, 2}}, Indicators: []atlas.Indicator{computed}}
			for i := 0; i < batchValues; i++ {
				batch.Values = append(batch.Values, atlas.Value{Indicator: computed.ID, Level: "block", Unit: setup.Units[i*10].Code, Date: atlas.NewDate(2024, 12, 31), Status: atlas.OK})
			}
			n := 0
			for b.Loop() {
				n++
				for i := range batch.Values {
					batch.Values[i].Value = float64(n + 1) // stored: 1
				}
				ch, err := s.Apply(ctx, batch, atlas.ApplyOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if ch.Values != (atlas.Count{Updated: batchValues}) {
					b.Fatalf("value changes: got %+v, want %d updated", ch.Values, batchValues)
				}
			}
			b.ReportMetric(float64(batchValues)*float64(b.N)/b.Elapsed().Seconds(), "values/s")
		})
	}
}
