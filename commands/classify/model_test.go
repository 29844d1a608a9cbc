package classify

import (
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
)

// trainingRows is what `mspbot classify --train` fits: every committed set
// and, when found, the public support tickets.
func trainingRows(t *testing.T) (rows []Row, complete bool) {
	t.Helper()
	rows, err := Corpus()
	if err != nil {
		t.Fatal(err)
	}
	path := findSharedData(t)
	if path == "" {
		return rows, false
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ts, err := ReadTicketsCSV(f, "support_incidents.csv")
	if err != nil {
		t.Fatal(err)
	}
	return append(rows, ts...), true
}

// trained is Train on trainingRows, with the out-of-fold answers its
// calibration was fitted on: the two tests below read one run of it, as
// the cross-validation TestCrossValidated checks is most of what Train does.
var trained struct {
	once     sync.Once
	rows     []Row
	complete bool
	model    *Model
	oof      []Fold
	err      error
}

func trainOnce(t *testing.T) (rows []Row, complete bool, m *Model, oof []Fold) {
	t.Helper()
	trained.once.Do(func() {
		trained.rows, trained.complete = trainingRows(t)
		trained.model, trained.oof, trained.err = train(trained.rows, TrainOptions{})
	})
	if trained.err != nil || trained.model == nil {
		t.Fatalf("training failed (or its rows did not load in the test that ran it): %v", trained.err)
	}
	return trained.rows, trained.complete, trained.model, trained.oof
}

// The committed weights are exactly what training on the committed data
// gives: nothing in model.json was edited by hand.
func TestCommittedModelIsReproducible(t *testing.T) {
	t.Parallel()
	_, complete, fresh, _ := trainOnce(t)
	if !complete {
		t.Skip("shared/data/support_incidents.csv not found: the committed model was trained with it")
	}
	data, err := fresh.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadModel(data) // as committed: rounded, zeros left out
	if err != nil {
		t.Fatal(err)
	}
	c := Default()
	// Equal up to floating-point noise (a CPU that fuses multiply-adds
	// rounds differently); any edit worth making is far larger.
	const tol = 0.01
	if m.Version != c.Version || len(m.Kind) != len(c.Kind) || len(m.Type) != len(c.Type) ||
		math.Abs(m.PlattA-c.PlattA) > tol || math.Abs(m.PlattB-c.PlattB) > tol {
		t.Fatalf("model.json (%s, %d weights) is not what training gives (%s, %d weights): retrain with `mspbot classify --train`",
			c.Version, len(c.Kind), m.Version, len(m.Kind))
	}
	for f, w := range m.Kind {
		if cw, ok := c.Kind[f]; !ok && math.Abs(w) > tol || math.Abs(cw-w) > tol {
			t.Errorf("weight of %q: committed %v, trained %v", f, cw, w)
		}
	}
	for f, ws := range m.Type {
		for i, w := range ws {
			if cws := c.Type[f]; len(cws) != len(ws) || math.Abs(cws[i]-w) > tol {
				t.Errorf("type weights of %q: committed %v, trained %v", f, cws, ws)
				break
			}
		}
	}
}

// Issue 16's bar, on answers from models that never saw the row.
func TestCrossValidated(t *testing.T) {
	t.Parallel()
	rows, _, _, oof := trainOnce(t)
	rep := EvaluateResults(rows, calibrated(oof, rows))
	var sb strings.Builder
	rep.WriteTo(&sb)
	t.Logf("%d rows:\n%s", len(rows), sb.String()[:strings.Index(sb.String(), "\n\n")])
	if rep.Accuracy() < 0.97 || rep.ConfidentWrongRate() > 0.01 || rep.AskRate() > 0.10 {
		t.Errorf("cross-validated accuracy %.1f%%, confident-wrong %.1f%%, ask rate %.1f%%: want >= 97%%, <= 1%%, <= 10%%",
			100*rep.Accuracy(), 100*rep.ConfidentWrongRate(), 100*rep.AskRate())
	}
}

func TestLoadModelErrors(t *testing.T) {
	for _, in := range []string{"", "{", `{"types":["incident"]}`, `{"types":["incident","mac"],"kind":{"bias":1},"type":{"bias":[1]}}`} {
		if _, err := LoadModel([]byte(in)); err == nil {
			t.Errorf("LoadModel(%q) accepted", in)
		}
	}
	if _, err := LoadWorkspaceModel([]byte("nope"), Default()); err == nil {
		t.Error("LoadWorkspaceModel accepted junk")
	}
}

// A workspace's model stores only what its rows moved, survives a
// round trip, and answers like the refitted model it was saved from.
func TestWorkspaceModelRoundTrip(t *testing.T) {
	rows := []Row{
		{Text: "Set up a new workstation for Bob in accounting", Kind: KindProject, Weight: OverrideWeight},
		{Text: "accounting needs another workstation for Priya", Kind: KindProject, Weight: OverrideWeight},
	}
	m, err := Train(rows, TrainOptions{Prior: Default()})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Kind) > 100 || len(m.Kind) == 0 {
		t.Errorf("workspace model holds %d weights, want only the rows' own features", len(m.Kind))
	}
	for _, f := range []string{"bias", "len:short", "s:lvl-1"} {
		if _, ok := m.Kind[f]; ok {
			t.Errorf("structural feature %q moved", f)
		}
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := LoadWorkspaceModel(data, Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if Classify(r.Text).Kind != KindSupport {
			t.Fatalf("precondition: the committed model calls %q support", r.Text)
		}
		a, b := ClassifyWith(r.Text, Options{Model: m}), ClassifyWith(r.Text, Options{Model: back})
		if a.Kind != KindProject || a.Confidence != b.Confidence || a.Kind != b.Kind {
			t.Errorf("%q: refitted %+v, reloaded %+v; want project from both", r.Text, a, b)
		}
	}
}

// The committed model is shared by every request: classifying from many
// goroutines at once gives each the same answer as alone (run with -race).
func TestConcurrentClassify(t *testing.T) {
	texts := []string{"Server is down, urgent", "Move the Denver office to the new building in March, 30 staff", "Add a second monitor for Jane"}
	want := make([]Result, len(texts))
	for i, s := range texts {
		want[i] = Classify(s)
	}
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for n := 0; n < 50; n++ {
				i := n % len(texts)
				if got := Classify(texts[i]); got.Kind != want[i].Kind || got.Confidence != want[i].Confidence || strings.Join(got.Reasons, "|") != strings.Join(want[i].Reasons, "|") {
					done <- fmt.Errorf("%q: %+v, alone %+v", texts[i], got, want[i])
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
