package render

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/sozialatlas/sozialatlas/pkg/geo"
)

// Classes of an area that are not a legend class.
const (
	NoData     = -1 // no value (missing, or no row)
	Suppressed = -2 // withheld by disclosure control: hatched, never a class colour
)

// The colours of areas without a class: neither is a colour of any
// ColorBrewer scheme, so no area without a class can be taken for one
// with (the tests check this against every palette).
var (
	NoDataColor     = Color{0xc6, 0xc6, 0xc6}
	SuppressedColor = Color{0xf2, 0xf2, 0xf2} // under the hatching
	HatchColor      = Color{0x7a, 0x7a, 0x7a}
	SuppressedHatch = Hatch{Color: HatchColor, Spacing: 2.5, Width: 0.6}
	borderColor     = Color{0xff, 0xff, 0xff}
	frameColor      = Color{0x99, 0x99, 0x99}
	textColor       = Color{0x1a, 0x1a, 0x1a}
	noteColor       = Color{0x44, 0x44, 0x44}
	pointColor      = Color{0x1a, 0x1a, 0x1a}
)

// Map is a choropleth page. Every text comes in the reader's language
// from the caller; Map only places it.
type Map struct {
	Width, Height float64 // the page, points
	Lang          string
	Title         string
	Subtitle      []string // lines under the title: indicator, unit, level, date
	Areas         []Area
	Legend        Legend
	// Points are drawn as dots (offers), named in the legend by
	// PointsLabel.
	Points      []orb.Point
	PointsLabel string
	// Labels shows the areas' names where they fit.
	Labels bool
	// Notes are paragraphs under the legend: source, licence,
	// attribution, method.
	Notes []string
	// Extent is the part of the world to show (WGS84); empty: all areas.
	Extent orb.Bound
	// Bare draws the map alone on the page (frame, areas, points, scale
	// bar, north arrow), for a page that has its own title and legend.
	Bare bool
}

// Area is one unit on the map.
type Area struct {
	Code     string
	Geometry orb.MultiPolygon // WGS84, RFC 7946
	Class    int              // index into Legend.Classes, NoData or Suppressed
	Title    string           // SVG tooltip
	Label    string           // shown with Map.Labels
}

// Legend lists the classes and explains the areas without one.
type Legend struct {
	Title   string
	Classes []LegendClass
	// NoData and Suppressed are shown when set (when an area has that
	// status).
	NoData, Suppressed *LegendNote
	// Grid, when set, draws the classes as a bivariate grid instead of a
	// list.
	Grid *LegendGrid
}

// LegendGrid lays a bivariate legend's classes out as a grid, column by
// column: class i is in column i / len(YTicks) and row i % len(YTicks)
// (rows top to bottom), its Label (a count) written in its cell.
type LegendGrid struct {
	XTitle, YTitle string   // the axes: under the columns, above the rows
	XTicks, YTicks []string // labels of the columns, left to right, and of the rows, top to bottom
}

// LegendClass is a class: its colour and label (range and count).
type LegendClass struct {
	Label string
	Color Color
	Attrs []Attr // SVG data: the class's bounds and count
}

// LegendNote is the entry of areas without a class, with a sentence that
// explains it under the legend.
type LegendNote struct {
	Label, Explanation string
}

// Layout says where Map put things, for callers that draw more or check
// the result.
type Layout struct {
	Frame    [4]float64   // x, y, width, height of the map frame
	Swatches [][4]float64 // x, y, width, height of each class's legend swatch
	// Overlays are the boxes (x0, y0, x1, y1) of what is drawn over the
	// areas besides labels and points: scale bar and north arrow.
	Overlays [][4]float64
	project  func(orb.Point) Point
}

// Project is the page position of a WGS84 point.
func (l *Layout) Project(p orb.Point) Point { return l.project(p) }

// Page geometry, points.
const (
	titleSize    = 15
	subtitleSize = 8.5
	legendSize   = 7.5
	noteSize     = 6.5
	labelSize    = 5
	swatchW      = 14
	swatchH      = 9
	rowH         = 12
	minMapHeight = 72 // one inch: less is no map
)

