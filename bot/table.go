package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file declares commands' subcommands as data. The Router reads the table
// to decide who may run what and on which record; /help prints it; the Discord
// adapter builds its typed application-command options from it. A subcommand
// that is not in the table cannot be reached, so nothing can bypass the gate.

// RefKind is the kind of record an argument names.
type RefKind string

const (
	RefNone    RefKind = ""
	RefRequest RefKind = "request" // #1002 (or 1002)
	RefProject RefKind = "project" // P12
)

// Ref names one request or project by its number in a workspace.
type Ref struct {
	Kind   RefKind
	Number int64
}

// IsZero reports whether r names nothing.
func (r Ref) IsZero() bool { return r.Kind == RefNone }

func (r Ref) String() string {
	switch r.Kind {
	case RefRequest:
		return fmt.Sprintf("#%d", r.Number)
	case RefProject:
		return fmt.Sprintf("P%d", r.Number)
	}
	return ""
}

// refGrammar is the one reference grammar (an optional #, an optional P,
// digits, at most 18 so they fit an int64). It lives here because the Router
// reads references; package parse builds on ReadRef and ParseRef.
var refGrammar = regexp.MustCompile(`^#?([Pp])?0*([1-9]\d{0,17})$`)

// ReadRef reads a reference of either kind (1002, #1002, P12, #P12) and says
// whether s is written as one. Package parse builds on it, so there is one
// grammar.
func ReadRef(s string) (Ref, bool) {
	m := refGrammar.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return Ref{}, false
	}
	n, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil || n <= 0 {
		return Ref{}, false
	}
	if m[1] != "" {
		return Ref{Kind: RefProject, Number: n}, true
	}
	return Ref{Kind: RefRequest, Number: n}, true
}

// ParseRef reads a reference of the given kind: "#1002" or "1002" for a
// request, "P12" (any case, "#P12" too) for a project. The messages are
// package parse's, so a command reads the same whether the Router or the
// command refused the reference.
func ParseRef(kind RefKind, s string) (Ref, error) {
	show := []rune(strings.TrimSpace(s))
	if len(show) > 24 {
		show = append(show[:24], '…')
	}
	m := refGrammar.FindStringSubmatch(strings.TrimSpace(s))
	var n int64
	if m != nil {
		n, _ = strconv.ParseInt(m[2], 10, 64)
	}
	switch {
	case kind == RefRequest && (m == nil || n <= 0):
		return Ref{}, Errorf(EInvalid, "%q is not a request number: write it as 1001 or #1001 (/requests lists them)", string(show))
	case kind == RefRequest && m[1] != "":
		return Ref{}, Errorf(EInvalid, "P%d is a project; name a request here, e.g. #1001", n)
	case kind == RefRequest:
		return Ref{Kind: RefRequest, Number: n}, nil
	case kind == RefProject && (m == nil || n <= 0):
		return Ref{}, Errorf(EInvalid, "%q is not a project: name it as P12 (/project lists them)", string(show))
	case kind == RefProject && m[1] == "":
		return Ref{}, Errorf(EInvalid, "#%d is a request; name a project as P%d (/project lists them)", n, n)
	case kind == RefProject:
		return Ref{Kind: RefProject, Number: n}, nil
	}
	return Ref{}, Errorf(EInvalid, "nothing to refer to")
}

// OwnedKind is a kind of record that belongs to one person.
type OwnedKind string

// OwnedTimeEntry is a time entry, numbered by its id.
const OwnedTimeEntry OwnedKind = "time entry"

// ArgKind is what an argument holds, so each platform can offer the right input.
type ArgKind string

const (
	ArgText     ArgKind = "text"     // free text, the rest of the line
	ArgWord     ArgKind = "word"     // one word
	ArgNumber   ArgKind = "number"   // a whole number
	ArgRequest  ArgKind = "request"  // #1002
	ArgProject  ArgKind = "project"  // P12
	ArgClient   ArgKind = "client"   // a client code, ACME
	ArgPerson   ArgKind = "person"   // a mention, <@U123>
	ArgRole     ArgKind = "role"     // tech|coordinator|manager|client
	ArgDuration ArgKind = "duration" // 45m, 1h30
	ArgDate     ArgKind = "date"     // 2026-12-01, yesterday
	ArgChoice   ArgKind = "choice"   // one of Choices
	ArgRecord   ArgKind = "record"   // a request (1001) or a project (P12)
	ArgClock    ArgKind = "clock"    // a time of day, 07:30
	ArgSwitch   ArgKind = "switch"   // yes or no: typed as its name (--non-billable, or "none" when positional)
)

