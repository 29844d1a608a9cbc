// Package intake makes every platform delivery durable before it is
// acknowledged, and fast: adapters hand the verified raw payload to Submit,
// which queues it for a group commit (many concurrent deliveries written by one
// multi-row INSERT and one commit) into the inbox table, and returns once it is
// stored. Workers then turn inbox rows into their work, each in the
// transaction that holds the row (see storage.HandleInbox), so nothing
// acknowledged is lost to a crash: a row not marked done is handled again.
//
// The queue in front of the commit is bounded: when it is full Submit answers
// Busy at once, so overload costs a fast refusal, not memory and latency.
package intake

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mspbot/mspbot/storage"
)

// Store is the inbox in Postgres (*storage.Store).
type Store interface {
	AppendInbox(ctx context.Context, items []storage.InboxItem) ([]int64, error)
	HandleInbox(ctx context.Context, id int64, maxAttempts int, backoff func(int) time.Duration,
		fn func(ctx context.Context, row storage.InboxRow) error) error
	HandleInboxBatch(ctx context.Context, ids []int64, maxAttempts int, backoff func(int) time.Duration,
		fn func(ctx context.Context, row storage.InboxRow) error, settle func(context.Context) error) (int, []error, error)
	PendingInbox(ctx context.Context, limit int) ([]int64, error)
	InboxDue(ctx context.Context) (int, error)
}

// Handler does a row's work. offer hands a result to the platform handler
// still waiting to acknowledge this delivery (so its reply can ride in the
// ack); it reports false when nobody waits any more, and then the handler must
// deliver the reply itself. An error leaves the row to be tried again.
type Handler func(ctx context.Context, row storage.InboxRow, offer func(any) bool) error

// Options size the intake. Zero values are production defaults.
type Options struct {
	Queue       int // deliveries waiting for a commit before Submit answers Busy (4096)
	Batch       int // most rows in one commit (256)
	Writers     int // commits in flight at once (4)
	Workers     int // rows handled at once while deliveries arrive (2)
	IdleWorkers int // more workers that handle the backlog once deliveries stop arriving (6; <0: none)
	// Floor, with AckFirstWhenStreaming (where acks do not wait for
	// workers), is what the workers enter before a run, shared with the
	// process's other background work (the deliverer); the intake tells it
	// how long each delivery took to store. nil: a floor of the intake's
	// own, NewFloor(StreamingShare, 0).
	Floor *Floor
	// StreamingShare is the most of a floor slot's time background work
	// may take while acks are slowed (1): see Floor.
	StreamingShare float64
	Claim          int           // most rows a worker claims in one transaction from the backlog (16)
	Poll           time.Duration // how often the drain looks for rows left pending (1 s)
	MaxAttempts    int           // attempts of a failing row before it is put aside (10)
	// AckFirstWhenStreaming: a Submit that comes within quietAfter of the
	// previous one does not wait for its reply (Slack: a slash command's
	// reply reads the same through response_url). Off where the reply can
	// only ride in the first answer (Discord's forms).
	AckFirstWhenStreaming bool
	// Posts, when set, holds back the posts a run of rows queues and queues
	// them together before the run is marked done (jobs.Outbox).
	Posts Collector
	Log   *slog.Logger
}

// Collector holds back what is queued through the context it returns until
// flush (jobs.Outbox.Collect); flush may be called more than once.
type Collector interface {
	Collect(ctx context.Context) (collecting context.Context, flush func(context.Context) error)
}

// Intake is one process's inbox writer and worker pool.
type Intake struct {
	store  Store
	handle Handler
	opts   Options
	log    *slog.Logger

	queue chan *pending
	work  chan task
	kick  chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// replyWaiters holds, by inbox key, the waiters of deliveries that must
	// answer in their ack (SubmitForReply), so a worker that reaches the row
	// through the drain still hands its reply to the waiting handler.
	replyWaiters sync.Map
	// waitersByID holds, by inbox row id, the waiter of every Submit still
	// waiting for its row's reply. The writer registers it as soon as the
	// row is stored, so a worker that reaches the row first through the
	// drain (a batch) still answers the waiting handler.
	waitersByID sync.Map

	busy, stored, dups, commits atomic.Int64
	// lastSubmit is when a delivery last arrived (UnixNano): idle workers
	// wait for a quiet moment after it.
	lastSubmit atomic.Int64
	// active counts Submits and worker tasks in progress (Wait);
	// submitting counts Submits alone.
	active, submitting atomic.Int64
}

type pending struct {
	item storage.InboxItem
	w    *waiter // nil when the caller will not wait for the reply
	done chan appended
}

type appended struct {
	id  int64
	err error
}

// task is one row handed over by a waiting Submit (id, w), or a run of rows
// from the backlog (ids), claimed and marked done together.
type task struct {
	id  int64
	w   *waiter
	ids []int64
}