// TooSmallError is returned when the page cannot hold the map with its
// title, legend and notes.
type TooSmallError struct{ NeedHeight float64 }

func (e *TooSmallError) Error() string {
	return fmt.Sprintf("render: the page is too small for the map with its title, legend and notes: it needs a height of at least %.0f mm",
		math.Ceil(e.NeedHeight*25.4/72))
}

// BuildMap lays out the page.
func BuildMap(m Map) (*Scene, *Layout, error) {
	if m.Width <= 0 || m.Height <= 0 {
		return nil, nil, fmt.Errorf("render: page size %v × %v", m.Width, m.Height)
	}
	sc := &Scene{Width: m.Width, Height: m.Height, Title: Printable(m.Title), Lang: m.Lang}
	margin := math.Min(34, 0.06*m.Width) // by the width only, so that TooSmallError's height is exact
	if m.Bare {
		margin = 1
	}
	inner := m.Width - 2*margin
	y := margin
	var head, foot []Item
	if !m.Bare {
		for _, line := range Wrap(Printable(m.Title), titleSize, true, inner) {
			y += titleSize
			head = append(head, &Text{X: margin, Y: y, S: line, Size: titleSize, Bold: true, Color: textColor})
			y += 3
		}
		for _, sub := range m.Subtitle {
			for _, line := range Wrap(Printable(sub), subtitleSize, false, inner) {
				y += subtitleSize + 2
				head = append(head, &Text{X: margin, Y: y, S: line, Size: subtitleSize, Color: textColor})
			}
		}
		y += 8
	}
	mapTop := y
	var swatches [][4]float64
	footH := 0.0
	if !m.Bare {
		foot, swatches, footH = legendItems(m, margin, inner)
	}
	mapH := m.Height - margin - footH - mapTop
	if !m.Bare {
		mapH -= 8
	}
	if mapH < minMapHeight {
		return nil, nil, &TooSmallError{NeedHeight: m.Height - mapH + minMapHeight}
	}
	lay := &Layout{Frame: [4]float64{margin, mapTop, inner, mapH}, Swatches: swatches}
	mapItems := drawMap(m, lay) // may lower the frame to the map's shape
	// The legend and notes hang below the map.
	bottom := lay.Frame[1] + lay.Frame[3]
	for i := range swatches {
		swatches[i][1] += bottom + 8
	}
	shift(foot, bottom+8)
	if m.Bare {
		sc.Height = bottom + margin
	}
	sc.Items = append(sc.Items, head...)
	sc.Items = append(sc.Items, mapItems...)
	sc.Items = append(sc.Items, foot...)
	return sc, lay, nil
}

// shift moves items (laid out from y = 0) down by dy.
func shift(items []Item, dy float64) {
	walk(items, func(it Item) {
		switch it := it.(type) {
		case *Text:
			it.Y += dy
		case *Circle:
			it.Y += dy
		case *Shape:
			for _, r := range it.Rings {
				for i := range r {
					r[i].Y += dy
				}
			}
		}
	})
}

