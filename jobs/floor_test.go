package jobs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
)

// recordingFloor records whether a task is inside it, and everything that
// happened in order.
type recordingFloor struct {
	mu     sync.Mutex
	inside bool
	log    []string
}

func (f *recordingFloor) Enter(context.Context) (func(), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inside {
		return nil, fmt.Errorf("entered twice without leaving")
	}
	f.inside = true
	return func() { f.mu.Lock(); f.inside = false; f.mu.Unlock() }, nil
}

// did records what happened and whether it happened inside the floor.
func (f *recordingFloor) did(what string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	where := "outside"
	if f.inside {
		where = "inside"
	}
	f.log = append(f.log, what+" "+where)
}

// floorStore is a DeliverStore whose request has no thread yet, so a delivery
// makes every read and write it can.
type floorStore struct{ floor *recordingFloor }

func (s floorStore) RequestByNumber(_ context.Context, ws, n int64) (bot.Request, error) {
	s.floor.did("read request")
	return bot.Request{ID: n, WorkspaceID: ws, Number: n}, nil
}
func (s floorStore) SetRequestThread(context.Context, int64, string, string) error {
	s.floor.did("record thread")
	return nil
}
func (s floorStore) Delivered(context.Context, string) (string, bool, error) {
	s.floor.did("read delivered")
	return "", false, nil
}
func (s floorStore) MarkDelivered(context.Context, string, string) error {
	s.floor.did("record delivered")
	return nil
}

type floorSender struct{ floor *recordingFloor }

func (s floorSender) Send(context.Context, bot.Destination, ...bot.Message) (string, error) {
	s.floor.did("post")
	return "ts9", nil
}

// A delivery's reads and writes happen inside the floor, so they yield to
// acknowledgements; the post itself, which waits on the platform, does not
// hold it.
func TestDeliverWorkerUsesTheFloorForItsReadsAndWrites(t *testing.T) {
	floor := &recordingFloor{}
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformSlack: floorSender{floor}}, Store: floorStore{floor}, Floor: floor}
	args := jobs.DeliverArgs{Key: "k/floor", WorkspaceID: 1, RequestNumber: 7,
		To: bot.Destination{Platform: bot.PlatformSlack, Workspace: "T1", Channel: "C1"}, Messages: []bot.Message{{Text: "hi"}}}
	job := &river.Job[jobs.DeliverArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1}, Args: args}
	if err := w.Work(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	want := []string{"read delivered inside", "read request inside", "post outside", "record delivered inside", "record thread inside"}
	if fmt.Sprint(floor.log) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v", floor.log, want)
	}
	if floor.inside {
		t.Fatal("the job left the floor held")
	}
}
