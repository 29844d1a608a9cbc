package intake

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"
)

// Floor keeps the cores the acks need while deliveries stream in. Background
// work — inbox runs, the deliverer's reads and writes — enters the floor
// before it uses the CPU or Postgres and leaves it after. While a delivery
// arrived within the last quietAfter, at most one core fewer than the
// machine has tasks hold the floor at once (at least one), and each slot,
// once left, stays closed for as long as the share leaves of the time it was
// held. Otherwise the floor is open to everyone.
//
// Why a shared floor rather than a pause in each worker: the ack path is a
// chain of hand-offs (HTTP server, writer, Postgres backend, WAL flush), and
// each one waits its turn behind every runnable background thread. Measured
// at 1,200 acks/s on two cores (cmd/intakeload), two inbox workers with ten
// concurrent deliveries put the ack p99 at 26–28 ms; one worker and one
// delivery at a time, 10.6–13.8 ms; none, 6–7 ms — with the machine's CPU
// barely different. How many background tasks run at once mattered more than
// how much they did, and the deliverer, which no worker pause reached, was
// half of it.
type Floor struct {
	slots chan struct{}
	share float64
	last  atomic.Int64 // when a delivery last arrived (UnixNano)
	now   func() time.Time
	// maxPause bounds a slot's pause (a long run would otherwise close it
	// for seconds); tests shorten it.
	maxPause time.Duration
}

// NewFloor makes a floor whose background tasks, while deliveries stream
// in, use the given share of the time of each slot (0 < share ≤ 1; other
// values mean the default, 0.25).
func NewFloor(share float64) *Floor {
	if share <= 0 || share > 1 {
		share = 0.25
	}
	n := max(runtime.NumCPU()-1, 1)
	f := &Floor{slots: make(chan struct{}, n), share: share, now: time.Now, maxPause: time.Second}
	for range n {
		f.slots <- struct{}{}
	}
	return f
}

// Arrived records that a delivery came in now: the floor narrows until
// quietAfter has passed without another.
func (f *Floor) Arrived() { f.last.Store(f.now().UnixNano()) }

// Streaming reports whether a delivery arrived within the last quietAfter
// (false for a nil floor).
func (f *Floor) Streaming() bool {
	if f == nil {
		return false
	}
	return f.now().Sub(time.Unix(0, f.last.Load())) < quietAfter
}

// Enter waits for a slot while deliveries stream in, and returns at once
// when none do. leave must be called when the task's work is done; it is
// never nil when err is nil. err is ctx's error when ctx ends first.
func (f *Floor) Enter(ctx context.Context) (leave func(), err error) {
	leave, _, err = f.enter(ctx)
	return leave, err
}

// enter is Enter that also says whether the task holds a slot (it entered
// while deliveries streamed in).
func (f *Floor) enter(ctx context.Context) (leave func(), held bool, err error) {
	if f == nil {
		return func() {}, false, nil
	}
	for f.Streaming() {
		// Waiting also ends when the stream does: a quiet bot does not keep
		// background work waiting for slots.
		wait := time.NewTimer(quietAfter)
		select {
		case <-f.slots:
			wait.Stop()
			return f.holding(f.now()), true, nil
		case <-wait.C:
		case <-ctx.Done():
			wait.Stop()
			return nil, false, ctx.Err()
		}
	}
	return func() {}, false, nil
}

// holding returns what gives the slot taken at start back: at once when the
// stream has ended, else after the pause the share asks for.
func (f *Floor) holding(start time.Time) func() {
	var once atomic.Bool
	return func() {
		if !once.CompareAndSwap(false, true) {
			return
		}
		busy := f.now().Sub(start)
		pause := time.Duration(float64(busy) * (1 - f.share) / f.share)
		if pause <= 0 || !f.Streaming() {
			f.slots <- struct{}{}
			return
		}
		time.AfterFunc(min(pause, f.maxPause), func() { f.slots <- struct{}{} })
	}
}
