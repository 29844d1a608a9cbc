package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	_ "github.com/lib/pq" // the bot's scratch database
)

// inboxWatch reads the bot's inbox from outside: how many stored deliveries
// its workers have handled, to set beside the acks.
type inboxWatch struct{ db *sql.DB }

func openInbox(dsn string) (*inboxWatch, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	return &inboxWatch{db: db}, nil
}

func (w *inboxWatch) Close() error { return w.db.Close() }

// counts returns the rows handled (done) and stored so far.
func (w *inboxWatch) counts(ctx context.Context) (done, total int, err error) {
	err = w.db.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE done_at IS NOT NULL), count(*) FROM inbox`).Scan(&done, &total)
	return done, total, err
}

// phase starts counting; each call of the function it returns describes the
// workers' throughput since the previous call and the backlog left.
func (w *inboxWatch) phase(ctx context.Context) func() string {
	prevDone, _, _ := w.counts(ctx)
	prev := time.Now()
	return func() string {
		done, total, err := w.counts(ctx)
		if err != nil {
			return "workers: " + err.Error()
		}
		el := time.Since(prev)
		line := fmt.Sprintf("workers: handled %7.0f/s during the phase; backlog %d stored, not yet handled",
			float64(done-prevDone)/el.Seconds(), total-done)
		prevDone, prev = done, time.Now()
		return line
	}
}

// drained waits for the bot's inbox to empty and reports how fast the stored
// commands became requests after the last phase, and how long that took.
func (w *inboxWatch) drained(ctx context.Context, out io.Writer, wait time.Duration) error {
	start := time.Now()
	first, pending := -1, 0
	for {
		done, total, err := w.counts(ctx)
		if err != nil {
			return err
		}
		pending = total - done
		if first < 0 {
			first = pending
		}
		if pending == 0 || time.Since(start) > wait || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond) // polling the backlog, not waiting for a fixed time
	}
	el := time.Since(start)
	var stored, requests int
	if err := w.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM inbox), (SELECT count(*) FROM requests)`).Scan(&stored, &requests); err != nil {
		return err
	}
	fmt.Fprintf(out, "\ninbox: %d stored, %d requests opened; %d pending after the last phase", stored, requests, first)
	if pending == 0 {
		fmt.Fprintf(out, ", all handled %.1f s later (%.0f/s)\n", el.Seconds(), float64(first)/el.Seconds())
	} else {
		fmt.Fprintf(out, ", %d still pending %.1f s later (%.0f/s handled)\n", pending, el.Seconds(), float64(first-pending)/el.Seconds())
	}
	return nil
}
