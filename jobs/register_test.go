package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/timekeeping/digest"
	"github.com/mspbot/mspbot/timekeeping/nudge"
	"github.com/mspbot/mspbot/timekeeping/sla"
)

// slowArgs is a job kind whose worker asks for more time than River leaves a
// job before rescuing it.
type slowArgs struct{}

func (slowArgs) Kind() string { return "test_slow" }

type slowWorker struct {
	river.WorkerDefaults[slowArgs]
	timeout time.Duration
}

func (w *slowWorker) Work(context.Context, *river.Job[slowArgs]) error { return nil }

func (w *slowWorker) Timeout(*river.Job[slowArgs]) time.Duration { return w.timeout }

// A worker that could run past RescueAfter would be rescued while it runs and
// run twice at once: AddWorker refuses it (a 2-minute sweep, as nudges and SLA
// had, and River's "never time out"), and a client refuses a RescueAfter not
// longer than the longest job.
func TestAJobThatCouldOutliveTheRescueIsRefused(t *testing.T) {
	t.Parallel()
	if jobs.MaxJobTimeout >= jobs.DefaultRescueAfter {
		t.Fatalf("MaxJobTimeout %v is not shorter than the rescue %v", jobs.MaxJobTimeout, jobs.DefaultRescueAfter)
	}
	for _, d := range []time.Duration{2 * time.Minute, jobs.DefaultRescueAfter, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("a worker timing out after %v was registered", d)
				}
			}()
			jobs.AddWorker(river.NewWorkers(), &slowWorker{timeout: d})
		}()
	}
	jobs.AddWorker(river.NewWorkers(), &slowWorker{timeout: jobs.MaxJobTimeout}) // the longest allowed
	store := storagetest.New(t)
	if _, err := jobs.New(store.DB(), nil, nil, jobs.Options{RescueAfter: jobs.MaxJobTimeout}); err == nil {
		t.Fatal("a client rescuing jobs before the longest may end was made")
	}
}

// Every worker mspbot registers — each Register function's and the deliver
// worker — goes through AddWorker, so each was checked. The source scan makes
// sure no file registers one around it.
func TestEveryWorkerIsRegisteredThroughAddWorker(t *testing.T) {
	t.Parallel()
	workers := river.NewWorkers()
	jobs.RegisterProjects(workers, &projects.Service{})
	jobs.RegisterNudges(workers, &nudge.Service{})
	jobs.RegisterSLA(workers, &sla.Service{})
	jobs.RegisterDigest(workers, &digest.Service{})
	jobs.RegisterMaintenance(workers, nil, nil, bot.NewFakeClock(time.Now()), nil)
	jobs.AddWorker(workers, &jobs.DeliverWorker{})

	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if filepath.ToSlash(rel) == "jobs/register.go" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(src), "river.AddWorker(") {
			t.Errorf("%s registers a worker with river.AddWorker; use jobs.AddWorker, which checks its timeout", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
