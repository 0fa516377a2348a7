package indicator

import (
	"strings"
	"testing"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

const head = `inputs:
  - {id: ew, kind: count, unit: Personen}
  - {id: sgb2, kind: count, unit: Personen}
  - {id: s1, kind: value, unit: "%"}
indicators:
`

// TestCatalogProblems: every kind of mistake is reported with its file and
// line, and nothing loads.
func TestCatalogProblems(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"unknown key", `  - {id: a, name: A, unit: "%", polarity: neutral, colour: red, compute: {op: ratio, numerator: sgb2, denominator: ew, scale: 100}}`,
			`c.yaml: line 6: field colour not found in type indicator.Definition`},
		{"unknown operator", `  - {id: a, name: A, unit: "%", polarity: neutral, compute: {op: median, inputs: [ew]}}`,
			`c.yaml:6 (a, compute.op): unknown operator "median"`},
		{"parameter of another operator", `  - {id: a, name: A, unit: "%", polarity: neutral, compute: {op: ratio, numerator: sgb2, denominator: ew, scale: 100, years: 2}}`,
			`c.yaml:6 (a, compute.years): operator ratio takes no years`},
		{"unknown reference", `  - {id: a, name: A, unit: "%", polarity: neutral, compute: {op: ratio, numerator: sgb3, denominator: ew, scale: 100}}`,
			`c.yaml:6 (a, compute.numerator): numerator "sgb3" is neither a declared input nor a defined indicator`},
		{"cycle", `  - {id: a, name: A, unit: Personen, polarity: neutral, compute: {op: sum, inputs: [ew, b]}}
  - {id: b, name: B, unit: Personen, polarity: neutral, compute: {op: sum, inputs: [ew, a]}}`,
			`cycle: a → b → a`},
		{"unit mismatch of a ratio", `  - {id: a, name: A, unit: "je 1.000 EW", polarity: neutral, compute: {op: ratio, numerator: sgb2, denominator: ew, scale: 100}}`,
			`c.yaml:6 (a, unit): unit mismatch: ratio gives "%" (or "je 100 …") for scale 100, but the unit is "je 1.000 EW"`},
		{"unit mismatch of a sum", `  - {id: a, name: A, unit: Personen, polarity: neutral, compute: {op: sum, inputs: [ew, s1]}}`,
			`unit mismatch: input s1 is in "%", the result in "Personen"`},
		{"a share where a count is needed", `  - {id: a, name: A, unit: "%", polarity: neutral, compute: {op: ratio, numerator: s1, denominator: ew, scale: 100}}`,
			`numerator s1 is a value (unit %), but ratio needs a count`},
		{"points of a count", `  - {id: a, name: A, unit: Prozentpunkte, polarity: neutral, compute: {op: change, of: ew, mode: points, years: 2}}`,
			`percentage points need a share in %, but ew is in "Personen"`},
		{"labels do not match breaks", `  - {id: a, name: A, unit: Index, polarity: neutral, classification: {method: manual, breaks: [-1, 1], labels: [x, y]},
      compute: {op: index, inputs: [s1], level: plr}}`,
			`2 breaks make 3 classes, but there are 2 labels`},
		{"bad polarity", `  - {id: a, name: A, unit: "%", polarity: bad, compute: {op: ratio, numerator: sgb2, denominator: ew, scale: 100}}`,
			`c.yaml:6 (a): polarity "bad": want higher_worse, higher_better or neutral`},
		{"duplicate id", `  - {id: ew, name: A, unit: Personen, polarity: neutral, compute: {op: sum, inputs: [ew, sgb2]}}`,
			`ew is declared as an input and defined as a computed indicator`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(map[string][]byte{"c.yaml": []byte(head + tc.yaml + "\n")})
			if err == nil {
				t.Fatalf("loaded; want an error with %q", tc.want)
			}
			if atlas.ErrorCode(err) != atlas.EINVALID || !strings.Contains(atlas.ErrorMessage(err), tc.want) {
				t.Errorf("got %q\nwant it to contain %q", atlas.ErrorMessage(err), tc.want)
			}
		})
	}
}

func TestOrderAndDependents(t *testing.T) {
	c, err := Parse(map[string][]byte{"c.yaml": []byte(head + `  - {id: rate, name: R, unit: "%", polarity: neutral, compute: {op: ratio, numerator: total, denominator: ew, scale: 100}}
  - {id: change, name: C, unit: Prozentpunkte, polarity: neutral, compute: {op: change, of: rate, mode: points, years: 1}}
  - {id: total, name: T, unit: Personen, polarity: neutral, compute: {op: sum, inputs: [sgb2, ew]}}
  - {id: other, name: O, unit: "%", polarity: neutral, compute: {op: ratio, numerator: ew, denominator: ew, scale: 100}}
`)})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, d := range c.Definitions {
		order = append(order, d.ID)
	}
	if got := strings.Join(order, ","); got != "total,rate,change,other" {
		t.Errorf("order %s, want total before rate before change", got)
	}
	if d, _ := c.Definition("total"); d.Kind != Count || len(d.Hash) != 64 {
		t.Errorf("total: kind %s hash %q", d.Kind, d.Hash)
	}
	var dep []string
	for _, d := range c.Dependents([]string{"sgb2"}) {
		dep = append(dep, d.ID)
	}
	if got := strings.Join(dep, ","); got != "total,rate,change" {
		t.Errorf("dependents of sgb2: %s", got)
	}
}
