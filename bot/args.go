package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTextLen is the longest command text accepted. Slack's slash commands stop
// near 4,000 characters; we hold every platform to the same limit so a command
// never works in one place and fails in another.
const MaxTextLen = 4000

// ParseLine splits a typed line such as "/request show 1002" into the command
// name ("request") and its argument text ("show 1002"). A line without a leading
// slash is not a command.
func ParseLine(line string) (cmd, args string, err error) {
	if !utf8.ValidString(line) {
		return "", "", Errorf(EInvalid, "the text is not valid UTF-8")
	}
	line = strings.TrimSpace(line)
	// Characters, not bytes: 2,100 accented or CJK characters are well within the limit.
	if n := utf8.RuneCountInString(line); n > MaxTextLen+64 {
		return "", "", Errorf(EInvalid, "that is %d characters; the limit is %d", n, MaxTextLen)
	}
	if !strings.HasPrefix(line, "/") {
		return "", "", Errorf(EInvalid, "commands start with /, for example /request Printer is jammed (type /help for the list)")
	}
	line = line[1:]
	end := strings.IndexFunc(line, unicode.IsSpace)
	if end < 0 {
		end = len(line)
	}
	cmd = strings.ToLower(line[:end])
	if cmd == "" {
		return "", "", Errorf(EInvalid, "a command name must follow the /, for example /help")
	}
	return cmd, strings.TrimSpace(line[end:]), nil
}

// SplitArgs splits argument text into words. Straight double quotes "…" and
// typographic ones “…” (which phones and Slack insert) group words; a backslash
// escapes the next character inside quotes. Apostrophes are letters, never
// quotes, so "fixed Bob's laptop" and "it’s covered" need no quoting. A quote
// that opens inside a word and never closes is a letter too (a 27" monitor); any
// other unclosed quote is an error.
func SplitArgs(s string) ([]string, error) {
	runes := []rune(s)
	literal := map[int]bool{} // positions of quote marks read as letters
	for {
		args, open, midWord := splitArgs(runes, literal)
		if open < 0 {
			return args, nil
		}
		if !midWord {
			return nil, Errorf(EInvalid, "a quote is not closed: add the closing %c", closers[runes[open]][0])
		}
		literal[open] = true
	}
}

// closers are the marks that end a quote opened by each opening mark.
var closers = map[rune][]rune{'"': {'"', '”'}, '“': {'”', '"'}}

// splitArgs is one pass of SplitArgs. When a quote is left open it returns its
// position (else -1) and whether it opened in the middle of a word.
func splitArgs(runes []rune, literal map[int]bool) (args []string, open int, midWord bool) {
	var (
		cur    strings.Builder
		inWord bool
		opener = -1 // position of the mark that opened the current quote
	)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case opener >= 0:
			switch {
			case r == closers[runes[opener]][0] || r == closers[runes[opener]][1]:
				opener = -1
			case r == '\\' && i+1 < len(runes):
				i++
				cur.WriteRune(runes[i])
			default:
				cur.WriteRune(r)
			}
		case closers[r] != nil && !literal[i]:
			opener, midWord = i, inWord && cur.Len() > 0
			inWord = true
		case unicode.IsSpace(r):
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if opener >= 0 {
		return nil, opener, midWord
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, -1, false
}
