package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// passOnSubs declares, in the table, subcommands a command's own handler
// parses: each named word reaches that handler unchanged, but only for
// callers of at least min, so the role lives in the table and the Router
// enforces it.
func passOnSubs(c bot.Command, min bot.Role, subs ...[2]string) bot.Command {
	for _, s := range subs {
		c = passOn(c, bot.Subcommand{Name: s[0], Usage: s[1], MinRole: min})
	}
	return c
}

// passOn declares subcommands the command's own handler parses, with their
// arguments typed so each platform can offer them (Discord's options): each
// reaches that handler with its word put back.
func passOn(c bot.Command, subs ...bot.Subcommand) bot.Command {
	h := c.Handler
	for _, s := range subs {
		word := s.Name
		s.Handler = func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			ev.Args = strings.TrimSpace(word + " " + ev.Args)
			return h(ctx, ev)
		}
		c.Subs = append(c.Subs, s)
	}
	return c
}

// teamTable: anyone on staff reads the team's time rules; managers change them.
func teamTable(c bot.Command) bot.Command {
	rule := func(name, usage, summary, arg string, kind bot.ArgKind, help string) bot.Subcommand {
		return bot.Subcommand{Name: name, Usage: usage, Summary: summary, MinRole: bot.RoleManager,
			Args: []bot.Arg{{Name: arg, Kind: kind, Required: true, Help: help}}}
	}
	return passOn(c,
		rule("gap", "/team gap 90m", "the gap in a day's time that is allowed before a nudge", "allowed", bot.ArgDuration, "e.g. 90m (15m to 8h)"),
		rule("lock", "/team lock 7", "days after which time entries lock", "days", bot.ArgNumber, "0 to 366"),
		rule("timer", "/team timer 4h", "how long a timer runs before it is checked", "after", bot.ArgDuration, "e.g. 4h (30m to 24h)"),
		rule("escalate", "/team escalate 3", "unanswered nudges before the manager is told", "nudges", bot.ArgNumber, "1 to 20"))
}

// clientTable adds to /client the subcommands that decide who a client's
// people are, and declares the contract subcommands' role in the table rather
// than in the handler: /client sla and /client hours are managers'.
func clientTable(d Deps, c bot.Command) bot.Command {
	client := bot.Arg{Name: "client", Kind: bot.ArgClient, Required: true}
	c.Args = []bot.Arg{{Name: "client", Kind: bot.ArgClient, Help: "show one client's SLA and hours (default: list them)"},
		{Name: "page", Kind: bot.ArgNumber, Keyword: true, Help: "page of 25 (the reply says how many there are)"}}
	c.Subs = append(c.Subs,
		bot.Subcommand{Name: "user", Usage: "/client user ACME @person", MinRole: bot.RoleCoordinator,
			Summary: "make someone a client user of ACME (they see only ACME's requests and projects)",
			Args:    []bot.Arg{client, {Name: "person", Kind: bot.ArgPerson, Required: true}},
			Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return makeClientUser(ctx, d, ev) }},
		bot.Subcommand{Name: "org", Usage: "/client org ACME [TEAMID…]", MinRole: bot.RoleManager,
			Summary: "list, or record, the outside organisations (Slack team ids) whose people are ACME's users",
			Args:    []bot.Arg{client, {Name: "teams", Kind: bot.ArgText, Help: "Slack team ids to record, e.g. T0123ABCD"}},
			Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return clientOrgs(ctx, d, ev) }},
	)
	word := func(name, help string, required bool) bot.Arg {
		return bot.Arg{Name: name, Kind: bot.ArgWord, Help: help, Required: required}
	}
	c = passOn(c, bot.Subcommand{Name: "add", Usage: `/client add ACME "Acme Corp"`, Summary: "add a client", MinRole: bot.RoleCoordinator,
		Args: []bot.Arg{word("code", "a short code, e.g. ACME", true), {Name: "name", Kind: bot.ArgText, Required: true, Quoted: true, Help: "the client's name, e.g. Acme Corp"}}})
	return passOn(c,
		bot.Subcommand{Name: "sla", Usage: "/client sla ACME P1 15m 4h", Summary: "set a client's response and resolution targets for one priority",
			MinRole: bot.RoleManager, Args: []bot.Arg{client,
				{Name: "priority", Kind: bot.ArgChoice, Required: true, Choices: []string{"P1", "P2", "P3", "P4"}},
				{Name: "response", Kind: bot.ArgDuration, Required: true, Help: "first answer within, e.g. 15m or 1h"},
				{Name: "resolution", Kind: bot.ArgDuration, Required: true, Help: "resolved within, e.g. 4h or 2d"}}},
		bot.Subcommand{Name: "hours", Usage: "/client hours ACME 24x7|08:00-18:00 mon-fri [TZ]", Summary: "set a client's business hours (the SLA clock runs in them)",
			MinRole: bot.RoleManager, Args: []bot.Arg{client, word("hours", "24x7, or a range such as 08:00-18:00", true),
				word("days", "e.g. mon-fri (default)", false), word("timezone", "e.g. Europe/London", false)}})
}

