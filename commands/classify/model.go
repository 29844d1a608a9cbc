package classify

import (
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
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
	stems    map[string]string // stem of each vocabulary word, computed once

	// The weights by feature id, for classifying without building names:
	// ids holds the root model's features, extra a workspace's new ones.
	ids   map[string]int32
	extra map[string]int32
	kw    []float64 // kind weight by id
	tw    []float64 // type weights by id, len(Types) per id
}

// model.json is written by `mspbot classify --train`; go generate runs it
// from this directory.
//
//go:generate go run ../../cmd/mspbot classify --train --out model.json
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
	m.index()
	return &m, nil
}

func (m *Model) prepare() {
	m.typos = newTypoIndex(m.Vocab)
	m.stems = make(map[string]string, len(m.typos.vocab))
	for w := range m.typos.vocab {
		m.stems[w] = stem(w)
	}
	m.concepts = newConcepts()
	m.index()
}

// index lays the weights out by id. A workspace's model starts from a copy
// of its base's weights and overwrites or adds its own.
func (m *Model) index() {
	nt := len(m.root().Types)
	if m.base != nil {
		b := m.base
		m.kw = append([]float64(nil), b.kw...)
		m.tw = append([]float64(nil), b.tw...)
		m.extra = map[string]int32{}
		for name, id := range b.extra {
			m.extra[name] = id
		}
	} else {
		m.ids = map[string]int32{}
		names := make([]string, 0, len(m.Kind)+len(m.Type))
		for f := range m.Kind {
			names = append(names, f)
		}
		for f := range m.Type {
			if _, ok := m.Kind[f]; !ok {
				names = append(names, f)
			}
		}
		sort.Strings(names)
		for i, f := range names {
			m.ids[f] = int32(i)
		}
		m.kw = make([]float64, len(names))
		m.tw = make([]float64, nt*len(names))
	}
	idOf := func(f string) int32 {
		if id, ok := m.lookup([]byte(f)); ok {
			return id
		}
		id := int32(len(m.kw))
		m.extra[f] = id
		m.kw = append(m.kw, 0)
		m.tw = append(m.tw, make([]float64, nt)...)
		return id
	}
	for f, w := range m.Kind {
		m.kw[idOf(f)] = w
	}
	for f, ws := range m.Type {
		copy(m.tw[int(idOf(f))*nt:], ws)
	}
}

// stem is the stemmer with the model's memo.
func (m *Model) stem(w string) string {
	if s, ok := m.stems[w]; ok {
		return s
	}
	return stem(w)
}

// lookup finds a feature's id; the conversion in the map index does not
// allocate.
func (m *Model) lookup(name []byte) (int32, bool) {
	if id, ok := m.root().ids[string(name)]; ok {
		return id, true
	}
	if m.extra != nil {
		id, ok := m.extra[string(name)]
		return id, ok
	}
	return 0, false
}

