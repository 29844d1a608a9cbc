package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
)

// EventsKeptFor is how long platform delivery claims are kept: platforms stop
// retrying a delivery after minutes, so a day of history is plenty.
const EventsKeptFor = 24 * time.Hour

// PruneEvery is how often maintenance runs.
const PruneEvery = time.Hour

// PruneEventsArgs forgets platform delivery claims older than EventsKeptFor.
type PruneEventsArgs struct{}

// Kind implements river.JobArgs.
func (PruneEventsArgs) Kind() string { return "maintenance_prune_events" }

// EventPruner deletes delivery claims received before a time, inbox rows
// handled before it, and records of posts made before it; *storage.Store is one.
type EventPruner interface {
	PruneEvents(ctx context.Context, before time.Time) (int64, error)
	PruneInbox(ctx context.Context, before time.Time) (int64, error)
	PruneDelivered(ctx context.Context, before time.Time) (int64, error)
}

// DeliveredKeptFor is how long a post's record is kept: deliver jobs give up
// after about an hour, so a week is plenty.
const DeliveredKeptFor = 7 * 24 * time.Hour

type pruneEventsWorker struct {
	river.WorkerDefaults[PruneEventsArgs]
	store EventPruner
	clock bot.Clock
	log   *slog.Logger
}

func (w *pruneEventsWorker) Work(ctx context.Context, job *river.Job[PruneEventsArgs]) error {
	n, err := w.store.PruneEvents(ctx, w.clock.Now().Add(-EventsKeptFor))
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Debug("pruned platform events", "count", n)
	}
	// A handled inbox row is kept as long as a claim: a late retry is still
	// recognised as a duplicate.
	if n, err = w.store.PruneInbox(ctx, w.clock.Now().Add(-EventsKeptFor)); err != nil {
		return err
	}
	if n > 0 {
		w.log.Debug("pruned inbox", "count", n)
	}
	if n, err = w.store.PruneDelivered(ctx, w.clock.Now().Add(-DeliveredKeptFor)); err != nil {
		return err
	}
	if n > 0 {
		w.log.Debug("pruned delivered posts", "count", n)
	}
	return nil
}

// Housekeeper is what maintenance needs from storage; *storage.Store is one.
type Housekeeper interface {
	EventPruner
	ResolvedCloser
}

// RegisterMaintenance adds the housekeeping workers (pruning, closing resolved
// requests: autoclose.go) and returns their periodic jobs: run at start and
// hourly by the leader, one per hour however many instances run, instead of a
// ticker in every process.
// senders tell requesters their resolved request closed (nil: nobody is told).
func RegisterMaintenance(workers *river.Workers, store Housekeeper, senders bot.Senders, clock bot.Clock, log *slog.Logger) []*river.PeriodicJob {
	if clock == nil {
		clock = bot.SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	AddWorker(workers, &pruneEventsWorker{store: store, clock: clock, log: log})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(PruneEvery), func() (river.JobArgs, *river.InsertOpts) {
			return PruneEventsArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: PruneEvery}}
		}, &river.PeriodicJobOpts{ID: PruneEventsArgs{}.Kind(), RunOnStart: true}),
		closeResolvedJob(workers, store, senders, clock, log),
	}
}
