package geo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/sozialatlas/sozialatlas/pkg/crs"
	"github.com/sozialatlas/sozialatlas/pkg/synth"
)

// synthBlocksFile is the file of the Baublöcke that synth.Write writes.
const synthBlocksFile = "baubloecke.geojson"

// synthBlocks returns the blocks of the synthetic city with n blocks (seed
// 1) in WGS84. The city is written once under os.TempDir() and reused by
// later runs (writing 100,000 blocks takes a while); the blocks are
// reprojected from EPSG:25832 with pkg/crs, so blocks that share a vertex
// in the file share it bit for bit in WGS84 as well.
func synthBlocks(tb testing.TB, n int) []orb.MultiPolygon {
	tb.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("sozialatlas-geo-synth-%d-seed1", n))
	if _, err := os.Stat(filepath.Join(dir, synth.ManifestName)); err != nil {
		tmp, err := os.MkdirTemp(os.TempDir(), "sozialatlas-geo-synth-*")
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := synth.Write(tmp, synth.Options{Blocks: n, Seed: 1}); err != nil {
			os.RemoveAll(tmp)
			tb.Fatalf("write synthetic city: %v", err)
		}
		// The manifest marks a complete city; a concurrent run may have
		// won the race, then its copy is as good as ours.
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp)
		}
	}
	_, blocks := readUnits(tb, os.DirFS(dir), synthBlocksFile, "code")
	utm, err := crs.ByEPSG(25832)
	if err != nil {
		tb.Fatal(err)
	}
	for _, mp := range blocks {
		for _, poly := range mp {
			for _, r := range poly {
				for i, p := range r {
					lon, lat, err := utm.ToWGS84(p[0], p[1])
					if err != nil {
						tb.Fatalf("%s: %v", synthBlocksFile, err)
					}
					r[i] = orb.Point{lon, lat}
				}
			}
		}
	}
	if len(blocks) != n {
		tb.Fatalf("synthetic city has %d blocks, want %d", len(blocks), n)
	}
	return blocks
}

// randomPoints returns n points uniformly distributed in the bounding box
// of units.
func randomPoints(units []orb.MultiPolygon, n int, seed uint64) []orb.Point {
	b := units[0].Bound()
	for _, u := range units[1:] {
		b = b.Union(u.Bound())
	}
	rng := rand.New(rand.NewPCG(seed, 42))
	pts := make([]orb.Point, n)
	for i := range pts {
		pts[i] = orb.Point{b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])}
	}
	return pts
}

