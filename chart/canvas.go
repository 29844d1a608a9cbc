package chart

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// canvas is an RGBA image with the few primitives a chart needs. Nothing is
// anti-aliased: every pixel is either the background or a colour drawn, which
// keeps the PNGs small and lets tests check pixels exactly.
type canvas struct{ img *image.RGBA }

func newCanvas(w, h int, bg color.RGBA) canvas {
	c := canvas{img: image.NewRGBA(image.Rect(0, 0, w, h))}
	draw.Draw(c.img, c.img.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	return c
}

// fill paints the rectangle [x0,x1)×[y0,y1).
func (c canvas) fill(x0, y0, x1, y1 int, col color.RGBA) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

// dot paints a filled square of side w centred on (x, y): a pen tip.
func (c canvas) dot(x, y float64, w int, col color.RGBA) {
	x0 := int(math.Round(x - float64(w)/2))
	y0 := int(math.Round(y - float64(w)/2))
	c.fill(x0, y0, x0+w, y0+w, col)
}

// line draws from (x0,y0) to (x1,y1) with a pen w pixels wide. dash, when not
// zero, draws dash pixels then leaves dash/2 pixels blank, over and over.
func (c canvas) line(x0, y0, x1, y1 float64, w int, dash float64, col color.RGBA) {
	length := math.Hypot(x1-x0, y1-y0)
	steps := int(math.Ceil(length * 2)) // half-pixel steps leave no gaps
	for i := 0; i <= steps; i++ {
		t := 0.0
		if steps > 0 {
			t = float64(i) / float64(steps)
		}
		if dash > 0 && math.Mod(t*length, dash*1.5) > dash {
			continue
		}
		c.dot(x0+(x1-x0)*t, y0+(y1-y0)*t, w, col)
	}
}

// Marker shapes, one per series, so that points that coincide stay
// distinguishable and a single point (the first week) is plainly visible.
const (
	markerDisc = iota
	markerSquare
	markerDiamond
	markerTriangle
	markerCount
)

// marker draws shape centred on (x, y) within a box of radius r.
func (c canvas) marker(shape int, x, y float64, r int, col color.RGBA) {
	cx, cy := int(math.Round(x)), int(math.Round(y))
	for dy := -r; dy <= r; dy++ {
		for dx := -r; dx <= r; dx++ {
			var in bool
			switch shape {
			case markerDisc:
				in = dx*dx+dy*dy <= r*r
			case markerSquare:
				in = abs(dx) < r && abs(dy) < r
			case markerDiamond:
				in = abs(dx)+abs(dy) <= r
			case markerTriangle: // pointing up: narrow at the top, full width at the bottom
				in = 2*abs(dx) <= dy+r
			}
			if in {
				c.img.SetRGBA(cx+dx, cy+dy, col)
			}
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// text draws s with its top-left corner at (x, y), each font dot scale pixels
// square, and returns the width drawn.
func (c canvas) text(x, y int, s string, scale int, col color.RGBA) int {
	cx := x
	for _, r := range s {
		g := glyph(r)
		for colIdx, bits := range g {
			for row := 0; row < glyphH; row++ {
				if bits&(1<<row) != 0 {
					px, py := cx+colIdx*scale, y+row*scale
					c.fill(px, py, px+scale, py+scale, col)
				}
			}
		}
		cx += glyphW * scale
	}
	return cx - x
}

// textWidth is how wide text draws s at scale, without its last spacing column.
func textWidth(s string, scale int) int {
	n := 0
	for range s {
		n++
	}
	if n == 0 {
		return 0
	}
	return (n*glyphW - 1) * scale
}

// fit shortens s (with a trailing '.') until it draws within w pixels at scale.
func fit(s string, w, scale int) string {
	if textWidth(s, scale) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 {
		r = r[:len(r)-1]
		if cut := string(r) + "."; textWidth(cut, scale) <= w {
			return cut
		}
	}
	return ""
}
