// Package jobstest helps tests that run River workers check "exactly once"
// without sleeping: wait until the jobs of interest are finished, stop the
// workers, then count what they did. A duplicate job row, or one still queued,
// keeps Drain waiting and fails the test instead of passing it by luck.
package jobstest

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/jobs"
)

// Stopper is a River client (jobs.Client): Stop waits for running jobs.
type Stopper interface {
	Stop(ctx context.Context) error
}

// Drain waits until every job of the given kinds is finished (completed,
// cancelled or discarded) and at least atLeast of them exist, then stops clients,
// so nothing runs while the test counts. It fails tb after timeout.
func Drain(tb testing.TB, db *sql.DB, timeout time.Duration, atLeast int, clients []Stopper, kinds ...string) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		var all, open int
		err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE state NOT IN ('completed', 'cancelled', 'discarded'))
			FROM river_job WHERE kind = ANY(string_to_array($1, ','))`, strings.Join(kinds, ",")).Scan(&all, &open)
		if err != nil {
			tb.Fatalf("jobstest: %v", err)
		}
		if all >= atLeast && open == 0 {
			break
		}
		if time.Now().After(deadline) {
			var errs string
			db.QueryRow(`SELECT coalesce(string_agg(errors::text, ' | '), '') FROM river_job WHERE kind = ANY(string_to_array($1, ','))`,
				strings.Join(kinds, ",")).Scan(&errs)
			tb.Fatalf("jobstest: %d %v jobs, %d unfinished after %v (want at least %d, all finished): %s", all, kinds, open, timeout, atLeast, errs)
		}
		<-tick.C
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range clients {
		if err := c.Stop(ctx); err != nil {
			tb.Fatalf("jobstest: stop: %v", err)
		}
	}
}

// Outbox gives db River's schema and returns an outbox that queues
// deliveries through an insert-only client: nothing is posted until a test
// starts a deliverer.
func Outbox(tb testing.TB, db *sql.DB) *jobs.Outbox {
	tb.Helper()
	if err := jobs.Migrate(context.Background(), db); err != nil {
		tb.Fatal(err)
	}
	inserter, err := jobs.New(db, nil, nil, jobs.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return jobs.NewOutbox(inserter, nil)
}
