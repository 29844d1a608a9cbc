package classify

import (
	"math"
	"strconv"
	"strings"
)

// Contract is what a client's managed-services contract covers. Clauses are
// free text written by a coordinator, e.g. "workstation setup up to 2 per
// month", "patching", "user onboarding", "firewall changes". AlwaysProject
// lists work the client always pays for separately, e.g. "new site",
// "server replacement".
type Contract struct {
	Client        string // the client's code, named in the reasons ("covered by ACME's contract")
	Covered       []string
	AlwaysProject []string
}

// Override is a coordinator's earlier reclassification, learned from.
type Override struct {
	RequestNumber int64   // the earlier request, named in the reason
	Text          string  // its text
	Similarity    float64 // pg_trgm similarity(Text, the new request), as storage computed it
	Kind          Kind    // the coordinator's decision; other values are ignored
	Type          Type    // optional; replaced when empty or not valid for Kind
	By            string  // who decided, for the reason; may be empty
	Reason        string  // why, for the reason; may be empty
}

// Options carry the client context of a request.
type Options struct {
	Model     *Model // the workspace's model; nil means Default()
	Contract  *Contract
	Overrides []Override
}

// clauseStop are words that carry no meaning in a contract clause, or only
// frame it ("anything involving", "work related to").
var clauseStop = stemSet("a|an|the|of|and|or|for|to|up|per|month|months|monthly|week|weeks|weekly|year|years|yearly|annually|day|days|daily|quarter|quarterly|included|include|includes|inclusive|covered|cover|covers|all|any|each|every|with|in|on|at|by|within|max|maximum|no|more|than|first|limit|limited|only|standard|basic|general|support|service|services|request|requests|work|as|is|are|be|under|unlimited|free|charge|routine|remote|our|their|client|clients|managed|anything|everything|something|involving|involve|involves|related|relating|regarding|concerning|about|thing|things|stuff|item|items|matter|matters|type|types|kind|kinds|job|jobs|task|tasks|etc|always|project|projects|billed|separately|which|that|this|these|those|it|them")

// exampleLeads open a clause's examples: "network changes such as VLANs and
// firewall rules" covers network changes, and each example on its own.
var exampleLeads = []string{"such as", "e.g.", "eg", "including", "like", "for example", "for instance", "i.e.", "ie"}

// numberStems are spelled-out numbers: "no more than five a month" is a
// limit, not a term to match.
var numberStems = func() map[string]bool {
	m := map[string]bool{}
	for w := range numberWords {
		m[stem(w)] = true
	}
	return m
}()

// clause is a parsed contract clause: its head and each example, as lists
// of terms. A term is a concept (so "laptop" meets "PC") or, for a word in
// no concept, its stem. "new" only counts as a term beside something it
// makes new.
type clause struct {
	text  string
	alts  [][]string
	limit int // "up to 2": the most items the clause covers at once; 0 = none
}

func (m *Model) parseClause(text string) clause {
	c := clause{text: strings.TrimSpace(text)}
	lower := strings.ToLower(c.text)
	parts := []string{lower}
	for _, lead := range exampleLeads {
		if i := indexWord(lower, lead); i > 0 {
			head, rest := lower[:i], lower[i+len(lead):]
			parts = []string{head}
			for _, ex := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == '/' || r == ';' }) {
				for _, e := range splitWord(ex, "and", "or") {
					parts = append(parts, e)
				}
			}
			break
		}
	}
	c.limit = clauseLimit(tokenize(c.text))
	for i, p := range parts {
		if t := m.clauseTerms(p, i > 0); len(t) > 0 {
			c.alts = append(c.alts, t)
		}
	}
	return c
}

// clauseTerms reads the terms of one clause part, in order: concepts
// (synonyms) for the head, the words themselves (stemmed) for an example,
// which names one specific thing ("VLANs", not every network word).
func (m *Model) clauseTerms(text string, example bool) []string {
	toks := m.root().typos.normalize(text, tokenize(text))
	covered := make([]bool, len(toks))
	var terms []string
	seen := map[string]bool{}
	addTerm := func(t string) {
		if !seen[t] {
			seen[t] = true
			terms = append(terms, t)
		}
	}
	if !example {
		for _, h := range m.root().concepts.find(toks) {
			for k := h.first; k <= h.last; k++ {
				covered[k] = true
			}
			// A narrow concept that implies a broader one ("laptop" is
			// "hardware") is matched by its narrow name.
			if !impliedBy(h.name, toks, h) {
				addTerm(h.name)
			}
		}
	}
	for i, t := range toks {
		if covered[i] || clauseStop[t.stem] || t.num >= 0 || numberStems[t.stem] || len(t.stem) < 2 {
			continue
		}
		addTerm(t.stem)
	}
	return terms
}

