package jobs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestCollectedPostsWaitForTheFlush: posts queued through a collecting
// context are not in the queue until flush, which queues them all (a key
// already queued once); after the flush, the same context queues at once.
func TestCollectedPostsWaitForTheFlush(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	db := store.DB()
	ctx := context.Background()
	c, err := jobs.NewDeliverer(db, &jobs.DeliverWorker{Store: store}, nil, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ob := jobs.NewOutbox(c, nil)
	queued := func() (n int) {
		t.Helper()
		if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'deliver'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	to := bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	if err := ob.Enqueue(ctx, bot.Delivery{Key: "k/1", To: to, Messages: []bot.Message{{Text: "one"}}}); err != nil {
		t.Fatal(err)
	}
	cctx, flush := ob.Collect(ctx)
	for i := 1; i <= 3; i++ { // k/1 again: a row handled a second time
		if err := ob.Enqueue(cctx, bot.Delivery{Key: fmt.Sprintf("k/%d", i), To: to, Messages: []bot.Message{{Text: "x"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := queued(); n != 1 {
		t.Fatalf("%d jobs before the flush; want only the one queued directly", n)
	}
	if err := flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := queued(); n != 3 {
		t.Fatalf("%d jobs after the flush; want k/1..k/3 once each", n)
	}
	if err := ob.Enqueue(cctx, bot.Delivery{Key: "k/late", To: to, Messages: []bot.Message{{Text: "late"}}}); err != nil {
		t.Fatal(err)
	}
	if n := queued(); n != 4 {
		t.Fatalf("a post queued after the flush is not in the queue (%d jobs)", n)
	}
	if err := flush(ctx); err != nil || queued() != 4 {
		t.Fatalf("a second flush: %v, %d jobs", err, queued())
	}
}
