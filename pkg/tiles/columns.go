package tiles

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
)

// Prop is one property of a feature. A nil Value has no number or text:
// MVT, which has no null, leaves it out; GeoJSON writes null.
type Prop struct {
	Key   string
	Value any
}

// Columns are properties of a layer's features, kept once for every tile
// of the layer: each feature's value of each key is the number of one of
// the columns' distinct values, each encoded as an MVT value once. A tile
// then only numbers the values its features use, with no hashing of
// values per tile.
type Columns struct {
	keys   []string
	values []any     // the distinct values
	mvt    [][]byte  // the distinct values as MVT Value messages
	of     [][]int32 // per key, per feature: the number of its value; -1 for none
	work   sync.Pool // of *tileNumbers
}

// NewColumns numbers the properties of n features: value(i, k) is feature
// i's value of keys[k]: a string, a number, a boolean, or nil for none.
// Whole numbers that fit are kept as integers, so that a number has one
// encoding whichever Go type carried it.
func NewColumns(keys []string, n int, value func(i, k int) any) (*Columns, error) {
	c := &Columns{keys: keys, of: make([][]int32, len(keys))}
	index := map[any]int32{}
	for k, key := range keys {
		c.of[k] = make([]int32, n)
		for i := range n {
			v, err := normal(value(i, k))
			if err != nil {
				return nil, fmt.Errorf("feature %d, property %s: %w", i, key, err)
			}
			if v == nil {
				c.of[k][i] = -1
				continue
			}
			num, found := index[v]
			if !found {
				num = int32(len(c.values))
				index[v] = num
				c.values = append(c.values, v)
				c.mvt = append(c.mvt, mvtValue(v))
			}
			c.of[k][i] = num
		}
	}
	return c, nil
}

// Keys are the columns' keys.
func (c *Columns) Keys() []string { return c.keys }

// Props are feature i's properties, nil values included.
func (c *Columns) Props(i int) []Prop {
	out := make([]Prop, len(c.keys))
	for k, key := range c.keys {
		out[k] = Prop{Key: key}
		if num := c.of[k][i]; num >= 0 {
			out[k].Value = c.values[num]
		}
	}
	return out
}

// normal is a property value in the one type that stands for it.
func normal(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, int64, uint64, bool:
		return v, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint32:
		return uint64(x), nil
	case float32:
		return normal(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v is not a finite number", x)
		}
		return x, nil
	}
	return nil, fmt.Errorf("a value of type %T cannot go into a vector tile", v)
}

// mvtValue is a normal value as an MVT Value message.
func mvtValue(v any) []byte {
	switch x := v.(type) {
	case string:
		return appendBytesField(nil, valueString, []byte(x))
	case float64:
		return binary.LittleEndian.AppendUint64(appendTag(nil, valueDouble, wireFixed), math.Float64bits(x))
	case int64:
		return appendVarintField(nil, valueInt, uint64(x))
	case uint64:
		return appendVarintField(nil, valueUint, x)
	case bool:
		b := uint64(0)
		if x {
			b = 1
		}
		return appendVarintField(nil, valueBool, b)
	}
	panic(fmt.Sprintf("tiles: %T is not a normal value", v))
}

// tileNumbers numbers a tile's values: seen[v] == gen says that the
// columns' value v has the number at[v] in this tile.
type tileNumbers struct {
	gen      uint32
	seen, at []uint32
}

// numbers are fresh tile numbers for the columns, to be given back with
// release.
func (c *Columns) numbers() *tileNumbers {
	tn, _ := c.work.Get().(*tileNumbers)
	if tn == nil {
		tn = &tileNumbers{seen: make([]uint32, len(c.values)), at: make([]uint32, len(c.values))}
	}
	if tn.gen++; tn.gen == 0 { // wrapped: forget every stamp
		clear(tn.seen)
		tn.gen = 1
	}
	return tn
}

func (c *Columns) release(tn *tileNumbers) { c.work.Put(tn) }
