package synth

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// bufWriter appends formatted output to a buffered file. Write errors are
// sticky in bufio.Writer and reported by Flush.
type bufWriter struct {
	w *bufio.Writer
	b []byte
}

func (w *bufWriter) str(s string) { w.w.WriteString(s) }

func (w *bufWriter) float(v float64) {
	w.b = strconv.AppendFloat(w.b[:0], v, 'f', -1, 64)
	w.w.Write(w.b)
}

func (w *bufWriter) int(v int64) {
	w.b = strconv.AppendInt(w.b[:0], v, 10)
	w.w.Write(w.b)
}

// json writes s as a JSON string.
func (w *bufWriter) json(s string) {
	w.w.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			w.w.WriteByte('\\')
			w.w.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(w.w, `\u%04x`, r)
		default:
			w.w.WriteRune(r)
		}
	}
	w.w.WriteByte('"')
}

// prop writes ,"key":"value" (or without the comma for the first).
func (w *bufWriter) prop(first bool, key, value string) {
	if !first {
		w.str(",")
	}
	w.json(key)
	w.str(":")
	w.json(value)
}

func writeFile(path string, fill func(*bufWriter) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := &bufWriter{w: bufio.NewWriterSize(f, 1<<20)}
	err = fill(w)
	if ferr := w.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: write %s: %w", path, err)
	}
	return nil
}

const crsMember = `"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::25832"}}`

func (w *bufWriter) collectionStart(name string) {
	w.str(`{"type":"FeatureCollection","name":`)
	w.json(name)
	w.str("," + crsMember + `,"features":[` + "\n")
}

// point writes [x,y].
func (w *bufWriter) point(x, y float64) {
	w.str("[")
	w.float(x)
	w.str(",")
	w.float(y)
	w.str("]")
}

// writeUnits writes the units of one level, one feature per line.
func (m *model) writeUnits(w *bufWriter, lvl int) error {
	g := m.g
	w.collectionStart(strings.TrimSuffix(levelFiles[lvl], ".geojson"))
	for i, u := range m.levels[lvl] {
		if i > 0 {
			w.str(",\n")
		}
		w.str(`{"type":"Feature","properties":{`)
		w.prop(true, "code", u.code)
		w.prop(false, "name", u.name)
		if u.parent >= 0 {
			w.prop(false, "parent", m.levels[lvl-1][u.parent].code)
		}
		if lvl == 3 {
			w.prop(false, "nutzung", useNames[m.pop.use[i]])
		}
		w.str(`,"synthetic":true},"geometry":{"type":"MultiPolygon","coordinates":[`)
		if lvl == 3 {
			k := g.corners(u.cells[0])
			w.str("[[")
			for j := 0; j <= 4; j++ {
				if j > 0 {
					w.str(",")
				}
				v := k[j%4]
				w.point(g.vx[v], g.vy[v])
			}
			w.str("]]")
		} else {
			for p, poly := range u.polys {
				if p > 0 {
					w.str(",")
				}
				w.str("[")
				for r, ring := range poly {
					if r > 0 {
						w.str(",")
					}
					w.str("[")
					for j, v := range ring {
						if j > 0 {
							w.str(",")
						}
						w.point(g.vx[v], g.vy[v])
					}
					w.str("]")
				}
				w.str("]")
			}
		}
		w.str("]}}")
	}
	w.str("\n]}\n")
	return nil
}

// Values go into one file per indicator, a row per populated block and a
// column per date (the importer's "wide by date" layout). The import then
// hands the store its values in primary-key order (indicator, block, date),
// and with the files in the order of the indicator ids the importer's
// duplicate check sorts an already sorted list. For 100,000 blocks this
// imports in 51 s against 63 s for a single wide file with a date column,
// whose rows interleave the eight indicators (see the package's benchmark).

// valuesFileOrder returns the indicators ordered by id.
func valuesFileOrder() []int {
	idx := make([]int, len(indicators))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(indicators[a].id, indicators[b].id) })
	return idx
}

func valuesFile(i int) string { return "werte_" + indicators[i].id + ".csv" }

