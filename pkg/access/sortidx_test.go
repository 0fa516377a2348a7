package access

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortIndices(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var tmp []int32
	for _, limit := range []int{1, 2, 200, 256, 257, 20000, 1 << 20, 1<<31 - 1} {
		for _, n := range []int{0, 1, 5, 48, 49, 300, 5000} {
			a := make([]int32, n)
			for k := range a {
				a[k] = int32(rng.Int64N(int64(limit)))
			}
			want := slices.Sorted(slices.Values(a))
			got := sortIndices(a, &tmp, limit)
			if !slices.Equal(got, want) {
				t.Fatalf("limit %d, n %d: not sorted", limit, n)
			}
		}
	}
}
