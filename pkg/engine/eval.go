package engine

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// evaluate computes one definition into a new series.
func (e *run) evaluate(ctx context.Context, d *indicator.Definition) (*series, error) {
	s := &series{id: d.ID, kind: d.Kind, scale: 1}
	cp := &d.Compute
	align := cp.Align
	if align == "" {
		align = e.cat.Defaults.Align
	}
	var err error
	switch cp.Op {
	case indicator.OpRatio:
		s.scale = cp.Scale
		err = e.ratio(s, e.w.series[cp.Numerator], e.w.series[cp.Denominator], align)
	case indicator.OpSum, indicator.OpDifference:
		e.linear(s, d, align)
	case indicator.OpChange:
		e.change(s, e.w.series[cp.Of], cp.Mode, cp.Years)
	case indicator.OpTrend:
		e.trend(s, e.w.series[cp.Of], cp.Periods)
	case indicator.OpIndex:
		err = e.index(s, d, align)
	case indicator.OpCross:
		err = e.cross(s, d)
	default:
		err = e.offers(ctx, s, d)
	}
	if err != nil {
		return nil, err
	}
	e.w.aggregateUp(s)
	if err := e.interpolateTo(ctx, s, d); err != nil {
		return nil, err
	}
	return s, nil
}

// commonLevels lists the levels at which every series has values.
func (e *run) commonLevels(ss ...*series) []*level {
	var out []*level
	for _, lv := range e.w.levels {
		all := true
		for _, s := range ss {
			if s.at[lv.ID] == nil {
				all = false
			}
		}
		if all {
			out = append(out, lv)
		}
	}
	return out
}

// aligned returns s's cells for target date t at level: the same date, or
// with AlignLatest the latest date on or before t.
func aligned(s *series, lv string, t atlas.Date, mode string) *cells {
	byDate := s.at[lv]
	if c, found := byDate[t]; found {
		return c
	}
	if mode != indicator.AlignLatest {
		return nil
	}
	var best atlas.Date
	for d := range byDate {
		if d <= t && d > best {
			best = d
		}
	}
	if best == 0 {
		return nil
	}
	return byDate[best]
}

// combine gives the state of a result from its operands' states: a hidden
// operand hides the result (so that nothing withheld can be recomputed from
// it), a missing one makes it missing.
func combine(states ...uint8) uint8 {
	out := ok
	for _, st := range states {
		if st == hidden {
			return hidden
		}
		if st == absent {
			out = absent
		}
	}
	return out
}

func (e *run) ratio(s *series, num, den *series, align string) error {
	for _, lv := range e.commonLevels(num, den) {
		for _, t := range num.dates(lv.ID) {
			nc, dc := num.at[lv.ID][t], aligned(den, lv.ID, t, align)
			if dc == nil {
				continue
			}
			c := newCells(len(lv.codes), true)
			for i := range c.st {
				c.st[i] = combine(nc.st[i], dc.st[i])
				if c.st[i] == ok && dc.v[i] == 0 {
					c.st[i] = absent // no residents: no rate
				}
				if c.st[i] == ok {
					c.num[i], c.den[i] = nc.v[i], dc.v[i]
					c.v[i] = s.scale * nc.v[i] / dc.v[i]
				}
			}
			s.put(lv.ID, t, c)
		}
	}
	return nil
}

func (e *run) linear(s *series, d *indicator.Definition, align string) {
	terms := make([]*series, len(d.Compute.Inputs))
	signs := make([]float64, len(terms))
	for i, id := range d.Compute.Inputs {
		terms[i], signs[i] = e.w.series[id], 1
		if d.Compute.Op == indicator.OpDifference && i == 1 {
			signs[i] = -1
		}
	}
	s.terms, s.signs = terms, signs
	for _, lv := range e.commonLevels(terms...) {
	dates:
		for _, t := range terms[0].dates(lv.ID) {
			cs := make([]*cells, len(terms))
			for k, term := range terms {
				if cs[k] = aligned(term, lv.ID, t, align); cs[k] == nil {
					continue dates
				}
			}
			c := newCells(len(lv.codes), false)
			for i := range c.st {
				c.st[i] = ok
				for k := range cs {
					c.st[i] = combine(c.st[i], cs[k].st[i])
					c.v[i] += signs[k] * cs[k].v[i]
				}
				if c.st[i] != ok {
					c.v[i] = 0
				}
			}
			s.put(lv.ID, t, c)
		}
	}
}

