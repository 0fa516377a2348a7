package access

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// benchCity is the benchmark's city: 100,000 population carriers and
// 20,000 offers in a 30 km disc with a denser centre (cityPoints).
func benchCity() (demand, supply []orb.Point, P, S []float64) {
	rng := rand.New(rand.NewPCG(42, 1))
	demand, supply = cityPoints(rng, 100_000), cityPoints(rng, 20_000)
	P, S = make([]float64, len(demand)), make([]float64, len(supply))
	for i := range P {
		P[i] = float64(rng.IntN(400))
	}
	for j := range S {
		S[j] = float64(10 + rng.IntN(140))
	}
	return demand, supply, P, S
}

// BenchmarkTwoSFCA is the whole 2SFCA for the benchmark city with a 1 km
// catchment: pair search (Within) plus both steps (FCA).
func BenchmarkTwoSFCA(b *testing.B) {
	demand, supply, P, S := benchCity()
	const d0 = 1000
	for _, bc := range []struct {
		name string
		w    WeightFunc
	}{{"step", Step(d0)}, {"gauss", Gaussian(d0)}} {
		b.Run(bc.name, func(b *testing.B) {
			var pairs []Pair
			cpu := startCPU()
			for b.Loop() {
				var err error
				pairs, err = Within(demand, supply, d0)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := FCA(P, S, pairs, bc.w); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b)
			b.ReportMetric(float64(len(pairs)), "pairs")
		})
	}
}

// BenchmarkWithin and BenchmarkFCA split BenchmarkTwoSFCA into its parts.
func BenchmarkWithin(b *testing.B) {
	demand, supply, _, _ := benchCity()
	var pairs []Pair
	cpu := startCPU()
	for b.Loop() {
		pairs, _ = Within(demand, supply, 1000)
	}
	cpu.report(b)
	b.ReportMetric(float64(len(pairs)), "pairs")
}

func BenchmarkFCA(b *testing.B) {
	demand, supply, P, S := benchCity()
	pairs, err := Within(demand, supply, 1000)
	if err != nil {
		b.Fatal(err)
	}
	cpu := startCPU()
	for b.Loop() {
		if _, err := FCA(P, S, pairs, Step(1000)); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkWithinBruteForce is the baseline: the same city, but only the
// first 1,000 carriers, against every offer with geo.Distance (20 million
// distances). Multiply by 100 to compare with BenchmarkWithin.
func BenchmarkWithinBruteForce(b *testing.B) {
	demand, supply, _, _ := benchCity()
	demand = demand[:1000]
	var pairs []Pair
	cpu := startCPU()
	for b.Loop() {
		pairs = bruteWithin(demand, supply, 1000)
	}
	cpu.report(b)
	b.ReportMetric(float64(len(pairs)), "pairs")
}

// BenchmarkNearestDistance: nearest offer for 100,000 carriers among
// 20,000 offers; BenchmarkNearestBruteForce is its baseline on the first
// 1,000 carriers.
func BenchmarkNearestDistance(b *testing.B) {
	demand, supply, _, _ := benchCity()
	cpu := startCPU()
	for b.Loop() {
		if _, err := NearestDistance(demand, supply); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

func BenchmarkNearestBruteForce(b *testing.B) {
	demand, supply, _, _ := benchCity()
	demand = demand[:1000]
	cpu := startCPU()
	for b.Loop() {
		bruteNearest(demand, supply)
	}
	cpu.report(b)
}

// cpuTimer reports the CPU seconds (user + system, all threads) per
// operation next to the wall time: the benchmark machines are shared, and
// CPU time shows the work done even when other jobs take the cores.
type cpuTimer struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuTimer { return cpuTimer{cpuNow()} }

func (c cpuTimer) report(b *testing.B) {
	b.ReportMetric((cpuNow()-c.start).Seconds()/float64(b.N), "cpu-s/op")
}
