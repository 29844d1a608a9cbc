package intake

import (
	"context"
	"errors"
	"time"

	"github.com/mspbot/mspbot/storage"
)

// The workers: stored rows handed over by Submit or found by the drain are
// handled, each in the transaction that holds it (storage.HandleInbox), or
// a run of them in one (storage.HandleInboxBatch).

func (q *Intake) worker() {
	for {
		if !q.takeOne() {
			return
		}
	}
}

// takeOne handles the next task handed over; false once the intake closes.
// A task no ack waits for enters the floor first (see Floor), so while
// deliveries stream in the acks keep the cores they need.
func (q *Intake) takeOne() bool {
	select {
	case t := <-q.work:
		q.active.Add(1)
		defer q.active.Add(-1)
		leave, held := func() {}, false
		if t.w == nil {
			var err error
			if leave, held, err = q.opts.Floor.enter(q.ctx); err != nil {
				// Closing: the rows stay pending for the next start.
				return false
			}
		}
		// A run stops between rows (the rest stay pending) when the floor
		// is pressed and the run either began while it was open, holding
		// no slot — so a burst after a quiet moment does not find every
		// worker deep in a run (most of the slow acks of a 1,200/s phase
		// were in its first 150 ms, behind the idle workers' runs of the
		// phase before) — or has held its slot for a turn: the slot's pause
		// is proportional to how long it was held, so a long run would
		// take the acks' time in one piece, and beyond the pause's bound.
		entered := time.Now()
		yield := func() bool {
			return q.opts.Floor.Pressed() && (!held || time.Since(entered) >= floorTurn)
		}
		q.process(t, yield) // only runs (t.ids) yield; a task an ack waits for is one row
		leave()
		return true
	case <-q.ctx.Done():
		return false
	}
}

// floorTurn is how long a run may hold a floor slot while the floor is
// pressed before it gives the slot up between rows: a scheduler's time
// slice, short beside a person's wait for a reply.
const floorTurn = 10 * time.Millisecond

// quietAfter is how long no delivery must have arrived before idle workers
// join in.
const quietAfter = 100 * time.Millisecond

// idleWorker is a worker that yields to the acks: handling rows competes
// with storing and acknowledging new deliveries for the same cores and
// Postgres, so while deliveries arrive only the Workers handle rows (the
// backlog waits, durably), and once they stop, these join in to drain it.
func (q *Intake) idleWorker() {
	for {
		for {
			idle := time.Since(time.Unix(0, q.lastSubmit.Load()))
			if idle >= quietAfter {
				break
			}
			t := time.NewTimer(quietAfter - idle)
			select {
			case <-t.C:
			case <-q.ctx.Done():
				t.Stop()
				return
			}
		}
		if !q.takeOne() {
			return
		}
	}
}

func (q *Intake) process(t task, yield func() bool) {
	if t.w != nil {
		defer close(t.w.fin)
	}
	// Rows are finished even while closing: their transaction must commit or
	// roll back, never be cut off half way through a post.
	ctx := context.WithoutCancel(q.ctx)
	handle := func(ctx context.Context, row storage.InboxRow) error {
		if t.ids != nil && yield() {
			return storage.ErrInboxYield
		}
		defer func() {
			if p := recover(); p != nil {
				q.log.Error("inbox handler panicked", "id", row.ID, "kind", row.Kind, "panic", p)
			}
		}()
		w := t.w
		if w == nil {
			if v, ok := q.waitersByID.Load(row.ID); ok {
				w = v.(*waiter)
			} else if v, ok := q.replyWaiters.Load(row.Key); ok {
				w = v.(*waiter)
			}
		}
		return q.handle(ctx, row, w.offer)
	}
	if t.ids != nil {
		var settle func(context.Context) error
		if q.opts.Posts != nil {
			ctx, settle = q.opts.Posts.Collect(ctx)
			// Posts queued after the run (a goroutine its handling started)
			// are inserted one by one, as are those of a run that failed
			// before settling: its rows are handled again anyway.
			defer func() {
				if err := settle(context.WithoutCancel(q.ctx)); err != nil {
					q.log.Warn("posts queued after their inbox run", "err", err)
				}
			}()
		}
		_, failed, err := q.store.HandleInboxBatch(ctx, t.ids, q.opts.MaxAttempts, backoff, handle, settle)
		for _, f := range failed {
			q.log.Warn("inbox row failed; it will be tried again", "err", f)
		}
		if err != nil {
			// The batch rolled back: its rows are pending again, and the
			// drain hands them over on its next look.
			q.log.Warn("inbox batch failed; its rows will be tried again", "rows", len(t.ids), "err", err)
		}
		return
	}
	err := q.store.HandleInbox(ctx, t.id, q.opts.MaxAttempts, backoff, handle)
	switch {
	case err == nil:
	case errors.Is(err, storage.ErrInboxTaken):
		if t.w != nil {
			t.w.takenElsewhere.Store(true)
		}
	default:
		q.log.Warn("inbox row failed; it will be tried again", "id", t.id, "err", err)
	}
}

// backoff is 1 s doubling per attempt, capped at 5 minutes.
func backoff(attempt int) time.Duration {
	d := time.Second
	for i := 1; i < attempt && d < 5*time.Minute; i++ {
		d *= 2
	}
	return min(d, 5*time.Minute)
}

// drain hands pending rows to the workers: at start (rows a crashed process
// left), when a handler found every worker busy, and every Poll for rows
// whose backoff ended.
func (q *Intake) drain() {
	tick := time.NewTicker(q.opts.Poll)
	defer tick.Stop()
	const page = 64
	for {
		select {
		case <-q.kick:
		case <-tick.C:
		case <-q.ctx.Done():
			return
		}
		for {
			ids, err := q.store.PendingInbox(q.ctx, page)
			if err != nil {
				if q.ctx.Err() == nil {
					q.log.Warn("inbox drain", "err", err)
				}
				break
			}
			// Runs of rows, each claimed and marked done in one transaction;
			// small enough that every worker gets some of a short page.
			run := max(1, min(q.opts.Claim, (len(ids)+q.opts.Workers-1)/q.opts.Workers))
			for i := 0; i < len(ids); i += run {
				select {
				case q.work <- task{ids: ids[i:min(i+run, len(ids))]}:
				case <-q.ctx.Done():
					return
				}
			}
			if len(ids) < page {
				break
			}
		}
	}
}
