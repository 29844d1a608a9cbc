package classify

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
)

// Model is a fitted classifier: a logistic regression over the features of
// features.go decides project or support, a softmax over the same features
// picks the support type, and a Platt curve fitted on cross-validated
// scores turns the margin into a probability. The weights come from Train
// (see `mspbot classify --train` and README), never from hand edits.
type Model struct {
	Version  string               `json:"version"`
	Data     string               `json:"data"`      // what it was trained on, for humans
	PlattA   float64              `json:"platt_a"`   // p(project) = 1/(1+exp(-(PlattA*z+PlattB)))
	PlattB   float64              `json:"platt_b"`   //
	AskBelow float64              `json:"ask_below"` // ask a coordinator below this calibrated confidence
	Kind     map[string]float64   `json:"kind"`      // feature -> weight toward project
	Types    []Type               `json:"types"`     // the support types, in the order of Type's vectors
	Type     map[string][]float64 `json:"type"`      // feature -> weight per support type
	Vocab    []string             `json:"vocab"`     // words typos are folded to

	// base, when set, holds the weights this model does not: a workspace's
	// model stores only what its coordinators' rows moved.
	base     *Model
	typos    *typoIndex
	concepts concepts
}

//go:embed model.json
var modelJSON []byte

// Default is the model committed with the code. It is parsed once, on
// first use, and read-only afterwards.
var Default = sync.OnceValue(func() *Model {
	m, err := LoadModel(modelJSON)
	if err != nil {
		panic("classify: committed model.json: " + err.Error())
	}
	return m
})

// LoadModel parses a model written by Model.Marshal.
func LoadModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	if len(m.Types) == 0 || m.Kind == nil {
		return nil, fmt.Errorf("parse model: no weights")
	}
	for f, ws := range m.Type {
		if len(ws) != len(m.Types) {
			return nil, fmt.Errorf("parse model: feature %q has %d type weights, want %d", f, len(ws), len(m.Types))
		}
	}
	m.prepare()
	return &m, nil
}

// LoadWorkspaceModel parses a workspace's model (see Train with a Prior):
// the weights its rows moved, read on top of base.
func LoadWorkspaceModel(data []byte, base *Model) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("parse workspace model: %w", err)
	}
	m.base, m.Types, m.Vocab = base, base.root().Types, nil
	return &m, nil
}

func (m *Model) prepare() {
	m.typos = newTypoIndex(m.Vocab)
	m.concepts = newConcepts()
}

// Marshal writes the model as JSON, weights rounded to four decimals so the
// committed file stays small and diffs stay readable.
func (m *Model) Marshal() ([]byte, error) {
	c := *m
	c.Kind = make(map[string]float64, len(m.Kind))
	for f, w := range m.Kind {
		if r := round4(w); r != 0 || f == "bias" {
			c.Kind[f] = r
		}
	}
	c.Type = make(map[string][]float64, len(m.Type))
	for f, ws := range m.Type {
		out, keep := make([]float64, len(ws)), false
		for i, w := range ws {
			out[i] = round4(w)
			keep = keep || out[i] != 0
		}
		if keep || f == "bias" {
			c.Type[f] = out
		}
	}
	return json.MarshalIndent(&c, "", " ")
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }

// kindW is the project weight of feature f.
func (m *Model) kindW(f string) float64 {
	if w, ok := m.Kind[f]; ok || m.base == nil {
		return w
	}
	return m.base.kindW(f)
}

func (m *Model) typeW(f string) []float64 {
	if w, ok := m.Type[f]; ok || m.base == nil {
		return w
	}
	return m.base.typeW(f)
}

// root is the model that owns the vocabulary and concepts.
func (m *Model) root() *Model {
	for m.base != nil {
		m = m.base
	}
	return m
}

// distinct returns the features of a with each name once, first label kept:
// the model reads presence, not counts, so a pasted log full of "error"
// weighs as one "error".
func distinct(fs []feat) []feat {
	seen := make(map[string]struct{}, len(fs))
	out := fs[:0:0]
	for _, f := range fs {
		if _, ok := seen[f.name]; !ok {
			seen[f.name] = struct{}{}
			out = append(out, f)
		}
	}
	return out
}

