package jobs

import (
	"context"
	"database/sql"
	"fmt"
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

// DigestSweepArgs runs timekeeping.SweepDigests, which enqueues DigestArgs jobs.
type DigestSweepArgs struct{}

// Kind implements river.JobArgs.
func (DigestSweepArgs) Kind() string { return "timekeeping_digest_sweep" }

// DigestArgs sends one manager's digest for one local date; unique by args, so
// however many instances sweep the same minute, one job exists per manager and day.
type DigestArgs timekeeping.DigestJob

// Kind implements river.JobArgs.
func (DigestArgs) Kind() string { return "timekeeping_digest" }

// InsertOpts makes the job unique per manager and local date.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

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

type digestSweepWorker struct {
	river.WorkerDefaults[DigestSweepArgs]
	d timekeeping.Deps
}

func (w *digestSweepWorker) Work(ctx context.Context, job *river.Job[DigestSweepArgs]) error {
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return err
	}
	_, err = timekeeping.SweepDigests(ctx, w.d, w.d.Now(), func(j timekeeping.DigestJob) error {
		_, err := client.Insert(ctx, DigestArgs(j), nil)
		return err
	})
	return err
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	d timekeeping.Deps
}

func (w *digestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	date, err := time.Parse("2006-01-02", job.Args.LocalDate)
	if err != nil {
		return river.JobCancel(fmt.Errorf("digest job date %q: %w", job.Args.LocalDate, err))
	}
	return timekeeping.SendDigestTo(ctx, w.d, job.Args.ManagerID, date)
}

// RegisterTimekeeping adds the nudge, SLA and digest workers and returns their
// periodic jobs (every minute; River's leader enqueues them, unique per
// period so a leadership change cannot double a sweep).
func RegisterTimekeeping(workers *river.Workers, d timekeeping.Deps) []*river.PeriodicJob {
	river.AddWorker(workers, &nudgeSweepWorker{d: d})
	river.AddWorker(workers, &slaSweepWorker{d: d})
	river.AddWorker(workers, &digestSweepWorker{d: d})
	river.AddWorker(workers, &digestWorker{d: d})
	every := func(args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(SweepEvery), func() (river.JobArgs, *river.InsertOpts) {
			return args, &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: SweepEvery}}
		}, &river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
	}
	return []*river.PeriodicJob{every(NudgeSweepArgs{}), every(SLASweepArgs{}), every(DigestSweepArgs{})}
}
