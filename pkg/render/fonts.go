package render

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/encoding/charmap"
)

// The fonts are the Go fonts (BSD licence), compiled into the binary: no
// backend depends on the fonts installed where it runs. Text is measured
// here once, with the unhinted advances and without kerning, so that the
// layout is the same in SVG, PDF and PNG.

// face is one of the two fonts, parsed, with its advances in thousandths
// of an em for every character a map may use.
type face struct {
	ttf    []byte
	font   *sfnt.Font
	upem   float64
	widths map[rune]float64 // advance, 1/1000 em
	// Metrics in 1/1000 em, for the PDF font descriptor.
	ascent, descent, capHeight float64
	bbox                       [4]float64
}

var (
	facesOnce sync.Once
	faces     [2]*face // regular, bold
	facesErr  error
)

func loadFaces() ([2]*face, error) {
	facesOnce.Do(func() {
		for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
			f, err := parseFace(ttf)
			if err != nil {
				facesErr = err
				return
			}
			faces[i] = f
		}
	})
	return faces, facesErr
}

func parseFace(ttf []byte) (*face, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, err
	}
	var b sfnt.Buffer
	upem := float64(f.UnitsPerEm())
	ppem := fixed.Int26_6(f.UnitsPerEm()) << 6 // advances in font units, as 26.6
	fc := &face{ttf: ttf, font: f, upem: upem, widths: map[rune]float64{}}
	scale := func(v fixed.Int26_6) float64 { return float64(v) / 64 * 1000 / upem }
	// Every character of Windows-1252 (what the PDF encodes), which
	// includes the German letters, the en dash and the typographic quotes.
	for c := 0x20; c <= 0xff; c++ {
		r := charmap.Windows1252.DecodeByte(byte(c))
		if r == '\ufffd' {
			continue
		}
		gi, err := f.GlyphIndex(&b, r)
		if err != nil || gi == 0 {
			continue
		}
		adv, err := f.GlyphAdvance(&b, gi, ppem, font.HintingNone)
		if err != nil {
			return nil, err
		}
		fc.widths[r] = scale(adv)
	}
	m, err := f.Metrics(&b, ppem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	fc.ascent, fc.descent, fc.capHeight = scale(m.Ascent), -scale(m.Descent), scale(m.CapHeight)
	bounds, err := f.Bounds(&b, ppem, font.HintingNone)
	if err != nil {
		return nil, err
	}
	// sfnt's bounds have y pointing down; PDF's FontBBox up.
	fc.bbox = [4]float64{scale(bounds.Min.X), -scale(bounds.Max.Y), scale(bounds.Max.X), -scale(bounds.Min.Y)}
	return fc, nil
}

// faceOf is the regular or the bold face. The fonts are part of the
// binary, so failing to parse them is a programming error.
func faceOf(bold bool) *face {
	fs, err := loadFaces()
	if err != nil {
		panic("render: the embedded Go fonts do not parse: " + err.Error())
	}
	if bold {
		return fs[1]
	}
	return fs[0]
}

// Printable replaces what the fonts and the PDF encoding (Windows-1252)
// cannot show: the minus sign becomes a hyphen-minus, other characters a
// question mark. Every text of a scene goes through it, so that all
// backends show the same characters.
func Printable(s string) string {
	ok := true
	for _, r := range s {
		if _, found := faceOf(false).widths[r]; !found {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r == '\u2212':
			r = '-'
		case r == '\u2264':
			r = '<' // callers avoid these; keep something readable
		case r == '\u2265':
			r = '>'
		}
		if _, found := faceOf(false).widths[r]; !found {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}

// TextWidth is the width of s in points at size (points), in the regular
// or bold face.
func TextWidth(s string, size float64, bold bool) float64 {
	f := faceOf(bold)
	w := 0.0
	for _, r := range s {
		w += f.widths[r]
	}
	return w * size / 1000
}

// Wrap breaks s at spaces into lines no wider than width; a word wider
// than width gets a line of its own.
func Wrap(s string, size float64, bold bool, width float64) []string {
	var lines []string
	line := ""
	for _, word := range splitWords(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && TextWidth(try, size, bold) > width {
			lines = append(lines, line)
			line = word
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func splitWords(s string) []string {
	var words []string
	start := -1
	for i, r := range s {
		if r == ' ' || r == '\n' || r == '\t' {
			if start >= 0 {
				words = append(words, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		words = append(words, s[start:])
	}
	return words
}
