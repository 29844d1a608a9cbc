package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

func item(key string) storage.InboxItem {
	return storage.InboxItem{Platform: "slack", Kind: "event", Key: key, Payload: []byte(`{"k":"` + key + `"}`)}
}

// A batch is one statement; keys stored before, or twice in the batch, come
// back as 0 and are not stored again.
func TestAppendInboxDeduplicates(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	ctx := context.Background()
	ids, err := s.AppendInbox(ctx, []storage.InboxItem{item("a"), item("b"), item("a")})
	if err != nil {
		t.Fatal(err)
	}
	if ids[0] == 0 || ids[1] == 0 || ids[0] == ids[1] || ids[2] != 0 {
		t.Fatalf("ids %v; want two new and a duplicate", ids)
	}
	again, err := s.AppendInbox(ctx, []storage.InboxItem{item("b"), item("c")})
	if err != nil {
		t.Fatal(err)
	}
	if again[0] != 0 || again[1] == 0 {
		t.Fatalf("second batch ids %v; want duplicate then new", again)
	}
	other := item("a")
	other.Platform = "discord"
	if ids, err := s.AppendInbox(ctx, []storage.InboxItem{other}); err != nil || ids[0] == 0 {
		t.Fatalf("same key on another platform: %v %v", ids, err)
	}
	rows, err := s.InboxRows(ctx, "slack")
	if err != nil || len(rows) != 3 {
		t.Fatalf("slack rows %+v %v; want a, b, c", rows, err)
	}
}

// A row being handled is locked: nobody else takes it, and it is pending
// again the moment its transaction dies without committing (the crash case).
func TestHandleInboxLockAndCrash(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	ctx := context.Background()
	ids, err := s.AppendInbox(ctx, []storage.InboxItem{item("x")})
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0]
	inside := make(chan struct{})
	release := make(chan struct{})
	// The first worker "dies" holding the row: its context is cut off, so its
	// transaction never commits, as when the process is killed.
	wctx, kill := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- s.HandleInbox(wctx, id, 3, nil, func(ctx context.Context, row storage.InboxRow) error {
			if string(row.Payload) != `{"k":"x"}` || row.Key != "x" {
				t.Errorf("row %+v", row)
			}
			close(inside)
			<-release
			kill()
			return ctx.Err()
		})
	}()
	<-inside
	if pending, err := s.PendingInbox(ctx, 10); err != nil || len(pending) != 0 {
		t.Fatalf("pending while locked: %v %v; want none", pending, err)
	}
	if err := s.HandleInbox(ctx, id, 3, nil, func(context.Context, storage.InboxRow) error {
		t.Error("a locked row was handled twice")
		return nil
	}); !errors.Is(err, storage.ErrInboxTaken) {
		t.Fatalf("second worker: %v; want ErrInboxTaken", err)
	}
	close(release)
	if err := <-done; err == nil {
		t.Fatal("the dead worker's handling reported success")
	}
	// Its connection is dropped; the server releases the lock when it notices.
	var pending []int64
	var err2 error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if pending, err2 = s.PendingInbox(ctx, 10); err2 != nil || len(pending) == 1 {
			break
		}
	}
	if len(pending) != 1 || pending[0] != id {
		t.Fatalf("after the crash pending = %v (%v); want [%d]", pending, err2, id)
	}
	rows, _ := s.InboxRows(ctx, "slack")
	if len(rows) != 1 || rows[0].Attempts != 0 {
		t.Fatalf("a crash counted as an attempt: %+v", rows)
	}
	if err := s.HandleInbox(ctx, id, 3, nil, func(context.Context, storage.InboxRow) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if pending, _ := s.PendingInbox(ctx, 10); len(pending) != 0 {
		t.Fatalf("done row still pending: %v", pending)
	}
}

