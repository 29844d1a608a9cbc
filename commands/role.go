package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

type roleStore interface {
	FindPerson(ctx context.Context, workspaceID int64, handle string) (bot.Person, error)
	SetRole(ctx context.Context, personID int64, role bot.Role, clientCode string) (bot.Person, error)
	SetRoleOnce(ctx context.Context, personID int64, role bot.Role, clientCode, key string) (bot.Person, error)
	ListPeople(ctx context.Context, workspaceID int64) ([]bot.Person, error)
}

// mention matches a Slack (<@U123> or <@U123|name>) or Discord (<@123>, <@!123>)
// user mention and captures the platform user id.
var mention = regexp.MustCompile(`^<@!?([A-Za-z0-9]+)(?:\|[^>]*)?>$`)

func roleCommand(d Deps) bot.Command {
	return bot.Command{
		Name:    "role",
		Usage:   "/role [@person tech|coordinator|manager|client [CLIENT]]",
		Summary: "list who has which role, or give someone a role",
		MinRole: bot.RoleManager,
		Args: []bot.Arg{{Name: "person", Kind: bot.ArgPerson, Help: "who (leave empty to list roles)"},
			{Name: "role", Kind: bot.ArgRole, Help: "the role to give", Choices: []string{"tech", "coordinator", "manager", "client"}},
			{Name: "client", Kind: bot.ArgClient, Help: "whose client user (with role client)"},
			{Name: "page", Kind: bot.ArgNumber, Keyword: true, Help: "page of 25 of the list (the reply says how many there are)"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			args, err := bot.SplitArgs(ev.Args)
			if err != nil {
				return nil, err
			}
			if len(args) == 0 || len(args) == 2 && strings.EqualFold(args[0], "page") {
				return listRoles(ctx, d, ev, args)
			}
			if len(args) < 2 {
				return nil, bot.Errorf(bot.EInvalid, "use /role @person tech|coordinator|manager, or /role @person client ACME")
			}
			role, err := bot.ParseRole(args[1])
			if err != nil {
				return nil, err
			}
			clientCode := ""
			if role == bot.RoleClient {
				if len(args) < 3 {
					return nil, bot.Errorf(bot.EInvalid, "say which client %s belongs to: /role %s client ACME", args[0], args[0])
				}
				c, err := knownClient(ctx, d, ev.Caller.WorkspaceID, args[2])
				if err != nil {
					return nil, err
				}
				clientCode = c.Code
			}
			if ev.Platform != bot.PlatformConsole && !mention.MatchString(args[0]) {
				// Anyone can take a display name; only a mention names one account.
				return nil, bot.Errorf(bot.EInvalid, "mention the person (@ and pick them from the list), so the role goes to that account and not to someone who took the name %s", args[0])
			}
			target, err := findOrMeetPerson(ctx, d, ev, args[0])
			if err != nil {
				return nil, err
			}
			if target.ID == ev.Caller.ID && role != bot.RoleManager {
				return nil, bot.Errorf(bot.EForbidden, "you cannot step down yourself; another manager can change your role")
			}
			if role != bot.RoleManager && slices.Contains(d.Admins, target.ExternalID) {
				// The admin's next message would make them a manager again: a
				// change that silently undoes itself is worse than a refusal.
				return nil, bot.Errorf(bot.EForbidden, "%s is one of this bot's admins (MSPBOT_ADMINS), who are always managers; take their id out of MSPBOT_ADMINS first", target.Name)
			}
			p, err := d.Store.SetRoleOnce(ctx, target.ID, role, clientCode, ev.SourceID)
			if errors.Is(err, bot.ErrReplayed) {
				// Given by this delivery the first time; a later change stands,
				// and the answer is the first one.
				p.Role, p.ClientCode, err = role, clientCode, nil
			}
			if err != nil {
				return nil, err
			}
			text := fmt.Sprintf("%s is now a %s.", p.Name, p.Role)
			if p.Role == bot.RoleClient {
				text = fmt.Sprintf("%s is now a client user of %s and sees only %s's requests.", p.Name, p.ClientCode, p.ClientCode)
			}
			return []bot.Message{{Text: text, Ephemeral: true}}, nil
		},
	}
}

// findOrMeetPerson finds the person a handle names. Someone mentioned who has
// never used the bot is created, so a manager can set roles before people start.
func findOrMeetPerson(ctx context.Context, d Deps, ev bot.Event, handle string) (bot.Person, error) {
	id := strings.TrimPrefix(handle, "@")
	if m := mention.FindStringSubmatch(handle); m != nil {
		id = m[1]
	}
	if id == "" {
		return bot.Person{}, bot.Errorf(bot.EInvalid, "name the person, e.g. /role @dana coordinator")
	}
	p, err := d.Store.FindPerson(ctx, ev.Caller.WorkspaceID, id)
	if bot.ErrorCode(err) != bot.ENotFound {
		if bot.ErrorCode(err) == bot.EConflict {
			return p, bot.Errorf(bot.EConflict, "more than one person is called %s; mention them instead", id)
		}
		return p, err
	}
	p, _, _, err = d.Store.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ev.Caller.WorkspaceID, ExternalID: id, Name: id}, false)
	return p, err
}

// findPerson finds the person a handle names without ever creating one: a
// command that only refers to someone (--coordinator @x, /hours @x) must not
// bring a stranger in. Only /role and /client user meet new people.
func findPerson(ctx context.Context, d Deps, ev bot.Event, handle string) (bot.Person, error) {
	id := strings.TrimPrefix(handle, "@")
	if m := mention.FindStringSubmatch(handle); m != nil {
		id = m[1]
	}
	if id == "" {
		return bot.Person{}, bot.Errorf(bot.EInvalid, "name the person, e.g. @dana")
	}
	p, err := d.Store.FindPerson(ctx, ev.Caller.WorkspaceID, id)
	switch bot.ErrorCode(err) {
	case bot.ENotFound:
		return p, bot.Errorf(bot.ENotFound, "nobody called %s uses mspbot here yet; /role lists people, and a manager adds someone with /role @%s tech", id, id)
	case bot.EConflict:
		return p, bot.Errorf(bot.EConflict, "more than one person is called %s; mention them instead", id)
	}
	return p, err
}

func listRoles(ctx context.Context, d Deps, ev bot.Event, args []string) ([]bot.Message, error) {
	_, pg, err := cutPage(args, "/role")
	if err != nil {
		return nil, err
	}
	all, err := d.Store.ListPeople(ctx, ev.Caller.WorkspaceID)
	if err != nil {
		return nil, err
	}
	people, ok := pageOf(pg, all)
	if !ok {
		return []bot.Message{pg.pastEnd(len(all), "person", "people")}, nil
	}
	var b strings.Builder
	for _, p := range people {
		fmt.Fprintf(&b, "%-12s %s", p.Role, p.Name)
		if p.ClientCode != "" {
			fmt.Fprintf(&b, " (%s)", p.ClientCode)
		}
		b.WriteByte('\n')
	}
	m := bot.Message{Title: fmt.Sprintf("Roles: %d %s", len(all), plural(len(all), "person", "people")), Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}
	pg.decorate(&m, len(people), len(all))
	return []bot.Message{m}, nil
}
