// Package render draws pages for print and screen: a Scene (shapes, text
// and groups in page coordinates) is built once and written as SVG, PDF or
// PNG by three small backends that agree on every position, colour and
// text width. Map lays out a choropleth page (title, map, legend, scale
// bar, attribution) as a Scene.
//
// Output is deterministic: the same scene gives the same bytes in every
// format (no timestamps, no random ids, no map iteration). Text uses the
// Go fonts compiled into the binary.
//
// The package is pure: no I/O besides the writer it is given.
package render

import (
	"fmt"
	"math"
	"strconv"
)

// Point is a position on the page in points (1/72 inch), from the top
// left corner, y pointing down.
type Point struct{ X, Y float64 }

// Color is an opaque sRGB colour.
type Color struct{ R, G, B uint8 }

// Hex is the colour as #rrggbb.
func (c Color) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// ParseHex reads #rrggbb.
func ParseHex(s string) (Color, error) {
	if len(s) != 7 || s[0] != '#' {
		return Color{}, fmt.Errorf("render: colour %q: want #rrggbb", s)
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return Color{}, fmt.Errorf("render: colour %q: want #rrggbb", s)
	}
	return Color{uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

// Some colours the layouts use.
var (
	White = Color{255, 255, 255}
	Black = Color{0, 0, 0}
)

// Hatch is a fill of parallel lines rising at 45 degrees to the right.
type Hatch struct {
	Color   Color   // of the lines
	Spacing float64 // between the lines' centres, points
	Width   float64 // of a line, points
}

// Style says how a shape is painted: a fill, hatching over the fill, and
// an outline. Nil parts are not painted.
type Style struct {
	Fill        *Color
	Hatch       *Hatch
	Stroke      *Color
	StrokeWidth float64 // points
}

// Attr is an attribute an SVG element carries (ids and data-*
// attributes that name what it shows); PDF and PNG ignore them.
type Attr struct{ Name, Value string }

// Item is what a scene holds: *Shape, *Text, *Circle or *Group.
type Item interface{ item() }

// Shape is a path of rings. Closed rings are filled by the nonzero rule:
// a hole must run the other way round than the ring around it (Map
// orients rings so). Open rings are polylines, only stroked.
type Shape struct {
	Rings  [][]Point
	Closed bool
	Style
	Title string // an SVG tooltip
	Attrs []Attr
}

// Anchor is where a text's position is: its start, middle or end.
type Anchor int

const (
	Start Anchor = iota
	Middle
	End
)

// Text is one line of text at a baseline position.
type Text struct {
	X, Y   float64
	S      string // printable (see Printable)
	Size   float64
	Bold   bool
	Anchor Anchor
	Color  Color
	// Halo, when set, outlines the glyphs in that colour (half a point
	// wide) under the text, so that labels stay readable on any fill.
	Halo  *Color
	Attrs []Attr
}

// left is the x where the text starts.
func (t *Text) left() float64 {
	switch t.Anchor {
	case Middle:
		return t.X - TextWidth(t.S, t.Size, t.Bold)/2
	case End:
		return t.X - TextWidth(t.S, t.Size, t.Bold)
	}
	return t.X
}

// Circle is a filled and/or outlined circle.
type Circle struct {
	X, Y, R float64
	Style
	Attrs []Attr
}

// Group holds items; SVG writes it as a <g> with its attributes, so that
// a reader (or a test) finds the legend or the map by id.
type Group struct {
	Attrs []Attr
	Items []Item
}

func (*Shape) item()  {}
func (*Text) item()   {}
func (*Circle) item() {}
func (*Group) item()  {}

// Scene is a page: its size in points and what is drawn on it, in order
// (later items cover earlier ones) on a white background.
type Scene struct {
	Width, Height float64
	// Title and Lang are the document's title and language (SVG title,
	// PDF info); fixed strings, never a time.
	Title, Lang string
	Items       []Item
}

// Rect is a closed rectangular shape.
func Rect(x, y, w, h float64, st Style) *Shape {
	return &Shape{Closed: true, Style: st, Rings: [][]Point{{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}}}
}

// Line is an open two-point shape.
func Line(x0, y0, x1, y1 float64, c Color, width float64) *Shape {
	return &Shape{Rings: [][]Point{{{x0, y0}, {x1, y1}}}, Style: Style{Stroke: &c, StrokeWidth: width}}
}

// walk calls f for every item, descending into groups.
func walk(items []Item, f func(Item)) {
	for _, it := range items {
		f(it)
		if g, ok := it.(*Group); ok {
			walk(g.Items, f)
		}
	}
}

// circleRing approximates a circle by a polygon fine enough at 300 dpi.
func circleRing(cx, cy, r float64) []Point {
	n := max(12, min(64, int(math.Ceil(r*4))))
	pts := make([]Point, n)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts[i] = Point{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	return pts
}

// appendNum writes a coordinate with at most two decimals (1/7200 inch),
// without trailing zeros.
func appendNum(b []byte, v float64) []byte {
	v = math.Round(v*100) / 100
	if v == 0 {
		v = 0 // no "-0"
	}
	b = strconv.AppendFloat(b, v, 'f', 2, 64)
	for b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	if b[len(b)-1] == '.' {
		b = b[:len(b)-1]
	}
	return b
}