// legendItems lays out the legend and the notes from y = 0, and returns
// them with the class swatches and their height.
func legendItems(m Map, x0, width float64) ([]Item, [][4]float64, float64) {
	type entry struct {
		label string
		draw  func(x, y float64) Item
	}
	var entries []entry
	var swatchAt []int // entry index of each class
	grid := m.Legend.Grid
	for _, c := range m.Legend.Classes {
		if grid != nil {
			break // drawn as the grid
		}
		fill := c.Color
		attrs := c.Attrs
		swatchAt = append(swatchAt, len(entries))
		entries = append(entries, entry{Printable(c.Label), func(x, y float64) Item {
			s := Rect(x, y, swatchW, swatchH, Style{Fill: &fill, Stroke: &frameColor, StrokeWidth: 0.3})
			s.Attrs = attrs
			return s
		}})
	}
	if n := m.Legend.NoData; n != nil {
		entries = append(entries, entry{Printable(n.Label), func(x, y float64) Item {
			s := Rect(x, y, swatchW, swatchH, Style{Fill: &NoDataColor, Stroke: &frameColor, StrokeWidth: 0.3})
			s.Attrs = []Attr{{"data-status", "missing"}}
			return s
		}})
	}
	if n := m.Legend.Suppressed; n != nil {
		entries = append(entries, entry{Printable(n.Label), func(x, y float64) Item {
			h := SuppressedHatch
			s := Rect(x, y, swatchW, swatchH, Style{Fill: &SuppressedColor, Hatch: &h, Stroke: &frameColor, StrokeWidth: 0.3})
			s.Attrs = []Attr{{"data-status", "suppressed"}}
			return s
		}})
	}
	if len(m.Points) > 0 && m.PointsLabel != "" {
		entries = append(entries, entry{Printable(m.PointsLabel), func(x, y float64) Item {
			return &Circle{X: x + swatchW/2, Y: y + swatchH/2, R: 2, Style: pointStyle()}
		}})
	}
	colW := 0.0
	for _, e := range entries {
		colW = math.Max(colW, swatchW+4+TextWidth(e.label, legendSize, false)+12)
	}
	cols := max(1, min(len(entries), int((width+12)/math.Max(colW, 1))))
	rows := (len(entries) + cols - 1) / cols
	if cols > 1 {
		colW = (width + 12) / float64(cols)
	}
	var items []Item
	y := 0.0
	legend := &Group{Attrs: []Attr{{"id", "legend"}}}
	if m.Legend.Title != "" {
		for _, line := range Wrap(Printable(m.Legend.Title), legendSize+0.5, true, width) {
			y += legendSize + 0.5
			legend.Items = append(legend.Items, &Text{X: x0, Y: y, S: line, Size: legendSize + 0.5, Bold: true, Color: textColor})
			y += 3
		}
		y += 3
	}
	swatches := make([][4]float64, len(m.Legend.Classes))
	if grid != nil {
		y = legendGrid(legend, m.Legend.Classes, grid, swatches, x0, y, width)
		if len(entries) > 0 {
			y += 6
		}
	}
	for i, e := range entries {
		col, row := i/rows, i%rows // column by column: the classes read downwards
		x := x0 + float64(col)*colW
		ey := y + float64(row)*rowH
		legend.Items = append(legend.Items, e.draw(x, ey),
			&Text{X: x + swatchW + 4, Y: ey + swatchH - 1.5, S: e.label, Size: legendSize, Color: textColor})
		if k := slices.Index(swatchAt, i); k >= 0 {
			swatches[k] = [4]float64{x, ey, swatchW, swatchH}
		}
	}
	y += float64(rows) * rowH
	items = append(items, legend)
	var paras []string
	for _, n := range []*LegendNote{m.Legend.Suppressed, m.Legend.NoData} {
		if n != nil && n.Explanation != "" {
			paras = append(paras, n.Explanation)
		}
	}
	paras = append(paras, m.Notes...)
	if len(paras) > 0 {
		y += 4
	}
	notes := &Group{Attrs: []Attr{{"id", "notes"}}}
	for _, p := range paras {
		for _, line := range Wrap(Printable(p), noteSize, false, width) {
			y += noteSize + 1.5
			notes.Items = append(notes.Items, &Text{X: x0, Y: y, S: line, Size: noteSize, Color: noteColor})
		}
		y += 2
	}
	if len(notes.Items) > 0 {
		items = append(items, notes)
	}
	return items, swatches, y
}

// Sizes of a grid legend's cells, points.
const (
	cellW = 46
	cellH = 18
)

