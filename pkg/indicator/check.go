package indicator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Operators and the kind of what they produce. docs/indicators.md documents
// each with its formula.
const (
	OpRatio           = "ratio"            // scale × numerator / denominator
	OpSum             = "sum"              // a + b + …
	OpDifference      = "difference"       // a − b
	OpChange          = "change"           // change of one indicator between dates
	OpTrend           = "trend"            // OLS slope per year over n dates
	OpOfferCount      = "offer_count"      // offers (or places) per unit
	OpOfferRate       = "offer_rate"       // offers (or places) per scale residents
	OpOfferDensity    = "offer_density"    // offers (or places) per km² (geodesic)
	OpArea            = "area"             // geodesic area in km²
	OpCoverage        = "coverage"         // % of residents within distance of an offer
	OpNearestDistance = "nearest_distance" // population-weighted mean distance to the nearest offer
	OpFCA             = "fca"              // 2SFCA / Gaussian E2SFCA
	OpIndex           = "index"            // z-standardised composite index (MSS)
	OpCross           = "cross"            // combination of two classified indices (4 × 3)
)

var ops = map[string]struct {
	kind   Kind
	params []string // allowed compute keys besides op and align
}{
	OpRatio:           {Rate, []string{"numerator", "denominator", "scale", "align", "interpolate"}},
	OpSum:             {"", []string{"inputs", "align", "interpolate"}},
	OpDifference:      {"", []string{"inputs", "align", "interpolate"}},
	OpChange:          {Value, []string{"of", "mode", "years"}},
	OpTrend:           {Value, []string{"of", "periods"}},
	OpOfferCount:      {Count, []string{"layer", "filter", "measure", "population", "dates", "level", "interpolate"}},
	OpOfferRate:       {Rate, []string{"layer", "filter", "measure", "population", "scale", "interpolate"}},
	OpOfferDensity:    {Rate, []string{"layer", "filter", "measure", "population", "dates", "level", "interpolate"}},
	OpArea:            {Count, []string{"population", "dates", "level", "interpolate"}},
	OpCoverage:        {Rate, []string{"layer", "filter", "population", "distance", "interpolate"}},
	OpNearestDistance: {Rate, []string{"layer", "filter", "population", "interpolate"}},
	OpFCA:             {Rate, []string{"layer", "filter", "measure", "population", "d0", "weight", "beta", "scale", "interpolate"}},
	OpIndex:           {Value, []string{"inputs", "sd", "rescale", "weights", "min_population", "exclude", "level", "align"}},
	OpCross:           {Value, []string{"inputs", "level"}},
}

