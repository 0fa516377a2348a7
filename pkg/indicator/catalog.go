// Package indicator reads and checks the indicator catalog: YAML files that
// define computed indicators as data (an operator and its parameters), so
// that a planner adds an indicator without touching Go and no user code ever
// runs. Load reports schema errors, unknown references, cycles and unit
// mismatches with file and line, and orders the definitions so that every
// indicator comes after the ones it reads. The engine (pkg/engine) evaluates
// them; docs/indicators.md is the reference of the format and the operators.
package indicator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
)

// Kind says how values of an indicator add up across areas, which decides
// how they are aggregated to upper levels and which operators accept them.
type Kind string

const (
	// Count: an extensive quantity (residents, offers, places). Upper
	// levels sum the children.
	Count Kind = "count"
	// Rate: scale × numerator / denominator of two counts. Upper levels
	// sum numerators and denominators and divide again, never average.
	Rate Kind = "rate"
	// Value: anything else (a published share without its counts, an
	// index, a change of shares). Not aggregated; operators over values
	// are evaluated at each level where their inputs exist.
	Value Kind = "value"
)

// Catalog is a loaded, checked catalog.
type Catalog struct {
	Defaults Defaults
	// Inventory is the offer inventory's configuration (nil: defaults).
	Inventory *Inventory
	// Gaps are the need/supply pairs of the gap analysis.
	Gaps []*GapPair
	// Inputs are the imported indicators the definitions read.
	Inputs []*Input
	// Definitions in dependency order: each after everything it reads.
	Definitions []*Definition

	inputs map[string]*Input
	defs   map[string]*Definition
}

// Defaults apply to every definition that does not say otherwise.
type Defaults struct {
	// Disclosure is the global disclosure rule (default k = 3).
	Disclosure *Disclosure `yaml:"disclosure" json:"disclosure"`
	// Align is the default date alignment, AlignSame or AlignLatest.
	Align string `yaml:"align" json:"align"`
}

// Date alignment of a definition's inputs to its target dates.
const (
	AlignSame   = "same"   // every input must have the target date
	AlignLatest = "latest" // each input's latest date on or before the target date
)

// Disclosure is a disclosure-control rule: counts below K are suppressed.
// In YAML either {k: 3} or the word none.
type Disclosure struct {
	K int `json:"k"`
}

// Protects reports whether the rule suppresses anything.
func (d *Disclosure) Protects() bool { return d != nil && d.K > 0 }

// Input declares an imported indicator that definitions read.
type Input struct {
	ID   string `yaml:"id" json:"id"`
	Kind Kind   `yaml:"kind" json:"kind"`
	Unit string `yaml:"unit" json:"unit"`
	// Disclosure protects a count. Confidential inputs (raw counts from the
	// statistics office) default to the catalog's rule; published ones to
	// none, since their publisher has already applied its own.
	Disclosure *Disclosure `yaml:"disclosure" json:"disclosure,omitempty"`

	File string `yaml:"-" json:"-"`
	Line int    `yaml:"-" json:"-"`
}

// Classification is an indicator's default classification for maps,
// legends and exports (pkg/classify implements it).
type Classification struct {
	Method string    `yaml:"method" json:"method"`
	K      int       `yaml:"k" json:"k,omitempty"`
	Breaks []float64 `yaml:"breaks" json:"breaks,omitempty"` // manual upper bounds of all classes but the last
	Labels []string  `yaml:"labels" json:"labels,omitempty"` // one per class, lowest first
	Scheme string    `yaml:"scheme" json:"scheme,omitempty"`
}