// legendGrid draws the classes as a grid from y into g, records each
// cell in swatches, and returns the y under the grid.
func legendGrid(g *Group, classes []LegendClass, grid *LegendGrid, swatches [][4]float64, x0, y, width float64) float64 {
	rows := max(1, len(grid.YTicks))
	tickW := 0.0
	for _, t := range grid.YTicks {
		tickW = math.Max(tickW, TextWidth(Printable(t), legendSize, false))
	}
	gx := x0 + tickW + 6
	line := func(s string, x, at float64, size float64, bold bool, anchor Anchor) {
		g.Items = append(g.Items, &Text{X: x, Y: at, S: s, Size: size, Bold: bold, Anchor: anchor, Color: textColor})
	}
	for _, l := range Wrap(Printable(grid.YTitle), legendSize, true, width) {
		y += legendSize
		line(l, x0, y, legendSize, true, Start)
		y += 2
	}
	y += 3
	for i, c := range classes {
		col, row := i/rows, i%rows
		x, cy := gx+float64(col)*cellW, y+float64(row)*cellH
		fill := c.Color
		cell := Rect(x, cy, cellW, cellH, Style{Fill: &fill, Stroke: &White, StrokeWidth: 0.8})
		cell.Attrs = c.Attrs
		ink := textColor
		if luminance(fill) < 0.5 {
			ink = White
		}
		g.Items = append(g.Items, cell, &Text{X: x + cellW/2, Y: cy + cellH/2 + legendSize*0.35, S: Printable(c.Label),
			Size: legendSize, Anchor: Middle, Color: ink})
		swatches[i] = [4]float64{x, cy, cellW, cellH}
	}
	for row, t := range grid.YTicks {
		line(Printable(t), gx-4, y+float64(row)*cellH+cellH/2+legendSize*0.35, legendSize, false, End)
	}
	y += float64(rows)*cellH + 2
	tickSize := legendSize - 1.0
	most := 0
	for col, t := range grid.XTicks {
		lines := Wrap(Printable(t), tickSize, false, cellW-2)
		for k, l := range lines {
			line(l, gx+float64(col)*cellW+cellW/2, y+float64(k+1)*(tickSize+1.5), tickSize, false, Middle)
		}
		most = max(most, len(lines))
	}
	y += float64(most)*(tickSize+1.5) + 3
	for _, l := range Wrap(Printable(grid.XTitle), legendSize, true, width-(gx-x0)) {
		y += legendSize
		line(l, gx, y, legendSize, true, Start)
		y += 2
	}
	return y
}

// luminance is a colour's relative luminance (sRGB, roughly), 0 to 1,
// to choose dark or light text on it.
func luminance(c Color) float64 {
	return (0.2126*float64(c.R) + 0.7152*float64(c.G) + 0.0722*float64(c.B)) / 255
}

func pointStyle() Style {
	return Style{Fill: &pointColor, Stroke: &White, StrokeWidth: 0.4}
}

// earthRadius is the mean radius (IUGG), metres.
const earthRadius = 6371008.8

