package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"testing"
)

// A migrated test database is reused rather than created and dropped per
// test: copying the template (10 MB through the WAL) and dropping the copy
// took 0.05 s on a quiet machine and 0.3 s while other test runs wrote to the
// same disk, and most tests need well under that. Pooled databases are named
// mspbot_pool_<migrations hash>_<slot>. A test owns a slot while it holds the
// slot's advisory lock on a connection of its own, so test processes running
// side by side (`go test ./...`, other checkouts) never share one, and a
// process that dies frees its slots with its connections. The owner empties
// the database on taking it (see reset), so what a crashed or failed test
// left behind is gone too.

// maxSlots bounds how many pooled databases one set of migrations may have.
const maxSlots = 64

// claimPooled returns the URL of a pooled database, empty as the template,
// that tb owns until it ends.
func claimPooled(ctx context.Context, tb testing.TB, admin *sql.DB, tmpl string) string {
	tb.Helper()
	key := slotKey(tmpl)
	for slot := 0; slot < maxSlots; slot++ {
		conn, err := admin.Conn(ctx)
		if err != nil {
			tb.Fatalf("storagetest: %v", err)
		}
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, key, slot).Scan(&got); err != nil {
			conn.Close()
			tb.Fatalf("storagetest: claim a database: %v", err)
		}
		if !got {
			conn.Close()
			continue
		}
		// Closing the connection releases the lock; the test's later cleanups
		// (closing its Store) run first, as cleanups run last-in first-out.
		tb.Cleanup(func() { conn.Close() })
		name := strings.Replace(tmpl, "mspbot_tmpl_", "mspbot_pool_", 1) + fmt.Sprintf("_%d", slot)
		if err := preparePooled(ctx, conn, tmpl, name); err != nil {
			tb.Fatalf("storagetest: database %s: %v", name, err)
		}
		return urlFor(name)
	}
	tb.Fatalf("storagetest: all %d pooled test databases are in use", maxSlots)
	return ""
}

// slotKey is the first half of the advisory lock key of tmpl's slots (the
// second is the slot number): derived from the template's name, so each set
// of migrations has slots of its own.
func slotKey(tmpl string) int32 {
	h := fnv.New32a()
	h.Write([]byte(tmpl))
	return int32(h.Sum32())
}

// preparePooled makes name an empty copy of tmpl: created from it if missing
// or if a test changed its schema, otherwise emptied in place.
func preparePooled(ctx context.Context, conn *sql.Conn, tmpl, name string) error {
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		// Connections a finished test left open (a leaked pool, a killed
		// child process) must not write into the next test's data.
		if _, err := conn.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
			return err
		}
		same, err := reset(ctx, tmpl, name)
		if err != nil || same {
			return err
		}
		if _, err := conn.ExecContext(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tmpl); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, `ALTER DATABASE `+name+` SET synchronous_commit = off`)
	return err
}

// keptTables hold what the migrations themselves wrote; every other table
// starts empty.
var keptTables = map[string]bool{"goose_db_version": true, "river_migration": true}

// kept tells whether stmt deletes a kept table or restarts one's sequence.
func kept(stmt string) bool {
	for t := range keptTables {
		if stmt == "DELETE FROM "+t || strings.HasPrefix(stmt, "SELECT setval('"+t+"_") {
			return true
		}
	}
	return false
}

// schemaQuery describes a database's schema (tables, columns, indexes,
// triggers, functions, sequences), to tell whether a test changed it.
const schemaQuery = `SELECT md5(coalesce((SELECT string_agg(d, ',' ORDER BY d) FROM (
	SELECT 'c:' || c.relname || ':' || c.relkind::text || ':' || coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY a.attnum)
		FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') AS d
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
	UNION ALL SELECT 't:' || t.tgname || ':' || t.tgenabled::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
	UNION ALL SELECT 'f:' || p.proname || ':' || md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
	UNION ALL SELECT 'k:' || conname || ':' || convalidated::text FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = 'public'
) x), ''))`

var (
	schemaMu sync.Mutex
	schemas  = map[string]string{} // template name -> its schema digest
)

// templateSchema returns tmpl's schema digest, read once per process.
func templateSchema(ctx context.Context, tmpl string) (string, error) {
	schemaMu.Lock()
	defer schemaMu.Unlock()
	if d, ok := schemas[tmpl]; ok {
		return d, nil
	}
	db, err := sql.Open("postgres", urlFor(tmpl))
	if err != nil {
		return "", err
	}
	defer db.Close()
	var d string
	if err := db.QueryRowContext(ctx, schemaQuery).Scan(&d); err != nil {
		return "", err
	}
	schemas[tmpl] = d
	return d, nil
}

// reset empties name's tables and restarts its sequences, as they are in
// tmpl. It reports false, leaving the database as it is, when name's schema
// is no longer tmpl's (a benchmark's extra table, a test that dropped a
// trigger): such a database is copied afresh instead.
func reset(ctx context.Context, tmpl, name string) (bool, error) {
	want, err := templateSchema(ctx, tmpl)
	if err != nil {
		return false, err
	}
	db, err := sql.Open("postgres", urlFor(name))
	if err != nil {
		return false, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var got string
	if err := conn.QueryRowContext(ctx, schemaQuery).Scan(&got); err != nil {
		return false, err
	}
	if got != want {
		return false, nil
	}
	rows, err := conn.QueryContext(ctx, `SELECT 'DELETE FROM ' || quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'
		UNION ALL SELECT 'SELECT setval(' || quote_literal(quote_ident(sequencename)) || ', ' || start_value || ', false)'
		FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL`)
	if err != nil {
		return false, err
	}
	// DELETE rather than TRUNCATE, setval rather than ALTER SEQUENCE … RESTART:
	// these tables hold a few rows, and TRUNCATE replaces every table's and
	// index's files (0.25–0.4 s here). The replica role skips foreign-key and
	// ledger triggers, so order is free.
	stmts := []string{"SET LOCAL session_replication_role = replica"}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return false, err
		}
		if !kept(s) {
			stmts = append(stmts, s)
		}
	}
	if err := rows.Close(); err != nil {
		return false, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN; "+strings.Join(stmts, "; ")+"; COMMIT"); err != nil {
		return false, err
	}
	return true, nil
}

// dropPools drops the pooled databases copied from template tmpl (gone stale).
func dropPools(ctx context.Context, conn *sql.Conn, tmpl string) {
	rows, err := conn.QueryContext(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
		strings.Replace(tmpl, "mspbot_tmpl_", "mspbot_pool_", 1)+"_")
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	rows.Close()
	for _, n := range names {
		_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+n+` WITH (FORCE)`)
	}
}
