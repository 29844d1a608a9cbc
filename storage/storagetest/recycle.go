package storagetest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// A Store from New talks to Postgres through recycledDriver: lib/pq, except
// that a connection its Store closes is reset to a new session's state
// (DISCARD ALL) and kept for the next test of this process on the same
// database. A new session cost the server about 4 ms of CPU here (a backend
// forked, its catalog caches filled again), more than claiming the database
// and emptying it; a test needs one or more, and a run opened hundreds.
const recycledDriver = "postgres-recycled"

// Parked sessions are bounded so that idle ones do not crowd the server's
// connection limit (100, shared with other test processes); a test that
// opens more than that gets new ones, as before.
const (
	maxParkedPerDB = 6
	maxParked      = 16
)

var (
	registerRecycled sync.Once
	parked           struct {
		mu sync.Mutex
		n  int
		by map[string][]*recycledConn // DSN -> idle sessions, reset
	}
)

func useRecycled() {
	registerRecycled.Do(func() {
		sql.Register(recycledDriver, recycler{})
		sqlx.BindDriver(recycledDriver, sqlx.DOLLAR)
	})
}

type recycler struct{}

func (recycler) Open(dsn string) (driver.Conn, error) {
	for {
		c := unpark(dsn)
		if c == nil {
			break
		}
		// Another process that owned the database since ended it (see
		// terminateOthers): a session that does not answer is dropped.
		if c.Conn.(driver.Pinger).Ping(context.Background()) == nil {
			return c, nil
		}
		c.Conn.Close()
	}
	c, err := pq.Driver{}.Open(dsn)
	if e := (*pq.Error)(nil); errors.As(err, &e) && e.Code == "53300" && closeParked() > 0 {
		// The server is at its connection limit: the sessions parked for
		// other databases make room.
		c, err = pq.Driver{}.Open(dsn)
	}
	if err != nil {
		return nil, err
	}
	return &recycledConn{Conn: c, dsn: dsn}, nil
}

// closeParked ends every parked session, returning how many there were.
func closeParked() int {
	parked.mu.Lock()
	defer parked.mu.Unlock()
	n := parked.n
	for dsn, list := range parked.by {
		for _, c := range list {
			c.Conn.Close()
		}
		delete(parked.by, dsn)
	}
	parked.n = 0
	return n
}

func unpark(dsn string) *recycledConn {
	parked.mu.Lock()
	defer parked.mu.Unlock()
	list := parked.by[dsn]
	if len(list) == 0 {
		return nil
	}
	c := list[len(list)-1]
	parked.by[dsn] = list[:len(list)-1]
	parked.n--
	return c
}

// parkedPIDs lists the server processes of the sessions parked for dsn,
// which the next claim of its database must not end.
func parkedPIDs(dsn string) []int64 {
	parked.mu.Lock()
	defer parked.mu.Unlock()
	var pids []int64
	for _, c := range parked.by[dsn] {
		pids = append(pids, c.pid)
	}
	return pids
}

// recycledConn forwards to lib/pq's connection, which implements every
// optional interface used here.
type recycledConn struct {
	driver.Conn
	dsn string
	pid int64 // the session's server process, once asked
}

// Close parks the session when it can be reset to a new one's state: not
// broken and not inside a transaction (DISCARD ALL refuses to run there).
// DISCARD ALL drops prepared statements, temporary tables, settings,
// listens and advisory locks.
func (c *recycledConn) Close() error {
	if !c.IsValid() || !c.reset() {
		return c.Conn.Close()
	}
	parked.mu.Lock()
	defer parked.mu.Unlock()
	if parked.by == nil {
		parked.by = map[string][]*recycledConn{}
	}
	if parked.n >= maxParked || len(parked.by[c.dsn]) >= maxParkedPerDB {
		return c.Conn.Close()
	}
	parked.by[c.dsn] = append(parked.by[c.dsn], c)
	parked.n++
	return nil
}

func (c *recycledConn) reset() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.ExecContext(ctx, "DISCARD ALL", nil); err != nil {
		return false
	}
	if c.pid == 0 {
		rows, err := c.QueryContext(ctx, "SELECT pg_backend_pid()", nil)
		if err != nil {
			return false
		}
		defer rows.Close()
		v := make([]driver.Value, 1)
		if rows.Next(v) != nil {
			return false
		}
		c.pid, _ = v[0].(int64)
	}
	return c.pid != 0
}

func (c *recycledConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *recycledConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *recycledConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (c *recycledConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *recycledConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.Conn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

func (c *recycledConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *recycledConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *recycledConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }
