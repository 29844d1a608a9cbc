package classify

import (
	"fmt"
	"io"
)

// Report is the outcome of an evaluation run.
type Report struct {
	Total, Correct int
	// Asked counts answers below AskThreshold (the bot would ask a
	// coordinator); ConfidentWrong counts wrong answers given without asking.
	Asked, ConfidentWrong int
	Confusion             map[Kind]map[Kind]int // [want][got]
	// TypeTotal and TypeCorrect count the rows labelled with a type.
	TypeTotal, TypeCorrect int
	TypeConfusion          map[Type]map[Type]int // [want][got]
	// Bins count answers by confidence (0.5-0.6, ..., 0.9-1.0) and how
	// many of each were right: a calibrated model's 0.8 is right 80% of
	// the time.
	Bins, BinsRight [5]int
	Misses          []Miss
}

// Miss is one line the classifier got wrong.
type Miss struct {
	Set  string
	Line int
	Want Kind
	Got  Result
	Text string
}

// Evaluate runs classify over a labelled file (see ReadRows).
func Evaluate(r io.Reader, classify func(string) Result) (Report, error) {
	rows, err := ReadRows(r, "")
	if err != nil {
		return Report{}, err
	}
	return EvaluateRows(rows, classify), nil
}

// EvaluateRows runs classify over labelled rows.
func EvaluateRows(rows []Row, classify func(string) Result) Report {
	rep := Report{Confusion: map[Kind]map[Kind]int{
		KindProject: {KindProject: 0, KindSupport: 0},
		KindSupport: {KindProject: 0, KindSupport: 0},
	}, TypeConfusion: map[Type]map[Type]int{}}
	for _, row := range rows {
		rep.add(row, classify(row.Text))
	}
	return rep
}

// EvaluateResults scores answers already given, res[i] for rows[i].
func EvaluateResults(rows []Row, res []Result) Report {
	i := 0
	return EvaluateRows(rows, func(string) Result { i++; return res[i-1] })
}

// add scores one answer.
func (rep *Report) add(row Row, got Result) {
	rep.Total++
	if rep.Confusion[got.Kind] == nil {
		rep.Confusion[got.Kind] = map[Kind]int{}
	}
	rep.Confusion[row.Kind][got.Kind]++
	if got.Unsure() {
		rep.Asked++
	}
	bin := min(max(int((got.Confidence-0.5)*10), 0), len(rep.Bins)-1)
	rep.Bins[bin]++
	if got.Kind == row.Kind {
		rep.BinsRight[bin]++
	}
	if got.Kind == row.Kind {
		rep.Correct++
	} else {
		if !got.Unsure() {
			rep.ConfidentWrong++
		}
		rep.Misses = append(rep.Misses, Miss{Set: row.Set, Line: row.Line, Want: row.Kind, Got: got, Text: row.Text})
	}
	if row.Type != "" {
		rep.TypeTotal++
		if got.Type == row.Type {
			rep.TypeCorrect++
		}
		if rep.TypeConfusion[row.Type] == nil {
			rep.TypeConfusion[row.Type] = map[Type]int{}
		}
		rep.TypeConfusion[row.Type][got.Type]++
	}
}

// Accuracy is Correct/Total, or 0 for an empty report.
func (r Report) Accuracy() float64 { return ratio(r.Correct, r.Total) }

// AskRate is the share of answers the bot would ask a coordinator about.
func (r Report) AskRate() float64 { return ratio(r.Asked, r.Total) }

// ConfidentWrongRate is the share of all answers that were wrong and given
// without asking: the mistakes nobody is warned about.
func (r Report) ConfidentWrongRate() float64 { return ratio(r.ConfidentWrong, r.Total) }

// ConfidentAccuracy is the accuracy of the answers given without asking.
func (r Report) ConfidentAccuracy() float64 {
	confident := r.Total - r.Asked
	wrongAsked := len(r.Misses) - r.ConfidentWrong
	return ratio(r.Correct-(r.Asked-wrongAsked), confident)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

var allTypes = []Type{TypeIncident, TypeServiceRequest, TypeMAC, TypeRecurring, TypeProject}

// WriteTo prints the report for a terminal or a chat code block: accuracy,
// ask rate, confident answers, the confusion matrices, then every miss.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	fmt.Fprintf(cw, "accuracy: %.1f%% (%d/%d)\n", 100*r.Accuracy(), r.Correct, r.Total)
	fmt.Fprintf(cw, "ask rate (confidence < %.2f): %.1f%% (%d)\n", AskThreshold, 100*r.AskRate(), r.Asked)
	fmt.Fprintf(cw, "confident answers: %.1f%% right; confident-wrong %.1f%% of all (%d)\n\n",
		100*r.ConfidentAccuracy(), 100*r.ConfidentWrongRate(), r.ConfidentWrong)
	fmt.Fprintf(cw, "%-14s %12s %12s\n", "", "got project", "got support")
	for _, want := range []Kind{KindProject, KindSupport} {
		row := r.Confusion[want]
		fmt.Fprintf(cw, "%-14s %12d %12d\n", "want "+string(want), row[KindProject], row[KindSupport])
	}
	fmt.Fprintf(cw, "\ncalibration (confidence: answers, right):")
	for i, n := range r.Bins {
		if n > 0 {
			fmt.Fprintf(cw, "  %.1f-%.1f: %d, %.0f%%", 0.5+0.1*float64(i), 0.6+0.1*float64(i), n, 100*ratio(r.BinsRight[i], n))
		}
	}
	fmt.Fprintln(cw)
	if r.TypeTotal > 0 {
		fmt.Fprintf(cw, "\ntype accuracy: %.1f%% (%d/%d)\n%-24s", 100*ratio(r.TypeCorrect, r.TypeTotal), r.TypeCorrect, r.TypeTotal, "want \\ got")
		for _, t := range allTypes {
			fmt.Fprintf(cw, " %9.9s", t)
		}
		fmt.Fprintln(cw)
		for _, want := range allTypes {
			if r.TypeConfusion[want] == nil {
				continue
			}
			fmt.Fprintf(cw, "%-24s", want)
			for _, got := range allTypes {
				fmt.Fprintf(cw, " %9d", r.TypeConfusion[want][got])
			}
			fmt.Fprintln(cw)
		}
	}
	if len(r.Misses) > 0 {
		fmt.Fprintf(cw, "\nmisses (%d):\n", len(r.Misses))
		for _, m := range r.Misses {
			where := fmt.Sprintf("line %d", m.Line)
			if m.Set != "" {
				where = m.Set + ":" + fmt.Sprint(m.Line)
			}
			fmt.Fprintf(cw, "%s: want %s, got %s/%s (%.2f): %s\n", where, m.Want, m.Got.Kind, m.Got.Type, m.Got.Confidence, m.Text)
		}
	}
	return cw.n, cw.err
}

// countWriter counts bytes for WriteTo and keeps the first error.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
