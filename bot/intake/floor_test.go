package intake

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// floorAt makes a floor whose clock reads *at (UnixNano), so a test decides
// when deliveries stream and when they stopped.
func floorAt(share float64, at *atomic.Int64) *Floor {
	f := NewFloor(share, 0)
	f.now = func() time.Time { return time.Unix(0, at.Load()) }
	return f
}

// press makes every ack of a tick slow while background work runs: the
// share halves.
func press(f *Floor) {
	f.touched.Store(true)
	for range tickAcks {
		f.Stored(time.Hour)
	}
}

// fitBackToOne has deliveries keep arriving, a millisecond apart, with
// fast acks, until the share is back at one.
func fitBackToOne(f *Floor, at *atomic.Int64) {
	for f.Share() < 1 {
		at.Add(int64(time.Millisecond))
		f.Arrived()
		for range tickAcks {
			f.Stored(DefaultAckBudget / 2)
		}
	}
}

func enterAll(t *testing.T, f *Floor, n int) []func() {
	t.Helper()
	var leaves []func()
	for range n {
		leave, err := f.Enter(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, leave)
	}
	return leaves
}

// cancelled is a context that has ended: Enter with it fails exactly when it
// would have to wait for a slot.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// A quiet bot's background work never waits, however much of it there is.
func TestFloorIsOpenWhileNoDeliveriesArrive(t *testing.T) {
	var at atomic.Int64
	at.Store(time.Now().UnixNano())
	f := floorAt(0.25, &at)
	leaves := enterAll(t, f, 3*cap(f.slots)+1)
	if _, err := f.Enter(cancelled()); err != nil {
		t.Fatalf("quiet floor made work wait: %v", err)
	}
	for _, l := range leaves {
		l()
	}
}

// While deliveries stream in and their acks have slowed, at most one core
// fewer than the machine has (at least one) background tasks hold the
// floor; a slot held for no time has nothing to pause for and lets the next
// one in at once.
func TestFloorBoundsBackgroundWorkWhileAcksAreSlowed(t *testing.T) {
	var at atomic.Int64
	at.Store(time.Now().UnixNano())
	f := floorAt(1, &at)
	f.Arrived()
	if f.Pressed() {
		t.Fatal("the floor is pressed before any ack slowed")
	}
	press(f)
	if got := cap(f.slots); got < 1 {
		t.Fatalf("%d slots", got)
	}
	leaves := enterAll(t, f, cap(f.slots))
	if _, err := f.Enter(cancelled()); err == nil {
		t.Fatal("a task entered a full floor while deliveries streamed in")
	}
	leaves[0]()
	leaves[0]() // leaving twice gives back one slot
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	leave, err := f.Enter(ctx)
	if err != nil {
		t.Fatalf("the slot given back was not taken: %v", err)
	}
	if _, err := f.Enter(cancelled()); err == nil {
		t.Fatal("leaving twice gave back two slots")
	}
	leave()
	for _, l := range leaves[1:] {
		l()
	}
}

