package classify

import (
	"slices"
	"sort"
)

// trainSet is what fitting reads of the rows, worked out once however many
// models are fitted on them: Train fits one on every row and one per
// cross-validation fold. Tokens do not depend on the model; a row's features
// depend on it only through the vocabulary its typos are folded to, so a
// row's features are measured again only when a fold's vocabulary folds its
// tokens differently from the last time. Feature names get dense ids here,
// so a fold counts and indexes them in slices, not string maps. The models
// are the ones fitting each fold from scratch gives, to the bit.
type trainSet struct {
	rows  []Row
	toks  [][]token  // tokenize(text): the same under every vocabulary
	words [][]string // the distinct words a vocabulary is made of (vocabFrom)

	norm  [][]token // each row's tokens as last folded (nil: never measured)
	feats [][]int32 // and the distinct features measured on them, in order
	names []string  // feature id → name
	ids   map[string]int32
}

func newTrainSet(rows []Row) *trainSet {
	s := &trainSet{rows: rows, toks: make([][]token, len(rows)), words: make([][]string, len(rows)),
		norm: make([][]token, len(rows)), feats: make([][]int32, len(rows)), ids: map[string]int32{}}
	for i, r := range rows {
		s.toks[i] = tokenize(r.Text)
		once := map[string]bool{}
		for _, t := range s.toks[i] {
			if len(t.word) >= 4 && isLetters(t.word) && !once[t.word] {
				once[t.word] = true
				s.words[i] = append(s.words[i], t.word)
			}
		}
	}
	return s
}

// vocab is the vocabulary of the rows idx names (vocabFrom).
func (s *trainSet) vocab(idx []int) []string {
	seen := map[string]int{}
	for _, i := range idx {
		for _, w := range s.words[i] {
			seen[w]++
		}
	}
	return vocabFrom(seen)
}

// features is each of the rows idx names' distinct feature ids under m, in
// the order measure makes them (as featuresOf).
func (s *trainSet) features(m *Model, idx []int) [][]int32 {
	out := make([][]int32, len(idx))
	r := m.root()
	for n, i := range idx {
		text := s.rows[i].Text
		toks := r.typos.normalize(text, slices.Clone(s.toks[i]))
		if s.norm[i] == nil || !slices.Equal(toks, s.norm[i]) {
			s.norm[i] = slices.Clone(toks)
			a := m.measureTokens(text, toks, nil)
			s.feats[i] = s.feats[i][:0]
			seen := make(map[int32]bool, len(a.names))
			for _, name := range a.names {
				id, ok := s.ids[name]
				if !ok {
					id = int32(len(s.names))
					s.ids[name] = id
					s.names = append(s.names, name)
				}
				if !seen[id] {
					seen[id] = true
					s.feats[i] = append(s.feats[i], id)
				}
			}
		}
		out[n] = s.feats[i]
	}
	return out
}

// fit fits a model, uncalibrated (PlattA 1, PlattB 0), to the rows idx names
// (in that order).
func (s *trainSet) fit(idx []int, opt TrainOptions) *Model {
	rows := make([]Row, len(idx))
	for n, i := range idx {
		rows[n] = s.rows[i]
	}
	m := &Model{Version: version(rows), Types: []Type{TypeIncident, TypeServiceRequest, TypeMAC, TypeRecurring}, PlattA: 1}
	m.Vocab = s.vocab(idx)
	m.prepare()
	xs := s.features(m, idx)
	count := make([]int, len(s.names))
	for _, x := range xs {
		for _, f := range x {
			count[f]++
		}
	}
	var names []string
	for f, n := range count {
		if n > 0 && (n >= opt.MinCount || s.names[f] == "bias") {
			names = append(names, s.names[f])
		}
	}
	sort.Strings(names)
	local := make([]int, len(s.names))
	for i := range local {
		local[i] = -1
	}
	for i, f := range names {
		local[s.ids[f]] = i
	}
	ids := make([][]int, len(xs))
	for i, x := range xs {
		ids[i] = make([]int, 0, len(x))
		for _, f := range x {
			if k := local[f]; k >= 0 {
				ids[i] = append(ids[i], k)
			}
		}
	}
	return m.fitted(ids, rows, names, opt)
}
