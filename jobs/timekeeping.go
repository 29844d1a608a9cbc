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

// SLASweepArgs runs timekeeping.SweepSLA.
type SLASweepArgs struct{}

// Kind implements river.JobArgs.
func (SLASweepArgs) Kind() string { return "timekeeping_sla_sweep" }

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

type slaSweepWorker struct {
	river.WorkerDefaults[SLASweepArgs]
	d timekeeping.Deps
}

func (w *slaSweepWorker) Work(ctx context.Context, job *river.Job[SLASweepArgs]) error {
	rep, err := timekeeping.SweepSLA(ctx, w.d, w.d.Now())
	if err == nil && (rep.Warnings > 0 || rep.Breaches > 0) {
		w.d.Logger().Info("sla sweep", "checked", rep.Checked, "warnings", rep.Warnings, "breaches", rep.Breaches)
	}
	return err
}

func (w *slaSweepWorker) Timeout(*river.Job[SLASweepArgs]) time.Duration { return 2 * SweepEvery }

// RegisterTimekeeping adds the nudge and SLA workers and returns their
// periodic jobs (every minute; River's leader enqueues them, unique per
// period so a leadership change cannot double a sweep).
func RegisterTimekeeping(workers *river.Workers, d timekeeping.Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &nudgeSweepWorker{d: d})
	river.AddWorker(workers, &slaSweepWorker{d: d})
	return []*river.PeriodicJob{everySweep(NudgeSweepArgs{}), everySweep(SLASweepArgs{})}
}

// everySweep is a sweep's periodic job: every SweepEvery, enqueued by River's
// leader, unique per period so a leadership change cannot double a sweep.
func everySweep(args river.JobArgs) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
		return args, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: SweepEvery}}
	}, &river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
}
