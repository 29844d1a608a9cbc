package commands_test

import (
	"context"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestNamesNeverGrantAnything: MSPBOT_ADMINS=dana,UMGR. A Slack Connect guest
// and a Discord member who call themselves dana are not managers (the guest
// is refused, the member unverified, neither stored); a staff member named
// dana is a tech; only the listed ids are managers.
func TestNamesNeverGrantAnything(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	dir := commands.NewDirectory(s, []string{"dana", "UMGR", "4242"})
	ctx := context.Background()
	id := func(ev bot.Event) (bot.Caller, error) { return dir.Identify(ctx, ev) }
	slack := func(u bot.User) bot.Event {
		return bot.Event{Platform: bot.PlatformSlack, Workspace: "TMSP", Channel: "CACME", User: u}
	}
	discord := func(u bot.User) bot.Event {
		return bot.Event{Platform: bot.PlatformDiscord, Workspace: "G1", Channel: "C1", User: u}
	}
	if _, err := id(slack(bot.User{ID: "UEVE", Name: "dana", TeamID: "TEVIL", External: true})); bot.ErrorCode(err) != bot.EForbidden {
		t.Fatalf("guest named dana: %v; want refused", err)
	}
	if _, err := id(discord(bot.User{ID: "777", Name: "Dana"})); bot.ErrorCode(err) != bot.EForbidden {
		t.Fatalf("Discord member nicknamed Dana: %v; want unverified", err)
	}
	if _, err := id(discord(bot.User{ID: "778", Name: "dana", Roles: []string{"dana"}})); bot.ErrorCode(err) != bot.EForbidden {
		t.Fatalf("Discord member with a role named dana: %v; want unverified", err)
	}
	ws, err := s.EnsureWorkspace(ctx, bot.PlatformSlack, "TMSP", "TMSP")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PersonByExternalID(ctx, ws, "UEVE"); bot.ErrorCode(err) != bot.ENotFound {
		t.Fatalf("the refused guest was stored: %v", err)
	}
	if c, err := id(slack(bot.User{ID: "UTOM", Name: "dana", TeamID: "TMSP"})); err != nil || c.Role != bot.RoleTech {
		t.Fatalf("staff member named dana: %+v %v; want a tech", c.Person, err)
	}
	if c, err := id(slack(bot.User{ID: "UMGR", Name: "someone", TeamID: "TMSP"})); err != nil || c.Role != bot.RoleManager {
		t.Fatalf("listed id: %+v %v; want a manager", c.Person, err)
	}
	if c, err := id(discord(bot.User{ID: "4242", Name: "x"})); err != nil || c.Role != bot.RoleManager {
		t.Fatalf("listed Discord id: %+v %v; want a manager", c.Person, err)
	}
	// A listed id from another organisation is still not staff.
	if _, err := id(slack(bot.User{ID: "UMGR2", Name: "UMGR", TeamID: "TEVIL", External: true})); bot.ErrorCode(err) != bot.EForbidden {
		t.Fatalf("guest named like a listed id: %v", err)
	}
	// An event without a workspace id stores nothing.
	if _, err := id(bot.Event{Platform: bot.PlatformSlack, User: bot.User{ID: "UX", TeamID: "TMSP"}}); bot.ErrorCode(err) != bot.EInvalid {
		t.Fatalf("no team: %v; want invalid", err)
	}
}
