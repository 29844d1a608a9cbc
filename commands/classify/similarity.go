package classify

import (
	"fmt"
	"math"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// OverrideSimilarity is the trigram similarity from which an earlier
// override is followed. At 0.5 a request must share most of its words with
// the earlier one: a re-sent or reworded request ("set up laptop for new
// starter Sarah" against "Please set up a laptop for the new starter" is
// 0.62), next month's visit (0.76). Short texts sharing their context reach
// it too ("printer jammed on 2nd floor" against "printer install on 2nd
// floor" is 0.58), so an override is also only followed when both texts
// agree on whether something is broken.
const OverrideSimilarity = 0.5

// Similarity is the trigram similarity of a and b as PostgreSQL's pg_trgm
// computes it: each word (a run of letters and digits, lower-cased) gets two
// spaces in front and one behind and is cut into three-character trigrams
// ("word" gives "  w", " wo", "wor", "ord", "rd "); the result is the
// number of distinct trigrams the texts share divided by the number of
// distinct trigrams in either. It is 0 when either text has no words, and 1
// for texts with the same words. Storage can prefilter with
// similarity(text, $1) >= OverrideSimilarity and get the same answers.
func Similarity(a, b string) float64 {
	var sa, sb trigramSet
	na := sa.fill(a)
	return sb.jaccard(&sa, na, b, 0)
}

// trigram packs three runes (21 bits each) into one comparable number.
type trigram uint64

func pack(a, b, c rune) trigram {
	const mask = 1<<21 - 1
	return trigram(uint64(a&mask)<<42 | uint64(b&mask)<<21 | uint64(c&mask))
}

// forTrigrams calls fn for every trigram of s, duplicates included, in
// pg_trgm's way: words are runs of letters and digits, lower-cased, padded
// with two spaces in front and one behind. It stops early when fn returns
// false.
func forTrigrams(s string, fn func(trigram) bool) {
	if len(s) > maxScan {
		s = s[:maxScan]
	}
	var r0, r1 rune
	inWord := false
	for _, r := range s {
		var isWord bool
		if r < utf8.RuneSelf {
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				isWord = true
			case 'A' <= r && r <= 'Z':
				isWord, r = true, r+'a'-'A'
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			isWord, r = true, unicode.ToLower(r)
		}
		if isWord {
			if !inWord {
				r0, r1, inWord = ' ', ' ', true
			}
			if !fn(pack(r0, r1, r)) {
				return
			}
			r0, r1 = r1, r
			continue
		}
		if inWord {
			if !fn(pack(r0, r1, ' ')) {
				return
			}
			inWord = false
		}
	}
	if inWord {
		fn(pack(r0, r1, ' '))
	}
}

// trigramSet is a small open-addressing hash set of trigrams. Slots carry
// the generation that wrote them, so reset is O(1) and one set can be
// reused for every override without clearing or allocating.
type trigramSet struct {
	keys  []trigram
	gens  []uint32
	gen   uint32
	shift uint
}

// reset empties the set and makes room for n distinct trigrams at a load
// of at most one half, so probing always finds a free slot.
func (t *trigramSet) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if len(t.keys) < size {
		t.keys, t.gens, t.gen = make([]trigram, size), make([]uint32, size), 0
	}
	t.shift = uint(64 - bits.TrailingZeros(uint(len(t.keys))))
	t.gen++
	if t.gen == 0 { // wrapped: stale stamps could look current
		clear(t.gens)
		t.gen = 1
	}
}

func (t *trigramSet) slot(k trigram) int {
	return int((uint64(k) * 0x9E3779B97F4A7C15) >> t.shift)
}

// add inserts k and reports whether it was new.
func (t *trigramSet) add(k trigram) bool {
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		if t.gens[i] != t.gen {
			t.gens[i], t.keys[i] = t.gen, k
			return true
		}
		if t.keys[i] == k {
			return false
		}
	}
}

