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

// SplitArgs splits argument text into words. Double quotes, single quotes and
// typographic quotes (which phones and Slack insert) group words; a backslash
// escapes the next character inside double quotes. An unclosed quote is an error.
func SplitArgs(s string) ([]string, error) {
	var (
		args    []string
		cur     strings.Builder
		inWord  bool
		closing rune // the quote that ends the current quoted part; 0 outside quotes
	)
	runes := []rune(s)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case closing != 0:
			if r == closing {
				closing = 0
			} else if r == '\\' && closing == '"' && i+1 < len(runes) {
				i++
				cur.WriteRune(runes[i])
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'' || r == '“' || r == '‘':
			closing = map[rune]rune{'"': '"', '\'': '\'', '“': '”', '‘': '’'}[r]
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
	if closing != 0 {
		return nil, Errorf(EInvalid, "a quote is not closed: add the closing %c", closing)
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}