// impliedBy reports whether concept name at h is only the broader concept a
// narrower phrase implies: the narrower name is the term.
func impliedBy(name string, toks []token, h conceptHit) bool {
	for _, d := range conceptDefs {
		if d.implies == name && d.name != name {
			for _, p := range strings.Split(d.phrases, "|") {
				if st := stems(p); len(st) == h.last-h.first+1 && st[0] == toks[h.first].stem {
					return true
				}
			}
		}
	}
	return false
}

// indexWord finds lead in s as whole words.
func indexWord(s, lead string) int {
	for off := 0; ; {
		i := strings.Index(s[off:], lead)
		if i < 0 {
			return -1
		}
		i += off
		end := i + len(lead)
		if (i == 0 || !isWordByte(s[i-1])) && (end == len(s) || !isWordByte(s[end]) || strings.HasSuffix(lead, ".")) {
			return i
		}
		off = i + 1
	}
}

// splitWord splits s on the whole words given.
func splitWord(s string, words ...string) []string {
	out := []string{""}
	for _, f := range strings.Fields(s) {
		if containsStr(words, f) {
			out = append(out, "")
			continue
		}
		out[len(out)-1] += " " + f
	}
	return out
}

// clauseLimit reads "up to 2", "max 3", "no more than 5", "2 per month".
func clauseLimit(toks []token) int {
	for i, t := range toks {
		if t.num < 0 {
			if n, _ := countAt(toks, i); n > 0 && numberWords[t.word] > 0 && i > 0 && limitLead(toks, i) {
				return n
			}
			continue
		}
		if limitLead(toks, i) {
			return t.num
		}
		if i+1 < len(toks) && (toks[i+1].word == "per" || toks[i+1].word == "a" || toks[i+1].word == "each") {
			return t.num
		}
	}
	return 0
}

// limitLead reports whether the number at i is introduced as a limit:
// "max 3", "first 2", "under 5", "no more than 5", "fewer than 4",
// "up to 2", "maximum of 10".
func limitLead(toks []token, i int) bool {
	if i == 0 {
		return false
	}
	switch toks[i-1].word {
	case "max", "maximum", "first", "under", "than":
		return true
	}
	if i >= 2 {
		switch toks[i-2].word + " " + toks[i-1].word {
		case "up to", "maximum of", "limit of", "limited to":
			return true
		}
	}
	return false
}

// termsOf maps each concept and each stem of a request to the token
// positions where it occurs.
func termsOf(a *analysis) map[string][]int {
	cs := map[string][]int{}
	// A term's first maxTermPos places are enough to find it close to the
	// others, and keep matching linear in a pasted log.
	const maxTermPos = 32
	inPhrase := make([]bool, len(a.toks)) // inside a longer concept phrase
	for _, h := range a.hits {
		if len(cs[h.name]) < maxTermPos {
			cs[h.name] = append(cs[h.name], h.first)
		}
		for k := h.first; k <= h.last && h.last > h.first; k++ {
			inPhrase[k] = true
		}
	}
	for i, t := range a.toks {
		// The "new" of "new starter" is no new thing on its own.
		if (t.stem != "new" || !inPhrase[i]) && len(cs[t.stem]) < maxTermPos {
			cs[t.stem] = append(cs[t.stem], i)
		}
	}
	return cs
}