// drawMap projects the areas into the frame (an equirectangular
// projection true to scale along the extent's middle latitude: equal
// aspect at the centre, and a city is small enough for it) and draws
// them, the points, labels, scale bar and north arrow.
func drawMap(m Map, lay *Layout) []Item {
	bounds := make([]orb.Bound, len(m.Areas))
	for i, a := range m.Areas {
		bounds[i] = boundOf(a.Geometry)
	}
	ext := m.Extent
	if ext.IsEmpty() || ext.Max == ext.Min {
		ext = orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
		for _, b := range bounds {
			ext = ext.Union(b)
		}
	}
	fx, fy, fw, fh := lay.Frame[0], lay.Frame[1], lay.Frame[2], lay.Frame[3]
	const pad = 4
	rad := math.Pi / 180
	kx := math.Cos((ext.Min[1] + ext.Max[1]) / 2 * rad)
	wm := (ext.Max[0] - ext.Min[0]) * rad * kx * earthRadius // metres
	hm := (ext.Max[1] - ext.Min[1]) * rad * earthRadius
	scale := math.Min((fw-2*pad)/math.Max(wm, 1e-9), (fh-2*pad)/math.Max(hm, 1e-9)) // points per metre
	if h := hm*scale + 2*pad; h < fh {
		fh = h // no empty band above and below a wide map
		lay.Frame[3] = fh
	}
	cx, cy := (ext.Min[0]+ext.Max[0])/2, (ext.Min[1]+ext.Max[1])/2
	px, py := fx+fw/2, fy+fh/2
	ax, ay := rad*kx*earthRadius*scale, rad*earthRadius*scale // points per degree
	project := func(p orb.Point) Point {
		return Point{px + (p[0]-cx)*ax, py - (p[1]-cy)*ay}
	}
	lay.project = project

	items := []Item{Rect(fx, fy, fw, fh, Style{Fill: &White})}
	areas := &Group{Attrs: []Attr{{"id", "areas"}}}
	clip := [4]float64{fx, fy, fx + fw, fy + fh}
	for i, a := range m.Areas {
		if !bounds[i].Intersects(ext) {
			continue
		}
		rings := projectRings(a.Geometry, project, clip)
		if len(rings) == 0 {
			continue
		}
		st := Style{Stroke: &borderColor, StrokeWidth: 0.3}
		status := "ok"
		switch {
		case a.Class == Suppressed:
			h := SuppressedHatch
			st.Fill, st.Hatch, status = &SuppressedColor, &h, "suppressed"
		case a.Class >= 0 && a.Class < len(m.Legend.Classes):
			c := m.Legend.Classes[a.Class].Color
			st.Fill = &c
		default:
			st.Fill, status = &NoDataColor, "missing"
		}
		attrs := []Attr{{"data-code", a.Code}, {"data-status", status}}
		if status == "ok" {
			attrs = append(attrs, Attr{"data-class", strconv.Itoa(a.Class)})
		}
		areas.Items = append(areas.Items, &Shape{Rings: rings, Closed: true, Style: st, Title: Printable(a.Title), Attrs: attrs})
	}
	items = append(items, areas)
	if len(m.Points) > 0 {
		pts := &Group{Attrs: []Attr{{"id", "points"}}}
		for _, p := range m.Points {
			q := project(p)
			if q.X >= fx && q.X <= fx+fw && q.Y >= fy && q.Y <= fy+fh {
				pts.Items = append(pts.Items, &Circle{X: q.X, Y: q.Y, R: 1.5, Style: pointStyle()})
			}
		}
		items = append(items, pts)
	}
	if m.Labels {
		items = append(items, labels(m.Areas, bounds, ext, project, clip))
	}
	bar, barBox := scaleBar(fx+8, fy+fh-8, fw/4, scale)
	items = append(items, bar, northArrow(fx+fw-12, fy+10))
	lay.Overlays = [][4]float64{barBox, {fx + fw - 18, fy + 8, fx + fw - 6, fy + 32}}
	items = append(items, Rect(fx, fy, fw, fh, Style{Stroke: &frameColor, StrokeWidth: 0.5}))
	return items
}

// boundOf is a multipolygon's bounding box (its outer rings'), in one
// pass.
func boundOf(mp orb.MultiPolygon) orb.Bound {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	for _, poly := range mp {
		if len(poly) == 0 {
			continue
		}
		for _, p := range poly[0] {
			b.Min[0], b.Min[1] = math.Min(b.Min[0], p[0]), math.Min(b.Min[1], p[1])
			b.Max[0], b.Max[1] = math.Max(b.Max[0], p[0]), math.Max(b.Max[1], p[1])
		}
	}
	return b
}

// grid is the resolution of the map's geometry on the page, points
// (0.07 mm, under a pixel at 300 dpi): detail below it cannot be seen.
const grid = 0.2

