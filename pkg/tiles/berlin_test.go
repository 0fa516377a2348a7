package tiles

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/geomcheck"
	"github.com/sozialatlas/sozialatlas/pkg/topo"
)

// berlinAreas are the 542 Planungsräume in metres.
func berlinAreas(t testing.TB) []orb.MultiPolygon {
	t.Helper()
	_, polys, err := geodata.BerlinAreas("plr")
	if err != nil {
		t.Fatal(err)
	}
	out := make([]orb.MultiPolygon, len(polys))
	for i, mp := range polys {
		out[i] = Project(mp)
	}
	return out
}

// tilesOver lists the tiles of zoom z that meet bound (metres).
func tilesOver(b orb.Bound, z int) []Tile {
	s := TileSize(z)
	x0 := int(math.Floor((b.Min[0] + worldSize/2) / s))
	x1 := int(math.Floor((b.Max[0] + worldSize/2) / s))
	y0 := int(math.Floor((worldSize/2 - b.Max[1]) / s))
	y1 := int(math.Floor((worldSize/2 - b.Min[1]) / s))
	var out []Tile
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			out = append(out, Tile{z, x, y})
		}
	}
	return out
}

// TestBerlinTilesValid cuts every tile of Berlin's Planungsräume at zooms
// 8 to 14, encodes it, decodes it and checks every polygon with
// geomcheck (the rules of ST_IsValid) in tile coordinates.
func TestBerlinTilesValid(t *testing.T) {
	areas := NewAreas(berlinAreas(t), nil, nil)
	cols, err := NewColumns([]string{"n"}, areas.Len(), func(i, _ int) any { return i })
	if err != nil {
		t.Fatal(err)
	}
	for z := 8; z <= 14; z++ {
		tiles, feats, invalid := 0, 0, 0
		for _, tl := range tilesOver(areas.Bound(), z) {
			fs := areas.Tile(tl)
			if len(fs) == 0 {
				continue
			}
			b := EncodeMVT("plr", fs, func(i int) uint64 { return uint64(i) }, cols)
			layers, err := DecodeMVT(b)
			if err != nil || len(layers) != 1 || len(layers[0].Features) != len(fs) {
				t.Fatalf("%v: decoded %d layers, %v", tl, len(layers), err)
			}
			tiles++
			for _, f := range layers[0].Features {
				feats++
				if _, _, err := geomcheck.MultiPolygon(f.Geometry); err != nil {
					invalid++
					if invalid < 10 {
						t.Errorf("%v feature %d: %v", tl, f.ID, err)
					}
				}
			}
		}
		t.Logf("z%d: %d tiles, %d features, %d invalid; %d areas unsimplified, %d rings dropped so far", z, tiles, feats, invalid, areas.Unsimplified(z), areas.Dropped())
	}
}

// BenchmarkBerlinTiles cuts and encodes (MVT, gzipped) every tile of
// Berlin's Planungsräume at zooms 8, 10, 12 and 14, simplified by pkg/topo
// (as the API has it); the simplification of each zoom, done once per
// data version, is done before the clock runs. ns/op is per tile.
func BenchmarkBerlinTiles(b *testing.B) {
	geom := berlinAreas(b)
	tp, err := topo.Build(geom)
	if err != nil {
		b.Fatal(err)
	}
	for _, z := range []int{8, 10, 12, 14} {
		b.Run(fmt.Sprintf("z%d", z), func(b *testing.B) {
			areas := NewAreas(geom, tp.Simplify, Tolerance)
			areas.at(z)
			var list []Tile
			for _, tl := range tilesOver(areas.Bound(), z) {
				if len(areas.Tile(tl)) > 0 {
					list = append(list, tl)
				}
			}
			id := func(i int) uint64 { return uint64(i) }
			props, err := NewColumns([]string{"code", "name", "parent"}, areas.Len(), func(i, k int) any {
				return []string{fmt.Sprintf("0%07d", i), fmt.Sprintf("Planungsraum %d", i), fmt.Sprintf("0%05d", i/10)}[k]
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			bytes := 0
			for i := 0; i < b.N; i++ {
				tl := list[i%len(list)]
				mvt := EncodeMVT("planungsraum", areas.TileMVT(tl), id, props)
				bytes += len(Gzip(mvt))
			}
			b.ReportMetric(float64(len(list)), "tiles")
			b.ReportMetric(float64(bytes)/float64(b.N), "gzip-bytes/tile")
		})
	}
}

// TestTileMVTSameBytes: MVT made from the commands encoded once per zoom
// is byte for byte the MVT made from each tile's geometry.
func TestTileMVTSameBytes(t *testing.T) {
	geom := berlinAreas(t)
	tp, err := topo.Build(geom)
	if err != nil {
		t.Fatal(err)
	}
	areas := NewAreas(geom, tp.Simplify, Tolerance)
	id := func(i int) uint64 { return uint64(i) }
	props, err := NewColumns([]string{"code"}, areas.Len(), func(i, _ int) any { return fmt.Sprint(i) })
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	type keptTile struct{ gz, plain []byte }
	var kept []keptTile
	for _, z := range []int{8, 11, 14} {
		for _, tl := range tilesOver(areas.Bound(), z) {
			want := EncodeMVT("plr", areas.Tile(tl), id, props)
			feats := areas.TileMVT(tl)
			for _, f := range feats {
				if f.rest != nil {
					shared++
				}
			}
			got := EncodeMVT("plr", feats, id, props)
			if !bytes.Equal(got, want) {
				t.Fatalf("%v: %d bytes from the zoom's commands, %d from the tile's geometry", tl, len(got), len(want))
			}
			// EncodeTile, in working memory kept between tiles, makes
			// the same tile, gzipped.
			gz, quick := areas.EncodeTile(tl, "plr", id, props)
			if len(want) == 0 || len(feats) == 0 {
				if gz != nil {
					t.Fatalf("%v: EncodeTile made %d bytes of an empty tile", tl, len(gz))
				}
				continue
			}
			plain, err := Gunzip(gz)
			if err != nil || !bytes.Equal(plain, want) {
				t.Fatalf("%v: EncodeTile differs (%v)", tl, err)
			}
			if quick != (len(want) <= quickMax) {
				t.Fatalf("%v: %d bytes gzipped quickly: %v", tl, len(want), quick)
			}
			kept = append(kept, keptTile{gz, want})
		}
	}
	if shared == 0 {
		t.Error("no feature used the zoom's commands")
	}
	// The answers are their own: later tiles made in the same working
	// memory do not change them.
	for _, k := range kept {
		if plain, err := Gunzip(k.gz); err != nil || !bytes.Equal(plain, k.plain) {
			t.Fatal("a tile changed after later tiles were made")
		}
	}
}
