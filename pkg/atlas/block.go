package atlas

import (
	"iter"
	"sort"
)

// Block is the values of one indicator at one level and date in columns,
// one row per unit. The engine hands over tens of millions of computed
// values this way instead of as a Value struct each, which on a big city
// would mean gigabytes of copies. A row's numbers count only where its
// status is OK: At drops them otherwise, so a suppressed number held in
// a column never reaches a store.
type Block struct {
	Indicator string
	Level     string
	Date      Date
	Units     []string
	Status    []Status
	Value     []float64
	// Numerator and Denominator are nil for an indicator without them.
	Numerator, Denominator []float64
}

// Len is the number of rows.
func (k *Block) Len() int { return len(k.Units) }

// At returns row i as a Value.
func (k *Block) At(i int) Value {
	v := Value{Indicator: k.Indicator, Level: k.Level, Unit: k.Units[i], Date: k.Date, Status: k.Status[i]}
	if v.Status == OK {
		v.Value = k.Value[i]
		if k.Numerator != nil {
			v.Numerator, v.Denominator = Some(k.Numerator[i]), Some(k.Denominator[i])
		}
	}
	return v
}

// ValueList reads a batch's values by index: first Values, then the rows
// of each block in order.
type ValueList struct {
	values []Value
	blocks []Block
	ends   []int // ends[j] is the index after block j
}

// ValueList returns the batch's values as one list.
func (b *Batch) ValueList() ValueList {
	l := ValueList{values: b.Values, blocks: b.Blocks, ends: make([]int, len(b.Blocks))}
	n := len(b.Values)
	for j := range b.Blocks {
		n += b.Blocks[j].Len()
		l.ends[j] = n
	}
	return l
}

// Len is the number of values.
func (l ValueList) Len() int {
	if len(l.ends) == 0 {
		return len(l.values)
	}
	return l.ends[len(l.ends)-1]
}

// At returns value i.
func (l ValueList) At(i int) Value {
	if i < len(l.values) {
		return l.values[i]
	}
	j := sort.SearchInts(l.ends, i+1)
	start := len(l.values)
	if j > 0 {
		start = l.ends[j-1]
	}
	return l.blocks[j].At(i - start)
}

// All yields every value with its index, in order.
func (l ValueList) All() iter.Seq2[int, Value] {
	return func(yield func(int, Value) bool) {
		for i, v := range l.values {
			if !yield(i, v) {
				return
			}
		}
		i := len(l.values)
		for j := range l.blocks {
			k := &l.blocks[j]
			for r := range k.Units {
				if !yield(i, k.At(r)) {
					return
				}
				i++
			}
		}
	}
}

// validate checks that the columns are as long as Units.
func (k *Block) validate() error {
	n := len(k.Units)
	if len(k.Status) != n || len(k.Value) != n || (k.Numerator == nil) != (k.Denominator == nil) ||
		(k.Numerator != nil && (len(k.Numerator) != n || len(k.Denominator) != n)) {
		return Errorf(EINVALID, "values of %s at level %s on %s: columns of unequal length", k.Indicator, k.Level, k.Date)
	}
	return nil
}
