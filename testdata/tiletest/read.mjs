// read.mjs: independent readers of sozialatlas's tiles for go test
// (api/tiles_test.go). For each file named on the command line it writes,
// as one JSON object keyed by file name, either the MVT as
// @mapbox/vector-tile decodes it (layers, features with id, type,
// properties and rings in tile coordinates) or, for *.geojson, the issues
// @placemarkio/check-geojson finds (none for a valid file). A gzipped
// file is unzipped first by Node's zlib (the zlib that browsers use).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { VectorTile } from '@mapbox/vector-tile';
import { PbfReader } from 'pbf';
import { getIssues } from '@placemarkio/check-geojson';

const out = {};
for (const file of process.argv.slice(2)) {
  let data = readFileSync(file);
  if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
  if (file.endsWith('.geojson')) {
    out[file] = { issues: getIssues(data.toString('utf8')).map((i) => i.message) };
    continue;
  }
  const tile = new VectorTile(new PbfReader(data));
  const layers = {};
  for (const [name, layer] of Object.entries(tile.layers)) {
    const features = [];
    for (let i = 0; i < layer.length; i++) {
      const f = layer.feature(i);
      features.push({
        id: f.id,
        type: f.type,
        properties: f.properties,
        rings: f.loadGeometry().map((ring) => ring.map((p) => [p.x, p.y])),
      });
    }
    layers[name] = { version: layer.version, extent: layer.extent, features };
  }
  out[file] = { layers };
}
process.stdout.write(JSON.stringify(out));
