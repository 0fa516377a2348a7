package synth

import (
	"os"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/geodata"
	"github.com/sozialatlas/sozialatlas/pkg/crs"
)

// BlocksWebMercator generates a city and returns its blocks in Web
// Mercator metres (EPSG:3857), as the tile engine holds them: the input of
// the topology and tile tests and benchmarks.
func BlocksWebMercator(opts Options) ([]orb.MultiPolygon, error) {
	dir, err := os.MkdirTemp("", "synth-blocks-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if _, err := Write(dir, opts); err != nil {
		return nil, err
	}
	_, polys, err := geodata.ReadAreas(os.DirFS(dir), fileBlocks, "code")
	if err != nil {
		return nil, err
	}
	return polys, crs.Reproject(polys, 25832, 3857) // Write writes EPSG:25832
}
