package commands

import (
	"context"
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
		word := s[0]
		c.Subs = append(c.Subs, bot.Subcommand{Name: word, Usage: s[1], MinRole: min,
			Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
				ev.Args = strings.TrimSpace(word + " " + ev.Args)
				return c.Handler(ctx, ev)
			}})
	}
	return c
}

// teamTable: anyone on staff reads the team's time rules; managers change them.
func teamTable(c bot.Command) bot.Command {
	return passOnSubs(c, bot.RoleManager,
		[2]string{"gap", "/team gap 90m"}, [2]string{"lock", "/team lock 7"},
		[2]string{"timer", "/team timer 4h"}, [2]string{"escalate", "/team escalate 3"})
}

// clientTable adds to /client the subcommands that decide who a client's
// people are, and declares the contract subcommands' role in the table rather
// than in the handler: /client sla and /client hours are managers'.
func clientTable(d Deps, c bot.Command) bot.Command {
	client := bot.Arg{Name: "client", Kind: bot.ArgClient, Required: true}
	c.Subs = append(c.Subs,
		bot.Subcommand{Name: "user", Usage: "/client user ACME @person", MinRole: bot.RoleCoordinator,
			Summary: "make someone a client user of ACME (they see only ACME's requests and projects)",
			Args:    []bot.Arg{client, {Name: "person", Kind: bot.ArgPerson, Required: true}},
			Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return makeClientUser(ctx, d, ev) }},
		bot.Subcommand{Name: "org", Usage: "/client org ACME [TEAMID…]", MinRole: bot.RoleManager,
			Summary: "list, or record, the outside organisations (Slack team ids) whose people are ACME's users",
			Args:    []bot.Arg{client, {Name: "teams", Kind: bot.ArgText}},
			Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) { return clientOrgs(ctx, d, ev) }},
	)
	return passOnSubs(c, bot.RoleManager, [2]string{"sla", "/client sla ACME P1 15m 4h"},
		[2]string{"hours", "/client hours ACME 24x7|08:00-18:00 mon-fri [TZ]"})
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
	switch {
	case err == nil && target.Role.AtLeast(bot.RoleTech) && !ev.Caller.Role.AtLeast(bot.RoleManager):
		return nil, bot.Errorf(bot.EForbidden, "%s is a %s; only a manager changes a staff member's role (/role)", target.Name, target.Role)
	case bot.ErrorCode(err) == bot.ENotFound && mention.MatchString(args[1]):
		target, err = findOrMeetPerson(ctx, d, ev, args[1])
	}
	if err != nil {
		return nil, err
	}
	p, err := d.Store.SetRole(ctx, target.ID, bot.RoleClient, c.Code)
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
