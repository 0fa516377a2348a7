package indicator

import (
	"slices"
	"strings"
	"testing"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

const inventoryBase = `
inputs:
  - {id: ew, kind: count, unit: Personen}
  - {id: armut, kind: value, unit: "%"}
indicators:
  - id: kitas
    name: Kitas je 1.000
    unit: je 1.000 Kinder
    polarity: higher_better
    compute: {op: offer_rate, layer: kitas, population: ew, scale: 1000}
`

// TestInventoryAndGaps: the goal vocabulary and the gap pairs are read,
// checked with their file and line, and default when not given.
func TestInventoryAndGaps(t *testing.T) {
	c, err := Parse(map[string][]byte{"a.yaml": []byte(inventoryBase)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Goals(), atlas.DefaultGoals) || len(c.GapPairs()) != 0 {
		t.Errorf("defaults: goals %v, pairs %v", c.Goals(), c.GapPairs())
	}
	var nilCatalog *Catalog
	if !slices.Equal(nilCatalog.Goals(), atlas.DefaultGoals) {
		t.Errorf("a nil catalog's goals: %v", nilCatalog.Goals())
	}
	extra := `
inventory:
  goals: [Existenzsicherung, Bildung, Gesundheit]
gaps:
  - {need: armut, supply: kitas, level: planungsraum, need_breaks: [10, 20]}
  - {id: zweite, name: Zweite, need: armut, supply: kitas, level: bezirk}
`
	c, err = Parse(map[string][]byte{"a.yaml": []byte(inventoryBase), "b.yaml": []byte(extra)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Goals(), []string{"Existenzsicherung", "Bildung", "Gesundheit"}) {
		t.Errorf("goals: %v", c.Goals())
	}
	if g := c.GapPairs(); len(g) != 2 || g[0].ID != "armut--kitas" || !slices.Equal(g[0].NeedBreaks, []float64{10, 20}) || g[0].SupplyBreaks != nil ||
		g[1].ID != "zweite" || g[0].Line != 5 || g[0].File != "b.yaml" {
		t.Errorf("pairs: %+v", g)
	}

	for _, tc := range []struct{ yaml, want string }{
		{"inventory:\n  goals: [Bildung, Bildung]\n", `b.yaml:2: inventory.goal "Bildung" is named twice`},
		{"inventory:\n  goals: [\"Bildung, Arbeit\"]\n", "contains a comma"},
		{"inventory:\n  goals: []\n", "goals: want 1 to 30 names"},
		{"gaps:\n  - {need: nope, supply: kitas, level: plr}\n", `b.yaml:2 (gap nope--kitas): need "nope" is neither an input nor a definition`},
		{"gaps:\n  - {need: armut, supply: armut, level: plr}\n", "need and supply are the same indicator"},
		{"gaps:\n  - {need: armut, supply: kitas, level: plr, supply_breaks: [3]}\n", "supply_breaks: want two numbers"},
		{"gaps:\n  - {need: armut, supply: kitas, level: plr, need_breaks: [3, 1]}\n", "need_breaks: 3 is not below 1"},
		{"gaps:\n  - {need: armut, supply: kitas, level: plr}\n  - {need: armut, supply: kitas, level: bezirk}\n", "gap armut--kitas is already defined at b.yaml:2"},
		{"gaps:\n  - {need: armut, supply: kitas}\n", `level "": want a level id`},
		{"gaps:\n  - {need: armut, supply: kitas, level: plr, typo: 1}\n", "field typo not found"},
	} {
		_, err := Parse(map[string][]byte{"a.yaml": []byte(inventoryBase), "b.yaml": []byte(tc.yaml)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.yaml, err, tc.want)
		}
	}
	_, err = Parse(map[string][]byte{"a.yaml": []byte(inventoryBase + "inventory: {goals: [Bildung]}\n"), "b.yaml": []byte("inventory: {goals: [Arbeit]}\n")})
	if err == nil || !strings.Contains(err.Error(), "inventory is already set in a.yaml") {
		t.Errorf("inventory twice: got %v", err)
	}
}

// TestTargetsChecked: targets are read with the definition and every
// mistake is named with its file and line.
func TestTargetsChecked(t *testing.T) {
	with := func(targets string) string {
		return inventoryBase + "    targets:\n" + targets
	}
	c, err := Parse(map[string][]byte{"a.yaml": []byte(with(
		"      - {name: Ausbau, value: 800, date: 2030-12-31, direction: at_least}\n" +
			"      - {value: 600, date: 2028-12-31, direction: at_least, level: bezirk, code: \"01\", from: 2022-06-30}\n"))})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.Definition("kitas")
	if len(d.Targets) != 2 || *d.Targets[0].Value != 800 || d.Targets[0].Date != 20301231 || d.Targets[0].TargetLevel() != City ||
		d.Targets[1].TargetLevel() != "bezirk" || d.Targets[1].Code != "01" || d.Targets[1].From != 20220630 {
		t.Errorf("targets: %+v", d.Targets)
	}
	plain, _ := Parse(map[string][]byte{"a.yaml": []byte(inventoryBase)})
	p, _ := plain.Definition("kitas")
	if p.Hash != d.Hash {
		t.Errorf("targets changed the definition's hash: they change no number")
	}
	for _, tc := range []struct{ targets, want string }{
		{"      - {date: 2030-12-31, direction: at_least}\n", "a.yaml:11 (kitas, targets), target 1: value is missing"},
		{"      - {value: 1, direction: at_least}\n", "date is missing"},
		{"      - {value: 1, date: 2030-12-31, direction: up}\n", `direction "up": want at_least or at_most`},
		{"      - {value: 1, date: 2030-12-31, direction: at_most}\n", "at_most on kitas, where higher is better"},
		{"      - {value: 1, date: 2030-12-31, direction: at_least, level: bezirk}\n", "needs the code of the unit"},
		{"      - {value: 1, date: 2030-12-31, direction: at_least, code: \"01\"}\n", "without a level"},
		{"      - {value: 1, date: 2030-12-31, direction: at_least, from: 2031-01-01}\n", "is not before the target date"},
		{"      - {value: 1, date: 2030-02-30, direction: at_least}\n", "does not exist"},
	} {
		_, err := Parse(map[string][]byte{"a.yaml": []byte(with(tc.targets))})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.targets, err, tc.want)
		}
	}
}

func f(x float64) *float64 { return &x }

// TestProgress: the rule of docs/indicators.md on hand-computed cases.
func TestProgress(t *testing.T) {
	// From 600 on 2020-01-01 to 800 by 2030-01-01 (3653 days); on
	// 2025-01-01 (1827 days) the path stands at 600 + 200·1827/3653.
	up := Target{Value: f(800), Date: 20300101, Direction: AtLeast}
	expected := 600 + 200*1827.0/3653
	for _, tc := range []struct {
		name   string
		t      Target
		series []Point
		status string
		exp    float64
		share  float64
	}{
		{"on track", up, []Point{{20250101, 701}, {20200101, 600}}, OnTrack, expected, 101.0 / 200},
		{"behind", up, []Point{{20200101, 600}, {20250101, 699}}, Behind, expected, 99.0 / 200},
		{"reached early", up, []Point{{20200101, 600}, {20250101, 810}}, Reached, expected, 210.0 / 200},
		{"deadline passed", up, []Point{{20200101, 600}, {20300601, 790}}, Behind, 800, 190.0 / 200},
		{"baseline only", up, []Point{{20200101, 600}}, OnTrack, 600, 0},
		{"at most, on track", Target{Value: f(10), Date: 20300101, Direction: AtMost},
			[]Point{{20200101, 20}, {20250101, 14}}, OnTrack, 20 - 10*1827.0/3653, 0.6},
		{"at most, behind", Target{Value: f(10), Date: 20300101, Direction: AtMost},
			[]Point{{20200101, 20}, {20250101, 16}}, Behind, 20 - 10*1827.0/3653, 0.4},
		{"from a later baseline", Target{Value: f(800), Date: 20300101, Direction: AtLeast, From: 20250101},
			[]Point{{20200101, 500}, {20250101, 700}, {20260101, 720}}, OnTrack, 700 + 100*365.0/1826, 0.2},
	} {
		p := tc.t.Progress(tc.series)
		if p.Status != tc.status || p.Expected == nil || !near(*p.Expected, tc.exp) || p.Share == nil || !near(*p.Share, tc.share) {
			t.Errorf("%s: got %s expected %v share %v, want %s %v %v", tc.name, p.Status, deref(p.Expected), deref(p.Share), tc.status, tc.exp, tc.share)
		}
	}
	if p := up.Progress(nil); p.Status != NoData || p.Latest != nil {
		t.Errorf("no values: %+v", p)
	}
	if p := (Target{Value: f(600), Date: 20300101, Direction: AtLeast}).Progress([]Point{{20200101, 600}}); p.Status != Reached || p.Share != nil {
		t.Errorf("baseline at the target: %+v", p)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
