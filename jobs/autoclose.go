package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
)

// CloseResolvedArgs closes requests resolved more than bot.ResolvedClosesAfter
// ago that nobody reopened: the requester had their chance to say it is still
// broken. It runs with maintenance (hourly, at start), so a request closes at
// most an hour after its time is up, and tells each requester it closed (a
// direct message; one that cannot be sent is logged: the "resolved" message
// already said when it would close).
type CloseResolvedArgs struct{}

// Kind implements river.JobArgs.
func (CloseResolvedArgs) Kind() string { return "requests_close_resolved" }

// ResolvedCloser closes resolved requests older than a time; *storage.Store is one.
type ResolvedCloser interface {
	CloseResolvedBefore(ctx context.Context, before time.Time) ([]bot.AutoClosed, error)
}

type closeResolvedWorker struct {
	river.WorkerDefaults[CloseResolvedArgs]
	store   ResolvedCloser
	senders bot.Senders
	clock   bot.Clock
	log     *slog.Logger
}

func (w *closeResolvedWorker) Work(ctx context.Context, job *river.Job[CloseResolvedArgs]) error {
	closed, err := w.store.CloseResolvedBefore(ctx, w.clock.Now().Add(-bot.ResolvedClosesAfter))
	if err != nil {
		return err
	}
	if len(closed) > 0 {
		w.log.Info("closed resolved requests nobody reopened", "count", len(closed))
	}
	for _, c := range closed {
		if w.senders == nil {
			break
		}
		m := bot.Message{Title: fmt.Sprintf("#%d %s", c.Number, c.Title), Text: fmt.Sprintf(
			"Your request #%d is now closed: it was resolved %s ago and nobody said it was still broken. "+
				"If the problem comes back, open a new request and mention #%d.", c.Number, bot.Age(bot.ResolvedClosesAfter), c.Number)}
		to := bot.Destination{Platform: c.Platform, Workspace: c.Workspace, UserID: c.RequesterID}
		if _, err := w.senders.Send(ctx, to, m); err != nil {
			w.log.Warn("requester not told their request closed", "request", c.Number, "err", err)
		}
	}
	return nil
}

func closeResolvedJob(workers *river.Workers, store ResolvedCloser, senders bot.Senders, clock bot.Clock, log *slog.Logger) *river.PeriodicJob {
	AddWorker(workers, &closeResolvedWorker{store: store, senders: senders, clock: clock, log: log})
	return river.NewPeriodicJob(river.PeriodicInterval(PruneEvery), func() (river.JobArgs, *river.InsertOpts) {
		return CloseResolvedArgs{}, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: PruneEvery}}
	}, &river.PeriodicJobOpts{ID: CloseResolvedArgs{}.Kind(), RunOnStart: true})
}
