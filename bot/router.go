package bot

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Handler runs one command for a caller already identified and allowed.
type Handler func(ctx context.Context, ev Event) ([]Message, error)

// Command is a command declared as data, so /help writes itself. Handler is
// what the command does when the arguments do not start with one of Subs (it
// may be nil when every use is a subcommand); MinRole and Target apply to it.
type Command struct {
	Name    string
	Usage   string // "/request <text> | /request show <n>"
	Summary string
	MinRole Role
	// OthersMinRole: see Subcommand; it applies to the command's own action.
	OthersMinRole Role
	OwnedBy       OwnedKind // see Subcommand
	Target        RefKind   // the kind of record the first argument names, if any
	Args          []Arg
	Form          string // see Subcommand
	Subs          []Subcommand
	// Internal commands are raised by adapters (a thread comment), never typed:
	// /help and Discord's command list leave them out.
	Internal bool
	Handler  Handler
}

// Identifier finds (or on first contact creates) the person behind an event,
// and tells the Router which client a request or project belongs to.
type Identifier interface {
	Identify(ctx context.Context, ev Event) (Caller, error)
	// RecordClient returns the client a record is filed under (nil: none).
	// A record that does not exist is ENotFound.
	RecordClient(ctx context.Context, workspaceID int64, ref Ref) (*int64, error)
	// PersonID resolves a person as typed (@tom, a mention) to their id, for
	// the OthersMinRole rule. Unknown or ambiguous handles are errors.
	PersonID(ctx context.Context, workspaceID int64, handle string) (int64, error)
	// RecordOwner returns the person a record of that kind belongs to; a
	// record that does not exist is ENotFound.
	RecordOwner(ctx context.Context, workspaceID int64, kind OwnedKind, id int64) (int64, error)
}

// Observer is told about every command handled, for metrics.
type Observer func(command string, code Code, elapsed time.Duration)

// Router maps command names to handlers. It is the one place roles are checked.
type Router struct {
	commands map[string]Command
	ident    Identifier
	log      *slog.Logger
	observe  Observer
	decided  Decision
}

// Decision is told, for every event, what the gate decided before any
// handler ran: the entry ("/project close") and nil when it let the event
// through, or the refusal. Tests use it to prove who may do what.
type Decision func(ev Event, entry string, refusal error)

// OnDecision sets the Decision callback; call it before the Router is used.
func (r *Router) OnDecision(d Decision) { r.decided = d }

// NewRouter builds a router over an explicit list of commands.
func NewRouter(cmds []Command, ident Identifier, log *slog.Logger, observe Observer) *Router {
	r := &Router{commands: make(map[string]Command, len(cmds)), ident: ident, log: log, observe: observe}
	for _, c := range cmds {
		if _, dup := r.commands[c.Name]; dup {
			panic("bot: command registered twice: " + c.Name)
		}
		r.commands[c.Name] = c
	}
	return r
}

