package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/mspbot/mspbot/bot"
)

// QueueOutbox is the queue outbound posts wait in. It is their own, so the
// client that works them (see NewOutboxWorkers) never picks up other kinds.
const QueueOutbox = "outbox"

// DeliverArgs is one queued post (the "deliver" job): where it goes, what it
// says, and the request it announces. Key alone makes it unique: enqueueing a
// key that is queued, running, retrying or completed (kept 7 days) is skipped.
type DeliverArgs struct {
	Key           string          `json:"key" river:"unique"`
	To            bot.Destination `json:"to"`
	Messages      []bot.Message   `json:"messages"`
	WorkspaceID   int64           `json:"workspace_id,omitempty"`
	RequestNumber int64           `json:"request_number,omitempty"`
	Else          *bot.Fallback   `json:"else,omitempty"`
}

// Kind is the River job kind.
func (DeliverArgs) Kind() string { return "deliver" }

// deliverMaxAttempts with the default backoff (1 s doubling, capped at 5 min)
// keeps a post trying for about an hour.
const deliverMaxAttempts = 20

// InsertOpts puts deliveries in their queue, unique by key.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueOutbox, MaxAttempts: deliverMaxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Inserter is what the outbox enqueues through (a *Client).
type Inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	InsertManyTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Outbox implements bot.Outbox with River.
type Outbox struct {
	client Inserter
	log    *slog.Logger
}

// NewOutbox queues deliveries through client (which may be insert-only).
func NewOutbox(client Inserter, log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{client: client, log: log}
}

// deliverArgs is d's job. A delivery without a key gets a random one: it is
// never deduplicated, but every job still has a key to log.
func deliverArgs(d bot.Delivery) DeliverArgs {
	if d.Key == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		d.Key = "random/" + hex.EncodeToString(b)
	}
	return DeliverArgs{Key: d.Key, To: d.To, Messages: d.Messages,
		WorkspaceID: d.WorkspaceID, RequestNumber: d.RequestNumber, Else: d.Else}
}

// Enqueue queues d.
func (o *Outbox) Enqueue(ctx context.Context, d bot.Delivery) error {
	args := deliverArgs(d)
	if hold(ctx, args.Key, args) {
		return nil // queued with the rest of the inbox run (Collect)
	}
	res, err := o.client.Insert(ctx, args, nil)
	if err != nil {
		return fmt.Errorf("enqueue delivery %s: %w", args.Key, err)
	}
	if res.UniqueSkippedAsDuplicate {
		o.log.Info("delivery already queued or done", "key", args.Key, "job", res.Job.ID, "state", res.Job.State)
	} else {
		o.log.Debug("delivery queued", "key", args.Key, "job", res.Job.ID)
	}
	return nil
}

// EnqueueTx queues ds in tx, a transaction of the caller's on the database
// the jobs live in: they are posted only if tx commits, and are then as
// durable as the change tx made (storage's Owed). It never holds them for a
// Collect: the point is that they commit with tx.
func (o *Outbox) EnqueueTx(ctx context.Context, tx *sql.Tx, ds ...bot.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ds))
	for i, d := range ds {
		params[i] = river.InsertManyParams{Args: deliverArgs(d)}
	}
	res, err := o.client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return fmt.Errorf("enqueue %d deliveries in a transaction: %w", len(ds), err)
	}
	for i, r := range res {
		if r.UniqueSkippedAsDuplicate {
			o.log.Info("delivery already queued or done", "key", params[i].Args.(DeliverArgs).Key, "job", r.Job.ID, "state", r.Job.State)
		}
	}
	return nil
}

var _ bot.Outbox = (*Outbox)(nil)

// DeliverStore is what the worker reads and writes about requests
// (*storage.Store implements it).
type DeliverStore interface {
	RequestByNumber(ctx context.Context, workspaceID, number int64) (bot.Request, error)
	SetRequestThread(ctx context.Context, requestID int64, channel, thread string) error
	// Delivered and MarkDelivered remember posts by key, so a job run again
	// after a crash (River rescues it) does not post twice.
	Delivered(ctx context.Context, key string) (messageID string, ok bool, err error)
	MarkDelivered(ctx context.Context, key, messageID string) error
}

// DeliverWorker posts queued deliveries through the platform Senders. A failed
// post is retried by River with exponential backoff from RetryBase; a 429's
// Retry-After snoozes the job exactly that long; a permanent refusal cancels it.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Senders bot.Senders
	Store   DeliverStore
	Log     *slog.Logger
	// RetryBase is the first retry's delay; it doubles per attempt up to
	// RetryMax. Defaults: 1 s and 5 min.
	RetryBase, RetryMax time.Duration
	// Floor, when set, is entered around the job's reads and writes (not
	// around the post itself, which waits on the platform, not the CPU), so
	// while acks stream in, posting yields the cores to them.
	Floor Floor
	// Lease, when set, is this process's job lease: a post is made only
	// while it is held, since a process that lost it may have had the job
	// taken up by another (Lease.Held).
	Lease interface{ Held() bool }
}

// errLeaseLost is why a delivery waits: this process does not hold its
// lease, and another may be posting it.
var errLeaseLost = errors.New("this process's job lease is not held: not posting beside another runner")

// Floor is where background work waits while acknowledgements need the
// cores (intake.Floor).
type Floor interface {
	Enter(ctx context.Context) (leave func(), err error)
}

// enter enters the floor, if any.
func (w *DeliverWorker) enter(ctx context.Context) (leave func(), err error) {
	if w.Floor == nil {
		return func() {}, nil
	}
	return w.Floor.Enter(ctx)
}