// Operators lists the operator names, sorted.
func Operators() []string {
	out := make([]string, 0, len(ops))
	for k := range ops {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func checkInput(p *problems, in *Input) {
	where := fmt.Sprintf("%s:%d (input %s)", in.File, in.Line, in.ID)
	if !atlas.ValidID(in.ID) {
		p.add("%s: id %q: want lower-case letters, digits, _ and -, starting with a letter", where, in.ID)
	}
	switch in.Kind {
	case Count, Rate, Value:
	default:
		p.add("%s: kind %q: want count, rate or value", where, in.Kind)
	}
	if strings.TrimSpace(in.Unit) == "" {
		p.add("%s: unit is empty: say it (Personen, %%, …) so that units can be checked", where)
	}
	if in.Disclosure.Protects() && in.Kind != Count {
		p.add("%s: disclosure applies to counts; a %s is protected through its counts", where, in.Kind)
	}
}

func checkDefinition(p *problems, c *Catalog, d *Definition) {
	if !atlas.ValidID(d.ID) {
		p.add("%s: id %q: want lower-case letters, digits, _ and -, starting with a letter", d.where("id"), d.ID)
		return
	}
	ind := d.Indicator()
	if err := ind.Validate(); err != nil {
		p.add("%s: %s", d.where(""), strings.TrimPrefix(atlas.ErrorMessage(err), "indicator "+d.ID+": "))
	}
	if d.Visibility == atlas.Confidential {
		p.add("%s: a computed indicator cannot be confidential: it is what gets published", d.where("visibility"))
	}
	cp := &d.Compute
	spec, ok := ops[cp.Op]
	if !ok {
		p.add("%s: unknown operator %q: want one of %s", d.where("compute.op"), cp.Op, strings.Join(Operators(), ", "))
		return
	}
	// Parameters an operator does not take are mistakes (a typo, or a
	// parameter of another operator), not things to ignore.
	for key := range d.lines {
		k, ok := strings.CutPrefix(key, "compute.")
		if !ok || strings.Contains(k, ".") || k == "op" {
			continue
		}
		if !slices.Contains(spec.params, k) {
			p.add("%s: operator %s takes no %s (it takes %s)", d.where(key), cp.Op, k, strings.Join(spec.params, ", "))
		}
	}
	if cp.Align != "" && cp.Align != AlignSame && cp.Align != AlignLatest {
		p.add("%s: align %q: want same or latest", d.where("compute.align"), cp.Align)
	}
	ref := func(field, id string) Kind {
		if id == "" {
			p.add("%s: %s is missing", d.where("compute."+field), field)
			return ""
		}
		if id == d.ID {
			p.add("%s: %s refers to the indicator itself", d.where("compute."+field), field)
			return ""
		}
		k := c.KindOf(id)
		if k == "" {
			p.add("%s: %s %q is neither a declared input nor a defined indicator", d.where("compute."+field), field, id)
			return ""
		}
		d.Reads = append(d.Reads, id)
		return k
	}
	wantCount := func(field, id string, k Kind) {
		if k != "" && k != Count {
			p.add("%s: %s %s is a %s (unit %s), but %s needs a count", d.where("compute."+field), field, id, k, c.UnitOf(id), cp.Op)
		}
	}
	wantUnit := func(field string, ok bool, want string) {
		if !ok {
			p.add("%s: unit mismatch: %s gives %s, but the unit is %q", d.where(field), cp.Op, want, d.Unit)
		}
	}
	d.Kind = spec.kind
	switch cp.Op {
	case OpRatio:
		wantCount("numerator", cp.Numerator, ref("numerator", cp.Numerator))
		wantCount("denominator", cp.Denominator, ref("denominator", cp.Denominator))
		checkScale(p, d, wantUnit)
	case OpSum, OpDifference:
		if cp.Op == OpDifference && len(cp.Inputs) != 2 {
			p.add("%s: difference takes exactly two inputs (a − b), got %d", d.where("compute.inputs"), len(cp.Inputs))
		}
		if cp.Op == OpSum && len(cp.Inputs) < 2 {
			p.add("%s: sum takes two or more inputs, got %d", d.where("compute.inputs"), len(cp.Inputs))
		}
		d.Kind = Count
		for _, id := range cp.Inputs {
			if k := ref("inputs", id); k != Count {
				d.Kind = Value
			}
			if u := c.UnitOf(id); u != "" && u != d.Unit {
				p.add("%s: unit mismatch: input %s is in %q, the result in %q; %s adds only like with like", d.where("compute.inputs"), id, u, d.Unit, cp.Op)
			}
		}
	case OpChange:
		ref("of", cp.Of)
		if cp.Years < 1 {
			p.add("%s: years must be 1 or more (the change from the date years before)", d.where("compute.years"))
		}
		u := c.UnitOf(cp.Of)
		switch cp.Mode {
		case "absolute":
			wantUnit("unit", d.Unit == u, fmt.Sprintf("the unit of %s (%q)", cp.Of, u))
		case "relative":
			wantUnit("unit", d.Unit == "%", `"%"`)
		case "points":
			if u != "" && u != "%" {
				p.add("%s: unit mismatch: percentage points need a share in %%, but %s is in %q", d.where("compute.of"), cp.Of, u)
			}
			wantUnit("unit", d.Unit == "Prozentpunkte", `"Prozentpunkte"`)
		default:
			p.add("%s: mode %q: want absolute, relative or points", d.where("compute.mode"), cp.Mode)
		}
	case OpTrend:
		ref("of", cp.Of)
		if cp.Periods < 2 {
			p.add("%s: periods must be 2 or more", d.where("compute.periods"))
		}
		u := c.UnitOf(cp.Of)
		if u == "%" {
			u = "Prozentpunkte"
		}
		wantUnit("unit", u == "" || d.Unit == u+" je Jahr", fmt.Sprintf("%q", u+" je Jahr"))
	case OpOfferCount, OpOfferRate, OpOfferDensity, OpCoverage, OpNearestDistance, OpFCA:
		checkOffers(p, c, d, ref, wantCount, wantUnit)
	case OpArea:
		d.Kind = Count
		wantUnit("unit", d.Unit == "km²", `"km²"`)
		if cp.Population != "" {
			wantCount("population", cp.Population, ref("population", cp.Population))
		} else if len(cp.Dates) == 0 {
			p.add("%s: say the dates (dates: [2024-12-31]) or a population whose dates to follow", d.where("compute"))
		}
		checkDates(p, d)
	case OpIndex:
		checkIndex(p, c, d, ref)
	case OpCross:
		if len(cp.Inputs) != 2 {
			p.add("%s: cross takes two classified indicators, got %d", d.where("compute.inputs"), len(cp.Inputs))
			break
		}
		for _, id := range cp.Inputs {
			ref("inputs", id)
			if o, ok := c.defs[id]; ok && (o.Classification == nil || len(o.Classification.Labels) == 0) {
				p.add("%s: %s has no class labels to cross", d.where("compute.inputs"), id)
			} else if !ok && c.inputs[id] != nil {
				p.add("%s: %s is an input without classes; cross combines classified indicators", d.where("compute.inputs"), id)
			}
		}
	}
	if ip := cp.Interpolate; ip != nil {
		if len(ip.Levels) == 0 {
			p.add("%s: interpolate needs levels (the levels that do not nest)", d.where("compute.interpolate"))
		}
		switch ip.By {
		case "area":
		case "population":
			if ip.Population == "" {
				p.add("%s: interpolate by population needs population (a count)", d.where("compute.interpolate"))
			} else {
				wantCount("interpolate.population", ip.Population, ref("interpolate.population", ip.Population))
			}
		default:
			p.add("%s: interpolate by %q: want area or population", d.where("compute.interpolate.by"), ip.By)
		}
	}
	checkClassification(p, d)
}

// checkScale ties a rate's scale to its unit: 100 → %, 1000 → per 1,000.
func checkScale(p *problems, d *Definition, wantUnit func(string, bool, string)) {
	switch s := d.Compute.Scale; s {
	case 100:
		wantUnit("unit", d.Unit == "%" || strings.Contains(d.Unit, "je 100 "), `"%" (or "je 100 …") for scale 100`)
	case 1000:
		wantUnit("unit", strings.Contains(d.Unit, "1.000") || strings.Contains(d.Unit, "1000"), `"je 1.000 …" for scale 1000`)
	case 100000:
		wantUnit("unit", strings.Contains(d.Unit, "100.000"), `"je 100.000 …" for scale 100000`)
	case 1:
	case 0:
		p.add("%s: scale is missing: 1 (a fraction), 100 (%%), 1000 (per 1,000) or 100000", d.where("compute"))
	default:
		p.add("%s: scale %g: want 1, 100, 1000 or 100000", d.where("compute.scale"), s)
	}
}

func checkOffers(p *problems, c *Catalog, d *Definition, ref func(string, string) Kind, wantCount func(string, string, Kind), wantUnit func(string, bool, string)) {
	cp := &d.Compute
	if cp.Layer == "" {
		p.add("%s: layer is missing (the offer layer to count)", d.where("compute"))
	} else if !atlas.ValidID(cp.Layer) {
		p.add("%s: layer %q is not an offer layer id", d.where("compute.layer"), cp.Layer)
	}
	switch cp.Measure {
	case "", "count", "capacity":
	default:
		p.add("%s: measure %q: want count or capacity (places)", d.where("compute.measure"), cp.Measure)
	}
	needPop := cp.Op != OpOfferCount && cp.Op != OpOfferDensity
	if cp.Population != "" {
		wantCount("population", cp.Population, ref("population", cp.Population))
	} else if needPop {
		p.add("%s: population is missing (a count of residents whose finest level carries the demand)", d.where("compute"))
	} else if len(cp.Dates) == 0 {
		p.add("%s: say the dates (dates: [2024-12-31]) or a population whose dates to follow", d.where("compute"))
	}
	checkDates(p, d)
	switch cp.Op {
	case OpOfferRate:
		checkScale(p, d, wantUnit)
	case OpFCA:
		if cp.Scale == 0 {
			cp.Scale = 1000
		}
		checkScale(p, d, wantUnit)
		if cp.D0 <= 0 || cp.D0 > 50000 {
			p.add("%s: d0 (the catchment in metres) must be above 0 and at most 50,000", d.where("compute.d0"))
		}
		switch cp.Weight {
		case "", "step", "gaussian":
		default:
			p.add("%s: weight %q: want step (2SFCA) or gaussian (E2SFCA)", d.where("compute.weight"), cp.Weight)
		}
		if cp.Beta < 0 || (cp.Beta > 0 && cp.Weight != "gaussian") {
			p.add("%s: beta applies to weight: gaussian and must be positive", d.where("compute.beta"))
		}
	case OpOfferDensity:
		wantUnit("unit", strings.Contains(d.Unit, "km²"), `"je km²"`)
	case OpCoverage:
		wantUnit("unit", d.Unit == "%", `"%"`)
		if cp.Distance <= 0 || cp.Distance > 50000 {
			p.add("%s: distance (metres) must be above 0 and at most 50,000", d.where("compute.distance"))
		}
	case OpNearestDistance:
		wantUnit("unit", d.Unit == "m", `"m"`)
	}
}

func checkDates(p *problems, d *Definition) {
	for _, s := range d.Compute.Dates {
		if _, err := atlas.ParseDate(s); err != nil {
			p.add("%s: %s", d.where("compute.dates"), atlas.ErrorMessage(err))
		}
	}
}

func checkIndex(p *problems, c *Catalog, d *Definition, ref func(string, string) Kind) {
	cp := &d.Compute
	if len(cp.Inputs) < 1 {
		p.add("%s: index needs its indicators under inputs", d.where("compute.inputs"))
	}
	for _, id := range cp.Inputs {
		ref("inputs", id)
	}
	if cp.Weights != nil && len(cp.Weights) != len(cp.Inputs) {
		p.add("%s: %d weights for %d inputs", d.where("compute.weights"), len(cp.Weights), len(cp.Inputs))
	}
	switch cp.SD {
	case "", "population", "sample":
	default:
		p.add("%s: sd %q: want population (divide by n, as the MSS) or sample (n − 1)", d.where("compute.sd"), cp.SD)
	}
	if cp.Level == "" {
		p.add("%s: level is missing: an index standardises over the units of one level", d.where("compute"))
	}
	if mp := cp.MinPopulation; mp != nil {
		ref("min_population.indicator", mp.Indicator)
	}
	if d.Classification != nil && d.Classification.Method != "manual" {
		p.add("%s: an index is classified by its cut-offs: method manual with breaks and labels", d.where("classification.method"))
	}
}

func checkClassification(p *problems, d *Definition) {
	cl := d.Classification
	if cl == nil {
		return
	}
	switch cl.Method {
	case "quantile", "equal_interval", "jenks", "stddev":
		if cl.K != 0 && (cl.K < 2 || cl.K > 12) {
			p.add("%s: k %d: want 2 to 12", d.where("classification.k"), cl.K)
		}
		if len(cl.Breaks) > 0 {
			p.add("%s: breaks go with method manual", d.where("classification.breaks"))
		}
	case "manual":
		if len(cl.Breaks) == 0 {
			p.add("%s: manual classification needs breaks", d.where("classification.breaks"))
		}
		if !slices.IsSorted(cl.Breaks) {
			p.add("%s: breaks must ascend", d.where("classification.breaks"))
		}
		if len(cl.Labels) > 0 && len(cl.Labels) != len(cl.Breaks)+1 {
			p.add("%s: %d breaks make %d classes, but there are %d labels", d.where("classification.labels"), len(cl.Breaks), len(cl.Breaks)+1, len(cl.Labels))
		}
	default:
		p.add("%s: method %q: want quantile, equal_interval, jenks, stddev or manual", d.where("classification.method"), cl.Method)
	}
}

// order sorts the definitions so that each comes after what it reads, and
// reports cycles with their path.
func order(p *problems, c *Catalog) {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var out []*Definition
	var stack []string
	var visit func(d *Definition) bool
	visit = func(d *Definition) bool {
		switch state[d.ID] {
		case done:
			return true
		case active:
			i := slices.Index(stack, d.ID)
			cycle := append(slices.Clone(stack[i:]), d.ID)
			p.add("%s: cycle: %s", d.where("compute"), strings.Join(cycle, " → "))
			return false
		}
		state[d.ID] = active
		stack = append(stack, d.ID)
		for _, id := range d.Reads {
			if o, ok := c.defs[id]; ok && !visit(o) {
				return false
			}
		}
		stack = stack[:len(stack)-1]
		state[d.ID] = done
		out = append(out, d)
		return true
	}
	for _, d := range c.Definitions {
		if !visit(d) {
			return
		}
	}
	c.Definitions = out
}

// Dependents returns the definitions that read any of ids, directly or
// through other definitions, in dependency order.
func (c *Catalog) Dependents(ids []string) []*Definition {
	hit := map[string]bool{}
	for _, id := range ids {
		hit[id] = true
	}
	var out []*Definition
	for _, d := range c.Definitions { // dependency order: one pass suffices
		for _, r := range d.Reads {
			if hit[r] {
				hit[d.ID] = true
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// Closure returns defs and everything they read, in dependency order.
func (c *Catalog) Closure(defs []*Definition) []*Definition {
	need := map[string]bool{}
	var mark func(id string)
	mark = func(id string) {
		if need[id] {
			return
		}
		need[id] = true
		if d, ok := c.defs[id]; ok {
			for _, r := range d.Reads {
				mark(r)
			}
		}
	}
	for _, d := range defs {
		mark(d.ID)
	}
	var out []*Definition
	for _, d := range c.Definitions {
		if need[d.ID] {
			out = append(out, d)
		}
	}
	return out
}
