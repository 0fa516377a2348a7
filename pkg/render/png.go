package render

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// PixelSize is the size in pixels of a scene rendered at dpi.
func PixelSize(s *Scene, dpi float64) (w, h int) {
	return int(math.Round(s.Width * dpi / 72)), int(math.Round(s.Height * dpi / 72))
}

// WritePNG writes the scene as a PNG at dpi (pixels per inch): an A4
// page at 300 dpi is 2480×3508 pixels. The file has no pHYs chunk (Go's
// encoder writes none), so the pixel size is what says the resolution.
func WritePNG(w io.Writer, s *Scene, dpi float64) error {
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, Raster(s, dpi))
}

// Raster renders the scene at dpi: shapes anti-aliased (golang.org/x/image/vector),
// text from the embedded fonts. A pixel wholly inside a filled shape has
// exactly the shape's colour.
func Raster(s *Scene, dpi float64) *image.RGBA {
	w, h := PixelSize(s, dpi)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	r := &raster{img: img, k: dpi / 72, dpi: dpi, faces: map[faceKey]font.Face{}}
	walk(s.Items, func(it Item) {
		switch it := it.(type) {
		case *Shape:
			r.shape(it.Rings, it.Closed, it.Style)
		case *Circle:
			r.shape([][]Point{circleRing(it.X, it.Y, it.R)}, true, it.Style)
		case *Text:
			r.text(it)
		}
	})
	return img
}

type faceKey struct {
	size float64
	bold bool
}

type raster struct {
	img   *image.RGBA
	k     float64 // pixels per point
	dpi   float64
	z     vector.Rasterizer
	mask  []uint8
	quad  [][]Point
	faces map[faceKey]font.Face
}

func (r *raster) shape(rings [][]Point, closed bool, st Style) {
	if closed && (st.Fill != nil || st.Hatch != nil) {
		if m, rect, ok := r.rasterize(rings, 0); ok {
			switch {
			case st.Hatch != nil:
				r.compositeHatch(m, rect, st.Fill, *st.Hatch)
			default:
				r.composite(m, rect, *st.Fill)
			}
		}
	}
	if st.Stroke != nil && st.StrokeWidth > 0 {
		quads := r.strokeQuads(rings, closed, st.StrokeWidth*r.k/2)
		if m, rect, ok := r.rasterize(quads, st.StrokeWidth*r.k/2); ok {
			r.composite(m, rect, *st.Stroke)
		}
	}
}

