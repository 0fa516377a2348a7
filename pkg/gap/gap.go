// Package gap is the need-versus-supply gap analysis: each area is put
// into one of 3 × 3 classes, need low, middle or high against supply low,
// middle or high, from two indicators and two cut-offs on each. The areas
// of high need and low supply are the gaps an action plan looks at first.
//
// Both axes are read in the direction of the question, not of the
// numbers: an indicator's polarity says which end of its values is need
// (or supply). For a need indicator where higher is better (a status
// index on which higher means better off) the low values are high need;
// for a supply indicator where higher is worse (the distance to the
// nearest offer) the low values are high supply. Neutral indicators count
// like higher_worse for need (more children, more need) and like
// higher_better for supply (more places, more supply).
//
// Cut-offs are the upper bounds of the low and the middle class of an
// indicator's own values, inclusive, as pkg/classify's breaks are; by
// default the terciles of the published values, computed by pkg/classify's
// quantile method. The package is pure: it never sees a withheld number,
// only that a value was withheld.
package gap

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/sozialatlas/sozialatlas/pkg/atlas"
	"github.com/sozialatlas/sozialatlas/pkg/classify"
)

// Level is a position on one axis, Low to High in the direction of the
// question (more need, more supply).
type Level int

const (
	Low Level = iota
	Mid
	High
)

var levelNames = [3]string{"low", "mid", "high"}

func (l Level) String() string { return levelNames[l] }

// Side is one axis: the indicator's polarity and its two cut-offs.
type Side struct {
	Polarity atlas.Polarity
	Cutoffs  [2]float64
}

// valueClass is the class of v by the cut-offs: 0 up to the first, 1 up
// to the second, 2 above, the one break convention of pkg/classify.
func (s Side) valueClass(v float64) Level {
	return Level(classify.CutoffClass(s.Cutoffs[:], v))
}

// Need is the need level of a value of the need indicator.
func (s Side) Need(v float64) Level {
	c := s.valueClass(v)
	if s.Polarity == atlas.HigherBetter {
		return High - c
	}
	return c
}

// Supply is the supply level of a value of the supply indicator.
func (s Side) Supply(v float64) Level {
	c := s.valueClass(v)
	if s.Polarity == atlas.HigherWorse {
		return High - c
	}
	return c
}

// NeedEnd says which end of the need indicator's values is high need:
// "high" or "low" values.
func NeedEnd(p atlas.Polarity) string {
	if p == atlas.HigherBetter {
		return "low"
	}
	return "high"
}

// SupplyEnd says which end of the supply indicator's values is high
// supply.
func SupplyEnd(p atlas.Polarity) string {
	if p == atlas.HigherWorse {
		return "low"
	}
	return "high"
}

// Terciles are the default cut-offs: the 1/3 and 2/3 quantiles of the
// values by pkg/classify's quantile method (linear interpolation). Values
// with so many ties that the terciles coincide cannot be split into three
// classes; the error says so, and the caller should give cut-offs.
func Terciles(values []float64) ([2]float64, error) {
	r, err := classify.Compute(values, classify.Spec{Method: classify.Quantile, K: 3})
	if err != nil {
		return [2]float64{}, fmt.Errorf("terciles: %s", strings.TrimPrefix(err.Error(), "classify: "))
	}
	if len(r.Breaks) < 3 {
		return [2]float64{}, fmt.Errorf("terciles: the %d values have so many ties that their terciles coincide (breaks %v); give the two cut-offs", len(values), r.Breaks)
	}
	return [2]float64{r.Breaks[0], r.Breaks[1]}, nil
}

// Value is one indicator's value in an area as published: a number only
// when Status is ok.
type Value struct {
	V      float64
	Status atlas.Status
}

// Area is one area's two values.
type Area struct {
	Code         string
	Need, Supply Value
}

// Class keys besides the nine of Classes.
const (
	NoData     = "no_data"    // a value is missing
	Suppressed = "suppressed" // a value is withheld (disclosure control)
)

// Result is one area's class.
type Result struct {
	Code string
	// Key is the class: Key(need, supply), or NoData or Suppressed.
	Key          string
	Need, Supply Level // set when Key is one of the nine classes
}

