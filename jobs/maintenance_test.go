package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// The periodic maintenance job runs when the leader starts and forgets
// delivery claims older than a day, keeping the recent ones.
func TestPruneEventsRunsAsPeriodicJob(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	db := store.DB()
	ctx := context.Background()
	for _, id := range []string{"old1", "old2", "fresh"} {
		if ok, err := store.ClaimEvent(ctx, bot.PlatformSlack, "T1", id); err != nil || !ok {
			t.Fatalf("claim %s: %v %v", id, ok, err)
		}
	}
	if _, err := db.Exec(`UPDATE platform_events SET received_at = now() - interval '25 hours' WHERE event_id LIKE 'old%'`); err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	periodic := jobs.RegisterMaintenance(workers, store, nil, bot.SystemClock{}, nil)
	c, err := jobs.New(db, workers, slog.New(slog.DiscardHandler), jobs.Options{PollInterval: 50 * time.Millisecond,
		PeriodicJobs: periodic, ID: "maint"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	jobstest.Drain(t, db, 20*time.Second, 1, []jobstest.Stopper{c}, "maintenance_prune_events")
	var left []string
	rows, err := db.Query(`SELECT event_id FROM platform_events ORDER BY event_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		rows.Scan(&id)
		left = append(left, id)
	}
	if len(left) != 1 || left[0] != "fresh" {
		t.Fatalf("events left %v; want [fresh]", left)
	}
	var state string
	if err := db.QueryRow(`SELECT state FROM river_job WHERE kind = 'maintenance_prune_events'`).Scan(&state); err != nil || state != "completed" {
		t.Fatalf("maintenance job %q (%v)", state, err)
	}
}

// A request resolved more than bot.ResolvedClosesAfter ago closes when the
// maintenance jobs run; one resolved yesterday waits for its requester.
func TestResolvedRequestsCloseOnTheirOwn(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	db := store.DB()
	ctx := context.Background()
	ws := storagetest.Workspace(t, store, bot.PlatformConsole, "console")
	dana := storagetest.Member(t, store, ws, "dana", bot.RoleTech, "", time.Now())
	for i, ago := range []time.Duration{bot.ResolvedClosesAfter + time.Hour, 24 * time.Hour} {
		if _, _, err := store.CreateRequest(ctx, bot.Request{WorkspaceID: ws, Title: "t", Body: "t", Kind: "support",
			Type: "incident", Reasons: []string{}, OpenedBy: dana.ID, SourcePlatform: bot.PlatformConsole}); err != nil {
			t.Fatal(err)
		}
		if _, err := store.ResolveRequest(ctx, ws, int64(1001+i), dana.ID, "done", time.Now().Add(-ago), ""); err != nil {
			t.Fatal(err)
		}
	}
	workers := river.NewWorkers()
	told := &storagetest.Recorder{}
	periodic := jobs.RegisterMaintenance(workers, store, bot.Senders{bot.PlatformConsole: told}, bot.SystemClock{}, nil)
	c, err := jobs.New(db, workers, slog.New(slog.DiscardHandler), jobs.Options{PollInterval: 50 * time.Millisecond,
		PeriodicJobs: periodic, ID: "autoclose"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	jobstest.Drain(t, db, 20*time.Second, 1, []jobstest.Stopper{c}, jobs.CloseResolvedArgs{}.Kind())
	if r := storagetest.Request(t, store, ws, 1001); r.Status != bot.StatusClosed {
		t.Fatalf("#1001 resolved %v ago is %s", bot.ResolvedClosesAfter+time.Hour, r.Status)
	}
	if r := storagetest.Request(t, store, ws, 1002); r.Status != bot.StatusResolved {
		t.Fatalf("#1002 resolved yesterday is %s", r.Status)
	}
	if dm := told.To("dana", "#1001"); len(dm) != 1 || !strings.Contains(dm[0].Text, "Your request #1001 is now closed") {
		t.Fatalf("the requester should be told #1001 closed: %+v", dm)
	}
	if dm := told.To("dana", "#1002"); len(dm) != 0 {
		t.Fatalf("#1002 is not closed, yet: %+v", dm)
	}
}
