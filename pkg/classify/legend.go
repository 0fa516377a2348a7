package classify

import (
	"fmt"
	"math"
	"strconv"
)

// Options describe an indicator's classification as a map, legend or export
// asks for it: a method with K classes, or fixed cut-offs (the MSS classes),
// with labels and a colour scheme.
type Options struct {
	Method Method
	K      int
	// Cutoffs are the upper bounds of every class but the last, for fixed
	// classes (Method Manual): the MSS Status-Index has cut-offs -1, 1, 1.5
	// for its four classes. The last class takes everything above.
	Cutoffs []float64
	// Labels name the classes, lowest first; default "1", "2", ….
	Labels []string
	// Scheme is a ColorBrewer scheme; default DefaultScheme(Polarity).
	Scheme   string
	Polarity string
}

// Legend is a classification with everything a legend shows.
type Legend struct {
	Method Method    `json:"method"`
	Breaks []float64 `json:"breaks"` // upper bounds, inclusive (see the package doc)
	Counts []int     `json:"counts"`
	Labels []string  `json:"labels"`
	Colors []string  `json:"colors"`
	Scheme string    `json:"scheme"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
}

// Classify classifies values (the published ones: no missing or withheld
// values) for a map, its legend and exports.
func Classify(values []float64, o Options) (Legend, error) {
	if o.Method == "" {
		o.Method = Quantile
	}
	if o.K == 0 && o.Method != Manual {
		o.K = 5
	}
	l := Legend{Method: o.Method}
	if o.Method == Manual && len(o.Cutoffs) > 0 {
		// Fixed classes: the cut-offs, then the data's maximum (or just
		// above the last cut-off when no value lies beyond it).
		if len(values) == 0 {
			return Legend{}, fmt.Errorf("classify: no values to classify")
		}
		top := math.Nextafter(o.Cutoffs[len(o.Cutoffs)-1], math.Inf(1))
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Legend{}, fmt.Errorf("classify: value %v; leave missing values out before classifying", v)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		l.Breaks = append(append([]float64(nil), o.Cutoffs...), math.Max(top, hi))
		l.Counts, l.Min, l.Max = Counts(l.Breaks, values), lo, hi
	} else {
		r, err := Compute(values, Spec{Method: o.Method, K: o.K, Breaks: o.Cutoffs})
		if err != nil {
			return Legend{}, err
		}
		l.Breaks, l.Counts, l.Min, l.Max = r.Breaks, r.Counts, r.Min, r.Max
	}
	k := len(l.Breaks)
	if o.Labels != nil {
		if len(o.Labels) != k {
			return Legend{}, fmt.Errorf("classify: %d labels for %d classes", len(o.Labels), k)
		}
		l.Labels = o.Labels
	} else {
		for i := range k {
			l.Labels = append(l.Labels, strconv.Itoa(i+1))
		}
	}
	polarity := o.Polarity
	if polarity == "" {
		polarity = Neutral
	}
	l.Scheme = o.Scheme
	if l.Scheme == "" {
		l.Scheme = DefaultScheme(polarity)
	}
	cols, err := Palette(l.Scheme, k, polarity)
	if err != nil {
		return Legend{}, err
	}
	l.Colors = cols
	return l, nil
}

// Class is the class index of v in the legend (see Class).
func (l Legend) Class(v float64) int { return Class(l.Breaks, v) }

// CutoffClass is the class of v under fixed cut-offs (the upper bounds of
// every class but the last, as Options.Cutoffs): the same rule as Class,
// with the last class open above.
func CutoffClass(cutoffs []float64, v float64) int {
	if math.IsNaN(v) {
		return -1
	}
	for i, c := range cutoffs {
		if v <= c {
			return i
		}
	}
	return len(cutoffs)
}
