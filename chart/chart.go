// Package chart draws the small PNG charts mspbot attaches to weekly client
// updates and managers' digests (hours used vs budget vs plan, hours by tech)
// with the standard library alone: image, image/png and a built-in 5×7 font.
// Two chart kinds with a title, a legend, a y axis with grid lines and one
// label per x slot are all the bot needs, and do not justify a plotting
// library of some sixty packages.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"strconv"

	"github.com/mspbot/mspbot/bot"
)

// Series is one named line or bar group; Values line up with the x labels.
type Series = bot.Series

// Size of every chart: small enough to sit in a chat message.
const (
	width  = 800
	height = 400
)

var (
	background = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	gridColour = color.RGBA{R: 0xe4, G: 0xe4, B: 0xe4, A: 0xff}
	axisColour = color.RGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xff}
	textColour = color.RGBA{R: 0x22, G: 0x22, B: 0x22, A: 0xff}
)

// palette keeps series colours stable and distinguishable.
var palette = []color.RGBA{
	{R: 0x1d, G: 0x35, B: 0x57, A: 0xff},
	{R: 0xe6, G: 0x39, B: 0x46, A: 0xff},
	{R: 0x2a, G: 0x9d, B: 0x8f, A: 0xff},
	{R: 0xf4, G: 0xa2, B: 0x61, A: 0xff},
}

func colourOf(i int) color.RGBA { return palette[i%len(palette)] }

// Pen sizes in pixels.
const (
	lineWidth    = 3
	dashLength   = 10
	markerRadius = 5
	margin       = 16
)

func check(xLabels []string, series []Series) error {
	if len(xLabels) == 0 || len(series) == 0 {
		return errors.New("chart: nothing to draw")
	}
	for _, s := range series {
		if len(s.Values) != len(xLabels) {
			return fmt.Errorf("chart: series %q has %d values for %d labels", s.Name, len(s.Values), len(xLabels))
		}
		for _, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("chart: series %q has a value that is not a number", s.Name)
			}
		}
	}
	return nil
}

// frame is where the data goes: the plot area in pixels, the number of x
// slots and the value at the top of the y axis (the bottom is 0).
type frame struct {
	left, top, right, bottom int
	slots                    int
	yTop, yStep              float64
}

// x is the centre of slot i: lines put their point there, bars centre their group.
func (f frame) x(i int) float64 {
	return float64(f.left) + (float64(i)+0.5)*f.slotWidth()
}

func (f frame) slotWidth() float64 { return float64(f.right-f.left) / float64(f.slots) }

// y is the pixel row of value v; values below zero sit on the axis.
func (f frame) y(v float64) float64 {
	v = max(v, 0)
	return float64(f.bottom) - v/f.yTop*float64(f.bottom-f.top)
}

// niceStep is 1, 2 or 5 times a power of ten, near span/5: about five grid lines.
func niceStep(span float64) float64 {
	raw := span / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}

// tickLabel prints v with as many decimals as the step needs.
func tickLabel(v, step float64) string {
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// layout places the plot area below the title and legend, right of the y
// tick labels and above the x labels.
func layout(xLabels []string, series []Series) frame {
	hi := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			hi = max(hi, v)
		}
	}
	if hi == 0 {
		hi = 1 // an all-zero chart still gets an axis
	}
	step := niceStep(hi)
	// A little headroom keeps the highest marker inside the plot.
	top := math.Ceil(hi*1.04/step) * step
	labelW := 0
	for v := 0.0; v <= top+step/2; v += step {
		labelW = max(labelW, textWidth(tickLabel(v, step), 2))
	}
	return frame{left: margin + labelW + 8, top: 76, right: width - margin - 4, bottom: height - 44,
		slots: len(xLabels), yTop: top, yStep: step}
}

// chart is a canvas with its frame, while it is being drawn.
type chart struct {
	c canvas
	f frame
}

