package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
)

// CloseResolvedArgs closes requests resolved more than bot.ResolvedClosesAfter
// ago that nobody reopened: the requester had their chance to say it is still
// broken. It runs with maintenance (hourly, at start), so a request closes at
// most an hour after its time is up.
type CloseResolvedArgs struct{}

// Kind implements river.JobArgs.
func (CloseResolvedArgs) Kind() string { return "requests_close_resolved" }

// ResolvedCloser closes resolved requests older than a time; *storage.Store is one.
type ResolvedCloser interface {
	CloseResolvedBefore(ctx context.Context, before time.Time) (int64, error)
}

type closeResolvedWorker struct {
	river.WorkerDefaults[CloseResolvedArgs]
	store ResolvedCloser
	clock bot.Clock
	log   *slog.Logger
}

func (w *closeResolvedWorker) Work(ctx context.Context, job *river.Job[CloseResolvedArgs]) error {
	n, err := w.store.CloseResolvedBefore(ctx, w.clock.Now().Add(-bot.ResolvedClosesAfter))
	if err != nil {
		return err
	}
	if n > 0 {
		w.log.Info("closed resolved requests nobody reopened", "count", n)
	}
	return nil
}

func closeResolvedJob(workers *river.Workers, store ResolvedCloser, clock bot.Clock, log *slog.Logger) *river.PeriodicJob {
	AddWorker(workers, &closeResolvedWorker{store: store, clock: clock, log: log})
	return river.NewPeriodicJob(river.PeriodicInterval(PruneEvery), func() (river.JobArgs, *river.InsertOpts) {
		return CloseResolvedArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: PruneEvery}}
	}, &river.PeriodicJobOpts{ID: CloseResolvedArgs{}.Kind(), RunOnStart: true})
}
