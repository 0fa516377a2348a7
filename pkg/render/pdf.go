package render

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// WritePDF writes the scene as a one-page PDF 1.4 with vector graphics
// and the two Go fonts embedded (TrueType, Windows-1252 encoding). The
// file carries no dates, and its ID is a hash of its content, so the same
// scene gives the same bytes.
func WritePDF(w io.Writer, s *Scene) error {
	content, fonts := pdfContent(s)
	var stream bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&stream, zlib.BestSpeed)
	zw.Write(content)
	zw.Close()

	p := &pdfFile{}
	catalog := p.reserve()
	pages := p.reserve()
	page := p.reserve()
	contents := p.add(fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n", stream.Len()), stream.Bytes(), "\nendstream")
	var fontRefs bytes.Buffer
	for i, used := range fonts {
		if !used {
			continue
		}
		ref, err := p.addFont(i == 1)
		if err != nil {
			return err
		}
		fmt.Fprintf(&fontRefs, " /F%d %d 0 R", i+1, ref)
	}
	p.set(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /Font <<%s >> >> /Contents %d 0 R >>",
		pages, num(s.Width), num(s.Height), fontRefs.String(), contents))
	p.set(pages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", page))
	lang := ""
	if s.Lang != "" {
		lang = " /Lang " + pdfText(s.Lang)
	}
	p.set(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R%s >>", pages, lang))
	info := p.add(fmt.Sprintf("<< /Title %s /Producer (sozialatlas) >>", pdfText(s.Title)), nil, "")
	sum := sha256.Sum256(append(append([]byte(s.Title), 0), content...))
	return p.write(w, catalog, info, sum[:16])
}

// pdfContent is the page's content stream and which fonts it uses
// (regular, bold).
func pdfContent(s *Scene) ([]byte, [2]bool) {
	c := &pdfCanvas{h: s.Height}
	c.b = append(c.b, "1 j 1 J\n"...) // round joins and caps, as SVG
	walk(s.Items, func(it Item) {
		switch it := it.(type) {
		case *Shape:
			c.shape(it)
		case *Circle:
			c.circle(it)
		case *Text:
			c.text(it)
		}
	})
	return c.b, c.fonts
}

type pdfCanvas struct {
	b     []byte
	h     float64 // page height: PDF's y points up
	fonts [2]bool
}

func (c *pdfCanvas) n(v float64) { c.b = appendNum(c.b, v); c.b = append(c.b, ' ') }

func (c *pdfCanvas) pt(p Point) { c.n(p.X); c.n(c.h - p.Y) }

func (c *pdfCanvas) color(col Color, op string) {
	for _, v := range []uint8{col.R, col.G, col.B} {
		c.b = strconv.AppendFloat(c.b, float64(v)/255, 'f', 4, 64)
		c.b = append(c.b, ' ')
	}
	c.b = append(c.b, op...)
	c.b = append(c.b, '\n')
}

func (c *pdfCanvas) path(rings [][]Point, closed bool) {
	for _, r := range rings {
		for i, p := range r {
			c.pt(p)
			if i == 0 {
				c.b = append(c.b, "m\n"...)
			} else {
				c.b = append(c.b, "l\n"...)
			}
		}
		if closed {
			c.b = append(c.b, "h\n"...)
		}
	}
}

func (c *pdfCanvas) shape(sh *Shape) {
	if sh.Closed && sh.Fill != nil {
		c.color(*sh.Fill, "rg")
		c.path(sh.Rings, true)
		c.b = append(c.b, "f\n"...)
	}
	if sh.Closed && sh.Hatch != nil {
		c.hatch(sh)
	}
	if sh.Stroke != nil && sh.StrokeWidth > 0 {
		c.color(*sh.Stroke, "RG")
		c.n(sh.StrokeWidth)
		c.b = append(c.b, "w\n"...)
		c.path(sh.Rings, sh.Closed)
		c.b = append(c.b, "S\n"...)
	}
}

// hatch draws the lines x + y = c across the shape, clipped to it.
func (c *pdfCanvas) hatch(sh *Shape) {
	h := sh.Hatch
	lo, hi := math.Inf(1), math.Inf(-1)
	y0, y1 := math.Inf(1), math.Inf(-1)
	for _, r := range sh.Rings {
		for _, p := range r {
			lo, hi = math.Min(lo, p.X+p.Y), math.Max(hi, p.X+p.Y)
			y0, y1 = math.Min(y0, p.Y), math.Max(y1, p.Y)
		}
	}
	if math.IsInf(lo, 0) {
		return
	}
	c.b = append(c.b, "q\n"...)
	c.path(sh.Rings, true)
	c.b = append(c.b, "W n\n"...)
	c.color(h.Color, "RG")
	c.n(h.Width)
	c.b = append(c.b, "w 0 J\n"...)
	step := h.Spacing * math.Sqrt2
	for k := math.Floor(lo / step); k*step <= hi+step; k++ {
		cc := k*step + h.Width*math.Sqrt2/2
		c.pt(Point{cc - y1 - 1, y1 + 1})
		c.b = append(c.b, "m "...)
		c.pt(Point{cc - y0 + 1, y0 - 1})
		c.b = append(c.b, "l S\n"...)
	}
	c.b = append(c.b, "Q\n"...)
}

// circle is four Bézier arcs.
func (c *pdfCanvas) circle(ci *Circle) {
	const k = 0.5522847498
	x, y, r := ci.X, ci.Y, ci.R
	arc := func() {
		c.pt(Point{x + r, y})
		c.b = append(c.b, "m "...)
		for _, q := range [][3]Point{
			{{x + r, y + k*r}, {x + k*r, y + r}, {x, y + r}},
			{{x - k*r, y + r}, {x - r, y + k*r}, {x - r, y}},
			{{x - r, y - k*r}, {x - k*r, y - r}, {x, y - r}},
			{{x + k*r, y - r}, {x + r, y - k*r}, {x + r, y}},
		} {
			c.pt(q[0])
			c.pt(q[1])
			c.pt(q[2])
			c.b = append(c.b, "c "...)
		}
		c.b = append(c.b, "h\n"...)
	}
	if ci.Fill != nil {
		c.color(*ci.Fill, "rg")
		arc()
		c.b = append(c.b, "f\n"...)
	}
	if ci.Stroke != nil && ci.StrokeWidth > 0 {
		c.color(*ci.Stroke, "RG")
		c.n(ci.StrokeWidth)
		c.b = append(c.b, "w\n"...)
		arc()
		c.b = append(c.b, "S\n"...)
	}
}

func (c *pdfCanvas) text(t *Text) {
	f := 0
	if t.Bold {
		f = 1
	}
	c.fonts[f] = true
	x := t.left()
	str := pdfString(t.S)
	show := func(mode string) {
		c.b = append(c.b, "BT /F"...)
		c.b = strconv.AppendInt(c.b, int64(f+1), 10)
		c.b = append(c.b, ' ')
		c.n(t.Size)
		c.b = append(c.b, "Tf "...)
		c.b = append(c.b, mode...)
		c.pt(Point{x, t.Y})
		c.b = append(c.b, "Td "...)
		c.b = append(c.b, str...)
		c.b = append(c.b, " Tj ET\n"...)
	}
	if t.Halo != nil {
		c.color(*t.Halo, "RG")
		c.n(haloWidth(t.Size))
		c.b = append(c.b, "w\n"...)
		show("1 Tr ")
	}
	c.color(t.Color, "rg")
	show("0 Tr ")
}

// pdfString is a literal string in Windows-1252, escaped.
func pdfString(s string) string {
	enc, err := charmap.Windows1252.NewEncoder().String(Printable(s))
	if err != nil {
		enc = "?"
	}
	b := []byte{'('}
	for i := 0; i < len(enc); i++ {
		ch := enc[i]
		switch {
		case ch == '(' || ch == ')' || ch == '\\':
			b = append(b, '\\', ch)
		case ch < 0x20 || ch >= 0x7f:
			b = append(b, fmt.Sprintf("\\%03o", ch)...)
		default:
			b = append(b, ch)
		}
	}
	return string(append(b, ')'))
}

// pdfText is a text string (document information) in UTF-16BE.
func pdfText(s string) string {
	b := []byte("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		b = fmt.Appendf(b, "%04X", u)
	}
	return string(append(b, '>'))
}

func num(v float64) string { return string(appendNum(nil, v)) }

// pdfFile collects numbered objects and writes them with their
// cross-reference table.
type pdfFile struct {
	objs [][]byte // object i+1's body
}

func (p *pdfFile) reserve() int { p.objs = append(p.objs, nil); return len(p.objs) }

func (p *pdfFile) set(ref int, dict string) { p.objs[ref-1] = []byte(dict) }

func (p *pdfFile) add(head string, data []byte, tail string) int {
	b := append([]byte(head), data...)
	p.objs = append(p.objs, append(b, tail...))
	return len(p.objs)
}

func (p *pdfFile) write(w io.Writer, root, info int, id []byte) error {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(p.objs))
	for i, o := range p.objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n", i+1)
		b.Write(o)
		b.WriteString("\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(p.objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		len(p.objs)+1, root, info, id, id, xref)
	_, err := w.Write(b.Bytes())
	return err
}

// The fonts' file streams are compressed once per process.
var (
	fontStreamOnce [2]sync.Once
	fontStream     [2][]byte
)

func compressedFont(bold bool) []byte {
	i := 0
	if bold {
		i = 1
	}
	fontStreamOnce[i].Do(func() {
		var b bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
		zw.Write(faceOf(bold).ttf)
		zw.Close()
		fontStream[i] = b.Bytes()
	})
	return fontStream[i]
}

// addFont embeds a Go font as a simple TrueType font in Windows-1252.
func (p *pdfFile) addFont(bold bool) (int, error) {
	f := faceOf(bold)
	name := "GoRegular"
	if bold {
		name = "GoBold"
	}
	data := compressedFont(bold)
	file := p.add(fmt.Sprintf("<< /Length %d /Length1 %d /Filter /FlateDecode >>\nstream\n", len(data), len(f.ttf)), data, "\nendstream")
	desc := p.add(fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%s %s %s %s] /ItalicAngle 0 "+
		"/Ascent %s /Descent %s /CapHeight %s /StemV %d /FontFile2 %d 0 R >>",
		name, num(f.bbox[0]), num(f.bbox[1]), num(f.bbox[2]), num(f.bbox[3]),
		num(f.ascent), num(f.descent), num(f.capHeight), map[bool]int{false: 80, true: 140}[bold], file), nil, "")
	var widths bytes.Buffer
	for c := 0x20; c <= 0xff; c++ {
		r := charmap.Windows1252.DecodeByte(byte(c))
		widths.WriteString(num(f.widths[r]))
		widths.WriteByte(' ')
	}
	return p.add(fmt.Sprintf("<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar 32 /LastChar 255 /Widths [%s] "+
		"/Encoding /WinAnsiEncoding /FontDescriptor %d 0 R >>", name, bytes.TrimSpace(widths.Bytes()), desc), nil, ""), nil
}
