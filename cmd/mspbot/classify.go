package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mspbot/mspbot/commands/classify"
)

// runClassify classifies one text per input line, writing one JSON object per
// line in the same order. It needs no database. The modes:
//
//	--eval FILE  score the committed model on a labelled TSV file
//	--eval       cross-validate over every committed set (and the public
//	             support tickets, when found), then score the blind set
//	--train      fit the model on every committed set and the tickets, and
//	             write it to --out (commands/classify/model.json)
func runClassify(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	eval := fs.Bool("eval", false, "score: a labelled TSV file if one is named, else cross-validation over every labelled set")
	train := fs.Bool("train", false, "fit the model on every labelled set and write it to --out")
	outPath := fs.String("out", filepath.Join("commands", "classify", "model.json"), "where --train writes the model")
	tickets := fs.String("tickets", "", "the public support tickets CSV (default: shared/data/support_incidents.csv in a parent directory)")
	folds := fs.Int("folds", 5, "cross-validation folds")
	exclude := fs.String("exclude", "", "comma-separated sets (file names) to leave out of --train and --eval")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *eval && fs.NArg() == 1:
		f, err := os.Open(fs.Arg(0))
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
	case *eval || *train:
		rows, err := trainingRows(*tickets, out)
		if err != nil {
			return err
		}
		rows = without(rows, *exclude)
		if *train {
			return trainModel(rows, *folds, *outPath, out)
		}
		return crossValidate(rows, *folds, out)
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

// trainingRows is every committed labelled set plus the public support
// tickets when their CSV can be found (it is not part of the repository).
func trainingRows(tickets string, out io.Writer) ([]classify.Row, error) {
	rows, err := classify.Corpus()
	if err != nil {
		return nil, err
	}
	if tickets == "" {
		tickets = findUp(filepath.Join("shared", "data", "support_incidents.csv"))
	}
	if tickets == "" {
		fmt.Fprintln(out, "note: shared/data/support_incidents.csv not found; training without the public support tickets")
		return rows, nil
	}
	f, err := os.Open(tickets)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ts, err := classify.ReadTicketsCSV(f, "support_incidents.csv")
	if err != nil {
		return nil, err
	}
	return append(rows, ts...), nil
}

// without drops the rows of the named sets.
func without(rows []classify.Row, sets string) []classify.Row {
	drop := map[string]bool{}
	for _, s := range strings.Split(sets, ",") {
		drop[strings.TrimSpace(s)] = true
	}
	out := rows[:0:0]
	for _, r := range rows {
		if !drop[r.Set] {
			out = append(out, r)
		}
	}
	return out
}

// findUp looks for rel in the working directory and its parents.
func findUp(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// crossValidate prints the k-fold report over all rows, per set and in
// total: every answer comes from a model that never saw that row.
func crossValidate(rows []classify.Row, folds int, out io.Writer) error {
	start := time.Now()
	res := classify.CrossValidated(rows, classify.TrainOptions{Folds: folds})
	fmt.Fprintf(out, "%d-fold cross-validation over %d rows (%s)\n\n", folds, len(rows), time.Since(start).Round(time.Millisecond))
	rep := classify.EvaluateResults(rows, res)
	if _, err := rep.WriteTo(out); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nper set (cross-validated):\n")
	bySet := map[string][]classify.Row{}
	resBySet := map[string][]classify.Result{}
	var sets []string
	for i, r := range rows {
		if bySet[r.Set] == nil {
			sets = append(sets, r.Set)
		}
		bySet[r.Set] = append(bySet[r.Set], r)
		resBySet[r.Set] = append(resBySet[r.Set], res[i])
	}
	for _, s := range sets {
		r := classify.EvaluateResults(bySet[s], resBySet[s])
		fmt.Fprintf(out, "  %-22s %6.1f%% (%d/%d)  asked %4.1f%%  confident-wrong %d  type %5.1f%%\n",
			s, 100*r.Accuracy(), r.Correct, r.Total, 100*r.AskRate(), r.ConfidentWrong, 100*float64(r.TypeCorrect)/float64(max(r.TypeTotal, 1)))
	}
	return nil
}

// trainModel fits the model on all rows and writes it.
func trainModel(rows []classify.Row, folds int, path string, out io.Writer) error {
	start := time.Now()
	m, err := classify.Train(rows, classify.TrainOptions{Folds: folds})
	if err != nil {
		return err
	}
	data, err := m.Marshal()
	if err != nil {
		return err
	}
	if path == "" {
		return errors.New("--out is empty")
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "trained on %s in %s; calibration p = 1/(1+exp(-(%.3f*z%+.3f))); wrote %s (%d bytes)\n",
		m.Data, time.Since(start).Round(time.Millisecond), m.PlattA, m.PlattB, path, len(data))
	return nil
}
