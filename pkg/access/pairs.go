package access

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"github.com/sozialatlas/sozialatlas/pkg/geo"
)

// Pair is demand point I, offer J and the geodesic distance D between them
// in metres.
type Pair struct {
	I, J int32
	D    float64
}

// chunk is the number of demand points a worker takes at a time: large
// enough to keep scheduling cheap, small enough to balance a city whose
// centre is much denser than its edge.
const chunk = 512

// forChunks calls f(lo, hi) for consecutive chunks of [0, n) on GOMAXPROCS
// goroutines and returns when all are done. f receives the chunk number so
// results can be stored in order.
func forChunks(n int, f func(c, lo, hi int)) {
	chunks := (n + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				f(c, c*chunk, min((c+1)*chunk, n))
			}
		})
	}
	wg.Wait()
}

// withinBuf holds one worker's scratch space in Within.
type withinBuf struct {
	out   []Pair
	cand  []int32
	tmp   []int32
	boxes [][2][2]float64
}

// supplyTree indexes the supply points by their index.
func supplyTree(supply []orb.Point) *rtree.RTreeG[int32] {
	var tr rtree.RTreeG[int32]
	for j, p := range supply {
		tr.Insert([2]float64(p), [2]float64(p), int32(j))
	}
	return &tr
}

// Within returns every pair of a demand and a supply point whose geodesic
// distance is at most d0 metres, ordered by demand index I, then offer
// index J. The result is the same as comparing geo.Distance for all
// pairs, only faster: an R-tree on the supply points is searched with a
// lon/lat box that provably contains the d0 circle (its longitude extent
// taken at the most poleward latitude the circle reaches; split at the
// antimeridian; all longitudes when the circle reaches a pole), candidates
// whose lower distance bound exceeds d0 are dropped, the rest measured with
// geo.Distance. Work is spread over GOMAXPROCS goroutines; the output does
// not depend on their number.
func Within(demand, supply []orb.Point, d0 float64) ([]Pair, error) {
	if math.IsNaN(d0) || math.IsInf(d0, 0) || d0 < 0 {
		return nil, fmt.Errorf("access: Within: distance %g is not a finite number >= 0", d0)
	}
	if err := checkPoints("demand", demand); err != nil {
		return nil, err
	}
	if err := checkPoints("supply", supply); err != nil {
		return nil, err
	}
	if len(demand) == 0 || len(supply) == 0 {
		return []Pair{}, nil
	}
	tr := supplyTree(supply)
	limit := d0 * (1 + slack)
	parts := make([][]Pair, (len(demand)+chunk-1)/chunk)
	var scratch sync.Pool // per-worker buffers, reused across chunks
	forChunks(len(demand), func(c, lo, hi int) {
		buf, _ := scratch.Get().(*withinBuf)
		if buf == nil {
			buf = new(withinBuf)
		}
		out := buf.out[:0]
		for i := lo; i < hi; i++ {
			q := demand[i]
			r := rho(q[1], d0)
			cand := buf.cand[:0]
			buf.boxes = searchBoxes(q, d0, buf.boxes)
			for _, b := range buf.boxes {
				tr.Search(b[0], b[1], func(p, _ [2]float64, j int32) bool {
					// Cheap bound first: the search box's corners lie
					// outside the circle, and most of those points can
					// be dropped without the geodesic.
					if boxLowerBound(q[0], q[1], r, p, p)*(1-slack) <= limit {
						cand = append(cand, j)
					}
					return true
				})
			}
			// The tree returns offers in its own order; sorting makes
			// the output independent of how the tree was built.
			for _, j := range sortIndices(cand, &buf.tmp, len(supply)) {
				if d := geo.Distance(q, supply[j]); d <= d0 {
					out = append(out, Pair{I: int32(i), J: j, D: d})
				}
			}
			buf.cand = cand
		}
		parts[c] = slices.Clone(out) // exact size; buf.out is reused
		buf.out = out
		scratch.Put(buf)
	})
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	pairs := make([]Pair, 0, n)
	for c, p := range parts {
		pairs = append(pairs, p...)
		parts[c] = nil // let the collector have it while we copy the rest
	}
	return pairs, nil
}
