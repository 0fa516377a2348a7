package engine

import (
	"math"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
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

// relKey names a relation: kind relFamily (unit i of level lv and its
// children), relTotal (the units of top level lv and the city total) or
// relTerms (sum s at unit i of level lv and its terms).
type relKey struct {
	kind uint8
	s    *series
	lv   *level
	t    atlas.Date
	i    int
}

const (
	relFamily uint8 = iota
	relTotal
	relTerms
)

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
	// readerDates[r, s, level][t]: the dates of sum r whose term s is read
	// on date t (the same date, or an earlier one under align: latest).
	type rsl struct {
		r, s *series
		lv   string
	}
	readerDates := map[rsl]map[atlas.Date][]atlas.Date{}
	datesOf := func(r, s *series, lv string) map[atlas.Date][]atlas.Date {
		k := rsl{r, s, lv}
		m, found := readerDates[k]
		if !found {
			m = map[atlas.Date][]atlas.Date{}
			for rt := range r.at[lv] {
				for t, c := range s.at[lv] {
					if aligned(s, lv, rt, indicator.AlignLatest) == c {
						m[t] = append(m[t], rt)
					}
				}
			}
			readerDates[k] = m
		}
		return m
	}
	// Each relation waits in the queue at most once until it is checked.
	var queue []relKey
	pending := map[relKey]bool{}
	push := func(k relKey) {
		if !pending[k] {
			pending[k] = true
			queue = append(queue, k)
		}
	}
	// touch queues the relations a withheld cell belongs to.
	touch := func(s *series, lv *level, t atlas.Date, i int) {
		// As a child: its parent's relation, or the city total.
		if p := lv.parent; p != nil && s.at[p.ID] != nil {
			if j := lv.up[i]; j >= 0 {
				push(relKey{relFamily, s, p, t, j})
			}
		} else if p == nil {
			push(relKey{relTotal, s, lv, t, 0})
		}
		// As a parent: its children's relation.
		for _, cl := range lv.children {
			if s.at[cl.ID] != nil {
				push(relKey{relFamily, s, lv, t, i})
				break
			}
		}
		// As a sum, and as a term of sums.
		if len(s.terms) > 0 {
			push(relKey{relTerms, s, lv, t, i})
		}
		for _, r := range readers[s] {
			for _, rt := range datesOf(r, s, lv.ID)[t] {
				push(relKey{relTerms, r, lv, rt, i})
			}
		}
	}
	// Where each block of cells lives, to touch relations of a newly
	// withheld cell.
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
	var rel relation
	for len(queue) > 0 {
		k := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		delete(pending, k)
		switch k.kind {
		case relFamily:
			family(&rel, k.s, k.lv, k.t, k.i, kids)
		case relTotal:
			total(&rel, k.s, k.lv, k.t)
		case relTerms:
			terms(&rel, k.s, k.lv.ID, k.t, k.i)
		}
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
		for j, r := range rel.cells {
			if j == rel.parent || r.c.st[r.i] != ok || !isProtected[r.s] {
				continue
			}
			if pick < 0 || math.Abs(r.c.v[r.i]) < math.Abs(rel.cells[pick].c.v[rel.cells[pick].i]) {
				pick = j
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

// family fills rel with unit j of level p and its children, in the first
// child level where s has values on date t.
func family(rel *relation, s *series, p *level, t atlas.Date, j int, kids map[string][][]int) {
	rel.cells, rel.parent = rel.cells[:0], -1
	pc := s.at[p.ID][t]
	if pc == nil {
		return
	}
	rel.cells, rel.parent = append(rel.cells, ref{s, pc, j}), 0
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
}

// total fills rel with a top level's units (whose sum, the city total, is
// published).
func total(rel *relation, s *series, lv *level, t atlas.Date) {
	rel.cells, rel.parent = rel.cells[:0], -1
	c := s.at[lv.ID][t]
	for i := range c.st {
		rel.cells = append(rel.cells, ref{s, c, i})
	}
}

// terms fills rel with a sum (or difference) and its terms at one unit.
func terms(rel *relation, s *series, lv string, t atlas.Date, i int) {
	rel.cells, rel.parent = rel.cells[:0], -1
	c := s.at[lv][t]
	if c == nil {
		return
	}
	rel.cells = append(rel.cells, ref{s, c, i})
	for _, term := range s.terms {
		if tc := aligned(term, lv, t, indicator.AlignLatest); tc != nil {
			rel.cells = append(rel.cells, ref{term, tc, i})
		}
	}
}
