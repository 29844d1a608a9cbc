package intake_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

func item(key string) storage.InboxItem {
	return storage.InboxItem{Platform: "slack", Kind: "event", Key: key, Payload: []byte(key)}
}

// handled records which keys a handler saw, and how often.
type handled struct {
	mu   sync.Mutex
	seen map[string]int
}

func (h *handled) handler(reply bool) intake.Handler {
	return func(ctx context.Context, row storage.InboxRow, offer func(any) bool) error {
		h.mu.Lock()
		h.seen[row.Key]++
		h.mu.Unlock()
		if reply {
			offer("reply to " + row.Key)
		}
		return nil
	}
}

func (h *handled) count(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen[key]
}

// Concurrent deliveries share commits, each is handled once, a duplicate is
// recognised, and an idle worker's reply rides back to the waiting caller.
func TestSubmitGroupCommitsAndHandlesOnce(t *testing.T) {
	store := storagetest.New(t)
	h := &handled{seen: map[string]int{}}
	q := intake.New(store, h.handler(true), intake.Options{Writers: 1})
	q.Start()
	t.Cleanup(q.Close)
	ctx := context.Background()

	if out := q.Submit(ctx, item("solo"), 5*time.Second); !out.Stored() || !out.Replied || out.Reply != "reply to solo" {
		t.Fatalf("idle submit: %+v; want the worker's reply", out)
	}
	const n = 400
	var wg sync.WaitGroup
	outs := make([]intake.Outcome, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i] = q.Submit(ctx, item(fmt.Sprint("k", i)), 0)
		}()
	}
	wg.Wait()
	for i, o := range outs {
		if !o.Stored() || o.Duplicate {
			t.Fatalf("submit %d: %+v", i, o)
		}
	}
	if out := q.Submit(ctx, item("k7"), 0); !out.Duplicate {
		t.Fatalf("second k7: %+v; want a duplicate", out)
	}
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if c := h.count(fmt.Sprint("k", i)); c != 1 {
			t.Fatalf("k%d handled %d times", i, c)
		}
	}
	st := q.Stats()
	if st.Stored != n+1 || st.Duplicates != 1 || st.Commits >= n {
		t.Fatalf("stats %+v: want %d stored in fewer than %d commits", st, n+1, n)
	}
	t.Logf("%d deliveries in %d commits", st.Stored, st.Commits)
}

// With the queue full, Submit answers Busy at once and stores nothing.
func TestSubmitBusyWhenQueueFull(t *testing.T) {
	store := storagetest.New(t)
	h := &handled{seen: map[string]int{}}
	// Not started: nothing drains the queue of one.
	q := intake.New(store, h.handler(false), intake.Options{Queue: 1})
	t.Cleanup(q.Close)
	// The first takes the only place and waits for a commit that never comes.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if out := q.Submit(ctx, item("first"), 0); out.Stored() || out.Busy {
		t.Fatalf("first: %+v; want it queued and its wait cut off", out)
	}
	start := time.Now()
	out := q.Submit(context.Background(), item("second"), 0)
	if !out.Busy || out.Stored() {
		t.Fatalf("second: %+v; want Busy", out)
	}
	t.Logf("busy answered in %v", time.Since(start))
	if q.Stats().Busy != 1 {
		t.Fatalf("stats %+v: busy not counted", q.Stats())
	}
	rows, err := store.InboxRows(context.Background(), "slack")
	if err != nil || len(rows) != 0 {
		t.Fatalf("rows %+v %v; want none", rows, err)
	}
}

// Rows left pending by a process that died are handled when the next starts.
func TestStartHandlesRowsLeftPending(t *testing.T) {
	store := storagetest.New(t)
	ctx := context.Background()
	if _, err := store.AppendInbox(ctx, []storage.InboxItem{item("left1"), item("left2")}); err != nil {
		t.Fatal(err)
	}
	h := &handled{seen: map[string]int{}}
	q := intake.New(store, h.handler(false), intake.Options{})
	q.Start()
	t.Cleanup(q.Close)
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if h.count("left1") != 1 || h.count("left2") != 1 {
		t.Fatalf("handled %v; want each left row once", h.seen)
	}
}

