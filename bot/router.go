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

// Command is a command declared as data, so /help writes itself.
type Command struct {
	Name    string
	Usage   string // "/request <text> | /request show <n>"
	Summary string
	MinRole Role
	Handler Handler
}

// Identifier finds (or on first contact creates) the person behind an event.
type Identifier interface {
	Identify(ctx context.Context, ev Event) (Caller, error)
}

// Observer is told about every command handled, for metrics.
type Observer func(command string, code Code, elapsed time.Duration)

// Router maps command names to handlers. It is the one place roles are checked.
type Router struct {
	commands map[string]Command
	ident    Identifier
	log      *slog.Logger
	observe  Observer
}

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
		msgs = append(msgs, ErrorReply(err))
	}
	if ev.Caller.Notice != "" {
		msgs = append([]Message{{Text: ev.Caller.Notice, Ephemeral: true}}, msgs...)
	}
	return msgs
}

func (r *Router) dispatch(ctx context.Context, ev *Event, name string) ([]Message, error) {
	cmd, ok := r.commands[name]
	if !ok {
		return nil, Errorf(EInvalid, "/%s is not a command; type /help to see them all", name)
	}
	if utf8.RuneCountInString(ev.Args) > MaxTextLen {
		return nil, Errorf(EInvalid, "that is %d characters; the limit is %d. Put the details in the request's thread instead.",
			utf8.RuneCountInString(ev.Args), MaxTextLen)
	}
	if strings.ContainsRune(ev.Args, 0) {
		// PostgreSQL text cannot hold NUL: refuse it here rather than fail inside a query.
		return nil, Errorf(EInvalid, "the text contains a NUL character, which cannot be stored; retype it without that character")
	}
	caller, err := r.ident.Identify(ctx, *ev)
	if err != nil {
		return nil, err
	}
	ev.Caller = caller
	if !caller.Role.AtLeast(cmd.MinRole) {
		return nil, Errorf(EForbidden, "/%s is for %ss and above; you are a %s. Ask a manager if you need it.",
			cmd.Name, cmd.MinRole, caller.Role)
	}
	return cmd.Handler(ctx, *ev)
}