// Classified reports whether the area lies in one of the nine classes.
func (r Result) Classified() bool { return r.Key != NoData && r.Key != Suppressed }

// Gap reports whether the area has high need and low supply.
func (r Result) Gap() bool { return r.Classified() && r.Need == High && r.Supply == Low }

// Key names a class: "<need>-<supply>", e.g. "high-low".
func Key(need, supply Level) string { return need.String() + "-" + supply.String() }

// Classify puts each area into its class. A withheld value on either
// side makes the area Suppressed, else a missing one NoData: neither is
// guessed.
func Classify(areas []Area, need, supply Side) []Result {
	out := make([]Result, len(areas))
	for i, a := range areas {
		r := Result{Code: a.Code}
		switch {
		case a.Need.Status == atlas.Suppressed || a.Supply.Status == atlas.Suppressed:
			r.Key = Suppressed
		case a.Need.Status != atlas.OK || a.Supply.Status != atlas.OK || math.IsNaN(a.Need.V) || math.IsNaN(a.Supply.V):
			r.Key = NoData
		default:
			r.Need, r.Supply = need.Need(a.Need.V), supply.Supply(a.Supply.V)
			r.Key = Key(r.Need, r.Supply)
		}
		out[i] = r
	}
	return out
}

// Gaps are the indices of the areas with high need and low supply, the
// most need first (ties by code).
func Gaps(areas []Area, results []Result, need Side) []int {
	var idx []int
	for i, r := range results {
		if r.Gap() {
			idx = append(idx, i)
		}
	}
	sign := 1.0
	if need.Polarity == atlas.HigherBetter {
		sign = -1
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(sign*areas[b].Need.V, sign*areas[a].Need.V), strings.Compare(areas[a].Code, areas[b].Code))
	})
	return idx
}

// ClassInfo is one class of the legend.
type ClassInfo struct {
	Key     string
	Need    Level
	Supply  Level
	Color   string
	LabelDE string
	LabelEN string
}

// Scheme names the colours: Joshua Stevens' 3 × 3 bivariate scheme
// (grey – teal – pink, "Bivariate Choropleth Maps: A How-to Guide", 2015;
// GrPink in the R package biscale), need along the teal axis and the
// shortfall of supply along the pink one, so that high need with low
// supply is the darkest class and low need with high supply the lightest.
const Scheme = "Stevens GrPink 3x3: need along the teal axis, supply shortfall along the pink axis"

// stevens[y][x]: x the need level, y the supply shortfall (High - supply).
var stevens = [3][3]string{
	{"#e8e8e8", "#ace4e4", "#5ac8c8"},
	{"#dfb0d6", "#a5add3", "#5698b9"},
	{"#be64ac", "#8c62aa", "#3b4994"},
}

// Colours of the areas outside the nine classes, as the maps draw them
// (pkg/render: no data grey, withheld light grey under hatching).
const (
	NoDataColor     = "#c6c6c6"
	SuppressedColor = "#f2f2f2"
)

var (
	levelDE = [3]string{"niedrig", "mittel", "hoch"}
	levelEN = [3]string{"low", "middle", "high"}
)

// Classes are the nine classes, need low to high, each with supply high
// to low (the reading order of the legend's grid, gaps last).
func Classes() []ClassInfo {
	var out []ClassInfo
	for need := Low; need <= High; need++ {
		for supply := High; supply >= Low; supply-- {
			out = append(out, ClassInfo{Key: Key(need, supply), Need: need, Supply: supply,
				Color:   stevens[High-supply][need],
				LabelDE: "Bedarf " + levelDE[need] + ", Angebot " + levelDE[supply],
				LabelEN: "need " + levelEN[need] + ", supply " + levelEN[supply]})
		}
	}
	return out
}

// Counts counts the results by key (the nine classes, NoData and
// Suppressed, each present).
func Counts(results []Result) map[string]int {
	out := map[string]int{NoData: 0, Suppressed: 0}
	for _, c := range Classes() {
		out[c.Key] = 0
	}
	for _, r := range results {
		out[r.Key]++
	}
	return out
}
