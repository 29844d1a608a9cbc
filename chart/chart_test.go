package chart

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

// decode takes what Lines or Bars returned and decodes the PNG.
func decode(t *testing.T) func(data []byte, err error) image.Image {
	return func(data []byte, err error) image.Image {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("not a PNG: %v", err)
		}
		return img
	}
}

func same(c color.Color, want color.RGBA) bool {
	r, g, b, a := c.RGBA()
	wr, wg, wb, wa := want.RGBA()
	return r == wr && g == wg && b == wb && a == wa
}

// count is how many pixels in r have colour want.
func count(img image.Image, r image.Rectangle, want color.RGBA) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if same(img.At(x, y), want) {
				n++
			}
		}
	}
	return n
}

// around is the square of radius r about (x, y).
func around(x, y float64, r int) image.Rectangle {
	cx, cy := int(math.Round(x)), int(math.Round(y))
	return image.Rect(cx-r, cy-r, cx+r+1, cy+r+1)
}

func TestLinesAndBarsArePNGs(t *testing.T) {
	weeks := []string{"W45", "W46", "W47", "W48"}
	series := []Series{
		{Name: "hours used", Values: []float64{10, 24, 41, 60}},
		{Name: "plan", Values: []float64{15, 30, 45, 60}},
		{Name: "budget", Values: []float64{120, 120, 120, 120}},
	}
	for name, draw := range map[string]func(string, string, []string, []Series) ([]byte, error){"lines": Lines, "bars": Bars} {
		data, err := draw("Denver move", "hours", weeks, series)
		img := decode(t)(data, err)
		if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
			t.Fatalf("%s: image %v, want %dx%d", name, b, width, height)
		}
		for i := range series {
			if n := count(img, img.Bounds(), colourOf(i)); n < 100 {
				t.Errorf("%s: series %d has %d pixels of its colour", name, i, n)
			}
		}
		if dir := os.Getenv("MSPBOT_CHART_OUT"); dir != "" {
			os.WriteFile(dir+"/"+name+".png", data, 0o644)
		}
	}
}

func TestLineIsDrawnBetweenPoints(t *testing.T) {
	labels := []string{"W1", "W2", "W3"}
	series := []Series{{Name: "used", Values: []float64{0, 100, 40}}}
	img := decode(t)(Lines("t", "h", labels, series))
	f := layout(labels, series)
	// Along each segment, at a quarter, half and three quarters of the way,
	// the line passes within a pixel or two of where it should.
	for j := 1; j < 3; j++ {
		for _, at := range []float64{0.25, 0.5, 0.75} {
			x := f.x(j-1) + (f.x(j)-f.x(j-1))*at
			y := f.y(series[0].Values[j-1]) + (f.y(series[0].Values[j])-f.y(series[0].Values[j-1]))*at
			if n := count(img, around(x, y, 2), colourOf(0)); n < 5 {
				t.Errorf("segment %d at %.2f: %d line pixels near (%.0f,%.0f)", j, at, n, x, y)
			}
		}
	}
	// And nowhere near the top-left of the plot, where no data is.
	if n := count(img, around(f.x(0), f.y(100), 6), colourOf(0)); n != 0 {
		t.Errorf("%d line pixels where there is no data", n)
	}
}

func TestDashedSeriesHasGaps(t *testing.T) {
	labels := []string{"a", "b"}
	series := []Series{{Name: "solid", Values: []float64{10, 10}}, {Name: "dashed", Values: []float64{5, 5}}}
	img := decode(t)(Lines("t", "h", labels, series))
	f := layout(labels, series)
	row := func(i int) (on, off int) {
		y := int(math.Round(f.y(series[i].Values[0])))
		for x := int(f.x(0)) + 2*markerRadius; x < int(f.x(1))-2*markerRadius; x++ {
			if same(img.At(x, y), colourOf(i)) {
				on++
			} else {
				off++
			}
		}
		return on, off
	}
	if on, off := row(0); off != 0 || on == 0 {
		t.Errorf("solid line: %d on, %d off", on, off)
	}
	if on, off := row(1); on == 0 || off == 0 {
		t.Errorf("dashed line: %d on, %d off; want both", on, off)
	}
}

// The first week of a project has one point per line: each must show.
func TestSinglePointIsVisible(t *testing.T) {
	labels := []string{"W49"}
	series := []Series{{Name: "used", Values: []float64{6}}, {Name: "budget", Values: []float64{120}}, {Name: "plan", Values: []float64{60}}}
	img := decode(t)(Lines("P1 hours", "hours", labels, series))
	f := layout(labels, series)
	for i, s := range series {
		if n := count(img, around(f.x(0), f.y(s.Values[0]), markerRadius), colourOf(i)); n < 40 {
			t.Errorf("%s: %d marker pixels at its one point", s.Name, n)
		}
	}
}

