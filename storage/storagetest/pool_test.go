package storagetest

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
)

// open connects to the database at dsn for the length of the test.
func open(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func nameOf(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

// dbOID identifies a database's incarnation: a copy made afresh gets a new one.
// reclaimMigrated prepares the migrated database at dsn as the next test to
// claim it would: emptied in place, or copied afresh if its schema changed.
func reclaimMigrated(ctx context.Context, t *testing.T, dsn string) {
	t.Helper()
	tmpl, err := currentTemplate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := migratedPool(tmpl).prepare(ctx, nameOf(t, dsn)); err != nil {
		t.Fatal(err)
	}
}

func dbOID(t *testing.T, db *sql.DB) int64 {
	t.Helper()
	var oid int64
	if err := db.QueryRow(`SELECT oid FROM pg_database WHERE datname = current_database()`).Scan(&oid); err != nil {
		t.Fatal(err)
	}
	return oid
}

func exec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func query(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// assertEmpty checks that db is what a fresh copy of template1 is: nothing
// but the catalogs, information_schema, an empty public schema as template1
// has it, plpgsql, and no settings but synchronous_commit.
func assertEmpty(t *testing.T, db *sql.DB) {
	t.Helper()
	checks := map[string]string{
		`SELECT coalesce(string_agg(n.nspname || '.' || c.relname, ','), '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')`: "",
		`SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_extension`:                                                                             "plpgsql",
		`SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname !~ '^pg_(toast_)?temp_'`:                                       "information_schema,pg_catalog,pg_toast,public",
		`SELECT nspowner::regrole || ' ' || nspacl::text || ' ' || obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'public'`:      "pg_database_owner {pg_database_owner=UC/pg_database_owner,=U/pg_database_owner} standard public schema",
		`SELECT count(*)::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')`: "0",
		`SELECT count(*)::text FROM pg_event_trigger`:                                                                                                    "0",
		`SELECT count(*)::text FROM pg_largeobject_metadata`:                                                                                             "0",
		`SELECT coalesce((SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
			WHERE d.datname = current_database() AND s.setrole = 0), '')`: "synchronous_commit=off",
		leftovers: "",
	}
	for q, want := range checks {
		if got := query(t, db, q); got != want {
			t.Errorf("%s\n= %q; want %q", q, got, want)
		}
	}
}

// A database NewDatabase hands out again is emptied in place, whatever the
// previous test made in it, including what would break the emptying itself.
func TestReusedEmptyDatabaseIsEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := NewDatabase(t)
	db := open(t, dsn)
	assertEmpty(t, db)
	before := dbOID(t, db)
	exec(t, db,
		`CREATE EXTENSION pg_trgm`,
		`CREATE SCHEMA other`, `CREATE TABLE other.t (id serial PRIMARY KEY)`,
		`CREATE TABLE public.u (id bigserial PRIMARY KEY, s text)`, `INSERT INTO u (s) VALUES ('x')`,
		`CREATE TYPE public.mood AS ENUM ('ok')`,
		`CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
		`CREATE FUNCTION public.no_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no DDL here'; END $$`,
		`CREATE EVENT TRIGGER no_ddl ON ddl_command_start EXECUTE FUNCTION public.no_ddl()`,
		`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET work_mem = ''7MB''', current_database()); END $$`,
	)
	// The test's sessions are still open: the reset ends them.
	if err := emptyPool.prepare(ctx, nameOf(t, dsn)); err != nil {
		t.Fatal(err)
	}
	db = open(t, dsn)
	assertEmpty(t, db)
	if after := dbOID(t, db); after != before {
		t.Errorf("the database was copied afresh (oid %d -> %d); want it emptied in place", before, after)
	}
}

// What the reset does not drop (here default privileges) is noticed: such a
// database is copied afresh rather than handed out (see pool.prepare).
func TestEmptyDatabaseLeftoversAreNoticed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := open(t, NewDatabase(t))
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC`); err != nil {
		t.Fatal(err)
	}
	if empty, err := resetEmpty(ctx, conn); err != nil || empty {
		t.Errorf("reset with default privileges left = %v, %v; want false (not empty)", empty, err)
	}
	// Undone, so the next test of this slot gets it emptied in place.
	if _, err := conn.ExecContext(ctx, `ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM PUBLIC`); err != nil {
		t.Fatal(err)
	}
	if empty, err := resetEmpty(ctx, conn); err != nil || !empty {
		t.Errorf("reset once the default privileges are gone = %v, %v; want true", empty, err)
	}
}

// A test that changed a migrated database's schema leaves it to be copied
// afresh from the template.
func TestMigratedSchemaChangeReplacesCopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := NewMigratedDatabase(t)
	db := open(t, dsn)
	before := dbOID(t, db)
	exec(t, db, `ALTER TABLE requests ADD COLUMN storagetest_extra int`)
	if n := query(t, db, `SELECT count(*)::text FROM storagetest.ddl`); n == "0" {
		t.Fatal("the schema change was not recorded")
	}
	reclaimMigrated(ctx, t, dsn)
	db = open(t, dsn)
	if after := dbOID(t, db); after == before {
		t.Errorf("the changed database was kept (oid %d); want a fresh copy", before)
	}
	if n := query(t, db, `SELECT count(*)::text FROM information_schema.columns WHERE column_name = 'storagetest_extra'`); n != "0" {
		t.Errorf("the fresh copy has the test's column")
	}
	if n := query(t, db, `SELECT count(*)::text FROM storagetest.ddl`); n != "0" {
		t.Errorf("the fresh copy records %s schema changes; want none", n)
	}
}

// Rows a test wrote are emptied in place and sequences restart; temporary
// tables are not a schema change.
func TestMigratedRowsEmptiedInPlace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := NewMigratedDatabase(t)
	db := open(t, dsn)
	before := dbOID(t, db)
	exec(t, db, `CREATE TEMP TABLE scratch (id int)`, `DROP TABLE scratch`, `CREATE TEMP TABLE kept (id int)`)
	var first int64
	if err := db.QueryRow(`INSERT INTO workspaces (platform, external_id, name) VALUES ('slack', 'T1', 'T1') RETURNING id`).Scan(&first); err != nil {
		t.Fatal(err)
	}
	reclaimMigrated(ctx, t, dsn)
	db = open(t, dsn)
	if after := dbOID(t, db); after != before {
		t.Errorf("the database was copied afresh (oid %d -> %d); want it emptied in place", before, after)
	}
	if n := query(t, db, `SELECT count(*)::text FROM workspaces`); n != "0" {
		t.Errorf("%s workspaces left; want none", n)
	}
	var again int64
	if err := db.QueryRow(`INSERT INTO workspaces (platform, external_id, name) VALUES ('slack', 'T1', 'T1') RETURNING id`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("id after reset = %d; want the sequence restarted at %d", again, first)
	}
	if n := query(t, db, `SELECT count(*)::text FROM goose_db_version`); n == "0" {
		t.Error("the migrations' own records were emptied")
	}
}

// Two tests never share a database, and a slot is free again, to any
// process, once its test ends.
func TestClaimsAreExclusive(t *testing.T) {
	t.Parallel()
	var a, b string
	var key int32
	t.Run("hold", func(t *testing.T) {
		a, b = NewDatabase(t), NewDatabase(t)
		if a == b {
			t.Fatalf("two claims got %s", a)
		}
		key = slotKey(emptyPool.prefix)
		if locked := tryLock(t, key, nameOf(t, a)); locked {
			t.Errorf("another session took the lock of %s while its test held it", a)
		}
	})
	if !tryLock(t, key, nameOf(t, a)) {
		t.Errorf("the lock of %s is still held after its test ended", a)
	}
}

// tryLock tells whether a session of its own could take (and then gives back)
// the slot lock of pooled database name.
func tryLock(t *testing.T, key int32, name string) bool {
	t.Helper()
	admin := open(t, AdminURL())
	conn, err := admin.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	slot := name[strings.LastIndex(name, "_")+1:]
	var got bool
	if err := conn.QueryRowContext(context.Background(), `SELECT pg_try_advisory_lock($1, $2::int)`, key, slot).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got {
		if _, err := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1, $2::int)`, key, slot); err != nil {
			t.Fatal(err)
		}
	}
	return got
}
