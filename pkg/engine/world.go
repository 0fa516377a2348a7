package engine

import (
	"context"
	"slices"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// Cell states. A hidden cell has a value the engine knows and uses for sums
// but that disclosure control withholds: it is written as suppressed,
// without numbers.
const (
	absent uint8 = iota // no value (missing)
	ok
	hidden
)

// cells are the values of one series at one level and date, indexed like
// the level's units.
type cells struct {
	v, num, den []float64
	st          []uint8
}

func newCells(n int, rate bool) *cells {
	c := &cells{v: make([]float64, n), st: make([]uint8, n)}
	if rate {
		c.num, c.den = make([]float64, n), make([]float64, n)
	}
	return c
}

// series is one indicator (an input or a definition) at every level and
// date the engine has it.
type series struct {
	id    string
	kind  indicator.Kind
	scale float64 // rates: v = scale × num / den
	k     int     // disclosure threshold for a protected count, 0 if unprotected
	// at[level][date]
	at map[string]map[atlas.Date]*cells
	// imported marks the levels whose values came from an import (not
	// written back by the engine).
	imported map[string]bool
	// imports that wrote the values read (inputs only): provenance.
	imports map[int64]bool
	// links: the counts a sum or difference adds up, for disclosure.
	terms []*series
	signs []float64
}

func (s *series) dates(level string) []atlas.Date {
	ds := make([]atlas.Date, 0, len(s.at[level]))
	for d := range s.at[level] {
		ds = append(ds, d)
	}
	slices.Sort(ds)
	return ds
}

func (s *series) put(level string, d atlas.Date, c *cells) {
	if s.at == nil {
		s.at = map[string]map[atlas.Date]*cells{}
	}
	if s.at[level] == nil {
		s.at[level] = map[atlas.Date]*cells{}
	}
	s.at[level][d] = c
}

// level is a loaded level with its units.
type level struct {
	atlas.Level
	depth    int      // 0 for a top level
	parent   *level   // nil for a top level
	children []*level // levels whose parent this is
	codes    []string
	names    []string
	index    map[string]int
	up       []int // index of each unit's parent unit in parent.codes, -1 if none
	geoms    []orb.MultiPolygon
}

// world is what the engine computes from: levels, units, offers and the
// series of inputs and definitions.
type world struct {
	levels []*level // top first
	byID   map[string]*level
	offers map[string][]atlas.Offer
	series map[string]*series
	store  atlas.Store
}

func loadWorld(ctx context.Context, st atlas.Store) (*world, error) {
	ls, err := st.Levels(ctx)
	if err != nil {
		return nil, err
	}
	ls, err = atlas.SortLevels(ls)
	if err != nil {
		return nil, err
	}
	w := &world{byID: map[string]*level{}, offers: map[string][]atlas.Offer{}, series: map[string]*series{}, store: st}
	for _, l := range ls {
		units, err := st.Units(ctx, l.ID, atlas.UnitQuery{NoGeometry: true})
		if err != nil {
			return nil, err
		}
		lv := &level{Level: l, index: make(map[string]int, len(units))}
		if p, found := w.byID[l.Parent]; found && l.Parent != "" {
			lv.parent, lv.depth = p, p.depth+1
			p.children = append(p.children, lv)
		}
		lv.codes, lv.names, lv.up = make([]string, len(units)), make([]string, len(units)), make([]int, len(units))
		for i, u := range units {
			lv.codes[i], lv.names[i] = u.Code, u.Name
			lv.index[u.Code] = i
			lv.up[i] = -1
			if lv.parent != nil {
				if j, found := lv.parent.index[u.Parent]; found {
					lv.up[i] = j
				}
			}
		}
		w.levels = append(w.levels, lv)
		w.byID[l.ID] = lv
	}
	return w, nil
}

// geometries loads the geometries of a level once.
func (w *world) geometries(ctx context.Context, lv *level) ([]orb.MultiPolygon, error) {
	if lv.geoms != nil {
		return lv.geoms, nil
	}
	units, err := w.store.Units(ctx, lv.ID, atlas.UnitQuery{})
	if err != nil {
		return nil, err
	}
	g := make([]orb.MultiPolygon, len(lv.codes))
	for _, u := range units {
		if i, found := lv.index[u.Code]; found {
			g[i] = u.Geometry
		}
	}
	lv.geoms = g
	return g, nil
}

// layer loads an offer layer once.
func (w *world) layer(ctx context.Context, id string) ([]atlas.Offer, error) {
	if o, found := w.offers[id]; found {
		return o, nil
	}
	o, err := w.store.Offers(ctx, id, atlas.OfferQuery{})
	if err != nil {
		return nil, err
	}
	w.offers[id] = o
	return o, nil
}

// loadInput reads an imported indicator at every level it has values, in
// one read. Values an earlier computation wrote (the upper levels of a
// public input, ids in computed) are left out: they are recomputed from the
// imported ones, which may have changed since.
func (w *world) loadInput(ctx context.Context, in *indicator.Input, k int, computed map[int64]bool) (*series, error) {
	s := &series{id: in.ID, kind: in.Kind, scale: 1, k: k, imported: map[string]bool{}, imports: map[int64]bool{}}
	rate := in.Kind == indicator.Rate
	// The level of the last value: values come level by level.
	var (
		lastLevel string
		lv        *level
	)
	err := w.store.ScanValues(ctx, in.ID, func(v *atlas.Value) error {
		if lv == nil || v.Level != lastLevel {
			lastLevel, lv = v.Level, w.byID[v.Level]
		}
		if lv == nil || computed[v.Import] {
			return nil
		}
		i, found := lv.index[v.Unit]
		if !found {
			return nil
		}
		s.imported[lv.ID] = true
		s.imports[v.Import] = true
		c := s.at[lv.ID][v.Date]
		if c == nil {
			c = newCells(len(lv.codes), in.Kind == indicator.Rate)
			s.put(lv.ID, v.Date, c)
		}
		switch v.Status {
		case atlas.OK:
			c.v[i], c.st[i] = v.Value, ok
			if in.Kind == indicator.Rate {
				// A rate imported without its counts cannot be
				// aggregated: the series becomes a value.
				if !v.Numerator.Valid || !v.Denominator.Valid {
					rate = false
				} else {
					c.num[i], c.den[i] = v.Numerator.V, v.Denominator.V
				}
			}
		case atlas.Suppressed:
			c.st[i] = hidden // withheld by its publisher: unknown here too
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if in.Kind == indicator.Rate {
		if rate {
			s.scale = inferScale(s) // the scale that makes value = scale × num/den
		} else {
			s.kind = indicator.Value
		}
	}
	return s, nil
}

// inferScale finds the scale of an imported rate from its first value.
func inferScale(s *series) float64 {
	for _, byDate := range s.at {
		for _, c := range byDate {
			for i := range c.v {
				if c.st[i] == ok && c.num[i] != 0 && c.den[i] != 0 {
					r := c.v[i] / (c.num[i] / c.den[i])
					for _, sc := range []float64{1, 100, 1000, 100000} {
						if r > sc*0.99 && r < sc*1.01 {
							return sc
						}
					}
				}
			}
		}
	}
	return 1
}

// aggregateUp fills the levels above each level a count or rate has, by
// summing counts (or numerators and denominators) of the children. Cells
// without a value count as zero; a parent none of whose children has a
// value stays without one. A hidden child (withheld by its publisher)
// leaves its parent without a value, as the sum is not known.
func (w *world) aggregateUp(s *series) {
	if s.kind != indicator.Count && s.kind != indicator.Rate {
		return
	}
	rate := s.kind == indicator.Rate
	for i := len(w.levels) - 1; i >= 0; i-- { // bottom up
		lv := w.levels[i]
		p := lv.parent
		if p == nil || s.at[lv.ID] == nil || s.at[p.ID] != nil {
			continue
		}
		for d, c := range s.at[lv.ID] {
			pc := newCells(len(p.codes), rate)
			unknown := make([]bool, len(p.codes))
			for u, j := range lv.up {
				if j < 0 {
					continue
				}
				switch c.st[u] {
				case ok:
					pc.st[j] = ok
					pc.v[j] += c.v[u]
					if rate {
						pc.num[j] += c.num[u]
						pc.den[j] += c.den[u]
					}
				case hidden:
					unknown[j] = true
				}
			}
			for j := range pc.st {
				if unknown[j] {
					pc.st[j], pc.v[j] = absent, 0
					continue
				}
				if rate && pc.st[j] == ok {
					if pc.den[j] == 0 {
						pc.st[j] = absent
					} else {
						pc.v[j] = s.scale * pc.num[j] / pc.den[j]
					}
				}
			}
			s.put(p.ID, d, pc)
		}
	}
}

// finest returns the deepest level at which s has values.
func (w *world) finest(s *series) *level {
	var best *level
	for id := range s.at {
		if lv := w.byID[id]; lv != nil && (best == nil || lv.depth > best.depth) {
			best = lv
		}
	}
	return best
}
