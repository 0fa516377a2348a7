package geodata

import (
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/paulmach/orb"
)

// BerlinLevels names the Berlin LOR files by level: file stem and id
// property (bez: 12 Bezirke, pgr: 58 Prognoseräume, bzr: 143
// Bezirksregionen, plr: 542 Planungsräume).
var BerlinLevels = map[string]string{"bez": "BEZ_ID", "pgr": "PGR_ID", "bzr": "BZR_ID", "plr": "PLR_ID"}

// BerlinAreas reads the codes and geometries (WGS84) of one Berlin level,
// in file order. Tests across packages compare methods against PostGIS on
// these; the importer is the way to load them into a store.
func BerlinAreas(level string) ([]string, []orb.MultiPolygon, error) {
	idProp, ok := BerlinLevels[level]
	if !ok {
		return nil, nil, fmt.Errorf("geodata: no Berlin level %q (want bez, pgr, bzr or plr)", level)
	}
	return ReadAreas(Berlin(), "lor2021/berlin_lor2021_"+level+"_4326.geojson", idProp)
}

// ReadAreas reads the ids (property idProp) and (multi)polygons of a GeoJSON
// FeatureCollection in WGS84, in file order.
func ReadAreas(fsys fs.FS, name, idProp string) ([]string, []orb.MultiPolygon, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, nil, err
	}
	// Plain encoding/json: orb's points are [2]float64, so coordinates
	// decode straight into orb types.
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string          `json:"type"`
				Coordinates json.RawMessage `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", name, err)
	}
	codes := make([]string, 0, len(fc.Features))
	geoms := make([]orb.MultiPolygon, 0, len(fc.Features))
	for i, f := range fc.Features {
		var mp orb.MultiPolygon
		switch f.Geometry.Type {
		case "Polygon":
			var p orb.Polygon
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			mp = orb.MultiPolygon{p}
		case "MultiPolygon":
			err = json.Unmarshal(f.Geometry.Coordinates, &mp)
		default:
			err = fmt.Errorf("geometry %s, want (multi)polygon", f.Geometry.Type)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: feature %d: %v", name, i, err)
		}
		codes = append(codes, fmt.Sprint(f.Properties[idProp]))
		geoms = append(geoms, mp)
	}
	return codes, geoms, nil
}