// A failing row waits out its backoff, and after the last attempt is put
// aside with its error.
func TestHandleInboxFailureBacksOff(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	ctx := context.Background()
	ids, err := s.AppendInbox(ctx, []storage.InboxItem{item("f")})
	if err != nil {
		t.Fatal(err)
	}
	fail := func(context.Context, storage.InboxRow) error { return fmt.Errorf("slack is down") }
	if err := s.HandleInbox(ctx, ids[0], 2, func(int) time.Duration { return time.Hour }, fail); err == nil {
		t.Fatal("failure not reported")
	}
	if pending, _ := s.PendingInbox(ctx, 10); len(pending) != 0 {
		t.Fatalf("row in backoff is pending: %v", pending)
	}
	if _, err := s.DB().Exec(`UPDATE inbox SET not_before = now()`); err != nil {
		t.Fatal(err)
	}
	if err := s.HandleInbox(ctx, ids[0], 2, nil, fail); err == nil {
		t.Fatal("failure not reported")
	}
	rows, _ := s.InboxRows(ctx, "slack")
	if len(rows) != 1 || !rows[0].Done || rows[0].Attempts != 2 || rows[0].LastError != "slack is down" {
		t.Fatalf("after the last attempt: %+v", rows)
	}
}

// A batch claims the pending rows of its ids that nobody else holds, handles
// each, and in its one commit marks the handled ones done and records the
// failed one's attempt; a batch cut off before its commit (a crash) leaves
// every row it held pending, none counted as an attempt.
func TestHandleInboxBatch(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	ctx := context.Background()
	ids, err := s.AppendInbox(ctx, []storage.InboxItem{item("b1"), item("b2"), item("b3"), item("b4"), item("held")})
	if err != nil {
		t.Fatal(err)
	}
	// Another worker holds "held" throughout.
	inside, release, other := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		other <- s.HandleInbox(ctx, ids[4], 3, nil, func(context.Context, storage.InboxRow) error {
			close(inside)
			<-release
			return nil
		})
	}()
	<-inside

	// The crash: the batch's context is cut off before its commit.
	dctx, kill := context.WithCancel(ctx)
	var seen []string
	_, _, err = s.HandleInboxBatch(dctx, ids, 3, nil, func(ctx context.Context, row storage.InboxRow) error {
		seen = append(seen, row.Key)
		if len(seen) == 2 {
			kill()
		}
		return nil
	}, nil)
	if err == nil {
		t.Fatal("a batch cut off before its commit reported success")
	}
	if fmt.Sprint(seen) != "[b1 b2 b3 b4]" {
		t.Fatalf("the dying batch handled %v; want b1..b4 (held is another worker's)", seen)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if p, err := s.PendingInbox(ctx, 10); err != nil || len(p) == 4 {
			break
		}
	}
	if p, err := s.PendingInbox(ctx, 10); err != nil || len(p) != 4 {
		t.Fatalf("pending after the crash: %v %v; want b1..b4", p, err)
	}

	seen = nil
	claimed, failed, err := s.HandleInboxBatch(ctx, ids, 3, func(int) time.Duration { return time.Hour },
		func(ctx context.Context, row storage.InboxRow) error {
			seen = append(seen, row.Key)
			if row.Key == "b3" {
				return fmt.Errorf("slack is down")
			}
			return nil
		}, nil)
	if err != nil || claimed != 4 || len(failed) != 1 || fmt.Sprint(seen) != "[b1 b2 b3 b4]" {
		t.Fatalf("batch: claimed %d, failed %v, err %v, handled %v; want 4 claimed, b3 failed", claimed, failed, err, seen)
	}
	close(release)
	if err := <-other; err != nil {
		t.Fatal(err)
	}
	rows, _ := s.InboxRows(ctx, "slack")
	for _, r := range rows {
		wantDone, wantAttempts := r.Key != "b3", 0
		if r.Key == "b3" {
			wantAttempts = 1
		}
		if r.Done != wantDone || r.Attempts != wantAttempts {
			t.Errorf("row %+v: want done %v, attempts %d", r, wantDone, wantAttempts)
		}
	}
}