// A slot stays closed after its task for as long as the share leaves of the
// time it was held, so background work takes that share of it.
func TestFloorSlotPausesForWhatTheShareLeaves(t *testing.T) {
	var at atomic.Int64
	start := time.Now().UnixNano()
	at.Store(start)
	f := floorAt(0.5, &at)
	f.maxPause = 300 * time.Millisecond
	f.Arrived()
	leaves := enterAll(t, f, cap(f.slots))
	// Held for 50 ms of the floor's time while deliveries kept arriving: the
	// slot pauses 50 ms (share 0.5), bounded by maxPause.
	at.Store(start + int64(50*time.Millisecond))
	f.Arrived()
	began := time.Now()
	leaves[0]()
	if _, err := f.Enter(cancelled()); err == nil && time.Since(began) < 40*time.Millisecond {
		t.Fatal("the slot came back before its pause")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	leave, err := f.Enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited < 40*time.Millisecond {
		t.Fatalf("the slot came back after %v, before its 50 ms pause", waited)
	}
	leave()
	for _, l := range leaves[1:] {
		l()
	}
}

// Work waiting for a slot goes ahead once deliveries stop arriving, and a
// slot left after the stream ended comes back at once.
func TestFloorOpensWhenTheStreamStops(t *testing.T) {
	var at atomic.Int64
	start := time.Now().UnixNano()
	at.Store(start)
	f := floorAt(0.01, &at)
	f.Arrived()
	leaves := enterAll(t, f, cap(f.slots))
	entered := make(chan error, 1)
	go func() {
		_, err := f.Enter(context.Background())
		entered <- err
	}()
	at.Store(start + int64(quietAfter)) // no delivery for quietAfter
	select {
	case err := <-entered:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("work still waits for a slot after the stream stopped")
	}
	for _, l := range leaves {
		l() // quiet: back at once, no pause
	}
	if len(f.slots) != cap(f.slots) {
		t.Fatalf("%d of %d slots back after the stream stopped", len(f.slots), cap(f.slots))
	}
}

// A nil floor (no floor configured) never waits.
func TestNilFloorNeverWaits(t *testing.T) {
	var f *Floor
	leave, err := f.Enter(cancelled())
	if err != nil || leave == nil {
		t.Fatalf("nil floor: %v", err)
	}
	leave()
}

// The share follows the acks: each tick with more than one slow ack in
// twenty halves it (not below minShare), each other tick raises it by a
// tenth up to the ceiling.
func TestFloorShareFitsTheAcks(t *testing.T) {
	var at atomic.Int64
	at.Store(time.Now().UnixNano())
	f := floorAt(1, &at)
	f.Arrived()
	fast := func() {
		for range tickAcks {
			f.Stored(DefaultAckBudget / 2)
		}
	}
	press(f)
	if got := f.Share(); got != 0.125 || !f.Pressed() {
		t.Fatalf("after a tick of slow acks: share %v pressed %v; want 0.125 (an eighth), pressed", got, f.Pressed())
	}
	// Some acks slowed, fewer than half: the share halves.
	f.touched.Store(true)
	for i := range tickAcks {
		took := DefaultAckBudget / 2
		if i < tickAcks/4 {
			took = time.Hour
		}
		f.Stored(took)
	}
	if got := f.Share(); got != 0.0625 {
		t.Fatalf("after a tick with a quarter of its acks slow: share %v; want 0.0625 (half)", got)
	}
	for range 20 {
		press(f)
	}
	if got := f.Share(); got != minShare {
		t.Fatalf("after many slow ticks: share %v; want the floor's minimum %v", got, minShare)
	}
	// One slow ack in 32 is within one in twenty: a good tick.
	for i := range tickAcks {
		took := DefaultAckBudget / 2
		if i < 1 {
			took = time.Hour
		}
		f.Stored(took)
	}
	if got := f.Share(); got <= minShare {
		t.Fatalf("a tick with 1 slow ack in 32 lowered the share to %v", got)
	}
	for range 100 {
		fast()
	}
	if got := f.Share(); got != 1 {
		t.Fatalf("after many fast ticks: share %v; want 1", got)
	}
	// Slow acks while no background work ran are not the floor's to cure:
	// the share rises.
	press(f)
	before := f.Share()
	for range tickAcks {
		f.Stored(time.Hour)
	}
	if got := f.Share(); got <= before {
		t.Fatalf("a slow tick without background work moved the share from %v to %v; want it raised", before, got)
	}
	// A tick also ends after tickEvery with fewer acks.
	g := floorAt(0.5, &at)
	g.touched.Store(true)
	g.Stored(time.Hour)
	at.Add(int64(tickEvery))
	g.Stored(time.Hour)
	if got := g.Share(); got != 0.0625 {
		t.Fatalf("a 50 ms tick of two slow acks: share %v; want 0.0625 (an eighth of the ceiling 0.5)", got)
	}
}

// A task still waiting for a slot takes nothing from the acks: it does not
// count as background work that ran, so slow acks meanwhile raise the share.
func TestFloorWaitingTasksAreNotBackgroundWork(t *testing.T) {
	var at atomic.Int64
	start := time.Now().UnixNano()
	at.Store(start)
	f := floorAt(1, &at)
	f.maxPause = time.Hour
	f.Arrived()
	press(f)
	leaves := enterAll(t, f, cap(f.slots))
	at.Store(start + int64(time.Minute)) // held a minute: each slot pauses for long
	f.Arrived()
	for _, l := range leaves {
		l()
	}
	f.touched.Store(false)
	if _, err := f.Enter(cancelled()); err == nil {
		t.Fatal("a task entered a floor whose every slot is pausing")
	}
	if f.touched.Load() || f.inside.Load() != 0 {
		t.Fatalf("a task that never got a slot counted as background work (touched %v, inside %d)", f.touched.Load(), f.inside.Load())
	}
	before := f.Share()
	for range tickAcks {
		f.Stored(time.Hour)
	}
	if got := f.Share(); got <= before {
		t.Fatalf("slow acks while background work only waited moved the share from %v to %v; want it raised", before, got)
	}
}

// A share cut during a stream and fitted back to one leaves the floor in
// slots (held without pause) until the stream ends, or for stickAfterCut
// after the last cut if it does not; the next stream starts with the floor
// open. Opening it in mid-stream let every background task in
// at once, and the acks slowed together each time.
func TestFloorCutDuringAStreamKeepsItsSlotsForAWhile(t *testing.T) {
	var at atomic.Int64
	start := time.Now().UnixNano()
	at.Store(start)
	f := floorAt(1, &at)
	f.Arrived()
	if f.Pressed() {
		t.Fatal("pressed before any ack slowed")
	}
	press(f)
	fitBackToOne(f, &at)
	if !f.Pressed() {
		t.Fatal("the share climbed back to one and the floor opened in the middle of the stream")
	}
	leaves := enterAll(t, f, cap(f.slots))
	if _, err := f.Enter(cancelled()); err == nil {
		t.Fatal("a task entered past the slots after a cut in this stream")
	}
	for _, l := range leaves {
		l() // share one: no pause
	}
	if len(f.slots) != cap(f.slots) {
		t.Fatalf("%d of %d slots back at share one; want all, without pause", len(f.slots), cap(f.slots))
	}
	// The stream ends; the next one begins with an open floor.
	at.Add(int64(quietAfter))
	f.Arrived()
	if f.Pressed() {
		t.Fatal("a new stream inherited the last stream's cut")
	}
	leaves = enterAll(t, f, 3*cap(f.slots))
	for _, l := range leaves {
		l()
	}

	// A stream that never ends (steady traffic) keeps the slots only for
	// stickAfterCut after its last cut.
	press(f)
	fitBackToOne(f, &at)
	for end := at.Load() + int64(stickAfterCut); at.Load() < end; {
		if !f.Pressed() {
			t.Fatal("the floor opened sooner than stickAfterCut after its last cut")
		}
		at.Add(int64(quietAfter / 2)) // deliveries keep coming
		f.Arrived()
	}
	if f.Pressed() {
		t.Fatalf("still in slots %v after the last cut of a steady stream", stickAfterCut)
	}
}
