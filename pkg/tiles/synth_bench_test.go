package tiles_test

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/synth"
	"github.com/sozialatlas/sozialatlas/pkg/tiles"
	"github.com/sozialatlas/sozialatlas/pkg/topo"
)

// synthAreas is the synthetic city's 100,000 blocks as a layer with its
// topology, built once per process.
var synthAreas = sync.OnceValues(func() (*tiles.Areas, error) {
	polys, err := synth.BlocksWebMercator(synth.Options{Blocks: 100000, Seed: 1})
	if err != nil {
		return nil, err
	}
	t, err := topo.Build(polys)
	if err != nil {
		return nil, err
	}
	return tiles.NewAreas(polys, t.Simplify, tiles.Tolerance), nil
})

// BenchmarkSynthTiles makes every tile covering the synthetic city at a
// zoom, cold (the zoom's simplification done once before the timing):
// cut, encode as MVT and gzip, as a tile request on an empty tile cache.
//
//	go test ./pkg/tiles -run '^$' -bench SynthTiles -benchtime 3x
func BenchmarkSynthTiles(b *testing.B) {
	a, err := synthAreas()
	if err != nil {
		b.Fatal(err)
	}
	for _, z := range []int{8, 10, 12, 14} {
		b.Run("z"+strconv.Itoa(z), func(b *testing.B) {
			list := cover(a.Bound(), z)
			a.Tile(list[0]) // the zoom's simplification
			props := synthProps(b, a.Len())
			b.ResetTimer()
			bytes := 0
			for b.Loop() {
				for _, t := range list {
					gz, _ := a.EncodeTile(t, "baublock", func(i int) uint64 { return uint64(i) }, props)
					bytes += len(gz)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(list))/1e6, "ms/tile")
			b.ReportMetric(float64(bytes)/float64(b.N*len(list))/1024, "KB/tile")
		})
	}
}

// synthProps are properties like the server's for a block: its code,
// name and parent's code.
func synthProps(b testing.TB, n int) *tiles.Columns {
	cols, err := tiles.NewColumns([]string{"code", "name", "parent"}, n, func(i, k int) any {
		return []string{fmt.Sprintf("B%06d", i), fmt.Sprintf("Block %d", i), fmt.Sprintf("P%04d", i/40)}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	return cols
}

// cover lists the tiles that cover a bound in Web Mercator metres.
func cover(b orb.Bound, z int) []tiles.Tile {
	const half = 20037508.342789244
	n := math.Exp2(float64(z))
	col := func(x float64) int { return int((x + half) / (2 * half) * n) }
	row := func(y float64) int { return int((half - y) / (2 * half) * n) }
	var out []tiles.Tile
	for x := col(b.Min[0]); x <= col(b.Max[0]); x++ {
		for y := row(b.Max[1]); y <= row(b.Min[1]); y++ {
			out = append(out, tiles.Tile{Z: z, X: x, Y: y})
		}
	}
	return out
}
