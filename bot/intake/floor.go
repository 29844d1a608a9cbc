package intake

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Floor keeps the cores the acks need. Background work — inbox runs, the
// deliverer's reads and writes — enters the floor before it uses the CPU or
// Postgres and leaves it after. The floor watches how long the acks take to
// store their deliveries (Stored) and sets the share of the time background
// work may take from them: while deliveries stream in and the share is below
// one (or was cut during the stream, recently), at most one core fewer than
// the machine has tasks hold the floor at once (at least one), and each slot,
// once left, stays closed for as long as the share leaves of the time it was
// held. Otherwise the floor is open.
//
// The share is fitted, not set: each tick (50 ms or 32 acks) in which more
// than one ack in twenty took longer than its budget to store while
// background work ran halves it (more than half of them: an eighth, so a
// burst that begins while the share is high is met within a tick or two),
// and each other tick raises it by a tenth, up to its ceiling. A fixed share was wrong both ways: 0.25 left replies
// lagging at 300 deliveries/s on a machine with cores to spare (the workers
// handled 99/s), and was still too much at 1,200/s. A slow tick in which no
// background work ran says the acks are slowed by something else (another
// process, a checkpoint) that holding the work back would not cure, so it
// does not lower the share: under a steady outside load the share settles
// where about one tick in eight has background work (share·ln 2 ≈
// (1−share)·ln 1.1), and replies keep coming.
//
// Why a shared floor rather than a pause in each worker: the ack path is a
// chain of hand-offs (HTTP server, writer, Postgres backend, WAL flush), and
// each one waits its turn behind every runnable background thread. Measured
// at 1,200 acks/s on two cores (cmd/intakeload), two inbox workers with ten
// concurrent deliveries put the ack p99 at 26–109 ms; one worker and one
// delivery at a time, 10.6–13.8 ms; none, 6–14 ms — with the machine's CPU
// barely different. How many background tasks run at once mattered more than
// how much they did, and the deliverer, which no worker pause reached, was
// half of it.
type Floor struct {
	slots   chan struct{}
	budget  time.Duration // storing slower than this counts as a slowed ack
	ceiling float64       // the most the share may reach (1: the floor may open fully)
	share   atomic.Uint64 // math.Float64bits of the fitted share
	last    atomic.Int64  // when a delivery last arrived (UnixNano)
	// streamStart is when the current stream of deliveries began, cutAt
	// when the share was last cut (UnixNano): a cut during the stream keeps
	// the floor in slots for the rest of it.
	streamStart, cutAt atomic.Int64
	now                func() time.Time
	// maxPause bounds a slot's pause (a long run would otherwise close it
	// for seconds); tests shorten it.
	maxPause time.Duration

	// inside counts background tasks between enter and leave; touched is
	// set by every enter: together they say whether background work ran
	// during the current tick.
	inside  atomic.Int64
	touched atomic.Bool

	mu                 sync.Mutex // the current tick
	tickStart          time.Time
	tickAcks, tickSlow int
}

const (
	// DefaultAckBudget is how long storing a delivery may take before the
	// floor counts the ack as slowed. It sets the trade between acks and
	// replies; at 1,200 deliveries/s on two cores (cmd/intakeload, two runs
	// each): 2 ms kept the ack p99 at 6.0 ms with the workers handling
	// 2–6 rows/s; 3 ms, 6.1–7.2 ms with 53–73/s; 5 ms, 10.1–13.7 ms with
	// 127–155/s; 10 ms, 15.6–17.1 ms with 191–308/s. 3 ms holds the 10 ms
	// p99 the acks are held to with room for HTTP and the network.
	DefaultAckBudget = 3 * time.Millisecond
	// minShare keeps background work going, slowly, under any stream: the
	// replies of a long burst still trickle out.
	minShare  = 1.0 / 64
	tickAcks  = 32
	tickEvery = 50 * time.Millisecond
	// stickAfterCut is how long after its last cut the floor keeps its
	// slots once the share is back at one (at 1,200 deliveries/s the share
	// is cut every second or two while background work runs).
	stickAfterCut = 10 * time.Second
)

// NewFloor makes a floor whose share may rise up to ceiling (0 < ceiling ≤
// 1; other values mean 1) and that counts an ack as slowed when storing it
// took longer than budget (≤ 0: DefaultAckBudget). It starts at the ceiling
// and falls as soon as acks slow down.
func NewFloor(ceiling float64, budget time.Duration) *Floor {
	if ceiling <= 0 || ceiling > 1 {
		ceiling = 1
	}
	if budget <= 0 {
		budget = DefaultAckBudget
	}
	n := max(runtime.NumCPU()-1, 1)
	f := &Floor{slots: make(chan struct{}, n), budget: budget, ceiling: ceiling, now: time.Now, maxPause: time.Second}
	f.share.Store(math.Float64bits(ceiling))
	for range n {
		f.slots <- struct{}{}
	}
	return f
}

