package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Lease tells live job runners from dead ones, so that jobs a dead process
// left running are taken up again in seconds rather than after River's
// RescueAfter (80 s, plus up to 30 s for River's rescue round): a reply cut
// off by a crash used to come one and a half to two minutes after the
// restart.
//
// Each process names its River client with a lease id and holds a session
// advisory lock on it for its lifetime, on a connection of its own. Postgres
// drops the lock the moment that session ends — the process exited, was
// killed, or its host closed the socket — so a running job whose last runner
// holds no lock is a job nobody is working. Every few seconds each process
// looks for such jobs and makes them available again once their runner has
// been found dead for Grace (10 s), which gives a live process whose lock
// went with a Postgres restart time to take it again; the lock is looked at
// once more in the statement that rescues. A process never rescues its own
// jobs, and jobs run by clients without a lease (an older version during a
// rolling deploy) are left to River's own rescuer.
//
// A process that lost its lock and still runs (cut off from Postgres but not
// from Slack) would post beside the job's new runner: the deliverer posts
// only while Held, which turns false within about two rounds, before Grace.
//
// Session advisory locks need session pooling: behind a pooler in
// transaction mode the lock would not say whether its process lives, and the
// lease must not be used there.
type Lease struct {
	id  string
	db  *sql.DB
	log *slog.Logger

	// Grace is how long a runner must be found dead, pass after pass,
	// before its jobs are taken (DefaultLeaseGrace; tests shorten it).
	Grace time.Duration

	mu       sync.Mutex
	conn     *sql.Conn            // the session holding the lock
	suspects map[string]time.Time // runners found dead, since when
	// held says whether the last round found the lock held (Held).
	held atomic.Bool
}

const (
	leasePrefix = "mspbot-lease-"
	// leaseLockClass is the first key of every lease's advisory lock (the
	// second is hashtext of its id), keeping them apart from other advisory
	// locks (the migration lock takes a single bigint key).
	leaseLockClass = 0x6d73 // "ms"
	// LeaseEvery is how often a process checks its lock and looks for jobs
	// left by dead ones.
	LeaseEvery = 2 * time.Second
	// DefaultLeaseGrace is how long a runner must hold no lock before its
	// jobs are taken: a cut-off job runs again 10–12 s after its process
	// died. It covers a live process's way back to its lock after Postgres
	// restarted (one round, LeaseEvery, once the database answers), with
	// room for a slow round on either side.
	DefaultLeaseGrace = 10 * time.Second
	// leaseDials bounds the sessions tried for one that answers (the pool
	// keeps at most 20 idle).
	leaseDials = 64
)

// NewLease takes a lease with a new id (the host's name and random bytes)
// and holds it until Close.
func NewLease(ctx context.Context, db *sql.DB, log *slog.Logger) (*Lease, error) {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Lease{id: leaseID(host, b), db: db, log: log, Grace: DefaultLeaseGrace,
		suspects: map[string]time.Time{}}
	if err := l.hold(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// leaseID names a lease after its host (cut to 64 bytes: River keeps the
// client id as its leader's, which must be shorter than 128 characters,
// and a fully qualified host name may be 253) and random bytes.
func leaseID(host string, random []byte) string {
	if len(host) > 64 {
		host = host[:64]
	}
	return leasePrefix + host + "-" + hex.EncodeToString(random)
}

// Held reports whether the lease's last round found its lock held. A
// process that could not reach Postgres, or lost its lock, for a round stops
// seeing it held within about two rounds (4 s), well before others may take
// its jobs (Grace): a worker that checks it before an act others would
// repeat — a post — does not act beside its job's new runner.
func (l *Lease) Held() bool { return l.held.Load() }

// ID is the name this process's River client must run jobs under
// (Options.ID), so that its jobs are known by its lease.
func (l *Lease) ID() string { return l.id }

// hold makes sure this process's lock is held: a session that went away (a
// Postgres restart) is replaced and the lock taken again.
func (l *Lease) hold(ctx context.Context) (err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	defer func() { l.held.Store(err == nil) }()
	if l.conn != nil {
		if err := l.conn.PingContext(ctx); err == nil {
			return nil
		}
		l.conn.Close()
		l.conn = nil
	}
	// After a Postgres restart every idle session in the pool is dead, and
	// the pool hands them out without checking: taking one per round left
	// the lock away for a round per dead session (16 s with 8 of them),
	// long enough for other processes to take this one's jobs for
	// abandoned. Sessions that fail a ping are discarded until one answers.
	var lastErr error
	for range leaseDials {
		conn, err := l.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("lease: %w", err)
		}
		if err := conn.PingContext(ctx); err != nil {
			conn.Close()
			lastErr = err
			if ctx.Err() != nil {
				break
			}
			continue
		}
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, leaseLockClass, l.id).Scan(&got); err != nil {
			conn.Close()
			return fmt.Errorf("lease lock: %w", err)
		}
		if !got {
			conn.Close()
			return fmt.Errorf("lease %s: its lock is held by another session", l.id)
		}
		l.conn = conn
		return nil
	}
	return fmt.Errorf("lease: no session answered: %w", lastErr)
}

