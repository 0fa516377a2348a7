package importer

import (
	"context"
	"slices"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// knownUnit is what the checks need of a unit.
type knownUnit struct {
	code   string
	name   string
	parent string
}

// knownSet is what references may point to: the store's levels, units,
// indicators and layers plus those of the batch being read.
type knownSet struct {
	ctx         context.Context
	store       atlas.Store
	levels      map[string]atlas.Level
	levelList   []atlas.Level
	stored      map[string]bool                 // levels that exist in the store
	units       map[string]map[string]knownUnit // level → code → unit, loaded on first use
	batchUnits  map[string]map[string]string    // level → code → file, for duplicates
	indicators  map[string]bool
	indicatorID map[string]string // one shared string per indicator id
	layers      map[string]bool
}

func loadKnown(ctx context.Context, store atlas.Store) (*knownSet, error) {
	k := &knownSet{ctx: ctx, store: store, levels: map[string]atlas.Level{}, stored: map[string]bool{},
		units: map[string]map[string]knownUnit{}, batchUnits: map[string]map[string]string{},
		indicators: map[string]bool{}, indicatorID: map[string]string{}, layers: map[string]bool{}}
	levels, err := store.Levels(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range levels {
		k.addLevel(l)
		k.stored[l.ID] = true
	}
	inds, err := store.Indicators(ctx)
	if err != nil {
		return nil, err
	}
	for _, i := range inds {
		k.indicators[i.ID] = true
		k.indicatorID[i.ID] = i.ID
	}
	layers, err := store.OfferLayers(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		k.layers[l.ID] = true
	}
	return k, nil
}

func (k *knownSet) addLevel(l atlas.Level) {
	if _, ok := k.levels[l.ID]; ok {
		for i := range k.levelList {
			if k.levelList[i].ID == l.ID {
				k.levelList[i] = l
			}
		}
	} else {
		k.levelList = append(k.levelList, l)
	}
	k.levels[l.ID] = l
}

// unitsOf returns the known units of a level, loading the stored ones once.
func (k *knownSet) unitsOf(level string) (map[string]knownUnit, error) {
	if m, ok := k.units[level]; ok {
		return m, nil
	}
	m := map[string]knownUnit{}
	if k.stored[level] {
		units, err := k.store.Units(k.ctx, level, atlas.UnitQuery{NoGeometry: true})
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			m[u.Code] = knownUnit{code: u.Code, name: u.Name, parent: u.Parent}
		}
	}
	k.units[level] = m
	return m, nil
}

// duplicateValues returns the indexes of values whose key (indicator,
// level, unit, date) an earlier value already has. Sorting indexes is far
// cheaper than a map for millions of values.
func duplicateValues(vs []atlas.Value) []int {
	idx := make([]int32, len(vs))
	for i := range idx {
		idx[i] = int32(i)
	}
	key := func(a, b int32) int {
		x, y := &vs[a], &vs[b]
		switch {
		case x.Indicator != y.Indicator:
			return cmpString(x.Indicator, y.Indicator)
		case x.Level != y.Level:
			return cmpString(x.Level, y.Level)
		case x.Unit != y.Unit:
			return cmpString(x.Unit, y.Unit)
		case x.Date != y.Date:
			return int(x.Date) - int(y.Date)
		}
		return int(a) - int(b)
	}
	slices.SortFunc(idx, key)
	var dups []int
	for i := 1; i < len(idx); i++ {
		a, b := &vs[idx[i-1]], &vs[idx[i]]
		if a.Indicator == b.Indicator && a.Level == b.Level && a.Unit == b.Unit && a.Date == b.Date {
			dups = append(dups, int(idx[i]))
		}
	}
	slices.Sort(dups)
	return dups
}

func cmpString(a, b string) int {
	if a < b {
		return -1
	}
	return 1
}
