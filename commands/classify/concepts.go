package classify

import (
	"slices"
	"strings"
)

// Concepts are groups of words that mean the same thing to an MSP: "laptop",
// "PC" and "workstation" are hardware; "VLAN", "switch" and "Wi-Fi" are the
// network. They serve twice: as model features (a request about a "MacBook"
// shares evidence with one about a "laptop" even if the training data only
// had the latter), and to match contract clauses by meaning ("anything
// involving new hardware" catches "buy new laptops"). They are synonym
// lists, not cues: they carry no weight of their own, the model fits that.
//
// A phrase may use "*" for one or two skipped words. implies names a
// broader concept the narrower one also counts as ("laptop" is also
// "hardware").
var conceptDefs = []struct {
	name, phrases, implies string
}{
	{"onboard", "onboard|onboarding|new starter|new user|new hire|new joiner|new employee|new staff|new member|new recruit|starter|joiner|induction|start date|new account|create account|create * account|set up * account", "user"},
	{"offboard", "offboard|offboarding|leaver|leaving|left the company|has left|last day|disable * account|termination|departure", "user"},
	{"user", "user|staff|employee|person|people|member|colleague|account|hire|volunteer|trainee|apprentice", ""},
	{"workstation", "workstation|pc|desktop|laptop|computer|machine|notebook|macbook|surface|chromebook|thin client", "hardware"},
	{"device", "device|endpoint|tablet|ipad|iphone|mobile|handheld|phone", "hardware"},
	{"peripheral", "monitor|screen|display|keyboard|mouse|dock|webcam|headset|charger|scanner", "hardware"},
	{"printer", "printer|copier|mfd|print|printing|toner|label printer|plotter", "hardware"},
	{"hardware", "hardware|kit|equipment", ""},
	{"setup", "setup|set up|set * up|install|installation|configure|configuration|build|image|imaging|reimage|provision|deploy|deployment|prepare|hook up|connect|enrol|enroll", ""},
	{"patch", "patch|patching|windows update|security update|hotfix|update", ""},
	{"firewall", "firewall|fortigate|fortinet|sonicwall|meraki|pfsense|watchguard|utm|web filter|filtering", "network"},
	{"network", "network|networking|wifi|wi fi|wireless|switch|lan|wan|vlan|router|access point|ap|mesh|cabling|cable|cat5|cat6|vpn|site to site|subnet|segment|dns|dhcp|internet|broadband|fibre|fiber|leased line|failover", ""},
	{"change", "change|modify|modification|amend|adjust|rule|open * port|allow|block|whitelist|allowlist|tweak|edit|add|remove|create|upgrade|firmware", ""},
	{"new", "new|buy|purchase|order|procure|additional|extra|another", ""},
	{"password", "password|passcode|pin|unlock|locked out|lockout|mfa|2fa|authenticator|reset", ""},
	{"backup", "backup|back up|restore|snapshot|recover|recovery|disaster recovery", ""},
	{"email", "email|e mail|mailbox|outlook|exchange|distribution list|alias|mail|shared mailbox|signature|out of office", ""},
	{"phone", "phone|handset|voip|extension|telephony|desk phone|phone system|pbx|teams calling|dect|voicemail", ""},
	{"site", "site|office|branch|location|building|premises|clinic|store|shop|hq|headquarters|warehouse|depot|practice|surgery|annexe|wing|floor|yard|campus|school", ""},
	{"server", "server|host|hypervisor|hyper v|vmware|esxi|vm|virtual machine|nas|san|storage|domain controller|active directory|rack", ""},
	{"replace", "replace|replacement|swap|swap out|refresh|upgrade|renew", ""},
	{"move", "move|relocate|relocation|migrate|migration|transfer|cutover|cut over", ""},
	{"access", "access|permission|grant|share|shared drive|folder|rights|admin rights", ""},
	{"software", "software|application|app|program|package|licence|license|subscription|plugin|driver", ""},
	{"security", "security|antivirus|anti virus|av|edr|xdr|defender|malware|endpoint protection|encryption|bitlocker|cyber essentials|phishing", ""},
	{"cloud", "cloud|microsoft 365|m365|office 365|azure|aws|sharepoint|onedrive|google workspace|tenant|entra|intune|hosted", ""},
	{"visit", "visit|onsite|on site|site visit|health check|check", ""},
	{"schedule", "weekly|monthly|quarterly|annual|termly|routine|regular|every month|every week|recurring|scheduled", ""},
	{"broken", "broken|not working|stopped working|wont|cant|cannot|unable|error|crash|fail|failure|down|offline|dead|frozen|freeze|slow|keeps|stuck|jam|jammed|bounce|corrupt|fault|faulty", ""},
	{"quote", "quote|quotation|proposal|cost|costs|budget|price|pricing|estimate|plan|roadmap|scope", ""},
	{"date", "january|february|march|april|june|july|august|september|october|november|december|in may|by may|q1|q2|q3|q4|next week|next month|next quarter|next year|this year|end of the year|year end|over the weekend|this weekend|weekend|over the summer|summer holidays|easter|christmas|new year", ""},
	{"cctv", "cctv|camera|nvr|door entry|access control|alarm", ""},
}

