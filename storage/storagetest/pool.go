package storagetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
)

// Test databases are reused rather than created and dropped per test: copying
// a template (through the WAL) and dropping the copy took 0.2–0.7 s each while
// other test runs wrote to the same disk, and most tests need well under that.
// A pool's databases are named <prefix>_<slot>. A test owns a slot while its
// process holds the slot's advisory lock, so test processes running side by
// side (`go test ./...`, other checkouts) never share one, and a process that
// dies frees its slots with its connection. The owner empties the database on
// taking it (see pool.reset), so what a crashed or failed test left behind is
// gone too; a database that cannot be emptied in place is copied afresh.

// maxSlots bounds how many databases one pool may have.
const maxSlots = 64

// A pool is a family of interchangeable test databases.
type pool struct {
	// prefix names the pool's databases and keys its slots' locks.
	prefix string
	// template is what a database is copied from; "" is the server's default
	// (template1), for empty databases.
	template string
	// reset empties database name of the pool in place through conn, a
	// session of it, and reports false when it cannot (a changed schema): the
	// database is then copied afresh.
	reset func(ctx context.Context, conn *sql.Conn, name string) (bool, error)
}

// shared is what a test process keeps between claims: opening sessions cost
// more server CPU than the queries a claim runs (each new backend reloads the
// catalog caches), so there is one admin session holding every slot lock of
// the process, and one session per pooled database it has used.
var shared struct {
	mu    sync.Mutex
	admin *sql.DB
	locks *sql.Conn          // the admin session holding this process's slot locks
	held  map[slotID]bool    // slots this process owns: advisory locks are re-entrant
	conns map[string]*sql.DB // pooled database name -> one session to it
}

type slotID struct{ key, slot int32 }

// adminDB returns the process's admin connection pool, opening it and the
// lock session on first use. Called with shared.mu held.
func adminDB(ctx context.Context) (*sql.DB, error) {
	if shared.admin != nil {
		return shared.admin, nil
	}
	db, err := sql.Open("postgres", AdminURL())
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(2)
	locks, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	shared.admin, shared.locks = db, locks
	shared.held = map[slotID]bool{}
	shared.conns = map[string]*sql.DB{}
	return db, nil
}

// claim returns the URL of a database of p, empty, that tb owns until it ends.
func (p pool) claim(ctx context.Context, tb testing.TB) string {
	tb.Helper()
	id, err := lockSlot(ctx, slotKey(p.prefix))
	if err != nil {
		tb.Fatalf("storagetest: claim a database (is Postgres running on 127.0.0.1:5432? see README): %v", err)
	}
	// Released after the test's later cleanups (closing its Store), as
	// cleanups run last-in first-out.
	tb.Cleanup(func() { unlockSlot(id) })
	name := fmt.Sprintf("%s_%d", p.prefix, id.slot)
	if err := p.prepare(ctx, name); err != nil {
		tb.Fatalf("storagetest: database %s: %v", name, err)
	}
	return urlFor(name)
}

// lockSlot takes the lowest free slot under key, in one round trip.
func lockSlot(ctx context.Context, key int32) (slotID, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if _, err := adminDB(ctx); err != nil {
		return slotID{}, err
	}
	free := make([]int64, 0, maxSlots)
	for s := int32(0); s < maxSlots; s++ {
		if !shared.held[slotID{key, s}] {
			free = append(free, int64(s))
		}
	}
	// unnest yields the slots in order and the filter runs row by row, so
	// LIMIT stops at the first lock taken and no other is touched.
	var slot int32
	err := shared.locks.QueryRowContext(ctx, `SELECT s FROM unnest($2::int[]) s WHERE pg_try_advisory_lock($1, s) LIMIT 1`,
		key, pq.Array(free)).Scan(&slot)
	if err == sql.ErrNoRows {
		return slotID{}, fmt.Errorf("all %d pooled test databases are in use", maxSlots)
	}
	if err != nil {
		return slotID{}, err
	}
	id := slotID{key, slot}
	shared.held[id] = true
	return id, nil
}

func unlockSlot(id slotID) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Should the unlock fail, the slot stays locked until the process ends:
	// wasteful, never shared.
	if _, err := shared.locks.ExecContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, id.key, id.slot); err == nil {
		delete(shared.held, id)
	}
}

// slotKey is the first half of the advisory lock key of a pool's slots (the
// second is the slot number): derived from the pool's prefix, so each pool
// has slots of its own.
func slotKey(prefix string) int32 {
	h := fnv.New32a()
	h.Write([]byte(prefix))
	return int32(h.Sum32())
}

// session returns this process's connection pool (of one) to database name.
func session(name string) (*sql.DB, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if db := shared.conns[name]; db != nil {
		return db, nil
	}
	db, err := sql.Open("postgres", urlFor(name))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	shared.conns[name] = db
	return db, nil
}

// forget closes this process's session to database name.
func forget(name string) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if db := shared.conns[name]; db != nil {
		db.Close()
		delete(shared.conns, name)
	}
}

// prepare makes database name of p empty: emptied in place when it can be,
// otherwise (missing, changed schema, a failed reset) copied afresh.
func (p pool) prepare(ctx context.Context, name string) error {
	ok, resetErr := p.resetIn(ctx, name)
	if ok {
		return nil
	}
	if err := p.recreate(ctx, name); err != nil {
		return fmt.Errorf("%w (after reset: %v)", err, resetErr)
	}
	return nil
}

// resetIn runs p.reset in database name, retrying once on a new session: the
// one kept from an earlier claim may have been ended by another process that
// owned the slot since (see terminateOthers).
func (p pool) resetIn(ctx context.Context, name string) (bool, error) {
	var err error
	for range 2 {
		var db *sql.DB
		if db, err = session(name); err != nil {
			return false, err
		}
		var conn *sql.Conn
		if conn, err = db.Conn(ctx); err == nil {
			var ok bool
			ok, err = p.reset(ctx, conn, name)
			conn.Close()
			if err == nil {
				return ok, nil
			}
		}
		forget(name)
		if e := (*pq.Error)(nil); errors.As(err, &e) && e.Code == "3D000" {
			return false, err // no such database yet
		}
	}
	return false, err
}

// recreate copies database name afresh from p's template.
func (p pool) recreate(ctx context.Context, name string) error {
	forget(name)
	shared.mu.Lock()
	admin, err := adminDB(ctx)
	shared.mu.Unlock()
	if err != nil {
		return err
	}
	create := `CREATE DATABASE ` + name
	if p.template != "" {
		create += ` TEMPLATE ` + p.template
	}
	for _, stmt := range []string{`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`, create,
		// Commits return without waiting for the WAL to reach disk: a test
		// database never outlives a crash, and tests commit often.
		`ALTER DATABASE ` + name + ` SET synchronous_commit = off`} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// terminateOthers ends the other sessions of the current database:
// connections a finished test left open (a leaked pool, a killed child
// process) must not write into the next test's data.
const terminateOthers = `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE datname = current_database() AND pid <> pg_backend_pid()`

// dropPools drops the pooled databases whose names start with prefix_ (the
// copies of a template gone stale).
func dropPools(ctx context.Context, conn *sql.Conn, prefix string) {
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix+"_")
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
	}
}
