package storagetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/storage"
)

// templateLockKey serialises template creation across the test processes that
// `go test ./...` runs in parallel.
const templateLockKey = 0x6d7370746d706c // "msptmpl"

// NewMigratedDatabase returns the URL of a database holding every migration
// (mspbot's and River's) and no rows, that tb owns until it ends: a pooled
// copy of a template migrated once per set of migrations.
func NewMigratedDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sweepAbandoned()
	tmpl, err := currentTemplate(ctx)
	if err != nil {
		tb.Fatalf("storagetest: template (is Postgres running on 127.0.0.1:5432? see README): %v", err)
	}
	return migratedPool(tmpl).claim(ctx, tb)
}

var (
	templateMu   sync.Mutex
	templateName string // this process's template, once ensured
)

// currentTemplate returns the name of the template for the current migrations,
// ensured once per process: it is not dropped while in use (see staleAfter).
func currentTemplate(ctx context.Context) (string, error) {
	templateMu.Lock()
	defer templateMu.Unlock()
	if templateName != "" {
		return templateName, nil
	}
	shared.mu.Lock()
	admin, err := adminDB(ctx)
	shared.mu.Unlock()
	if err != nil {
		return "", err
	}
	name, err := ensureTemplate(ctx, admin)
	if err == nil {
		templateName = name
	}
	return name, err
}

// staleAfter is how long a template nobody used is kept. Several checkouts
// (branches with different migrations) share one server, so a template that
// is not ours may still be another checkout's: only long-unused ones go.
const staleAfter = 24 * time.Hour

// lastUsedPrefix starts a template's database comment; the Unix time follows.
const lastUsedPrefix = "mspbot test template, last used "

// ensureTemplate returns the name of the template database for the current
// migrations, building it under an advisory lock when it does not exist yet.
// The name carries a hash of the migrations, so a changed migration gets a new
// template and an old one is dropped.
func ensureTemplate(ctx context.Context, admin *sql.DB) (string, error) {
	hash, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "mspbot_tmpl_" + hash
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLockKey); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, templateLockKey)
	var comment string
	err = conn.QueryRowContext(ctx, `SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = $1`, name).Scan(&comment)
	if err == nil {
		// Marking it used once an hour is enough, and keeps COMMENT (which waits
		// for copies of the template in progress) off the hot path.
		if lastUsed(comment).Before(time.Now().Add(-time.Hour)) {
			return name, touch(ctx, conn, name)
		}
		return name, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	// Templates nobody has used for a day are no use to anyone now. One without
	// a last-used comment (made by older code) may be in use: it stays.
	rows, err := conn.QueryContext(ctx, `SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE datname LIKE 'mspbot\_tmpl\_%'`)
	if err != nil {
		return "", err
	}
	var stale []string
	for rows.Next() {
		var n, comment string
		if err := rows.Scan(&n, &comment); err != nil {
			rows.Close()
			return "", err
		}
		if at := lastUsed(comment); !at.IsZero() && time.Since(at) > staleAfter {
			stale = append(stale, n)
		}
	}
	rows.Close()
	for _, n := range stale {
		_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
		dropPools(ctx, conn, migratedPool(n).prefix)
	}
	building := name + "_build"
	_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	if err := migrate(ctx, urlFor(building)); err != nil {
		_, _ = conn.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
		return "", err
	}
	// Renamed only once complete, so a crashed build never serves as a template.
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, touch(ctx, conn, name)
}

// lastUsed reads a template's comment; zero when it has none.
func lastUsed(comment string) time.Time {
	unix, err := strconv.ParseInt(strings.TrimPrefix(comment, lastUsedPrefix), 10, 64)
	if err != nil || !strings.HasPrefix(comment, lastUsedPrefix) {
		return time.Time{}
	}
	return time.Unix(unix, 0)
}

// touch records that the template was just used (see staleAfter).
func touch(ctx context.Context, conn *sql.Conn, name string) error {
	_, err := conn.ExecContext(ctx, fmt.Sprintf(`COMMENT ON DATABASE %s IS '%s%d'`, name, lastUsedPrefix, time.Now().Unix()))
	if err != nil {
		return fmt.Errorf("mark template used: %w", err)
	}
	return nil
}

// migrate applies every migration to the database at dsn, then installs
// the ddlMarker (last, so the migrations themselves are not recorded).
func migrate(ctx context.Context, dsn string) error {
	s, err := storage.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, s.DB()); err != nil {
		return err
	}
	if _, err := s.DB().ExecContext(ctx, ddlMarker); err != nil {
		return fmt.Errorf("install the schema change marker (event triggers need a superuser): %w", err)
	}
	return nil
}

// migrationsHash names the schema: mspbot's migration files and River's version.
func migrationsHash() (string, error) {
	h := sha256.New()
	var names []string
	err := fs.WalkDir(storage.Migrations(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(storage.Migrations(), n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\n%d\n", n, len(b))
		h.Write(b)
	}
	fmt.Fprintf(h, "%s\n", markerVersion)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/riverqueue/river" {
				fmt.Fprintf(h, "river %s\n", m.Version)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// testPrefix started the name of each empty test database older code
// created and dropped per test; the Unix time of its creation and a random
// part followed, so a sweep can tell an abandoned one by its age.
const testPrefix = "mspbot_test_"

// abandonedAfter is the age at which such a database nobody is connected to
// is dropped: what older code's background drops left when the test process
// ended first.
const abandonedAfter = 10 * time.Minute

// sweepBatch bounds what one process's sweep drops, so leftovers go a few
// at a time instead of stalling one test.
const sweepBatch = 2

var sweepOnce sync.Once

// sweepAbandoned drops, in the background and once per process, the oldest
// few databases named by testPrefix that are older than abandonedAfter.
// Without FORCE, a database still in use stays.
func sweepAbandoned() {
	sweepOnce.Do(func() { go sweep() })
}

func sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shared.mu.Lock()
	admin, err := adminDB(ctx)
	shared.mu.Unlock()
	if err != nil {
		return
	}
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'mspbot\_test\_%\_%' ORDER BY datname`)
	if err != nil {
		return
	}
	var old []string
	for rows.Next() && len(old) < sweepBatch {
		var n string
		if rows.Scan(&n) != nil {
			continue
		}
		stamp, _, ok := strings.Cut(strings.TrimPrefix(n, testPrefix), "_")
		if unix, err := strconv.ParseInt(stamp, 10, 64); ok && err == nil && time.Since(time.Unix(unix, 0)) > abandonedAfter {
			old = append(old, n)
		}
	}
	rows.Close()
	for _, n := range old {
		_, _ = admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n)
	}
}

func urlFor(name string) string {
	u, err := url.Parse(AdminURL())
	if err != nil {
		return AdminURL()
	}
	u.Path = "/" + name
	return u.String()
}