func (t *trigramSet) has(k trigram) bool {
	mask := len(t.keys) - 1
	for i := t.slot(k); ; i = (i + 1) & mask {
		if t.gens[i] != t.gen {
			return false
		}
		if t.keys[i] == k {
			return true
		}
	}
}

// fill makes t the trigram set of s and returns its size.
func (t *trigramSet) fill(s string) int {
	t.reset(min(len(s), maxScan) + 1)
	n := 0
	forTrigrams(s, func(k trigram) bool {
		if t.add(k) {
			n++
		}
		return true
	})
	return n
}

// jaccard is the similarity of s to the set a (of size na), using t as
// scratch space for s's own distinct trigrams. With floor > 0 it may give
// up early and return 0 once the result is sure to be below floor: the
// similarity is at most na/nb, so nb > na/floor rules it out.
func (t *trigramSet) jaccard(a *trigramSet, na int, s string, floor float64) float64 {
	t.reset(min(len(s), maxScan) + 1)
	nb, common := 0, 0
	limit := math.MaxInt
	if floor > 0 {
		limit = int(float64(na) / floor)
	}
	tooBig := false
	forTrigrams(s, func(k trigram) bool {
		if t.add(k) {
			nb++
			if a.has(k) {
				common++
			}
			if nb > limit {
				tooBig = true
				return false
			}
		}
		return true
	})
	if tooBig || na == 0 || nb == 0 {
		return 0
	}
	return float64(common) / float64(na+nb-common)
}

// applyOverrides follows the closest earlier reclassification if it is
// similar enough. Ties go to the most recent request (highest number), as
// the latest decision reflects current practice.
func (m *Model) applyOverrides(a *analysis, r Result, text string, ovs []Override) Result {
	var ts, scratch trigramSet
	nt := ts.fill(text)
	if nt == 0 {
		return r
	}
	best, bestSim := -1, 0.0
	for i := range ovs {
		o := &ovs[i]
		if o.Kind != KindProject && o.Kind != KindSupport {
			continue
		}
		// A text of n bytes has at most n+1 trigrams, and the similarity
		// is at most the smaller set over the larger: skip overrides too
		// short to reach the threshold without reading them.
		if float64(len(o.Text)+1) < OverrideSimilarity*float64(nt) {
			continue
		}
		sim := scratch.jaccard(&ts, nt, o.Text, OverrideSimilarity)
		if sim < OverrideSimilarity || (best >= 0 && sim < bestSim) {
			continue
		}
		// A reclassified install says nothing about a jam at the same
		// printer: follow only an override on the same side of break/fix.
		if m.broken(m.analyse(o.Text)) != m.broken(a) {
			continue
		}
		if best < 0 || sim > bestSim || sim == bestSim && o.RequestNumber > ovs[best].RequestNumber {
			best, bestSim = i, sim
		}
	}
	if best < 0 {
		return r
	}
	o := ovs[best]
	out := Result{Kind: o.Kind, Type: o.Type, Confidence: 0.5 + 0.5*bestSim}
	if !TypeFits(o.Kind, o.Type) {
		out.Type = TypeProject
		if o.Kind == KindSupport {
			out.Type = m.supportType(a.feats)
		}
	}
	why := fmt.Sprintf("follows #%d (reclassified", o.RequestNumber)
	if o.By != "" {
		why += " by " + o.By
	}
	if o.Reason != "" {
		why += ": " + o.Reason
	}
	why += ")"
	out.Reasons = prepend(m.reasons(a, o.Kind), why)
	return out
}

// broken reports whether a says something is broken (the "broken"
// concept: not working, error, down, jammed...).
func (m *Model) broken(a *analysis) bool {
	for _, h := range a.hits {
		if h.name == "broken" {
			return true
		}
	}
	return false
}

// TypeFits reports whether t is a valid type for kind k.
func TypeFits(k Kind, t Type) bool {
	switch t {
	case TypeProject:
		return k == KindProject
	case TypeIncident, TypeServiceRequest, TypeMAC, TypeRecurring:
		return k == KindSupport
	}
	return false
}
