// Package parse reads what people type into commands: references to requests and
// projects, durations, dates, times of day and time ranges. Every command uses
// it, so 1001, #1001, P12 and #P12 mean the same thing everywhere and "1h 30m" is
// ninety minutes wherever a duration is asked for. Errors are bot.EInvalid with a
// message that shows what to type instead; nothing here panics on any input (the
// parsers are fuzzed with committed seeds).
package parse

import (
	"strconv"

	"github.com/mspbot/mspbot/bot"
)

// Kind says what a reference names (bot.RefKind).
type Kind = bot.RefKind

// The kinds of reference.
const (
	Request = bot.RefRequest
	Project = bot.RefProject
)

// Ref names a request (#1001) or a project (P12) by its number in a workspace.
// It is bot.Ref, which the Router reads too; String prints #1001 or P12.
type Ref = bot.Ref

// RequestRef is how a request number is printed: #1001.
func RequestRef(n int64) string { return "#" + strconv.FormatInt(n, 10) }

// ProjectRef is how a project number is printed: P12.
func ProjectRef(n int64) string { return "P" + strconv.FormatInt(n, 10) }

// ReadRef reads a reference: 1001 and #1001 name request 1001; P12, p12, #P12 name
// project 12.
func ReadRef(s string) (Ref, error) {
	r, ok := tryRef(s)
	if !ok {
		return Ref{}, bot.Errorf(bot.EInvalid, "%q is not a request or project: write a request as 1001 or #1001, a project as P12", clip(s))
	}
	return r, nil
}

// LooksLikeRef reports whether s is written as a reference (whether or not
// anything by that number exists). Commands that take a reference followed by
// free text use it to decide that a word is meant as a reference, so that
// "/time 15m 1001 note" attaches to #1001 or is refused, never logged against
// nothing.
func LooksLikeRef(s string) bool {
	_, ok := tryRef(s)
	return ok
}

func tryRef(s string) (Ref, bool) { return bot.ReadRef(s) }

// RequestNumber reads a reference that must name a request: 1001 or #1001.
func RequestNumber(s string) (int64, error) {
	r, err := bot.ParseRef(bot.RefRequest, s)
	return r.Number, err
}

// ProjectNumber reads a reference that must name a project: P12 or #P12.
func ProjectNumber(s string) (int64, error) {
	r, err := bot.ParseRef(bot.RefProject, s)
	return r.Number, err
}

// clip shortens what is echoed back in an error.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return s
}
