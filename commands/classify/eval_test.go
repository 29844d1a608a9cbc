package classify

import (
	"errors"
	"strings"
	"testing"
)

// fakeClassify decides by a keyword, so the test checks Evaluate, not the
// classifier.
func fakeClassify(s string) Result {
	if strings.Contains(s, "migrate") {
		return Result{Kind: KindProject, Type: TypeProject, Confidence: 0.9, Reasons: []string{`"migrate"`}}
	}
	return Result{Kind: KindSupport, Type: TypeIncident, Confidence: 0.55, Reasons: []string{}}
}

func TestEvaluate(t *testing.T) {
	in := "# comment\n\nproject\tmigrate the file server\r\nproject\tnew office for 30 staff\n  # indented comment\nsupport\tprinter jammed\nSupport\tserver down\n\t\nproject\tmigrate mail" // no final newline
	rep, err := Evaluate(strings.NewReader(in), fakeClassify)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 5 || rep.Correct != 4 {
		t.Fatalf("Total/Correct = %d/%d, want 5/4", rep.Total, rep.Correct)
	}
	if got := rep.Confusion[KindProject][KindProject]; got != 2 {
		t.Errorf("project->project = %d, want 2", got)
	}
	if got := rep.Confusion[KindProject][KindSupport]; got != 1 {
		t.Errorf("project->support = %d, want 1", got)
	}
	if got := rep.Confusion[KindSupport][KindSupport]; got != 2 {
		t.Errorf("support->support = %d, want 2", got)
	}
	if got := rep.Confusion[KindSupport][KindProject]; got != 0 {
		t.Errorf("support->project = %d, want 0", got)
	}
	if len(rep.Misses) != 1 || rep.Misses[0].Line != 4 || rep.Misses[0].Want != KindProject || rep.Misses[0].Text != "new office for 30 staff" {
		t.Fatalf("misses = %+v, want line 4", rep.Misses)
	}
	if a := rep.Accuracy(); a != 0.8 {
		t.Errorf("Accuracy = %v, want 0.8", a)
	}

	var sb strings.Builder
	n, err := rep.WriteTo(&sb)
	if err != nil || n != int64(sb.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, sb.Len())
	}
	out := sb.String()
	for _, want := range []string{
		"accuracy: 80.0% (4/5)",
		"got project",
		"got support",
		"want project",
		"want support",
		"line 4: want project, got support/incident (0.55): new office for 30 staff",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// The matrix rows hold the counts in want/got order.
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		switch {
		case strings.HasPrefix(l, "want project"):
			if f[2] != "2" || f[3] != "1" {
				t.Errorf("want project row = %q", l)
			}
		case strings.HasPrefix(l, "want support"):
			if f[2] != "0" || f[3] != "2" {
				t.Errorf("want support row = %q", l)
			}
		}
	}
}

func TestEvaluateEmpty(t *testing.T) {
	rep, err := Evaluate(strings.NewReader(""), fakeClassify)
	if err != nil || rep.Total != 0 || rep.Accuracy() != 0 {
		t.Fatalf("empty: %+v, %v", rep, err)
	}
	var sb strings.Builder
	if _, err := rep.WriteTo(&sb); err != nil || !strings.Contains(sb.String(), "accuracy: 0.0% (0/0)") {
		t.Errorf("empty report: %q, %v", sb.String(), err)
	}
}

func TestEvaluateMalformed(t *testing.T) {
	cases := []struct{ in, want string }{
		{"project\tok\nsupport printer jammed\n", "line 2:"},
		{"# c\n\nmaybe\tprinter jammed\n", "line 3:"},
		{"project\tok\n\nsupport\t   \n", "line 3:"},
		{"project\n", "line 1:"},
	}
	for _, c := range cases {
		_, err := Evaluate(strings.NewReader(c.in), fakeClassify)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Evaluate(%q) error = %v, want prefix %q", c.in, err, c.want)
		}
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("disk full")
	}
	f.after--
	return len(p), nil
}

func TestWriteToError(t *testing.T) {
	rep, _ := Evaluate(strings.NewReader("project\tx\n"), fakeClassify)
	if _, err := rep.WriteTo(&failWriter{after: 1}); err == nil {
		t.Error("WriteTo should report the writer's error")
	}
}
