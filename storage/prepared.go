package storage

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// The statements every delivery runs (storing it in the inbox, claiming it,
// reading its person, opening its request, recording its post) are prepared
// once per connection rather than sent as text each time. lib/pq sends a
// statement with parameters as an unnamed prepare and waits for Postgres to
// describe it before binding the values: two round trips, and Postgres
// parsing and planning the text again each time. A prepared statement is one
// round trip with the plan kept. Under the load command's 1,200 deliveries a
// second the bot's CPU went mostly to those writes and reads (27 % of its
// profile in write(2) alone), competing with the acks for two cores.
//
// Only the hot statements are prepared: each costs a little memory on every
// connection it has run on. A connection pooler in transaction mode
// (PgBouncer before 1.21) does not keep prepared statements; mspbot talks to
// Postgres directly.

// preparedStmts holds the pool-wide statements by their text.
type preparedStmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// prepared returns query prepared on the pool; database/sql prepares it on
// each connection the first time it runs there.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if st, ok := s.stmts.m[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if s.stmts.m == nil {
		s.stmts.m = map[string]*sql.Stmt{}
	}
	s.stmts.m[query] = st
	return st, nil
}

// preparedIn is prepared bound to tx: the connection's own prepared copy when
// it has one, else prepared there now.
func (s *Store) preparedIn(ctx context.Context, tx *sqlx.Tx, query string) (*sql.Stmt, error) {
	st, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st), nil
}

// closePrepared closes every prepared statement (Close).
func (s *Store) closePrepared() {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	for q, st := range s.stmts.m {
		st.Close()
		delete(s.stmts.m, q)
	}
}
