package engine

import (
	"math"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
	"github.com/sozialatlas/sozialatlas/pkg/indicator"
)

// Disclosure control (Geheimhaltung). This is the one implementation; every
// output reads its result, the status of the stored values.
//
// Primary suppression withholds every cell of a protected count below its
// threshold k. Secondary suppression then makes sure no withheld cell can be
// recovered by subtraction: sozialatlas publishes additive relations, each a
// set of cells whose sum is known,
//
//   - a unit and its children in the next level (parent = Σ children),
//   - the units of a top level and the city total (published as a statistic),
//   - a sum or difference and its terms, unit by unit,
//
// and a relation with exactly one withheld cell gives that cell away. So
// while some relation has exactly one withheld cell, the smallest other
// cell of that relation (a child before the parent) is withheld too. Cells
// are only ever added, so this ends. Rates, changes and indices computed
// afterwards are withheld wherever an input cell is (see combine), which is
// why they need no relations of their own.

// ref is one cell of a protected series.
type ref struct {
	s *series
	c *cells
	i int
}

// relation is a set of cells whose sum is published.
type relation struct {
	cells  []ref
	parent int // index in cells of the parent (-1: none), withheld last
}

func suppress(w *world, protected []*series) {
	isProtected := map[*series]bool{}
	for _, s := range protected {
		isProtected[s] = true
	}
	// Which sums read each series, for relations found from a term.
	readers := map[*series][]*series{}
	for _, s := range protected {
		for _, t := range s.terms {
			readers[t] = append(readers[t], s)
		}
	}
	kids := childIndex(w)

	type key struct {
		s  *series
		lv *level
		t  atlas.Date
		i  int
	}
	var queue []func() relation
	// enqueue the relations a withheld cell belongs to.
	touch := func(s *series, lv *level, t atlas.Date, i int) {
		// As a child: its parent's relation, or the city total.
		if p := lv.parent; p != nil && s.at[p.ID] != nil {
			if j := lv.up[i]; j >= 0 {
				queue = append(queue, func() relation { return family(s, p, t, j, kids) })
			}
		} else if p == nil {
			queue = append(queue, func() relation { return total(s, lv, t) })
		}
		// As a parent: its children's relation, in each child level.
		for _, cl := range lv.children {
			if s.at[cl.ID] != nil {
				queue = append(queue, func() relation { return family(s, lv, t, i, kids) })
			}
		}
		// As a sum, and as a term of sums.
		if len(s.terms) > 0 {
			queue = append(queue, func() relation { return terms(s, lv.ID, t, i) })
		}
		for _, r := range readers[s] {
			for _, rt := range r.dates(lv.ID) {
				if aligned(s, lv.ID, rt, indicator.AlignLatest) == s.at[lv.ID][t] {
					queue = append(queue, func() relation { return terms(r, lv.ID, rt, i) })
				}
			}
		}
	}
	// Where each cells block lives, to touch relations of a newly withheld cell.
	type place struct {
		s  *series
		lv *level
		t  atlas.Date
	}
	where := map[*cells]place{}
	for _, s := range protected {
		for _, lv := range w.levels {
			for t, c := range s.at[lv.ID] {
				where[c] = place{s, lv, t}
				for i := range c.st {
					if c.st[i] == ok && c.v[i] < float64(s.k) {
						c.st[i] = hidden
					}
				}
			}
		}
	}
	for _, s := range protected {
		for _, lv := range w.levels {
			for t, c := range s.at[lv.ID] {
				for i := range c.st {
					if c.st[i] == hidden {
						touch(s, lv, t, i)
					}
				}
			}
		}
	}
	for len(queue) > 0 {
		rel := queue[len(queue)-1]()
		queue = queue[:len(queue)-1]
		n := 0
		for _, r := range rel.cells {
			if r.c.st[r.i] == hidden {
				n++
			}
		}
		if n != 1 {
			continue
		}
		pick := -1
		for k, r := range rel.cells {
			if k == rel.parent || r.c.st[r.i] != ok || !isProtected[r.s] {
				continue
			}
			if pick < 0 || math.Abs(r.c.v[r.i]) < math.Abs(rel.cells[pick].c.v[rel.cells[pick].i]) {
				pick = k
			}
		}
		if pick < 0 && rel.parent >= 0 && rel.cells[rel.parent].c.st[rel.cells[rel.parent].i] == ok {
			pick = rel.parent
		}
		if pick < 0 {
			continue // the only other cells have no value: nothing left to give away
		}
		r := rel.cells[pick]
		r.c.st[r.i] = hidden
		if p, found := where[r.c]; found {
			touch(p.s, p.lv, p.t, r.i)
		}
	}
}

// childIndex lists, for each level with a parent level, the children of
// each parent unit.
func childIndex(w *world) map[string][][]int {
	out := map[string][][]int{}
	for _, lv := range w.levels {
		if lv.parent == nil {
			continue
		}
		k := make([][]int, len(lv.parent.codes))
		for i, j := range lv.up {
			if j >= 0 {
				k[j] = append(k[j], i)
			}
		}
		out[lv.ID] = k
	}
	return out
}

// family is the relation of unit j of level p and its children, in the
// first child level where s has values on date t.
func family(s *series, p *level, t atlas.Date, j int, kids map[string][][]int) relation {
	pc := s.at[p.ID][t]
	if pc == nil {
		return relation{}
	}
	rel := relation{parent: 0, cells: []ref{{s, pc, j}}}
	for _, cl := range p.children {
		cc := s.at[cl.ID][t]
		if cc == nil {
			continue
		}
		for _, i := range kids[cl.ID][j] {
			rel.cells = append(rel.cells, ref{s, cc, i})
		}
		break
	}
	return rel
}

// total is the relation of a top level's units and the city total.
func total(s *series, lv *level, t atlas.Date) relation {
	c := s.at[lv.ID][t]
	rel := relation{parent: -1}
	for i := range c.st {
		rel.cells = append(rel.cells, ref{s, c, i})
	}
	return rel
}

// terms is the relation of a sum (or difference) and its terms at one unit.
func terms(s *series, lv string, t atlas.Date, i int) relation {
	c := s.at[lv][t]
	if c == nil {
		return relation{}
	}
	rel := relation{parent: -1, cells: []ref{{s, c, i}}}
	for _, term := range s.terms {
		if tc := aligned(term, lv, t, indicator.AlignLatest); tc != nil {
			rel.cells = append(rel.cells, ref{term, tc, i})
		}
	}
	return rel
}

// classOf is the class of v under cut-offs (upper bounds of every class
// but the last), by the one classification rule of pkg/classify.
func classOf(cutoffs []float64, v float64) int {
	return classify.Class(append(append([]float64(nil), cutoffs...), math.Inf(1)), v)
}
