package classify

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var hexColour = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// lightness is the relative luminance (sRGB weights, no gamma) of "#rrggbb".
func lightness(t *testing.T, hex string) float64 {
	t.Helper()
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		t.Fatalf("%q: %v", hex, err)
	}
	r, g, b := float64(v>>16&0xff), float64(v>>8&0xff), float64(v&0xff)
	return 0.2126*r + 0.7152*g + 0.0722*b
}

func TestSchemes(t *testing.T) {
	schemes := Schemes()
	var seq, div int
	names := map[string]bool{}
	for _, s := range schemes {
		if names[s.Name] {
			t.Errorf("scheme %s listed twice", s.Name)
		}
		names[s.Name] = true
		if s.Title == "" {
			t.Errorf("scheme %s has no title", s.Name)
		}
		switch s.Type {
		case Sequential:
			seq++
			if s.MinK != 3 || s.MaxK != 9 {
				t.Errorf("sequential %s offers %d..%d classes, want 3..9", s.Name, s.MinK, s.MaxK)
			}
		case Diverging:
			div++
			if s.MinK != 3 || s.MaxK != 11 {
				t.Errorf("diverging %s offers %d..%d classes, want 3..11", s.Name, s.MinK, s.MaxK)
			}
		default:
			t.Errorf("scheme %s has type %q", s.Name, s.Type)
		}
	}
	// ColorBrewer has 18 sequential and 9 diverging schemes.
	if seq != 18 || div != 9 {
		t.Errorf("%d sequential and %d diverging schemes, want 18 and 9", seq, div)
	}
	if !slices.IsSortedFunc(schemes, func(a, b Scheme) int {
		if a.Type != b.Type {
			if a.Type == Sequential {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	}) {
		t.Error("schemes not sorted by type and name")
	}
	// ColorBrewer's ratings: every sequential scheme is colour-blind safe;
	// the red-green and spectral diverging schemes are not.
	safe := map[string]bool{}
	for _, s := range schemes {
		safe[s.Name] = s.ColorblindSafe
		if s.Type == Sequential && !s.ColorblindSafe {
			t.Errorf("sequential %s not marked colour-blind safe", s.Name)
		}
	}
	for name, want := range map[string]bool{"YlOrRd": true, "Blues": true, "PuOr": true, "RdBu": true, "RdYlGn": false, "Spectral": false, "RdGy": false} {
		if safe[name] != want {
			t.Errorf("%s: colour-blind safe = %v, want %v", name, safe[name], want)
		}
	}
}

// TestPaletteEveryScheme: every scheme yields exactly k distinct valid
// colours for every k it offers, and sequential schemes run from light to
// dark.
func TestPaletteEveryScheme(t *testing.T) {
	for _, s := range Schemes() {
		for k := 1; k <= s.MaxK; k++ {
			cols, err := Palette(s.Name, k, Neutral)
			if err != nil {
				t.Fatalf("%s k=%d: %v", s.Name, k, err)
			}
			if len(cols) != k {
				t.Fatalf("%s k=%d: %d colours", s.Name, k, len(cols))
			}
			seen := map[string]bool{}
			for _, c := range cols {
				if !hexColour.MatchString(c) {
					t.Errorf("%s k=%d: %q is not #rrggbb", s.Name, k, c)
				}
				if seen[c] {
					t.Errorf("%s k=%d: colour %s repeated", s.Name, k, c)
				}
				seen[c] = true
			}
			if s.Type == Sequential {
				for i := 1; i < k; i++ {
					if lightness(t, cols[i]) >= lightness(t, cols[i-1]) {
						t.Errorf("%s k=%d: class %d (%s) not darker than class %d (%s)", s.Name, k, i, cols[i], i-1, cols[i-1])
					}
				}
			}
		}
		for _, k := range []int{0, -1, s.MaxK + 1} {
			if _, err := Palette(s.Name, k, Neutral); err == nil {
				t.Errorf("%s k=%d: no error", s.Name, k)
			}
		}
	}
}

func TestPaletteKnownColours(t *testing.T) {
	// ColorBrewer's published YlOrRd and RdBu for 3 and 5 classes.
	cases := []struct {
		scheme string
		k      int
		want   []string
	}{
		{"YlOrRd", 3, []string{"#ffeda0", "#feb24c", "#f03b20"}},
		{"YlOrRd", 5, []string{"#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"}},
		{"RdBu", 3, []string{"#ef8a62", "#f7f7f7", "#67a9cf"}},
		{"YlOrRd", 2, []string{"#ffeda0", "#f03b20"}},
		{"YlOrRd", 1, []string{"#feb24c"}},
	}
	for _, c := range cases {
		got, err := Palette(c.scheme, c.k, HigherWorse)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s k=%d: %v, want %v", c.scheme, c.k, got, c.want)
		}
	}
}

func TestPaletteReversal(t *testing.T) {
	for _, s := range Schemes() {
		for k := 1; k <= s.MaxK; k++ {
			worse, err1 := Palette(s.Name, k, HigherWorse)
			neutral, err2 := Palette(s.Name, k, Neutral)
			better, err3 := Palette(s.Name, k, HigherBetter)
			if err1 != nil || err2 != nil || err3 != nil {
				t.Fatal(err1, err2, err3)
			}
			if !slices.Equal(worse, neutral) {
				t.Errorf("%s k=%d: higher_worse %v differs from neutral %v", s.Name, k, worse, neutral)
			}
			slices.Reverse(better)
			if !slices.Equal(better, worse) {
				t.Errorf("%s k=%d: higher_better is not higher_worse reversed", s.Name, k)
			}
		}
	}
	// The worst class gets the strongest colour whatever the polarity: the
	// top class when higher is worse, the bottom class when higher is better.
	w, _ := Palette("YlOrRd", 5, HigherWorse)
	b, _ := Palette("YlOrRd", 5, HigherBetter)
	if w[4] != "#bd0026" || b[0] != "#bd0026" {
		t.Errorf("darkest red not on the worst class: higher_worse %v, higher_better %v", w, b)
	}
}

func TestPaletteErrors(t *testing.T) {
	if _, err := Palette("Viridis", 5, Neutral); err == nil || !strings.Contains(err.Error(), `unknown colour scheme "Viridis"`) {
		t.Errorf("unknown scheme: %v", err)
	}
	if _, err := Palette("Set1", 5, Neutral); err == nil {
		t.Error("qualitative scheme Set1 accepted")
	}
	if _, err := Palette("Blues", 5, "lower_worse"); err == nil || !strings.Contains(err.Error(), `unknown polarity "lower_worse"`) {
		t.Errorf("unknown polarity: %v", err)
	}
	if _, err := Palette("Blues", 10, Neutral); err == nil || !strings.Contains(err.Error(), "1 to 9 classes, not 10") {
		t.Errorf("too many classes: %v", err)
	}
}

func TestDefaultScheme(t *testing.T) {
	byName := map[string]Scheme{}
	for _, s := range Schemes() {
		byName[s.Name] = s
	}
	for _, pol := range []string{HigherWorse, HigherBetter, Neutral, ""} {
		name := DefaultScheme(pol)
		s, ok := byName[name]
		if !ok {
			t.Fatalf("default for %q is %q, not a listed scheme", pol, name)
		}
		if s.Type != Sequential || !s.ColorblindSafe {
			t.Errorf("default for %q (%s) is %s, colour-blind safe %v", pol, name, s.Type, s.ColorblindSafe)
		}
	}
	if DefaultScheme(HigherWorse) != DefaultScheme(HigherBetter) {
		t.Error("higher_worse and higher_better should share one scheme, reversed by Palette")
	}
	if DefaultScheme(Neutral) == DefaultScheme(HigherWorse) {
		t.Error("neutral indicators should not get the alarm scheme")
	}
}