// A delivery whose answer can only ride in the ack (a Slack modal's errors)
// gets its reply even when every worker is busy and other deliveries are
// arriving; a plain delivery in the same state is acknowledged at once
// without one (its reply follows later).
func TestSubmitForReplyWaitsForABusyWorker(t *testing.T) {
	store := storagetest.New(t)
	started, release := make(chan struct{}), make(chan struct{})
	h := &handled{seen: map[string]int{}}
	handler := func(ctx context.Context, row storage.InboxRow, offer func(any) bool) error {
		if row.Key == "slow" {
			close(started)
			<-release
		}
		return h.handler(true)(ctx, row, offer)
	}
	// One worker and no idle ones: this is about every worker being busy.
	q := intake.New(store, handler, intake.Options{Workers: 1, IdleWorkers: -1})
	q.Start()
	t.Cleanup(q.Close)
	ctx := context.Background()

	if out := q.Submit(ctx, item("slow"), 0); !out.Stored() {
		t.Fatalf("slow: %+v", out)
	}
	<-started // the only worker is now busy

	form := make(chan intake.Outcome, 1)
	go func() { form <- q.SubmitForReply(ctx, item("form"), 20*time.Second) }()
	// Release the worker only once the form is stored, so it meets a busy worker.
	for deadline := time.Now().Add(20 * time.Second); q.Stats().Stored < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the form was never stored")
		}
	}
	if out := q.Submit(ctx, item("plain"), 20*time.Second); !out.Stored() || out.Replied {
		t.Fatalf("plain submit with the worker busy: %+v; want stored and acknowledged without a reply", out)
	}
	close(release)
	out := <-form
	t.Logf("form outcome %+v", out)
	if !out.Stored() || !out.Replied || out.Reply != "reply to form" {
		t.Fatalf("form submit: %+v; want the worker's reply inside the ack", out)
	}
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"slow", "form", "plain"} {
		if c := h.count(k); c != 1 {
			t.Fatalf("%s handled %d times; want once", k, c)
		}
	}
}

// Once no delivery is arriving, the idle workers join the Workers on the
// backlog: rows left by an earlier process are handled by all of them at once.
func TestIdleWorkersDrainTheBacklog(t *testing.T) {
	store := storagetest.New(t)
	ctx := context.Background()
	var items []storage.InboxItem
	for i := range 8 {
		items = append(items, item(fmt.Sprint("backlog-", i)))
	}
	if _, err := store.AppendInbox(ctx, items); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	inside, most := 0, 0
	release := make(chan struct{})
	all := make(chan struct{})
	var allOnce sync.Once
	q := intake.New(store, func(ctx context.Context, row storage.InboxRow, offer func(any) bool) error {
		mu.Lock()
		inside++
		most = max(most, inside)
		if inside == 4 {
			// Once: after the release the last four rows may be held at
			// once too, and a second close would panic with mu held.
			allOnce.Do(func() { close(all) })
		}
		mu.Unlock()
		<-release
		mu.Lock()
		inside--
		mu.Unlock()
		return nil
	}, intake.Options{Workers: 1, IdleWorkers: 3, Claim: 1})
	q.Start()
	t.Cleanup(q.Close)
	// A failure below must not leave the handlers blocked: Close waits for them.
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free)
	select {
	case <-all: // one worker and three idle ones, each holding a row
	case <-time.After(30 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("at most %d rows handled at once; want 4 (1 worker + 3 idle)", most)
	}
	free()
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if due, err := store.InboxDue(ctx); err != nil || due != 0 {
		t.Fatalf("%d rows still due (%v)", due, err)
	}
}

// With AckFirstWhenStreaming, only a delivery after a quiet moment waits for
// its reply; one right behind another is acknowledged at once and its reply
// follows (the handler is offered nobody), so a steady stream's acks never
// wait for handling. Without it the second waits as the first did.
func TestStreamingAcksDoNotWaitForReplies(t *testing.T) {
	t.Parallel()
	for _, ackFirst := range []bool{true, false} {
		store := storagetest.New(t)
		h := &handled{seen: map[string]int{}}
		q := intake.New(store, h.handler(true), intake.Options{Writers: 1, AckFirstWhenStreaming: ackFirst})
		q.Start()
		ctx := context.Background()
		if err := q.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		first := q.Submit(ctx, item("first"), 5*time.Second)
		second := q.Submit(ctx, item("second"), 5*time.Second)
		if !first.Replied {
			t.Fatalf("ackFirst=%v: the first delivery after a quiet moment: %+v; want its reply in the ack", ackFirst, first)
		}
		if second.Replied == ackFirst {
			t.Fatalf("ackFirst=%v: a delivery right behind another: replied=%v", ackFirst, second.Replied)
		}
		if err := q.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if h.count("second") != 1 {
			t.Fatalf("ackFirst=%v: second handled %d times; want once", ackFirst, h.count("second"))
		}
		q.Close()
	}
}

func (h *handled) total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.seen {
		n += c
	}
	return n
}

// quietAfter is the intake's: how long without a delivery ends a stream.
const quietAfter = 100 * time.Millisecond

