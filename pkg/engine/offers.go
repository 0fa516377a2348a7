package engine

import (
	"context"
	"slices"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/access"
	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// base is the level an offer or accessibility operator works at: the finest
// level of its population (whose units are the population carriers), or
// the definition's level, or the finest level of all.
func (e *run) base(d *indicator.Definition) *level {
	if p := d.Compute.Population; p != "" {
		return e.w.finest(e.w.series[p])
	}
	if l := e.w.byID[d.Compute.Level]; l != nil {
		return l
	}
	if len(e.w.levels) == 0 {
		return nil
	}
	best := e.w.levels[0]
	for _, lv := range e.w.levels {
		if lv.depth > best.depth {
			best = lv
		}
	}
	return best
}

// carriers are the base level's units as points: their interior points,
// where population lives for distance measures.
func (e *run) carriers(ctx context.Context, lv *level) ([]orb.Point, error) {
	if pts, found := e.points[lv.ID]; found {
		return pts, nil
	}
	gs, err := e.w.geometries(ctx, lv)
	if err != nil {
		return nil, err
	}
	pts := make([]orb.Point, len(gs))
	for i, g := range gs {
		pts[i] = geo.InteriorPoint(g)
	}
	e.points[lv.ID] = pts
	return pts, nil
}

// located returns each offer's unit index at level lv (-1 outside).
func (e *run) located(ctx context.Context, lv *level, layer string) ([]atlas.Offer, []int, error) {
	offers, err := e.w.layer(ctx, layer)
	if err != nil {
		return nil, nil, err
	}
	key := lv.ID + "\x00" + layer
	if at, found := e.locs[key]; found {
		return offers, at, nil
	}
	loc := e.locators[lv.ID]
	if loc == nil {
		gs, err := e.w.geometries(ctx, lv)
		if err != nil {
			return nil, nil, err
		}
		loc = geo.NewLocator(gs)
		e.locators[lv.ID] = loc
	}
	pts := make([]orb.Point, len(offers))
	for i, o := range offers {
		pts[i] = o.Geometry
	}
	at := loc.LocateAll(pts)
	e.locs[key] = at
	return offers, at, nil
}

func matches(f *indicator.OfferFilter, o *atlas.Offer) bool {
	if f == nil {
		return true
	}
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	if !in(f.Category, o.Category) || !in(f.Subcategory, o.Subcategory) || !in(f.ProviderType, o.ProviderType) {
		return false
	}
	if len(f.TargetGroup) == 0 {
		return true
	}
	for _, g := range o.TargetGroups {
		if slices.Contains(f.TargetGroup, g) {
			return true
		}
	}
	return false
}

// measure is what an offer contributes: 1, or its places.
func measure(d *indicator.Definition, o *atlas.Offer) float64 {
	if d.Compute.Measure == "capacity" {
		if o.Capacity == nil {
			return 0
		}
		return float64(*o.Capacity)
	}
	return 1
}

// targetDates are the dates an offer operator computes for: its
// population's dates at the base level, or the dates it lists.
func (e *run) targetDates(d *indicator.Definition, lv *level) ([]atlas.Date, error) {
	if p := d.Compute.Population; p != "" {
		return e.w.series[p].dates(lv.ID), nil
	}
	return parseDates(d.Compute.Dates)
}

// areas returns the geodesic area of each base unit in km².
func (e *run) areas(ctx context.Context, lv *level) ([]float64, error) {
	if a, found := e.area[lv.ID]; found {
		return a, nil
	}
	gs, err := e.w.geometries(ctx, lv)
	if err != nil {
		return nil, err
	}
	a := make([]float64, len(gs))
	for i, g := range gs {
		a[i] = geo.Area(g) / 1e6
	}
	e.area[lv.ID] = a
	return a, nil
}

func (e *run) offers(ctx context.Context, s *series, d *indicator.Definition) error {
	cp := &d.Compute
	lv := e.base(d)
	if lv == nil {
		return nil
	}
	dates, err := e.targetDates(d, lv)
	if err != nil {
		return errAt(d, "%s", atlas.ErrorMessage(err))
	}
	n := len(lv.codes)
	var pop *series
	if cp.Population != "" {
		pop = e.w.series[cp.Population]
	}
	if cp.Op == indicator.OpArea {
		a, err := e.areas(ctx, lv)
		if err != nil {
			return err
		}
		for _, t := range dates {
			c := newCells(n, false)
			copy(c.v, a)
			for i := range c.st {
				c.st[i] = ok
			}
			s.put(lv.ID, t, c)
		}
		return nil
	}
	offers, at, err := e.located(ctx, lv, cp.Layer)
	if err != nil {
		return err
	}
	var carriers []orb.Point
	// Pairs and distances depend on the offers selected, not on the date:
	// while the selection stays the same (offers without validity dates),
	// they are computed once for all dates.
	var pairs []access.Pair
	var nearest []float64
	var pairsOf, nearestOf []int
	havePairs, haveNearest := false, false
	switch cp.Op {
	case indicator.OpCoverage, indicator.OpNearestDistance, indicator.OpFCA:
		if carriers, err = e.carriers(ctx, lv); err != nil {
			return err
		}
	}
	rate := s.kind == indicator.Rate
	if cp.Op == indicator.OpOfferRate || cp.Op == indicator.OpFCA {
		s.scale = cp.Scale
	} else if cp.Op == indicator.OpCoverage {
		s.scale = 100
	}
	for _, t := range dates {
		var pc *cells
		if pop != nil {
			if pc = pop.at[lv.ID][t]; pc == nil {
				continue
			}
		}
		// The offers valid on t that pass the filter.
		var sel []int
		for j := range offers {
			if offers[j].Validity.Contains(t) && matches(cp.Filter, &offers[j]) {
				sel = append(sel, j)
			}
		}
		c := newCells(n, rate)
		switch cp.Op {
		case indicator.OpOfferCount, indicator.OpOfferRate, indicator.OpOfferDensity:
			sum := make([]float64, n)
			for _, j := range sel {
				if u := at[j]; u >= 0 {
					sum[u] += measure(d, &offers[j])
				}
			}
			var area []float64
			if cp.Op == indicator.OpOfferDensity {
				if area, err = e.areas(ctx, lv); err != nil {
					return err
				}
			}
			for i := range c.st {
				switch cp.Op {
				case indicator.OpOfferCount:
					c.v[i], c.st[i] = sum[i], ok
				case indicator.OpOfferDensity:
					c.num[i], c.den[i], c.st[i] = sum[i], area[i], ok
					if area[i] == 0 {
						c.st[i] = absent
					} else {
						c.v[i] = sum[i] / area[i]
					}
				case indicator.OpOfferRate:
					if c.st[i] = combine(pc.st[i]); c.st[i] == ok && pc.v[i] > 0 {
						c.num[i], c.den[i] = sum[i], pc.v[i]
						c.v[i] = s.scale * sum[i] / pc.v[i]
					} else if c.st[i] == ok {
						c.st[i] = absent
					}
				}
			}
		default:
			supply := make([]orb.Point, len(sel))
			S := make([]float64, len(sel))
			for k, j := range sel {
				supply[k], S[k] = offers[j].Geometry, measure(d, &offers[j])
			}
			P := make([]float64, n)
			for i := range P {
				if pc.st[i] == ok {
					P[i] = pc.v[i]
				}
			}
			x := make([]float64, n) // per carrier: covered 0/1, distance, or accessibility
			switch cp.Op {
			case indicator.OpCoverage:
				if !havePairs || !slices.Equal(sel, pairsOf) {
					if pairs, err = access.Within(carriers, supply, cp.Distance); err != nil {
						return errAt(d, "%v", err)
					}
					pairsOf, havePairs = sel, true
				}
				for _, p := range pairs {
					x[p.I] = 1
				}
			case indicator.OpNearestDistance:
				if len(supply) == 0 {
					continue
				}
				if !haveNearest || !slices.Equal(sel, nearestOf) {
					if nearest, err = access.NearestDistance(carriers, supply); err != nil {
						return errAt(d, "%v", err)
					}
					nearestOf, haveNearest = sel, true
				}
				copy(x, nearest)
			case indicator.OpFCA:
				if !havePairs || !slices.Equal(sel, pairsOf) {
					if pairs, err = access.Within(carriers, supply, cp.D0); err != nil {
						return errAt(d, "%v", err)
					}
					pairsOf, havePairs = sel, true
				}
				w := access.Step(cp.D0)
				if cp.Weight == "gaussian" {
					w = access.Gaussian(cp.D0)
					if cp.Beta > 0 {
						w = access.GaussianBeta(cp.D0, cp.Beta)
					}
				}
				r, err := access.FCA(P, S, pairs, w)
				if err != nil {
					return errAt(d, "%v", err)
				}
				copy(x, r.A)
			}
			// Each carrier is its own unit at the base level: the
			// numerator is P·x and the denominator P, so upper levels
			// get the population-weighted mean by summing.
			for i := range c.st {
				if c.st[i] = combine(pc.st[i]); c.st[i] != ok || P[i] <= 0 {
					if c.st[i] == ok {
						c.st[i] = absent
					}
					continue
				}
				c.num[i], c.den[i] = P[i]*x[i], P[i]
				c.v[i] = s.scale * x[i]
			}
		}
		s.put(lv.ID, t, c)
	}
	return nil
}
