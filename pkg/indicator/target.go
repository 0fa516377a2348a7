package indicator

import (
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Point is one published value of a series.
type Point struct {
	Date  atlas.Date `json:"date"`
	Value float64    `json:"value"`
}

// Progress is where a target stands.
type Progress struct {
	// Status is reached, on_track, behind or no_data.
	Status string `json:"status"`
	// Baseline is where the path starts; Latest the newest value.
	Baseline *Point `json:"baseline"`
	Latest   *Point `json:"latest"`
	// Expected is the path's value on the latest date.
	Expected *float64 `json:"expected"`
	// Share is how much of the way from the baseline to the target the
	// latest value has gone (1 = reached); nil when the baseline is the
	// target already.
	Share *float64 `json:"share"`
}

// Statuses of a target.
const (
	Reached = "reached"
	OnTrack = "on_track"
	Behind  = "behind"
	NoData  = "no_data"
)

// Progress judges a target against a series of published values (only
// values with status ok; in any order). The rule (docs/indicators.md,
// "Targets of an action plan"): the path runs straight from the baseline
// (the first value, or the latest on or before From) to the target value
// on the target date. The target is reached when the latest value meets it
// (at least / at most the target); otherwise it is on track when the
// latest value is at or beyond the path's value on that date in the
// target's direction, and behind when it falls short or the date has
// passed. With the baseline alone the latest value is the path's start:
// on track by the rule, with nothing yet to judge.
func (t Target) Progress(series []Point) Progress {
	var base, latest *Point
	for i := range series {
		p := &series[i]
		if latest == nil || p.Date > latest.Date {
			latest = p
		}
		if t.From != 0 && p.Date > t.From {
			continue
		}
		if base == nil || (t.From == 0 && p.Date < base.Date) || (t.From != 0 && p.Date > base.Date) {
			base = p
		}
	}
	if latest == nil || base == nil || t.Value == nil {
		return Progress{Status: NoData, Baseline: copyPoint(base), Latest: copyPoint(latest)}
	}
	goal := *t.Value
	pr := Progress{Baseline: copyPoint(base), Latest: copyPoint(latest)}
	if goal != base.Value {
		share := (latest.Value - base.Value) / (goal - base.Value)
		pr.Share = &share
	}
	expected := goal
	if latest.Date < t.Date && base.Date < t.Date {
		f := float64(days(base.Date, latest.Date)) / float64(days(base.Date, t.Date))
		expected = base.Value + (goal-base.Value)*f
	}
	pr.Expected = &expected
	meets := func(v, bound float64) bool {
		if t.Direction == AtMost {
			return v <= bound
		}
		return v >= bound
	}
	switch {
	case meets(latest.Value, goal):
		pr.Status = Reached
	case latest.Date >= t.Date:
		pr.Status = Behind
	case meets(latest.Value, expected):
		pr.Status = OnTrack
	default:
		pr.Status = Behind
	}
	return pr
}

func copyPoint(p *Point) *Point {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// days is the number of days from a to b.
func days(a, b atlas.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}
