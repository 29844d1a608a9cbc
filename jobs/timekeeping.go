package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/timekeeping/nudge"
)

// NudgeSweepArgs runs nudge.Service.Sweep. The kind keeps its timekeeping_
// name: jobs already queued still run.
type NudgeSweepArgs struct{}

// Kind implements river.JobArgs.
func (NudgeSweepArgs) Kind() string { return "timekeeping_nudge_sweep" }

type nudgeSweepWorker struct {
	river.WorkerDefaults[NudgeSweepArgs]
	s *nudge.Service
}

func (w *nudgeSweepWorker) Work(ctx context.Context, job *river.Job[NudgeSweepArgs]) error {
	rep, err := w.s.Sweep(ctx, w.s.Now())
	if err == nil && (rep.Nudged > 0 || rep.TimerChecks > 0 || rep.Escalations > 0) {
		w.s.Logger().Info("nudge sweep", "considered", rep.Considered, "nudged", rep.Nudged, "timer_checks", rep.TimerChecks, "escalations", rep.Escalations)
	}
	return err
}

func (w *nudgeSweepWorker) Timeout(*river.Job[NudgeSweepArgs]) time.Duration { return sweepTimeout }

// RegisterNudges adds the nudge worker and returns its
// periodic jobs (every minute; River's leader enqueues them, unique per
// period so a leadership change cannot double a sweep).
func RegisterNudges(workers *river.Workers, s *nudge.Service) []*river.PeriodicJob {
	AddWorker(workers, &nudgeSweepWorker{s: s})
	return []*river.PeriodicJob{everySweep(NudgeSweepArgs{})}
}

// everySweep is a sweep's periodic job: every SweepEvery, enqueued by River's
// leader, unique per period so a leadership change cannot double a sweep.
func everySweep(args river.JobArgs) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return args, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: SweepEvery}}
	}, &river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
}
