package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// A change this process makes to a cached setting is seen by its next read.
func TestCachedSettingsChangedHereAreSeenAtOnce(t *testing.T) {
	t.Parallel()
	s, ws, p := setup(t)
	ctx := context.Background()
	r, _, err := s.CreateRequest(ctx, newRequest(ws, p, "new laptop for Sam", ""))
	if err != nil {
		t.Fatal(err)
	}
	// Overrides: none (cached as none), then one taught, then forgotten.
	if o, err := s.SimilarOverrides(ctx, ws, "new laptop for Sam", 20); err != nil || len(o) != 0 {
		t.Fatalf("overrides before any: %+v, %v", o, err)
	}
	if _, err := s.Reclassify(ctx, ws, r.Number, p.ID, "project", "project", "laptops are quoted", ""); err != nil {
		t.Fatal(err)
	}
	if o, err := s.SimilarOverrides(ctx, ws, "new laptop for Sam", 20); err != nil || len(o) != 1 {
		t.Fatalf("overrides right after one was taught: %+v, %v", o, err)
	}
	if err := s.ForgetOverride(ctx, ws, r.Number, p.ID); err != nil {
		t.Fatal(err)
	}
	if o, err := s.SimilarOverrides(ctx, ws, "new laptop for Sam", 20); err != nil || len(o) != 0 {
		t.Fatalf("overrides right after forgetting: %+v, %v", o, err)
	}

	// Contract clauses: none, one added, removed.
	c, err := s.CreateClient(ctx, ws, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if cl, err := s.ContractClauses(ctx, c.ID); err != nil || len(cl) != 0 {
		t.Fatalf("clauses before any: %+v, %v", cl, err)
	}
	added, err := s.AddContractClause(ctx, ws, "ACME", "covered", "printers", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cl, err := s.ContractClauses(ctx, c.ID); err != nil || len(cl) != 1 || cl[0].Text != "printers" {
		t.Fatalf("clauses right after adding: %+v, %v", cl, err)
	}
	if err := s.RemoveContractClause(ctx, ws, added.ID); err != nil {
		t.Fatal(err)
	}
	if cl, err := s.ContractClauses(ctx, c.ID); err != nil || len(cl) != 0 {
		t.Fatalf("clauses right after removing: %+v, %v", cl, err)
	}

	// Channel: intake on, then linked to a client, then off.
	for _, step := range []struct {
		change func() error
		want   bot.ChannelSettings
	}{
		{func() error { return s.SetIntake(ctx, ws, "C1", true, p.ID) }, bot.ChannelSettings{Intake: true}},
		{func() error { _, err := s.LinkClient(ctx, ws, "C1", "ACME", p.ID); return err },
			bot.ChannelSettings{Intake: true, ClientID: &c.ID, ClientCode: "ACME"}},
		{func() error { return s.SetIntake(ctx, ws, "C1", false, p.ID) }, bot.ChannelSettings{ClientID: &c.ID, ClientCode: "ACME"}},
	} {
		if _, err := s.Channel(ctx, ws, "C1"); err != nil { // cached before the change
			t.Fatal(err)
		}
		if err := step.change(); err != nil {
			t.Fatal(err)
		}
		got, err := s.Channel(ctx, ws, "C1")
		if err != nil || got.Intake != step.want.Intake || got.ClientCode != step.want.ClientCode ||
			(got.ClientID == nil) != (step.want.ClientID == nil) {
			t.Fatalf("channel right after the change: %+v, %v; want %+v", got, err, step.want)
		}
	}
}

// Another instance's change is seen within SettingsTTL: the bound README
// states for several bot instances on one database.
func TestCachedSettingsChangedElsewhereAreSeenWithinTheTTL(t *testing.T) {
	t.Parallel()
	dsn := storagetest.NewMigratedDatabase(t)
	ctx := context.Background()
	open := func() *storage.Store {
		s, err := storage.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	here, there := open(), open()
	ws := storagetest.Workspace(t, here, bot.PlatformSlack, "T1")
	p := storagetest.Member(t, here, ws, "dana", bot.RoleManager, "UTC", time.Now())
	if err := there.SetIntake(ctx, ws, "C1", true, p.ID); err != nil {
		t.Fatal(err)
	}
	if ch, err := here.Channel(ctx, ws, "C1"); err != nil || !ch.Intake {
		t.Fatalf("channel: %+v, %v", ch, err)
	}
	if err := there.SetIntake(ctx, ws, "C1", false, p.ID); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	for {
		ch, err := here.Channel(ctx, ws, "C1")
		if err != nil {
			t.Fatal(err)
		}
		if !ch.Intake {
			break
		}
		if time.Since(changed) > storage.SettingsTTL+5*time.Second {
			t.Fatalf("intake turned off by another instance still on here after %v", time.Since(changed))
		}
		time.Sleep(20 * time.Millisecond) // polling for the change to show
	}
}