// Definition is one computed indicator: its metadata and its formula.
type Definition struct {
	ID          string           `yaml:"id" json:"id"`
	Name        string           `yaml:"name" json:"name"`
	Unit        string           `yaml:"unit" json:"unit"`
	Description string           `yaml:"description" json:"description,omitempty"`
	Topic       string           `yaml:"topic" json:"topic,omitempty"`
	Source      string           `yaml:"source" json:"source,omitempty"`
	Licence     string           `yaml:"licence" json:"licence,omitempty"`
	Attribution string           `yaml:"attribution" json:"attribution,omitempty"`
	Polarity    atlas.Polarity   `yaml:"polarity" json:"polarity"`
	Precision   *int             `yaml:"precision" json:"precision,omitempty"`
	Visibility  atlas.Visibility `yaml:"visibility" json:"visibility,omitempty"`
	Interval    string           `yaml:"interval" json:"interval,omitempty"`
	// Classification is the default for maps; for an index its breaks and
	// labels are part of the method (the MSS cut-offs).
	Classification *Classification `yaml:"classification" json:"classification,omitempty"`
	// Disclosure overrides the catalog's rule for counts this definition
	// produces.
	Disclosure *Disclosure `yaml:"disclosure" json:"disclosure,omitempty"`
	Compute    Compute     `yaml:"compute" json:"compute"`
	// Targets are the action plan's key figures for this indicator; they
	// change no number, so they are not part of the hash.
	Targets []Target `yaml:"targets" json:"targets,omitempty"`

	// Set by Load.
	Kind  Kind     `yaml:"-" json:"-"`
	Reads []string `yaml:"-" json:"-"` // indicator ids this definition reads
	File  string   `yaml:"-" json:"-"`
	Line  int      `yaml:"-" json:"-"`
	Hash  string   `yaml:"-" json:"-"` // sha256 of the definition, for provenance

	lines map[string]int // "compute.numerator" → line
}

// Compute is a formula: an operator and its parameters. Which parameters
// an operator takes is listed in docs/indicators.md and checked by Load.
type Compute struct {
	Op string `yaml:"op" json:"op"`

	// ratio
	Numerator   string  `yaml:"numerator" json:"numerator,omitempty"`
	Denominator string  `yaml:"denominator" json:"denominator,omitempty"`
	Scale       float64 `yaml:"scale" json:"scale,omitempty"`

	// sum, difference, index, cross
	Inputs []string `yaml:"inputs" json:"inputs,omitempty"`

	// change, trend
	Of      string `yaml:"of" json:"of,omitempty"`
	Mode    string `yaml:"mode" json:"mode,omitempty"` // change: absolute, relative, points
	Years   int    `yaml:"years" json:"years,omitempty"`
	Periods int    `yaml:"periods" json:"periods,omitempty"`

	Align string `yaml:"align" json:"align,omitempty"`

	// offer and accessibility operators
	Layer      string       `yaml:"layer" json:"layer,omitempty"`
	Filter     *OfferFilter `yaml:"filter" json:"filter,omitempty"`
	Measure    string       `yaml:"measure" json:"measure,omitempty"` // count or capacity
	Population string       `yaml:"population" json:"population,omitempty"`
	Distance   float64      `yaml:"distance" json:"distance,omitempty"` // coverage radius, m
	D0         float64      `yaml:"d0" json:"d0,omitempty"`             // catchment, m
	Weight     string       `yaml:"weight" json:"weight,omitempty"`     // step or gaussian
	Beta       float64      `yaml:"beta" json:"beta,omitempty"`         // gaussian β in m²
	Dates      []string     `yaml:"dates" json:"dates,omitempty"`       // target dates of offer counts without population

	// index
	SD            string         `yaml:"sd" json:"sd,omitempty"` // population or sample
	Rescale       *bool          `yaml:"rescale" json:"rescale,omitempty"`
	Weights       []float64      `yaml:"weights" json:"weights,omitempty"`
	MinPopulation *MinPopulation `yaml:"min_population" json:"min_population,omitempty"`
	Exclude       []string       `yaml:"exclude" json:"exclude,omitempty"`
	Level         string         `yaml:"level" json:"level,omitempty"`
	Interpolate   *Interpolation `yaml:"interpolate" json:"interpolate,omitempty"`
}

