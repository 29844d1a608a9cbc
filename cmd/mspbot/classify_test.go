package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/commands/classify"
)

// --eval with no file cross-validates over every labelled set and prints the
// figures issue 16 asks for; --train writes a model the package can load.
// Two folds each: the command's wiring is under test here, the figures
// five folds give are the classify package's tests.
func TestClassifyCrossValidateAndTrain(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"classify", "--eval", "--folds", "2"}, env(nil), Streams{In: pipe(t, ""), Out: &out}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"2-fold cross-validation over", "accuracy:", "ask rate (confidence < 0.80)", "confident-wrong", "calibration", "type accuracy", "per set (cross-validated):", "blind7.tsv", "eval.tsv"} {
		if !strings.Contains(got, want) {
			t.Errorf("--eval output lacks %q:\n%s", want, got)
		}
	}
	path := filepath.Join(t.TempDir(), "model.json")
	out.Reset()
	if err := Main(context.Background(), []string{"classify", "--train", "--folds", "2", "--exclude", "blind7.tsv", "--out", path}, env(nil), Streams{In: pipe(t, ""), Out: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "trained on") || !strings.Contains(out.String(), "wrote "+path) {
		t.Errorf("--train output: %s", out.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := classify.LoadModel(data)
	if err != nil {
		t.Fatal(err)
	}
	if r := classify.ClassifyWith("Move the Denver office to the new building in March, 30 staff", classify.Options{Model: m}); r.Kind != classify.KindProject {
		t.Errorf("the trained model calls an office move %s", r.Kind)
	}
}
