package bot

// Series is one named line or set of bars; Values line up with the x labels.
type Series struct {
	Name   string
	Values []float64
}

// ChartFunc draws a chart as a PNG. Package chart provides Lines and Bars;
// cmd/mspbot injects them, so the features import no drawing code.
type ChartFunc func(title, yLabel string, xLabels []string, series []Series) ([]byte, error)
