package chart

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

func TestLinesAndBarsArePNGs(t *testing.T) {
	weeks := []string{"W45", "W46", "W47", "W48"}
	series := []Series{
		{Name: "hours used", Values: []float64{10, 24, 41, 60}},
		{Name: "plan", Values: []float64{15, 30, 45, 60}},
		{Name: "budget", Values: []float64{120, 120, 120, 120}},
	}
	for name, draw := range map[string]func(string, string, []string, []Series) ([]byte, error){"lines": Lines, "bars": Bars} {
		data, err := draw("Denver move", "hours", weeks, series)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 150 {
			t.Fatalf("%s: image %v too small", name, b)
		}
		if dir := os.Getenv("MSPBOT_CHART_OUT"); dir != "" {
			os.WriteFile(dir+"/"+name+".png", data, 0o644)
		}
	}
}

func TestRejectsMismatchedSeries(t *testing.T) {
	if _, err := Lines("x", "h", []string{"a", "b"}, []Series{{Name: "s", Values: []float64{1}}}); err == nil {
		t.Fatal("a series shorter than the labels must be refused")
	}
	if _, err := Bars("x", "h", nil, nil); err == nil {
		t.Fatal("an empty chart must be refused")
	}
}
