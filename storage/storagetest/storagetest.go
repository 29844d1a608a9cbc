// Package storagetest gives each test a real Postgres database of its own,
// migrated or empty, from pools of databases emptied between tests (see
// pool). Tests reach Postgres at MSPBOT_TEST_DATABASE_URL, or the local
// server on 127.0.0.1:5432 as user postgres.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // the Postgres driver for the admin connection

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
)

// AdminURL is the server tests create their databases on.
func AdminURL() string {
	if u := os.Getenv("MSPBOT_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewDatabase returns the URL of an empty database that tb owns until it
// ends: as a fresh copy of the server's template1 would be (no table, schema
// or extension of a previous user), from a pool emptied in place between
// tests (see resetEmpty).
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sweepAbandoned()
	return emptyPool.claim(ctx, tb)
}

// New returns a Store on a migrated database of its own and no rows (see
// NewMigratedDatabase): far faster than running every migration per test.
// Its sessions are kept for the next test's Store (see recycledDriver).
func New(tb testing.TB) *storage.Store {
	tb.Helper()
	dsn := NewMigratedDatabase(tb)
	useRecycled()
	s, err := storage.OpenDriver(context.Background(), recycledDriver, dsn)
	if err != nil {
		tb.Fatalf("storagetest: open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Name returns a short unique-ish label for fixtures.
func Name(prefix string) string {
	buf := make([]byte, 3)
	_, _ = rand.Read(buf)
	return fmt.Sprintf("%s-%s", prefix, strings.ToLower(hex.EncodeToString(buf)))
}

// Workspace returns the id of a platform workspace, creating it as first
// contact would.
func Workspace(tb testing.TB, s *storage.Store, platform bot.Platform, externalID string) int64 {
	tb.Helper()
	ws, err := s.EnsureWorkspace(context.Background(), platform, externalID, externalID)
	if err != nil {
		tb.Fatalf("storagetest: workspace %s/%s: %v", platform, externalID, err)
	}
	return ws
}

// Request reads request number n of a workspace, failing the test if it is missing.
func Request(tb testing.TB, s *storage.Store, workspaceID, n int64) bot.Request {
	tb.Helper()
	r, err := s.RequestByNumber(context.Background(), workspaceID, n)
	if err != nil {
		tb.Fatalf("request #%d: %v", n, err)
	}
	return r
}

// OpenRequests counts a workspace's open requests (up to the list limit of 200).
func OpenRequests(tb testing.TB, s *storage.Store, workspaceID int64) int {
	tb.Helper()
	list, err := s.ListOpenRequests(context.Background(), workspaceID, bot.RequestFilter{Limit: 200})
	if err != nil {
		tb.Fatal(err)
	}
	return len(list)
}

// Rows counts every row of every table that records what people did, so a
// test can assert that a refused action stored nothing. Transport bookkeeping
// is left out: goose's and River's tables, the intake inbox and platform
// event ids (what a platform delivered, kept so a redelivery is recognised),
// and Discord's button templates.
func Rows(tb testing.TB, s *storage.Store) int64 {
	tb.Helper()
	ctx := context.Background()
	query, ok := rowQueries.Load(s)
	if !ok {
		// The tables do not change during a test: listed once per Store, as
		// role matrices count rows twice for each of hundreds of cases.
		rows, err := s.DB().QueryContext(ctx, `SELECT quote_ident(tablename) FROM pg_tables
		WHERE schemaname = 'public' AND tablename NOT LIKE 'river%'
		AND tablename NOT IN ('goose_db_version', 'inbox', 'platform_events', 'action_templates') ORDER BY tablename`)
		if err != nil {
			tb.Fatal(err)
		}
		var parts []string
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				tb.Fatal(err)
			}
			parts = append(parts, "(SELECT count(*) FROM "+t+")")
		}
		if err := rows.Close(); err != nil {
			tb.Fatal(err)
		}
		// Prepared, so Postgres plans the forty-odd counts once per connection.
		stmt, err := s.DB().PrepareContext(ctx, "SELECT "+strings.Join(parts, " + "))
		if err != nil {
			tb.Fatal(err)
		}
		query = stmt
		rowQueries.Store(s, stmt)
		tb.Cleanup(func() { rowQueries.Delete(s); stmt.Close() })
	}
	var n int64
	if err := query.(*sql.Stmt).QueryRowContext(ctx).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// rowQueries holds Rows' prepared query per Store.
var rowQueries sync.Map