// weightsOf is the kind weight and type weights of a named feature, zero
// when the model has none.
func (m *Model) weightsOf(f string) (float64, []float64) {
	nt := len(m.root().Types)
	id, ok := m.lookup([]byte(f))
	if !ok {
		return 0, make([]float64, nt)
	}
	return m.kw[id], append([]float64(nil), m.tw[int(id)*nt:int(id+1)*nt]...)
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

// root is the model that owns the vocabulary and concepts.
func (m *Model) root() *Model {
	for m.base != nil {
		m = m.base
	}
	return m
}

// margin is the model's raw score: > 0 leans project.
func (m *Model) margin(fs []feat) float64 {
	z := 0.0
	for _, f := range fs {
		z += m.kw[f.id]
	}
	return z
}

// prob maps a margin to the calibrated probability of project.
func (m *Model) prob(z float64) float64 {
	return 1 / (1 + math.Exp(-(m.PlattA*z + m.PlattB)))
}

// supportType is the most likely support type.
func (m *Model) supportType(fs []feat) Type {
	types := m.root().Types
	nt := len(types)
	var buf [8]float64
	s := buf[:nt]
	for _, f := range fs {
		ws := m.tw[int(f.id)*nt : int(f.id+1)*nt]
		for i, w := range ws {
			s[i] += w
		}
	}
	best := 0
	for i := range s {
		if s[i] > s[best] {
			best = i
		}
	}
	return types[best]
}

// minReasonW leaves out features too weak to explain anything.
const minReasonW = 0.1

// reasonStop are words too plain to be a reason, alone or in a pair.
var reasonStop = wordSet("the|a|an|to|for|and|of|in|on|at|my|our|we|i|is|it|be|can|you|please|pls|with|this|that|me|us|are|have|has|from|by|its|it's|just|so|get|hi|thanks|up|out|there|they|them|he|she|his|her|was|were|will|would|could|should|do|does|did|as|or|if|any|some|need|needs|want|like|also|about|into|your|their|what|which|who|when|how")

// plainWords reports whether tokens first..last hold a plain word.
func (a *analysis) plainWords(first, last int) bool {
	for k := first; k <= last; k++ {
		if reasonStop[a.toks[k].word] {
			return true
		}
	}
	return false
}

// reasonPool bounds the features a reason is looked for among: the
// strongest few, so a long e-mail costs no more to explain than a line.
const reasonPool = 16

// reasons lists what pushed toward kind, strongest first, in the words that
// showed it. A feature's weight is credited to each of its labels (a
// scale-and-concept feature to "30 staff" and to "move"), a label's credits
// add up, a phrase takes the credit of the words inside it ("new building"
// over "new" and "building"), and a reason inside a longer one gives way.
func (m *Model) reasons(a *analysis, k Kind) []string {
	// The strongest features toward k, kept sorted by insertion.
	type cand struct {
		i int
		w float64
	}
	var pool [reasonPool]cand
	n := 0
	for i, f := range a.feats {
		w := m.kw[f.id]
		if k == KindSupport {
			w = -w
		}
		if w <= 0 || n == reasonPool && w <= pool[n-1].w ||
			f.label == "" && (f.first < 0 || a.plainWords(int(f.first), int(f.last))) {
			continue
		}
		j := min(n, reasonPool-1)
		for j > 0 && pool[j-1].w < w {
			pool[j] = pool[j-1]
			j--
		}
		pool[j] = cand{i, w}
		if n < reasonPool {
			n++
		}
	}
	// Credit each label; words spans are compared by their token range.
	type label struct {
		text        string
		first, last int // -1 for a fixed label
		credit      float64
		gone        bool
	}
	var buf [2 * reasonPool]label
	labels := buf[:0]
	for _, c := range pool[:n] {
		f := a.feats[c.i]
		for _, l := range [2]label{{text: f.label, first: -1, last: -1}, {first: int(f.first), last: int(f.last)}} {
			if l.text == "" && (l.first < 0 || a.plainWords(l.first, l.last)) {
				continue
			}
			found := false
			for i := range labels {
				if labels[i].text == l.text && labels[i].first == l.first && labels[i].last == l.last {
					labels[i].credit += c.w
					found = true
					break
				}
			}
			if !found {
				l.credit = c.w
				labels = append(labels, l)
			}
		}
	}
	// A phrase takes the credit of the single words inside it.
	for i := range labels {
		p := &labels[i]
		if p.first < 0 || p.first == p.last {
			continue
		}
		for j := range labels {
			w := &labels[j]
			if j != i && w.first >= 0 && w.first == w.last && w.first >= p.first && w.last <= p.last {
				p.credit += w.credit
				w.gone = true
			}
		}
	}
	slices.SortStableFunc(labels, func(x, y label) int { return cmp.Compare(y.credit, x.credit) })
	var out []string
	var spans [][2]int
outer:
	for _, l := range labels {
		if l.gone {
			continue
		}
		if l.credit < minReasonW {
			break
		}
		text := l.text
		if l.first >= 0 {
			// A span inside one already given, or around one, is the
			// same reason.
			for i, sp := range spans {
				switch {
				case sp[0] <= l.first && l.last <= sp[1]:
					continue outer
				case l.first <= sp[0] && sp[1] <= l.last:
					out[i] = `"` + span(a.text, a.toks, l.first, l.last) + `"`
					spans[i] = [2]int{l.first, l.last}
					continue outer
				}
			}
			text = `"` + span(a.text, a.toks, l.first, l.last) + `"`
		}
		if len(out) == maxReasons {
			break
		}
		for _, o := range out {
			if o == text {
				continue outer
			}
		}
		out = append(out, text)
		if l.first >= 0 {
			spans = append(spans, [2]int{l.first, l.last})
		} else {
			spans = append(spans, [2]int{-2, -2})
		}
	}
	if len(out) == 0 {
		out = append(out, "no "+string(k)+" cues")
	}
	return out
}
