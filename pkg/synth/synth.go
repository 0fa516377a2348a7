// Package synth writes a deterministic synthetic city: four levels of areas
// (Stadtbezirk > Stadtteil > Sozialraum > Baublock), yearly population and
// SGB II counts per block, help offers, and the manifest that imports them
// all. It serves time-series demos and import benchmarks (`sozialatlas demo
// synth`); nothing in it describes a real place.
//
// The blocks are the cells of a jittered grid shaped as a city with a noisy
// round outline near lon 9.9, lat 51.5; every upper unit is the exact union
// of its blocks, traced from the shared grid edges, so the nesting holds to
// the last vertex. All files are in EPSG:25832 with coordinates rounded to
// centimetres. The same Options give byte-identical files.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/crs"
)

// Options configure a synthetic city.
type Options struct {
	// Blocks is the number of blocks (Baublöcke), DefaultBlocks if 0.
	Blocks int
	// Seed selects the city; the same options always give the same bytes.
	Seed int64
	// Dates is the number of yearly dates (31.12. of the last Dates years
	// ending LastYear), DefaultDates if 0.
	Dates int
	// Offers is the number of help offers over all layers; 0 places about
	// one per 40 blocks.
	Offers int
}

// Summary says what Write wrote.
type Summary struct {
	Blocks, Sozialraeume, Stadtteile, Stadtbezirke int
	Offers                                         int
	Values                                         int      // values in the CSV files (indicators × populated blocks × dates)
	Files                                          []string // names relative to the output directory, manifest last
}

// Defaults and limits of Options.
const (
	DefaultBlocks = 10000
	DefaultDates  = 10
	LastYear      = 2024 // the last date is 31.12. of this year
	MinBlocks     = 50
	MaxBlocks     = 1_000_000 // codes have room for 99 units per parent and 999 blocks per Sozialraum
	MaxDates      = 50
	// ManifestName is the manifest Write puts into the output directory.
	ManifestName = "sozialatlas.yaml"
)

// Level ids as declared in the manifest, top level first.
var levelIDs = [4]string{"stadtbezirk", "stadtteil", "sozialraum", "baublock"}

// Random streams: one per concern, so that changing one (say, offers) does
// not move any other.
const (
	streamShape uint64 = iota + 1
	streamVertices
	streamPartition
	streamNames
	streamPopulation
	streamOffers
)

// unit is an area of one of the four levels.
type unit struct {
	code, name string
	parent     int     // index in the level above, -1 for Stadtbezirke
	cells      []int32 // ascending
	polys      [][][]int32
}

// model is a generated city before it is written.
type model struct {
	opts   Options
	g      *city
	levels [4][]unit
	years  []int
	pop    *population
	offers []offer
}

func (o Options) normalized() (Options, error) {
	if o.Blocks == 0 {
		o.Blocks = DefaultBlocks
	}
	if o.Dates == 0 {
		o.Dates = DefaultDates
	}
	switch {
	case o.Blocks < MinBlocks || o.Blocks > MaxBlocks:
		return o, fmt.Errorf("synth: %d blocks: want %d to %d", o.Blocks, MinBlocks, MaxBlocks)
	case o.Dates < 1 || o.Dates > MaxDates:
		return o, fmt.Errorf("synth: %d dates: want 1 to %d", o.Dates, MaxDates)
	case o.Offers < 0 || o.Offers > 9999*len(offerLayers):
		return o, fmt.Errorf("synth: %d offers: want 0 (one per 40 blocks) to %d", o.Offers, 9999*len(offerLayers))
	}
	return o, nil
}

func (o Options) rng(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(o.Seed), stream*0x9E3779B97F4A7C15))
}

