package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mspbot/mspbot/commands/classify"
)

// runClassify classifies one text per input line, writing one JSON object per
// line in the same order; with --eval it scores a labelled TSV file instead. It
// needs no database.
func runClassify(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	eval := fs.String("eval", "", "a TSV file of label<TAB>text lines to score the classifier on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *eval != "" {
		f, err := os.Open(*eval)
		if err != nil {
			return err
		}
		defer f.Close()
		rep, err := classify.Evaluate(f, classify.Classify)
		if err != nil {
			return err
		}
		_, err = rep.WriteTo(out)
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	w := bufio.NewWriter(out)
	defer w.Flush()
	enc := json.NewEncoder(w)
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		text := strings.TrimSpace(sc.Text())
		if err := enc.Encode(classify.Classify(text)); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	return sc.Err()
}
