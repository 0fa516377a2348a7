package spatialstats

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime reports the process's CPU seconds (user and system, all threads)
// per operation next to the wall time: on a shared, loaded machine the
// wall time says little, the CPU time stays comparable.
func cpuTime(b *testing.B) func() {
	used := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := used()
	return func() {
		b.ReportMetric((used()-start).Seconds()/float64(b.N), "cpu-s/op")
	}
}

// go test -run XXX -bench . -benchtime 3x ./pkg/spatialstats/
//
// Queen on the 542 Berlin Planungsräume, against the exhaustive
// comparison of the tests as a baseline.
func BenchmarkQueenBerlin(b *testing.B) {
	_, geoms := berlinPLR(b)
	b.Run("rtree", func(b *testing.B) {
		defer cpuTime(b)()
		for b.Loop() {
			Queen(geoms)
		}
	})
	b.Run("exhaustive-baseline", func(b *testing.B) {
		defer cpuTime(b)()
		for b.Loop() {
			bruteQueen(geoms)
		}
	})
}

// triangular is a rows x cols grid where each cell neighbours left, right,
// up, down and two diagonals: 6 neighbours inside, like a real partition.
func triangular(b *testing.B, rows, cols int) Weights {
	nbrs := make([][]int, rows*cols)
	for r := range rows {
		for c := range cols {
			for _, d := range [][2]int{{0, -1}, {0, 1}, {-1, 0}, {1, 0}, {-1, 1}, {1, -1}} {
				rr, cc := r+d[0], c+d[1]
				if rr >= 0 && rr < rows && cc >= 0 && cc < cols {
					nbrs[r*cols+c] = append(nbrs[r*cols+c], rr*cols+cc)
				}
			}
		}
	}
	w, err := NewWeights(nbrs, nil)
	if err != nil {
		b.Fatal(err)
	}
	return w.RowStandardised()
}

// Local Moran with 999 conditional permutations on 100,000 units with 6
// neighbours: on all cores and on one, against the statistic alone and
// global Moran's I with 999 permutations.
func BenchmarkLocal100k(b *testing.B) {
	const rows, cols = 250, 400
	w := triangular(b, rows, cols)
	rng := rand.New(rand.NewPCG(1, 2))
	y := make([]float64, rows*cols)
	for i := range y {
		y[i] = rng.NormFloat64() + float64(i/cols)/50 // a gentle trend
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("perm999-workers%d", workers), func(b *testing.B) {
			defer cpuTime(b)()
			for b.Loop() {
				if _, err := local(y, w, 999, 1, 0.05, workers); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("perm0-baseline", func(b *testing.B) {
		defer cpuTime(b)()
		for b.Loop() {
			if _, err := Local(y, w, 0, 1, 0.05); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("global-moran-perm999", func(b *testing.B) {
		defer cpuTime(b)()
		for b.Loop() {
			if _, err := Moran(y, w, 999, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}
