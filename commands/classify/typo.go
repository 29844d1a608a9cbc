package classify

import (
	"strings"
)

// Requests typed on a phone or by someone writing in a second language
// carry the same cues as any other, misspelt or shortened: "pls reset my
// pasword", "we need new firewal for 3 ofice", "20users", "can u quote".
// normalize repairs the tokens before features are made, in three ways,
// none of which knows any particular request:
//
//   - short forms are spelt out ("u" you, "pls" please, "ppl" people,
//     "nt" not), from a fixed list of chat and SMS abbreviations;
//   - a count glued to its noun is split ("20users", "4pcs");
//   - a word the model's vocabulary does not know is replaced by the one vocabulary word
//     it is a single edit away from (a letter missing, extra, wrong, or two
//     letters swapped), when both have at least five letters, or by the
//     word it becomes with one letter doubled ("staf" staff, "acess"
//     access). Words the vocabulary knows, in any inflection, are never
//     touched, nor are capitalised words that may be names ("Marsh Vets" is
//     no "march"), nor words with digits. A word close to two different
//     vocabulary words is left alone.
//
// The original text is kept: reasons quote what was typed.

// shortForms spell out chat and SMS abbreviations.
var shortForms = map[string]string{
	"u": "you", "ur": "your", "yr": "year", "yrs": "years", "r": "are",
	"pls": "please", "plz": "please", "plse": "please", "pl": "please",
	"thx": "thanks", "thnx": "thanks", "ty": "thanks",
	"ppl": "people", "usr": "user", "usrs": "users", "emp": "employee", "emps": "employees",
	"pwd": "password", "passwd": "password", "pw": "password", "pword": "password",
	"acct": "account", "accts": "accounts", "msg": "message", "msgs": "messages",
	"srv": "server", "svr": "server", "srvr": "server", "svrs": "servers", "srvs": "servers",
	"mgr": "manager", "mgmt": "management", "mtg": "meeting", "ofc": "office", "inet": "internet",
	"b4": "before", "tmrw": "tomorrow", "tmr": "tomorrow", "2moro": "tomorrow", "2day": "today",
	"wk": "week", "wks": "weeks", "nxt": "next", "abt": "about", "approx": "approximately",
	"coz": "because", "cuz": "because", "bcoz": "because", "bcz": "because",
	"cn": "can", "cnt": "cant", "dnt": "dont", "nt": "not", "wnt": "want", "wud": "would", "cud": "could",
	"hv": "have", "hav": "have", "wat": "what", "wht": "what", "hw": "how", "thru": "through",
	"frm": "from", "teh": "the", "adn": "and", "w": "with", "wo": "without",
	"asap": "asap", "lappy": "laptop", "lappie": "laptop", "comp": "computer", "puter": "computer",
}

// typoIndex holds the model's vocabulary for single-edit lookups.
type typoIndex struct {
	vocab map[string]bool     // every word of the vocabulary and the noun lists, as written
	stems map[string]bool     // their stems: a word with a known stem is known
	del1  map[string][]string // each vocabulary word of 5+ letters with one letter deleted -> the words
}

// minTypoLen is the shortest word corrected by edit distance: shorter words
// are too close to too many others ("hole" and "whole", "lock" and "look").
const minTypoLen = 5

// newTypoIndex indexes vocab (the words the model was trained on often
// enough, see vocabFrom) with the noun lists, number words, short forms and
// concept phrases.
func newTypoIndex(vocab []string) *typoIndex {
	ix := baseTypoIndex()
	for _, w := range vocab {
		ix.add(w)
	}
	return ix
}

// baseTypoIndex holds the words every model knows: nouns, numbers, short
// forms and concept phrases.
func baseTypoIndex() *typoIndex {
	ix := &typoIndex{vocab: map[string]bool{}, stems: map[string]bool{}, del1: map[string][]string{}}
	for _, d := range conceptDefs {
		for _, f := range strings.FieldsFunc(d.phrases, func(r rune) bool { return r == '|' || r == ' ' }) {
			ix.add(f)
		}
	}
	for _, w := range nounWords() {
		ix.add(w)
	}
	for w := range numberWords {
		ix.add(w)
	}
	for _, w := range shortForms {
		ix.add(w)
	}
	return ix
}

// add puts w in the vocabulary.
func (ix *typoIndex) add(w string) {
	w = strings.ToLower(w)
	if !isLetters(w) || ix.vocab[w] {
		return
	}
	ix.vocab[w] = true
	ix.stems[stem(w)] = true
	if len(w) < minTypoLen {
		return
	}
	for i := 0; i < len(w); i++ {
		d := w[:i] + w[i+1:]
		if !containsStr(ix.del1[d], w) {
			ix.del1[d] = append(ix.del1[d], w)
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// protect are real words one likely slip from a vocabulary word, found by
// running the corrector over every test set and the 600 support tickets,
// and over a list of common words: "lose" is not "loose", "compliant" not
// "complaint", a door "lever" no "leaver".
var protect = wordSet("lever|levers|compliant|lose|loser")

func isLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return w != ""
}

// known reports whether w, or any inflection of it, is vocabulary.
func (ix *typoIndex) known(w string) bool {
	return ix.vocab[w] || ix.stems[stem(w)]
}

// correct returns the vocabulary word w was meant to be, or "".
func (ix *typoIndex) correct(w string) string { return ix.correctStem(w, stem(w)) }

// correctStem is correct for a word whose stem is known already. The
// candidate strings are built in a stack buffer: a map lookup with
// string(buf) does not allocate, and most words find nothing.
func (ix *typoIndex) correctStem(w, st string) string {
	if len(w) < 4 || len(w) > 30 || !isLetters(w) || ix.vocab[w] || ix.stems[st] || protect[w] {
		return ""
	}
	found := ""
	ambiguous := false
	take := func(c string) {
		if !likelyTypo(w, c) {
			return
		}
		switch {
		case found == "":
			found = c
		case found != c && stem(found) != stem(c):
			ambiguous = true
		}
	}
	var buf [32]byte
	// A doubled letter typed once ("staf", "acess") or a letter typed twice.
	for i := 1; i < len(w); i++ {
		n := copy(buf[:], w[:i+1])
		n += copy(buf[n:], w[i:])
		if ix.vocab[string(buf[:n])] {
			take(string(buf[:n]))
		}
		if w[i] == w[i-1] {
			n := copy(buf[:], w[:i])
			n += copy(buf[n:], w[i+1:])
			if ix.vocab[string(buf[:n])] {
				take(string(buf[:n]))
			}
		}
	}
	if len(w) >= minTypoLen {
		// A letter missing: w is a vocabulary word with one deletion.
		for _, c := range ix.del1[w] {
			take(c)
		}
		// A letter wrong or two swapped: both lose one letter to the same
		// string.
		for i := 1; i < len(w); i++ {
			n := copy(buf[:], w[:i])
			n += copy(buf[n:], w[i+1:])
			for _, c := range ix.del1[string(buf[:n])] {
				if len(c) == len(w) {
					take(c)
				}
			}
		}
	}
	if ambiguous {
		return ""
	}
	return found
}

// likelyTypo reports whether c is a vocabulary word that w is a likely slip
// of. English is dense: most words are one edit from some other word
// ("contact" and "contract", "enable" and "unable", "stuff" and "staff"),
// so only the slips people actually make are accepted, never in the first
// letter:
//   - a doubled letter typed once or a letter typed twice ("pasword",
//     "ofice", "staf", "serverr"), from four letters;
//   - a vowel left out ("managment", "problm", "keybord"), from five, or
//     any letter, from eight ("sheduled", "enviroment");
//   - two letters swapped ("upgarde", "recieve"), from six;
//   - a vowel for a vowel, or c/s/k/z for each other ("yestarday",
//     "seperate", "replase"), from seven.
func likelyTypo(w, c string) bool {
	if c == w || c[0] != w[0] {
		return false
	}
	i := 1
	for i < len(w) && i < len(c) && w[i] == c[i] {
		i++
	}
	switch len(c) - len(w) {
	case 1: // c has one letter more, at i
		if c[:i]+c[i+1:] != w {
			return false
		}
		if c == w+"g" && strings.HasSuffix(w, "in") {
			return len(w) >= minTypoLen // "workin", "crashin"
		}
		return c[i] == c[i-1] || i+1 < len(c) && c[i] == c[i+1] || len(w) >= minTypoLen && isVowel(c[i]) || len(w) >= 8
	case -1: // w has one letter more, at i
		return w[:i]+w[i+1:] == c && (w[i] == w[i-1] || i+1 < len(w) && w[i] == w[i+1])
	case 0:
		if i >= len(w) {
			return false
		}
		if i+1 < len(w) && w[i] == c[i+1] && w[i+1] == c[i] && w[i+2:] == c[i+2:] {
			return len(w) >= 6
		}
		if w[i+1:] != c[i+1:] || len(w) < 7 {
			return false
		}
		a, b := w[i], c[i]
		return (isVowel(a) || a == 'y') && (isVowel(b) || b == 'y') || soundAlike(a) && soundAlike(b)
	}
	return false
}

func isVowel(b byte) bool { return b == 'a' || b == 'e' || b == 'i' || b == 'o' || b == 'u' }

func soundAlike(b byte) bool { return b == 'c' || b == 's' || b == 'k' || b == 'z' }

// normalize repairs short forms, glued counts and misspellings in toks (see
// the comment at the top of this file). text is the request as typed.
func (ix *typoIndex) normalize(text string, toks []token) []token {
	var out []token
	for i, t := range toks {
		// "20users", "4pcs": a count glued to a countable noun.
		if k := leadingDigits(t.word); k > 0 && k < len(t.word) && len(t.word)-k >= 2 {
			rest := t.word[k:]
			if _, ok := nouns[stem(rest)]; ok && isLetters(rest) {
				if out == nil {
					out = append(make([]token, 0, len(toks)+1), toks[:i]...)
				}
				n := t.word[:k]
				out = append(out,
					token{word: n, stem: n, start: t.start, end: t.start + k, num: parseNum(n), poss: false},
					token{word: rest, stem: stem(rest), start: t.start + k, end: t.end, num: -1, poss: t.poss})
				continue
			}
		}
		if w, ok := shortForms[t.word]; ok && w != t.word {
			t.word, t.stem = w, stem(w)
		} else if len(t.word) >= 4 && mayCorrect(text, toks, i) {
			if c := ix.correctStem(t.word, t.stem); c != "" {
				t.word, t.stem = c, stem(c)
			}
		}
		if out != nil {
			out = append(out, t)
		} else {
			toks[i] = t
		}
	}
	if out != nil {
		return out
	}
	return toks
}

// mayCorrect: a capitalised word inside a sentence may be a name ("Marsh",
// "Greenway"), so only lower-case words, words in capitals ("PASWORD") and
// the first word of a sentence are corrected.
func mayCorrect(text string, toks []token, i int) bool {
	t := toks[i]
	if !t.upper {
		return true
	}
	if allUpper(text[t.start:t.end]) {
		return true
	}
	if i == 0 {
		return true
	}
	between := strings.TrimSpace(text[toks[i-1].end:t.start])
	return strings.ContainsAny(between, ".!?:\n")
}

func allUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return false
		}
	}
	return true
}

func leadingDigits(w string) int {
	k := 0
	for k < len(w) && w[k] >= '0' && w[k] <= '9' {
		k++
	}
	return k
}