// projectRings projects a multipolygon, snaps it to the grid, drops the
// points that snapping repeated or that lie on a straight line between
// their neighbours (which changes nothing drawn), clips it to the frame
// and orients outer rings and holes oppositely, so the nonzero rule
// fills it as RFC 7946 means. A shared border is snapped alike in both
// neighbours, so they keep sharing it: no gaps, no slivers.
func projectRings(mp orb.MultiPolygon, project func(orb.Point) Point, clip [4]float64) [][]Point {
	var out [][]Point
	var snapped [][2]int64
	for _, poly := range mp {
		for i, ring := range poly {
			snapped = snapped[:0]
			for _, p := range ring {
				q := project(p)
				g := [2]int64{int64(math.Round(q.X * (1 / grid))), int64(math.Round(q.Y * (1 / grid)))}
				if n := len(snapped); n == 0 || snapped[n-1] != g {
					snapped = append(snapped, g)
				}
			}
			if n := len(snapped); n > 1 && snapped[0] == snapped[n-1] {
				snapped = snapped[:n-1]
			}
			snapped = dropCollinear(snapped)
			pts := make([]Point, len(snapped))
			for j, g := range snapped {
				pts[j] = Point{float64(g[0]) * grid, float64(g[1]) * grid}
			}
			pts = clipRing(pts, clip)
			if len(pts) < 3 {
				continue
			}
			// Outer rings turn positive (clockwise on the page), holes negative.
			if a := signedArea(pts); (i == 0) != (a > 0) {
				slices.Reverse(pts)
			}
			out = append(out, pts)
		}
	}
	return out
}

// dropCollinear removes the points of a closed ring that lie on the
// straight line through their neighbours, exactly (integer grid).
func dropCollinear(r [][2]int64) [][2]int64 {
	if len(r) < 4 {
		return r
	}
	out := r[:0:0]
	n := len(r)
	for i, p := range r {
		a, b := r[(i+n-1)%n], r[(i+1)%n]
		if (p[0]-a[0])*(b[1]-p[1])-(p[1]-a[1])*(b[0]-p[0]) == 0 &&
			(p[0]-a[0])*(b[0]-p[0])+(p[1]-a[1])*(b[1]-p[1]) >= 0 { // on the line, between: not a spike
			continue
		}
		out = append(out, p)
	}
	return out
}

func signedArea(r []Point) float64 {
	a := 0.0
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i].X*r[j].Y - r[j].X*r[i].Y
	}
	return a / 2
}

// clipRing clips a ring to a rectangle (Sutherland–Hodgman), which keeps
// what a fill shows inside it. A ring inside is returned as it is.
func clipRing(r []Point, c [4]float64) []Point {
	inside := true
	for _, p := range r {
		if p.X < c[0] || p.X > c[2] || p.Y < c[1] || p.Y > c[3] {
			inside = false
			break
		}
	}
	if inside {
		return r
	}
	edges := []struct {
		in    func(Point) bool
		cross func(a, b Point) Point
	}{
		{func(p Point) bool { return p.X >= c[0] }, func(a, b Point) Point { return atX(a, b, c[0]) }},
		{func(p Point) bool { return p.X <= c[2] }, func(a, b Point) Point { return atX(a, b, c[2]) }},
		{func(p Point) bool { return p.Y >= c[1] }, func(a, b Point) Point { return atY(a, b, c[1]) }},
		{func(p Point) bool { return p.Y <= c[3] }, func(a, b Point) Point { return atY(a, b, c[3]) }},
	}
	for _, e := range edges {
		if len(r) == 0 {
			return nil
		}
		var out []Point
		prev := r[len(r)-1]
		for _, p := range r {
			switch {
			case e.in(p) && !e.in(prev):
				out = append(out, e.cross(prev, p), p)
			case e.in(p):
				out = append(out, p)
			case e.in(prev):
				out = append(out, e.cross(prev, p))
			}
			prev = p
		}
		r = out
	}
	return r
}

func atX(a, b Point, x float64) Point {
	t := (x - a.X) / (b.X - a.X)
	return Point{x, a.Y + t*(b.Y-a.Y)}
}

func atY(a, b Point, y float64) Point {
	t := (y - a.Y) / (b.Y - a.Y)
	return Point{a.X + t*(b.X-a.X), y}
}

