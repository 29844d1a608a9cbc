package projects

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// DraftArgs is the job that drafts one project's update for one ISO week. The
// project and week are its whole identity: River refuses a second such job while
// the first exists (UniqueOpts.ByArgs), and the weekly_updates UNIQUE key stops
// a second draft after River has pruned the first job.
type DraftArgs struct {
	ProjectID int64 `json:"project_id"`
	ISOYear   int   `json:"iso_year"`
	ISOWeek   int   `json:"iso_week"`
}

// Kind implements river.JobArgs.
func (DraftArgs) Kind() string { return "project_weekly_draft" }

// InsertOpts makes every insert of the job unique by its arguments.
func (DraftArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// SweepArgs is the periodic sweep.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "project_weekly_sweep" }

// InsertOpts: one sweep per minute, however many instances' schedulers fire.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

type draftWorker struct {
	river.WorkerDefaults[DraftArgs]
	svc *Service
}

func (w *draftWorker) Work(ctx context.Context, job *river.Job[DraftArgs]) error {
	return w.svc.DraftAndSend(ctx, job.Args.ProjectID, job.Args.ISOYear, job.Args.ISOWeek)
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	svc *Service
}

func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return fmt.Errorf("projects sweep: %w", err)
	}
	_, err = w.svc.Sweep(ctx, w.svc.now(), RiverQueue{Client: client})
	return err
}

// RiverQueue enqueues the feature's jobs through a River client.
type RiverQueue struct{ Client *river.Client[*sql.Tx] }

// EnqueueDraft implements Enqueuer; inserted is false when an identical job
// already exists.
func (q RiverQueue) EnqueueDraft(ctx context.Context, args DraftArgs) (bool, error) {
	res, err := q.Client.Insert(ctx, args, nil)
	if err != nil {
		return false, fmt.Errorf("enqueue weekly draft: %w", err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// SweepEvery is how often the sweep runs.
const SweepEvery = time.Minute

// Register adds the feature's workers and returns its periodic jobs, for
// cmd/mspbot to hand to jobs.New.
func Register(workers *river.Workers, svc *Service) []*river.PeriodicJob {
	river.AddWorker(workers, &draftWorker{svc: svc})
	river.AddWorker(workers, &sweepWorker{svc: svc})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(SweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "projects.weekly_sweep", RunOnStart: true}),
	}
}