// Arrived records that a delivery came in now.
func (f *Floor) Arrived() {
	now := f.now().UnixNano()
	if now-f.last.Load() >= int64(quietAfter) {
		f.streamStart.Store(now)
	}
	f.last.Store(now)
}

// Stored records how long a delivery took to store, and at the end of a
// tick fits the share to it.
func (f *Floor) Stored(took time.Duration) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.tickStart.IsZero() {
		f.tickStart = now
	}
	f.tickAcks++
	if took > f.budget {
		f.tickSlow++
	}
	if f.tickAcks < tickAcks && now.Sub(f.tickStart) < tickEvery {
		return
	}
	share := f.Share()
	ran := f.touched.Swap(false) || f.inside.Load() > 0
	switch {
	case ran && f.tickSlow*2 > f.tickAcks:
		// Most acks slowed: a burst began while the share was high; a
		// halving a tick would let it slow acks for several ticks more.
		share = max(share/8, minShare)
	case ran && f.tickSlow*20 > f.tickAcks:
		share = max(share/2, minShare)
	default:
		share = min(share*1.1, f.ceiling)
	}
	if share < f.Share() {
		f.cutAt.Store(now.UnixNano())
	}
	f.share.Store(math.Float64bits(share))
	f.tickStart, f.tickAcks, f.tickSlow = now, 0, 0
}

// Share is the share of a slot's time background work may take now.
func (f *Floor) Share() float64 { return math.Float64frombits(f.share.Load()) }

// Streaming reports whether a delivery arrived within the last quietAfter
// (false for a nil floor).
func (f *Floor) Streaming() bool {
	if f == nil {
		return false
	}
	return f.now().Sub(time.Unix(0, f.last.Load())) < quietAfter
}

// Pressed reports whether background work must hold a slot now: deliveries
// stream in and their acks have slowed (the share is below one), or the
// share was cut during this stream, less than stickAfterCut ago. The second clause is what
// keeps the share's probing gentle: a share that climbs back to one within
// the stream leaves one slot held without pause, not an open floor. Opening
// it let every worker and delivery in at once, and each time (about every
// 1.2 s at 1,200 deliveries/s) a few dozen acks slowed together, which
// decided the p99 (6.2–10.7 ms; 4.9–7.2 ms with this, and the workers
// handled 490–820 rows/s in the burst instead of 320–430).
//
// The slots stay for stickAfterCut after the last cut, not for the rest of
// the stream: steady traffic of ten deliveries a second is a stream that
// never ends, and one cut would have held background work to its slots for
// the day.
func (f *Floor) Pressed() bool {
	if !f.Streaming() {
		return false
	}
	if f.Share() < 1 {
		return true
	}
	cut := f.cutAt.Load()
	return cut >= f.streamStart.Load() && f.now().UnixNano()-cut < int64(stickAfterCut)
}

// Enter waits for a slot while the floor is pressed, and returns at once
// otherwise. leave must be called when the task's work is done; it is never
// nil when err is nil. err is ctx's error when ctx ends first.
func (f *Floor) Enter(ctx context.Context) (leave func(), err error) {
	leave, _, err = f.enter(ctx)
	return leave, err
}

// enter is Enter that also says whether the task holds a slot.
func (f *Floor) enter(ctx context.Context) (leave func(), held bool, err error) {
	if f == nil {
		return func() {}, false, nil
	}
	for f.Pressed() {
		// Waiting also ends when the pressure does: a quiet bot does not
		// keep background work waiting for slots.
		wait := time.NewTimer(quietAfter)
		select {
		case <-f.slots:
			wait.Stop()
			f.running()
			return f.holding(f.now()), true, nil
		case <-wait.C:
		case <-ctx.Done():
			wait.Stop()
			return nil, false, ctx.Err()
		}
	}
	f.running()
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			f.inside.Add(-1)
		}
	}, false, nil
}

// running counts a task that passed the floor (not one still waiting for a
// slot: that one takes nothing from the acks).
func (f *Floor) running() {
	f.inside.Add(1)
	f.touched.Store(true)
}

// holding returns what gives the slot taken at start back: at once when the
// floor is no longer pressed, else after the pause the share asks for.
func (f *Floor) holding(start time.Time) func() {
	var once atomic.Bool
	return func() {
		if !once.CompareAndSwap(false, true) {
			return
		}
		f.inside.Add(-1)
		busy := f.now().Sub(start)
		share := f.Share()
		pause := time.Duration(float64(busy) * (1 - share) / share)
		if pause <= 0 || !f.Pressed() {
			f.slots <- struct{}{}
			return
		}
		time.AfterFunc(min(pause, f.maxPause), func() { f.slots <- struct{}{} })
	}
}
