package topo

import (
	"github.com/sozialatlas/sozialatlas/pkg/tiles"
	"runtime"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
)

// The benchmarks run on Berlin's 542 Planungsräume (197,545 points) and on
// the synthetic city's 100,000 blocks (500,000 points; generated, read and
// projected once per process, which takes a few seconds before the first
// benchmark of it starts):
//
//	go test -run XXX -bench . ./pkg/topo/
//
// BenchmarkPyramid is what the tile engine does for a level: Simplify at
// zooms 8 to 14, keeping all seven results. Its heap-MB metric is the live
// heap after an operation with the pyramid still held (input and Topology
// included).

type benchCase struct {
	name  string
	polys func(testing.TB) []orb.MultiPolygon
}

var benchCases = []benchCase{{"berlin-plr", berlin}, {"synth-100k", blocks}}

func BenchmarkBuild(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			polys := c.polys(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Build(polys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSimplify(b *testing.B) {
	for _, c := range benchCases {
		topo, err := Build(c.polys(b))
		if err != nil {
			b.Fatal(err)
		}
		for _, z := range []int{8, 11, 14} {
			b.Run(c.name+"/z="+strconv.Itoa(z), func(b *testing.B) {
				b.ReportAllocs()
				tol := tiles.Tolerance(z)
				var out []orb.MultiPolygon
				for b.Loop() {
					out = topo.Simplify(tol)
				}
				b.ReportMetric(float64(points(out)), "points")
			})
		}
	}
}

func BenchmarkPyramid(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name, func(b *testing.B) {
			polys := c.polys(b)
			b.ReportAllocs()
			var heap uint64
			for b.Loop() {
				topo, err := Build(polys)
				if err != nil {
					b.Fatal(err)
				}
				pyramid := make([][]orb.MultiPolygon, 0, 7)
				for z := 8; z <= 14; z++ {
					pyramid = append(pyramid, topo.Simplify(tiles.Tolerance(z)))
				}
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				heap = max(heap, ms.HeapAlloc)
				runtime.KeepAlive(pyramid)
			}
			b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
		})
	}
}

func points(out []orb.MultiPolygon) int {
	n := 0
	for _, m := range out {
		for _, p := range m {
			for _, r := range p {
				n += len(r)
			}
		}
	}
	return n
}