// Arg is one argument of a command or subcommand. Flag arguments are typed as
// --name value; the others are positional, in order.
type Arg struct {
	Name     string
	Kind     ArgKind
	Help     string
	Required bool
	Flag     bool
	// Keyword arguments are typed as name value without dashes ("page 2",
	// "digest 07:30").
	Keyword bool
	// Quoted: the value is always one quoted argument, even when it comes
	// last (a handler that wants each part as one word).
	Quoted  bool
	Choices []string
	// ChoiceRoles, when set, says which roles may type each value of this
	// argument ("" is the argument left out); the Router enforces it. A value
	// it does not name is the handler's to refuse as bad input.
	ChoiceRoles map[string][]Role
	// Canon reads a typed value as one of Choices (a prefix, a label), so the
	// Router and the handler agree on which choice was meant.
	Canon func(string) (string, bool)
}

// Subcommand is one verb of a command: "/project close P12" is the subcommand
// "close" of "project". MinRole and Target are enforced by the Router alone.
type Subcommand struct {
	Name    string
	Aliases []string
	Usage   string // "/project close P12 [--force]"
	Summary string
	MinRole Role
	// OthersMinRole, when set, is the role needed to act for someone else:
	// the entry's first argument written as a person (@tom, a mention) who is
	// not the caller. Acting for oneself needs only MinRole.
	OthersMinRole Role
	// OwnedBy, when set, says the first argument numbers a record that
	// belongs to one person (a time entry): the Router asks the Identifier
	// whose it is and applies OthersMinRole when it is not the caller's.
	OwnedBy OwnedKind
	// Target is the kind of record the first argument after the subcommand
	// word names. The Router resolves it, refuses a client another client's
	// record (as "not found", so numbers leak nothing), and refuses a button
	// or thread comment whose record is not the one its message is about.
	Target RefKind
	Args   []Arg
	// Form, when set, is the title of a form that asks for Args: typing them
	// is error-prone (dates, a budget, a duration and what it is on), so a
	// platform with forms offers one when they are left out.
	Form string
	// Match, when set, selects this subcommand for an argument line that does
	// not start with a subcommand word (e.g. "/project P12" is status, "/project"
	// alone is list). The line is handed over unchanged.
	Match func(args string) bool
	// YieldsToText: the subcommand word selects this entry only when a record
	// (or nothing) follows it; otherwise the whole line is text for the
	// command's own Handler ("/request close the blinds" opens a request).
	YieldsToText bool
	Handler      Handler
}

// Names returns the subcommand's name and aliases.
func (s Subcommand) Names() []string { return append([]string{s.Name}, s.Aliases...) }

// findSub returns the subcommand an argument line selects and the line with
// the subcommand word removed. ok is false when no entry matches; the command's
// own Handler then takes the whole line.
func (c Command) findSub(args string) (sub Subcommand, rest string, ok bool) {
	word, after := firstWord(args)
	word = strings.ToLower(word)
	for _, s := range c.Subs {
		if s.Name == "" {
			continue
		}
		for _, n := range s.Names() {
			if n != word {
				continue
			}
			if s.YieldsToText && after != "" {
				// "/request close the blinds in room 4" is a request, not /request close.
				if w, _ := firstWord(after); !looksLikeRef(w) {
					break
				}
			}
			return s, after, true
		}
	}
	for _, s := range c.Subs {
		if s.Match != nil && s.Match(args) {
			return s, args, true
		}
	}
	return Subcommand{}, args, false
}

// Entries lists what a command can do as subcommand-shaped entries: its own
// default action (when it has a Handler) first, then its subcommands. /help
// and the role-matrix test read this.
func (c Command) Entries() []Subcommand {
	var out []Subcommand
	if c.Handler != nil {
		out = append(out, c.Default())
	}
	return append(out, c.Subs...)
}

// Default is the command's own action as a table entry.
func (c Command) Default() Subcommand {
	return Subcommand{Usage: c.Usage, Summary: c.Summary, MinRole: c.MinRole, OthersMinRole: c.OthersMinRole, OwnedBy: c.OwnedBy,
		Target: c.Target, Args: c.Args, Form: c.Form, Handler: c.Handler}
}

// looksLikeRef reports whether s is written as a reference of either kind.
func looksLikeRef(s string) bool { return refGrammar.MatchString(strings.TrimSpace(s)) }

// firstWord splits s at its first run of spaces.
func firstWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t\n")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i+1:])
}
