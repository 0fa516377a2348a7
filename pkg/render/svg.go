package render

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
)

// SVGOptions adjust the SVG document.
type SVGOptions struct {
	// Fragment leaves out the XML declaration, for an SVG inline in HTML.
	Fragment bool
	// IDPrefix starts the ids of the document's patterns, so that several
	// SVGs can share an HTML page.
	IDPrefix string
}

// fontFamily names the Go fonts first (what PNG and PDF use), then fonts
// of about the same width that most systems have.
const fontFamily = "Go, 'Go Regular', 'DejaVu Sans', Arial, Helvetica, sans-serif"

// WriteSVG writes the scene as an SVG 1.1 document sized in millimetres,
// with the page's points as user units. Texts are <text> elements
// (editable in Inkscape or Illustrator); hatching is a <pattern>.
func WriteSVG(w io.Writer, s *Scene, opt SVGOptions) error {
	e := svgWriter{opt: opt, patterns: map[patternKey]string{}}
	b := &e.b
	if !opt.Fragment {
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	}
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="`)
	b.Write(appendNum(nil, s.Width*25.4/72))
	b.WriteString(`mm" height="`)
	b.Write(appendNum(nil, s.Height*25.4/72))
	b.WriteString(`mm" viewBox="0 0 `)
	b.Write(appendNum(nil, s.Width))
	b.WriteByte(' ')
	b.Write(appendNum(nil, s.Height))
	b.WriteString(`" font-family="` + fontFamily + `" stroke-linejoin="round"`)
	if s.Lang != "" {
		e.attr("xml:lang", s.Lang)
	}
	b.WriteString(">\n")
	if s.Title != "" {
		b.WriteString("<title>")
		e.text(s.Title)
		b.WriteString("</title>\n")
	}
	// Patterns first, in the order the shapes use them.
	var defs bytes.Buffer
	walk(s.Items, func(it Item) {
		if sh, ok := it.(*Shape); ok && sh.Hatch != nil && sh.Closed {
			e.pattern(&defs, sh.Fill, *sh.Hatch)
		}
	})
	if defs.Len() > 0 {
		b.WriteString("<defs>\n")
		b.Write(defs.Bytes())
		b.WriteString("</defs>\n")
	}
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	e.items(s.Items)
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

type patternKey struct {
	fill  Color
	hasBG bool
	hatch Hatch
}

type svgWriter struct {
	b        bytes.Buffer
	opt      SVGOptions
	patterns map[patternKey]string
	num      []byte
}

func (e *svgWriter) pattern(defs *bytes.Buffer, fill *Color, h Hatch) string {
	k := patternKey{hatch: h}
	if fill != nil {
		k.fill, k.hasBG = *fill, true
	}
	if id, ok := e.patterns[k]; ok {
		return id
	}
	id := e.opt.IDPrefix + "hatch" + strconv.Itoa(len(e.patterns))
	e.patterns[k] = id
	sp := appendNum(nil, h.Spacing)
	defs.WriteString(`<pattern id="` + id + `" patternUnits="userSpaceOnUse" width="` + string(sp) + `" height="` + string(sp) +
		`" patternTransform="rotate(45)">`)
	if fill != nil {
		defs.WriteString(`<rect width="` + string(sp) + `" height="` + string(sp) + `" fill="` + fill.Hex() + `"/>`)
	}
	// A vertical band, turned by 45 degrees: lines rising to the right.
	defs.WriteString(`<rect width="` + string(appendNum(nil, h.Width)) + `" height="` + string(sp) + `" fill="` + h.Color.Hex() + `"/>`)
	defs.WriteString("</pattern>\n")
	return id
}

func (e *svgWriter) items(items []Item) {
	for _, it := range items {
		switch it := it.(type) {
		case *Group:
			e.b.WriteString("<g")
			e.attrs(it.Attrs)
			e.b.WriteString(">\n")
			e.items(it.Items)
			e.b.WriteString("</g>\n")
		case *Shape:
			e.shape(it)
		case *Circle:
			e.b.WriteString("<circle")
			e.numAttr("cx", it.X)
			e.numAttr("cy", it.Y)
			e.numAttr("r", it.R)
			e.style(it.Style, true)
			e.attrs(it.Attrs)
			e.b.WriteString("/>\n")
		case *Text:
			e.textItem(it)
		}
	}
}

func (e *svgWriter) shape(sh *Shape) {
	b := &e.b
	b.WriteString(`<path d="`)
	for _, r := range sh.Rings {
		for i, p := range r {
			if i == 0 {
				b.WriteByte('M')
			} else {
				b.WriteByte(' ')
			}
			e.num = appendNum(e.num[:0], p.X)
			e.num = append(e.num, ',')
			e.num = appendNum(e.num, p.Y)
			b.Write(e.num)
		}
		if sh.Closed {
			b.WriteByte('Z')
		}
	}
	b.WriteByte('"')
	e.style(sh.Style, sh.Closed)
	e.attrs(sh.Attrs)
	if sh.Title != "" {
		b.WriteString("><title>")
		e.text(sh.Title)
		b.WriteString("</title></path>\n")
		return
	}
	b.WriteString("/>\n")
}

func (e *svgWriter) style(st Style, closed bool) {
	switch {
	case closed && st.Hatch != nil:
		e.attr("fill", "url(#"+e.patterns[patternKey{fill: deref(st.Fill), hasBG: st.Fill != nil, hatch: *st.Hatch}]+")")
	case closed && st.Fill != nil:
		e.attr("fill", st.Fill.Hex())
	default:
		e.attr("fill", "none")
	}
	if st.Stroke != nil && st.StrokeWidth > 0 {
		e.attr("stroke", st.Stroke.Hex())
		e.numAttr("stroke-width", st.StrokeWidth)
	}
}

func deref(c *Color) Color {
	if c == nil {
		return Color{}
	}
	return *c
}

func (e *svgWriter) textItem(t *Text) {
	b := &e.b
	b.WriteString("<text")
	e.numAttr("x", t.X)
	e.numAttr("y", t.Y)
	e.numAttr("font-size", t.Size)
	if t.Bold {
		e.attr("font-weight", "bold")
	}
	switch t.Anchor {
	case Middle:
		e.attr("text-anchor", "middle")
	case End:
		e.attr("text-anchor", "end")
	}
	e.attr("fill", t.Color.Hex())
	if t.Halo != nil {
		e.attr("stroke", t.Halo.Hex())
		e.numAttr("stroke-width", haloWidth(t.Size))
		e.attr("paint-order", "stroke")
	}
	e.attrs(t.Attrs)
	b.WriteByte('>')
	e.text(t.S)
	b.WriteString("</text>\n")
}

// haloWidth is the width of the outline under a text: a fifth of its
// size, drawn half outside the glyphs.
func haloWidth(size float64) float64 { return size / 5 }

func (e *svgWriter) attrs(as []Attr) {
	for _, a := range as {
		e.attr(a.Name, a.Value)
	}
}

func (e *svgWriter) attr(name, value string) {
	e.b.WriteString(" " + name + `="`)
	e.text(value)
	e.b.WriteByte('"')
}

func (e *svgWriter) numAttr(name string, v float64) {
	e.b.WriteString(" " + name + `="`)
	e.num = appendNum(e.num[:0], v)
	e.b.Write(e.num)
	e.b.WriteByte('"')
}

func (e *svgWriter) text(s string) { xml.EscapeText(&e.b, []byte(s)) }
