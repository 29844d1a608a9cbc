package commands

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mspbot/mspbot/bot"
)

// Directory identifies the person behind each event: it creates workspaces and
// people on first contact and decides the role a newcomer starts with.
type Directory struct {
	store  Store
	admins []string

	mu         sync.Mutex
	workspaces map[string]int64 // platform/external id → workspace id; never changes once made
}

// NewDirectory returns a Directory over the store.
func NewDirectory(store Store, admins []string) *Directory {
	return &Directory{store: store, admins: admins, workspaces: map[string]int64{}}
}

// Identify implements bot.Identifier.
func (d *Directory) Identify(ctx context.Context, ev bot.Event) (bot.Caller, error) {
	if ev.User.ID == "" {
		return bot.Caller{}, bot.Errorf(bot.EInvalid, "this message has no sender, so it cannot be handled")
	}
	ws, err := d.Workspace(ctx, ev.Platform, ev.Workspace)
	if err != nil {
		return bot.Caller{}, err
	}
	np := bot.NewPerson{
		WorkspaceID: ws,
		ExternalID:  ev.User.ID,
		Name:        bot.FirstNonEmpty(ev.User.Name, ev.User.ID),
		Timezone:    ev.User.Timezone,
		Admin:       d.isAdmin(ev.User),
	}
	if ev.User.External || ev.Platform == bot.PlatformDiscord {
		// Someone from outside the MSP (a Slack Connect user, or anyone on a
		// Discord server) first met in a client's channel is that client's user.
		ch, err := d.store.Channel(ctx, ws, ev.Channel)
		if err != nil {
			return bot.Caller{}, err
		}
		np.ClientCode = ch.ClientCode
	}
	if ev.User.External && np.ClientCode == "" {
		// Never let someone from another organisation in as staff.
		return bot.Caller{}, bot.Errorf(bot.EForbidden, "this channel is not linked to a client yet; ask your MSP to run /mspbot client link <CLIENT> here")
	}
	p, _, bootstrapped, err := d.store.EnsurePerson(ctx, np, len(d.admins) == 0 && !ev.User.External && np.ClientCode == "")
	if err != nil {
		return bot.Caller{}, err
	}
	c := bot.Caller{Person: p, WorkspaceID: ws}
	if bootstrapped {
		c.Notice = fmt.Sprintf("Welcome, %s: you are the first person to use mspbot here, so you are its manager. "+
			"Give others their roles with /role @name tech|coordinator|manager|client.", p.Name)
	}
	return c, nil
}

// Workspace returns the id of a platform workspace, creating it on first use.
func (d *Directory) Workspace(ctx context.Context, platform bot.Platform, externalID string) (int64, error) {
	key := string(platform) + "/" + externalID
	d.mu.Lock()
	id, ok := d.workspaces[key]
	d.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := d.store.EnsureWorkspace(ctx, platform, externalID, externalID)
	if err != nil {
		return 0, err
	}
	d.mu.Lock()
	d.workspaces[key] = id
	d.mu.Unlock()
	return id, nil
}

func (d *Directory) isAdmin(u bot.User) bool {
	return slices.ContainsFunc(d.admins, func(a string) bool {
		return a == u.ID || (u.Name != "" && strings.EqualFold(a, u.Name))
	})
}

// Assume makes the user exist in the workspace with the given role. The console
// uses it: whoever runs the console on the bot's machine may choose who they are.
func Assume(ctx context.Context, store Store, platform bot.Platform, workspace string, u bot.User, role bot.Role, clientCode string) (bot.Person, error) {
	if role == bot.RoleClient && clientCode == "" {
		return bot.Person{}, bot.Errorf(bot.EInvalid, "a client user needs --client CODE")
	}
	ws, err := store.EnsureWorkspace(ctx, platform, workspace, workspace)
	if err != nil {
		return bot.Person{}, err
	}
	p, _, _, err := store.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: u.ID, Name: bot.FirstNonEmpty(u.Name, u.ID), Timezone: u.Timezone}, false)
	if err != nil {
		return p, err
	}
	if p.Role == role && (role != bot.RoleClient || strings.EqualFold(p.ClientCode, clientCode)) {
		return p, nil
	}
	return store.SetRole(ctx, p.ID, role, clientCode)
}

// RecordClient implements bot.Identifier: the client a request or project is
// filed under, for the Router's scope check.
func (d *Directory) RecordClient(ctx context.Context, workspaceID int64, ref bot.Ref) (*int64, error) {
	switch ref.Kind {
	case bot.RefRequest:
		r, err := d.store.RequestByNumber(ctx, workspaceID, ref.Number)
		if err != nil {
			return nil, notFoundAs(err, "there is no request %s here", ref)
		}
		return r.ClientID, nil
	case bot.RefProject:
		p, err := d.store.ProjectByNumber(ctx, workspaceID, int(ref.Number))
		if err != nil {
			return nil, notFoundAs(err, "there is no project %s here", ref)
		}
		return &p.ClientID, nil
	}
	return nil, bot.Errorf(bot.EInvalid, "nothing to refer to")
}
