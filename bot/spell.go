package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Replies name commands ("use /time 45m 1001", "More: /requests page 2",
// /help's usage lines). Discord and the console take them as written; on
// Slack every command is typed after /mspbot (slash.go), so there the Router
// writes "/mspbot time 45m 1001": what a reply tells someone to type runs as
// typed on the platform they read it on.

// SpellCommands writes the commands named in text the way platform p takes
// them. known says whether a word is a command's name; only "/name" standing
// alone (after a space, a bracket or a quote, before a space or punctuation)
// changes, so paths (/home/dana) and addresses stay as they are.
func SpellCommands(p Platform, text string, known func(name string) bool) string {
	if p != PlatformSlack || !strings.Contains(text, "/") {
		return text
	}
	var b strings.Builder
	i := 0
	for {
		j := strings.IndexByte(text[i:], '/')
		if j < 0 {
			b.WriteString(text[i:])
			return b.String()
		}
		j += i
		k := j + 1
		for k < len(text) && (text[k] >= 'a' && text[k] <= 'z' || text[k] == '-' && k > j+1) {
			k++
		}
		name := text[j+1 : k]
		b.WriteString(text[i:j])
		if name != "" && name != SlashNamespace && known(name) && opensCommand(text[:j]) && closesCommand(text[k:]) {
			b.WriteString("/" + SlashNamespace + " " + name)
		} else {
			b.WriteString(text[j:k])
		}
		i = k
	}
}

// opensCommand: what comes before a "/name" lets it be a command.
func opensCommand(before string) bool {
	r, _ := utf8.DecodeLastRuneInString(before)
	return before == "" || unicode.IsSpace(r) || strings.ContainsRune("([{\"'`“‘*_>", r)
}

// closesCommand: what comes after a "/name" ends it (not a path, not a longer word).
func closesCommand(after string) bool {
	if after == "" {
		return true
	}
	r, n := utf8.DecodeRuneInString(after)
	switch {
	case unicode.IsSpace(r):
		return true
	case r == '.':
		next, _ := utf8.DecodeRuneInString(after[n:])
		return n == len(after) || unicode.IsSpace(next) || next == '"' || next == ')'
	case unicode.IsLetter(r), unicode.IsDigit(r), r == '/', r == '_':
		return false
	}
	return true
}

// SpellMessages is SpellCommands over the titles, texts and field values of
// msgs (a copy; buttons keep their commands, which are never typed). Spelling
// twice changes nothing: "/mspbot time" stays as it is.
func SpellMessages(p Platform, msgs []Message, known func(name string) bool) []Message {
	if p != PlatformSlack || len(msgs) == 0 {
		return msgs
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.Title, m.Text = SpellCommands(p, m.Title, known), SpellCommands(p, m.Text, known)
		if len(m.Fields) > 0 {
			fields := make([]Field, len(m.Fields))
			for k, f := range m.Fields {
				fields[k] = Field{Label: f.Label, Value: SpellCommands(p, f.Value, known)}
			}
			m.Fields = fields
		}
		out[i] = m
	}
	return out
}

// spellReplies writes the commands in msgs and err the way ev's platform
// takes them (SpellCommands).
func (r *Router) spellReplies(p Platform, msgs []Message, err error) ([]Message, error) {
	if p != PlatformSlack {
		return msgs, err
	}
	known := func(name string) bool { _, ok := r.commands[name]; return ok }
	spell := func(s string) string { return SpellCommands(p, s, known) }
	msgs = SpellMessages(p, msgs, known)
	var e *Error
	if err != nil && asError(err, &e) {
		if s := spell(e.Message); s != e.Message {
			err = &spelledError{e: Error{Code: e.Code, Message: s}, orig: err}
		}
	}
	return msgs, err
}

// spelledError is an error whose user-facing message names commands for the
// platform; errors.Is still sees the original chain.
type spelledError struct {
	e    Error
	orig error
}

func (s *spelledError) Error() string { return s.e.Error() }
func (s *spelledError) Unwrap() error { return s.orig }

// As gives the respelled *Error, so ErrorMessage shows it.
func (s *spelledError) As(target any) bool {
	if t, ok := target.(**Error); ok {
		*t = &s.e
		return true
	}
	return false
}
