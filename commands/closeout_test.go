package commands_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// newQueuedProjectHarness is newProjectHarness with the outbox of a bot on a
// platform: what commands send besides their reply is queued as deliver jobs
// in the same database through an insert-only client, so nothing is posted
// until a test starts a deliverer.
func newQueuedProjectHarness(t *testing.T, now time.Time) (*harness, *outbox, *jobs.Outbox) {
	t.Helper()
	s := storagetest.New(t)
	box, queue := &outbox{}, jobstest.Outbox(t, s.DB())
	d := commands.Deps{Store: s, Clock: bot.NewFakeClock(now), Location: time.UTC,
		Senders: bot.Senders{bot.PlatformConsole: box}, Outbox: queue}
	return withClients(&harness{t: t, store: s, router: commands.NewRouter(d, nil)}), box, queue
}

// queuedAsk is a deliver job as River keeps it.
type queuedAsk struct {
	Key  string
	Args jobs.DeliverArgs
}

func queuedAsks(t *testing.T, h *harness) []queuedAsk {
	t.Helper()
	rows, err := h.store.DB().Query(`SELECT args->>'key', args FROM river_job WHERE kind = 'deliver' ORDER BY args->>'key'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queuedAsk
	for rows.Next() {
		var (
			q   queuedAsk
			raw []byte
		)
		if err := rows.Scan(&q.Key, &raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &q.Args); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	return out
}

// TestCloseoutAsksCommitWithTheCloseout: /project close on a platform (an
// outbox set) queues the lessons and rating questions in the closeout's own
// transaction. When the command returns they are in Postgres and nothing was
// sent; the same delivery handled again (its inbox row after a crash) changes
// no row, river_job included, and answers the same; a deliverer started only
// afterwards — the process that committed died before posting anything —
// posts each question exactly once, and the one the platform refuses (a
// tech who takes no direct messages) goes to the closer instead, to pass on.
func TestCloseoutAsksCommitWithTheCloseout(t *testing.T) {
	t.Parallel()
	h, box, _ := newQueuedProjectHarness(t, time.Date(2027, 1, 29, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	h.as("tom", bot.RoleTech, "")
	h.as("sam", bot.RoleTech, "")
	expect(t, cora, `/project new ACME "Office move" --start 2026-12-01 --end 2027-01-29 --budget 120h`, "Opened P1")
	ws := h.workspace()
	p1, err := h.store.ProjectByNumber(ctx, ws, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"tom", "sam"} {
		if err := h.store.LogProjectTime(ctx, ws, h.person(who).ID, p1.ID, 60, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "work"); err != nil {
			t.Fatal(err)
		}
	}

	line := "/project close P1"
	first, second := h.twice(cora, "replay:close", line)
	sameAnswer(t, line, first, second, "Closeout of P1", "Asking privately for lessons learned / the rating: sam, tom, cora.")

	// In Postgres with the closeout, nothing sent yet.
	asks := queuedAsks(t, h)
	want := map[string]string{"sam": "/lessons add P1", "tom": "/lessons add P1", "cora": "/project rate P1"}
	if len(asks) != len(want) {
		t.Fatalf("queued asks %+v; want one each for %v", asks, want)
	}
	for _, a := range asks {
		if !strings.HasPrefix(a.Key, "console/console/replay:close/closeout/") {
			t.Errorf("ask %q is not keyed by the delivery that started the closeout", a.Key)
		}
		who := a.Args.To.UserID
		if len(a.Args.Messages) != 1 || !strings.Contains(a.Args.Messages[0].Text, want[who]) {
			t.Errorf("ask to %q: %+v; want %q", who, a.Args.Messages, want[who])
		}
		// A tech who cannot be messaged privately is named to the closer.
		switch {
		case who == "cora" && a.Args.Else != nil:
			t.Errorf("the closer's own ask falls back to the closer: %+v", a.Args.Else)
		case who != "cora" && (a.Args.Else == nil || a.Args.Else.To.UserID != "cora" ||
			!strings.Contains(a.Args.Else.Messages[0].Text, "/lessons add P1")):
			t.Errorf("ask to %s has fallback %+v; want cora told privately", who, a.Args.Else)
		}
	}
	if n := box.count(); n != 0 {
		t.Fatalf("%d messages sent before any deliverer ran", n)
	}

	// A deliverer of a later process posts each once. tom takes no direct
	// messages from the bot: cora, who closed the project, is told to ask him.
	sender := refusing{outbox: box, user: "tom"}
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformConsole: sender}, Store: h.store, RetryBase: 10 * time.Millisecond}
	c, err := jobs.NewDeliverer(h.store.DB(), w, nil, jobs.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	jobstest.Drain(t, h.store.DB(), 15*time.Second, len(want), []jobstest.Stopper{c}, "deliver")
	if got := box.to("sam"); len(got) != 1 || !strings.Contains(got[0].Text, "/lessons add P1") {
		t.Errorf("sam got %+v; want one ask for lessons", got)
	}
	if got := box.to("tom"); len(got) != 0 {
		t.Errorf("tom, who takes no direct messages, got %+v", got)
	}
	got := box.to("cora")
	if len(got) != 2 || !strings.Contains(got[0].Text+got[1].Text, "/project rate P1") ||
		!strings.Contains(got[0].Text+got[1].Text, "tom does not take direct messages from the bot, so was not asked for lessons learned on P1") {
		t.Errorf("cora got %+v; want the rating ask and word that tom was not asked, once each", got)
	}
	if n := box.count(); n != len(want) {
		t.Errorf("%d messages sent; want %d", n, len(want))
	}
	// The same delivery handled again now still sends nothing more.
	_ = h.againKeeps(cora, "replay:close", line, "the asks were posted")
	if n := len(queuedAsks(t, h)); n != len(want) {
		t.Errorf("%d deliver jobs after handling the close again; want %d", n, len(want))
	}
}

func (o *outbox) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)
}

// refusing is a Sender on which user takes no direct messages: the platform
// refuses them for good, as Discord does someone who allows none from server
// members.
type refusing struct {
	*outbox
	user string
}

func (r refusing) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	if to.UserID == r.user {
		return "", &bot.DeliveryError{Err: errors.New("cannot send messages to this user"), Permanent: true}
	}
	return r.outbox.Send(ctx, to, msgs...)
}

// TestCloseoutAsksOfTwoProjectsWithoutSourceID: two projects closed by
// deliveries without a source id (a platform payload that carries none) each
// queue their own asks. Deliver jobs are unique by key, so asks keyed without
// the project would be the same for every project in the workspace, and the
// second project's questions to the same people dropped as already queued.
func TestCloseoutAsksOfTwoProjectsWithoutSourceID(t *testing.T) {
	t.Parallel()
	h, _, _ := newQueuedProjectHarness(t, time.Date(2027, 1, 29, 10, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	h.as("tom", bot.RoleTech, "")
	ws := h.workspace()
	for i, name := range []string{"Office move", "Server swap"} {
		expect(t, cora, `/project new ACME "`+name+`" --start 2026-12-01 --end 2027-01-29 --budget 40h`, "Opened P")
		p, err := h.store.ProjectByNumber(ctx, ws, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.store.LogProjectTime(ctx, ws, h.person("tom").ID, p.ID, 60, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "work"); err != nil {
			t.Fatal(err)
		}
	}
	for _, ref := range []string{"P1", "P2"} {
		if out := h.deliver(cora, "", "/project close "+ref); !strings.Contains(out, "Asking privately for lessons learned / the rating: tom, cora.") {
			t.Fatalf("/project close %s: %s", ref, out)
		}
	}
	got := map[string]int{}
	for _, a := range queuedAsks(t, h) {
		for _, ref := range []string{"P1", "P2"} {
			if strings.Contains(a.Args.Messages[0].Text, ref+" ") {
				got[a.Args.To.UserID+" "+ref]++
			}
		}
	}
	for _, want := range []string{"tom P1", "cora P1", "tom P2", "cora P2"} {
		if got[want] != 1 {
			t.Errorf("%d asks queued to %s; want 1 (queued: %v)", got[want], want, got)
		}
	}
}