// Work posts the delivery once. When it announces a request that already has
// a thread recorded, an earlier attempt posted it (and then died before River
// heard): it is not posted again.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	args := job.Args
	log := w.log().With("key", args.Key, "job", job.ID, "attempt", job.Attempt)
	req, posted, err := w.before(ctx, args, log)
	if err != nil || posted {
		return err
	}
	// A later attempt may follow one that posted and died before the post was
	// recorded: a Sender that can find that post by the key returns it.
	// River's snooze (a rate limit) hands the attempt back, so a rerun after
	// one may be attempt 1 again; every fetch adds to attempted_by.
	again := job.Attempt > 1 || len(job.AttemptedBy) > 1
	if w.Lease != nil && !w.Lease.Held() {
		log.Warn("delivery held back", "err", errLeaseLost)
		return errLeaseLost
	}
	sendCtx := bot.WithDelivery(bot.CallerRetries(ctx), args.Key, again, job.CreatedAt)
	id, err := w.Senders.Send(sendCtx, args.To, args.Messages...)
	if de, ok := bot.AsDeliveryError(err); ok && de.Permanent && args.Else != nil {
		log.Info("delivery refused; posting its fallback instead", "err", err)
		id, err = w.Senders.Send(bot.WithDelivery(bot.CallerRetries(ctx), args.Key+"/else", again, job.CreatedAt), args.Else.To, args.Else.Messages...)
	}
	if err != nil {
		if de, ok := bot.AsDeliveryError(err); ok {
			switch {
			case de.Permanent:
				log.Error("delivery refused; giving up", "err", err)
				return river.JobCancel(err)
			case de.RetryAfter > 0:
				log.Warn("delivery rate limited; waiting", "retry_after", de.RetryAfter)
				return river.JobSnooze(de.RetryAfter)
			}
		}
		if bot.ErrorCode(err) == bot.EInvalid {
			return river.JobCancel(err)
		}
		log.Warn("delivery failed; will retry", "err", err)
		return err
	}
	log.Info("delivered", "platform", args.To.Platform, "channel", args.To.Channel, "message", id)
	// Recorded at once: from here on a rerun of this job finds the post made.
	// The window left is this one statement (and the floor's wait before it,
	// which never fails); nothing returns an error below, since a retry would
	// post again.
	after := context.WithoutCancel(ctx)
	leave, _ := w.enter(after)
	err = w.Store.MarkDelivered(after, args.Key, id)
	leave()
	if err != nil {
		log.Error("cannot record the post; a rerun of this job would post again", "err", err)
	}
	if req == nil || id == "" {
		return nil
	}
	// The post is out: from here on nothing returns an error, since a retry
	// would post it twice. A request left without its thread is only logged.
	channel, thread := args.To.Channel, args.To.Thread
	if thread == "" {
		thread = id
	}
	if f, ok := w.Senders[args.To.Platform].(bot.Follower); ok {
		channel, thread, err = f.Follow(ctx, args.To, id, *req)
		if err != nil {
			log.Warn("request thread not started", "request", req.Number, "err", err)
			return nil
		}
	}
	if thread == "" {
		return nil
	}
	leave, _ = w.enter(after)
	err = w.Store.SetRequestThread(after, req.ID, channel, thread)
	leave()
	if err != nil {
		log.Error("cannot record request thread", "request", req.Number, "err", err)
	}
	return nil
}

// before reads, inside the floor, what decides whether the delivery is
// posted: posted reports that an earlier run posted it already; req is the
// request it announces, if any.
func (w *DeliverWorker) before(ctx context.Context, args DeliverArgs, log *slog.Logger) (req *bot.Request, posted bool, err error) {
	leave, err := w.enter(ctx)
	if err != nil {
		return nil, false, err
	}
	defer leave()
	if id, done, err := w.Store.Delivered(ctx, args.Key); err != nil {
		return nil, false, err
	} else if done {
		log.Info("posted before (the job ran again after a crash); not posting again", "message", id)
		return nil, true, nil
	}
	if args.RequestNumber == 0 {
		return nil, false, nil
	}
	r, err := w.Store.RequestByNumber(ctx, args.WorkspaceID, args.RequestNumber)
	if err != nil {
		if bot.ErrorCode(err) == bot.ENotFound {
			return nil, false, river.JobCancel(err)
		}
		return nil, false, err
	}
	if r.Thread != "" {
		log.Info("request already follows a thread; not posting again", "request", r.Number)
		return nil, true, nil
	}
	return &r, false, nil
}

// NextRetry backs off exponentially from RetryBase.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	base, max := w.RetryBase, w.RetryMax
	if base <= 0 {
		base = time.Second
	}
	if max <= 0 {
		max = 5 * time.Minute
	}
	d := base
	for i := 1; i < job.Attempt && d < max; i++ {
		d *= 2
	}
	return time.Now().Add(min(d, max))
}

// Timeout bounds one attempt; a post is one or two HTTP calls. It stays well
// under RescueAfter, so a job still running is never taken for a stuck one.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return 30 * time.Second }

func (w *DeliverWorker) log() *slog.Logger {
	if w.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Log
}

// NewDeliverer makes a client that works the outbox queue, and only it, with w.
func NewDeliverer(db *sql.DB, w *DeliverWorker, log *slog.Logger, opts Options) (*Client, error) {
	workers := river.NewWorkers()
	AddWorker(workers, w)
	opts.Queues = []string{QueueOutbox}
	return New(db, workers, log, opts)
}
