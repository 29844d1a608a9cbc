package classify

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Report is the outcome of an evaluation run.
type Report struct {
	Total, Correct int
	Confusion      map[Kind]map[Kind]int // [want][got]
	Misses         []Miss
}

// Miss is one line the classifier got wrong.
type Miss struct {
	Line int
	Want Kind
	Got  Result
	Text string
}

// maxEvalLine bounds one evaluation line; longer lines are an error rather
// than an unbounded read.
const maxEvalLine = 1 << 20

// Evaluate runs classify over a labelled file: lines "label<TAB>text" where
// label is project or support. Blank lines and lines starting with # are
// skipped. A malformed line stops the run with an error naming its line
// number, so a typo in the file is not silently scored as a miss.
func Evaluate(r io.Reader, classify func(string) Result) (Report, error) {
	rep := Report{Confusion: map[Kind]map[Kind]int{
		KindProject: {KindProject: 0, KindSupport: 0},
		KindSupport: {KindProject: 0, KindSupport: 0},
	}}
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err == io.EOF && line == "" {
			break
		}
		if err != nil && err != io.EOF {
			return rep, fmt.Errorf("line %d: %w", n, err)
		}
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF") // a BOM from Windows editors
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			if err == io.EOF {
				break
			}
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			return rep, fmt.Errorf("line %d: want \"label<TAB>text\", found no tab", n)
		}
		want := Kind(strings.ToLower(strings.TrimSpace(label)))
		if want != KindProject && want != KindSupport {
			return rep, fmt.Errorf("line %d: label %q is not project or support", n, strings.TrimSpace(label))
		}
		text = strings.TrimSpace(text)
		if text == "" {
			return rep, fmt.Errorf("line %d: empty text", n)
		}
		got := classify(text)
		rep.Total++
		if rep.Confusion[got.Kind] == nil {
			rep.Confusion[got.Kind] = map[Kind]int{}
		}
		rep.Confusion[want][got.Kind]++
		if got.Kind == want {
			rep.Correct++
		} else {
			rep.Misses = append(rep.Misses, Miss{Line: n, Want: want, Got: got, Text: text})
		}
		if err == io.EOF {
			break
		}
	}
	return rep, nil
}

// readLine reads one line without its line ending ("\n" or "\r\n").
func readLine(br *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		chunk, isPrefix, err := br.ReadLine()
		sb.Write(chunk)
		if sb.Len() > maxEvalLine {
			return "", errors.New("line too long")
		}
		if err != nil {
			return sb.String(), err
		}
		if !isPrefix {
			return sb.String(), nil
		}
	}
}

// Accuracy is Correct/Total, or 0 for an empty report.
func (r Report) Accuracy() float64 {
	if r.Total == 0 {
		return 0
	}
	return float64(r.Correct) / float64(r.Total)
}

// WriteTo prints the report for a terminal or a chat code block: accuracy,
// the confusion matrix, then every miss with its line number.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	fmt.Fprintf(cw, "accuracy: %.1f%% (%d/%d)\n\n", 100*r.Accuracy(), r.Correct, r.Total)
	fmt.Fprintf(cw, "%-14s %12s %12s\n", "", "got project", "got support")
	for _, want := range []Kind{KindProject, KindSupport} {
		row := r.Confusion[want]
		fmt.Fprintf(cw, "%-14s %12d %12d\n", "want "+string(want), row[KindProject], row[KindSupport])
	}
	if len(r.Misses) > 0 {
		fmt.Fprintf(cw, "\nmisses (%d):\n", len(r.Misses))
		for _, m := range r.Misses {
			fmt.Fprintf(cw, "line %d: want %s, got %s/%s (%.2f): %s\n",
				m.Line, m.Want, m.Got.Kind, m.Got.Type, m.Got.Confidence, m.Text)
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
