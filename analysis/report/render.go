package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// figure is one plot of the report: its SVG (inlined), and how many SVG
// elements the same plot has with its axes and no data: the page's check
// (and the Chromium test) requires more than that, i.e. drawn content.
type figure struct {
	ID, Title, Caption string
	SVG                string
	AxesElements       int
}

// plotW, plotH are every figure's size.
var plotW, plotH = 16 * vg.Centimeter, 9 * vg.Centimeter

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	p.X.Tick.Marker, p.Y.Tick.Marker = plainTicks{}, plainTicks{}
	p.Add(plotter.NewGrid())
	return p
}

// plainTicks are gonum's default ticks labelled as people write numbers:
// 17500, 0.25, 2.5e+06 — not 17500.00.
type plainTicks struct{}

func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = strconv.FormatFloat(ts[i].Value, 'g', 6, 64)
		}
	}
	return ts
}

// logY puts the y axis on a log scale when every y is positive and they
// span more than two decades (a sweep whose slowest run is 100 times its
// fastest).
func logY(p *plot.Plot, ys []float64) {
	lo, hi := yRange(ys)
	if lo > 0 && hi/lo > 100 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Label.Text += ", log scale"
	}
}

// render draws p as SVG and counts the elements of the same plot without
// its data (same title, labels, ranges, scales and tick markers).
func render(id, caption string, p *plot.Plot) (figure, error) {
	s, err := svgOf(p)
	if err != nil {
		return figure{}, err
	}
	e := plot.New()
	e.Title.Text, e.X.Label.Text, e.Y.Label.Text = p.Title.Text, p.X.Label.Text, p.Y.Label.Text
	e.X.Min, e.X.Max, e.Y.Min, e.Y.Max = p.X.Min, p.X.Max, p.Y.Min, p.Y.Max
	e.X.Scale, e.Y.Scale = p.X.Scale, p.Y.Scale
	e.X.Tick.Marker, e.Y.Tick.Marker = p.X.Tick.Marker, p.Y.Tick.Marker
	e.Add(plotter.NewGrid())
	es, err := svgOf(e)
	if err != nil {
		return figure{}, err
	}
	return figure{ID: id, Title: p.Title.Text, Caption: caption, SVG: s, AxesElements: elements(es)}, nil
}

func svgOf(p *plot.Plot) (string, error) {
	wt, err := p.WriterTo(plotW, plotH, "svg")
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return "", err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:] // drop the XML prolog: the SVG is inlined into HTML
	}
	return s, nil
}

// elements counts the elements below an SVG's root, as the page's
// svg.querySelectorAll('*').length does: start tags, less the root's.
func elements(svg string) int {
	n := 0
	for i := 0; i+1 < len(svg); i++ {
		if svg[i] == '<' {
			c := svg[i+1]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				n++
			}
		}
	}
	return n - 1
}

// series styles: color i of plotutil's palette, shape i.
func lineOf(xys plotter.XYs, i int, dashed bool) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.Color = plotutil.Color(i)
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	return l, nil
}

func scatterOf(xys plotter.XYs, i int) (*plotter.Scatter, error) {
	s, err := plotter.NewScatter(xys)
	if err != nil {
		return nil, err
	}
	s.Color = plotutil.Color(i)
	s.Shape = plotutil.Shape(i)
	s.Radius = vg.Points(3)
	return s, nil
}

// band is a translucent polygon between lo and hi over x (a confidence
// band), in series color i.
func band(x, lo, hi []float64, i int) (*plotter.Polygon, error) {
	var pts plotter.XYs
	for k := range x {
		pts = append(pts, plotter.XY{X: x[k], Y: lo[k]})
	}
	for k := len(x) - 1; k >= 0; k-- {
		pts = append(pts, plotter.XY{X: x[k], Y: hi[k]})
	}
	pg, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil, err
	}
	r, g, b, _ := plotutil.Color(i).RGBA()
	pg.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 48}
	pg.LineStyle.Width = 0
	return pg, nil
}

// span shades [x0, x1] over the plot's y range (an outage, a migration).
func span(x0, x1, y0, y1 float64) (*plotter.Polygon, error) {
	pg, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	if err != nil {
		return nil, err
	}
	pg.Color = color.NRGBA{R: 230, G: 120, B: 40, A: 70}
	pg.LineStyle.Width = 0
	return pg, nil
}

// hline is a dashed horizontal line at y from x0 to x1 (a threshold).
func hline(y, x0, x1 float64, c color.Color) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
	if err != nil {
		return nil, err
	}
	l.Color = c
	l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	return l, nil
}

// clockTicks labels a time axis (x in Unix seconds) with UTC clock times.
var clockTicks = plot.TimeTicks{Format: "15:04:05", Ticker: plot.DefaultTicks{}}

// yRange is the min and max of the ys, widened when flat.
func yRange(ys ...[]float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range ys {
		for _, y := range v {
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
	}
	if math.IsInf(lo, 0) {
		return 0, 1
	}
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	return lo, hi
}

// label is a caption's number.
func label(v float64) string {
	if math.Abs(v) >= 100 || v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}
