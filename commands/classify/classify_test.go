package classify

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type want struct {
	text string
	kind Kind
	typ  Type // empty: any type of that kind
}

func check(t *testing.T, cases []want) {
	t.Helper()
	for _, c := range cases {
		r := Classify(c.text)
		if r.Kind != c.kind || c.typ != "" && r.Type != c.typ {
			t.Errorf("Classify(%q) = %s/%s (%.2f, %q), want %s/%s", c.text, r.Kind, r.Type, r.Confidence, r.Reasons, c.kind, c.typ)
		}
	}
}

// Boundary pairs: the same kind of work, and scale alone decides.
func TestScaleDecidesPairs(t *testing.T) {
	pairs := [][2]string{ // support, project
		{"Add a second monitor for Jane", "Put a floor of monitors in for the trading desk"},
		{"Add a second monitor for Jane", "Install dual monitors on all 40 desks on the 3rd floor"},
		{"New starter Monday, please create account", "Onboard the 25 people joining from the acquisition next month"},
		{"Set up a new laptop for Bob", "Set up fifty new laptops for the sales team"},
		{"Replace the broken laptop for Amy", "Replace all laptops in the finance department"},
		{"Install the HP printer for Karen", "New print server for 3 sites with follow-me printing"},
		{"Move Tom's desk phone to the office next door", "Move the Denver office to the new building in March, 30 staff"},
		{"Install Adobe Reader on Tom's PC", "Deploy Adobe Reader to every PC"},
		{"Please reset MFA for Sam", "Roll out MFA company-wide"},
		{"relocate one PC from room 12 to room 14", "relocate twenty five PCs to the new wing over the weekend"},
		{"need a new licence of Visio for Anna", "need a dozen Visio licences set up for the engineering team"},
	}
	for _, p := range pairs {
		check(t, []want{{p[0], KindSupport, ""}, {p[1], KindProject, TypeProject}})
	}
}

// The typical requests named in the design brief.
func TestTypicalRequests(t *testing.T) {
	check(t, []want{
		{"Move the Denver office to the new building in March, 30 staff", KindProject, TypeProject},
		{"Migrate our file server to SharePoint Online", KindProject, TypeProject},
		{"Replace the 3 aging Hyper-V hosts with a new cluster", KindProject, TypeProject},
		{"Deploy Intune to all 120 laptops", KindProject, TypeProject},
		{"Set up a new branch office in Austin with network and phones", KindProject, TypeProject},
		{"Quote for upgrading all switches to PoE", KindProject, TypeProject},
		{"We are acquiring a company of 40 people; integrate their M365 tenant", KindProject, TypeProject},
		{"Roll out MFA company-wide", KindProject, TypeProject},
		{"New website hosting and DNS cutover over the weekend", KindProject, TypeProject},

		{"Outlook keeps asking for my password", KindSupport, TypeIncident},
		{"Printer on 2nd floor jammed", KindSupport, TypeIncident},
		{"VPN down for remote users", KindSupport, TypeIncident},
		{"New starter Monday, please create account", KindSupport, TypeServiceRequest},
		{"Add a second monitor for Jane", KindSupport, TypeMAC},
		{"Install Adobe Reader on Tom's PC", KindSupport, TypeServiceRequest},
		{"Monthly patching visit", KindSupport, TypeRecurring},
		{"Server is down, urgent", KindSupport, TypeIncident},
		{"Can't access the shared drive", KindSupport, TypeIncident},
		{"Please reset MFA for Sam", KindSupport, TypeServiceRequest},
		{"Replace the broken keyboard", KindSupport, ""},
		{"quarterly onsite check at the Bristol office", KindSupport, TypeRecurring},
		{"please check the backups, our monthly check", KindSupport, TypeRecurring},
		{"Move Lisa's PC to the desk by the window", KindSupport, TypeMAC},
		{"Add Sarah to the marketing distribution list", KindSupport, TypeServiceRequest},
	})
}

// Break/fix beats scale: many users hurt is still one incident.
func TestBreakFixBeatsScale(t *testing.T) {
	check(t, []want{
		{"all users can't log in", KindSupport, TypeIncident},
		{"50 users locked out", KindSupport, TypeIncident},
		{"the whole office has no internet", KindSupport, TypeIncident},
		{"every PC in the building shows a certificate error", KindSupport, TypeIncident},
		{"phones are down at all 3 sites", KindSupport, TypeIncident},
		{"since the migration last weekend the mapped drives are missing", KindSupport, TypeIncident},
		{"The new firewall is blocking our bank website", KindSupport, TypeIncident},
		{"Quote template in Word has messed up formatting", KindSupport, TypeIncident},
	})
}

// Words that only look like project cues: stem collisions found while
// building the lexicon ("UPS" stems to "up", "one" to "on", "designated" to
// "design", "integrity" to "integr", "accounting" to "account").
func TestStemCollisions(t *testing.T) {
	check(t, []want{
		{"The rules fail to move specific emails to designated folders", KindSupport, ""},
		{"Security settings interfere with system integrity after the update", KindSupport, ""},
		{"Install Adobe Reader on Tom's PC", KindSupport, TypeServiceRequest},
		{"can you hook up a monitor for the new guy", KindSupport, TypeMAC},
		{"We are opening a pop-up store for the holidays, need wifi, POS and a printer there", KindProject, TypeProject},
		{"I need the wifi password for the new office", KindSupport, TypeServiceRequest},
	})
}

