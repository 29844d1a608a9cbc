package storage

import (
	"context"
	"database/sql"
	"sync"
)

// The statements every delivery runs (storing it in the inbox, claiming it,
// reading its person, opening its request, recording its post) are pinned:
// prepared for the pool and never forgotten. Every other statement is kept
// prepared per connection by stmtcache.go, whose last 64 per connection are
// kept; the hot ones ran through that cache alone too (e945c50), and in
// back-to-back load runs the ack p99 at 1,200/s was 12.7-17.7 ms that way
// against 10.1-11.0 ms pinned, the writers' batch sizes and River's
// statements sharing the same 64.
//
// A connection pooler in transaction mode (PgBouncer before 1.21) does not
// keep prepared statements; mspbot talks to Postgres directly.

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
