package localpg

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
)

func TestExplicitURLWins(t *testing.T) {
	got, err := Resolve(context.Background(), "postgres://x@db.invalid/y", t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil || got != "postgres://x@db.invalid/y" {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
}

// TestPrivateClusterStartsFromInstalledBinaries exercises the fallback used when
// no server answers: initdb + pg_ctl into a data dir of our own, on a free port.
func TestPrivateClusterStartsFromInstalledBinaries(t *testing.T) {
	bindir, err := FindBinaries()
	if err != nil {
		t.Skipf("no PostgreSQL binaries here: %v", err)
	}
	// Not t.TempDir: its parents are private to root, and the cluster runs as
	// the postgres user when the tests run as root.
	dir, err := os.MkdirTemp("", "mspbot-localpg-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	port := freePort(t)
	ctx := context.Background()
	if err := StartCluster(ctx, bindir, dir, port); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := StopCluster(context.Background(), bindir, dir); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	dsn, err := ensureDatabase(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.Split(dsn, "?")[0], "/mspbot") {
		t.Fatalf("dsn %q should name the mspbot database", dsn)
	}
	if _, err := ensureDatabase(ctx, admin); err != nil {
		t.Fatalf("second ensureDatabase must accept an existing database: %v", err)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var one int
	if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("query the private cluster: %v", err)
	}
	// Starting again on an initialised dir reuses it rather than failing initdb.
	if err := StopCluster(ctx, bindir, dir); err != nil {
		t.Fatal(err)
	}
	if err := StartCluster(ctx, bindir, dir, port); err != nil {
		t.Fatalf("restart on an existing data dir: %v", err)
	}
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
