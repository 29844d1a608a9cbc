package storage

import (
	"context"
	"database/sql"
	"sync"
)

// Pinned statements, prepared for the pool and never forgotten: the group
// commit's INSERT, one text per batch size (AppendInbox). Every other
// statement is kept prepared per connection by stmtcache.go, whose last 64
// per connection are kept; the writers' batch sizes alone could fill that
// and push each other out, a prepare and a close per miss on the ack path.

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
