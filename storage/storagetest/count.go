package storagetest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/mspbot/mspbot/storage"
)

// Statements counts the round trips a Store opened by NewCounted makes to
// Postgres: every query, exec and prepare, and each BEGIN, COMMIT and
// ROLLBACK. Benchmarks divide it by the work done (statements per request);
// nothing is mocked, every statement still runs on the real server.
type Statements struct {
	n  atomic.Int64
	mu sync.Mutex
	by map[string]*StatementTime
}

// StatementTime is how often one statement ran and how long it took in all
// (from the client: the round trip, waiting for locks and the disk included).
type StatementTime struct {
	Query string
	Count int64
	Total time.Duration
}

// Load returns the count so far.
func (s *Statements) Load() int64 { return s.n.Load() }

// Slowest returns the n statements that took longest in all, slowest first.
func (s *Statements) Slowest(n int) []StatementTime {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StatementTime, 0, len(s.by))
	for _, t := range s.by {
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Total > out[j].Total })
	return out[:min(n, len(out))]
}

func (s *Statements) record(query string, start time.Time) {
	d := time.Since(start)
	q := strings.Join(strings.Fields(query), " ")
	if len(q) > 90 {
		q = q[:90]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.by == nil {
		s.by = map[string]*StatementTime{}
	}
	t := s.by[q]
	if t == nil {
		t = &StatementTime{Query: q}
		s.by[q] = t
	}
	t.Count++
	t.Total += d
}

const countedDriver = "postgres-counted"

var (
	registerCounted sync.Once
	// counters maps a DSN to its counter: database/sql hands the driver only
	// the DSN, and each test database has its own.
	counters sync.Map
)

// NewCounted is New whose Store counts its statements. River or anything
// else given s.DB() is counted too. durable makes commits wait for the disk
// as in production (test databases otherwise do not: see pool.recreate), for
// benchmarks whose figures depend on it.
func NewCounted(tb testing.TB, durable bool) (*storage.Store, *Statements) {
	tb.Helper()
	registerCounted.Do(func() {
		sql.Register(countedDriver, countingDriver{})
		sqlx.BindDriver(countedDriver, sqlx.DOLLAR)
	})
	dsn := NewMigratedDatabase(tb)
	if durable {
		durableCommits(tb, dsn)
	}
	st := &Statements{}
	counters.Store(dsn, st)
	tb.Cleanup(func() { counters.Delete(dsn) })
	s, err := storage.OpenDriver(context.Background(), countedDriver, dsn)
	if err != nil {
		tb.Fatalf("storagetest: open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, st
}

type countingDriver struct{}

func (countingDriver) Open(dsn string) (driver.Conn, error) {
	c, err := pq.Driver{}.Open(dsn)
	if err != nil {
		return nil, err
	}
	st, _ := counters.Load(dsn)
	n, _ := st.(*Statements)
	if n == nil {
		n = &Statements{}
	}
	return &countingConn{Conn: c, n: n}, nil
}

// countingConn forwards to lib/pq's connection, which implements every
// optional interface used here.
type countingConn struct {
	driver.Conn
	n *Statements
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.n.Add(1)
	defer c.n.record(q, time.Now())
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.n.n.Add(1)
	defer c.n.record(q, time.Now())
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	c.n.n.Add(1)
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	return countingStmt{Stmt: st, q: q, n: c.n}, nil
}

// countingStmt counts each run of a prepared statement (storage keeps
// statements prepared: each run is one round trip).
type countingStmt struct {
	driver.Stmt
	q string
	n *Statements
}

func (s countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.n.Add(1)
	defer s.n.record(s.q, time.Now())
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.n.Add(1)
	defer s.n.record(s.q, time.Now())
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.n.n.Add(1)
	defer c.n.record("BEGIN", time.Now())
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return countingTx{Tx: tx, n: c.n}, nil
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

func (c *countingConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *countingConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *countingConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

type countingTx struct {
	driver.Tx
	n *Statements
}

func (t countingTx) Commit() error {
	t.n.n.Add(1)
	defer t.n.record("COMMIT", time.Now())
	return t.Tx.Commit()
}

func (t countingTx) Rollback() error {
	t.n.n.Add(1)
	defer t.n.record("ROLLBACK", time.Now())
	return t.Tx.Rollback()
}

// durableCommits undoes synchronous_commit = off for the database at dsn (new sessions)
// until tb ends: pooled databases are reused by later tests.
func durableCommits(tb testing.TB, dsn string) {
	tb.Helper()
	set := func(mode string) error {
		db, err := sql.Open("postgres", dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = ` + mode + `', current_database()); END $$`)
		return err
	}
	if err := set("on"); err != nil {
		tb.Fatalf("storagetest: %v", err)
	}
	tb.Cleanup(func() {
		if err := set("off"); err != nil {
			tb.Logf("storagetest: %v", err)
		}
	})
}
