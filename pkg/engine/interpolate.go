package engine

import (
	"context"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
	"github.com/sozialatlas/sozialatlas/pkg/interpolate"
)

// interpolateTo carries a computed count or rate from its finest level to
// levels that do not nest with it (a school district plan across
// Planungsräume), by area or by population (pkg/interpolate): counts as
// extensive quantities, rates through their numerators and denominators.
// A target that overlaps a withheld source is withheld; sources without a
// value count as zero, as in aggregation.
func (e *run) interpolateTo(ctx context.Context, s *series, d *indicator.Definition) error {
	ip := d.Compute.Interpolate
	if ip == nil || (s.kind != indicator.Count && s.kind != indicator.Rate) {
		return nil
	}
	src := e.w.finest(s)
	if src == nil {
		return nil
	}
	for _, id := range ip.Levels {
		dst := e.w.byID[id]
		if dst == nil {
			return errAt(d, "interpolate: level %q is not in the store", id)
		}
		ws, err := e.weights(ctx, src, dst, ip)
		if err != nil {
			return errAt(d, "interpolate to %s: %v", id, err)
		}
		for _, t := range s.dates(src.ID) {
			c := s.at[src.ID][t]
			// As in aggregation, a source without a value counts as zero
			// (an uninhabited area); a withheld one withholds its targets.
			valid := make([]bool, len(c.st))
			for i := range valid {
				valid[i] = c.st[i] != hidden
			}
			out := newCells(len(dst.codes), s.kind == indicator.Rate)
			if s.kind == indicator.Count {
				v, okv, err := ws.Extensive(c.v, valid)
				if err != nil {
					return errAt(d, "interpolate to %s: %v", id, err)
				}
				for j := range out.st {
					if okv[j] {
						out.v[j], out.st[j] = v[j], ok
					}
				}
			} else {
				num, okn, err := ws.Extensive(c.num, valid)
				if err != nil {
					return errAt(d, "interpolate to %s: %v", id, err)
				}
				den, _, err := ws.Extensive(c.den, valid)
				if err != nil {
					return errAt(d, "interpolate to %s: %v", id, err)
				}
				for j := range out.st {
					if okn[j] && den[j] > 0 {
						out.num[j], out.den[j], out.st[j] = num[j], den[j], ok
						out.v[j] = s.scale * num[j] / den[j]
					}
				}
			}
			for _, p := range ws.Pairs { // withheld sources withhold their targets
				if c.st[p.S] == hidden {
					out.st[p.T], out.v[p.T] = hidden, 0
					if out.num != nil {
						out.num[p.T], out.den[p.T] = 0, 0
					}
				}
			}
			s.put(dst.ID, t, out)
		}
	}
	return nil
}

// weights are the overlaps of two levels' units, by area or by the
// population of the source level's carriers.
func (e *run) weights(ctx context.Context, src, dst *level, ip *indicator.Interpolation) (*interpolate.Weights, error) {
	if ip.By == "population" {
		pop := e.w.series[ip.Population]
		if pop == nil || pop.at[src.ID] == nil {
			return nil, atlas.Errorf(atlas.EINVALID, "population %s has no values at %s", ip.Population, src.ID)
		}
		ds := pop.dates(src.ID)
		pc := pop.at[src.ID][ds[len(ds)-1]] // the latest population weights every date
		p := make([]float64, len(pc.v))
		source := make([]int, len(pc.v))
		for i := range p {
			if pc.st[i] == ok {
				p[i] = pc.v[i]
			}
			source[i] = i
		}
		pts, err := e.carriers(ctx, src)
		if err != nil {
			return nil, err
		}
		gs, err := e.w.geometries(ctx, dst)
		if err != nil {
			return nil, err
		}
		target := geo.NewLocator(gs).LocateAll(pts)
		return interpolate.PopulationWeights(p, source, target, len(src.codes), len(dst.codes))
	}
	a, err := e.w.geometries(ctx, src)
	if err != nil {
		return nil, err
	}
	b, err := e.w.geometries(ctx, dst)
	if err != nil {
		return nil, err
	}
	return interpolate.AreaWeights(a, b)
}
