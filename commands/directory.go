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
// people on first contact and decides the role a newcomer starts with. Only
// platform ids decide anything; a display name never grants a thing.
//
// Who is who:
//   - console: whoever runs it; MSPBOT_ADMINS may list console names.
//   - Slack: people of the installing team (or its Enterprise Grid org) are
//     staff (tech unless MSPBOT_ADMINS lists their user id, or they were given
//     a role). Anyone else (Slack Connect guests, workspace guests, people whose
//     team Slack does not tell us) is at most a client user: of the client whose
//     organisation they belong to (recorded when a shared channel was linked),
//     or of the client a coordinator assigned them to; otherwise nothing.
//   - Discord: nobody is anything by being in the server. MSPBOT_ADMINS user
//     ids are managers; members holding a server role listed in
//     MSPBOT_DISCORD_STAFF_ROLES are techs; everyone else is unverified until a
//     manager gives them a role (/role) or a coordinator makes them a client
//     user (/client user).
type Directory struct {
	store      Store
	admins     []string
	staffRoles []string

	mu         sync.Mutex
	workspaces map[string]int64 // platform/external id → workspace id; never changes once made
}

// NewDirectory returns a Directory over the store. admins are platform user ids
// (console names on the console) who are always managers.
func NewDirectory(store Store, admins []string) *Directory {
	return &Directory{store: store, admins: admins, workspaces: map[string]int64{}}
}

// NewDirectoryFor is NewDirectory with everything Deps configures (admins and
// Discord staff roles).
func NewDirectoryFor(d Deps) *Directory {
	dir := NewDirectory(d.Store, d.Admins)
	dir.staffRoles = d.StaffRoles
	return dir
}

// Identify implements bot.Identifier. Refusals store nothing.
func (d *Directory) Identify(ctx context.Context, ev bot.Event) (bot.Caller, error) {
	if ev.User.ID == "" {
		return bot.Caller{}, bot.Errorf(bot.EInvalid, "this message has no sender, so it cannot be handled")
	}
	ws, err := d.Workspace(ctx, ev.Platform, ev.Workspace)
	if err != nil {
		return bot.Caller{}, err
	}
	np := bot.NewPerson{WorkspaceID: ws, ExternalID: ev.User.ID, Name: bot.FirstNonEmpty(ev.User.Name, ev.User.ID),
		Timezone: ev.User.Timezone, Admin: d.isAdmin(ev.User)}
	bootstrap := false
	switch {
	case ev.Platform == bot.PlatformConsole:
		bootstrap = len(d.admins) == 0
	case ev.Platform == bot.PlatformSlack && !ev.User.External:
		// Staff of the installing organisation; the first one in is the manager
		// of a fresh installation when no admins are configured.
		bootstrap = len(d.admins) == 0
	case ev.Platform == bot.PlatformSlack:
		return d.outsider(ctx, ws, ev, np)
	case ev.Platform == bot.PlatformDiscord:
		if !np.Admin {
			return d.discordMember(ctx, ws, ev, np)
		}
	default:
		return bot.Caller{}, bot.Errorf(bot.EInvalid, "unknown platform %q", ev.Platform)
	}
	return d.ensure(ctx, np, bootstrap)
}

// ensure returns the person np describes, creating them if new. Someone listed
// in MSPBOT_ADMINS is a manager even if they were met before being listed.
func (d *Directory) ensure(ctx context.Context, np bot.NewPerson, bootstrap bool) (bot.Caller, error) {
	p, _, bootstrapped, err := d.store.EnsurePerson(ctx, np, bootstrap)
	if err != nil {
		return bot.Caller{}, err
	}
	if np.Admin && p.Role != bot.RoleManager {
		if p, err = d.store.SetRole(ctx, p.ID, bot.RoleManager, ""); err != nil {
			return bot.Caller{}, err
		}
	}
	c := bot.Caller{Person: p, WorkspaceID: np.WorkspaceID}
	if bootstrapped {
		c.Notice = fmt.Sprintf("Welcome, %s: you are the first person to use mspbot here, so you are its manager. "+
			"Give others their roles with /role @name tech|coordinator|manager|client.", p.Name)
	}
	return c, nil
}

// outsider identifies someone from outside the installing Slack organisation:
// a client user already assigned, or one whose organisation is a client's;
// anyone else is refused without being stored.
func (d *Directory) outsider(ctx context.Context, ws int64, ev bot.Event, np bot.NewPerson) (bot.Caller, error) {
	p, err := d.store.PersonByExternalID(ctx, ws, ev.User.ID)
	switch {
	case err == nil && p.Role == bot.RoleClient:
		return bot.Caller{Person: p, WorkspaceID: ws}, nil
	case err == nil:
		return bot.Caller{}, bot.Errorf(bot.EForbidden, "people from outside your MSP's organisation can only be client users; ask your MSP to make you one (/client user CLIENT @you)")
	case bot.ErrorCode(err) != bot.ENotFound:
		return bot.Caller{}, err
	}
	if ev.User.TeamID != "" {
		c, err := d.store.ClientByOrg(ctx, ws, ev.User.TeamID)
		if err == nil {
			np.Admin, np.ClientCode = false, c.Code
			return d.ensure(ctx, np, false)
		}
		if bot.ErrorCode(err) != bot.ENotFound {
			return bot.Caller{}, err
		}
	}
	return bot.Caller{}, bot.Errorf(bot.EForbidden, "your organisation is not one of your MSP's clients here yet; ask them to add you (/client user CLIENT @you)")
}

// discordMember identifies a Discord member who is not an admin: a person
// already given a role, or a holder of a staff server role (a tech); anyone
// else is unverified and refused without being stored.
func (d *Directory) discordMember(ctx context.Context, ws int64, ev bot.Event, np bot.NewPerson) (bot.Caller, error) {
	p, err := d.store.PersonByExternalID(ctx, ws, ev.User.ID)
	if err == nil {
		return bot.Caller{Person: p, WorkspaceID: ws}, nil
	}
	if bot.ErrorCode(err) != bot.ENotFound {
		return bot.Caller{}, err
	}
	for _, r := range ev.User.Roles {
		if slices.Contains(d.staffRoles, r) {
			return d.ensure(ctx, np, false)
		}
	}
	return bot.Caller{}, bot.Errorf(bot.EForbidden, "you are not verified here yet; ask a manager to give you a role (/role @you tech) or a coordinator to add you as a client user")
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

// isAdmin matches MSPBOT_ADMINS against the platform user id only (on the
// console the id is the name typed at start-up). Display names are chosen by
// their owners, so they never grant anything.
func (d *Directory) isAdmin(u bot.User) bool {
	return u.ID != "" && slices.Contains(d.admins, u.ID)
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

// PersonID implements bot.Identifier: the person a handle (@tom, a mention)
// names, for the Router's OthersMinRole rule.
func (d *Directory) PersonID(ctx context.Context, workspaceID int64, handle string) (int64, error) {
	id := strings.TrimPrefix(handle, "@")
	if m := mention.FindStringSubmatch(handle); m != nil {
		id = m[1]
	}
	p, err := d.store.FindPerson(ctx, workspaceID, id)
	return p.ID, err
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