// writeValues writes the values of indicator i and returns their number.
func (m *model) writeValues(w *bufWriter, i int) int {
	p := m.pop
	w.str("block")
	for _, y := range m.years {
		w.str(";" + strconv.Itoa(y) + "-12-31")
	}
	w.str("\n")
	for pb, bi := range p.blocks {
		w.str(m.levels[3][bi].code)
		for t := range m.years {
			w.str(";")
			w.int(int64(p.at(pb, t)[i]))
		}
		w.str("\n")
	}
	return len(p.blocks) * len(m.years)
}

// writeOffers writes the offers of one layer as points.
func (m *model) writeOffers(w *bufWriter, l *offerLayer) error {
	w.collectionStart("angebote_" + l.id)
	first := true
	for _, o := range m.offers {
		if o.layer != l {
			continue
		}
		if !first {
			w.str(",\n")
		}
		first = false
		w.str(`{"type":"Feature","properties":{`)
		w.prop(true, "id", o.id)
		w.prop(false, "name", o.name)
		w.prop(false, "category", l.category)
		w.prop(false, "subcategory", o.subcategory)
		w.prop(false, "traeger", o.provider)
		w.prop(false, "traeger_art", o.providerTy)
		w.prop(false, "adresse", o.address)
		if l.capacity {
			w.str(`,"kapazitaet":`)
			w.int(int64(o.capacity))
		}
		for j := range maxGroups {
			w.str(`,"zielgruppe_` + strconv.Itoa(j+1) + `":`)
			if j < len(o.groups) {
				w.json(o.groups[j])
			} else {
				w.str("null")
			}
		}
		w.prop(false, "baublock", o.block)
		w.str(`,"synthetic":true},"geometry":{"type":"Point","coordinates":`)
		w.point(o.x, o.y)
		w.str("}}")
	}
	w.str("\n]}\n")
	return nil
}