// makeClientUser: /client user ACME <@U123>. A coordinator vouches for someone
// (a guest from an organisation not yet recorded, an unverified Discord
// member) as a user of one client. Staff are never turned into client users
// this way: that takes a manager's /role.
func makeClientUser(ctx context.Context, d Deps, ev bot.Event) ([]bot.Message, error) {
	args, err := bot.SplitArgs(ev.Args)
	if err != nil {
		return nil, err
	}
	if len(args) != 2 {
		return nil, bot.Errorf(bot.EInvalid, "use /client user ACME @person")
	}
	c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, args[0])
	if err != nil {
		return nil, err
	}
	target, err := findPerson(ctx, d, ev, args[1])
	// Made a client user by this delivery before a crash: the same answer,
	// not "is a tech" if a manager has changed their role since.
	again, aerr := replayedDelivery(ctx, d, ev)
	if aerr != nil {
		return nil, aerr
	}
	switch {
	case err == nil && !again && target.Role.AtLeast(bot.RoleTech) && !ev.Caller.Role.AtLeast(bot.RoleManager):
		return nil, bot.Errorf(bot.EForbidden, "%s is a %s; only a manager changes a staff member's role (/role)", target.Name, target.Role)
	case bot.ErrorCode(err) == bot.ENotFound && mention.MatchString(args[1]):
		target, err = findOrMeetPerson(ctx, d, ev, args[1])
	}
	if err != nil {
		return nil, err
	}
	// Recorded with the role, so handled again it cannot undo a later /role.
	p, err := d.Store.SetRoleOnce(ctx, target.ID, bot.RoleClient, c.Code, ev.SourceID)
	if errors.Is(err, bot.ErrReplayed) {
		p.ClientCode, err = c.Code, nil
	}
	if err != nil {
		return nil, err
	}
	return reply(fmt.Sprintf("%s is now a client user of %s and sees only %s's requests and projects.", p.Name, p.ClientCode, p.ClientCode)), nil
}

// clientOrgs lists or records the organisations whose people are a client's.
func clientOrgs(ctx context.Context, d Deps, ev bot.Event) ([]bot.Message, error) {
	args, err := bot.SplitArgs(ev.Args)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, bot.Errorf(bot.EInvalid, "use /client org ACME to list, /client org ACME T0123ABCD to record")
	}
	c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, args[0])
	if err != nil {
		return nil, err
	}
	if len(args) > 1 {
		if err := d.Store.RecordClientOrgs(ctx, ev.Caller.WorkspaceID, c.ID, args[1:], ev.Caller.ID); err != nil {
			return nil, err
		}
	}
	orgs, err := d.Store.ClientOrgs(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return reply(fmt.Sprintf("No organisation is recorded for %s: link a shared channel (/mspbot client link %s) or add users with /client user %s @person.", c.Code, c.Code, c.Code)), nil
	}
	return reply(fmt.Sprintf("People of %s are %s's client users.", strings.Join(orgs, ", "), c.Code)), nil
}
