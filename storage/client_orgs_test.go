package storage_test

import (
	"context"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestClientOrgsBelongToOneClient: an organisation recorded for ACME finds
// ACME; recording it again for ACME is a no-op; recording it for GLOBEX is a
// conflict and records nothing (not even the other, new organisation).
func TestClientOrgsBelongToOneClient(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	ctx := context.Background()
	ws := storagetest.Workspace(t, s, bot.PlatformSlack, "TMSP")
	acme, err := s.CreateClient(ctx, ws, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	globex, err := s.CreateClient(ctx, ws, "GLOBEX", "Globex")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordClientOrgs(ctx, ws, acme.ID, []string{"TACME", " ", "TACME"}, 0); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ClientByOrg(ctx, ws, "TACME"); err != nil || c.Code != "ACME" {
		t.Fatalf("TACME is %+v %v", c, err)
	}
	if err := s.RecordClientOrgs(ctx, ws, globex.ID, []string{"TGLOBEX", "TACME"}, 0); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("recording ACME's organisation for GLOBEX: %v; want a conflict", err)
	}
	if _, err := s.ClientByOrg(ctx, ws, "TGLOBEX"); bot.ErrorCode(err) != bot.ENotFound {
		t.Fatalf("a refused recording kept TGLOBEX: %v", err)
	}
	if orgs, err := s.ClientOrgs(ctx, acme.ID); err != nil || len(orgs) != 1 {
		t.Fatalf("ACME's organisations %v %v", orgs, err)
	}
	if _, err := s.EnsureWorkspace(ctx, bot.PlatformSlack, "", ""); bot.ErrorCode(err) != bot.EInvalid {
		t.Fatalf("a workspace without an id: %v", err)
	}
}