// A run whose fn yields at a row stops there: the rows before it are done,
// that row and the rest stay pending exactly as they were (no attempt
// counted, no error), and a later run handles them.
func TestInboxRunYieldsBetweenRows(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	ctx := context.Background()
	ids, err := s.AppendInbox(ctx, []storage.InboxItem{item("y1"), item("y2"), item("y3")})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	claimed, failed, err := s.HandleInboxBatch(ctx, ids, 3, nil, func(ctx context.Context, row storage.InboxRow) error {
		if len(seen) == 1 {
			return fmt.Errorf("a stream began: %w", storage.ErrInboxYield)
		}
		seen = append(seen, row.Key)
		return nil
	}, nil)
	if err != nil || len(failed) != 0 || claimed != 3 || fmt.Sprint(seen) != "[y1]" {
		t.Fatalf("run: claimed %d, failed %v, err %v, handled %v; want y1 alone handled", claimed, failed, err, seen)
	}
	rows, _ := s.InboxRows(ctx, "slack")
	for _, r := range rows {
		if r.Done != (r.Key == "y1") || r.Attempts != 0 || r.LastError != "" {
			t.Errorf("after the yield: %+v", r)
		}
	}
	if p, err := s.PendingInbox(ctx, 10); err != nil || len(p) != 2 {
		t.Fatalf("pending after the yield: %v %v; want y2, y3", p, err)
	}
	seen = nil
	if _, _, err := s.HandleInboxBatch(ctx, ids, 3, nil, func(ctx context.Context, row storage.InboxRow) error {
		seen = append(seen, row.Key)
		return nil
	}, nil); err != nil || fmt.Sprint(seen) != "[y2 y3]" {
		t.Fatalf("the next run: %v, handled %v; want y2 y3", err, seen)
	}
}

// TestInboxRunThatCannotSettleIsHandledAgain: the posts a run held back
// (settle) could not be queued, so none of its rows is marked done and the
// next attempt handles every one of them again; once settle succeeds the run
// is done.
func TestInboxRunThatCannotSettleIsHandledAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := storagetest.New(t)
	ids, err := s.AppendInbox(ctx, []storage.InboxItem{
		{Platform: "slack", Kind: "event", Key: "s1", Payload: []byte(`{}`)},
		{Platform: "slack", Kind: "event", Key: "s2", Payload: []byte(`{}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var handled []string
	fn := func(ctx context.Context, row storage.InboxRow) error { handled = append(handled, row.Key); return nil }
	down := errors.New("job queue unreachable")
	if _, _, err := s.HandleInboxBatch(ctx, ids, 3, nil, fn, func(context.Context) error { return down }); !errors.Is(err, down) {
		t.Fatalf("a run whose posts could not be queued: err %v", err)
	}
	if p, err := s.PendingInbox(ctx, 10); err != nil || len(p) != 2 {
		t.Fatalf("after a failed settle, pending %v (%v); want both rows", p, err)
	}
	settled := 0
	if n, failed, err := s.HandleInboxBatch(ctx, ids, 3, nil, fn, func(context.Context) error { settled++; return nil }); err != nil || n != 2 || len(failed) != 0 {
		t.Fatalf("second run: %d claimed, %v failed, %v", n, failed, err)
	}
	if p, err := s.PendingInbox(ctx, 10); err != nil || len(p) != 0 || settled != 1 {
		t.Fatalf("after settling: pending %v (%v), settled %d times", p, err, settled)
	}
	if fmt.Sprint(handled) != "[s1 s2 s1 s2]" {
		t.Fatalf("handled %v; want each row twice", handled)
	}
}

// TestInboxRunsNeedNoSecondConnection: every connection of the pool is held
// by a run's transaction (two workers, a pool of two) on a Store that has
// prepared nothing yet, and each run still marks its rows done: a run never
// waits for another connection of its own, which here would never come.
func TestInboxRunsNeedNoSecondConnection(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	s.DB().SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ids, err := s.AppendInbox(ctx, []storage.InboxItem{
		{Platform: "slack", Kind: "event", Key: "p1", Payload: []byte(`{}`)},
		{Platform: "slack", Kind: "event", Key: "p2", Payload: []byte(`{}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var inside sync.WaitGroup
	inside.Add(2)
	errs := make(chan error, 2)
	for _, id := range ids {
		go func() {
			_, _, err := s.HandleInboxBatch(ctx, []int64{id}, 3, nil, func(context.Context, storage.InboxRow) error {
				inside.Done()
				inside.Wait() // both transactions open: the pool is spent
				return nil
			}, nil)
			errs <- err
		}()
	}
	for range ids {
		if err := <-errs; err != nil {
			t.Fatalf("a run with the pool spent: %v", err)
		}
	}
	if p, err := s.PendingInbox(ctx, 10); err != nil || len(p) != 0 {
		t.Fatalf("pending after both runs: %v (%v)", p, err)
	}
}