// begin draws what both kinds share: title, y label, grid, axes, x labels.
func begin(title, yLabel string, xLabels []string, series []Series) chart {
	ch := chart{c: newCanvas(width, height, background), f: layout(xLabels, series)}
	c, f := ch.c, ch.f
	c.text(margin, 12, fit(title, width-2*margin, 2), 2, textColour)
	c.text(margin, 46, fit(yLabel, width/3, 2), 2, textColour)
	for v := 0.0; v <= f.yTop+f.yStep/2; v += f.yStep {
		y := int(math.Round(f.y(v)))
		c.fill(f.left, y, f.right, y+1, gridColour)
		label := tickLabel(v, f.yStep)
		c.text(f.left-8-textWidth(label, 2), y-glyphH+1, label, 2, textColour)
	}
	c.fill(f.left-1, f.top, f.left+1, f.bottom+1, axisColour)
	c.fill(f.left-1, f.bottom, f.right, f.bottom+2, axisColour)
	// Labels at double size when every one fits its slot, else small and cut.
	slot := int(f.slotWidth()) - 4
	scale := 2
	for _, l := range xLabels {
		if textWidth(l, 2) > slot {
			scale = 1
		}
	}
	for i, l := range xLabels {
		l = fit(l, slot, scale)
		c.text(int(math.Round(f.x(i)))-textWidth(l, scale)/2, f.bottom+10, l, scale, textColour)
	}
	return ch
}

// legend lists the series right-aligned above the plot; swatch draws each key.
func (ch chart) legend(series []Series, swatch func(i, x, y int)) {
	const key = 26
	scale, total := 2, 0
	for pass := 0; pass < 2; pass++ {
		total = 0
		for _, s := range series {
			total += key + 6 + textWidth(s.Name, scale) + 18
		}
		if total <= width*2/3 {
			break
		}
		scale = 1
	}
	x := width - margin - total + 18
	y := 46
	for i, s := range series {
		swatch(i, x, y+glyphH*scale/2)
		x += key + 6
		x += ch.c.text(x, y+(2-scale)*glyphH/2, s.Name, scale, textColour) + 18
	}
}

func (ch chart) png() ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, ch.c.img); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// Lines draws one line per series over the x labels (e.g. ISO weeks) as a PNG.
// Every point carries a marker (a shape per series), so a chart with a single
// x label, as in a project's first week, shows its points instead of nothing.
func Lines(title, yLabel string, xLabels []string, series []Series) ([]byte, error) {
	if err := check(xLabels, series); err != nil {
		return nil, err
	}
	ch := begin(title, yLabel, xLabels, series)
	c, f := ch.c, ch.f
	for i, s := range series {
		dash := 0.0
		if i > 0 {
			dash = dashLength // the first series solid, the others dashed
		}
		for j := 1; j < len(s.Values); j++ {
			c.line(f.x(j-1), f.y(s.Values[j-1]), f.x(j), f.y(s.Values[j]), lineWidth, dash, colourOf(i))
		}
		for j, v := range s.Values {
			c.marker(i%markerCount, f.x(j), f.y(v), markerRadius, colourOf(i))
		}
	}
	ch.legend(series, func(i, x, y int) {
		dash := 0.0
		if i > 0 {
			dash = dashLength
		}
		c.line(float64(x), float64(y), float64(x+26), float64(y), lineWidth, dash, colourOf(i))
		c.marker(i%markerCount, float64(x+13), float64(y), markerRadius, colourOf(i))
	})
	return ch.png()
}

// Bars draws grouped bars, one group per x label and one bar per series, as a PNG.
func Bars(title, yLabel string, xLabels []string, series []Series) ([]byte, error) {
	if err := check(xLabels, series); err != nil {
		return nil, err
	}
	ch := begin(title, yLabel, xLabels, series)
	c, f := ch.c, ch.f
	for j := range xLabels {
		for i, s := range series {
			x0, x1 := f.bar(j, i, len(series))
			h := int(math.Round(float64(f.bottom) - f.y(s.Values[j])))
			if s.Values[j] > 0 {
				h = max(h, 1) // a small value is still there
			}
			c.fill(x0, f.bottom-h, x1, f.bottom, colourOf(i))
		}
	}
	ch.legend(series, func(i, x, y int) { c.fill(x+4, y-8, x+22, y+8, colourOf(i)) })
	return ch.png()
}

// bar is the pixel columns [x0,x1) of series i's bar in slot j: groups take
// four fifths of a slot, bars split the group with a pixel between them.
func (f frame) bar(j, i, n int) (x0, x1 int) {
	group := f.slotWidth() * 0.8
	w := group / float64(n)
	start := f.x(j) - group/2 + float64(i)*w
	x0, x1 = int(math.Round(start)), int(math.Round(start+w))
	if x1-x0 > 3 {
		x1-- // the gap
	}
	return x0, max(x1, x0+1)
}
