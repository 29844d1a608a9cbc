// Package chart draws the small PNG charts mspbot attaches to weekly client
// updates and managers' digests (hours used vs budget vs plan, hours by tech),
// using gonum's plot library rather than hand-drawn images.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/mspbot/mspbot/bot"
)

// Series is one named line or bar group; Values line up with the x labels.
type Series = bot.Series

// Size of every chart: small enough to sit in a chat message.
const (
	width  = 6 * vg.Inch
	height = 3 * vg.Inch
)

// palette keeps series colours stable and distinguishable.
var palette = []color.Color{
	color.RGBA{R: 0x1d, G: 0x35, B: 0x57, A: 0xff},
	color.RGBA{R: 0xe6, G: 0x39, B: 0x46, A: 0xff},
	color.RGBA{R: 0x2a, G: 0x9d, B: 0x8f, A: 0xff},
	color.RGBA{R: 0xf4, G: 0xa2, B: 0x61, A: 0xff},
}

func check(xLabels []string, series []Series) error {
	if len(xLabels) == 0 || len(series) == 0 {
		return errors.New("chart: nothing to draw")
	}
	for _, s := range series {
		if len(s.Values) != len(xLabels) {
			return fmt.Errorf("chart: series %q has %d values for %d labels", s.Name, len(s.Values), len(xLabels))
		}
	}
	return nil
}

func newPlot(title, yLabel string, xLabels []string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = yLabel
	p.Y.Min = 0
	p.NominalX(xLabels...)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

func render(p *plot.Plot) ([]byte, error) {
	// Headroom above the highest value keeps the legend off the data.
	p.Y.Max *= 1.25
	w, err := p.WriterTo(width, height, "png")
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// Lines draws one line per series over the x labels (e.g. ISO weeks) as a PNG.
func Lines(title, yLabel string, xLabels []string, series []Series) ([]byte, error) {
	if err := check(xLabels, series); err != nil {
		return nil, err
	}
	p := newPlot(title, yLabel, xLabels)
	for i, s := range series {
		pts := make(plotter.XYs, len(s.Values))
		for j, v := range s.Values {
			pts[j] = plotter.XY{X: float64(j), Y: v}
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		l.Color = palette[i%len(palette)]
		l.Width = vg.Points(2)
		if i > 0 {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(s.Name, l)
	}
	return render(p)
}

// Bars draws grouped bars, one group per x label and one bar per series, as a PNG.
func Bars(title, yLabel string, xLabels []string, series []Series) ([]byte, error) {
	if err := check(xLabels, series); err != nil {
		return nil, err
	}
	p := newPlot(title, yLabel, xLabels)
	barWidth := vg.Points(40 / float64(len(series)))
	for i, s := range series {
		b, err := plotter.NewBarChart(plotter.Values(s.Values), barWidth)
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		b.Color = palette[i%len(palette)]
		b.LineStyle.Width = 0
		b.Offset = barWidth * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(b)
		p.Legend.Add(s.Name, b)
	}
	return render(p)
}
