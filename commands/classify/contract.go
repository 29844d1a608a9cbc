package classify

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Contract is what a client's managed-services contract covers. Clauses are
// free text written by a coordinator, e.g. "workstation setup up to 2 per
// month", "patching", "user onboarding", "firewall changes". AlwaysProject
// lists work the client always pays for separately, e.g. "new site",
// "server replacement".
type Contract struct {
	Covered       []string
	AlwaysProject []string
}

// Override is a coordinator's earlier reclassification, learned from.
type Override struct {
	RequestNumber int64  // the earlier request, named in the reason
	Text          string // its text, compared with Similarity
	Kind          Kind   // the coordinator's decision; other values are ignored
	Type          Type   // optional; replaced when empty or not valid for Kind
	By            string // who decided, for the reason; may be empty
	Reason        string // why, for the reason; may be empty
}

// Options carry the client context of a request.
type Options struct {
	Contract  *Contract
	Overrides []Override
}

// concepts lets a clause and a request meet when they use different words
// for the same thing: the clause "user onboarding" and the request "new
// starter Monday, needs accounts", or "workstation setup" and "set up a new
// laptop". Each concept lists its surface phrases; words not listed stand for
// themselves (by stem), so a clause about "Sage" still matches "Sage".
var conceptDefs = []struct {
	name    string
	phrases string
	implies string
}{
	{"onboard", "onboard|onboarding|onboarded|new starter|new starters|new user|new users|new hire|new hires|new joiner|new joiners|new employee|new employees|new staff|new member|new recruit|starter|starters|joiner|joiners|induction|start date|starting monday|new account|new accounts|create account|create accounts|create * account|set up * account|setup * account", "user"},
	{"offboard", "offboard|offboarding|leaver|leavers|leaving|left the company|has left|disable * account|terminate|termination|exit|departure", "user"},
	{"user", "user|users|staff|employee|employees|person|people|member|colleague|account|accounts|hire|hires", ""},
	{"workstation", "workstation|workstations|pc|pcs|desktop|desktops|laptop|laptops|computer|computers|machine|machines|device|devices|endpoint|endpoints|notebook|macbook|macbooks|surface", ""},
	{"setup", "setup|set up|set * up|setting up|install|installing|installation|configure|configuration|build|image|imaging|provision|provisioning|deploy|deployment|prepare|prep|get * ready|hook up|connect", ""},
	{"patch", "patch|patches|patching|windows update|windows updates|security update|security updates|updates|hotfix|hotfixes", ""},
	{"firewall", "firewall|firewalls|fortigate|fortinet|sonicwall|meraki|pfsense|watchguard|sophos xg|utm", ""},
	{"change", "change|changes|modify|modification|amend|adjust|adjustment|update|rule|rules|open port|open * port|allow|block|whitelist|allowlist|tweak|edit|add|remove|upgrade|firmware", ""},
	{"password", "password|passwords|passcode|unlock|locked out|lockout|mfa|2fa", ""},
	{"reset", "reset|resets|unlock|unlocks", ""},
	{"printer", "printer|printers|copier|copiers|mfd|print|printing|scanner|toner", ""},
	{"backup", "backup|backups|back up|restore|restores|snapshot|snapshots", ""},
	{"email", "email|emails|e mail|mailbox|mailboxes|outlook|exchange|distribution list|alias|mail", ""},
	{"phone", "phone|phones|handset|handsets|voip|extension|extensions|telephony|desk phone", ""},
	{"site", "site|sites|office|offices|branch|branches|location|locations|building|premises|clinic|store|hq|headquarters|warehouse", ""},
	{"server", "server|servers|host|hosts|hypervisor|hyper v|vmware|esxi", ""},
	{"replace", "replace|replacement|replacing|swap|swap out|refresh", ""},
	{"move", "move|moves|moving|relocate|relocation|relocating", ""},
	{"network", "network|networks|wifi|wi fi|wireless|switch|switches|lan|router|routers|access point|access points", ""},
	{"new", "new|additional|another|extra", ""},
	{"access", "access|permission|permissions|grant|share|shares|shared drive|folder", ""},
	{"software", "software|application|applications|app|apps|program|programs|package", ""},
	{"monitor", "monitor|monitors|screen|screens|display|displays", ""},
	{"security", "security|antivirus|anti virus|av|edr|defender|malware|endpoint protection", ""},
	{"license", "licence|licences|license|licenses|licensing|subscription|subscriptions", ""},
	{"upgrade", "upgrade|upgrades|upgrading", ""},
	{"migrate", "migrate|migration|migrating", ""},
	{"visit", "visit|visits|onsite|on site|site visit", ""},
}