// OfferFilter selects offers; empty fields match everything.
type OfferFilter struct {
	Category     []string `yaml:"category" json:"category,omitempty"`
	Subcategory  []string `yaml:"subcategory" json:"subcategory,omitempty"`
	ProviderType []string `yaml:"provider_type" json:"provider_type,omitempty"`
	TargetGroup  []string `yaml:"target_group" json:"target_group,omitempty"`
}

// MinPopulation keeps areas with fewer residents out of an index.
type MinPopulation struct {
	Indicator string  `yaml:"indicator" json:"indicator"`
	Value     float64 `yaml:"value" json:"value"`
}

// Interpolation carries an indicator to levels that do not nest with the
// level it is computed at.
type Interpolation struct {
	Levels []string `yaml:"levels" json:"levels"`
	By     string   `yaml:"by" json:"by"` // area or population
	// Population is the count whose carriers weight "by: population".
	Population string `yaml:"population" json:"population,omitempty"`
}

// Input returns the declared input with this id.
func (c *Catalog) Input(id string) (*Input, bool) { in, ok := c.inputs[id]; return in, ok }

// Definition returns the definition with this id.
func (c *Catalog) Definition(id string) (*Definition, bool) { d, ok := c.defs[id]; return d, ok }

// KindOf returns the kind of an input or definition.
func (c *Catalog) KindOf(id string) Kind {
	return c.kindOf(id, map[string]bool{})
}

// kindOf derives a definition's kind from its operator, before or after
// the definition itself is checked; visiting guards against cycles (which
// order reports).
func (c *Catalog) kindOf(id string, visiting map[string]bool) Kind {
	if in, ok := c.inputs[id]; ok {
		return in.Kind
	}
	d, ok := c.defs[id]
	if !ok {
		return ""
	}
	if d.Kind != "" {
		return d.Kind
	}
	spec, known := ops[d.Compute.Op]
	if !known {
		return Value
	}
	if spec.kind != "" {
		return spec.kind
	}
	if visiting[id] {
		return Value
	}
	visiting[id] = true
	for _, in := range d.Compute.Inputs { // sum, difference: counts add up to a count
		if c.kindOf(in, visiting) != Count {
			return Value
		}
	}
	return Count
}

// UnitOf returns the unit of an input or definition.
func (c *Catalog) UnitOf(id string) string {
	if in, ok := c.inputs[id]; ok {
		return in.Unit
	}
	if d, ok := c.defs[id]; ok {
		return d.Unit
	}
	return ""
}

// Indicator returns the metadata the store keeps for a definition.
func (d *Definition) Indicator() atlas.Indicator {
	prec := 2
	if d.Precision != nil {
		prec = *d.Precision
	}
	vis := d.Visibility
	if vis == "" {
		vis = atlas.Public
	}
	return atlas.Indicator{ID: d.ID, Name: d.Name, Unit: d.Unit, Description: d.Description, Topic: d.Topic,
		Source: d.Source, Licence: d.Licence, Attribution: d.Attribution, Polarity: d.Polarity,
		Precision: prec, Visibility: vis, Interval: d.Interval}
}

// where names a definition's field for messages: "berlin.yaml:42 (mss-status-index, compute.inputs)".
func (d *Definition) where(field string) string {
	line := d.Line
	if l, ok := d.lines[field]; ok {
		line = l
	}
	if field == "" {
		return fmt.Sprintf("%s:%d (%s)", d.File, line, d.ID)
	}
	return fmt.Sprintf("%s:%d (%s, %s)", d.File, line, d.ID, field)
}

func hashOf(d *Definition) string {
	// The hash covers everything that changes the numbers: the formula,
	// the disclosure rule and the classification; not names or texts.
	b, _ := json.Marshal(struct {
		Compute        Compute
		Disclosure     *Disclosure
		Classification *Classification
		Kind           Kind
	}{d.Compute, d.Disclosure, d.Classification, d.Kind})
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
