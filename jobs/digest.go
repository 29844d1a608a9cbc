package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/timekeeping/digest"
)

// DigestSweepArgs runs digest.Service.Sweep, which enqueues DigestArgs jobs.
// The kinds keep their timekeeping_ names: jobs already queued still run.
type DigestSweepArgs struct{}

// Kind implements river.JobArgs.
func (DigestSweepArgs) Kind() string { return "timekeeping_digest_sweep" }

// DigestArgs sends one manager's digest for one local date; unique by args, so
// however many instances sweep the same minute, one job exists per manager and day.
type DigestArgs digest.Job

// Kind implements river.JobArgs.
func (DigestArgs) Kind() string { return "timekeeping_digest" }

// InsertOpts makes the job unique per manager and local date.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type digestSweepWorker struct {
	river.WorkerDefaults[DigestSweepArgs]
	s *digest.Service
}

func (w *digestSweepWorker) Work(ctx context.Context, job *river.Job[DigestSweepArgs]) error {
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return err
	}
	_, err = w.s.Sweep(ctx, w.s.Now(), func(j digest.Job) error {
		_, err := client.Insert(ctx, DigestArgs(j), nil)
		return err
	})
	return err
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	s *digest.Service
}

func (w *digestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	date, err := time.Parse("2006-01-02", job.Args.LocalDate)
	if err != nil {
		return river.JobCancel(fmt.Errorf("digest job date %q: %w", job.Args.LocalDate, err))
	}
	return w.s.SendTo(ctx, job.Args.ManagerID, date)
}

// RegisterDigest adds the digest workers and returns the periodic sweep that
// finds managers whose digest is due (every minute, like the other sweeps).
func RegisterDigest(workers *river.Workers, s *digest.Service) []*river.PeriodicJob {
	AddWorker(workers, &digestSweepWorker{s: s})
	AddWorker(workers, &digestWorker{s: s})
	return []*river.PeriodicJob{everySweep(DigestSweepArgs{})}
}