// labels places the areas' names at their interior points, largest areas
// first, where the name fits across the area and touches no other name.
func labels(areas []Area, bounds []orb.Bound, ext orb.Bound, project func(orb.Point) Point, clip [4]float64) Item {
	type cand struct {
		a      *Area
		box    [4]float64 // projected bounds
		extent float64
	}
	var cands []cand
	for i := range areas {
		a, b := &areas[i], bounds[i]
		if a.Label == "" || !b.Intersects(ext) {
			continue
		}
		p0, p1 := project(b.Min), project(b.Max)
		box := [4]float64{p0.X, p1.Y, p1.X, p0.Y}
		cands = append(cands, cand{a, box, (box[2] - box[0]) * (box[3] - box[1])})
	}
	slices.SortStableFunc(cands, func(x, y cand) int {
		return cmp.Or(cmp.Compare(y.extent, x.extent), cmp.Compare(x.a.Code, y.a.Code))
	})
	g := &Group{Attrs: []Attr{{"id", "labels"}}}
	var placed [][4]float64
	for _, c := range cands {
		s := Printable(c.a.Label)
		w := TextWidth(s, labelSize, false)
		if w > (c.box[2]-c.box[0])*0.9 || labelSize > (c.box[3]-c.box[1])*0.6 {
			continue
		}
		p := project(geo.InteriorPoint(c.a.Geometry))
		box := [4]float64{p.X - w/2 - 1, p.Y - labelSize/2 - 1, p.X + w/2 + 1, p.Y + labelSize/2 + 1}
		if box[0] < clip[0] || box[1] < clip[1] || box[2] > clip[2] || box[3] > clip[3] || math.IsNaN(p.X) {
			continue
		}
		if slices.ContainsFunc(placed, func(q [4]float64) bool {
			return box[0] < q[2] && q[0] < box[2] && box[1] < q[3] && q[1] < box[3]
		}) {
			continue
		}
		placed = append(placed, box)
		g.Items = append(g.Items, &Text{X: p.X, Y: p.Y + labelSize*0.35, S: s, Size: labelSize, Anchor: Middle,
			Color: textColor, Halo: &White})
	}
	return g
}

// scaleBar draws a bar of a round length (1, 2 or 5 times a power of ten
// metres) no longer than maxLen points, from (x, y) up, and returns its box.
func scaleBar(x, y, maxLen, scale float64) (Item, [4]float64) {
	metres := maxLen / scale
	step := math.Pow(10, math.Floor(math.Log10(metres)))
	length := step
	for _, f := range []float64{2, 5, 10} {
		if f*step <= metres {
			length = f * step
		}
	}
	w := length * scale
	label := strconv.FormatFloat(length, 'f', -1, 64) + " m"
	if length >= 1000 {
		label = strconv.FormatFloat(length/1000, 'f', -1, 64) + " km"
	}
	g := &Group{Attrs: []Attr{{"id", "scalebar"}, {"data-metres", strconv.FormatFloat(length, 'f', -1, 64)}}}
	g.Items = append(g.Items,
		Rect(x, y-3, w/2, 3, Style{Fill: &textColor, Stroke: &textColor, StrokeWidth: 0.3}),
		Rect(x+w/2, y-3, w/2, 3, Style{Fill: &White, Stroke: &textColor, StrokeWidth: 0.3}),
		&Text{X: x, Y: y - 5, S: "0", Size: noteSize, Anchor: Middle, Color: textColor, Halo: &White},
		&Text{X: x + w, Y: y - 5, S: label, Size: noteSize, Anchor: Middle, Color: textColor, Halo: &White})
	half := TextWidth(label, noteSize, false)/2 + 2
	return g, [4]float64{x - 4, y - 5 - noteSize - 2, x + w + half, y + 1}
}

// northArrow is a small arrow with an N, its tip at (x, y).
func northArrow(x, y float64) Item {
	g := &Group{Attrs: []Attr{{"id", "north"}}}
	g.Items = append(g.Items,
		&Shape{Closed: true, Rings: [][]Point{{{x, y}, {x + 4, y + 11}, {x, y + 8.5}, {x - 4, y + 11}}},
			Style: Style{Fill: &textColor, Stroke: &White, StrokeWidth: 0.4}},
		&Text{X: x, Y: y + 19, S: "N", Size: noteSize + 0.5, Bold: true, Anchor: Middle, Color: textColor, Halo: &White})
	return g
}