func TestReasons(t *testing.T) {
	r := Classify("Move the Denver office to the new building in March, 30 staff")
	for _, want := range []string{`30 staff`, `scheduled date`, `"new building"`} {
		if !slices.Contains(r.Reasons, want) {
			t.Errorf("reasons %q lack %q", r.Reasons, want)
		}
	}
	if len(r.Reasons) > maxReasons {
		t.Errorf("%d reasons, want at most %d", len(r.Reasons), maxReasons)
	}
	r = Classify("Outlook keeps asking for my password")
	if !slices.ContainsFunc(r.Reasons, func(s string) bool { return strings.Contains(s, "keeps asking") }) {
		t.Errorf("reasons should name the complaint, got %q", r.Reasons)
	}
	r = Classify("Add a second monitor for Jane")
	if !slices.Contains(r.Reasons, "only a second monitor") {
		t.Errorf("reasons %q should name the single device", r.Reasons)
	}
}

func TestUnsure(t *testing.T) {
	for _, s := range []string{"", "   ", "zqxv", "blorf wibblet"} {
		r := Classify(s)
		if !r.Unsure() {
			t.Errorf("Classify(%q) = %.2f %q, want Unsure", s, r.Confidence, r.Reasons)
		}
		if r.Kind != KindSupport || r.Reasons == nil {
			t.Errorf("Classify(%q) = %+v, want support with reasons", s, r)
		}
	}
	for _, s := range []string{"Server is down, urgent", "Migrate our file server to SharePoint Online"} {
		if r := Classify(s); r.Unsure() {
			t.Errorf("Classify(%q) = %.2f, should be sure", s, r.Confidence)
		}
	}
	if (Result{Confidence: AskThreshold}).Unsure() || !(Result{Confidence: AskThreshold - 0.01}).Unsure() {
		t.Error("Unsure must be Confidence < AskThreshold")
	}
}

func TestResultShape(t *testing.T) {
	texts := []string{"", "Server is down", "Roll out MFA company-wide", "Monthly patching visit", strings.Repeat("error ", 5000)}
	for _, s := range texts {
		r := Classify(s)
		if r.Confidence < 0 || r.Confidence > 1 || r.Confidence != round2(r.Confidence) {
			t.Errorf("Classify(%.20q) confidence %v", s, r.Confidence)
		}
		if !TypeFits(r.Kind, r.Type) {
			t.Errorf("Classify(%.20q) = %s/%s: type does not fit kind", s, r.Kind, r.Type)
		}
		if r2 := Classify(s); !slices.Equal(r.Reasons, r2.Reasons) || r.Confidence != r2.Confidence || r.Type != r2.Type {
			t.Errorf("Classify(%.20q) not deterministic: %+v vs %+v", s, r, r2)
		}
	}
	b, err := json.Marshal(Classify(""))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kind", "type", "confidence", "reasons"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON %s lacks %q", b, k)
		}
	}
	if _, ok := m["reasons"].([]any); !ok {
		t.Errorf("reasons must be a JSON array, got %s", b)
	}
}

// findSharedData looks for shared/data/support_incidents.csv by walking up
// from the working directory; it also tries a sibling "shared" of the
// repository root (the directory holding go.mod).
func findSharedData(t *testing.T) string {
	t.Helper()
	const rel = "shared/data/support_incidents.csv"
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if p := filepath.Join(d, rel); fileExists(p) {
			return p
		}
		if fileExists(filepath.Join(d, "go.mod")) {
			if p := filepath.Join(filepath.Dir(d), rel); fileExists(p) {
				return p
			}
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Every row of the shared support tickets must stay support.
func TestSupportIncidentsCSV(t *testing.T) {
	path := findSharedData(t)
	if path == "" {
		t.Skip("shared/data/support_incidents.csv not found")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := csv.NewReader(f)
	header, err := rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(header, []string{"id", "title", "body", "source_category"}) {
		t.Fatalf("unexpected header %q", header)
	}
	total, support := 0, 0
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		total++
		r := Classify(rec[1] + ". " + rec[2])
		if r.Kind == KindSupport {
			support++
		} else {
			t.Logf("miss %s (%.2f %q): %s", rec[0], r.Confidence, r.Reasons, rec[1])
		}
	}
	if total != 600 {
		t.Errorf("read %d rows, want 600", total)
	}
	pct := 100 * float64(support) / float64(total)
	t.Logf("support incidents classified as support: %d/%d (%.1f%%)", support, total, pct)
	if pct < 99 {
		t.Errorf("support rate %.1f%%, want >= 99%% (issue 16)", pct)
	}
}

func evalFile(t *testing.T, path string, min float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Evaluate(f, Classify)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if _, err := rep.WriteTo(&sb); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s:\n%s", path, sb.String())
	if rep.Accuracy() < min {
		t.Errorf("%s: accuracy %.1f%%, want >= %.0f%%", path, 100*rep.Accuracy(), 100*min)
	}
}

func TestEvalSet(t *testing.T) {
	evalFile(t, "data/eval.tsv", 0.95)
}

func TestRegressionSet(t *testing.T) {
	evalFile(t, "data/regress.tsv", 0.95)
}

// The evaluation set must stay a fair test: big enough and balanced.
func TestEvalSetShape(t *testing.T) {
	data, err := os.ReadFile("data/eval.tsv")
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, l := range strings.Split(string(data), "\n") {
		if label, _, ok := strings.Cut(l, "\t"); ok && !strings.HasPrefix(l, "#") {
			kind, _, _ := strings.Cut(label, "/")
			n[kind]++
		}
	}
	if n["project"]+n["support"] < 120 || n["project"] < 55 || n["support"] < 55 {
		t.Errorf("eval.tsv has %d project and %d support rows, want >= 120 and about half each", n["project"], n["support"])
	}
}
