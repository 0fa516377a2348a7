// Package engine evaluates the indicator catalog (pkg/indicator) on a
// store's levels, units, offers and imported values, applies disclosure
// control, and writes the computed values back with their provenance.
//
// Evaluation runs in two phases. Counts come first, then disclosure control
// decides which count cells are withheld (primary and secondary
// suppression, see disclosure.go), then everything else (rates, changes,
// indices, accessibility) is evaluated with the withheld cells hidden, so
// that nothing withheld can be recomputed from what is published. Raw
// values live only in memory during a run: the store receives withheld
// cells as suppressed, without numbers.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/geo"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// Engine computes a catalog into a store.
type Engine struct {
	Store   atlas.Store
	Catalog *indicator.Catalog
	Log     *slog.Logger // nil: slog.Default()
}

// Options select what Compute does.
type Options struct {
	// Only lists the definitions to compute and write (with what they
	// read, which is evaluated but not written); empty: all.
	Only []string
	// Inputs lists the imported indicators whose upper levels to rewrite
	// along with Only (those an import changed); all when Only is empty.
	Inputs []string
	DryRun bool
	User   string
}

// Report says what a computation did.
type Report struct {
	Computed []Computed     `json:"computed"`
	Skipped  []Skipped      `json:"skipped,omitempty"`
	Changes  atlas.Changes  `json:"changes"`
	Duration time.Duration  `json:"duration_ns"`
	Phases   map[string]int `json:"phases_ms,omitempty"`
}

// Computed summarises one definition's values.
type Computed struct {
	ID         string   `json:"id"`
	Levels     []string `json:"levels"`
	Dates      int      `json:"dates"`
	Values     int      `json:"values"`
	Suppressed int      `json:"suppressed"`
	Missing    int      `json:"missing"`
}

// Skipped names a definition that had nothing to compute from, and why.
type Skipped struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Affected returns the definitions a change touches, directly or through
// other definitions.
func Affected(cat *indicator.Catalog, c atlas.Touched) []string {
	if c.Units {
		var all []string
		for _, d := range cat.Definitions {
			all = append(all, d.ID)
		}
		return all
	}
	start := slices.Clone(c.Indicators)
	for _, d := range cat.Definitions {
		if d.Compute.Layer != "" && slices.Contains(c.Layers, d.Compute.Layer) {
			start = append(start, d.ID)
		}
	}
	var out []string
	for _, d := range cat.Definitions {
		if slices.Contains(start, d.ID) {
			out = append(out, d.ID)
		}
	}
	for _, d := range cat.Dependents(start) {
		if !slices.Contains(out, d.ID) {
			out = append(out, d.ID)
		}
	}
	return out
}

// Recompute computes what a change affects and nothing else. It returns a
// nil report when nothing is affected.
func (e *Engine) Recompute(ctx context.Context, c atlas.Touched, user string) (*Report, error) {
	if c.Units { // new geometry or hierarchy: everything, inputs' upper levels too
		return e.Compute(ctx, Options{User: user})
	}
	ids := Affected(e.Catalog, c)
	var inputs []string
	for _, id := range c.Indicators {
		if _, declared := e.Catalog.Input(id); declared {
			inputs = append(inputs, id)
		}
	}
	if len(ids) == 0 && len(inputs) == 0 {
		return nil, nil
	}
	return e.Compute(ctx, Options{Only: ids, Inputs: inputs, User: user})
}

// run is the state of one computation.
type run struct {
	eng      *Engine
	cat      *indicator.Catalog
	w        *world
	points   map[string][]orb.Point
	locators map[string]*geo.Locator
	locs     map[string][]int
	area     map[string][]float64
}

// Compute evaluates the catalog (or opts.Only) and writes the results.
func (e *Engine) Compute(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	log := e.Log
	if log == nil {
		log = slog.Default()
	}
	b, rep, err := e.Evaluate(ctx, opts)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	ch, err := e.Store.Apply(ctx, b, atlas.ApplyOptions{DryRun: opts.DryRun})
	if err != nil {
		return nil, err
	}
	rep.Phases["write"] += int(time.Since(t0).Milliseconds())
	rep.Changes = ch
	rep.Duration = time.Since(start)
	log.Info("compute", "definitions", len(rep.Computed), "skipped", len(rep.Skipped), "values", ch.Values, "duration", rep.Duration)
	return rep, nil
}

