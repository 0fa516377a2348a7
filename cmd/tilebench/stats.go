package main

import (
	"math"
	"slices"
	"time"
)

// percentile is the nearest-rank percentile p (0 < p ≤ 100) of sorted
// durations: the smallest value that at least p % of them do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// sizes sums up the body sizes of the distinct tiles answered with 200.
type sizes struct {
	Tiles int   // tiles with content
	Mean  int64 // bytes
	Max   int64
}

func sizeStats(bySize map[tile]int64) sizes {
	var s sizes
	var sum int64
	for _, n := range bySize {
		s.Tiles++
		sum += n
		s.Max = max(s.Max, n)
	}
	if s.Tiles > 0 {
		s.Mean = sum / int64(s.Tiles)
	}
	return s
}

// sortedCopy merges latency samples and sorts them.
func sortedCopy(parts ...[]time.Duration) []time.Duration {
	var all []time.Duration
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.Sort(all)
	return all
}
