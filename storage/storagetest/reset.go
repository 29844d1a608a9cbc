package storagetest

import (
	"context"
	"database/sql"
	"strings"
	"sync"

	"github.com/lib/pq"
)

// emptyPool holds NewDatabase's databases: copies of the server's template1,
// emptied between tests by dropping whatever the previous test created.
var emptyPool = pool{prefix: "mspbot_empty", reset: func(ctx context.Context, conn *sql.Conn, _ string) (bool, error) {
	return resetEmpty(ctx, conn)
}}

// migratedPool holds the copies of template tmpl.
func migratedPool(tmpl string) pool {
	return pool{
		prefix:   strings.Replace(tmpl, "mspbot_tmpl_", "mspbot_pool_", 1),
		template: tmpl,
		reset: func(ctx context.Context, conn *sql.Conn, name string) (bool, error) {
			return resetMigrated(ctx, conn, tmpl, name)
		},
	}
}

// ddlMarker is installed in each template after its migrations: an event
// trigger that records any schema change into storagetest.ddl, so a claim
// tells whether the previous test changed the schema (a benchmark's extra
// table, a test that dropped a trigger) by looking at one table instead of
// digesting the catalogs (6 ms a claim). Temporary objects do not count:
// they go with their session.
const ddlMarker = `CREATE SCHEMA storagetest;
CREATE TABLE storagetest.ddl (tag text NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION storagetest.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_EVENT = 'sql_drop' THEN
		IF EXISTS (SELECT FROM pg_event_trigger_dropped_objects() WHERE NOT is_temporary) THEN
			INSERT INTO storagetest.ddl (tag) VALUES (TG_TAG);
		END IF;
	-- A drop is sql_drop's to judge: it lists no commands here.
	ELSIF TG_TAG NOT LIKE 'DROP %' AND (NOT EXISTS (SELECT FROM pg_event_trigger_ddl_commands())
		OR EXISTS (SELECT FROM pg_event_trigger_ddl_commands() WHERE schema_name IS DISTINCT FROM 'pg_temp')) THEN
		INSERT INTO storagetest.ddl (tag) VALUES (TG_TAG);
	END IF;
END $$;
CREATE EVENT TRIGGER storagetest_ddl ON ddl_command_end EXECUTE FUNCTION storagetest.note_ddl();
CREATE EVENT TRIGGER storagetest_drop ON sql_drop EXECUTE FUNCTION storagetest.note_ddl();`

// markerVersion enters the templates' names (migrationsHash): a template
// built without today's ddlMarker must not be taken for one with it.
const markerVersion = "storagetest ddl marker 2"

var (
	resetMu    sync.Mutex
	resetStmts = map[string]string{} // template name -> the batch that empties a copy
)

// resetMigrated empties the tables of name, a copy of tmpl, and restarts its
// sequences, as they are in tmpl. It reports false, leaving the database as it is, when
// the schema changed since the copy was made (or the marker is gone).
func resetMigrated(ctx context.Context, conn *sql.Conn, tmpl, name string) (bool, error) {
	var changed bool
	// The sessions this process parked there (see recycledDriver) are its
	// own, reset already: they stay.
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM storagetest.ddl) FROM (`+terminateOthers+` AND pid <> ALL($1::int[])) t`,
		pq.Array(parkedPIDs(urlFor(name)))).Scan(&changed); err != nil || changed {
		return false, err
	}
	resetMu.Lock()
	batch, ok := resetStmts[tmpl]
	resetMu.Unlock()
	if !ok {
		var err error
		if batch, err = resetBatch(ctx, conn); err != nil {
			return false, err
		}
		// The schema is tmpl's (no change was recorded), so the batch serves
		// every copy of tmpl.
		resetMu.Lock()
		resetStmts[tmpl] = batch
		resetMu.Unlock()
	}
	if _, err := conn.ExecContext(ctx, batch); err != nil {
		return false, err
	}
	return true, nil
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

// resetBatch lists the statements that empty the public tables of the
// database conn is in and restart its sequences, as one transaction.
func resetBatch(ctx context.Context, conn *sql.Conn) (string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT 'DELETE FROM ' || quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'
		UNION ALL SELECT 'SELECT setval(' || quote_literal(quote_ident(sequencename)) || ', ' || start_value || ', false)'
		FROM pg_sequences WHERE schemaname = 'public'`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	// DELETE rather than TRUNCATE, setval rather than ALTER SEQUENCE … RESTART:
	// these tables hold a few rows, and TRUNCATE replaces every table's and
	// index's files (0.25–0.4 s here), besides being DDL to the marker. The
	// replica role skips foreign-key and ledger triggers, so order is free.
	stmts := []string{"BEGIN", "SET LOCAL session_replication_role = replica"}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		if !kept(s) {
			stmts = append(stmts, s)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return strings.Join(append(stmts, "COMMIT"), "; "), nil
}

// emptyReset drops what a test created in a copy of template1: every schema
// (public is made again as template1 has it), extension and event trigger,
// and the database's settings. The temporary schemas of ended sessions stay:
// they are empty and any session may reuse them.
const emptyReset = terminateOthers + `;
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT evtname FROM pg_event_trigger LOOP
		EXECUTE format('DROP EVENT TRIGGER %I', r.evtname);
	END LOOP;
	FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
		EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
	END LOOP;
	FOR r IN SELECT nspname FROM pg_namespace
		WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND nspname !~ '^pg_(toast_)?temp_' LOOP
		EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
	END LOOP;
	CREATE SCHEMA public AUTHORIZATION pg_database_owner;
	GRANT USAGE ON SCHEMA public TO PUBLIC;
	COMMENT ON SCHEMA public IS 'standard public schema';
	EXECUTE format('ALTER DATABASE %I RESET ALL', current_database());
	EXECUTE format('ALTER DATABASE %I SET synchronous_commit = off', current_database());
END $$`

// leftovers names what the current database holds beyond a fresh copy of
// template1: objects initdb made have OIDs below 16384 (FirstNormalObjectId),
// so any row at or above it in a database-local catalog was made since,
// whatever its kind (a table, a function, a large object, a publication,
// default privileges). public is exempt (made again by emptyReset), and so
// are the temporary schemas.
const leftovers = `WITH catalogs AS MATERIALIZED (
	SELECT c.oid::regclass AS cat FROM pg_class c
		WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' AND NOT c.relisshared
		AND c.oid <> 'pg_namespace'::regclass
		AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'oid')
) SELECT coalesce(string_agg(what, ', '), '') FROM (
	SELECT cat::text AS what FROM catalogs
		WHERE (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s WHERE oid >= 16384', cat), false, true, '')))[1]::text::int > 0
	UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
		WHERE oid >= 16384 AND nspname <> 'public' AND nspname !~ '^pg_(toast_)?temp_'
) x`

// resetEmpty empties a copy of template1 in place, reporting false when
// something is left that emptyReset does not know how to drop.
func resetEmpty(ctx context.Context, conn *sql.Conn) (bool, error) {
	if _, err := conn.ExecContext(ctx, emptyReset); err != nil {
		return false, err
	}
	var left string
	if err := conn.QueryRowContext(ctx, leftovers).Scan(&left); err != nil {
		return false, err
	}
	return left == "", nil
}