// Close gives the lease up. Stop the River client first: jobs it still ran
// would look abandoned to the other processes.
func (l *Lease) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil
	}
	l.held.Store(false)
	// The connection goes back to the pool, its session alive: the lock is
	// given up by hand.
	_, err := l.conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1, hashtext($2))`, leaseLockClass, l.id)
	l.conn.Close()
	l.conn = nil
	return err
}

// Run keeps the lease and rescues abandoned jobs every LeaseEvery until ctx
// ends. Each round has LeaseEvery to finish: a ping stuck on a half-open
// socket must not stop the lock from being taken again.
func (l *Lease) Run(ctx context.Context) {
	t := time.NewTicker(LeaseEvery)
	defer t.Stop()
	for {
		round, cancel := context.WithTimeout(ctx, LeaseEvery)
		if err := l.hold(round); err != nil {
			if ctx.Err() == nil {
				l.log.Warn("job lease", "err", err)
			}
		} else if n, err := l.Rescue(round); err != nil && ctx.Err() == nil {
			l.log.Warn("rescuing abandoned jobs", "err", err)
		} else if n > 0 {
			l.log.Info("rescued jobs whose process ended", "jobs", n)
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// lastRunner is the client that last fetched a river_job row.
const lastRunner = `attempted_by[array_upper(attempted_by, 1)]`

// runnerUnlocked holds when no session holds the lease lock of the row's
// last runner ($1: leaseLockClass). Both statements below use it: the look
// that finds dead runners, and the rescue that looks again.
const runnerUnlocked = `NOT EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = $1 AND l.objsubid = 2
      AND l.objid = hashtext(` + lastRunner + `)::oid)`

// deadRunners are the lease ids that last ran a job still marked running
// and hold no lock: their process has ended ($2: this process's own id).
const deadRunners = `
SELECT DISTINCT ` + lastRunner + `
FROM river_job
WHERE state = 'running'
  AND ` + lastRunner + ` LIKE '` + leasePrefix + `%'
  AND ` + lastRunner + ` <> $2
  AND ` + runnerUnlocked

// rescueJobs makes the running jobs of the runners in $2 available at once
// (or discards those out of attempts), noting the rescue as River's rescuer
// does: an error on the attempt and river:rescue_count. The lock is looked
// at again: a runner that took it back since the last look keeps its jobs.
const rescueJobs = `
UPDATE river_job SET
  state = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'available' END::river_job_state,
  finalized_at = CASE WHEN attempt >= max_attempts THEN now() END,
  scheduled_at = now(),
  errors = array_append(errors, jsonb_build_object('at', now(), 'attempt', attempt,
    'error', 'its process ended (lease ' || ` + lastRunner + ` || ' released): rescued', 'trace', '')),
  metadata = metadata || jsonb_build_object('river:rescue_count',
    coalesce(CASE WHEN jsonb_typeof(metadata -> 'river:rescue_count') = 'number'
      THEN (metadata ->> 'river:rescue_count')::int END, 0) + 1)
WHERE state = 'running' AND ` + lastRunner + ` = ANY($2)
  AND ` + runnerUnlocked

// Rescue makes available again the jobs of runners found dead on every
// pass for at least Grace, and returns how many it rescued. One goroutine
// (Run) calls it: the suspects are its own.
func (l *Lease) Rescue(ctx context.Context) (int, error) {
	rows, err := l.db.QueryContext(ctx, deadRunners, leaseLockClass, l.id)
	if err != nil {
		return 0, err
	}
	now := time.Now()
	dead := map[string]time.Time{}
	var due []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		since, seen := l.suspects[id]
		if !seen {
			since = now
		}
		dead[id] = since
		if now.Sub(since) >= l.Grace {
			due = append(due, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	l.suspects = dead
	if len(due) == 0 {
		return 0, nil
	}
	res, err := l.db.ExecContext(ctx, rescueJobs, leaseLockClass, pq.Array(due))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
