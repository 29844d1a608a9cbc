package classify

import (
	"strings"
	"unicode/utf8"
)

// scale is what the request says about how much is involved.
type scale struct {
	people, devices, infra, sites int    // largest count seen of each kind
	many                          bool   // everyone / all X / company-wide
	manySites                     bool   // all branches, across the sites
	group                         bool   // a team or department
	single                        bool   // one person or one device
	singleLabel                   string // where single was seen: "Tom's PC"
	date                          bool   // a calendar date or ordinal day
	money                         bool   // a money figure: "10k", "$20,000"
	reasons                       []note // what was seen, for Reasons
}

// note is a reason with the weight it carries, so reasons can be ranked.
type note struct {
	label string
	w     float64
	kind  Kind
}

// span is the text of tokens i..j as typed, for a reason. Long spans (a
// gap pattern across a long sentence) are cut on a rune boundary.
func span(text string, toks []token, i, j int) string {
	const maxLabel = 48
	s := text[toks[i].start:toks[j].end]
	if len(s) > maxLabel {
		cut := maxLabel
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// countAt reads a count starting at token i: digits or number words
// ("twenty five", "a hundred", "half a dozen"). It returns the value and the
// index just past the number, or -1.
func countAt(toks []token, i int) (int, int) {
	if toks[i].num >= 0 {
		return toks[i].num, i + 1
	}
	val, cur, j := 0, 0, i
	seen := false
	for j < len(toks) {
		w := toks[j].word
		v, ok := numberWords[w]
		if !ok {
			if seen && w == "and" && j+1 < len(toks) {
				if _, ok := numberWords[toks[j+1].word]; ok {
					j++
					continue
				}
			}
			if !seen && (w == "a" || w == "half") && j+1 < len(toks) {
				// "a hundred", "a dozen", "a couple of", "half a dozen"
				nw := toks[j+1].word
				if w == "half" && nw == "a" && j+2 < len(toks) && toks[j+2].word == "dozen" {
					return 6, j + 3
				}
				if nw == "hundred" || nw == "dozen" || nw == "couple" || nw == "few" || nw == "thousand" || nw == "handful" {
					j++
					continue
				}
			}
			break
		}
		seen = true
		switch w {
		case "hundred":
			cur = max(cur, 1) * 100
		case "thousand":
			val += max(cur, 1) * 1000
			cur = 0
		case "dozen":
			cur = max(cur, 1) * 12
		default:
			cur += v
		}
		j++
	}
	if !seen {
		return -1, i
	}
	// "couple of", "lots of", "dozens of": skip the "of".
	if j < len(toks) && toks[j].word == "of" {
		j++
	}
	return val + cur, j
}

// nounAfter finds the counted noun after position j, allowing up to three
// adjectives in between ("3 aging Hyper-V hosts"). Two-word nouns such as
// "access point" are caught by their last word or first word.
func nounAfter(toks []token, j int) (int, nounKind) {
	for k := j; k < len(toks) && k <= j+3; k++ {
		if kind, ok := nounOf(toks[k]); ok {
			return k, kind
		}
		if countStop[toks[k].stem] || toks[k].num >= 0 {
			return -1, nkNone
		}
	}
	return -1, nkNone
}

func (s *scale) add(kind nounKind, n int) {
	switch kind {
	case nkPerson:
		s.people = max(s.people, n)
	case nkDevice:
		s.devices = max(s.devices, n)
	case nkInfra:
		s.infra = max(s.infra, n)
	case nkSite:
		s.sites = max(s.sites, n)
	case nkArea:
		// Several floors is a building's worth of desks.
		if n >= 2 {
			s.devices = max(s.devices, 20*n)
		}
	case nkGroup:
		if n >= 2 {
			s.people = max(s.people, 8*n)
		}
	case nkRoom:
		// A room holds a screen, a camera, a phone, a panel.
		if n >= 2 {
			s.devices = max(s.devices, 4*n)
		}
	}
}

func hasPrefixAt(toks []token, i int, pat []string) bool {
	if i+len(pat) > len(toks) {
		return false
	}
	for k, p := range pat {
		if toks[i+k].stem != p {
			return false
		}
	}
	return true
}

// measureScale reads counts, quantifiers and single-item markers.
func measureScale(text string, toks []token) scale {
	var s scale
	seenLabel := map[string]bool{}
	addNote := func(label string, w float64) {
		if !seenLabel[label] {
			seenLabel[label] = true
			s.reasons = append(s.reasons, note{label: label, w: w, kind: KindProject})
		}
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		// Phrases meaning "everyone".
		for _, p := range manyPhrases {
			if hasPrefixAt(toks, i, p) {
				s.many = true
				addNote(span(text, toks, i, i+len(p)-1), 2.5)
			}
		}
		// "<whole> wide" typed with any group or place: "tenant-wide",
		// "school-wide", "practice-wide" mean everyone in it.
		if i+1 < len(toks) && toks[i+1].word == "wide" && groupWhole[t.stem] {
			s.many = true
			addNote(span(text, toks, i, i+1), 2.5)
		}
		switch t.stem {
		case "across", "throughout":
			// across the company, throughout the building
			if k := i + 1; k < len(toks) {
				if toks[k].stem == "the" || toks[k].stem == "our" || toks[k].stem == "all" {
					k++
				}
				if k < len(toks) && groupWhole[toks[k].stem] {
					s.many = true
					if nounKindOf(toks[k]) == nkSite && toks[k].word != toks[k].stem {
						s.manySites = true
					}
					addNote(span(text, toks, i, k), 2.5)
					break
				}
			}
			fallthrough
		case "all", "everi", "each":
			// all laptops, every PC, each office, across the sites, all the
			// remaining Windows 10 PCs
			reach := 5
			if t.stem == "each" {
				reach = 2 // "each office", not "each time I open the laptop"
			}
			if k := i + 1; t.stem == "all" && k < len(toks) && !toks[k].poss {
				// "all company", "all office": everyone in it, typed
				// without "the" or "staff". "all 40": a count whose noun
				// was left out or misspelt.
				if groupWhole[toks[k].stem] && nounKindOf(toks[k]) != nkSite && (k+1 >= len(toks) || nounKindOf(toks[k+1]) == nkNone) {
					s.many = true
					addNote(span(text, toks, i, k), 2.5)
				}
				if n := toks[k].num; n >= 2 && (k+1 >= len(toks) || !notCountNext[toks[k+1].stem]) {
					if j, _ := nounAfter(toks, k+1); j < 0 {
						s.devices = max(s.devices, n)
						addNote(span(text, toks, i, k), 1)
					}
				}
			}
			for k := i + 1; k < len(toks) && k <= i+reach; k++ {
				if kind, ok := nounOf(toks[k]); ok {
					if kind == nkSite || kind == nkArea {
						s.manySites = s.manySites || kind == nkSite && (toks[k].word != toks[k].stem || t.stem != "across")
						if kind == nkSite && t.stem == "across" && toks[k].word == toks[k].stem {
							// "across the office": one office, everyone in it.
							s.many = true
						}
					} else {
						s.many = true
					}
					addNote(span(text, toks, i, k), 2.5)
					break
				}
				if countStop[toks[k].stem] && toks[k].stem != "everi" {
					break
				}
			}
		case "whole", "entir":
			for k := i + 1; k < len(toks) && k <= i+2; k++ {
				if groupWhole[toks[k].stem] {
					s.many = true
					addNote(span(text, toks, i, k), 2.5)
					break
				}
			}
		case "floor":
			// "a floor of monitors"
			if i+1 < len(toks) && toks[i+1].word == "of" {
				s.many = true
				s.devices = max(s.devices, 20)
				end := i + 1
				if i+2 < len(toks) {
					end = i + 2
				}
				start := i
				if i > 0 && (toks[i-1].word == "a" || toks[i-1].word == "whole") {
					start = i - 1
				}
				addNote(span(text, toks, start, end), 2.5)
			}
		}

		// Plural sites without a number: "our offices", "the branches".
		if kind, ok := nounOf(t); ok && kind == nkSite && t.word != t.stem && strings.HasSuffix(t.word, "s") &&
			t.word != "premises" && t.word != "campus" && i > 0 && pluralSiteLead[toks[i-1].word] {
			s.sites = max(s.sites, 2)
			addNote(span(text, toks, i, i), 1)
		}
		// Plural devices or infrastructure with no number: "replace our
		// copiers", "the switches". A few at least.
		if kind, ok := nounOf(t); ok && (kind == nkDevice || kind == nkInfra) && t.word != t.stem &&
			strings.HasSuffix(t.word, "s") && i > 0 && (toks[i-1].word == "our" || toks[i-1].word == "the" || toks[i-1].word == "all") {
			if kind == nkDevice {
				s.devices = max(s.devices, 2)
			} else {
				s.infra = max(s.infra, 2)
			}
		}
		// Teams and departments (not Microsoft Teams: singular only).
		if kind, ok := nounOf(t); ok && kind == nkGroup && (t.word == "team" || strings.HasPrefix(t.word, "dep") || strings.HasPrefix(t.word, "div")) {
			if i == 0 || toks[i-1].stem != "microsoft" {
				s.group = true
			}
		}

		// "a class of 18", "team of 12", "company of 40": a group's size.
		if collective[t.stem] && i+2 < len(toks) && toks[i+1].word == "of" && toks[i+2].num >= 2 &&
			(i+3 >= len(toks) || !notCountNext[toks[i+3].stem]) {
			s.people = max(s.people, toks[i+2].num)
			addNote(span(text, toks, i, i+2), 2)
		}

		// "about 25", "~40" with the noun left out: still a count of
		// whatever the request is about.
		if t.num >= 2 && i > 0 && approxWords[toks[i-1].word] && (i+1 >= len(toks) || nounKindOf(toks[i+1]) == nkNone && !notCountNext[toks[i+1].stem]) {
			if k, _ := nounAfter(toks, i+1); k < 0 {
				s.devices = max(s.devices, t.num)
				addNote(span(text, toks, i-1, i), 1)
			}
		}
		// Counts.
		if n, j := countAt(toks, i); n >= 0 {
			// "room 12" is a place, but "loading dock, 8 cameras" is a count:
			// only a word right before the number, with nothing between, blocks it.
			if t.num >= 0 && i > 0 && notCountPrev[toks[i-1].stem] && toks[i-1].stem != "the" &&
				strings.TrimSpace(text[toks[i-1].end:t.start]) == "" {
				continue
			}
			if j < len(toks) && notCountNext[toks[j].stem] && toks[j].word != "of" {
				continue
			}
			if t.num >= 0 && i > 0 && text[toks[i-1].end:t.start] == "." {
				continue // 3.5, version numbers
			}
			k, kind := nounAfter(toks, j)
			if k < 0 {
				// "both sites" has its noun; a bare "both" or "two of them" does not count.
				continue
			}
			if n == 1 {
				if kind == nkPerson || kind == nkDevice {
					s.setSingle(text, toks, i, k)
				}
				continue
			}
			if t.word == "both" && kind != nkSite {
				continue
			}
			s.add(kind, n)
			w := 1.0
			switch {
			case kind == nkSite:
				w = 2.5
			case n >= 20:
				w = 3
			case n >= 5:
				w = 2
			}
			addNote(span(text, toks, i, k), w)
			i = k
			continue
		}

		// One thing: "a second monitor", "one PC", "another laptop".
		// "the laptop", "the new starter": one, if nothing says more.
		if singleDet[t.word] || ownerDet[t.word] || t.poss || t.word == "the" {
			for k := i + 1; k < len(toks) && k <= i+3; k++ {
				if kind, ok := nounOf(toks[k]); ok {
					h := k // the last noun of a compound: "the desk phone"
					for h+1 < len(toks) && nounKindOf(toks[h+1]) == nkDevice {
						h++
					}
					if h+1 < len(toks) && infraHead(toks[h+1]) {
						// "the phone system", "the desk phone system": the
						// device names a kind of system, not one device.
						break
					}
					if (kind == nkPerson || kind == nkDevice) && toks[k].word == toks[k].stem || (kind == nkPerson || kind == nkDevice) && !strings.HasSuffix(toks[k].word, "s") {
						s.setSingle(text, toks, i, k)
					}
					break
				}
				if countStop[toks[k].stem] {
					break
				}
			}
		}
		// "for Bob", "for me", "for the new guy".
		if t.word == "for" && i+1 < len(toks) {
			n := toks[i+1]
			switch {
			case n.word == "me" || n.word == "him" || n.word == "her" || n.word == "myself":
				s.setSingle(text, toks, i, i+1)
			case n.upper && mayBeName(text, n) && (i+2 >= len(toks) || !toks[i+2].upper):
				s.setSingle(text, toks, i, i+1)
			}
		}
		// Dates: "on the 14th", "3/4", "by 14/03".
		if isOrdinal(t.word) && i > 0 && dateLead[toks[i-1].word] && (i+1 >= len(toks) || nounKindOf(toks[i+1]) == nkNone) {
			s.date = true
		}
		if t.num >= 1 && t.num <= 31 && i+1 < len(toks) && toks[i+1].num >= 1 && toks[i+1].num <= 31 &&
			text[t.end:toks[i+1].start] == "/" {
			s.date = true
		}
		// Money: "10k", "$20,000", "£5k".
		if isMoney(text, toks, i) {
			s.money = true
		}
	}
	if s.single && (s.people > 1 || s.devices > 1 || s.many) {
		// "one new user and 30 laptops": the larger number decides.
		s.single = false
	}
	return s
}

// infraHead reports whether a word is the head of a compound naming a
// system: "system", "server", "network" after "phone", "printer", "PC".
func infraHead(t token) bool {
	return nounKindOf(t) == nkInfra || systemWords[t.stem]
}

// systemWords name a system rather than a thing: "the phone system".
var systemWords = stemSet("system|systems|network|networks|platform|server|solution|infrastructure|environment|line")

// setSingle records one person or device and the words that said so.
func (s *scale) setSingle(text string, toks []token, i, j int) {
	s.single = true
	if s.singleLabel == "" {
		s.singleLabel = span(text, toks, i, j)
	}
}

// mayBeName reports whether a capitalised word may be a person's name: not a
// known brand, not product-shaped ("SharePoint", "M365", "VPN") and not a
// countable noun written with a capital ("Deploy Defender for Endpoint").
func mayBeName(text string, t token) bool {
	_, noun := nounOf(t)
	return !brandWords[t.word] && t.num < 0 && len(t.word) > 1 && !noun && !productShaped(text, t)
}

// brandWords are capitalised words after "for" that are not people.
var brandWords = map[string]bool{
	"intune": true, "sharepoint": true, "teams": true, "outlook": true, "office": true, "windows": true,
	"azure": true, "microsoft": true, "google": true, "apple": true, "mac": true, "adobe": true,
	"zoom": true, "sage": true, "xero": true, "quickbooks": true, "salesforce": true, "hubspot": true,
	"exchange": true, "dropbox": true, "slack": true, "aws": true, "vpn": true, "mfa": true, "crm": true,
	"erp": true, "it": true, "the": true, "a": true, "all": true, "our": true, "every": true, "each": true,
	"hr": true, "finance": true, "sales": true, "marketing": true, "accounts": true, "ops": true,
	"business": true, "monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "q1": true, "q2": true, "q3": true, "q4": true, "new": true,
}

// approxWords before a bare number mark it as a count ("about 25").
var approxWords = map[string]bool{"about": true, "around": true, "approx": true, "approximately": true, "roughly": true, "circa": true, "some": true, "nearly": true, "almost": true, "over": true}

// collective nouns give a headcount: "a class of 18", "team of 12".
var collective = stemSet("class|team|group|cohort|company|firm|batch|intake|wave|crew|staff|department|practice|office|organisation|organization|business|workforce|headcount|total")

// pluralSiteLead: "our offices", "the branches" mean several sites;
// "the correct sites" in an SCCM ticket does not.
var pluralSiteLead = map[string]bool{"our": true, "the": true, "your": true, "their": true, "other": true, "remote": true, "regional": true, "satellite": true, "branch": true, "multiple": true}

var dateLead = map[string]bool{"the": true, "on": true, "by": true, "from": true, "until": true, "till": true, "before": true, "after": true}

func isOrdinal(w string) bool {
	if len(w) < 3 {
		return false
	}
	suf := w[len(w)-2:]
	if suf != "st" && suf != "nd" && suf != "rd" && suf != "th" {
		return false
	}
	return isDigits(w[:len(w)-2])
}

func isMoney(text string, toks []token, i int) bool {
	t := toks[i]
	w := t.word
	if len(w) >= 2 && (w[len(w)-1] == 'k' || w[len(w)-1] == 'm') && isDigits(w[:len(w)-1]) {
		// "4k monitor" is a resolution, "5k" alone is money.
		if i+1 < len(toks) && (nounKindOf(toks[i+1]) == nkDevice || toks[i+1].word == "video" || toks[i+1].word == "resolution") {
			return false
		}
		return true
	}
	if t.num >= 0 && t.start > 0 {
		switch {
		case strings.HasSuffix(text[:t.start], "$"), strings.HasSuffix(text[:t.start], "£"), strings.HasSuffix(text[:t.start], "€"):
			return true
		}
	}
	return false
}

// level summarises scale: -1 one person or device, 0 unknown, 1 a few,
// 2 a team's worth, 3 many or everyone.
func (s *scale) level() int {
	n := max(s.people, s.devices, s.infra)
	switch {
	case s.many || n >= 20:
		return 3
	case n >= 5:
		return 2
	case n >= 2 || s.group:
		// "the sales team" is a few people to a few dozen: a hint, no more.
		return 1
	case s.single:
		return -1
	}
	return 0
}

func (s *scale) multiSite() bool { return s.sites >= 2 || s.manySites }
