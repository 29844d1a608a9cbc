// Package storage keeps mspbot's data in PostgreSQL. It is the only package that
// imports sqlx and lib/pq. One file per aggregate; migrations are embedded SQL
// applied by goose under a Postgres advisory lock.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/mspbot/mspbot/bot"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// ErrNotFound is bot.ErrNotFound, returned (wrapped) when a row does not exist.
var ErrNotFound = bot.ErrNotFound

// ErrConflict is bot.ErrConflict, returned (wrapped) when a row would break a unique rule.
var ErrConflict = bot.ErrConflict

// Store is the database. Its methods take a context and are safe for concurrent use.
type Store struct {
	db    *sqlx.DB
	cache caches        // settings read on every request (cache.go)
	stmts preparedStmts // the hot path's statements (prepared.go)
}

// Open connects to Postgres at dsn and checks the connection.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenDriver(ctx, "postgres", dsn)
}

// OpenDriver is Open through a database/sql driver registered under another
// name that speaks to Postgres as lib/pq does (storagetest's statement counter).
func OpenDriver(ctx context.Context, driverName, dsn string) (*Store, error) {
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", redactDSN(err, dsn))
	}
	drv := probe.Driver()
	probe.Close()
	// Every connection keeps its statements prepared (stmtcache.go). The
	// bind type is Postgres's whatever the driver's registered name.
	db := sqlx.NewDb(sql.OpenDB(stmtCacheConnector{drv: drv, dsn: dsn}), "postgres")
	// Sized for the intake (bot/intake): each inbox worker holds its row's
	// transaction while its work uses a second connection, and the group-commit
	// writers and the job queue need theirs, with room left for the rest.
	db.SetMaxOpenConns(40)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", redactDSN(err, dsn))
	}
	return &Store{db: db}, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.closePrepared()
	return s.db.Close()
}

// DB exposes the pool to packages that need database/sql directly (the job queue).
func (s *Store) DB() *sql.DB { return s.db.DB }

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the folder exists
	}
	return sub
}

func (s *Store) provider() (*goose.Provider, error) {
	// The session lock makes a second instance starting at the same moment wait
	// for the first instead of racing it. Retry every second for up to a minute.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 60))
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, s.db.DB, Migrations(),
		goose.WithSessionLocker(locker), goose.WithAllowOutofOrder(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and reports how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	p, err := s.provider()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return 0, fmt.Errorf("apply migrations: %w", err)
	}
	return len(res), nil
}

// Ready reports whether the database answers and no migration is pending.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	p, err := s.provider()
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("migration status: %w", err)
	}
	if pending {
		return errors.New("migrations pending")
	}
	return nil
}

// tx runs fn in a transaction and commits when fn succeeds.
func (s *Store) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// checkMessage says in the user's words what a broken CHECK constraint means,
// or "" for one without such words.
func checkMessage(e *pq.Error) string {
	if e == nil || e.Code != "23514" {
		return ""
	}
	switch e.Constraint {
	case "projects_lead_not_coordinator":
		return "the support lead signs off for the support team, so it must be someone other than the project's coordinator"
	case "time_entries_billable_target", "timers_billable_target":
		return "billable time needs a request or project"
	case "time_entries_minutes":
		return "an entry is between 1 minute and 24h"
	}
	return ""
}

// mapErr turns "no rows" into ErrNotFound and unique violations into ErrConflict,
// keeping the original error in the chain for the log.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return fmt.Errorf("%s: %w (%s)", what, ErrConflict, pqErr.Constraint)
	}
	if msg := checkMessage(pqErr); msg != "" {
		return fmt.Errorf("%s: %w", what, bot.Errorf(bot.EInvalid, "%s", msg))
	}
	if pqErr != nil && strings.HasPrefix(string(pqErr.Code), "MS") {
		// Our own triggers' refusals (migration 00130): the message is written
		// for the user.
		return fmt.Errorf("%s: %w", what, bot.Errorf(bot.EConflict, "%s", pqErr.Message))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// MigrationFiles lists the embedded migration file names.
func MigrationFiles() ([]string, error) {
	return fs.Glob(Migrations(), "*.sql")
}

// rowScanner is one row or a cursor over rows: what the scan functions read.
type rowScanner interface{ Scan(dest ...any) error }

// queryAll runs query and scans every row with scan; what names the list in errors.
func queryAll[T any](ctx context.Context, q sqlx.QueryerContext, what string, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err, what)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, mapErr(err, "scan "+what)
		}
		out = append(out, v)
	}
	return out, mapErr(rows.Err(), what)
}
