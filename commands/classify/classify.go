// Package classify decides whether an MSP request is project work or support
// work, which finer type it is, and says why.
//
// Support keeps existing things running: incidents, break/fix, password
// resets, access problems, recurring maintenance and small service requests
// covered by the managed-services contract. A project creates something new
// or changes the environment: it needs planning and coordination, is billed
// under its own agreement and has a start and an end. Moves, adds and
// changes (MACs) are the boundary, and scale decides them: one new user or
// one monitor is support, an office move or fifty laptops is a project.
//
// The decision is a fitted model (model.go, trained by Train from the
// labelled sets in data/), not hand-set rules: the text is tokenised,
// stemmed and typo-folded, its scale is read (people, devices, sites, dates,
// money), its words are grouped into concepts, and a logistic regression over
// those features and the word unigrams and bigrams (negated words apart)
// gives a margin that a Platt curve turns into a probability. The client's
// contract and a coordinator's earlier overrides of near-identical requests
// then have the last word (contract.go, overrides.go). Classification is a
// pure function of the text, the options and the model: no I/O, no state.
package classify

import "math"

// Kind is the top-level decision: project or support.
type Kind string

// Kinds.
const (
	KindProject Kind = "project"
	KindSupport Kind = "support"
)

// Type is the finer classification.
type Type string

// Types. A support request is an incident, a service request, a MAC or a
// recurring visit; a project is always TypeProject.
const (
	TypeIncident       Type = "incident"
	TypeServiceRequest Type = "service_request"
	TypeMAC            Type = "mac"
	TypeRecurring      Type = "recurring"
	TypeProject        Type = "project"
)

// Result is what the classifier decided and why.
type Result struct {
	Kind       Kind     `json:"kind"`
	Type       Type     `json:"type"`
	Confidence float64  `json:"confidence"` // calibrated probability of Kind, 0.5-1.0, rounded to 2 decimals
	Reasons    []string `json:"reasons"`    // what decided it, most important first
}

// AskThreshold is the calibrated probability below which the bot asks a
// coordinator "Project or support?" instead of deciding silently. The
// probability is calibrated on cross-validated scores (see Train), so 0.8
// means about one in five such answers would be wrong: too many to stay
// silent about. `mspbot classify --eval` prints the ask rate and the
// accuracy of the answers given without asking at this threshold.
const AskThreshold = 0.8

// Unsure reports whether the classifier should ask a human.
func (r Result) Unsure() bool { return r.Confidence < AskThreshold }

// maxReasons keeps the explanation short enough to read in a chat message.
const maxReasons = 6

// Classify classifies text with the committed model, no contract and no
// overrides.
func Classify(text string) Result { return ClassifyWith(text, Options{}) }

// ClassifyWith classifies text. Precedence, highest first: an override of a
// near-identical earlier request (a coordinator already decided this one),
// then the client's contract (AlwaysProject beats Covered), then the model
// (the workspace's, when it has one).
// Overrides carry their similarity to text, computed by the database.
func ClassifyWith(text string, opts Options) Result {
	m := opts.Model
	if m == nil {
		m = Default()
	}
	a := m.analyse(text)
	res := m.decide(a)
	if opts.Contract != nil {
		res = m.applyContract(a, res, opts.Contract)
	}
	if len(opts.Overrides) > 0 {
		res = m.applyOverrides(a, res, opts.Overrides)
	}
	res.Confidence = round2(res.Confidence)
	if res.Reasons == nil {
		res.Reasons = []string{}
	}
	return res
}

// decide is the model's own answer for a.
func (m *Model) decide(a *analysis) Result {
	p := m.prob(m.margin(a.feats))
	r := Result{Kind: KindSupport, Confidence: 1 - p}
	if p > 0.5 {
		r.Kind, r.Confidence = KindProject, p
	}
	r.Type = TypeProject
	if r.Kind == KindSupport {
		r.Type = m.supportType(a.feats)
	}
	r.Reasons = m.reasons(a, r.Kind)
	if a.words == 0 {
		// No word of it was ever seen in training: whatever the prior
		// leans to, there is nothing to be confident about.
		r.Confidence = 0.5
		r.Reasons = []string{"nothing recognised"}
	}
	return r
}

// probOf is the calibrated probability that a is of kind k.
func (m *Model) probOf(a *analysis, k Kind) float64 {
	p := m.prob(m.margin(a.feats))
	if k == KindSupport {
		return 1 - p
	}
	return p
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
