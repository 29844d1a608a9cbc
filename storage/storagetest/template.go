package storagetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/storage"
)

// templateLockKey serialises template creation across the test processes that
// `go test ./...` runs in parallel.
const templateLockKey = 0x6d7370746d706c // "msptmpl"

// NewMigratedDatabase creates a database holding every migration (mspbot's and
// River's) for tb and returns its URL; it is dropped when the test ends.
func NewMigratedDatabase(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := sql.Open("postgres", AdminURL())
	if err != nil {
		tb.Fatalf("storagetest: %v", err)
	}
	defer admin.Close()
	name := randomName()
	// Worktrees with other migrations share this server, and building their
	// template drops ours: when it vanished between ensure and copy, build it again.
	for attempt := 1; ; attempt++ {
		tmpl, err := ensureTemplate(ctx, admin)
		if err != nil {
			tb.Fatalf("storagetest: template (is Postgres running on 127.0.0.1:5432? see README): %v", err)
		}
		_, err = admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tmpl)
		if err == nil {
			break
		}
		if attempt == 5 || !strings.Contains(err.Error(), "does not exist") {
			tb.Fatalf("storagetest: create database from template: %v", err)
		}
	}
	tb.Cleanup(func() { dropDatabase(tb, name) })
	return databaseURL(tb, name)
}

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
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	// Templates of older migrations are no use to anyone now.
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'mspbot\_tmpl\_%'`)
	if err != nil {
		return "", err
	}
	var stale []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return "", err
		}
		stale = append(stale, n)
	}
	rows.Close()
	for _, n := range stale {
		_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
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
	return name, nil
}

func migrate(ctx context.Context, dsn string) error {
	s, err := storage.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, s.DB())
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
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/riverqueue/river" {
				fmt.Fprintf(h, "river %s\n", m.Version)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func randomName() string {
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	return "mspbot_test_" + hex.EncodeToString(buf)
}

func urlFor(name string) string {
	u, err := url.Parse(AdminURL())
	if err != nil {
		return AdminURL()
	}
	u.Path = "/" + name
	return u.String()
}

func databaseURL(tb testing.TB, name string) string {
	tb.Helper()
	if _, err := url.Parse(AdminURL()); err != nil {
		tb.Fatalf("storagetest: admin url: %v", err)
	}
	return urlFor(name)
}

func dropDatabase(tb testing.TB, name string) {
	admin, err := sql.Open("postgres", AdminURL())
	if err != nil {
		tb.Errorf("storagetest: %v", err)
		return
	}
	defer admin.Close()
	if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
		tb.Errorf("storagetest: drop %s: %v", name, err)
	}
}