type conceptDef struct {
	pat     []string
	name    string
	implies string
}

// conceptIndex maps a first stem to the concept phrases starting with it.
var conceptIndex = func() map[string][]conceptDef {
	m := map[string][]conceptDef{}
	for _, d := range conceptDefs {
		for _, p := range strings.Split(d.phrases, "|") {
			var pat []string
			for _, w := range strings.Fields(p) {
				if w == "*" {
					pat = append(pat, w)
					continue
				}
				for _, t := range tokenize(w) {
					pat = append(pat, t.stem)
				}
			}
			m[pat[0]] = append(m[pat[0]], conceptDef{pat: pat, name: d.name, implies: d.implies})
		}
	}
	return m
}()

// clauseStop are words that carry no meaning in a contract clause.
var clauseStop = stemSet("a|an|the|of|and|or|for|to|up|per|a|month|months|monthly|week|weeks|weekly|year|years|yearly|annually|day|days|daily|quarter|quarterly|included|include|includes|including|inclusive|covered|cover|covers|all|any|each|every|with|in|on|at|by|within|max|maximum|no|more|than|first|limit|limited|only|standard|basic|general|support|service|services|request|requests|work|as|per|is|are|be|up|under|unlimited|free|charge|routine|remote|our|their|client|clients|managed")

// numberStems are spelled-out numbers: "no more than five a month" is a
// limit, not a term to match.
var numberStems = func() map[string]bool {
	m := map[string]bool{}
	for w := range numberWords {
		m[stem(w)] = true
	}
	return m
}()

