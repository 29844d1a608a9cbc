package classify

import (
	"strings"
)

// feat is one feature of a request: a name (when training) or the model's
// id for it (when classifying), and what showed it, for the reasons: words
// as typed (tokens first..last, quoted), a fixed label ("30 staff",
// "scheduled date"), or both. Labels are only spelt out for the few
// features a reason is made of.
type feat struct {
	label       string
	id          int32
	first, last int32 // -1: no words
}

// analysis is everything measured about one text.
type analysis struct {
	text  string
	toks  []token
	sc    scale
	hits  []conceptHit
	feats []feat
	names []string // with no resolve: each feature's name, by index of feats
	words int      // word features the model knows

	resolve *Model   // set: features are looked up as they are made, unknown ones dropped
	seen    []uint64 // with resolve: the ids added so far, one bit each
	buf     []byte   // the feature name being built
}

// add records the feature named by parts. Names are built in a reused
// buffer and, when classifying, looked up without allocating.
func (a *analysis) add(label string, first, last int, parts ...string) {
	a.buf = a.buf[:0]
	for _, p := range parts {
		a.buf = append(a.buf, p...)
	}
	f := feat{label: label, first: int32(first), last: int32(last)}
	if a.resolve == nil {
		a.names = append(a.names, string(a.buf))
	} else {
		id, ok := a.resolve.lookup(a.buf)
		if !ok || a.seen[id/64]&(1<<(id%64)) != 0 {
			// Unknown to the model, or seen already: the model reads
			// presence, not counts, so a pasted log full of "error"
			// weighs as one "error" (the first occurrence is kept).
			return
		}
		a.seen[id/64] |= 1 << (id % 64)
		f.id = id
		if parts[0] == "w:" && a.resolve.kw[id] != 0 {
			a.words++
		}
	}
	a.feats = append(a.feats, f)
}

// negators open a negation: the words after them, to the end of the clause
// or three words, are read as negated ("can't print", "not able to log
// in", "no dial tone"). A negated word is a different feature from the
// plain word: "not working" and "working" mean opposite things.
var negators = wordSet("not|no|never|cant|cannot|wont|doesnt|dont|didnt|isnt|arent|wasnt|werent|havent|hasnt|couldnt|shouldnt|unable|nothing|nobody|none|without")

// clauseBreak reports whether the text between two tokens ends a clause.
func clauseBreak(s string) bool { return strings.ContainsAny(s, ".,;:!?()\n") }

// analyse measures text and resolves its features against m.
func (m *Model) analyse(text string) *analysis {
	return m.measure(text, m)
}

// analyseNames measures text and keeps its features' names, for training.
func (m *Model) analyseNames(text string) *analysis {
	a := m.measure(text, nil)
	seen := make(map[string]bool, len(a.names))
	names := a.names[:0]
	for _, n := range a.names {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	a.names, a.feats = names, nil
	return a
}

// measure measures text: normalised tokens, concepts, scale and features.
func (m *Model) measure(text string, resolve *Model) *analysis {
	r := m.root()
	return m.measureTokens(text, r.typos.normalize(text, tokenizeWith(text, r.stem)), resolve)
}

// measureTokens is measure on text's tokens, typos folded by m already:
// nothing after the folding depends on the model.
func (m *Model) measureTokens(text string, toks []token, resolve *Model) *analysis {
	a := &analysis{text: text, resolve: resolve, buf: make([]byte, 0, 64), toks: toks}
	if resolve != nil {
		a.seen = make([]uint64, (len(resolve.kw)+63)/64)
	}
	r := m.root()
	a.hits = r.concepts.find(a.toks)
	a.sc = measureScale(text, a.toks)
	a.feats = make([]feat, 0, 2*len(a.toks)+16)
	neg, negAt := 0, 0 // words of negation scope left, and where it opened
	for i, t := range a.toks {
		w := t.stem
		if t.num >= 0 {
			w = "#"
		}
		a.add("", i, i, "w:", w)
		if i > 0 && !clauseBreak(text[a.toks[i-1].end:t.start]) {
			p := a.toks[i-1].stem
			if a.toks[i-1].num >= 0 {
				p = "#"
			}
			a.add("", i-1, i, "b:", p, "_", w)
		} else {
			neg = 0
		}
		if neg > 0 {
			a.add("", negAt, i, "n:", w)
			neg--
		}
		if negators[t.word] {
			neg, negAt = 3, i
		}
	}
	lvl := levelNames[a.sc.level()+1]
	scaleLabel := a.sc.label()
	a.add(scaleLabel, -1, -1, "s:", lvl)
	for _, h := range a.hits {
		if h.name == "date" {
			a.add("scheduled date", -1, -1, "c:date")
			a.add("scheduled date", -1, -1, "x:", lvl, ":date")
			continue
		}
		a.add("", h.first, h.last, "c:", h.name)
		a.add(scaleLabel, h.first, h.last, "x:", lvl, ":", h.name)
	}
	if a.sc.multiSite() {
		a.add(scaleLabel, -1, -1, "s:sites")
	}
	if a.sc.group {
		a.add("a whole team", -1, -1, "s:team")
	}
	if a.sc.date {
		a.add("scheduled date", -1, -1, "s:date")
	}
	if a.sc.money {
		a.add("budget figure", -1, -1, "s:money")
	}
	switch n := len(a.toks); {
	case n <= 6:
		a.add("", -1, -1, "len:short")
	case n >= 60:
		a.add("", -1, -1, "len:long")
	}
	a.add("", -1, -1, "bias")
	return a
}

// levelNames name scale.level()+1.
var levelNames = [...]string{"lvl-1", "lvl0", "lvl1", "lvl2", "lvl3"}

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
