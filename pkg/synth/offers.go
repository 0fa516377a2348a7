package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// offerLayer describes one layer of help offers and how its offers are
// placed: each offer goes into a populated block drawn with probability
// proportional to weight (Kitas where small children live, counselling
// where SGB II recipients live, …).
type offerLayer struct {
	id, name, description string
	category              string
	share                 float64 // of all offers
	idPrefix              string
	subcats               []subcategory
	capacity              bool
	public                string   // the public provider
	free                  []string // invented free providers
	kitaNames             []string // names are "Kita <one of these>"; without, "<subcategory> <Stadtteil>"
	weight                func(v []int32, poverty float64) float64
}

type subcategory struct {
	name           string
	weight         float64
	capMin, capMax int
	groups         []string
}

// maxGroups is the number of target group properties (zielgruppe_1 …).
const maxGroups = 3

const cityName = "Synthstadt"

var offerLayers = []*offerLayer{
	{
		id: "kitas", name: "Kindertagesstätten", description: "Synthetische Kitas mit Plätzen (20 bis 150)",
		category: "Kindertagesbetreuung", share: 0.45, idPrefix: "KITA", capacity: true,
		subcats: []subcategory{
			{"Krippe", 0.15, 20, 50, []string{"Kinder unter 3 Jahren"}},
			{"Kindergarten", 0.35, 40, 120, []string{"Kinder von 3 bis 6 Jahren"}},
			{"Krippe und Kindergarten", 0.4, 50, 150, []string{"Kinder unter 3 Jahren", "Kinder von 3 bis 6 Jahren"}},
			{"Hort", 0.1, 30, 100, []string{"Schulkinder von 6 bis 10 Jahren"}},
		},
		public: "Stadt " + cityName + ", Fachbereich Kinder, Jugend und Familie",
		free: []string{"Kinderhaus " + cityName + " e. V.", "Elterninitiative Kleine Füße e. V.", "Kita-Verbund Lindenblatt gGmbH",
			"Familienwerk Sonnenhof e. V.", "Kinderzeit Bildungsträger gGmbH", "Waldkinder " + cityName + " e. V."},
		kitaNames: []string{"Sonnenschein", "Regenbogen", "Pusteblume", "Kleine Strolche", "Wirbelwind", "Löwenzahn", "Sternschnuppe",
			"Schatzkiste", "Abenteuerland", "Zwergenhaus", "Kunterbunt", "Spatzennest", "Marienkäfer", "Wolkenburg", "Blauer Elefant",
			"Sausewind", "Villa Kunterbunt", "Flohkiste", "Sonnenblume", "Pfiffikus"},
		weight: func(v []int32, _ float64) float64 { return float64(v[iU6]) + 0.05 },
	},
	{
		id: "jugendzentren", name: "Jugendzentren", description: "Synthetische Einrichtungen der offenen Kinder- und Jugendarbeit",
		category: "Kinder- und Jugendarbeit", share: 0.15, idPrefix: "JUZ",
		subcats: []subcategory{
			{"Jugendzentrum", 0.45, 0, 0, []string{"Jugendliche von 12 bis 17 Jahren", "Junge Erwachsene von 18 bis 26 Jahren"}},
			{"Jugendclub", 0.25, 0, 0, []string{"Jugendliche von 12 bis 17 Jahren"}},
			{"Abenteuerspielplatz", 0.15, 0, 0, []string{"Kinder von 6 bis 13 Jahren"}},
			{"Mädchentreff", 0.15, 0, 0, []string{"Mädchen und junge Frauen von 10 bis 21 Jahren"}},
		},
		public: "Stadt " + cityName + ", Jugendamt",
		free:   []string{"Jugendhilfe Brückenschlag gGmbH", "Offene Tür " + cityName + " e. V.", "Jugendwerk Lichtblick e. V.", "Sportjugend " + cityName + " e. V."},
		weight: func(v []int32, poverty float64) float64 {
			return (float64(v[i615]) + 0.1*float64(v[i1565]) + 0.05) * (1 + poverty)
		},
	},
	{
		id: "familienzentren", name: "Familienzentren", description: "Synthetische Familienzentren und Eltern-Kind-Angebote",
		category: "Familienförderung", share: 0.15, idPrefix: "FAM",
		subcats: []subcategory{
			{"Familienzentrum", 0.5, 0, 0, []string{"Familien mit Kindern", "Alleinerziehende", "Schwangere"}},
			{"Eltern-Kind-Zentrum", 0.3, 0, 0, []string{"Familien mit Kindern unter 3 Jahren"}},
			{"Stadtteilmütter", 0.2, 0, 0, []string{"Familien mit Kindern", "Familien mit Migrationsgeschichte"}},
		},
		public: "Stadt " + cityName + ", Fachbereich Kinder, Jugend und Familie",
		free:   []string{"Familienwerk Sonnenhof e. V.", "Nachbarschaftshaus Mittendrin e. V.", "Frauen- und Familienzentrum Auszeit e. V."},
		weight: func(v []int32, poverty float64) float64 {
			return (float64(v[iU6]+v[i615]) + 0.05) * (1 + 2*poverty)
		},
	},
	{
		id: "beratung", name: "Beratungsstellen", description: "Synthetische Beratungsstellen öffentlicher und freier Träger",
		category: "Beratung", share: 0.25, idPrefix: "BER",
		subcats: []subcategory{
			{"Sozialberatung", 0.25, 0, 0, []string{"Erwachsene in schwierigen Lebenslagen"}},
			{"Schuldnerberatung", 0.2, 0, 0, []string{"Überschuldete Haushalte"}},
			{"Erziehungsberatung", 0.2, 0, 0, []string{"Eltern", "Kinder und Jugendliche"}},
			{"Migrationsberatung", 0.15, 0, 0, []string{"Zugewanderte ab 27 Jahren"}},
			{"Suchtberatung", 0.1, 0, 0, []string{"Suchtkranke", "Angehörige"}},
			{"Wohnungsnotfallhilfe", 0.1, 0, 0, []string{"Wohnungslose", "Von Wohnungslosigkeit Bedrohte"}},
		},
		public: "Stadt " + cityName + ", Amt für Soziales",
		free: []string{"Sozialwerk Lichtblick e. V.", "Beratungsnetz Wegweiser gGmbH", "Diakonisches Werk " + cityName + " (fiktiv)",
			"Nachbarschaftshaus Mittendrin e. V."},
		weight: func(v []int32, poverty float64) float64 {
			return float64(v[iSGB2]) + 0.02*float64(v[iU6]+v[i615]+v[i1565]+v[i65]) + 0.05
		},
	},
}