// conceptsOf maps each concept (or, for words outside every concept, each
// stem) of toks to the token positions where it occurs. Longer phrases
// claim their words first, as with cues: "new starter" is onboarding, and
// its "new" does not also count as the "new" of "new site".
func conceptsOf(toks []token) map[string][]int {
	type cand struct {
		d   *conceptDef
		pos []int
	}
	var cands []cand
	for i := range toks {
		ds := conceptIndex[toks[i].stem]
		for k := range ds {
			c := cue{pat: ds[k].pat}
			if pos := matchAt(&c, "", toks, i); pos != nil {
				cands = append(cands, cand{&ds[k], pos})
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if len(cands[a].pos) != len(cands[b].pos) {
			return len(cands[a].pos) > len(cands[b].pos)
		}
		return cands[a].pos[0] < cands[b].pos[0]
	})
	out := map[string][]int{}
	covered := make([]bool, len(toks))
	for _, c := range cands {
		free := true
		for _, p := range c.pos {
			free = free && !covered[p]
		}
		if !free {
			continue
		}
		for _, p := range c.pos {
			covered[p] = true
		}
		out[c.d.name] = append(out[c.d.name], c.pos[0])
		if c.d.implies != "" {
			out[c.d.implies] = append(out[c.d.implies], c.pos[0])
		}
	}
	for i, t := range toks {
		if !covered[i] {
			out[t.stem] = append(out[t.stem], i)
		}
	}
	for _, pos := range out {
		sort.Ints(pos)
	}
	return out
}

// clause is a parsed contract clause.
type clause struct {
	text  string
	terms []string // concept names or stems, all of which a request must show
	limit int      // "up to 2": the most items the clause covers at once; 0 = none
}

func parseClause(text string) clause {
	c := clause{text: strings.TrimSpace(text)}
	toks := tokenize(text)
	c.limit = clauseLimit(toks)
	cs := conceptsOf(toks)
	// Keep the concepts in clause order, so matching is deterministic.
	type term struct {
		name string
		pos  int
	}
	var terms []term
	for name, pos := range cs {
		if clauseStop[name] || isDigits(name) || len(name) < 2 || numberStems[name] {
			continue
		}
		terms = append(terms, term{name, pos[0]})
	}
	// Map order is random: sort by position, then name.
	sort.Slice(terms, func(i, j int) bool {
		if terms[i].pos != terms[j].pos {
			return terms[i].pos < terms[j].pos
		}
		return terms[i].name < terms[j].name
	})
	for _, t := range terms {
		c.terms = append(c.terms, t.name)
	}
	return c
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

// match reports whether the request shows every term of the clause close
// together (within a window that grows with the clause length, so "new" and
// "site" forty words apart do not make a "new site"). Clauses of three or
// more terms need two thirds of them.
func (c clause) match(cs map[string][]int) (ok bool, spanLen int) {
	if len(c.terms) == 0 {
		return false, 0
	}
	var lists [][]int
	for _, t := range c.terms {
		if pos, ok := cs[t]; ok {
			lists = append(lists, pos)
		}
	}
	need := len(c.terms)
	if need >= 3 {
		need = (2*need + 2) / 3
	}
	if len(lists) < need {
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
	if best > 1+2*len(c.terms) {
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
func bestClause(list []string, cs map[string][]int) (clause, bool) {
	var best clause
	found, bestTerms, bestSpan := false, 0, 0
	for _, s := range list {
		if strings.TrimSpace(s) == "" {
			continue
		}
		c := parseClause(s)
		ok, sp := c.match(cs)
		if !ok {
			continue
		}
		if !found || len(c.terms) > bestTerms || len(c.terms) == bestTerms && sp < bestSpan {
			best, found, bestTerms, bestSpan = c, true, len(c.terms), sp
		}
	}
	return best, found
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
// handful of clauses and parsing one costs about a microsecond.
func (a *analysis) applyContract(r Result, ct *Contract) Result {
	cs := conceptsOf(a.toks)
	if c, ok := bestClause(ct.AlwaysProject, cs); ok {
		r.Kind, r.Type = KindProject, TypeProject
		r.Confidence = math.Max(0.9, confidenceIf(a.z, KindProject))
		r.Reasons = prepend(a.reasons(KindProject), "always a project per contract: "+strconv.Quote(c.text))
		return r
	}
	if c, ok := bestClause(ct.Covered, cs); ok {
		if c.limit > 0 && a.sc.quantity() > c.limit {
			// Past the stated limit the work is billed outside the
			// contract: a project, however small it sounds.
			r.Kind, r.Type = KindProject, TypeProject
			r.Confidence = math.Max(0.75, confidenceIf(a.z+2, KindProject))
			r.Reasons = prepend(a.reasons(KindProject), "exceeds contract limit: "+strconv.Quote(c.text))
			return r
		}
		if c.limit == 0 && a.beyondRoutine() {
			// "user onboarding" covers the next new starter, not the 25
			// people of an acquisition: a clause without a stated limit
			// covers routine volumes. Recurring upkeep stays covered at
			// any size ("patching" covers patching every server).
			a.z = math.Max(a.z, 0) + 1
			r = a.decide()
			r.Reasons = prepend(r.Reasons, "beyond routine contract scope: "+strconv.Quote(c.text))
			return r
		}
		r.Kind = KindSupport
		r.Type = a.supportType()
		// The contract settles the billing question even when the words
		// looked like a project; confidence says how much they agreed.
		r.Confidence = math.Max(0.8, confidenceIf(a.z, KindSupport))
		r.Reasons = prepend(a.reasons(KindSupport), "covered by contract: "+strconv.Quote(c.text))
		return r
	}
	brk := a.sum[clBreak] + a.sum[clBreakWeak]
	isNewWork := (a.sum[clMAC] > 0 || a.sum[clChange] > 0 || a.sum[clNew] > 0) && brk < 2.5 && a.sum[clRequest] < 2.5 && a.sum[clRecurring] < 1.5
	if isNewWork {
		a.z += 1.2
		r = a.decide()
		if r.Kind == KindProject {
			r.Reasons = prepend(r.Reasons, "new work not covered by contract")
		}
	}
	return r
}

// beyondRoutine reports whether a request is larger than the routine work
// a contract clause describes: a new site or an acquisition, twenty or more
// people or devices, everyone, or several sites.
func (a *analysis) beyondRoutine() bool {
	if a.sum[clRecurring] >= 1.5 || a.sum[clBreak] >= 2.5 {
		return false
	}
	return a.sum[clNew] >= 3 || a.sc.level() >= 3 || a.sc.multiSite()
}

// confidenceIf is the cue confidence in kind k: high when the cues agree
// with k, at most 0.5 when they pointed the other way.
func confidenceIf(z float64, k Kind) float64 {
	if (z > 0) == (k == KindProject) {
		return confidence(z)
	}
	return 1 - confidence(z)
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