// postgisContains assigns points to blocks with the ST_Contains join in
// PostGIS (GiST index on the blocks); -1 where no block contains a point.
func postgisContains(tb testing.TB, conn *pgx.Conn, n int) []int {
	tb.Helper()
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	rows, err := conn.Query(context.Background(), `SELECT p.idx, b.idx FROM pts p JOIN blocks b ON ST_Contains(b.geom, p.geom)`)
	if err != nil {
		tb.Fatal(err)
	}
	var p, b int32
	_, err = pgx.ForEachRow(rows, []any{&p, &b}, func() error {
		if out[p] != -1 {
			return fmt.Errorf("point %d in blocks %d and %d", p, out[p], b)
		}
		out[p] = int(b)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestSynthLocateMatchesPostGIS: on a synthetic city of 2,000 blocks,
// LocateAll gives the same assignment as the PostGIS ST_Contains join for
// 100,000 random points, and puts points on block vertices and edges
// (where ST_Contains finds no block) into the block the border rule says,
// each into at most one block.
func TestSynthLocateMatchesPostGIS(t *testing.T) {
	blocks := synthBlocks(t, 2000)
	pts := randomPoints(blocks, 100000, 1)
	// Points on the blocks' boundaries: every vertex and the midpoint of
	// every 5th edge (PostGIS says which of these lie exactly on it).
	var border []orb.Point
	for _, mp := range blocks {
		r := mp[0][0]
		border = append(border, r[0])
		border = append(border, orb.Point{(r[1][0] + r[2][0]) / 2, (r[1][1] + r[2][1]) / 2})
	}
	all := append(slices.Clone(pts), border...)

	conn := connect(t)
	loadPolygons(t, conn, "blocks", blocks)
	loadPoints(t, conn, "pts", all)
	want := postgisContains(t, conn, len(all))
	loc := NewLocator(blocks)
	got := loc.LocateAll(all)

	inside := 0
	for i := range pts {
		if got[i] != want[i] {
			t.Errorf("point %d %v: Locate %d, PostGIS %d", i, pts[i], got[i], want[i])
		}
		if got[i] >= 0 {
			inside++
		}
	}
	// Edge midpoints that rounding put a hair's breadth into a block: the
	// exact predicate must see them where GEOS does.
	for i := len(pts); i < len(all); i++ {
		if want[i] >= 0 && got[i] != want[i] {
			t.Errorf("point %d %v next to a border: Locate %d, PostGIS %d", i, all[i], got[i], want[i])
		}
	}
	if inside < len(pts)/2 {
		t.Errorf("only %d of %d random points in a block", inside, len(pts))
	}
	// Border points: ST_Contains finds no block for a point on a block's
	// boundary; the rule gives it to the block just east (north) of it,
	// which PostGIS finds for the point nudged by (ε, δ), 0 < δ ≪ ε.
	onBorder, outer := 0, 0
	for i := len(pts); i < len(all); i++ {
		p := all[i]
		if want[i] >= 0 {
			continue // compared above
		}
		onBorder++
		owner := borderOwner(t, conn, "blocks", p)
		if got[i] != owner {
			t.Errorf("point %v on a block border: located in %d, the rule (PostGIS at p+(ε,δ)) says %d", p, got[i], owner)
		}
		owners := 0
		for _, mp := range blocks {
			if refContains(mp, p) {
				owners++
			}
		}
		if owner < 0 {
			outer++
		}
		if owners != min(1, owner+1) {
			t.Errorf("point %v on a block border has %d owners", p, owners)
		}
	}
	t.Logf("%d random points (%d in blocks) agree with PostGIS; %d points exactly on block borders (%d on the city's outer border, owned by none) follow the border rule",
		len(pts), inside, onBorder, outer)
	if onBorder < 2000 {
		t.Errorf("only %d border points", onBorder)
	}
}

// borderOwner returns the unit of table whose geometry contains
// p + (ε, δ) by PostGIS ST_Contains, or -1: the owner of a boundary point p
// by the border rule. ε is 1e-9° (0.1 mm, below the data's resolution), δ
// the smallest step up from p.y; that is right for every edge through p
// that is steeper than δ/ε ≈ 1e-5 (or horizontal).
func borderOwner(t testing.TB, conn *pgx.Conn, table string, p orb.Point) int {
	t.Helper()
	x, y := p[0]+1e-9, math.Nextafter(p[1], math.Inf(1))
	var owner int32 = -1
	err := conn.QueryRow(context.Background(), `SELECT idx FROM `+table+` WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint($1, $2), 4326))`, x, y).Scan(&owner)
	if err != nil && err != pgx.ErrNoRows {
		t.Fatal(err)
	}
	return int(owner)
}

// The 1M-point benchmark fixtures: 100,000 blocks and 1,000,000 random
// points in the city's bounding box, built once per process.
var bench1M struct {
	once   sync.Once
	blocks []orb.MultiPolygon
	pts    []orb.Point

	mu             sync.Mutex
	locate, contai []int // the assignments of the two benchmarks, once run
}

// sameAssignment records one benchmark's assignment (as *mine) and, once
// the other has run in the same process, checks that both agree.
func sameAssignment(b *testing.B, mine *[]int, got []int, other []int) {
	bench1M.mu.Lock()
	defer bench1M.mu.Unlock()
	*mine = got
	if other == nil {
		return
	}
	for i := range got {
		if got[i] != other[i] {
			b.Fatalf("point %d %v: Locate %d, PostGIS %d", i, bench1M.pts[i], bench1M.locate[i], bench1M.contai[i])
		}
	}
}

func bench1MFixture(b *testing.B) ([]orb.MultiPolygon, []orb.Point) {
	bench1M.once.Do(func() {
		bench1M.blocks = synthBlocks(b, 100000)
		bench1M.pts = randomPoints(bench1M.blocks, 1_000_000, 2)
	})
	if bench1M.blocks == nil {
		b.Fatal("fixture failed in an earlier run")
	}
	return bench1M.blocks, bench1M.pts
}

// BenchmarkLocate1M assigns 1,000,000 random points to 100,000 synthetic
// blocks with LocateAll (on GOMAXPROCS goroutines). The Locator is built
// outside the timed part; its build time is reported as build-s.
func BenchmarkLocate1M(b *testing.B) {
	blocks, pts := bench1MFixture(b)
	t0 := time.Now()
	loc := NewLocator(blocks)
	build := time.Since(t0)
	b.ResetTimer()
	var got []int
	for b.Loop() {
		got = loc.LocateAll(pts)
	}
	b.StopTimer()
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(countFound(got)), "found")
	sameAssignment(b, &bench1M.locate, got, bench1M.contai)
}

// BenchmarkPostGISContains1M is the baseline for BenchmarkLocate1M: the
// same points and blocks in PostGIS (GiST index on the blocks, both tables
// analysed), assigned with the ST_Contains join and read into a Go slice.
func BenchmarkPostGISContains1M(b *testing.B) {
	blocks, pts := bench1MFixture(b)
	conn := connect(b)
	loadPolygons(b, conn, "blocks", blocks)
	loadPoints(b, conn, "pts", pts)
	var plan []string
	rows, err := conn.Query(context.Background(), `EXPLAIN SELECT p.idx, b.idx FROM pts p JOIN blocks b ON ST_Contains(b.geom, p.geom)`)
	if err == nil {
		plan, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("query plan:\n%s", strings.Join(plan, "\n"))
	b.ResetTimer()
	var got []int
	for b.Loop() {
		got = postgisContains(b, conn, len(pts))
	}
	b.StopTimer()
	b.ReportMetric(float64(countFound(got)), "found")
	sameAssignment(b, &bench1M.contai, got, bench1M.locate)
}

// BenchmarkLocate is the cost of one Locate call on one goroutine, for
// random points in the bounding box of the 100,000-block city.
func BenchmarkLocate(b *testing.B) {
	blocks, pts := bench1MFixture(b)
	loc := NewLocator(blocks)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		loc.Locate(pts[i%len(pts)])
		i++
	}
}

func countFound(got []int) int {
	n := 0
	for _, u := range got {
		if u >= 0 {
			n++
		}
	}
	return n
}