func TestBarHeightsFollowValues(t *testing.T) {
	labels := []string{"ann", "bob", "cy"}
	series := []Series{{Name: "logged", Values: []float64{10, 20, 40}}, {Name: "scheduled", Values: []float64{40, 0, 5}}}
	img := decode(t)(Bars("Hours", "hours", labels, series))
	f := layout(labels, series)
	height := func(j, i int) int {
		x0, x1 := f.bar(j, i, len(series))
		x := (x0 + x1) / 2
		h := 0
		for y := f.bottom - 1; y > f.top-5 && same(img.At(x, y), colourOf(i)); y-- {
			h++
		}
		return h
	}
	h := [][]int{{height(0, 0), height(1, 0), height(2, 0)}, {height(0, 1), height(1, 1), height(2, 1)}}
	unit := float64(f.bottom-f.top) / f.yTop // pixels per hour
	for i, s := range series {
		for j, v := range s.Values {
			if want := v * unit; math.Abs(float64(h[i][j])-want) > 1 {
				t.Errorf("%s[%d] = %v: bar %d px high, want %.1f", s.Name, j, v, h[i][j], want)
			}
		}
	}
	if h[0][1] < 2*h[0][0]-1 || h[0][1] > 2*h[0][0]+1 || h[0][2] < 4*h[0][0]-2 || h[0][2] > 4*h[0][0]+2 {
		t.Errorf("10, 20, 40 drew bars %v high: not 1:2:4", h[0])
	}
	if h[1][1] != 0 {
		t.Errorf("a zero drew a bar %d px high", h[1][1])
	}
	// Within a group the series stand side by side, in order.
	a0, a1 := f.bar(0, 0, 2)
	b0, _ := f.bar(0, 1, 2)
	if !(a0 < a1 && a1 <= b0) {
		t.Errorf("bars overlap: [%d,%d) then %d", a0, a1, b0)
	}
}

func TestTitleAndLabelsAreWritten(t *testing.T) {
	labels := []string{"W1"}
	series := []Series{{Name: "used", Values: []float64{1}}}
	withTitle := decode(t)(Lines("Denver move", "hours", labels, series))
	without := decode(t)(Lines("", "hours", labels, series))
	titleArea := image.Rect(0, 0, width, 40)
	if n := count(withTitle, titleArea, textColour); n < 100 {
		t.Errorf("title drew %d text pixels", n)
	}
	if n := count(without, titleArea, textColour); n != 0 {
		t.Errorf("no title, yet %d text pixels where it goes", n)
	}
	f := layout(labels, series)
	if n := count(withTitle, image.Rect(f.left-40, f.bottom+8, f.right, height), textColour); n < 20 {
		t.Errorf("x label drew %d text pixels", n)
	}
}

func TestTextFitsAndFolds(t *testing.T) {
	if glyph('é') != glyph('e') || glyph('Ñ') != glyph('N') || glyph('—') != glyph('-') {
		t.Error("accented letters should print as their base letter")
	}
	if glyph('好') != glyph('?') {
		t.Error("characters the font lacks print as '?'")
	}
	if got := fit("mallory", textWidth("mall.", 1), 1); got != "mall." {
		t.Errorf("fit = %q", got)
	}
	if got := fit("bob", 100, 2); got != "bob" {
		t.Errorf("fit = %q", got)
	}
}

func TestAxisSteps(t *testing.T) {
	for _, c := range []struct{ hi, step float64 }{{120, 50}, {8, 2}, {1, 0.2}, {0.3, 0.1}, {37, 10}} {
		f := layout([]string{"x"}, []Series{{Values: []float64{c.hi}}})
		if math.Abs(f.yStep-c.step) > 1e-9 || f.yTop < c.hi {
			t.Errorf("max %v: step %v top %v, want step %v", c.hi, f.yStep, f.yTop, c.step)
		}
	}
	if got := tickLabel(0.6000000000000001, 0.2); got != "0.6" {
		t.Errorf("tick label %q", got)
	}
}

func TestRejectsBadInput(t *testing.T) {
	if _, err := Lines("x", "h", []string{"a", "b"}, []Series{{Name: "s", Values: []float64{1}}}); err == nil {
		t.Fatal("a series shorter than the labels must be refused")
	}
	if _, err := Bars("x", "h", nil, nil); err == nil {
		t.Fatal("an empty chart must be refused")
	}
	if _, err := Bars("x", "h", []string{"a"}, []Series{{Name: "s", Values: []float64{math.NaN()}}}); err == nil {
		t.Fatal("NaN must be refused")
	}
}

func TestAllZeroAndNegativeStillDraw(t *testing.T) {
	img := decode(t)(Bars("x", "h", []string{"a", "b"}, []Series{{Name: "s", Values: []float64{0, -3}}}))
	if n := count(img, img.Bounds(), axisColour); n == 0 {
		t.Error("no axes drawn")
	}
}
