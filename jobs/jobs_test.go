package jobs_test

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

type pingArgs struct {
	Key string `json:"key"`
}

func (pingArgs) Kind() string { return "test_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	worked *atomic.Int32
}

func (w *pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	w.worked.Add(1)
	return nil
}

func TestUniqueJobRunsOnceAcrossClients(t *testing.T) {
	t.Parallel()
	// An empty database: River's own migrations are what this part tests.
	db, err := sql.Open("postgres", storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	// Two instances migrating at the same moment must not race.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func(i int) { defer wg.Done(); errs[i] = jobs.Migrate(ctx, db) }(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}

	var worked atomic.Int32
	clients := make([]*jobs.Client, 3)
	for i := range clients {
		workers := river.NewWorkers()
		river.AddWorker(workers, &pingWorker{worked: &worked})
		c, err := jobs.New(db, workers, slog.New(slog.DiscardHandler), jobs.Options{PollInterval: 50 * time.Millisecond, ID: string(rune('a' + i))})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer c.Stop(ctx)
		clients[i] = c
	}
	// Every instance tries to enqueue the same period's job: one wins.
	inserted := 0
	for _, c := range clients {
		res, err := c.Insert(ctx, pingArgs{Key: "project-7/2026-W48"}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
		if err != nil {
			t.Fatal(err)
		}
		if !res.UniqueSkippedAsDuplicate {
			inserted++
		}
	}
	if inserted != 1 {
		t.Fatalf("%d inserts of the same unique job; want 1", inserted)
	}
	// Wait for the job to finish, stop every instance, then count: a second
	// row would keep Drain waiting, a second run would show in worked.
	stoppers := make([]jobstest.Stopper, len(clients))
	for i, c := range clients {
		stoppers[i] = c
	}
	jobstest.Drain(t, db, 10*time.Second, 1, stoppers, "test_ping")
	if n := worked.Load(); n != 1 {
		t.Fatalf("job worked %d times; want 1", n)
	}
	var count int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = 'test_ping'`).Scan(&count); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	if count != 1 {
		t.Fatalf("%d job rows; want 1", count)
	}
}
