package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/timekeeping/sla"
)

// SLASweepArgs runs sla.Service.Sweep. The kind keeps its timekeeping_ name:
// jobs already queued still run.
type SLASweepArgs struct{}

// Kind implements river.JobArgs.
func (SLASweepArgs) Kind() string { return "timekeeping_sla_sweep" }

type slaSweepWorker struct {
	river.WorkerDefaults[SLASweepArgs]
	s *sla.Service
}

func (w *slaSweepWorker) Work(ctx context.Context, job *river.Job[SLASweepArgs]) error {
	rep, err := w.s.Sweep(ctx, w.s.Now())
	if err == nil && (rep.Warnings > 0 || rep.Breaches > 0) {
		w.s.Logger().Info("sla sweep", "checked", rep.Checked, "warnings", rep.Warnings, "breaches", rep.Breaches)
	}
	return err
}

func (w *slaSweepWorker) Timeout(*river.Job[SLASweepArgs]) time.Duration { return sweepTimeout }

// RegisterSLA adds the SLA sweep's worker and returns its periodic job.
func RegisterSLA(workers *river.Workers, s *sla.Service) []*river.PeriodicJob {
	AddWorker(workers, &slaSweepWorker{s: s})
	return []*river.PeriodicJob{everySweep(SLASweepArgs{})}
}