// back returns the date years before t (29 February → 28 February).
func back(t atlas.Date, years int) atlas.Date {
	y, m, d := t.Year()-years, t.Month(), t.Day()
	if m == 2 && d == 29 {
		d = 28
	}
	return atlas.NewDate(y, m, d)
}

func (e *run) change(s *series, of *series, mode string, years int) {
	for lv := range of.at {
		for _, t := range of.dates(lv) {
			c0 := aligned(of, lv, back(t, years), indicator.AlignLatest)
			if c0 == nil {
				continue
			}
			c1 := of.at[lv][t]
			c := newCells(len(c1.st), false)
			for i := range c.st {
				c.st[i] = combine(c1.st[i], c0.st[i])
				if c.st[i] != ok {
					continue
				}
				switch mode {
				case "absolute", "points":
					c.v[i] = c1.v[i] - c0.v[i]
				case "relative":
					if c0.v[i] == 0 {
						c.st[i] = absent // no base: no relative change
					} else {
						c.v[i] = 100 * (c1.v[i] - c0.v[i]) / c0.v[i]
					}
				}
			}
			s.put(lv, t, c)
		}
	}
}

// decimalYear places a date on a continuous time axis in years.
func decimalYear(d atlas.Date) float64 {
	t := d.Time()
	start := atlas.NewDate(d.Year(), 1, 1).Time()
	end := atlas.NewDate(d.Year()+1, 1, 1).Time()
	return float64(d.Year()) + t.Sub(start).Hours()/end.Sub(start).Hours()
}

// trend is the ordinary least squares slope per year over the last n dates
// up to each target date.
func (e *run) trend(s *series, of *series, n int) {
	for lv := range of.at {
		ds := of.dates(lv)
		for j := n - 1; j < len(ds); j++ {
			win := ds[j-n+1 : j+1]
			xs := make([]float64, n)
			var mx float64
			for k, d := range win {
				xs[k] = decimalYear(d)
				mx += xs[k] / float64(n)
			}
			var sxx float64
			for _, x := range xs {
				sxx += (x - mx) * (x - mx)
			}
			size := len(of.at[lv][win[0]].st)
			c := newCells(size, false)
			for i := range size {
				st := ok
				var my float64
				for _, d := range win {
					cc := of.at[lv][d]
					st = combine(st, cc.st[i])
					my += cc.v[i] / float64(n)
				}
				if c.st[i] = st; st != ok {
					continue
				}
				var sxy float64
				for k, d := range win {
					sxy += (xs[k] - mx) * (of.at[lv][d].v[i] - my)
				}
				c.v[i] = sxy / sxx
			}
			s.put(lv, ds[j], c)
		}
	}
}

