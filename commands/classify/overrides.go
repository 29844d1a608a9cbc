package classify

import (
	"cmp"
	"fmt"
	"slices"
)

// OverrideSimilarity is the trigram similarity (PostgreSQL pg_trgm's
// similarity(), which storage computes for each override it passes in) from
// which an earlier override is followed directly. At 0.5 a request must
// share most of its words with the earlier one: a re-sent or reworded
// request ("set up laptop for new starter Sarah" against "Please set up a
// laptop for the new starter" is 0.62), next month's visit (0.76). Short
// texts sharing their context reach it too ("printer jammed on 2nd floor"
// against "printer install on 2nd floor" is 0.58), so an override is also
// only followed when both texts agree on whether something is broken.
// Requests that are merely alike are the refitted model's business (see
// Train with a Prior).
const OverrideSimilarity = 0.5

// applyOverrides follows the most similar earlier reclassification if it is
// similar enough. Ties go to the most recent request (highest number), as
// the latest decision reflects current practice.
func (m *Model) applyOverrides(a *analysis, r Result, ovs []Override) Result {
	var cand []int
	for i := range ovs {
		if o := &ovs[i]; (o.Kind == KindProject || o.Kind == KindSupport) && o.Similarity >= OverrideSimilarity {
			cand = append(cand, i)
		}
	}
	slices.SortStableFunc(cand, func(x, y int) int {
		if c := cmp.Compare(ovs[y].Similarity, ovs[x].Similarity); c != 0 {
			return c
		}
		return cmp.Compare(ovs[y].RequestNumber, ovs[x].RequestNumber)
	})
	best := -1
	for _, i := range cand {
		// A reclassified install says nothing about a jam at the same
		// printer: follow only an override on the same side of break/fix.
		if m.brokenText(ovs[i].Text) == m.broken(a) {
			best = i
			break
		}
	}
	if best < 0 {
		return r
	}
	o := ovs[best]
	out := Result{Kind: o.Kind, Type: o.Type, Confidence: 0.5 + 0.5*o.Similarity}
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

// brokenText is broken for a text, reading only its words and concepts.
func (m *Model) brokenText(text string) bool {
	r := m.root()
	return m.broken(&analysis{hits: r.concepts.find(r.typos.normalize(text, tokenizeWith(text, r.stem)))})
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
