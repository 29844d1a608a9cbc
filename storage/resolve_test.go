package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestResolveReopenAndAutoClose: resolving stops the SLA resolution clock at
// that moment, ends a pause and records what was done; only a resolved
// request reopens (back in the queue, nobody's, clocks running); a replayed
// delivery changes nothing; resolved requests older than the limit close and
// keep their resolution time for the SLA.
func TestResolveReopenAndAutoClose(t *testing.T) {
	t.Parallel()
	s, ws, dana := setup(t)
	ctx := context.Background()
	tom := storagetest.Member(t, s, ws, "tom", bot.RoleTech, "", time.Now())
	acme, err := s.CreateClient(ctx, ws, "ACME", "Acme Corp")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSLATarget(ctx, acme.ID, bot.SLATarget{Priority: "P3", ResponseMinutes: 60, ResolutionMinutes: 480}); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"printer", "vpn"} {
		in := newRequest(ws, dana, title, "")
		in.ClientID = &acme.ID
		if _, _, err := s.CreateRequest(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AssignRequest(ctx, ws, 1001, tom.ID, ""); err != nil {
		t.Fatal(err)
	}
	r1 := storagetest.Request(t, s, ws, 1001)
	if err := s.WaitOnClient(ctx, r1.ID, tom.ID, time.Now(), ""); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-4 * 24 * time.Hour).Truncate(time.Microsecond)
	r, err := s.ResolveRequest(ctx, ws, 1001, tom.ID, "replaced the fuser", at, "evt-1")
	if err != nil || r.Status != bot.StatusResolved || r.ResolvedAt == nil || !r.ResolvedAt.Equal(at) || r.Resolution != "replaced the fuser" {
		t.Fatalf("resolve: %+v %v", r, err)
	}
	if n := storagetest.Count(t, s, `SELECT count(*) FROM request_pauses WHERE ended_at IS NULL`); n != 0 {
		t.Fatalf("%d pauses still running after resolving", n)
	}
	if _, err := s.ResolveRequest(ctx, ws, 1001, tom.ID, "again", at, "evt-1"); !errors.Is(err, bot.ErrReplayed) {
		t.Fatalf("replayed resolve: %v", err)
	}
	if _, err := s.ResolveRequest(ctx, ws, 1001, tom.ID, "again", at, "evt-2"); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("resolving a resolved request: %v", err)
	}
	if _, _, err := s.ReopenRequest(ctx, ws, 1002, dana.ID, "", time.Now(), ""); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("reopening an open request: %v", err)
	}
	clock, err := s.RequestSLAClock(ctx, r1.ID)
	if err != nil || clock.ClosedAt == nil || !clock.ClosedAt.Equal(at) {
		t.Fatalf("SLA clock stops at the resolution: %v %v", clock.ClosedAt, err)
	}
	if text, by, ok, err := s.LatestResolution(ctx, r1.ID); !ok || err != nil || text != "replaced the fuser" || by != "tom" {
		t.Fatalf("latest resolution %q by %q %v %v", text, by, ok, err)
	}

	// Still broken: open, nobody's, the resolution says who reopened it and why.
	r, hadIt, err := s.ReopenRequest(ctx, ws, 1001, dana.ID, "still jams", time.Now(), "evt-3")
	if err != nil || r.Status != bot.StatusOpen || r.AssigneeID != nil || r.ResolvedAt != nil || hadIt == nil || *hadIt != tom.ID {
		t.Fatalf("reopen: %+v had %v, %v", r, hadIt, err)
	}
	if n := storagetest.Count(t, s, `SELECT count(*) FROM request_resolutions WHERE reopen_reason = 'still jams' AND reopened_by = $1`, dana.ID); n != 1 {
		t.Fatalf("reopening recorded %d times", n)
	}
	if got, _, _, _ := s.ResolutionCounts(ctx, ws, at.Add(-time.Hour), time.Now().Add(time.Hour)); got != 1 {
		t.Fatalf("resolutions counted %d", got)
	}

	// Resolved again 4 days ago and another yesterday: only the old one closes.
	if _, err := s.ResolveRequest(ctx, ws, 1001, tom.ID, "new fuser", at, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveRequest(ctx, ws, 1002, tom.ID, "", time.Now().Add(-24*time.Hour), ""); err != nil {
		t.Fatal(err)
	}
	closed, err := s.CloseResolvedBefore(ctx, time.Now().Add(-bot.ResolvedClosesAfter))
	if err != nil || len(closed) != 1 || closed[0].Number != 1001 || closed[0].RequesterID != "dana" ||
		closed[0].Platform != bot.PlatformConsole || closed[0].Workspace != "console" {
		t.Fatalf("closed %+v, %v; want #1001, dana's, on the console", closed, err)
	}
	if r := storagetest.Request(t, s, ws, 1001); r.Status != bot.StatusClosed || r.ClosedAt == nil || r.ResolvedAt == nil || !r.ResolvedAt.Equal(at) {
		t.Fatalf("#1001 after the sweep: %s closed %v resolved %v", r.Status, r.ClosedAt, r.ResolvedAt)
	}
	if r := storagetest.Request(t, s, ws, 1002); r.Status != bot.StatusResolved {
		t.Fatalf("#1002 resolved yesterday is %s", r.Status)
	}
	if clock, _ := s.RequestSLAClock(ctx, r1.ID); clock.ClosedAt == nil || !clock.ClosedAt.Equal(at) {
		t.Fatalf("SLA resolution after the auto-close: %v; want %v", clock.ClosedAt, at)
	}
	list, total, err := s.ListRequests(ctx, ws, bot.RequestQuery{Resolved: true})
	if err != nil || total != 1 || len(list) != 1 || list[0].Number != 1002 {
		t.Fatalf("resolved list: %d %v", total, err)
	}
}
