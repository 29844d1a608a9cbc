// Package parse reads what people type into commands: references to requests and
// projects, durations, dates, times of day and time ranges. Every command uses
// it, so 1001, #1001, P12 and #P12 mean the same thing everywhere and "1h 30m" is
// ninety minutes wherever a duration is asked for. Errors are bot.EInvalid with a
// message that shows what to type instead; nothing here panics on any input (the
// parsers are fuzzed with committed seeds).
package parse

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// Kind says what a reference names.
type Kind int

// The kinds of reference.
const (
	Request Kind = iota + 1
	Project
)

// Ref names a request (#1001) or a project (P12) by its number in a workspace.
type Ref struct {
	Kind   Kind
	Number int64
}

// String writes the reference the one way the bot prints it: #1001 or P12.
func (r Ref) String() string {
	if r.Kind == Project {
		return ProjectRef(r.Number)
	}
	return RequestRef(r.Number)
}

// RequestRef is how a request number is printed: #1001.
func RequestRef(n int64) string { return "#" + strconv.FormatInt(n, 10) }

// ProjectRef is how a project number is printed: P12.
func ProjectRef(n int64) string { return "P" + strconv.FormatInt(n, 10) }

// refRE is the whole grammar: an optional #, an optional P, digits. The numbers
// are capped at 18 digits so they always fit an int64.
var refRE = regexp.MustCompile(`^#?([Pp])?0*([1-9]\d{0,17})$`)

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

func tryRef(s string) (Ref, bool) {
	m := refRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Ref{}, false
	}
	n, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil || n <= 0 {
		return Ref{}, false
	}
	if m[1] != "" {
		return Ref{Kind: Project, Number: n}, true
	}
	return Ref{Kind: Request, Number: n}, true
}

// RequestNumber reads a reference that must name a request: 1001 or #1001.
func RequestNumber(s string) (int64, error) {
	r, ok := tryRef(s)
	switch {
	case !ok:
		return 0, bot.Errorf(bot.EInvalid, "%q is not a request number: write it as 1001 or #1001 (/requests lists them)", clip(s))
	case r.Kind == Project:
		return 0, bot.Errorf(bot.EInvalid, "%s is a project; name a request here, e.g. #1001", r)
	}
	return r.Number, nil
}

// ProjectNumber reads a reference that must name a project: P12 or #P12.
func ProjectNumber(s string) (int64, error) {
	r, ok := tryRef(s)
	switch {
	case !ok:
		return 0, bot.Errorf(bot.EInvalid, "%q is not a project: name it as P12 (/project lists them)", clip(s))
	case r.Kind == Request:
		return 0, bot.Errorf(bot.EInvalid, "%s is a request; name a project as P%d (/project lists them)", r, r.Number)
	}
	return r.Number, nil
}

// clip shortens what is echoed back in an error.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 24 {
		return string(r[:24]) + "…"
	}
	return s
}
