package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// openRecycled opens a pool of one session to dsn through recycledDriver.
func openRecycled(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	useRecycled()
	db, err := sql.Open(recycledDriver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func backendPID(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var pid int64
	if err := db.QueryRow(`SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	return pid
}

// A session a Store closed serves the next one on the same database with
// none of its state: settings, temporary tables, prepared statements and
// advisory locks are gone. The next claim of the database leaves it be; a
// session ended meanwhile (by another process's claim) is replaced.
func TestRecycledSessionStartsClean(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := NewMigratedDatabase(t)
	db := openRecycled(t, dsn)
	first := backendPID(t, db)
	exec(t, db, `SET work_mem = '7MB'`, `CREATE TEMP TABLE scratch (id int)`, `PREPARE p AS SELECT 1`, `SELECT pg_advisory_lock(4242)`)
	db.Close()

	reclaimMigrated(ctx, t, dsn)
	db = openRecycled(t, dsn)
	if pid := backendPID(t, db); pid != first {
		t.Errorf("session %d; want the parked session %d", pid, first)
	}
	checks := map[string]string{
		`SELECT count(*)::text FROM pg_settings WHERE source = 'session'`:                            "0",
		`SELECT count(*)::text FROM pg_class WHERE relname = 'scratch' AND relpersistence = 't'`:     "0",
		`SELECT count(*)::text FROM pg_prepared_statements`:                                          "0",
		`SELECT count(*)::text FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`: "0",
	}
	for q, want := range checks {
		if got := query(t, db, q); got != want {
			t.Errorf("%s = %q; want %q", q, got, want)
		}
	}

	// Ended from outside while parked: the next Store gets a new session.
	db.Close()
	exec(t, open(t, AdminURL()), `SELECT pg_terminate_backend(`+itoa(first)+`)`)
	db = openRecycled(t, dsn)
	if pid := backendPID(t, db); pid == first {
		t.Errorf("got the ended session %d back", pid)
	}
}

// A session closed inside a transaction is not parked: DISCARD ALL cannot
// reset it.
func TestSessionInTransactionIsNotParked(t *testing.T) {
	t.Parallel()
	dsn := NewMigratedDatabase(t)
	db := openRecycled(t, dsn)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first := int64(0)
	if err := conn.QueryRowContext(context.Background(), `SELECT pg_backend_pid()`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN`); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	db.Close()
	if n := len(parkedPIDs(dsn)); n != 0 {
		t.Errorf("%d sessions parked; want none", n)
	}
	if pid := backendPID(t, openRecycled(t, dsn)); pid == first {
		t.Errorf("got the session left in a transaction back")
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
