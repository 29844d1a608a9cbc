package storage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestStatementsArePreparedOncePerConnection: a statement with parameters is
// prepared on its connection the first time and reused after; the kept ones
// are bounded; a kept statement whose table changed shape is prepared again
// rather than failing; text without parameters still runs several statements.
func TestStatementsArePreparedOncePerConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storagetest.New(t)
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prepared := func() (n int) {
		t.Helper()
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := prepared()
	for i := range 3 {
		var got int
		if err := conn.QueryRowContext(ctx, `SELECT $1::int + 1`, i).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("run %d: %d, %v", i, got, err)
		}
	}
	if n := prepared(); n != before+1 {
		t.Fatalf("%d statements prepared after three runs of one; want %d", n, before+1)
	}
	for i := range 100 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`SELECT $1::int + %d`, i), i); err != nil {
			t.Fatal(err)
		}
	}
	if n := prepared(); n > 64 {
		t.Fatalf("%d statements kept on one connection; want at most 64", n)
	}

	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE shape (id int); INSERT INTO shape VALUES (1)`); err != nil {
		t.Fatalf("several statements without parameters: %v", err)
	}
	cols := func() int {
		t.Helper()
		rows, err := conn.QueryContext(ctx, `SELECT * FROM shape WHERE id = $1`, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		c, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return len(c)
	}
	if n := cols(); n != 1 {
		t.Fatalf("%d columns; want 1", n)
	}
	if _, err := conn.ExecContext(ctx, `ALTER TABLE shape ADD COLUMN note text`); err != nil {
		t.Fatal(err)
	}
	if n := cols(); n != 2 {
		t.Fatalf("after the table changed: %d columns; want 2", n)
	}
}
