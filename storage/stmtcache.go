package storage

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"

	"github.com/lib/pq"
)

// Every statement with parameters runs as a statement prepared once per
// connection and kept (the last stmtCacheSize of them), as pgx does by
// default. lib/pq sends such a statement as an unnamed prepare, waits for
// Postgres to describe it, then binds: two round trips and a fresh parse and
// plan each time. Across the test suite that was most of Postgres's CPU (16,000
// statements for the commands package, 0.7 s of it executing them); in the
// bot, the writes of those round trips were the largest item of its profile.
// Statements without parameters keep the simple protocol (one round trip,
// and several statements in one string are allowed there).

// stmtCacheSize bounds the statements kept per connection: Postgres holds a
// parse tree and plan for each, on every connection.
const stmtCacheSize = 64

// stmtCacheConnector opens connections through drv, each keeping its
// statements.
type stmtCacheConnector struct {
	drv driver.Driver
	dsn string
}

func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	var (
		conn driver.Conn
		err  error
	)
	if dc, ok := c.drv.(driver.DriverContext); ok {
		var cn driver.Connector
		if cn, err = dc.OpenConnector(c.dsn); err == nil {
			conn, err = cn.Connect(ctx)
		}
	} else {
		conn, err = c.drv.Open(c.dsn)
	}
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: conn, lru: list.New(), byQuery: map[string]*list.Element{}}, nil
}

func (c stmtCacheConnector) Driver() driver.Driver { return c.drv }

// cachingConn is one connection and its kept statements. database/sql uses a
// connection from one goroutine at a time, so it needs no lock.
type cachingConn struct {
	driver.Conn
	lru     *list.List // of *kept, most recently used first
	byQuery map[string]*list.Element
}

type kept struct {
	query string
	stmt  driver.Stmt
}

// stmt returns query prepared on this connection, preparing it on first use
// and forgetting the least recently used beyond stmtCacheSize.
func (c *cachingConn) stmt(ctx context.Context, query string) (driver.Stmt, error) {
	if e, ok := c.byQuery[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*kept).stmt, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.byQuery[query] = c.lru.PushFront(&kept{query: query, stmt: st})
	if c.lru.Len() > stmtCacheSize {
		c.forget(c.lru.Back())
	}
	return st, nil
}

func (c *cachingConn) forget(e *list.Element) {
	k := c.lru.Remove(e).(*kept)
	delete(c.byQuery, k.query)
	_ = k.stmt.Close()
}

// stale reports an error that says the kept statement no longer fits: its
// table changed shape (a migration after it was prepared), or the server
// forgot it. The statement is prepared afresh and run once more.
func stale(err error) bool {
	var e *pq.Error
	return errors.As(err, &e) && (e.Code == "0A000" || e.Code == "26000")
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	return runKept(ctx, c, query, func(st driver.Stmt) (driver.Rows, error) {
		return st.(driver.StmtQueryContext).QueryContext(ctx, args)
	})
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	return runKept(ctx, c, query, func(st driver.Stmt) (driver.Result, error) {
		return st.(driver.StmtExecContext).ExecContext(ctx, args)
	})
}

// runKept runs query's kept statement, preparing it afresh once when the
// kept one is stale.
func runKept[T any](ctx context.Context, c *cachingConn, query string, run func(driver.Stmt) (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		st, err := c.stmt(ctx, query)
		if err != nil {
			var zero T
			return zero, err
		}
		out, err := run(st)
		if attempt == 0 && stale(err) {
			c.forget(c.byQuery[query])
			continue
		}
		return out, err
	}
}

// Close drops the kept statements with the connection: the server frees them
// with its session, so no Close message is sent for each.
func (c *cachingConn) Close() error {
	c.lru.Init()
	clear(c.byQuery)
	return c.Conn.Close()
}

// The rest is the wrapped connection's own.

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Prepare(query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Begin() //nolint:staticcheck // only for a driver without BeginTx
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *cachingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
