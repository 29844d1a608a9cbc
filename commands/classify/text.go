package classify

import (
	"unicode"
	"unicode/utf8"
)

// token is one word of a request. Matching works on stems so that cue lists
// stay short; the original spelling is kept for the human-readable reasons.
type token struct {
	word  string // lower-case word as typed, apostrophes removed ("cant")
	stem  string // Porter stem of word
	start int    // byte offset of the word in the original text
	end   int    // byte offset just past the word
	num   int    // value if the word is a plain number ("30"), else -1
	upper bool   // first letter was upper case: a name after "for" (for Bob)
	poss  bool   // followed by 's, as in "Tom's PC"
	name  bool   // inside a run of capitalised words in running text: "Greenfield Architects"
}

// maxScan bounds the work done per request. Requests longer than this are
// pasted logs or e-mail threads; their first few thousand bytes carry the ask.
const maxScan = 8 << 10

// tokenize splits text into words. Letters and digits form words; an
// apostrophe inside a word is dropped ("can't" -> "cant") except for a
// possessive "'s", which is recorded on the word instead; hyphens, slashes
// and all other punctuation separate words ("company-wide" -> "company",
// "wide"), so cue phrases are written with spaces.
func tokenize(text string) []token { return tokenizeWith(text, stem) }

// tokenizeWith is tokenize with a given stemmer (a model's memo of stem).
func tokenizeWith(text string, stem func(string) string) []token {
	if len(text) > maxScan {
		// Cut on a rune boundary so the last word stays valid UTF-8.
		cut := maxScan
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	toks := make([]token, 0, len(text)/5+1)
	buf := make([]byte, 0, 32) // the word being read, lower-cased
	start := -1
	upper := false
	flush := func(end int, poss bool) {
		if start < 0 {
			return
		}
		// Most words are typed in lower case and whole: then the text
		// itself is the word and nothing is allocated.
		w := text[start:end]
		if w != string(buf) {
			w = string(buf)
		}
		buf = buf[:0]
		if w != "" {
			toks = append(toks, token{word: w, stem: stem(w), start: start, end: end, num: parseNum(w), upper: upper, poss: poss})
		}
		start = -1
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
				upper = unicode.IsUpper(r)
			}
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case (r == '\'' || r == '’') && start >= 0:
			// "tom's pc": possessive. "it's", "that's" are contractions, but
			// treating them as possessive is harmless: poss only matters
			// when a device noun follows.
			rest := text[i+size:]
			if len(rest) > 0 && (rest[0] == 's' || rest[0] == 'S') && (len(rest) == 1 || !isWordByte(rest[1])) {
				flush(i, true)
				i += size + 1
				continue
			}
			// can't, won't, users' - drop the apostrophe, keep the word going.
		case r == ',' && start >= 0 && len(buf) > 0 && isDigits(string(buf)) && len(text) >= i+4 &&
			isDigits(text[i+1:i+4]) && (len(text) == i+4 || !isWordByte(text[i+4])):
			// Thousands separator: "1,200 users" is one number.
		default:
			flush(i, false)
		}
		i += size
	}
	flush(len(text), false)
	return toks
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseNum returns the value of a word made of digits only, or -1. Values
// are capped so that a pasted serial number cannot overflow anything.
func parseNum(w string) int {
	if !isDigits(w) {
		return -1
	}
	n := 0
	for i := 0; i < len(w); i++ {
		n = n*10 + int(w[i]-'0')
		if n > 1_000_000 {
			return 1_000_000
		}
	}
	return n
}

// productShaped reports whether a word is written like a product or
// system name rather than a word or a person's name: capitals inside it
// ("SharePoint", "FortiGate"), all capitals ("VPN", "SAN"), or letters
// mixed with digits ("M365", "E5", "60F"). Such words are neutral objects:
// never a person's name, never a count.
func productShaped(text string, t token) bool {
	if t.end > len(text) || t.end-t.start < 2 {
		return false
	}
	w := text[t.start:t.end]
	upper, lower, digit, innerUpper := 0, 0, 0, false
	for i, r := range w {
		switch {
		case r >= 'A' && r <= 'Z':
			upper++
			if i > 0 {
				innerUpper = true
			}
		case r >= 'a' && r <= 'z':
			lower++
		case r >= '0' && r <= '9':
			digit++
		}
	}
	letters := upper + lower
	switch {
	case letters > 0 && digit > 0:
		return true
	case lower == 0 && upper >= 2:
		return true
	case innerUpper && lower > 0:
		return true
	}
	return false
}
