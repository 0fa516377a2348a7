package classify

import (
	"fmt"
	"image/color"
	"slices"
	"sort"

	"gonum.org/v1/plot/palette/brewer"
)

// The colour table is ColorBrewer's (Cynthia Brewer, Mark Harrower and The
// Pennsylvania State University, Apache-2.0), as shipped and maintained in
// gonum.org/v1/plot/palette/brewer together with ColorBrewer's usability
// ratings.

// SchemeType is the kind of a colour scheme.
type SchemeType string

// Scheme types. Qualitative schemes are not offered: their hues imply no
// order, which misleads on a map of ordered classes.
const (
	// Sequential schemes run from light (low) to dark (high).
	Sequential SchemeType = "sequential"
	// Diverging schemes are light in the middle and dark at both ends in
	// contrasting hues, for values around a meaningful midpoint.
	Diverging SchemeType = "diverging"
)

// Polarity says whether high values of an indicator mark a worse or a better
// situation. It decides the direction of the colours.
const (
	HigherWorse  = "higher_worse"
	HigherBetter = "higher_better"
	Neutral      = "neutral"
)

// Scheme describes one ColorBrewer colour scheme.
type Scheme struct {
	Name  string     // ColorBrewer name, e.g. "YlOrRd"
	Title string     // descriptive name, e.g. "Yellow-Orange-Red"
	Type  SchemeType // sequential or diverging
	// ColorblindSafe is true when ColorBrewer rates the scheme as
	// colour-blind safe for every number of classes it offers.
	ColorblindSafe bool
	// MinK and MaxK are the numbers of classes ColorBrewer designed the
	// scheme for (3..9 sequential, 3..11 diverging). Palette also serves
	// k = 1 and 2, taken from the 3-class scheme.
	MinK, MaxK int
}

// Schemes returns the sequential and diverging ColorBrewer schemes, sorted
// by type (sequential first) and name.
func Schemes() []Scheme {
	var out []Scheme
	for name, p := range brewer.SequentialPalettes {
		out = append(out, describe(name, Sequential, keys(p), func(k int) brewer.Palette { return brewer.Palette(p[k]) }))
	}
	for name, p := range brewer.DivergingPalettes {
		out = append(out, describe(name, Diverging, keys(p), func(k int) brewer.Palette { return brewer.Palette(p[k]) }))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type == Sequential
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func keys[V any](m map[int]V) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func describe(name string, typ SchemeType, ks []int, at func(int) brewer.Palette) Scheme {
	s := Scheme{Name: name, Type: typ, ColorblindSafe: true, MinK: ks[0], MaxK: ks[len(ks)-1]}
	for _, k := range ks {
		p := at(k)
		s.Title = p.Name
		if p.ColorBlind != brewer.Good {
			s.ColorblindSafe = false
		}
	}
	return s
}

// Palette returns k colours as "#rrggbb", one per class from the lowest to
// the highest values.
//
// With polarity "higher_worse" or "neutral" the scheme runs as ColorBrewer
// defines it (light for low values, dark for high). With "higher_better" it
// is reversed, so the strongest colour always marks the worst situation: the
// darkest class of a sequential scheme is then the one with the lowest
// values.
//
// k runs from 1 to the scheme's MaxK. ColorBrewer defines no scheme with
// fewer than 3 classes; for k = 2 Palette returns the two outer colours of
// the 3-class scheme and for k = 1 its middle colour, which covers a quantile
// classification whose breaks collapsed.
func Palette(scheme string, k int, polarity string) ([]string, error) {
	switch polarity {
	case HigherWorse, HigherBetter, Neutral:
	default:
		return nil, fmt.Errorf("classify: unknown polarity %q (want higher_worse, higher_better or neutral)", polarity)
	}
	var lookup func(int) (brewer.Palette, bool)
	var maxK int
	if p, ok := brewer.SequentialPalettes[scheme]; ok {
		lookup = func(k int) (brewer.Palette, bool) { q, ok := p[k]; return brewer.Palette(q), ok }
		ks := keys(p)
		maxK = ks[len(ks)-1]
	} else if p, ok := brewer.DivergingPalettes[scheme]; ok {
		lookup = func(k int) (brewer.Palette, bool) { q, ok := p[k]; return brewer.Palette(q), ok }
		ks := keys(p)
		maxK = ks[len(ks)-1]
	} else {
		return nil, fmt.Errorf("classify: unknown colour scheme %q (see Schemes for the sequential and diverging ColorBrewer schemes)", scheme)
	}
	if k < 1 || k > maxK {
		return nil, fmt.Errorf("classify: colour scheme %s offers 1 to %d classes, not %d", scheme, maxK, k)
	}

	var cols []color.Color
	switch {
	case k >= 3:
		p, ok := lookup(k)
		if !ok {
			return nil, fmt.Errorf("classify: colour scheme %s has no %d-class variant", scheme, k)
		}
		cols = p.Color
	default:
		p, ok := lookup(3)
		if !ok {
			return nil, fmt.Errorf("classify: colour scheme %s has no 3-class variant to derive %d classes from", scheme, k)
		}
		if k == 2 {
			cols = []color.Color{p.Color[0], p.Color[2]}
		} else {
			cols = []color.Color{p.Color[1]}
		}
	}

	hex := make([]string, len(cols))
	for i, c := range cols {
		hex[i] = toHex(c)
	}
	if polarity == HigherBetter {
		slices.Reverse(hex)
	}
	return hex, nil
}

// DefaultScheme returns the scheme a map uses unless the user picks one. All
// defaults are sequential and colour-blind safe:
//
//   - higher_worse: YlOrRd, a warm scheme read as "alarm" whose darkest red
//     marks the highest (worst) values;
//   - higher_better: also YlOrRd, which Palette reverses so that the dark red
//     again marks the worst, here the lowest, values; a planner reads every
//     need indicator the same way;
//   - neutral (and any other string): Blues, which carries no judgement.
func DefaultScheme(polarity string) string {
	switch polarity {
	case HigherWorse, HigherBetter:
		return "YlOrRd"
	default:
		return "Blues"
	}
}

func toHex(c color.Color) string {
	// ColorBrewer colours are opaque, so the premultiplied 16-bit channels
	// from RGBA are the plain ones scaled by 257.
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}
