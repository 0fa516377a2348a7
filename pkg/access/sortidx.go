package access

import "slices"

// sortIndices sorts the non-negative indices a, all below limit, in
// ascending order and returns the sorted values, either in a or in *tmp
// (grown as needed; a and *tmp must not share memory). Within sorts the
// offers of every demand point, a few hundred at a time; a byte-wise
// radix sort does that in linear time and several times faster than a
// comparison sort.
func sortIndices(a []int32, tmp *[]int32, limit int) []int32 {
	if len(a) <= 48 {
		slices.Sort(a)
		return a
	}
	*tmp = slices.Grow((*tmp)[:0], len(a))[:len(a)]
	src, dst := a, *tmp
	for shift := uint(0); limit > 1<<shift; shift += 8 {
		var count [257]int
		for _, v := range src {
			count[(v>>shift)&0xff+1]++
		}
		for k := 1; k < len(count); k++ {
			count[k] += count[k-1]
		}
		for _, v := range src {
			d := (v >> shift) & 0xff
			dst[count[d]] = v
			count[d]++
		}
		src, dst = dst, src
	}
	return src
}