// offer is one help offer.
type offer struct {
	layer                                       *offerLayer
	id, name, subcategory, provider, providerTy string
	address, block                              string
	capacity                                    int
	groups                                      []string
	x, y                                        float64 // EPSG:25832, cm
}

// placeOffers places Options.Offers offers, by default about one per 40
// blocks.
func (m *model) placeOffers(rng *rand.Rand) {
	p := m.pop
	if len(p.blocks) == 0 {
		return
	}
	g := m.g
	total := max(len(offerLayers), int(math.Round(float64(len(m.levels[3]))/40)))
	if m.opts.Offers > 0 {
		total = max(len(offerLayers), m.opts.Offers)
	}
	streetNames := streets(rng)
	last := len(m.years) - 1
	for _, l := range offerLayers {
		n := max(1, int(math.Round(float64(total)*l.share)))
		cum := make([]float64, len(p.blocks))
		sum := 0.0
		for pb := range p.blocks {
			sum += l.weight(p.at(pb, last), p.poverty[pb])
			cum[pb] = sum
		}
		for k := 0; k < n; k++ {
			pb := sort.SearchFloat64s(cum, rng.Float64()*sum)
			pb = min(pb, len(cum)-1)
			block := m.levels[3][p.blocks[pb]]
			sr := m.levels[2][block.parent]
			teil := m.levels[1][sr.parent]
			sc := pickSubcategory(rng, l.subcats)
			o := offer{layer: l, id: fmt.Sprintf("%s-%04d", l.idPrefix, k+1), subcategory: sc.name,
				block: block.code, groups: sc.groups}
			if l.kitaNames != nil {
				o.name = "Kita " + l.kitaNames[rng.IntN(len(l.kitaNames))]
			} else {
				o.name = sc.name + " " + teil.name
			}
			if rng.Float64() < 0.3 {
				o.provider, o.providerTy = l.public, "öffentlicher Träger"
			} else {
				o.provider, o.providerTy = l.free[rng.IntN(len(l.free))], "freier Träger"
			}
			o.address = fmt.Sprintf("%s %d", streetNames[rng.IntN(len(streetNames))], 1+rng.IntN(150))
			if l.capacity {
				o.capacity = sc.capMin + rng.IntN(sc.capMax-sc.capMin+1)
			}
			// A point inside the (convex) block: bilinear in its corners.
			k4 := g.corners(block.cells[0])
			s, t := 0.2+0.6*rng.Float64(), 0.2+0.6*rng.Float64()
			ws := [4]float64{(1 - s) * (1 - t), s * (1 - t), s * t, (1 - s) * t}
			for j, v := range k4 {
				o.x += ws[j] * g.vx[v]
				o.y += ws[j] * g.vy[v]
			}
			o.x, o.y = roundCM(o.x), roundCM(o.y)
			m.offers = append(m.offers, o)
		}
	}
}

func pickSubcategory(rng *rand.Rand, subs []subcategory) subcategory {
	sum := 0.0
	for _, s := range subs {
		sum += s.weight
	}
	x := rng.Float64() * sum
	for _, s := range subs {
		if x < s.weight {
			return s
		}
		x -= s.weight
	}
	return subs[len(subs)-1]
}
