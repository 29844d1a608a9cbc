package storage

import (
	"context"
	"database/sql"
	"sync"
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
// each connection the first time it runs there. Preparing takes a connection
// from the pool: a caller holding one (inside a transaction) must prepare
// before it begins, or it could wait for a second connection forever once
// the pool is exhausted by others doing the same.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	s.stmts.mu.Lock()
	st, ok := s.stmts.m[query]
	s.stmts.mu.Unlock()
	if ok {
		return st, nil
	}
	// Not under the lock: waiting here for a connection must not hold up
	// every other statement's lookup.
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if first, ok := s.stmts.m[query]; ok {
		st.Close() // another caller prepared it meanwhile
		return first, nil
	}
	if s.stmts.m == nil {
		s.stmts.m = map[string]*sql.Stmt{}
	}
	s.stmts.m[query] = st
	return st, nil
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