// index computes a z-standardised composite index (the Berlin MSS method
// and its relatives): for each input k over the included units
// z_ik = (x_ik − mean_k) / sd_k, the sum Σ_k w_k z_ik, and with rescale the
// sum divided by its own standard deviation. Units under the minimum
// population, on the exclusion list or without every input get no index.
func (e *run) index(s *series, d *indicator.Definition, align string) error {
	cp := &d.Compute
	lv := e.w.byID[cp.Level]
	if lv == nil {
		return atlas.Errorf(atlas.EINVALID, "%s:%d (%s): level %q is not in the store", d.File, d.Line, d.ID, cp.Level)
	}
	ins := make([]*series, len(cp.Inputs))
	for k, id := range cp.Inputs {
		ins[k] = e.w.series[id]
		if ins[k].at[lv.ID] == nil {
			return nil // no values at this level (yet): nothing to compute
		}
	}
	var pop *series
	if cp.MinPopulation != nil {
		pop = e.w.series[cp.MinPopulation.Indicator]
	}
	excluded := map[int]bool{}
	for _, code := range cp.Exclude {
		if i, found := lv.index[code]; found {
			excluded[i] = true
		}
	}
	sample := cp.SD == "sample"
	rescale := cp.Rescale == nil || *cp.Rescale
dates:
	for _, t := range ins[0].dates(lv.ID) {
		cs := make([]*cells, len(ins))
		for k := range ins {
			if cs[k] = aligned(ins[k], lv.ID, t, align); cs[k] == nil {
				continue dates
			}
		}
		var pc *cells
		if pop != nil {
			if pc = aligned(pop, lv.ID, t, indicator.AlignLatest); pc == nil {
				continue
			}
		}
		n := len(lv.codes)
		c := newCells(n, false)
		var incl []int
		for i := range n {
			st := ok
			for k := range cs {
				st = combine(st, cs[k].st[i])
			}
			if excluded[i] || (pc != nil && (pc.st[i] != ok || pc.v[i] < cp.MinPopulation.Value)) {
				st = absent
			}
			if c.st[i] = st; st == ok {
				incl = append(incl, i)
			}
		}
		if len(incl) < 3 {
			continue
		}
		sum := make([]float64, n)
		for k := range cs {
			xs := make([]float64, len(incl))
			for j, i := range incl {
				xs[j] = cs[k].v[i]
			}
			mean, sd := meanSD(xs, sample)
			if sd == 0 {
				return atlas.Errorf(atlas.EINVALID, "%s:%d (%s): input %s has the same value in every unit of %s on %s: it cannot be standardised",
					d.File, d.Line, d.ID, cp.Inputs[k], lv.ID, t)
			}
			wk := 1.0
			if cp.Weights != nil {
				wk = cp.Weights[k]
			}
			for _, i := range incl {
				sum[i] += wk * (cs[k].v[i] - mean) / sd
			}
		}
		div := 1.0
		if rescale {
			xs := make([]float64, len(incl))
			for j, i := range incl {
				xs[j] = sum[i]
			}
			_, div = meanSD(xs, sample)
		}
		for _, i := range incl {
			c.v[i] = sum[i] / div
		}
		s.put(lv.ID, t, c)
	}
	return nil
}

func meanSD(xs []float64, sample bool) (mean, sd float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	n := float64(len(xs))
	if sample {
		n--
	}
	return mean, math.Sqrt(ss / n)
}

// cross combines the classes of two classified indicators into one class
// number: (class of the first) × (classes of the second) + (class of the
// second) + 1, e.g. the 4 × 3 MSS Gesamtindex 1 … 12.
func (e *run) cross(s *series, d *indicator.Definition) error {
	a, b := e.w.series[d.Compute.Inputs[0]], e.w.series[d.Compute.Inputs[1]]
	ca, _ := e.cat.Definition(d.Compute.Inputs[0])
	cb, _ := e.cat.Definition(d.Compute.Inputs[1])
	nb := len(cb.Classification.Breaks) + 1
	for _, lv := range e.commonLevels(a, b) {
		if d.Compute.Level != "" && lv.ID != d.Compute.Level {
			continue
		}
		for _, t := range a.dates(lv.ID) {
			c1, c2 := a.at[lv.ID][t], b.at[lv.ID][t]
			if c2 == nil {
				continue
			}
			c := newCells(len(lv.codes), false)
			for i := range c.st {
				if c.st[i] = combine(c1.st[i], c2.st[i]); c.st[i] == ok {
					c.v[i] = float64(classify.CutoffClass(ca.Classification.Breaks, c1.v[i])*nb + classify.CutoffClass(cb.Classification.Breaks, c2.v[i]) + 1)
				}
			}
			s.put(lv.ID, t, c)
		}
	}
	return nil
}

// datesOf returns the dates a definition computes for when they come from a
// list in the definition.
func parseDates(list []string) ([]atlas.Date, error) {
	var out []atlas.Date
	for _, s := range list {
		d, err := atlas.ParseDate(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	slices.Sort(out)
	return out, nil
}

func errAt(d *indicator.Definition, format string, args ...any) error {
	return atlas.Errorf(atlas.EINVALID, "%s:%d (%s): %s", d.File, d.Line, d.ID, fmt.Sprintf(format, args...))
}
