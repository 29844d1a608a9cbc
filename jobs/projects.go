package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/projects"
)

// DraftArgs is the job that drafts one project's update for one ISO week. The
// project and week are its whole identity: River refuses a second such job while
// the first exists (UniqueOpts.ByArgs), and the weekly_updates UNIQUE key stops
// a second draft after River has pruned the first job.
type DraftArgs projects.DraftJob

// Kind implements river.JobArgs.
func (DraftArgs) Kind() string { return "project_weekly_draft" }

// InsertOpts makes every insert of the job unique by its arguments.
func (DraftArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ProjectSweepArgs is the projects' periodic sweep.
type ProjectSweepArgs struct{}

// Kind implements river.JobArgs.
func (ProjectSweepArgs) Kind() string { return "project_weekly_sweep" }

// InsertOpts: one sweep per minute, however many instances' schedulers fire.
func (ProjectSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByPeriod: SweepEvery}}
}

// SweepEvery is how often the periodic sweeps run.
const SweepEvery = time.Minute

// sweepTimeout cancels a sweep before the next one starts (and well before
// River could rescue it as stuck). Sweeps are safe to overlap anyway — each
// nudge, SLA event and digest is recorded under a unique key before it is
// sent — but a cancelled slow sweep leaves its remainder to the next one
// instead of two sweeps racing through the same list.
const sweepTimeout = 45 * time.Second

type draftWorker struct {
	river.WorkerDefaults[DraftArgs]
	svc *projects.Service
}

func (w *draftWorker) Work(ctx context.Context, job *river.Job[DraftArgs]) error {
	return w.svc.DraftAndSend(ctx, job.Args.ProjectID, job.Args.ISOYear, job.Args.ISOWeek)
}

type projectSweepWorker struct {
	river.WorkerDefaults[ProjectSweepArgs]
	svc *projects.Service
}

func (w *projectSweepWorker) Work(ctx context.Context, job *river.Job[ProjectSweepArgs]) error {
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return fmt.Errorf("projects sweep: %w", err)
	}
	_, err = w.svc.Sweep(ctx, w.svc.Now(), ProjectQueue{Client: client})
	return err
}

// ProjectQueue enqueues draft jobs through a River client (projects.Enqueuer).
type ProjectQueue struct{ Client *Client }

// EnqueueDraft implements projects.Enqueuer; inserted is false when an
// identical job already exists.
func (q ProjectQueue) EnqueueDraft(ctx context.Context, j projects.DraftJob) (bool, error) {
	res, err := q.Client.Insert(ctx, DraftArgs(j), nil)
	if err != nil {
		return false, fmt.Errorf("enqueue weekly draft: %w", err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// RegisterProjects adds the projects feature's workers and returns its periodic
// jobs, for cmd/mspbot to hand to New.
func RegisterProjects(workers *river.Workers, svc *projects.Service) []*river.PeriodicJob {
	AddWorker(workers, &draftWorker{svc: svc})
	AddWorker(workers, &projectSweepWorker{svc: svc})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(SweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return ProjectSweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "projects.weekly_sweep", RunOnStart: true}),
	}
}
