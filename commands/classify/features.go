package classify

import (
	"strconv"
	"strings"
)

// feat is one feature of a request: a name the model has a weight for, and
// what showed it, for the reasons: words as typed (tokens first..last,
// quoted), a fixed label ("30 staff", "scheduled date"), or both. Labels
// are only spelt out for the few features a reason is made of.
type feat struct {
	name        string
	label       string
	first, last int // -1: no words
}

// labels spells out what showed f.
func (a *analysis) labels(f feat) []string {
	var out []string
	if f.label != "" {
		out = append(out, f.label)
	}
	if f.first >= 0 {
		out = append(out, `"`+span(a.text, a.toks, f.first, f.last)+`"`)
	}
	return out
}

// analysis is everything measured about one text.
type analysis struct {
	text  string
	toks  []token
	sc    scale
	hits  []conceptHit
	feats []feat
}

// negators open a negation: the words after them, to the end of the clause
// or three words, are read as negated ("can't print", "not able to log
// in", "no dial tone"). A negated word is a different feature from the
// plain word: "not working" and "working" mean opposite things.
var negators = wordSet("not|no|never|cant|cannot|wont|doesnt|dont|didnt|isnt|arent|wasnt|werent|havent|hasnt|couldnt|shouldnt|unable|nothing|nobody|none|without")

// clauseBreak reports whether the text between two tokens ends a clause.
func clauseBreak(s string) bool { return strings.ContainsAny(s, ".,;:!?()\n") }

// analyse measures text: normalised tokens, concepts, scale and features.
func (m *Model) analyse(text string) *analysis {
	a := &analysis{text: text}
	r := m.root()
	a.toks = r.typos.normalize(text, tokenize(text))
	a.hits = r.concepts.find(a.toks)
	a.sc = measureScale(text, a.toks)
	a.feats = make([]feat, 0, 4*len(a.toks)+16)
	add := func(name, label string) { a.feats = append(a.feats, feat{name, label, -1, -1}) }
	addW := func(name, label string, first, last int) { a.feats = append(a.feats, feat{name, label, first, last}) }
	neg, negAt := 0, 0 // words of negation scope left, and where it opened
	for i, t := range a.toks {
		w := t.stem
		if t.num >= 0 {
			w = "#"
		}
		addW("w:"+w, "", i, i)
		if i > 0 && !clauseBreak(text[a.toks[i-1].end:t.start]) {
			p := a.toks[i-1].stem
			if a.toks[i-1].num >= 0 {
				p = "#"
			}
			addW("b:"+p+"_"+w, "", i-1, i)
		} else {
			neg = 0
		}
		if neg > 0 {
			addW("n:"+w, "", negAt, i)
			neg--
		}
		if negators[t.word] {
			neg, negAt = 3, i
		}
	}
	lvl := "s:lvl" + strconv.Itoa(a.sc.level())
	scaleLabel := a.sc.label()
	add(lvl, scaleLabel)
	for _, h := range a.hits {
		if h.name == "date" {
			add("c:date", "scheduled date")
			add("x:"+lvl[2:]+":date", "scheduled date")
			continue
		}
		addW("c:"+h.name, "", h.first, h.last)
		addW("x:"+lvl[2:]+":"+h.name, scaleLabel, h.first, h.last)
	}
	if a.sc.multiSite() {
		add("s:sites", scaleLabel)
	}
	if a.sc.group {
		add("s:team", "a whole team")
	}
	if a.sc.date {
		add("s:date", "scheduled date")
	}
	if a.sc.money {
		add("s:money", "budget figure")
	}
	if a.sc.allData {
		add("s:alldata", "all the business's data")
	}
	switch n := len(a.toks); {
	case n <= 6:
		add("len:short", "")
	case n >= 60:
		add("len:long", "")
	}
	add("bias", "")
	return a
}

// label is the scale in words for a reason: the strongest count seen
// ("30 staff", "all laptops"), or the one person or device.
func (s *scale) label() string {
	best, bw := "", 0.0
	for _, n := range s.reasons {
		if n.w > bw {
			best, bw = n.label, n.w
		}
	}
	if best != "" {
		return best
	}
	if s.single {
		if s.singleLabel != "" {
			return "only " + s.singleLabel
		}
		return "one person or device"
	}
	if s.group {
		return "a whole team"
	}
	return ""
}