// rasterize computes the coverage of rings (in points; pad in pixels
// widens the box) into a mask over the rings' pixel box, clipped to the
// image. Coverage is the nonzero rule's.
func (r *raster) rasterize(rings [][]Point, pad float64) (*image.Alpha, image.Rectangle, bool) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, ring := range rings {
		for _, p := range ring {
			x0, y0 = math.Min(x0, p.X), math.Min(y0, p.Y)
			x1, y1 = math.Max(x1, p.X), math.Max(y1, p.Y)
		}
	}
	if math.IsInf(x0, 0) {
		return nil, image.Rectangle{}, false
	}
	k := r.k
	rect := image.Rect(int(math.Floor(x0*k-pad))-1, int(math.Floor(y0*k-pad))-1,
		int(math.Ceil(x1*k+pad))+1, int(math.Ceil(y1*k+pad))+1).Intersect(r.img.Bounds())
	if rect.Empty() {
		return nil, rect, false
	}
	w, h := rect.Dx(), rect.Dy()
	r.z.Reset(w, h)
	ox, oy := float64(rect.Min.X), float64(rect.Min.Y)
	for _, ring := range rings {
		if len(ring) < 3 {
			continue
		}
		r.z.MoveTo(float32(ring[0].X*k-ox), float32(ring[0].Y*k-oy))
		for _, p := range ring[1:] {
			r.z.LineTo(float32(p.X*k-ox), float32(p.Y*k-oy))
		}
		r.z.ClosePath()
	}
	if cap(r.mask) < w*h {
		r.mask = make([]uint8, w*h)
	}
	m := &image.Alpha{Pix: r.mask[:w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
	r.z.DrawOp = draw.Src // writes every pixel of the mask
	r.z.Draw(m, m.Rect, image.Opaque, image.Point{})
	return m, rect, true
}

// composite paints c through the mask: a fully covered pixel gets exactly c.
func (r *raster) composite(m *image.Alpha, rect image.Rectangle, c Color) {
	img := r.img
	for y := 0; y < rect.Dy(); y++ {
		row := m.Pix[y*m.Stride : y*m.Stride+rect.Dx()]
		off := img.PixOffset(rect.Min.X, rect.Min.Y+y)
		for x, a := range row {
			if a == 0 {
				continue
			}
			blend(img.Pix[off+4*x:off+4*x+3], c, a)
		}
	}
}

func blend(px []uint8, c Color, a uint8) {
	if a == 0xff {
		px[0], px[1], px[2] = c.R, c.G, c.B
		return
	}
	ia := 255 - uint32(a)
	px[0] = uint8((uint32(c.R)*uint32(a) + uint32(px[0])*ia + 127) / 255)
	px[1] = uint8((uint32(c.G)*uint32(a) + uint32(px[1])*ia + 127) / 255)
	px[2] = uint8((uint32(c.B)*uint32(a) + uint32(px[2])*ia + 127) / 255)
}

// compositeHatch paints lines x + y = c (every spacing, measured across
// them) over the fill (if any) through the mask.
func (r *raster) compositeHatch(m *image.Alpha, rect image.Rectangle, fill *Color, h Hatch) {
	img := r.img
	step := h.Spacing * r.k * math.Sqrt2 // in x + y, pixels
	width := h.Width * r.k * math.Sqrt2
	for y := 0; y < rect.Dy(); y++ {
		row := m.Pix[y*m.Stride : y*m.Stride+rect.Dx()]
		off := img.PixOffset(rect.Min.X, rect.Min.Y+y)
		for x, a := range row {
			if a == 0 {
				continue
			}
			u := float64(rect.Min.X+x+rect.Min.Y+y) + 1 // the pixel's centre
			if math.Mod(u, step) < width {
				blend(img.Pix[off+4*x:off+4*x+3], h.Color, a)
			} else if fill != nil {
				blend(img.Pix[off+4*x:off+4*x+3], *fill, a)
			}
		}
	}
}

// strokeQuads turns each segment into a rectangle half as wide as hw on
// each side and extended by hw at both ends (so that corners close), all
// turning the same way: their union is the stroke.
func (r *raster) strokeQuads(rings [][]Point, closed bool, hw float64) [][]Point {
	hw /= r.k // back to points
	quads := r.quad[:0]
	seg := func(a, b Point) {
		dx, dy := b.X-a.X, b.Y-a.Y
		l := math.Hypot(dx, dy)
		if l == 0 {
			return
		}
		dx, dy = dx/l*hw, dy/l*hw
		a = Point{a.X - dx, a.Y - dy}
		b = Point{b.X + dx, b.Y + dy}
		quads = append(quads, []Point{{a.X - dy, a.Y + dx}, {b.X - dy, b.Y + dx}, {b.X + dy, b.Y - dx}, {a.X + dy, a.Y - dx}})
	}
	for _, ring := range rings {
		for i := 1; i < len(ring); i++ {
			seg(ring[i-1], ring[i])
		}
		if closed && len(ring) > 2 {
			seg(ring[len(ring)-1], ring[0])
		}
	}
	r.quad = quads
	return quads
}

// text draws the glyphs one by one at the advances the layout measured,
// each rasterised once and, for a halo, painted around first.
func (r *raster) text(t *Text) {
	f := r.face(t.Size, t.Bold)
	widths := faceOf(t.Bold).widths
	x := t.left() * r.k
	y := t.Y * r.k
	fg := image.NewUniform(color.RGBA{t.Color.R, t.Color.G, t.Color.B, 0xff})
	var halo image.Image
	var offsets []image.Point
	if t.Halo != nil {
		halo = image.NewUniform(color.RGBA{t.Halo.R, t.Halo.G, t.Halo.B, 0xff})
		d := max(1, int(math.Round(haloWidth(t.Size)/2*r.k)))
		for dy := -d; dy <= d; dy++ {
			for dx := -d; dx <= d; dx++ {
				if (dx != 0 || dy != 0) && dx*dx+dy*dy <= d*d+1 {
					offsets = append(offsets, image.Pt(dx, dy))
				}
			}
		}
	}
	for _, ch := range t.S {
		dot := fixed.Point26_6{X: fixed.Int26_6(math.Round(x * 64)), Y: fixed.Int26_6(math.Round(y * 64))}
		if dr, mask, mp, _, ok := f.Glyph(dot, ch); ok && !dr.Empty() {
			for _, o := range offsets {
				draw.DrawMask(r.img, dr.Add(o), halo, image.Point{}, mask, mp, draw.Over)
			}
			draw.DrawMask(r.img, dr, fg, image.Point{}, mask, mp, draw.Over)
		}
		x += widths[ch] * t.Size / 1000 * r.k
	}
}

func (r *raster) face(size float64, bold bool) font.Face {
	k := faceKey{size, bold}
	if f, ok := r.faces[k]; ok {
		return f
	}
	f, err := opentype.NewFace(faceOf(bold).font, &opentype.FaceOptions{Size: size, DPI: r.dpi, Hinting: font.HintingNone})
	if err != nil {
		panic("render: " + err.Error()) // only for a size below zero
	}
	r.faces[k] = f
	return f
}