// New builds an intake; Start runs it.
func New(store Store, handle Handler, opts Options) *Intake {
	if opts.Queue <= 0 {
		opts.Queue = 4096
	}
	if opts.Batch <= 0 {
		opts.Batch = 256
	}
	if opts.Writers <= 0 {
		opts.Writers = 4
	}
	if opts.Workers <= 0 {
		// Enough to keep Slack's and Postgres's latency busy, few enough to
		// leave a small machine's cores to the acks.
		opts.Workers = 2
	}
	if opts.IdleWorkers == 0 {
		opts.IdleWorkers = 6
	}
	if !opts.AckFirstWhenStreaming {
		// Acks wait for the workers' replies: holding workers back would
		// hold the acks back too.
		opts.Floor = nil
	} else if opts.Floor == nil {
		opts.Floor = NewFloor(opts.StreamingShare, 0)
	}
	if opts.Claim <= 0 {
		opts.Claim = 16
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Intake{store: store, handle: handle, opts: opts, log: opts.Log,
		queue: make(chan *pending, opts.Queue), work: make(chan task), kick: make(chan struct{}, 1),
		ctx: ctx, cancel: cancel}
}

// Start runs the writers, the workers and the drain, which first picks up
// whatever an earlier process left pending.
func (q *Intake) Start() {
	for range q.opts.Writers {
		q.go_(q.writer)
	}
	for range q.opts.Workers {
		q.go_(q.worker)
	}
	for range max(q.opts.IdleWorkers, 0) {
		q.go_(q.idleWorker)
	}
	q.go_(q.drain)
	q.Kick()
}

// StartWriters runs the group commit alone, with no workers or drain:
// stored rows wait for a later Start (benchmarks of the storing).
func (q *Intake) StartWriters() {
	for range q.opts.Writers {
		q.go_(q.writer)
	}
}

// Close stops taking deliveries, lets rows being handled finish and returns.
// Rows not handled stay pending for the next start.
func (q *Intake) Close() {
	q.cancel()
	q.wg.Wait()
}

func (q *Intake) go_(fn func()) {
	q.wg.Add(1)
	go func() { defer q.wg.Done(); fn() }()
}

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("intake closed")

// Outcome is what Submit did with a delivery.
type Outcome struct {
	// Busy: the queue was full and nothing was stored; refuse the delivery
	// so the platform (or the person) tries again.
	Busy bool
	// Duplicate: this key was stored before; acknowledge and do nothing.
	Duplicate bool
	// Replied: a worker handled the delivery while Submit waited and Reply
	// is what it offered; otherwise the worker delivers any reply later.
	Replied bool
	Reply   any
	// Err: the delivery could not be stored; refuse it.
	Err error
}

// Stored reports whether the delivery is durable and may be acknowledged.
func (o Outcome) Stored() bool { return !o.Busy && o.Err == nil }

// Submit stores item and returns once it is committed (or refused). When
// wait > 0, no other delivery is being stored and a worker is idle, it hands
// the new row to that worker and waits up to wait for the reply, so a quiet
// bot still answers inside the ack.
func (q *Intake) Submit(ctx context.Context, item storage.InboxItem, wait time.Duration) Outcome {
	return q.submit(ctx, item, wait, false)
}

// SubmitForReply is Submit for a delivery whose answer can only ride in the
// ack (a Slack modal's validation errors): it waits up to wait for the reply
// even when other deliveries are being stored or every worker is busy.
func (q *Intake) SubmitForReply(ctx context.Context, item storage.InboxItem, wait time.Duration) Outcome {
	return q.submit(ctx, item, wait, true)
}

func (q *Intake) submit(ctx context.Context, item storage.InboxItem, wait time.Duration, mustReply bool) Outcome {
	q.active.Add(1)
	defer q.active.Add(-1)
	q.submitting.Add(1)
	defer q.submitting.Add(-1)
	now := time.Now().UnixNano()
	// Another delivery arrived moments ago: the bot is not quiet, so the ack
	// will not wait for this one's reply (below).
	streaming := now-q.lastSubmit.Swap(now) < int64(quietAfter) && q.opts.AckFirstWhenStreaming
	if q.opts.Floor != nil {
		q.opts.Floor.Arrived()
	}
	w := &waiter{reply: make(chan any, 1), fin: make(chan struct{})}
	p := &pending{item: item, done: make(chan appended, 1)}
	if wait > 0 && (mustReply || !streaming) {
		// Only a caller that may wait is registered for its row's reply; a
		// streaming ack is known not to wait before its row is stored.
		p.w = w
	}
	if mustReply {
		// Registered before the row exists, so no worker can handle it unseen.
		q.replyWaiters.Store(item.Key, w)
		defer q.replyWaiters.Delete(item.Key)
	}
	select {
	case <-q.ctx.Done():
		return Outcome{Err: ErrClosed}
	default:
	}
	queued := time.Now()
	select {
	case q.queue <- p:
	default:
		q.busy.Add(1)
		q.opts.Floor.Stored(time.Hour) // a full queue: the acks are as slowed as they get
		return Outcome{Busy: true}
	}
	var r appended
	select {
	case r = <-p.done:
		q.opts.Floor.Stored(time.Since(queued))
	case <-ctx.Done():
		return Outcome{Err: ctx.Err()}
	case <-q.ctx.Done():
		return Outcome{Err: ErrClosed}
	}
	if r.err != nil {
		return Outcome{Err: r.err}
	}
	if r.id == 0 {
		q.dups.Add(1)
		return Outcome{Duplicate: true}
	}
	q.stored.Add(1)
	if p.w != nil {
		defer q.waitersByID.Delete(r.id)
	}
	// Waiting for the reply is for a quiet bot only (one person typing):
	// with other deliveries arriving — being stored now, or (where the
	// adapter allows) one in the last quietAfter — the ack goes out now and
	// the reply follows, so acks never queue behind handling. Under a steady
	// stream that is every ack, not only the ones that happen to overlap.
	if wait <= 0 || ((q.submitting.Load() > 1 || streaming) && !mustReply) {
		return q.abandoned(w)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	if mustReply {
		// Wait for a worker to come free, within the same budget.
		select {
		case q.work <- task{id: r.id, w: w}:
		case v := <-w.reply: // the drain's worker got to the row first
			return Outcome{Replied: true, Reply: v}
		case <-timer.C:
			return q.abandoned(w)
		case <-ctx.Done():
			return q.abandoned(w)
		}
	} else {
		select {
		case q.work <- task{id: r.id, w: w}:
		case v := <-w.reply: // the drain's worker got to the row first
			return Outcome{Replied: true, Reply: v}
		default:
			// Every worker is busy: the drain takes the row in its turn.
			return q.abandoned(w)
		}
	}
	select {
	case v := <-w.reply:
		return Outcome{Replied: true, Reply: v}
	case <-w.fin:
		if w.takenElsewhere.Load() {
			// The drain's worker holds the row; its reply comes to this
			// waiter through waitersByID (or replyWaiters).
			select {
			case v := <-w.reply:
				return Outcome{Replied: true, Reply: v}
			case <-timer.C:
			case <-ctx.Done():
			}
		}
	case <-timer.C:
	case <-ctx.Done():
	}
	if v, ok := w.abandon(); ok {
		return Outcome{Replied: true, Reply: v}
	}
	return Outcome{}
}

// abandoned gives up waiting for a worker: a reply offered meanwhile still
// counts; otherwise the drain handles the row in its turn.
func (q *Intake) abandoned(w *waiter) Outcome {
	if v, ok := w.abandon(); ok {
		return Outcome{Replied: true, Reply: v}
	}
	q.Kick()
	return Outcome{}
}

// Kick wakes the drain to look for pending rows now.
func (q *Intake) Kick() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// Wait returns once nothing is being stored or handled and no row is due
// (tests, and shutdown of tools): rows waiting out a backoff do not count.
func (q *Intake) Wait(ctx context.Context) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if q.active.Load() == 0 {
			n, err := q.store.InboxDue(ctx)
			if err != nil {
				return err
			}
			if n == 0 && q.active.Load() == 0 {
				return nil
			}
			q.Kick()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// Stats are counters since Start (load commands print them) and the
// deliveries waiting for a commit now.
type Stats struct{ Busy, Stored, Duplicates, Commits, Queued int64 }

// Stats returns the counters.
func (q *Intake) Stats() Stats {
	return Stats{Busy: q.busy.Load(), Stored: q.stored.Load(), Duplicates: q.dups.Load(), Commits: q.commits.Load(),
		Queued: int64(len(q.queue))}
}

// writer commits queued deliveries in batches: it takes one, then everything
// else already waiting up to Batch, and writes them in one statement.
func (q *Intake) writer() {
	batch := make([]*pending, 0, q.opts.Batch)
	items := make([]storage.InboxItem, 0, q.opts.Batch)
	for {
		batch, items = batch[:0], items[:0]
		select {
		case p := <-q.queue:
			batch = append(batch, p)
		case <-q.ctx.Done():
			return
		}
	fill:
		for len(batch) < q.opts.Batch {
			select {
			case p := <-q.queue:
				batch = append(batch, p)
			default:
				break fill
			}
		}
		for _, p := range batch {
			items = append(items, p.item)
		}
		// Not q.ctx: a batch taken from the queue is written even while closing,
		// so no caller is left not knowing whether its delivery is stored.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ids, err := q.store.AppendInbox(ctx, items)
		cancel()
		q.commits.Add(1)
		if err != nil {
			q.log.Error("inbox commit failed", "rows", len(batch), "err", err)
		}
		for i, p := range batch {
			if err == nil && p.w != nil && ids[i] != 0 {
				q.waitersByID.Store(ids[i], p.w)
			}
		}
		for i, p := range batch {
			if err != nil {
				p.done <- appended{err: err}
			} else {
				p.done <- appended{id: ids[i]}
			}
		}
	}
}
