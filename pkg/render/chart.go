package render

import (
	"math"
	"strconv"
)

// Chart is a line chart of one series over categories (dates), for
// reports.
type Chart struct {
	Width, Height float64    // points
	Labels        []string   // one per category, under the axis
	Values        []*float64 // one per category; nil: no value (a gap)
	// Format writes a value with a number of decimals in the reader's
	// language; Decimals is how many the point labels show (the axis
	// shows as many as its ticks need).
	Format   func(v float64, decimals int) string
	Decimals int
	Color    Color
}

// BuildChart lays out the chart. Without any value it is an empty frame.
func BuildChart(ch Chart) *Scene {
	sc := &Scene{Width: ch.Width, Height: ch.Height}
	format := ch.Format
	if format == nil {
		format = func(v float64, dec int) string { return strconv.FormatFloat(v, 'f', dec, 64) }
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range ch.Values {
		if v != nil {
			lo, hi = math.Min(lo, *v), math.Max(hi, *v)
		}
	}
	const size = 7
	left, right, top, bottom := 4.0, 8.0, 10.0, ch.Height-16
	if math.IsInf(lo, 0) {
		sc.Items = append(sc.Items, Line(left, bottom, ch.Width-right, bottom, frameColor, 0.5))
		return sc
	}
	ticks := niceTicks(lo, hi, 4)
	t0, t1 := ticks[0], ticks[len(ticks)-1]
	tickDec := max(0, int(-math.Floor(math.Log10((t1-t0)/float64(len(ticks)-1))+1e-9)))
	for _, t := range ticks {
		left = math.Max(left, TextWidth(Printable(format(t, tickDec)), size, false)+8)
	}
	y := func(v float64) float64 { return bottom - (v-t0)/(t1-t0)*(bottom-top) }
	n := len(ch.Values)
	x := func(i int) float64 {
		if n == 1 {
			return (left + ch.Width - right) / 2
		}
		return left + 10 + float64(i)*(ch.Width-right-left-20)/float64(n-1)
	}
	grid := &Group{Attrs: []Attr{{"id", "axis"}}}
	for _, t := range ticks {
		grid.Items = append(grid.Items, Line(left, y(t), ch.Width-right, y(t), Color{0xe0, 0xe0, 0xe0}, 0.4),
			&Text{X: left - 4, Y: y(t) + size*0.35, S: Printable(format(t, tickDec)), Size: size, Anchor: End, Color: noteColor})
	}
	grid.Items = append(grid.Items, Line(left, bottom, ch.Width-right, bottom, frameColor, 0.6))
	step := max(1, int(math.Ceil(float64(n)*40/math.Max(ch.Width-left-right, 1)))) // labels 40 pt apart at least
	for i, l := range ch.Labels {
		if i%step == 0 || i == n-1 {
			grid.Items = append(grid.Items, &Text{X: x(i), Y: bottom + size + 4, S: Printable(l), Size: size, Anchor: Middle, Color: noteColor})
		}
	}
	sc.Items = append(sc.Items, grid)
	line := &Group{Attrs: []Attr{{"id", "series"}}}
	var run []Point
	flush := func() {
		if len(run) > 1 {
			c := ch.Color
			line.Items = append(line.Items, &Shape{Rings: [][]Point{run}, Style: Style{Stroke: &c, StrokeWidth: 1.5}})
		}
		run = nil
	}
	for i, v := range ch.Values {
		if v == nil {
			flush()
			continue
		}
		run = append(run, Point{x(i), y(*v)})
	}
	flush()
	for i, v := range ch.Values {
		if v != nil {
			c := ch.Color
			line.Items = append(line.Items, &Circle{X: x(i), Y: y(*v), R: 2.2, Style: Style{Fill: &c, Stroke: &White, StrokeWidth: 0.6}},
				&Text{X: x(i), Y: y(*v) - 5, S: Printable(format(*v, ch.Decimals)), Size: size, Anchor: Middle, Color: textColor, Halo: &White})
		}
	}
	sc.Items = append(sc.Items, line)
	return sc
}

// niceTicks are about n round values (1, 2 or 5 times a power of ten
// apart) from at or below lo to at or above hi.
func niceTicks(lo, hi float64, n int) []float64 {
	if hi == lo {
		d := math.Max(math.Abs(lo)*0.1, 1)
		lo, hi = lo-d, hi+d
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, f := range []float64{1, 2, 5, 10} {
		if f*mag >= raw {
			step = f * mag
			break
		}
	}
	var out []float64
	for v := math.Floor(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	if out[len(out)-1] < hi {
		out = append(out, out[len(out)-1]+step)
	}
	if len(out) < 2 {
		out = append(out, out[0]+step)
	}
	return out
}
