package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/timekeeping"
)

// NudgeSweepArgs runs timekeeping.SweepNudges.
type NudgeSweepArgs struct{}

// Kind implements river.JobArgs.
func (NudgeSweepArgs) Kind() string { return "timekeeping_nudge_sweep" }

type nudgeSweepWorker struct {
	river.WorkerDefaults[NudgeSweepArgs]
	d timekeeping.Deps
}

func (w *nudgeSweepWorker) Work(ctx context.Context, job *river.Job[NudgeSweepArgs]) error {
	rep, err := timekeeping.SweepNudges(ctx, w.d, w.d.Now())
	if err == nil && (rep.Nudged > 0 || rep.TimerChecks > 0 || rep.Escalations > 0) {
		w.d.Logger().Info("nudge sweep", "considered", rep.Considered, "nudged", rep.Nudged, "timer_checks", rep.TimerChecks, "escalations", rep.Escalations)
	}
	return err
}

func (w *nudgeSweepWorker) Timeout(*river.Job[NudgeSweepArgs]) time.Duration { return 2 * SweepEvery }

// RegisterTimekeeping adds the nudge worker and returns its
// periodic jobs (every minute; River's leader enqueues them, unique per
// period so a leadership change cannot double a sweep).
func RegisterTimekeeping(workers *river.Workers, d timekeeping.Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &nudgeSweepWorker{d: d})
	return []*river.PeriodicJob{everySweep(NudgeSweepArgs{})}
}

// everySweep is a sweep's periodic job: every SweepEvery, enqueued by River's
// leader, unique per period so a leadership change cannot double a sweep.
func everySweep(args river.JobArgs) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return args, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: SweepEvery}}
	}, &river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
}