// conceptPhrase is one stemmed surface phrase of a concept.
type conceptPhrase struct {
	pat           []string // stems; "*" skips up to two words
	name, implies string
}

// concepts indexes the concept phrases by their first stem. It is built
// once by newConcepts and only read afterwards.
type concepts map[string][]conceptPhrase

func newConcepts() concepts {
	m := concepts{}
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
			m[pat[0]] = append(m[pat[0]], conceptPhrase{pat: pat, name: d.name, implies: d.implies})
		}
	}
	return m
}

// matchPhrase matches pat at token i and returns the first and last token
// matched, or -1.
func matchPhrase(pat []string, toks []token, i int) (int, int) {
	ti := i
	for pi, p := range pat {
		if p == "*" {
			// Skip up to two words before the next stem.
			if pi+1 == len(pat) {
				return -1, -1
			}
			next := pat[pi+1]
			k := ti
			for k < len(toks) && k <= ti+2 && toks[k].stem != next {
				k++
			}
			if k >= len(toks) || toks[k].stem != next {
				return -1, -1
			}
			ti = k
			continue
		}
		if ti >= len(toks) || toks[ti].stem != p {
			return -1, -1
		}
		ti++
	}
	return i, ti - 1
}

// conceptHit is one concept found in a text.
type conceptHit struct {
	name        string
	first, last int
}

// find returns the concepts of toks, longest phrase first so that "new
// starter" is onboarding and its "new" does not also count as a change.
// Words outside every concept are not returned.
func (cs concepts) find(toks []token) []conceptHit {
	type cand struct {
		p           *conceptPhrase
		first, last int
	}
	var cands []cand
	for i := range toks {
		ps := cs[toks[i].stem]
		for k := range ps {
			if f, l := matchPhrase(ps[k].pat, toks, i); f >= 0 {
				cands = append(cands, cand{&ps[k], f, l})
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if la, lb := a.last-a.first, b.last-b.first; la != lb {
			return lb - la
		}
		return a.first - b.first
	})
	covered := make([]bool, len(toks))
	var out []conceptHit
	for _, c := range cands {
		// A word may belong to two concepts ("upgrade" replaces and
		// changes): the same span is taken again, an overlapping one not.
		same := false
		for _, h := range out {
			same = same || h.first == c.first && h.last == c.last
		}
		if !same && (covered[c.first] || covered[c.last]) {
			continue
		}
		for k := c.first; k <= c.last; k++ {
			covered[k] = true
		}
		out = append(out, conceptHit{c.p.name, c.first, c.last})
		if c.p.implies != "" {
			out = append(out, conceptHit{c.p.implies, c.first, c.last})
		}
	}
	slices.SortStableFunc(out, func(a, b conceptHit) int { return a.first - b.first })
	return out
}