// Write writes a synthetic city into dir (created if missing): GeoJSON
// files for the four levels, one CSV file of values per indicator (a row
// per block with residents, a column per date), GeoJSON offer files, a
// README.md and the manifest sozialatlas.yaml that imports them all.
// Existing files of the same names are replaced; the Summary lists them.
func Write(dir string, opts Options) (Summary, error) {
	m, err := generate(opts)
	if err != nil {
		return Summary{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Summary{}, err
	}
	return m.write(dir)
}

// generate builds the city in memory.
func generate(opts Options) (*model, error) {
	opts, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	m := &model{opts: opts}
	for y := LastYear - opts.Dates + 1; y <= LastYear; y++ {
		m.years = append(m.years, y)
	}
	if m.g, err = newCity(opts.Blocks, opts.rng(streamShape)); err != nil {
		return nil, err
	}
	utm, err := crs.ByEPSG(outputEPSG)
	if err != nil {
		return nil, err
	}
	e0, n0, err := utm.FromWGS84(centreLon, centreLat)
	if err != nil {
		return nil, err
	}
	m.g.placeVertices(opts.rng(streamVertices), math.Round(e0), math.Round(n0))
	if err := m.divide(opts.rng(streamPartition)); err != nil {
		return nil, err
	}
	m.name(opts.rng(streamNames))
	m.pop = m.populate(opts.rng(streamPopulation))
	m.placeOffers(opts.rng(streamOffers))
	return m, nil
}

// levelCounts returns the number of Stadtbezirke, Stadtteile and
// Sozialräume for n blocks: about 200 blocks per Sozialraum, 7 Sozialräume
// per Stadtteil, and 12 Stadtbezirke for 100,000 blocks.
func levelCounts(n int) (bez, teil, sr int) {
	sr = max(1, int(math.Round(float64(n)/200)))
	bez = min(14, max(1, int(math.Round(12*math.Sqrt(float64(n)/100000)))), sr)
	teil = min(sr, max(int(math.Round(float64(sr)/7)), 2*bez))
	return bez, teil, sr
}

// divide partitions the city top-down: Stadtbezirke, then the Stadtteile of
// each Stadtbezirk, then the Sozialräume of each Stadtteil, then numbers
// the blocks of each Sozialraum from north-west to south-east.
func (m *model) divide(rng *rand.Rand) error {
	g := m.g
	n := len(g.cells)
	nBez, nTeil, nSR := levelCounts(n)
	p := newPartitioner(g)
	spacing := func(k int) float64 { return math.Sqrt(float64(n)/float64(k)) / 5 }
	costs := [3][]float64{g.costField(rng, spacing(nBez)), g.costField(rng, spacing(nTeil)), g.costField(rng, spacing(nSR))}
	totals := [3]int{nBez, nTeil, nSR}

	m.levels[0] = nil
	for i, cells := range g.order(p.split(g.cells, nBez, costs[0], rng), g.cx, g.cy) {
		m.levels[0] = append(m.levels[0], unit{code: fmt.Sprintf("%02d", i+1), parent: -1, cells: cells})
	}
	for lvl := 1; lvl <= 2; lvl++ {
		parents := m.levels[lvl-1]
		sizes := make([]int, len(parents))
		for i, u := range parents {
			sizes[i] = len(u.cells)
		}
		counts := allocate(sizes, totals[lvl])
		for i, par := range parents {
			if counts[i] > 99 {
				return fmt.Errorf("synth: %s %s would have %d %s units, more than two-digit codes allow", levelIDs[lvl-1], par.code, counts[i], levelIDs[lvl])
			}
			rx, ry := g.centroid(par.cells)
			for j, cells := range g.order(p.split(par.cells, counts[i], costs[lvl], rng), rx, ry) {
				m.levels[lvl] = append(m.levels[lvl], unit{code: fmt.Sprintf("%s%02d", par.code, j+1), parent: i, cells: cells})
			}
		}
	}
	for i, sr := range m.levels[2] {
		if len(sr.cells) > 999 {
			return fmt.Errorf("synth: Sozialraum %s would have %d blocks, more than three-digit codes allow", sr.code, len(sr.cells))
		}
		blocks := append([]int32(nil), sr.cells...)
		sortNorthWest(g, blocks)
		for j, c := range blocks {
			m.levels[3] = append(m.levels[3], unit{code: fmt.Sprintf("%s%03d", sr.code, j+1), parent: i, cells: []int32{c}})
		}
	}
	// Outlines of the upper levels, traced from the grid.
	owner := make([]int32, g.w*g.h)
	for lvl := 0; lvl <= 2; lvl++ {
		for i := range owner {
			owner[i] = -1
		}
		for i, u := range m.levels[lvl] {
			for _, c := range u.cells {
				owner[c] = int32(i)
			}
		}
		for i := range m.levels[lvl] {
			u := &m.levels[lvl][i]
			id := int32(i)
			polys, err := g.outline(u.cells, func(c int32) bool { return owner[c] == id })
			if err != nil {
				return fmt.Errorf("%v (%s %s)", err, levelIDs[lvl], u.code)
			}
			u.polys = polys
		}
	}
	return nil
}

// sortNorthWest orders cells by rows from north to south, each row from
// west to east.
func sortNorthWest(g *city, cells []int32) {
	w := int32(g.w)
	slices.SortFunc(cells, func(a, b int32) int {
		if ya, yb := a/w, b/w; ya != yb {
			return int(yb - ya)
		}
		return int(a%w - b%w)
	})
}

// name gives every unit its name: Stadtbezirk 01 is "Mitte", the others and
// the Stadtteile get invented place names; Sozialräume and blocks are
// numbered.
func (m *model) name(rng *rand.Rand) {
	names := newNamer(rng)
	for i := range m.levels[0] {
		if i == 0 {
			m.levels[0][i].name = "Mitte"
			continue
		}
		m.levels[0][i].name = names.place()
	}
	for i := range m.levels[1] {
		m.levels[1][i].name = names.place()
	}
	for i := range m.levels[2] {
		m.levels[2][i].name = fmt.Sprintf("Sozialraum S-%03d", i+1)
	}
	for i := range m.levels[3] {
		m.levels[3][i].name = fmt.Sprintf("Synthetischer Baublock %05d", i+1)
	}
}

// namer invents place and street names from German-sounding parts. No name
// is given twice.
type namer struct {
	places []string
	next   int
	round  int
}

var (
	namePrefixes = []string{"Linden", "Eichen", "Birken", "Ahorn", "Buchen", "Erlen", "Eschen", "Tannen", "Fichten",
		"Weiden", "Rosen", "Wiesen", "Berg", "Tal", "Bach", "Mühl", "Kirch", "Burg", "Sonnen", "Stein", "Brunnen",
		"Holz", "Hagen", "Heide", "See", "Moor", "Wald", "Hasel", "Kastanien", "Falken", "Hirsch", "Lerchen"}
	nameSuffixes = []string{"au", "feld", "hagen", "heim", "hausen", "dorf", "berg", "tal", "rode", "stedt", "winkel",
		"horst", "bruch", "wiese", "grund", "hof", "hain", "furt", "brück", "kamp", "siek", "loh", "born", "werder"}
	nameModifiers  = []string{"", "Neu-", "Alt-", "Ober-", "Nieder-", "Klein-", "Groß-"}
	streetSuffixes = []string{"straße", "weg", "allee", "ring", "gasse", "platz", "damm", "pfad", "steig", "chaussee"}
	streetPrefixes = []string{"Linden", "Eichen", "Birken", "Ahorn", "Buchen", "Erlen", "Eschen", "Tannen", "Rosen",
		"Wiesen", "Berg", "Tal", "Bach", "Mühlen", "Kirch", "Burg", "Sonnen", "Stein", "Brunnen", "Garten", "Schul",
		"Park", "Feld", "Hafen", "Markt", "Bahnhof", "Post", "Kloster", "Schmiede", "Weber", "Bäcker", "Goethe",
		"Schiller", "Lessing", "Fontane", "Holunder", "Flieder", "Lerchen", "Amsel", "Drossel"}
)

func newNamer(rng *rand.Rand) *namer {
	n := &namer{}
	for _, p := range namePrefixes {
		for _, s := range nameSuffixes {
			n.places = append(n.places, p+s)
		}
	}
	rng.Shuffle(len(n.places), func(i, j int) { n.places[i], n.places[j] = n.places[j], n.places[i] })
	return n
}

func (n *namer) place() string {
	if n.next == len(n.places) {
		n.next = 0
		n.round++
	}
	name := n.places[n.next]
	n.next++
	if n.round == 0 {
		return name
	}
	if n.round < len(nameModifiers) {
		return nameModifiers[n.round] + name
	}
	return fmt.Sprintf("%s %d", name, n.round)
}

// streets returns invented street names in random order.
func streets(rng *rand.Rand) []string {
	var out []string
	for _, p := range streetPrefixes {
		for _, s := range streetSuffixes {
			out = append(out, p+s)
		}
		out = append(out, "Am "+strings.TrimSuffix(p, "en")+"hang")
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// fileNames are the files Write writes, in order.
const (
	fileBezirke  = "stadtbezirke.geojson"
	fileTeile    = "stadtteile.geojson"
	fileSR       = "sozialraeume.geojson"
	fileBlocks   = "baubloecke.geojson"
	fileReadme   = "README.md"
	offerFilePfx = "angebote_"
)

var levelFiles = [4]string{fileBezirke, fileTeile, fileSR, fileBlocks}

// outFile is one file Write writes.
type outFile struct {
	name  string
	write func(*bufWriter) error
}

func (m *model) write(dir string) (Summary, error) {
	s := Summary{Blocks: len(m.levels[3]), Sozialraeume: len(m.levels[2]), Stadtteile: len(m.levels[1]),
		Stadtbezirke: len(m.levels[0]), Offers: len(m.offers)}
	var files []outFile
	for lvl, name := range levelFiles {
		files = append(files, outFile{name, func(w *bufWriter) error { return m.writeUnits(w, lvl) }})
	}
	for _, i := range valuesFileOrder() {
		files = append(files, outFile{valuesFile(i), func(w *bufWriter) error {
			s.Values += m.writeValues(w, i)
			return nil
		}})
	}
	for _, l := range offerLayers {
		files = append(files, outFile{offerFilePfx + l.id + ".geojson", func(w *bufWriter) error { return m.writeOffers(w, l) }})
	}
	files = append(files,
		outFile{fileReadme, func(w *bufWriter) error { return m.writeReadme(w, s) }},
		outFile{ManifestName, m.writeManifest})
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return Summary{}, err
		}
		s.Files = append(s.Files, f.name)
	}
	return s, nil
}