// match reports whether the request shows the terms of one alternative
// close together (within a window that grows with its length, so "new" and
// "site" forty words apart do not make a "new site"). Alternatives of three
// or more terms need two thirds of them.
func matchTerms(terms []string, cs map[string][]int) (ok bool, spanLen int) {
	var lists [][]int
	for _, t := range terms {
		if pos, ok := cs[t]; ok {
			lists = append(lists, pos)
		}
	}
	need := len(terms)
	if need >= 3 {
		need = (2*need + 2) / 3
	}
	if len(lists) == 0 || len(lists) < need {
		return false, 0
	}
	best := -1
	for _, anchor := range lists[0] {
		lo, hi := anchor, anchor
		for _, l := range lists[1:] {
			near := l[0]
			for _, p := range l {
				if abs(p-anchor) < abs(near-anchor) {
					near = p
				}
			}
			lo, hi = min(lo, near), max(hi, near)
		}
		if best < 0 || hi-lo < best {
			best = hi - lo
		}
	}
	if best > 1+2*len(terms) {
		return false, 0
	}
	return true, best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// bestClause returns the clause of list the request matches best: most
// terms, then tightest span, then listed first.
func (m *Model) bestClause(list []string, cs map[string][]int) (clause, bool) {
	var best clause
	found, bestTerms, bestSpan := false, 0, 0
	for _, s := range list {
		if strings.TrimSpace(s) == "" {
			continue
		}
		c := m.parseClause(s)
		for _, terms := range c.alts {
			ok, sp := matchTerms(terms, cs)
			if ok && (!found || len(terms) > bestTerms || len(terms) == bestTerms && sp < bestSpan) {
				best, found, bestTerms, bestSpan = c, true, len(terms), sp
			}
		}
	}
	return best, found
}

// ClauseMatches counts the texts a contract clause would match: a
// coordinator adding a clause that matches none of the labelled requests
// (see Corpus) has probably worded it in a way nothing will meet.
func ClauseMatches(clauseText string, texts []string) int {
	m := Default()
	n := 0
	for _, t := range texts {
		a := m.analyse(t)
		if _, ok := m.bestClause([]string{clauseText}, termsOf(a)); ok {
			n++
		}
	}
	return n
}

// quantity is how many items the request is about, for clause limits.
func (s *scale) quantity() int {
	if s.many || s.multiSite() {
		return 1_000_000
	}
	if n := max(s.people, s.devices, s.infra); n > 0 {
		return n
	}
	if s.group {
		return 8
	}
	return 1
}

// applyContract lets the client's contract decide: an AlwaysProject clause
// makes it a project (even an emergency server replacement is billed as
// one); a Covered clause makes it support unless the request is bigger than
// the clause's stated limit or, without one, than routine work; and new work
// the contract does not cover leans toward a project, since it will be
// billed separately. Clauses are parsed on every call: contracts have a
// handful of clauses and parsing one costs a few microseconds.
func (m *Model) applyContract(a *analysis, r Result, ct *Contract) Result {
	cs := termsOf(a)
	whose := "contract"
	if ct.Client != "" {
		whose = ct.Client + "'s contract"
	}
	if c, ok := m.bestClause(ct.AlwaysProject, cs); ok {
		r.Kind, r.Type = KindProject, TypeProject
		r.Confidence = math.Max(0.9, m.probOf(a, KindProject))
		r.Reasons = prepend(m.reasons(a, KindProject), "always a project per "+whose+": "+strconv.Quote(c.text))
		return r
	}
	if c, ok := m.bestClause(ct.Covered, cs); ok {
		if c.limit > 0 && a.sc.quantity() > c.limit {
			// Past the stated limit the work is billed outside the
			// contract: a project, however small it sounds.
			r.Kind, r.Type = KindProject, TypeProject
			r.Confidence = math.Max(0.75, m.probOf(a, KindProject))
			r.Reasons = prepend(m.reasons(a, KindProject), "exceeds the limit in "+whose+": "+strconv.Quote(c.text))
			return r
		}
		if c.limit == 0 && !c.upkeep() && m.beyondRoutine(a) {
			// "user onboarding" covers the next new starter, not the 25
			// people of an acquisition: a clause without a stated limit
			// covers routine volumes.
			r.Kind, r.Type = KindProject, TypeProject
			r.Confidence = math.Max(0.6, m.probOf(a, KindProject))
			r.Reasons = prepend(m.reasons(a, KindProject), "beyond the routine scope of "+whose+": "+strconv.Quote(c.text))
			return r
		}
		r.Kind = KindSupport
		r.Type = m.supportType(a.feats)
		// The contract settles the billing question even when the words
		// looked like a project; confidence says how much they agreed.
		r.Confidence = math.Max(0.8, m.probOf(a, KindSupport))
		r.Reasons = prepend(m.reasons(a, KindSupport), "covered by "+whose+": "+strconv.Quote(c.text))
		return r
	}
	// New work the contract does not name is billed separately: a
	// service request or MAC the model was unsure about leans project.
	if r.Kind == KindSupport && (r.Type == TypeMAC || r.Type == TypeServiceRequest) && len(ct.Covered) > 0 && r.Confidence < 0.9 && a.changes() {
		r.Kind, r.Type, r.Confidence = KindProject, TypeProject, math.Max(0.6, m.probOf(a, KindProject))
		r.Reasons = prepend(m.reasons(a, KindProject), "new work not covered by "+whose)
	}
	return r
}

// changes reports whether the request sets up, moves or replaces something.
func (a *analysis) changes() bool {
	for _, h := range a.hits {
		switch h.name {
		case "setup", "move", "replace", "onboard":
			return true
		}
	}
	return false
}

// beyondRoutine reports whether a request is larger than the routine work
// a contract clause describes: everyone, twenty or more people or devices,
// or several sites, unless it is a fault or routine upkeep.
func (m *Model) beyondRoutine(a *analysis) bool {
	return !m.broken(a) && (a.sc.level() >= 3 || a.sc.multiSite())
}

// upkeep reports whether a clause covers routine upkeep (patching, backups,
// visits), which it covers at any size: "patching" covers every server.
func (c clause) upkeep() bool {
	for _, alt := range c.alts {
		for _, t := range alt {
			switch t {
			case "patch", "backup", "visit", "schedule":
				return true
			}
		}
	}
	return false
}

// prepend puts the deciding reason s first, drops the "no ... cues"
// placeholder that only stands in for an empty list, and keeps the list
// short.
func prepend(list []string, s string) []string {
	out := make([]string, 0, len(list)+1)
	out = append(out, s)
	for _, x := range list {
		// A cue the deciding reason already quotes would only repeat it.
		if x != "no project cues" && x != "no support cues" && !strings.Contains(s, x) {
			out = append(out, x)
		}
	}
	if len(out) > maxReasons {
		out = out[:maxReasons]
	}
	return out
}
