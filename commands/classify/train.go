package classify

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// OverrideWeight is how much a coordinator's override counts in a workspace
// refit, against the prior's pull: enough that one override moves the
// model on its own request and on requests worded like it, not so much that
// one word of it (a client's name) decides everything else.
const OverrideWeight = 5

// TrainOptions tune Train. The zero value uses the defaults below, which
// were chosen by cross-validation over the committed sets, not per example.
type TrainOptions struct {
	Epochs   int     // passes over the rows; default 30
	L2       float64 // pull of each weight toward its prior (0, or Prior's); default 0.002, 0.02 for a refit
	MinCount int     // a feature must occur in this many rows to get a weight; default 2
	Folds    int     // cross-validation folds for the calibration; default 5
	Seed     uint64  // shuffling; the same seed and rows give the same model
	// Prior, when set, makes Train a refit: weights start at Prior's and
	// are pulled toward them, only the rows' own features move, and the
	// result stores only what moved, on top of Prior (a workspace's model
	// over the committed one). Its calibration is Prior's.
	Prior *Model
}

func (o *TrainOptions) defaults() {
	if o.Epochs == 0 {
		o.Epochs = 30
	}
	if o.L2 == 0 {
		o.L2 = 0.002
		if o.Prior != nil {
			// A refit has a handful of rows against a prior fitted on
			// thousands: a firmer pull keeps it from rewriting the words
			// those rows share with everything else (on two overrides
			// about accounting workstations, 5 of the 2,100 labelled
			// requests change class at 0.02, 8 at 0.002).
			o.L2 = 0.02
		}
	}
	if o.MinCount == 0 {
		o.MinCount = 2
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.Seed == 0 {
		o.Seed = 16
	}
}

// Train fits a model to rows: logistic regression for the kind, a softmax
// over the support types for the rows that have one, and (unless it is a
// refit on a Prior) a Platt calibration on cross-validated margins.
func Train(rows []Row, opt TrainOptions) (*Model, error) {
	m, _, err := train(rows, opt)
	return m, err
}

// train is Train, also returning the out-of-fold answers the calibration
// was fitted on (none for a refit).
func train(rows []Row, opt TrainOptions) (*Model, []Fold, error) {
	opt.defaults()
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("train: no rows")
	}
	if opt.Prior != nil {
		return refit(rows, opt), nil, nil
	}
	set := newTrainSet(rows)
	m := set.fit(every(len(rows)), opt)
	oof := set.crossValidate(opt)
	m.PlattA, m.PlattB = platt(oof, rows)
	return m, oof, nil
}

// every is 0..n-1.
func every(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// fitted fits m's weights: ids are each row's features, as indices into
// names (sorted).
func (m *Model) fitted(ids [][]int, rows []Row, names []string, opt TrainOptions) *Model {
	kw := fitKind(ids, rows, make([]float64, len(names)), opt)
	tw := fitTypes(ids, rows, m.Types, make([][]float64, len(names)), opt)
	m.Kind = make(map[string]float64, len(names))
	m.Type = make(map[string][]float64, len(names))
	for i, f := range names {
		m.Kind[f] = kw[i]
		m.Type[f] = tw[i]
	}
	m.index()
	m.Data = fmt.Sprintf("%d rows (%d project, %d support), %d features", len(rows), countKind(rows, KindProject), countKind(rows, KindSupport), len(names))
	return m
}

// version names a model by its training data: "v3-" and the first eight
// hex digits of a hash of every row, so a model.json says which data made it
// and a workspace's model says which one it was fitted over.
func version(rows []Row) string {
	h := sha256.New()
	for _, r := range rows {
		fmt.Fprintf(h, "%s\t%s\t%s\t%g\n", r.Kind, r.Type, r.Text, r.Weight)
	}
	return fmt.Sprintf("v3-%x", h.Sum(nil)[:4])
}

func countKind(rows []Row, k Kind) int {
	n := 0
	for _, r := range rows {
		if r.Kind == k {
			n++
		}
	}
	return n
}

// vocabFrom lists the words (letters only, four or more) that occur in at
// least two rows: the words typos are folded to. Words are taken most
// frequent first, and a word that is a likely slip of one already taken
// ("pasword" after "password") is left out, so the misspellings in the
// training sets are folded like any other.
//
// seen is each word's count of rows (trainSet.vocab).
func vocabFrom(seen map[string]int) []string {
	var words []string
	for w, n := range seen {
		if n >= 2 {
			words = append(words, w)
		}
	}
	sort.Slice(words, func(i, j int) bool {
		if seen[words[i]] != seen[words[j]] {
			return seen[words[i]] > seen[words[j]]
		}
		return words[i] < words[j]
	})
	ix := baseTypoIndex()
	var out []string
	for _, w := range words {
		if ix.correct(w) != "" {
			continue
		}
		ix.add(w)
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// featuresOf is each row's distinct feature names.
func featuresOf(m *Model, rows []Row) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = m.analyseNames(r.Text).names
	}
	return out
}

func weightOf(r Row) float64 {
	if r.Weight <= 0 {
		return 1
	}
	return r.Weight
}

// fitKind fits a logistic regression by AdaGrad, weights pulled toward
// prior (L2 around it, applied to the features each row touches).
func fitKind(ids [][]int, rows []Row, prior []float64, opt TrainOptions) []float64 {
	w := append([]float64(nil), prior...)
	g2 := make([]float64, len(w))
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 1))
	const lr = 0.5
	for e := 0; e < opt.Epochs; e++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			z := 0.0
			for _, k := range ids[i] {
				z += w[k]
			}
			y := 0.0
			if rows[i].Kind == KindProject {
				y = 1
			}
			g := (sigmoid(z) - y) * weightOf(rows[i])
			for _, k := range ids[i] {
				gk := g + opt.L2*(w[k]-prior[k])
				g2[k] += gk * gk
				w[k] -= lr * gk / (math.Sqrt(g2[k]) + 1e-8)
			}
		}
	}
	return w
}

