package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// fakeSender records posts and fails with err while it is set.
type fakeSender struct {
	mu    sync.Mutex
	posts []bot.Destination
	err   error
}

func (s *fakeSender) Send(_ context.Context, to bot.Destination, _ ...bot.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	s.posts = append(s.posts, to)
	return "ts1", nil
}

func (s *fakeSender) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.posts) }

// fakeRequests says every request already follows a thread.
type fakeRequests struct{ threads int }

func (f *fakeRequests) RequestByNumber(_ context.Context, ws, n int64) (bot.Request, error) {
	return bot.Request{ID: n, WorkspaceID: ws, Number: n, Thread: "already"}, nil
}
func (f *fakeRequests) SetRequestThread(context.Context, int64, string, string) error {
	f.threads++
	return nil
}
func (f *fakeRequests) Delivered(context.Context, string) (string, bool, error) {
	return "", false, nil
}
func (f *fakeRequests) MarkDelivered(context.Context, string, string) error { return nil }

// Enqueueing a key twice queues one job; a permanent refusal cancels the job
// after one attempt; a request already following a thread is not posted again.
func TestDeliverWorker(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	db := store.DB()
	ctx := context.Background()
	sender := &fakeSender{err: &bot.DeliveryError{Err: errors.New("not_in_channel"), Permanent: true}}
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformSlack: sender}, Store: &fakeRequests{}, RetryBase: 10 * time.Millisecond}
	c, err := jobs.NewDeliverer(db, w, nil, jobs.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ob := jobs.NewOutbox(c, nil)
	to := bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	for i := 0; i < 2; i++ {
		if err := ob.Enqueue(ctx, bot.Delivery{Key: "k/refused", To: to, Messages: []bot.Message{{Text: "hi"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ob.Enqueue(ctx, bot.Delivery{Key: "k/posted-before", To: to, Messages: []bot.Message{{Text: "hi"}},
		WorkspaceID: 1, RequestNumber: 1001}); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	state := func(key string) (string, int) {
		var s string
		var n int
		if err := db.QueryRow(`SELECT state, attempt FROM river_job WHERE args->>'key' = $1`, key).Scan(&s, &n); err != nil {
			t.Fatal(err)
		}
		return s, n
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, _ := state("k/refused")
		b, _ := state("k/posted-before")
		if a == "cancelled" && b == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("states %s, %s; want cancelled, completed", a, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'deliver'`).Scan(&rows); err != nil || rows != 2 {
		t.Fatalf("%d deliver jobs (%v); want 2", rows, err)
	}
	if _, n := state("k/refused"); n != 1 {
		t.Fatalf("a refused post was tried %d times; want 1", n)
	}
	if sender.count() != 0 {
		t.Fatalf("%d posts; want none", sender.count())
	}
}

// dmRefuser refuses every direct message for good (a guest the bot may not
// write to) and posts everything else.
type dmRefuser struct{ fakeSender }

func (s *dmRefuser) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	if to.Channel == "" {
		return "", &bot.DeliveryError{Err: errors.New("cannot_dm"), Permanent: true}
	}
	return s.fakeSender.Send(ctx, to, msgs...)
}

// A delivery refused for good with a fallback (the requester's DM, else their
// request's thread) posts the fallback once and completes; without the
// fallback it would be cancelled and the requester never told.
func TestDeliverWorkerPostsTheFallbackOfARefusedDelivery(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	db := store.DB()
	ctx := context.Background()
	sender := &dmRefuser{}
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformSlack: sender}, Store: store, RetryBase: 10 * time.Millisecond}
	c, err := jobs.NewDeliverer(db, w, nil, jobs.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	thread := bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1", Thread: "1.1"}
	if err := jobs.NewOutbox(c, nil).Enqueue(ctx, bot.Delivery{Key: "k/requester",
		To:       bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", UserID: "UGUEST"},
		Messages: []bot.Message{{Text: "cora took your request"}},
		Else:     &bot.Fallback{To: thread, Messages: []bot.Message{{Text: "guest: cora took your request"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state string
		if err := db.QueryRow(`SELECT state FROM river_job WHERE args->>'key' = 'k/requester'`).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state == "completed" {
			break
		}
		if time.Now().After(deadline) || state == "cancelled" || state == "discarded" {
			t.Fatalf("job %s; want completed through its fallback", state)
		}
		time.Sleep(20 * time.Millisecond)
	}
	sender.mu.Lock()
	defer sender.mu.Unlock()
	if len(sender.posts) != 1 || sender.posts[0] != thread {
		t.Fatalf("posts %+v; want the thread once", sender.posts)
	}
	if _, done, err := store.Delivered(ctx, "k/requester"); err != nil || !done {
		t.Fatalf("fallback post not recorded (%v): a rerun would post it again", err)
	}
}

// fakeLease is a job lease a test holds or loses.
type fakeLease struct{ held atomic.Bool }

func (l *fakeLease) Held() bool { return l.held.Load() }

// A process that does not hold its lease (cut off from Postgres, its jobs
// perhaps taken up by another) posts nothing; once it holds it again, the
// delivery goes out, once.
func TestDeliverWorkerPostsOnlyWhileItsLeaseIsHeld(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	db := store.DB()
	ctx := context.Background()
	sender := &fakeSender{}
	lease := &fakeLease{}
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformSlack: sender}, Store: store, Lease: lease, RetryBase: 10 * time.Millisecond}
	c, err := jobs.NewDeliverer(db, w, nil, jobs.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	to := bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}
	if err := jobs.NewOutbox(c, nil).Enqueue(ctx, bot.Delivery{Key: "k/fenced", To: to, Messages: []bot.Message{{Text: "hi"}}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer c.Stop(ctx)
	attempts := func() (state string, attempt int) {
		t.Helper()
		if err := db.QueryRow(`SELECT state, attempt FROM river_job WHERE args->>'key' = 'k/fenced'`).Scan(&state, &attempt); err != nil {
			t.Fatal(err)
		}
		return state, attempt
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, a := attempts(); a < 2; _, a = attempts() {
		if n := sender.count(); n != 0 {
			t.Fatalf("%d posts without the lease; want none", n)
		}
		if time.Now().After(deadline) {
			t.Fatal("the delivery was not tried twice within 30 s")
		}
		time.Sleep(10 * time.Millisecond) // polling the job for its attempts
	}
	if n := sender.count(); n != 0 {
		t.Fatalf("%d posts without the lease; want none", n)
	}
	lease.held.Store(true)
	for s, _ := attempts(); s != "completed"; s, _ = attempts() {
		if time.Now().After(deadline) {
			t.Fatalf("the delivery is %s 30 s on; want completed once the lease is held", s)
		}
		time.Sleep(10 * time.Millisecond) // polling the job for its end
	}
	if n := sender.count(); n != 1 {
		t.Fatalf("%d posts; want 1", n)
	}
}
