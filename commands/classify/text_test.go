package classify

import (
	"slices"
	"strings"
	"testing"
)

func TestStem(t *testing.T) {
	// Reference pairs from Porter's paper and vocabulary list.
	cases := map[string]string{
		"caresses": "caress", "ponies": "poni", "cats": "cat", "feed": "feed", "agreed": "agre",
		"plastered": "plaster", "motoring": "motor", "sing": "sing", "conflated": "conflat",
		"hopping": "hop", "filing": "file", "happy": "happi", "relational": "relat",
		"conditional": "condit", "generalization": "gener", "adjustment": "adjust",
		"migration": "migrat", "migrating": "migrat", "deployment": "deploy", "installation": "instal",
		"install": "instal", "workstations": "workstat", "onboarding": "onboard", "a": "a", "m365": "m365",
	}
	for in, want := range cases {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	toks := tokenize("Can't reach Tom's PC; company-wide 1,200 users, error 0x80070005 — Ärger")
	var words []string
	for _, tk := range toks {
		words = append(words, tk.word)
	}
	want := []string{"cant", "reach", "tom", "pc", "company", "wide", "1200", "users", "error", "0x80070005", "ärger"}
	if !slices.Equal(words, want) {
		t.Fatalf("words = %q, want %q", words, want)
	}
	if !toks[2].poss || toks[1].poss {
		t.Error("possessive not recorded on Tom's")
	}
	if toks[6].num != 1200 || toks[0].num != -1 {
		t.Errorf("numbers: %d %d", toks[6].num, toks[0].num)
	}
	if !toks[0].upper || toks[1].upper {
		t.Error("upper-case flag wrong")
	}
	// Long input is cut on a rune boundary and stays valid.
	long := strings.Repeat("é", maxScan)
	if toks := tokenize(long); len(toks) != 1 || !strings.HasPrefix(long, toks[0].word) {
		t.Errorf("long input tokenised badly: %d tokens", len(toks))
	}
}

func TestMeasureScale(t *testing.T) {
	cases := []struct {
		text                          string
		people, devices, infra, sites int
		many, single                  bool
	}{
		{"fifty laptops", 0, 50, 0, 0, false, false},
		{"twenty five new users", 25, 0, 0, 0, false, false},
		{"a dozen PCs", 0, 12, 0, 0, false, false},
		{"half a dozen monitors", 0, 6, 0, 0, false, false},
		{"the 3 aging Hyper-V hosts", 0, 0, 3, 0, false, false},
		{"error 6123 on Windows 11", 0, 0, 0, 0, false, false},
		{"desk 14 in room 12", 0, 0, 0, 0, false, false},
		{"at the loading dock, 8 cameras", 0, 8, 0, 0, false, false},
		{"both sites", 0, 0, 0, 2, false, false},
		{"5 branches", 0, 0, 0, 5, false, false},
		{"roll out to every PC", 0, 0, 0, 0, true, false},
		{"company-wide", 0, 0, 0, 0, true, false},
		{"a floor of monitors", 0, 20, 0, 0, true, false},
		{"a class of 18 starting Monday", 18, 0, 0, 0, false, false},
		{"upgrade them all, about 25", 0, 25, 0, 0, false, false},
		{"Add a second monitor for Jane", 0, 0, 0, 0, false, true},
		{"Install Adobe on Tom's PC", 0, 0, 0, 0, false, true},
		{"one new user and 30 laptops", 0, 30, 0, 0, false, false},
	}
	for _, c := range cases {
		s := measureScale(c.text, tokenize(c.text))
		if s.people != c.people || s.devices != c.devices || s.infra != c.infra || s.sites != c.sites || s.many != c.many || s.single != c.single {
			t.Errorf("measureScale(%q) = people %d devices %d infra %d sites %d many %v single %v; want %d %d %d %d %v %v",
				c.text, s.people, s.devices, s.infra, s.sites, s.many, s.single, c.people, c.devices, c.infra, c.sites, c.many, c.single)
		}
	}
}

// A longer phrase claims its words first, so it must never weigh less than a
// same-class phrase inside it ("wifi password" against "password").