// Commands lists the registered commands by name.
func (r *Router) Commands() []Command {
	out := make([]Command, 0, len(r.commands))
	for _, c := range r.commands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the command with that name.
func (r *Router) Lookup(name string) (Command, bool) {
	c, ok := r.commands[strings.ToLower(name)]
	return c, ok
}

// Dispatch identifies the caller, checks their role, runs the command and returns
// what to say. It never fails: errors become the reply ErrorReply makes.
func (r *Router) Dispatch(ctx context.Context, ev Event) []Message {
	msgs, err := r.Run(ctx, ev)
	if err != nil {
		msgs = append(msgs, ErrorReply(err))
	}
	return msgs
}

// Run is Dispatch for events that answer nobody (a thread comment): the error,
// already logged and counted, is returned instead of made into a reply, so an
// adapter can retry an internal failure and drop a refusal.
func (r *Router) Run(ctx context.Context, ev Event) ([]Message, error) {
	start := time.Now()
	name := strings.ToLower(ev.Command)
	msgs, err := r.dispatch(ctx, &ev, name)
	code := ErrorCode(err)
	if r.observe != nil {
		label := name
		if _, ok := r.commands[name]; !ok {
			label = "unknown"
		}
		r.observe(label, code, time.Since(start))
	}
	if err != nil {
		level := slog.LevelInfo
		if code == EInternal {
			level = slog.LevelError
		}
		r.log.Log(ctx, level, "command failed", "command", name, "platform", ev.Platform,
			"user", ev.User.ID, "code", code, "err", err)
	}
	if ev.Caller.Notice != "" {
		msgs = append([]Message{{Text: ev.Caller.Notice, Ephemeral: true}}, msgs...)
	}
	return r.spellReplies(ev.Platform, msgs, err) // spell.go
}

func (r *Router) dispatch(ctx context.Context, ev *Event, name string) ([]Message, error) {
	entry, label, err := r.gate(ctx, ev, name)
	if r.decided != nil {
		r.decided(*ev, label, err)
	}
	if err != nil {
		return nil, err
	}
	if ev.BadInput != nil {
		return nil, ev.BadInput
	}
	return entry.Handler(ctx, *ev)
}

// gate is the one place that decides whether an event may run: it finds the
// command and subcommand in the table, checks the text, identifies the caller
// and checks their role and the record they act on.
func (r *Router) gate(ctx context.Context, ev *Event, name string) (Subcommand, string, error) {
	label := "/" + name
	cmd, ok := r.commands[name]
	if !ok {
		return Subcommand{}, label, Errorf(EInvalid, "/%s is not a command; type /help to see them all", name)
	}
	if utf8.RuneCountInString(ev.Args) > MaxTextLen {
		return Subcommand{}, label, Errorf(EInvalid, "that is %d characters; the limit is %d. Put the details in the request's thread instead.",
			utf8.RuneCountInString(ev.Args), MaxTextLen)
	}
	if strings.ContainsRune(ev.Args, 0) {
		// PostgreSQL text cannot hold NUL: refuse it here rather than fail inside a query.
		return Subcommand{}, label, Errorf(EInvalid, "the text contains a NUL character, which cannot be stored; retype it without that character")
	}
	entry, rest, isSub := cmd.findSub(ev.Args)
	if isSub {
		ev.Sub, ev.Args = entry.Name, rest
		if entry.Name != "" {
			label += " " + entry.Name
		}
	} else {
		entry = cmd.Default()
	}
	caller, err := r.ident.Identify(ctx, *ev)
	if err != nil {
		return entry, label, err
	}
	ev.Caller = caller
	// The command's own minimum is a floor under every subcommand.
	if !caller.Role.AtLeast(cmd.MinRole) {
		return entry, label, Errorf(EForbidden, "/%s is for %ss and above; you are a %s. Ask a manager if you need it.",
			cmd.Name, cmd.MinRole, caller.Role)
	}
	if !caller.Role.AtLeast(entry.MinRole) {
		if entry.MinRole == RoleManager {
			return entry, label, Errorf(EForbidden, "only managers can use %s (it is for managers); you are a %s. Ask a manager if you need it.", label, caller.Role)
		}
		if caller.Role == RoleClient && entry.MinRole == RoleTech {
			return entry, label, Errorf(EForbidden, "only staff can use %s (it is for techs and above); you are a client user.", label)
		}
		return entry, label, Errorf(EForbidden, "%s is for %ss and above; you are a %s. Ask a manager if you need it.",
			label, entry.MinRole, caller.Role)
	}
	if entry.Handler == nil {
		return entry, label, Errorf(EInvalid, "use %s", cmd.Usage)
	}
	if err := r.checkTarget(ctx, ev, entry, label); err != nil {
		return entry, label, err
	}
	if err := r.checkOthers(ctx, ev, entry, label); err != nil {
		return entry, label, err
	}
	if err := checkChoices(ev, entry, label); err != nil {
		return entry, label, err
	}
	return entry, label, nil
}

// checkTarget resolves the record a command acts on and decides whether this
// caller may act on it: a client only on their own client's records, and a
// button or thread comment only on the record its message is about.
func (r *Router) checkTarget(ctx context.Context, ev *Event, entry Subcommand, label string) error {
	if entry.Target == RefNone {
		if !ev.Origin.IsZero() {
			return Errorf(EForbidden, "%s cannot be run from a message about %s", label, ev.Origin)
		}
		return nil
	}
	word, _ := firstWord(ev.Args)
	if word == "" {
		return Errorf(EInvalid, "say which %s: %s", entry.Target, firstNonEmptyUsage(entry.Usage, label))
	}
	ref, err := ParseRef(entry.Target, word)
	if err != nil {
		return err
	}
	if !ev.Origin.IsZero() && ev.Origin != ref {
		return Errorf(EForbidden, "this button is on %s's message but acts on %s; use the command instead", ev.Origin, ref)
	}
	client, err := r.ident.RecordClient(ctx, ev.Caller.WorkspaceID, ref)
	if err == nil && ev.Caller.Role == RoleClient && (client == nil || ev.Caller.ClientID == nil || *client != *ev.Caller.ClientID) {
		// Another client's record is reported exactly as a missing one.
		err = Errorf(ENotFound, "there is no %s %s here", ref.Kind, ref)
	}
	if ErrorCode(err) == ENotFound {
		list := map[RefKind]string{RefRequest: "/requests", RefProject: "/project"}[ref.Kind]
		return Errorf(ENotFound, "there is no %s %s here; %s lists them", ref.Kind, ref, list)
	}
	if err != nil {
		return err
	}
	ev.Target = ref
	return nil
}

func firstNonEmptyUsage(usage, label string) string {
	if usage != "" {
		return usage
	}
	return label + " …"
}
