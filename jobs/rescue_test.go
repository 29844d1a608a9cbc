package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// Two deliver jobs were running when their process died: one had not posted
// yet, the other had posted (and recorded it) but River never heard. A new
// process rescues both within RescueAfter plus River's 30 s rescue round:
// the first is posted once, the second is not posted again.
func TestDeliveriesCutOffByACrashResumeWithoutDuplicates(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("waits for River's rescuer round (up to 30 s)")
	}
	store := queuedDeliveries(t, "k/cut-off", "k/posted")
	db := store.DB()
	ctx := context.Background()
	// The dead process's state: both running since two minutes ago, one posted.
	if _, err := db.Exec(`UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '2 minutes', attempted_by = ARRAY['dead-process']`); err != nil {
		t.Fatal(err)
	}
	if err := store.MarkDelivered(ctx, "k/posted", "ts-before"); err != nil {
		t.Fatal(err)
	}

	sender := &fakeSender{}
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformSlack: sender}, Store: store, RetryBase: 10 * time.Millisecond}
	c, err := jobs.NewDeliverer(db, w, nil, jobs.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	deadline := start.Add(2 * time.Minute)
	for {
		var done int
		if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'deliver' AND state = 'completed'`).Scan(&done); err != nil {
			t.Fatal(err)
		}
		if done == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 2 rescued deliveries completed after 2 minutes", done)
		}
		time.Sleep(50 * time.Millisecond) // polling the job table for the condition
	}
	if n := sender.count(); n != 1 {
		t.Fatalf("%d posts; want 1 (the cut-off one; the recorded one not again)", n)
	}
	if _, ok, err := store.Delivered(ctx, "k/cut-off"); err != nil || !ok {
		t.Fatalf("cut-off delivery not recorded: %v %v", ok, err)
	}
	t.Logf("rescued and delivered %v after the restart", time.Since(start))
}

// queuedDeliveries is a database with River's schema and one queued
// delivery (a deliver job) to Slack's C1 for each key.
func queuedDeliveries(t *testing.T, keys ...string) *storage.Store {
	t.Helper()
	store := storagetest.New(t)
	ctx := context.Background()
	ob := jobstest.Outbox(t, store.DB())
	to := bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	for _, key := range keys {
		if err := ob.Enqueue(ctx, bot.Delivery{Key: key, To: to, Messages: []bot.Message{{Text: key}}}); err != nil {
			t.Fatal(err)
		}
	}
	return store
}