// Evaluate computes the catalog (or opts.Only) in memory and returns the
// batch Compute writes, with withheld values already without numbers.
func (e *Engine) Evaluate(ctx context.Context, opts Options) (*atlas.Batch, *Report, error) {
	start := time.Now()
	cat := e.Catalog
	targets := cat.Definitions
	if len(opts.Only) > 0 || len(opts.Inputs) > 0 {
		targets = nil
		for _, id := range opts.Only {
			d, found := cat.Definition(id)
			if !found {
				return nil, nil, atlas.Errorf(atlas.ENOTFOUND, "indicator %q is not defined in the catalog", id)
			}
			targets = append(targets, d)
		}
	}
	closure := cat.Closure(targets)
	w, err := loadWorld(ctx, e.Store)
	if err != nil {
		return nil, nil, err
	}
	r := &run{eng: e, cat: cat, w: w, points: map[string][]orb.Point{}, locators: map[string]*geo.Locator{},
		locs: map[string][]int{}, area: map[string][]float64{}}
	rep := &Report{Phases: map[string]int{}}
	phase := func(name string, t0 time.Time) { rep.Phases[name] += int(time.Since(t0).Milliseconds()) }

	t0 := time.Now()
	stored, err := e.Store.Indicators(ctx)
	if err != nil {
		return nil, nil, err
	}
	meta := map[string]atlas.Indicator{}
	for _, ind := range stored {
		meta[ind.ID] = ind
	}
	layers, err := e.Store.OfferLayers(ctx)
	if err != nil {
		return nil, nil, err
	}
	hasLayer := map[string]bool{}
	for _, l := range layers {
		hasLayer[l.ID] = true
	}
	// Inputs the closure reads, and those to rewrite.
	need := map[string]bool{}
	for _, id := range opts.Inputs {
		need[id] = true
	}
	for _, d := range closure {
		for _, id := range d.Reads {
			need[id] = true
		}
	}
	// Check every input first, then read them in parallel: reading
	// millions of values is most of a big city's computation.
	type load struct {
		in *indicator.Input
		k  int
		s  *series
	}
	var loads []*load
	for _, in := range cat.Inputs {
		if !need[in.ID] {
			continue
		}
		m, found := meta[in.ID]
		if !found {
			continue // not imported (yet): what reads it is skipped
		}
		if m.Unit != in.Unit {
			return nil, nil, atlas.Errorf(atlas.EINVALID, "%s:%d (input %s): unit mismatch: the catalog says %q, the imported indicator has %q",
				in.File, in.Line, in.ID, in.Unit, m.Unit)
		}
		k := 0
		switch {
		case in.Disclosure != nil:
			k = in.Disclosure.K
		case m.Visibility == atlas.Confidential && in.Kind == indicator.Count:
			k = cat.Defaults.Disclosure.K
		}
		if k > 0 && m.Visibility != atlas.Confidential {
			return nil, nil, atlas.Errorf(atlas.EINVALID, "%s:%d (input %s): a count under disclosure control must be imported as confidential, or its raw values would be served; set visibility: confidential in the import manifest",
				in.File, in.Line, in.ID)
		}
		loads = append(loads, &load{in: in, k: k})
	}
	// The import log tells imported values from those computations wrote.
	imports, err := e.Store.Imports(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	computed := map[int64]bool{}
	for _, im := range imports {
		if im.Source.Name == atlas.ComputeSource {
			computed[im.ID] = true
		}
	}
	errs := make([]error, len(loads))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(loads)) {
		wg.Go(func() {
			for j := int(next.Add(1) - 1); j < len(loads); j = int(next.Add(1) - 1) {
				l := loads[j]
				if l.s, errs[j] = w.loadInput(ctx, l.in, l.k, computed); errs[j] == nil {
					w.aggregateUp(l.s)
				}
			}
		})
	}
	wg.Wait()
	var inputs []*series
	for j, l := range loads {
		if errs[j] != nil {
			return nil, nil, errs[j]
		}
		w.series[l.in.ID] = l.s
		inputs = append(inputs, l.s)
	}
	phase("load", t0)

	// Which definitions can run: all they read is there.
	runnable := func(d *indicator.Definition) (string, bool) {
		for _, id := range d.Reads {
			if w.series[id] == nil {
				return fmt.Sprintf("%s has no values", id), false
			}
		}
		if l := d.Compute.Layer; l != "" && !hasLayer[l] {
			return fmt.Sprintf("offer layer %s is not imported", l), false
		}
		return "", true
	}
	skipped := map[string]string{}
	evalPhase := func(counts bool) error {
		for _, d := range closure {
			if (d.Kind == indicator.Count) != counts {
				continue
			}
			if why, can := runnable(d); !can {
				skipped[d.ID] = why
				continue
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			s, err := r.evaluate(ctx, d)
			if err != nil {
				return err
			}
			if counts {
				s.k = protection(cat, d, s)
			}
			w.series[d.ID] = s
		}
		return nil
	}
	t0 = time.Now()
	if err := evalPhase(true); err != nil {
		return nil, nil, err
	}
	phase("counts", t0)
	t0 = time.Now()
	var protected []*series
	for _, s := range w.series {
		if s.k > 0 {
			protected = append(protected, s)
		}
	}
	slices.SortFunc(protected, func(a, b *series) int { return cmpString(a.id, b.id) })
	suppress(w, protected)
	phase("disclosure", t0)
	t0 = time.Now()
	if err := evalPhase(false); err != nil {
		return nil, nil, err
	}
	phase("other", t0)

	// Write: the targets' values at every level and date, and the upper
	// levels of public inputs (their imported levels stay as imported).
	t0 = time.Now()
	b := &atlas.Batch{Source: atlas.Source{Name: atlas.ComputeSource, User: opts.User}}
	// Public inputs whose upper levels are written: all, or those named.
	all := len(opts.Only) == 0 && len(opts.Inputs) == 0
	var publish []*series
	for _, s := range inputs {
		if s.k == 0 && meta[s.id].Visibility != atlas.Confidential && (all || slices.Contains(opts.Inputs, s.id)) {
			publish = append(publish, s)
		}
	}
	for _, d := range targets {
		s := w.series[d.ID]
		if s == nil {
			rep.Skipped = append(rep.Skipped, Skipped{ID: d.ID, Reason: skipped[d.ID]})
			continue
		}
		b.Indicators = append(b.Indicators, d.Indicator())
		b.Source.Files = append(b.Source.Files, atlas.SourceFile{Name: d.File + "#" + d.ID, SHA256: d.Hash})
		rep.Computed = append(rep.Computed, emit(w, s, d.ID, nil, &b.Blocks))
	}
	for _, s := range publish {
		if c := emit(w, s, s.id, s.imported, &b.Blocks); c.Values > 0 {
			rep.Computed = append(rep.Computed, c)
		}
	}
	// Provenance: the imports whose values the run read, and those that
	// wrote the units and offers it located and aggregated by.
	used := map[int64]bool{}
	for _, s := range inputs {
		for id := range s.imports {
			used[id] = true
		}
	}
	for _, im := range imports {
		c := im.Changes
		if im.Source.Name != atlas.ComputeSource && (c.Levels.Changed() || c.Units.Changed() || c.Layers.Changed() || c.Offers.Changed()) {
			used[im.ID] = true
		}
	}
	for id := range used {
		b.Source.Inputs = append(b.Source.Inputs, id)
	}
	slices.Sort(b.Source.Inputs)
	phase("collect", t0)
	rep.Duration = time.Since(start)
	return b, rep, nil
}

// protection is the disclosure threshold of a computed count: its own rule,
// or the catalog's when it adds up protected counts.
func protection(cat *indicator.Catalog, d *indicator.Definition, s *series) int {
	if d.Disclosure != nil {
		return d.Disclosure.K
	}
	for _, t := range s.terms {
		if t.k > 0 {
			return cat.Defaults.Disclosure.K
		}
	}
	return 0
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// emit appends a series' values (all levels except skip) to out, a block
// per level and date that shares the series' columns: on a big city these
// are tens of millions of values, and copying each into a struct of its
// own would cost seconds and gigabytes.
func emit(w *world, s *series, id string, skip map[string]bool, out *[]atlas.Block) Computed {
	c := Computed{ID: id}
	dates := map[atlas.Date]bool{}
	for _, lv := range w.levels {
		byDate := s.at[lv.ID]
		if byDate == nil || skip[lv.ID] {
			continue
		}
		c.Levels = append(c.Levels, lv.ID)
		for _, t := range s.dates(lv.ID) {
			dates[t] = true
			cc := byDate[t]
			k := atlas.Block{Indicator: id, Level: lv.ID, Date: t, Units: lv.codes,
				Status: make([]atlas.Status, len(lv.codes)), Value: cc.v, Numerator: cc.num, Denominator: cc.den}
			for i, st := range cc.st {
				switch st {
				case ok:
					k.Status[i] = atlas.OK
				case hidden:
					k.Status[i] = atlas.Suppressed
					c.Suppressed++
				default:
					k.Status[i] = atlas.Missing
					c.Missing++
				}
			}
			*out = append(*out, k)
			c.Values += len(lv.codes)
		}
	}
	c.Dates = len(dates)
	return c
}
