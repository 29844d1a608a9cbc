package jobs_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// A job left running by a process whose lease ended is made available again
// on the second pass that finds it so (the first only suspects it), while
// a live process's jobs and those run without a lease are left alone; a job
// out of attempts is discarded instead.
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
	rescue(0) // first seen dead: only suspected
	rescue(2)
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
	if held(t, db, live.ID()) {
		t.Fatal("a closed lease still holds its lock")
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

// A lease whose session went away (Postgres restarted, the connection cut)
// takes its lock again on its next round: until then other processes only
// suspect its jobs, and a suspect must be found dead twice.
func TestLeaseTakesItsLockAgainAfterItsSessionEnded(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	db := store.DB()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	l, err := jobs.NewLease(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); l.Run(ctx) }()
	if _, err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND objid = hashtext($1)::oid AND objsubid = 2`, l.ID()); err != nil {
		t.Fatal(err)
	}
	for held(t, db, l.ID()) {
		time.Sleep(5 * time.Millisecond) // the session ends a moment after it is told to
	}
	deadline := time.Now().Add(3 * jobs.LeaseEvery)
	for !held(t, db, l.ID()) {
		if time.Now().After(deadline) {
			t.Fatalf("the lease's lock was not taken again within %v", 3*jobs.LeaseEvery)
		}
		time.Sleep(20 * time.Millisecond) // polling for the lock
	}
	cancel()
	<-done
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}
