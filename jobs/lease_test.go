package jobs_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// A job left running by a process whose lease ended is made available again
// once its runner has been found dead for the lease's grace (passes before
// that only suspect it), while a live process's jobs and those run without a
// lease are left alone; a job out of attempts is discarded instead.
func TestLeaseRescuesTheJobsOfAProcessThatEnded(t *testing.T) {
	t.Parallel()
	db := queuedDeliveries(t, "k/dead", "k/dead-last-attempt", "k/no-lease").DB()
	ctx := context.Background()
	dying, err := jobs.NewLease(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	live, err := jobs.NewLease(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	live.Grace = 300 * time.Millisecond
	if !live.Held() {
		t.Fatal("a new lease does not say it is held")
	}
	if dying.ID() == live.ID() {
		t.Fatalf("two leases share the id %s", live.ID())
	}
	// The state a process leaves behind: its jobs running, attempted by it.
	if _, err := db.Exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(),
		attempted_by = ARRAY['an-earlier-runner', CASE WHEN args->>'key' = 'k/no-lease' THEN 'river-client-without-lease' ELSE $1 END],
		max_attempts = CASE WHEN args->>'key' = 'k/dead-last-attempt' THEN 1 ELSE 10 END`, dying.ID()); err != nil {
		t.Fatal(err)
	}
	state := func(key string) (state string, errs, rescues int) {
		t.Helper()
		if err := db.QueryRow(`SELECT state, coalesce(array_length(errors, 1), 0), coalesce((metadata->>'river:rescue_count')::int, 0)
			FROM river_job WHERE args->>'key' = $1`, key).Scan(&state, &errs, &rescues); err != nil {
			t.Fatal(err)
		}
		return state, errs, rescues
	}
	rescue := func(want int) {
		t.Helper()
		n, err := live.Rescue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("rescued %d jobs; want %d", n, want)
		}
	}

	rescue(0)
	rescue(0) // its process lives: never rescued, however many passes
	// Its process dies: Postgres ends the session holding its lock, as it
	// does when the process's connections close.
	var ended bool
	if err := db.QueryRow(`SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objid = hashtext($1)::oid AND objsubid = 2`, dying.ID()).Scan(&ended); err != nil || !ended {
		t.Fatalf("ending the dying lease's session: %v %v", ended, err)
	}
	for held(t, db, dying.ID()) {
		time.Sleep(5 * time.Millisecond) // the session ends a moment after it is told to
	}
	suspected := time.Now() // no later than the pass below finds it dead
	rescue(0)               // first seen dead: only suspected
	for {
		n, err := live.Rescue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			if n != 2 || time.Since(suspected) < live.Grace {
				t.Fatalf("rescued %d jobs %v after the first suspicion; want 2, after the grace %v", n, time.Since(suspected), live.Grace)
			}
			break
		}
		if time.Since(suspected) > 10*live.Grace {
			t.Fatalf("nothing rescued %v after the runner was found dead", time.Since(suspected))
		}
		time.Sleep(20 * time.Millisecond) // passes, until the grace has run out
	}
	if s, errs, rescues := state("k/dead"); s != "available" || errs != 1 || rescues != 1 {
		t.Fatalf("abandoned job: %s, %d errors, rescue count %d; want available, 1, 1", s, errs, rescues)
	}
	if s, _, _ := state("k/dead-last-attempt"); s != "discarded" {
		t.Fatalf("abandoned job out of attempts: %s; want discarded", s)
	}
	if s, _, _ := state("k/no-lease"); s != "running" {
		t.Fatalf("a job run without a lease: %s; want it left running for River's own rescuer", s)
	}
	rescue(0)

	// A lease given up on stopping is as good as dead to the others.
	if err := live.Close(); err != nil {
		t.Fatal(err)
	}
	if held(t, db, live.ID()) || live.Held() {
		t.Fatalf("a closed lease still holds its lock (or says so: %v)", live.Held())
	}
}

// held reports whether some session holds the lock of the lease id.
func held(t *testing.T, db *sql.DB, id string) bool {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND objid = hashtext($1)::oid AND objsubid = 2`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// Postgres restarts under a live process: every session of its pool dies,
// the lock's and the idle ones alike. The process takes its lock back on its
// next round — not one dead session per round — and another process, which
// sees the runner without a lock meanwhile, only suspects it: the live
// process's running job is left alone.
func TestLeaseIsTakenBackAfterARestartBeforeOthersRescue(t *testing.T) {
	t.Parallel()
	dsn := storagetest.NewMigratedDatabase(t)
	open := func(app string) *sql.DB {
		t.Helper()
		db, err := sql.Open("postgres", dsn+"&application_name="+app)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxIdleConns(20) // as the bot's pool keeps them
		t.Cleanup(func() { db.Close() })
		return db
	}
	alive, other := open("lease-alive"), open("lease-other")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := jobs.NewLease(ctx, alive, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := jobs.NewLease(ctx, other, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := jobstest.Outbox(t, other).Enqueue(ctx, bot.Delivery{Key: "k/live",
		To: bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}, Messages: []bot.Message{{Text: "x"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(`UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now(), attempted_by = ARRAY[$1]`, a.ID()); err != nil {
		t.Fatal(err)
	}
	// Eight idle sessions in the live process's pool, beside its lock's.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := alive.Exec(`SELECT pg_sleep(0.05)`); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()

	var ended int
	if err := other.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'lease-alive'`).Scan(&ended); err != nil || ended < 9 {
		t.Fatalf("ended %d of the live process's sessions (%v); want its lock's and 8 idle ones", ended, err)
	}
	for held(t, other, a.ID()) {
		time.Sleep(5 * time.Millisecond) // the sessions end a moment after they are told to
	}
	lost := time.Now()
	for !held(t, other, a.ID()) {
		if n, err := b.Rescue(ctx); err != nil || n != 0 {
			t.Fatalf("another process rescued %d jobs of a live one (%v)", n, err)
		}
		if time.Since(lost) > 3*jobs.LeaseEvery {
			t.Fatalf("the live process's lock is not back %v after the restart", time.Since(lost))
		}
		time.Sleep(20 * time.Millisecond) // polling for the lock
	}
	if n, err := b.Rescue(ctx); err != nil || n != 0 {
		t.Fatalf("another process rescued %d jobs of a live one (%v)", n, err)
	}
	t.Logf("lock back %v after the restart", time.Since(lost).Round(time.Millisecond))
	for !a.Held() {
		if time.Since(lost) > 3*jobs.LeaseEvery {
			t.Fatal("the lock is back but the lease does not say it is held")
		}
		time.Sleep(5 * time.Millisecond) // the round that took it back is ending
	}
	cancel()
	<-done
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}
