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
	f := NewFloor(share)
	f.now = func() time.Time { return time.Unix(0, at.Load()) }
	return f
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

// While deliveries stream in, at most one core fewer than the machine has
// (at least one) background tasks hold the floor; a slot given back with
// nothing to pause for (share 1) lets the next one in.
func TestFloorBoundsBackgroundWorkWhileDeliveriesStream(t *testing.T) {
	var at atomic.Int64
	at.Store(time.Now().UnixNano())
	f := floorAt(1, &at)
	f.Arrived()
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