// fitTypes fits a softmax over types on the support rows that have one.
// Weights are laid out flat, a feature's types side by side: the updates
// are the ones a weight slice per feature took, in the same order per
// weight, with a third of the loads.
func fitTypes(ids [][]int, rows []Row, types []Type, prior [][]float64, opt TrainOptions) [][]float64 {
	nt := len(types)
	w := make([]float64, len(prior)*nt)
	p := make([]float64, len(prior)*nt)
	g2 := make([]float64, len(prior)*nt)
	for k, pk := range prior {
		copy(w[k*nt:(k+1)*nt], pk)
		copy(p[k*nt:(k+1)*nt], pk)
	}
	var order []int
	target := make([]int, len(rows))
	for i, r := range rows {
		target[i] = -1
		for k, t := range types {
			if r.Kind == KindSupport && r.Type == t {
				target[i] = k
				order = append(order, i)
			}
		}
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 2))
	const lr = 0.5
	s := make([]float64, nt)
	g := make([]float64, nt)
	for e := 0; e < opt.Epochs; e++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			clear(s)
			for _, k := range ids[i] {
				for c, v := range w[k*nt : (k+1)*nt] {
					s[c] += v
				}
			}
			softmax(s)
			wt := weightOf(rows[i])
			for c := range s {
				g[c] = s[c] * wt
				if c == target[i] {
					g[c] -= wt
				}
			}
			for _, k := range ids[i] {
				wk, pk, gk2 := w[k*nt:(k+1)*nt], p[k*nt:(k+1)*nt], g2[k*nt:(k+1)*nt]
				for c, gc := range g {
					gk := gc + opt.L2*(wk[c]-pk[c])
					gk2[c] += gk * gk
					wk[c] -= lr * gk / (math.Sqrt(gk2[c]) + 1e-8)
				}
			}
		}
	}
	out := make([][]float64, len(prior))
	for k := range out {
		out[k] = w[k*nt : (k+1)*nt : (k+1)*nt]
	}
	return out
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func softmax(s []float64) {
	hi := math.Inf(-1)
	for _, v := range s {
		hi = math.Max(hi, v)
	}
	sum := 0.0
	for i, v := range s {
		s[i] = math.Exp(v - hi)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
}

// Fold is one row's cross-validated answer: from a model that never saw it.
type Fold struct {
	Margin float64
	Type   Type
}

// CrossValidate fits opt.Folds models, each on all rows but one fold, and
// returns every row's out-of-fold margin and support type. Rows are dealt to
// folds by a seeded shuffle, so every set is spread over every fold.
func CrossValidate(rows []Row, opt TrainOptions) []Fold {
	opt.defaults()
	return newTrainSet(rows).crossValidate(opt)
}

func (s *trainSet) crossValidate(opt TrainOptions) []Fold {
	rows := s.rows
	perm := rand.New(rand.NewPCG(opt.Seed, 3)).Perm(len(rows))
	fold := make([]int, len(rows))
	for i, p := range perm {
		fold[p] = i % opt.Folds
	}
	out := make([]Fold, len(rows))
	for f := 0; f < opt.Folds; f++ {
		var train, test []int
		for i := range rows {
			if fold[i] == f {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		m := s.fit(train, opt)
		for _, i := range test {
			fs := m.analyse(rows[i].Text).feats
			out[i] = Fold{Margin: m.margin(fs), Type: m.supportType(fs)}
		}
	}
	return out
}

// CrossValidated is every row's answer from a model that never saw it,
// calibrated as Train calibrates (reasons left out).
func CrossValidated(rows []Row, opt TrainOptions) []Result {
	opt.defaults()
	return calibrated(CrossValidate(rows, opt), rows)
}

// calibrated is each row's answer from its out-of-fold margin and type,
// calibrated on them all.
func calibrated(oof []Fold, rows []Row) []Result {
	a, b := platt(oof, rows)
	out := make([]Result, len(rows))
	for i, f := range oof {
		p := sigmoid(a*f.Margin + b)
		r := Result{Kind: KindSupport, Type: f.Type, Confidence: 1 - p, Reasons: []string{}}
		if p > 0.5 {
			r.Kind, r.Type, r.Confidence = KindProject, TypeProject, p
		}
		r.Confidence = round2(r.Confidence)
		out[i] = r
	}
	return out
}

// platt fits p = sigmoid(a*z+b) to the out-of-fold margins by Newton's
// method on the log loss, with Platt's smoothed targets.
func platt(oof []Fold, rows []Row) (float64, float64) {
	var np, nn float64
	for _, r := range rows {
		if r.Kind == KindProject {
			np++
		} else {
			nn++
		}
	}
	hi, lo := (np+1)/(np+2), 1/(nn+2)
	a, b := 1.0, 0.0
	for it := 0; it < 50; it++ {
		var ga, gb, haa, hab, hbb float64
		for i, f := range oof {
			t := lo
			if rows[i].Kind == KindProject {
				t = hi
			}
			p := sigmoid(a*f.Margin + b)
			d := p - t
			ga += d * f.Margin
			gb += d
			v := math.Max(p*(1-p), 1e-12)
			haa += v * f.Margin * f.Margin
			hab += v * f.Margin
			hbb += v
		}
		det := haa*hbb - hab*hab
		if det <= 1e-12 {
			break
		}
		da, db := (hbb*ga-hab*gb)/det, (haa*gb-hab*ga)/det
		a, b = a-da, b-db
		if math.Abs(da)+math.Abs(db) < 1e-9 {
			break
		}
	}
	return a, b
}

// structural reports whether a feature describes a request's shape rather
// than its words: "bias", "len:short", "s:lvl2".
func structural(f string) bool {
	return f == "bias" || strings.HasPrefix(f, "len:") || strings.HasPrefix(f, "s:")
}

// refit fits a workspace's rows on top of opt.Prior: the weights of the
// features those rows show move, pulled back toward the prior's; all else
// stays the prior's. The result stores only the moved weights.
func refit(rows []Row, opt TrainOptions) *Model {
	p := opt.Prior
	xs := featuresOf(p, rows)
	index := map[string]int{}
	var names []string
	for _, x := range xs {
		for _, f := range x {
			if _, ok := index[f]; !ok {
				index[f] = len(names)
				names = append(names, f)
			}
		}
	}
	ids := make([][]int, len(xs))
	for i, x := range xs {
		for _, f := range x {
			ids[i] = append(ids[i], index[f])
		}
	}
	kp := make([]float64, len(names))
	tp := make([][]float64, len(names))
	for i, f := range names {
		kp[i], tp[i] = p.weightsOf(f)
	}
	// The prior's structural features (bias, length, scale level) were
	// fitted on thousands of rows: a handful of overrides must not move
	// them, or one override would shift every request of that length.
	for i, x := range ids {
		kept := x[:0]
		for _, k := range x {
			if !structural(names[k]) {
				kept = append(kept, k)
			}
		}
		ids[i] = kept
	}
	kw := fitKind(ids, rows, kp, opt)
	tw := fitTypes(ids, rows, p.root().Types, tp, opt)
	m := &Model{Version: p.Version + "+workspace", PlattA: p.PlattA, PlattB: p.PlattB, Types: p.root().Types,
		Kind: map[string]float64{}, Type: map[string][]float64{}, base: p}
	for i, f := range names {
		if structural(f) {
			continue
		}
		m.Kind[f] = kw[i]
		m.Type[f] = tw[i]
	}
	m.index()
	m.Data = fmt.Sprintf("%d workspace rows over %s", len(rows), strings.TrimSpace(p.Version))
	return m
}