// While deliveries stream in, the workers handle rows only inside the floor
// they share with the process's other background work: with every slot held
// elsewhere, stored rows wait (durably) and are handled once the slots come
// back.
func TestWorkersWaitForTheFloorWhileDeliveriesStream(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	h := &handled{seen: map[string]int{}}
	floor := intake.NewFloor(1, 0)
	q := intake.New(store, h.handler(false), intake.Options{Writers: 1, AckFirstWhenStreaming: true, Floor: floor})
	q.Start()
	t.Cleanup(q.Close)
	ctx := context.Background()
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	// The first delivery starts the stream; then the test takes every slot.
	if out := q.Submit(ctx, item("s0"), 0); !out.Stored() {
		t.Fatalf("s0: %+v", out)
	}
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for range 64 {
		floor.Stored(time.Hour) // the acks have slowed: the floor is pressed
	}
	var held []func()
	for {
		floor.Arrived()
		probe, cancel := context.WithTimeout(ctx, time.Millisecond)
		leave, err := floor.Enter(probe)
		cancel()
		if err != nil {
			break // every slot is held
		}
		held = append(held, leave)
	}
	before := h.total()
	// A stream of n deliveries, each stored before the next is sent: time
	// enough for unhindered workers to handle many of them.
	const n = 100
	var widest time.Duration
	last := time.Now()
	for i := range n {
		if out := q.Submit(ctx, item(fmt.Sprint("s", i+1)), 0); !out.Stored() {
			t.Fatalf("s%d: %+v", i+1, out)
		}
		widest = max(widest, time.Since(last))
		last = time.Now()
	}
	// Only while the stream was certainly on throughout (a stalled test
	// machine may have let it end, and then the floor is open by design).
	if got := h.total() - before; widest < quietAfter/2 && got != 0 {
		t.Fatalf("%d rows handled while every floor slot was held during a stream", got)
	}
	for _, leave := range held {
		leave()
	}
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if c := h.count(fmt.Sprint("s", i+1)); c != 1 {
			t.Fatalf("s%d handled %d times; want once", i+1, c)
		}
	}
}

// splitRun stores ten rows (keys prefix0…prefix9) as an earlier process
// would, runs one worker over them in runs of ten with floor, calling during
// as each row is handled, and reports whether row 0 was committed done
// before row 1 was handled, i.e. whether the first run stopped after it.
// Every row must be handled once either way.
func splitRun(t *testing.T, prefix string, floor *intake.Floor, during func(row storage.InboxRow)) bool {
	t.Helper()
	store := storagetest.New(t)
	ctx := context.Background()
	var items []storage.InboxItem
	for i := range 10 {
		items = append(items, item(fmt.Sprint(prefix, i)))
	}
	if _, err := store.AppendInbox(ctx, items); err != nil {
		t.Fatal(err)
	}
	h := &handled{seen: map[string]int{}}
	firstDoneBeforeSecond := make(chan bool, 1)
	handler := func(ctx context.Context, row storage.InboxRow, offer func(any) bool) error {
		during(row)
		if row.Key == prefix+"1" {
			rows, err := store.InboxRows(ctx, "slack")
			if err != nil {
				return err
			}
			firstDoneBeforeSecond <- rows[0].Done
		}
		return h.handler(false)(ctx, row, offer)
	}
	q := intake.New(store, handler, intake.Options{Workers: 1, IdleWorkers: -1, Claim: 10, Poll: 10 * time.Millisecond,
		AckFirstWhenStreaming: true, Floor: floor})
	q.Start()
	t.Cleanup(q.Close)
	if err := q.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if c := h.count(fmt.Sprint(prefix, i)); c != 1 {
			t.Fatalf("%s%d handled %d times; want once", prefix, i, c)
		}
	}
	return <-firstDoneBeforeSecond
}

// slowedAcks tells floor that deliveries stream in and a tick of their
// acks was slow.
func slowedAcks(floor *intake.Floor) {
	floor.Arrived()
	for range 64 {
		floor.Stored(time.Hour)
	}
}

// A run a worker began while the bot was quiet holds no floor slot, so when
// a stream starts during it and its acks slow, it stops between rows: the row
// it had handled is committed, and the rest wait for a run inside the floor.
func TestRunBegunWhileQuietYieldsWhenAStreamStarts(t *testing.T) {
	t.Parallel()
	floor := intake.NewFloor(1, 0)
	// From the first handled row on (background work running) the acks slow.
	if !splitRun(t, "q", floor, func(storage.InboxRow) { slowedAcks(floor) }) {
		t.Fatal("the quiet run went on after a stream began: q0 was not yet committed when q1 was handled")
	}
}

// A run that holds a floor slot while the floor is pressed gives it up
// between rows once it has held it for a turn, so the slot's pause follows
// and the acks get their time in small pieces.
func TestRunHoldingASlotGivesItUpAfterATurn(t *testing.T) {
	t.Parallel()
	floor := intake.NewFloor(1, 0)
	// Background work ran, and the acks slowed: the floor is pressed before
	// the run begins, so the run holds a slot.
	leave, err := floor.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	leave()
	slowedAcks(floor)
	if !splitRun(t, "t", floor, func(row storage.InboxRow) {
		slowedAcks(floor)
		if row.Key == "t0" {
			time.Sleep(20 * time.Millisecond) // a row that takes longer than a turn
		}
	}) {
		t.Fatal("the run kept its slot past its turn: t0 was not yet committed when t1 was handled")
	}
}
