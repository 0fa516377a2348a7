package importer

import (
	"cmp"
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
// level, unit, date) an earlier value already has. Keys are interned to
// integers and sorted: far cheaper than a map or string comparisons for
// millions of values.
func duplicateValues(vs []atlas.Value) []int {
	type key struct {
		series uint32 // indicator and level
		unit   uint32
		date   atlas.Date
		i      int32
	}
	series := map[[2]string]uint32{}
	units := map[[2]string]uint32{}
	intern := func(m map[[2]string]uint32, k [2]string) uint32 {
		id, ok := m[k]
		if !ok {
			id = uint32(len(m))
			m[k] = id
		}
		return id
	}
	keys := make([]key, len(vs))
	for i := range vs {
		v := &vs[i]
		keys[i] = key{intern(series, [2]string{v.Indicator, v.Level}), intern(units, [2]string{v.Level, v.Unit}), v.Date, int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.series, b.series), cmp.Compare(a.unit, b.unit), cmp.Compare(a.date, b.date), cmp.Compare(a.i, b.i))
	})
	var dups []int
	for i := 1; i < len(keys); i++ {
		a, b := keys[i-1], keys[i]
		if a.series == b.series && a.unit == b.unit && a.date == b.date {
			dups = append(dups, int(b.i))
		}
	}
	slices.Sort(dups)
	return dups
}
