package jobs

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// River takes a job still "running" after RescueStuckJobsAfter for one whose
// process died, and runs it again. A job that is merely slow must therefore
// have been cancelled (its Timeout) well before that, or the rescue would run
// it a second time while the first run still goes on.
const (
	// DefaultRescueAfter is River's RescueStuckJobsAfter here: a job cut off
	// by a crash is picked up again within about two minutes (River's rescuer
	// looks every 30 s).
	DefaultRescueAfter = 80 * time.Second
	// MaxJobTimeout is the longest any job may run: AddWorker refuses a
	// worker whose Timeout is longer, New refuses a RescueAfter that is not
	// longer, and it is the client's timeout for workers that set none.
	MaxJobTimeout = 50 * time.Second
)

// AddWorker registers w with workers, as river.AddWorker does, after checking
// that its Timeout is set and shorter than MaxJobTimeout's bound. Every worker
// of mspbot is registered through it (TestEveryWorkerIsRegisteredThroughAddWorker),
// so no job can outlive the rescue of a stuck one.
func AddWorker[T river.JobArgs](workers *river.Workers, w river.Worker[T]) {
	if err := checkTimeout(w.Timeout(&river.Job[T]{})); err != nil {
		var args T
		panic(fmt.Sprintf("jobs: worker for %q: %v", args.Kind(), err)) // a programming error, caught by the tests
	}
	river.AddWorker(workers, w)
}

// checkTimeout accepts a worker's Timeout: 0 (the client's, MaxJobTimeout) or
// a positive duration up to MaxJobTimeout. River's -1 (never time out) is
// refused: such a job would be rescued while it runs.
func checkTimeout(d time.Duration) error {
	if d < 0 || d > MaxJobTimeout {
		return fmt.Errorf("timeout %v; every job must time out within %v, before River rescues it as stuck (%v)",
			d, MaxJobTimeout, DefaultRescueAfter)
	}
	return nil
}
