package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/storage"
)

// TestOpenNeverPrintsThePassword: malformed or refused connection strings make
// errors that quote the string; none may show the password.
func TestOpenNeverPrintsThePassword(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"postgres://bob:hunter2@127.0.0.1:notaport/db",
		"postgres://bob:hun ter2@[::1/db",
		"postgres://bob:hunter2@127.0.0.1:5432/db?sslmode=bogus",
		"postgresql://bob:hunter2@127.0.0.1:5432/db?connect_timeout=abc",
		"postgres://bob@127.0.0.1:notaport/db?password=hunter2",
		"host=127.0.0.1 password=hunter2 port=xx",
		"host=127.0.0.1 password='hunter2' sslmode=bogus",
		"postgres://bob:p%40ss@127.0.0.1:notaport/db",
	} {
		_, err := storage.Open(context.Background(), dsn)
		if err == nil {
			t.Fatalf("%q: opened", dsn)
		}
		if msg := err.Error(); strings.Contains(msg, "hunter2") || strings.Contains(msg, "hun ter2") || strings.Contains(msg, "p%40ss") {
			t.Errorf("the password is in the error: %s", msg)
		}
	}
}
