package storage_test

import (
	"context"
	"sync"
	"testing"

	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// Two (here four) instances starting at once must not race on migrations: the
// goose session lock makes them take turns, and each ends up with none pending.
func TestConcurrentMigrateTakesTurns(t *testing.T) {
	t.Parallel()
	dsn := storagetest.NewDatabase(t)
	ctx := context.Background()
	stores := make([]*storage.Store, 4)
	for i := range stores {
		s, err := storage.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	if err := stores[0].Ready(ctx); err == nil {
		t.Fatal("a fresh database must not be ready before migrating")
	}
	var wg sync.WaitGroup
	applied := make([]int, len(stores))
	errs := make([]error, len(stores))
	for i, s := range stores {
		wg.Add(1)
		go func(i int, s *storage.Store) {
			defer wg.Done()
			applied[i], errs[i] = s.Migrate(ctx)
		}(i, s)
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
		total += applied[i]
	}
	if want := countMigrations(t); total != want {
		t.Fatalf("%d migrations applied across instances; want each of %d applied once", total, want)
	}
	if err := stores[1].Ready(ctx); err != nil {
		t.Fatalf("ready after migrate: %v", err)
	}
}

func countMigrations(t *testing.T) int {
	entries, err := storage.MigrationFiles()
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
