// Package jobs runs mspbot's scheduled and deferred work (weekly updates, nudges,
// digests, SLA checks, outbound retries) as jobs in PostgreSQL with River, so
// several bot instances share the work safely and nothing is lost on restart.
// Exactly-once per period comes from River's unique jobs (ByArgs + ByPeriod or a
// period key in the args) plus a unique key on the row the job writes.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

// migrateLockKey is the advisory lock taken around River's migrations, which take
// no lock of their own: two instances starting together wait for each other.
const migrateLockKey = 0x6d7370626f74 // "mspbot"

// Migrate applies River's own schema migrations under an advisory lock.
func Migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("jobs migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("jobs migrate lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, migrateLockKey)
	m, err := rivermigrate.New(riverdatabasesql.New(db), nil)
	if err != nil {
		return fmt.Errorf("jobs migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs migrate: %w", err)
	}
	return nil
}

// Client is River's client over database/sql.
type Client = river.Client[*sql.Tx]

// Options tune a Queue. Zero values are production defaults.
type Options struct {
	// PollInterval is how often workers look for new jobs. Without LISTEN/NOTIFY
	// (database/sql has none) River polls; one second keeps jobs prompt.
	PollInterval time.Duration
	// PeriodicJobs are enqueued by the elected leader on their schedules.
	PeriodicJobs []*river.PeriodicJob
	// Workers is the number of jobs worked at once.
	Workers int
	// ID names this instance in River's leader election (tests run several).
	ID string
	// RescueAfter is how long a job may stay running before River takes it
	// for stuck — its process died — and runs it again (default
	// DefaultRescueAfter, so a delivery cut off by a crash resumes within two
	// minutes of it, with River's rescuer looking every 30 s). It must be
	// longer than MaxJobTimeout (register.go).
	RescueAfter time.Duration
	// Queues are the queues this client works (default: River's default
	// queue). A client only works the queues it lists, so two clients in one
	// process with different workers must work different queues.
	Queues []string
}

// New makes a client whose workers are those registered in workers. A nil
// workers makes an insert-only client.
func New(db *sql.DB, workers *river.Workers, log *slog.Logger, opts Options) (*Client, error) {
	if opts.PollInterval == 0 {
		opts.PollInterval = time.Second
	}
	if opts.Workers == 0 {
		opts.Workers = 10
	}
	if opts.RescueAfter == 0 {
		opts.RescueAfter = DefaultRescueAfter
	}
	if opts.RescueAfter <= MaxJobTimeout {
		// A slow job still running would be taken for a stuck one and run twice.
		return nil, fmt.Errorf("jobs client: RescueAfter %v must be longer than the longest job (%v)", opts.RescueAfter, MaxJobTimeout)
	}
	cfg := &river.Config{
		Logger:                      log,
		FetchPollInterval:           opts.PollInterval,
		FetchCooldown:               min(opts.PollInterval, 100*time.Millisecond),
		PeriodicJobs:                opts.PeriodicJobs,
		ID:                          opts.ID,
		MaxAttempts:                 10,
		CompletedJobRetentionPeriod: 7 * 24 * time.Hour,
		// River's default is an hour: replies cut off by a crash waited that long.
		RescueStuckJobsAfter: opts.RescueAfter,
		// Workers that set no Timeout get this one; AddWorker keeps the others
		// within it. Every job is cancelled before it could be rescued.
		JobTimeout: MaxJobTimeout,
	}
	if workers != nil {
		cfg.Workers = workers
		if len(opts.Queues) == 0 {
			opts.Queues = []string{river.QueueDefault}
		}
		cfg.Queues = map[string]river.QueueConfig{}
		for _, q := range opts.Queues {
			cfg.Queues[q] = river.QueueConfig{MaxWorkers: opts.Workers}
		}
	}
	c, err := river.NewClient(riverdatabasesql.New(db), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs client: %w", err)
	}
	return c, nil
}
