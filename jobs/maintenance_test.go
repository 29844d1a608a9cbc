package jobs_test

import (
	"context"
	"log/slog"
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
	periodic := jobs.RegisterMaintenance(workers, store, bot.SystemClock{}, nil)
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