// q quotes a YAML scalar (the JSON subset of double-quoted YAML).
func q(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func (m *model) provenance() string {
	return fmt.Sprintf("synthetisch (sozialatlas demo synth, seed %d)", m.opts.Seed)
}

func (m *model) writeManifest(w *bufWriter) error {
	o := m.opts
	fmt.Fprintf(w.w, `# Synthetic city %q: ALL DATA ARE SYNTHETIC (invented), not a real place.
# Written by `+"`sozialatlas demo synth --blocks %d --seed %d`"+` (package pkg/synth);
# the same options write the same bytes. See README.md.
name: synth
source: %s
licence: %s
attribution: %s

levels:
`, cityName, o.Blocks, o.Seed, q(m.provenance()), q("CC0 1.0 (synthetische Daten)"), q(m.provenance()))
	levelNames := [4]string{"Stadtbezirk", "Stadtteil", "Sozialraum", "Baublock"}
	for lvl, id := range levelIDs {
		fmt.Fprintf(w.w, "  - {id: %s, name: %s", id, levelNames[lvl])
		if lvl > 0 {
			fmt.Fprintf(w.w, ", parent: %s", levelIDs[lvl-1])
		}
		fmt.Fprintf(w.w, ", description: %s}\n", q(fmt.Sprintf("%d synthetische %s", len(m.levels[lvl]), levelPlural[lvl])))
	}
	w.str("\nunits:\n")
	for lvl, id := range levelIDs {
		fmt.Fprintf(w.w, "  - {file: %s, level: %s, code: code, name: name", levelFiles[lvl], id)
		if lvl > 0 {
			w.str(", parent: parent")
		}
		w.str("}\n")
	}
	w.str("\nindicators:\n")
	for i, ind := range indicators {
		// The transfer counts per block are raw data as a statistics office
		// delivers them: confidential, served only through computed
		// indicators under disclosure control (indicators/synth).
		vis := "public"
		if i >= iSGB2 {
			vis = "confidential"
		}
		fmt.Fprintf(w.w, "  - {id: %s, name: %s, unit: Personen, topic: %s, polarity: %s, precision: 0, interval: yearly, visibility: %s,\n      description: %s}\n",
			ind.id, q(ind.name), q(ind.topic), ind.polarity, vis, q(ind.description+" (synthetisch)"))
	}
	w.str(`
values:
  # One file per indicator: a row per block with residents (parks and
  # industry have none), a column per date (31.12. of each year). The files
  # have no no-data markers, so na lists only the empty cell.
`)
	for _, i := range valuesFileOrder() {
		fmt.Fprintf(w.w, "  - {file: %s, level: baublock, layout: wide, unit: block, indicator: %s, delimiter: \";\", na: [\"\"]}\n",
			valuesFile(i), indicators[i].id)
	}
	w.str("\noffer_layers:\n")
	for _, l := range offerLayers {
		fmt.Fprintf(w.w, "  - {id: %s, name: %s, description: %s}\n", l.id, q(l.name), q(l.description))
	}
	w.str("\noffers:\n")
	for _, l := range offerLayers {
		fmt.Fprintf(w.w, "  - {file: %s%s.geojson, layer: %s,\n      fields: {provider: traeger, provider_type: traeger_art, address: adresse", offerFilePfx, l.id, l.id)
		if l.capacity {
			w.str(", capacity: kapazitaet")
		}
		w.str(", target_groups: [")
		for j := range maxGroups {
			if j > 0 {
				w.str(", ")
			}
			fmt.Fprintf(w.w, "zielgruppe_%d", j+1)
		}
		w.str("]}}\n")
	}
	return nil
}

var levelPlural = [4]string{"Stadtbezirke", "Stadtteile", "Sozialräume", "Baublöcke"}

func (m *model) writeReadme(w *bufWriter, s Summary) error {
	o := m.opts
	fmt.Fprintf(w.w, `# %s – eine synthetische Stadt

**Alle Daten in diesem Verzeichnis sind synthetisch.** Sie wurden von
`+"`sozialatlas demo synth --blocks %d --seed %d`"+` erzeugt und beschreiben
keinen realen Ort, keine realen Personen und keine realen Einrichtungen.
Namen von Stadtteilen, Straßen, Einrichtungen und Trägern sind erfunden.

**All data in this directory are synthetic** (invented by the generator in
pkg/synth): they describe no real place, people or institution. Use them for
demos, tests and benchmarks only.

Quelle / Namensnennung: %s. Lizenz: CC0 1.0.

## Inhalt

- %d Stadtbezirke, %d Stadtteile, %d Sozialräume, %d Baublöcke; jede Ebene ist
  die exakte Vereinigung der Einheiten darunter (gemeinsame Stützpunkte).
- %d Werte: %d Indikatoren je bewohntem Baublock und Stichtag (31.12.%d bis
  31.12.%d).
- %d Angebote in %d Ebenen (Kitas, Jugendzentren, Familienzentren, Beratung).
- Koordinaten: ETRS89 / UTM Zone 32N (EPSG:25832), auf Zentimeter gerundet,
  Lage bei 9,9° O / 51,5° N.

Die Stadtstruktur ist ein Modell: dichtes Zentrum und einige Nebenzentren,
rund 15 %% unbewohnte Blöcke (Grünflächen, Gewerbe), einige wandernde
Armutsschwerpunkte im SGB II, ruhige jährliche Veränderungen.

## Dateien

`, cityName, o.Blocks, o.Seed, m.provenance(),
		s.Stadtbezirke, s.Stadtteile, s.Sozialraeume, s.Blocks,
		s.Values, nIndicators, m.years[0], m.years[len(m.years)-1],
		s.Offers, len(offerLayers))
	for _, f := range levelFiles {
		fmt.Fprintf(w.w, "- `%s`\n", f)
	}
	for _, i := range valuesFileOrder() {
		fmt.Fprintf(w.w, "- `%s`\n", valuesFile(i))
	}
	for _, l := range offerLayers {
		fmt.Fprintf(w.w, "- `%s%s.geojson`\n", offerFilePfx, l.id)
	}
	fmt.Fprintf(w.w, "- `%s` (dieses Manifest importiert alles)\n\n## Import\n\n    sozialatlas import %s\n", ManifestName, ManifestName)
	return nil
}