// margin is the model's raw score: > 0 leans project.
func (m *Model) margin(fs []feat) float64 {
	z := 0.0
	for _, f := range fs {
		z += m.kindW(f.name)
	}
	return z
}

// prob maps a margin to the calibrated probability of project.
func (m *Model) prob(z float64) float64 {
	return 1 / (1 + math.Exp(-(m.PlattA*z + m.PlattB)))
}

// supportType is the most likely support type.
func (m *Model) supportType(fs []feat) Type {
	s := make([]float64, len(m.root().Types))
	for _, f := range fs {
		for i, w := range m.typeW(f.name) {
			s[i] += w
		}
	}
	best := 0
	for i := range s {
		if s[i] > s[best] {
			best = i
		}
	}
	return m.root().Types[best]
}

// minReasonW leaves out features too weak to explain anything.
const minReasonW = 0.1

// reasonStop are words too plain to be a reason, alone or in a pair.
var reasonStop = wordSet("the|a|an|to|for|and|of|in|on|at|my|our|we|i|is|it|be|can|you|please|pls|with|this|that|me|us|are|have|has|from|by|its|it's|just|so|get|hi|thanks|up|out|there|they|them|he|she|his|her|was|were|will|would|could|should|do|does|did|as|or|if|any|some|need|needs|want|like|also|about|into|your|their|what|which|who|when|how")

// plainLabel reports whether a quoted label holds a plain word.
func plainLabel(label string) bool {
	if !strings.HasPrefix(label, `"`) {
		return false
	}
	for _, w := range strings.Fields(strings.ToLower(strings.Trim(label, `"`))) {
		if reasonStop[w] {
			return true
		}
	}
	return false
}

// containsWord reports whether the quoted phrase holds word w.
func containsWord(phrase, w string) bool {
	for _, f := range strings.Fields(strings.Trim(phrase, `"`)) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}

// reasonPool bounds the features a reason is looked for among: the
// strongest few, so a long e-mail costs no more to explain than a line.
const reasonPool = 24

// reasons lists what pushed toward kind, strongest first, in the words that
// showed it. A feature's weight is credited to each of its labels (a
// scale-and-concept feature to "30 staff" and to "move"), a label's credits
// add up, a phrase takes the credit of the words inside it ("new building"
// over "new" and "building"), and a reason inside a longer one gives way.
func (m *Model) reasons(a *analysis, k Kind) []string {
	type cand struct {
		f feat
		w float64
	}
	var cs []cand
	for _, f := range a.feats {
		w := m.kindW(f.name)
		if k == KindSupport {
			w = -w
		}
		if w > 0 && (f.label != "" || f.first >= 0) {
			cs = append(cs, cand{f, w})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].w > cs[j].w })
	if len(cs) > reasonPool {
		cs = cs[:reasonPool]
	}
	credit := map[string]float64{}
	var order []string
	for _, c := range cs {
		for _, l := range a.labels(c.f) {
			if plainLabel(l) {
				continue
			}
			if _, ok := credit[l]; !ok {
				order = append(order, l)
			}
			credit[l] += c.w
		}
	}
	absorbed := map[string]bool{}
	for _, l := range order {
		if !strings.HasPrefix(l, `"`) || !strings.Contains(l, " ") {
			continue
		}
		for _, w := range order {
			if w != l && strings.HasPrefix(w, `"`) && !strings.Contains(w, " ") && containsWord(l, strings.Trim(w, `"`)) {
				credit[l] += credit[w]
				absorbed[w] = true
			}
		}
	}
	kept := order[:0]
	for _, l := range order {
		if !absorbed[l] {
			kept = append(kept, l)
		}
	}
	order = kept
	sort.SliceStable(order, func(i, j int) bool { return credit[order[i]] > credit[order[j]] })
	var out []string
outer:
	for _, l := range order {
		if credit[l] < minReasonW {
			break
		}
		bare := strings.ToLower(strings.Trim(l, `"`))
		for i, o := range out {
			ob := strings.ToLower(strings.Trim(o, `"`))
			switch {
			case strings.Contains(ob, bare):
				continue outer
			case strings.Contains(bare, ob):
				out[i] = l
				continue outer
			}
		}
		if len(out) == maxReasons {
			break
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		out = append(out, "no "+string(k)+" cues")
	}
	return out
}
