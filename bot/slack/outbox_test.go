package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// The outbox tests: posts after an ack are queued as deliver jobs in the same
// Postgres and posted by jobs clients polling every 50 ms.

func testLog() *slog.Logger {
	if os.Getenv("MSPBOT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newOutboxEnv is a bot whose adapter queues its posts through an insert-only
// jobs client: nothing is posted until a deliverer runs.
func newOutboxEnv(t *testing.T, store *storage.Store, fake *fakeSlack) *env {
	t.Helper()
	if err := jobs.Migrate(context.Background(), store.DB()); err != nil {
		t.Fatal(err)
	}
	inserter, err := jobs.New(store.DB(), nil, testLog(), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, store, fake, func(c *Config) {
		c.Outbox = jobs.NewOutbox(inserter, testLog())
		c.Announce = commands.OpenedMessage
	})
}

// diedBeforeDone puts the inbox where a process killed after its work's
// commits and before its rows' commit leaves it: every row pending again.
func diedBeforeDone(t *testing.T, store *storage.Store) {
	t.Helper()
	if _, err := store.DB().Exec(`UPDATE inbox SET done_at = NULL`); err != nil {
		t.Fatal(err)
	}
}

// deliverer starts a jobs client working the outbox queue through sender.
func deliverer(t *testing.T, store *storage.Store, sender bot.Sender, id string) *jobs.Client {
	t.Helper()
	c := newDeliverer(t, store, sender, id)
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c
}

// newDeliverer makes that client without starting it; it is stopped when the test ends.
func newDeliverer(t testing.TB, store *storage.Store, sender bot.Sender, id string) *jobs.Client {
	t.Helper()
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformSlack: sender}, Store: store, Log: testLog(),
		RetryBase: 20 * time.Millisecond}
	c, err := jobs.NewDeliverer(store.DB(), w, testLog(), jobs.Options{PollInterval: 50 * time.Millisecond, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

type jobRow struct {
	Key     string
	State   string
	Attempt int
}

func deliverJobs(t *testing.T, store *storage.Store) []jobRow {
	t.Helper()
	rows, err := store.DB().QueryContext(context.Background(),
		`SELECT args->>'key', state, attempt FROM river_job WHERE kind = 'deliver' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []jobRow
	for rows.Next() {
		var j jobRow
		if err := rows.Scan(&j.Key, &j.State, &j.Attempt); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	return out
}

// waitDelivered waits until n deliver jobs are completed and none is pending.
func waitDelivered(t *testing.T, store *storage.Store, n int) []jobRow {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		list := deliverJobs(t, store)
		done := 0
		for _, j := range list {
			if j.State == "completed" {
				done++
			}
		}
		if done == n && len(list) == n {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliver jobs: %+v; want %d completed", list, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settle waits until e's handlers have returned and every deliver job is
// finished, then stops the deliverer: after it, nothing more can be posted, so
// a count is final (a late duplicate cannot slip past a fixed sleep).
func settle(t *testing.T, e *env, d *jobs.Client) {
	t.Helper()
	e.adapter.Wait()
	jobstest.Drain(t, e.store.DB(), 15*time.Second, 1, []jobstest.Stopper{d}, "deliver")
}

// (a) A slash command whose post fails with 500 three times: the job is
// retried by River with backoff, the message arrives exactly once and the
// request follows its thread.
func TestOutboxPostRetriedThroughServerErrors(t *testing.T) {
	t.Parallel()
	e := newOutboxEnv(t, storagetest.New(t), newFakeSlack(t, testTeam, testBot))
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.fake.fail("chat.postMessage", 3)
	deliverer(t, e.store, e.adapter, "a")

	start := time.Now()
	status, ack, _ := e.slashAck("trig.1", "UTOM", "C1", "/request Outlook keeps asking for my password")
	ackTime := time.Since(start)
	if status != http.StatusOK || strings.TrimSpace(ack) != "" {
		t.Fatalf("status %d, ack %q", status, ack)
	}
	list := waitDelivered(t, e.store, 1)
	if list[0].Attempt != 4 || !strings.HasPrefix(list[0].Key, "slack/T111/slash:trig.") {
		t.Fatalf("job %+v; want 4 attempts under the slash command's key", list[0])
	}
	tries := e.fake.attempts("chat.postMessage")
	if len(tries) != 4 {
		t.Fatalf("%d chat.postMessage attempts; want 4", len(tries))
	}
	for i, c := range tries {
		if want := map[bool]int{true: 500, false: 200}[i < 3]; c.Status != want {
			t.Fatalf("attempt %d: status %d; want %d", i+1, c.Status, want)
		}
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "C1" || !strings.Contains(posts[0].Form.Get("text"), "#1001") {
		t.Fatalf("posts: %+v", posts)
	}
	if b := buttons(t, posts[0]); b["request.take"] != "/request take 1001" {
		t.Fatalf("buttons %v", b)
	}
	if r := e.request(1001); r.Channel != "C1" || r.Thread != "1700000000.000001" {
		t.Fatalf("request follows %s/%s; want C1/1700000000.000001", r.Channel, r.Thread)
	}
	t.Logf("ack in %v; delivered after %v over 4 attempts", ackTime, tries[3].At.Sub(tries[0].At))
}

// (b) The bot dies after storing a request and before its post goes out (the
// first life posts in process and every attempt fails) and before the inbox
// row is marked done. The restarted bot, with an outbox, handles the row again,
// finds the request was never posted and posts it — exactly once, however
// often Slack delivers the event again.
func TestOutboxRedeliveredEventPostsRequestLostInCrash(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	body, err := os.ReadFile("testdata/event_app_mention.json")
	if err != nil {
		t.Fatal(err)
	}

	first := newEnvOn(t, store, fake, func(c *Config) { c.PostAttempts = 1 })
	first.person("W222", "wanda", testTeam, bot.RoleTech, "")
	fake.fail("chat.postMessage", 1)
	if s := first.event(body, 0); s != http.StatusOK {
		t.Fatalf("status %d", s)
	}
	first.bot.Close()     // the process is gone: its handlers have returned,
	first.adapter.Close() // and what they started is over
	if r := first.request(1001); r.SourceID != "C111:1595926230.009600" {
		t.Fatalf("request: %+v", r)
	}
	if n := len(fake.callsTo("chat.postMessage")); n != 0 {
		t.Fatalf("%d posts in the first life; want 0", n)
	}
	diedBeforeDone(t, store)

	second := newOutboxEnv(t, store, fake)
	d := deliverer(t, store, second.adapter, "restarted")
	for retry := 1; retry <= 2; retry++ {
		if s := second.event(body, retry); s != http.StatusOK {
			t.Fatalf("redelivery %d: status %d", retry, s)
		}
	}
	waitDelivered(t, store, 1)
	second.event(body, 3) // once more after the post went out
	settle(t, second, d)
	waitDelivered(t, store, 1)
	posts := fake.callsTo("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts; want 1", len(posts))
	}
	if p := posts[0]; p.Form.Get("channel") != "C111" || p.Form.Get("thread_ts") != "1595926230.009600" || !strings.Contains(p.Form.Get("text"), "#1001") {
		t.Fatalf("post to %q thread %q: %q", p.Form.Get("channel"), p.Form.Get("thread_ts"), p.Form.Get("text"))
	}
	if n := second.requestCount(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
}

// (b') The same for a slash command, which opens a request without a thread:
// handled again after the crash, its request is posted and follows the post;
// deliveries with the same trigger_id are duplicates and queue nothing.
func TestOutboxRepeatedSlashCommandPostsRequestLostInCrash(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	first := newEnvOn(t, store, fake, func(c *Config) { c.PostAttempts = 1 })
	first.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	fake.fail("chat.postMessage", 1)
	first.slashWith("trig.crash", "UTOM", "C1", "/request Printer on the 2nd floor is jammed")
	first.bot.Close()
	first.adapter.Close()
	diedBeforeDone(t, store)

	second := newOutboxEnv(t, store, fake)
	d := deliverer(t, store, second.adapter, "restarted")
	second.slashWith("trig.crash", "UTOM", "C1", "/request Printer on the 2nd floor is jammed")
	waitDelivered(t, store, 1)
	if r := second.request(1001); r.Thread != "1700000000.000001" {
		t.Fatalf("request thread %q", r.Thread)
	}
	second.slashWith("trig.crash", "UTOM", "C1", "/request Printer on the 2nd floor is jammed")
	settle(t, second, d)
	waitDelivered(t, store, 1)
	if n := len(fake.callsTo("chat.postMessage")); n != 1 {
		t.Fatalf("%d posts; want 1", n)
	}
}

// (c) Five posts queued while no deliverer runs (the bot acked, then went
// down) are posted exactly once each when three bot instances start together.
func TestOutboxThreeInstancesDeliverOnce(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	e := newOutboxEnv(t, store, fake)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	const n = 5
	for i := 0; i < n; i++ {
		if status, _ := e.slash("UTOM", "C1", fmt.Sprintf("/request Laptop %d will not boot", i+1)); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
	}
	e.adapter.Wait()
	if got := len(deliverJobs(t, store)); got != n || len(fake.callsTo("chat.postMessage")) != 0 {
		t.Fatalf("%d jobs queued, %d posts before any deliverer; want %d, 0", got, len(fake.callsTo("chat.postMessage")), n)
	}
	var clients []*jobs.Client
	for _, id := range []string{"one", "two", "three"} {
		// Each instance is its own adapter over the same database and Slack.
		clients = append(clients, newDeliverer(t, store, newEnvOn(t, store, fake, nil).adapter, id))
	}
	start := time.Now()
	errs := make(chan error, len(clients))
	for _, c := range clients {
		go func() { errs <- c.Start(context.Background()) }()
	}
	for range clients {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	waitDelivered(t, store, n)
	elapsed := time.Since(start)
	stoppers := make([]jobstest.Stopper, len(clients))
	for i, c := range clients {
		stoppers[i] = c
	}
	jobstest.Drain(t, store.DB(), 15*time.Second, n, stoppers, "deliver")
	posts := fake.callsTo("chat.postMessage")
	if len(posts) != n {
		t.Fatalf("%d posts; want %d", len(posts), n)
	}
	seen := map[string]int{}
	for _, p := range posts {
		text := p.Form.Get("text")
		for num := 1001; num < 1001+n; num++ {
			if strings.Contains(text, fmt.Sprintf("#%d ", num)) {
				seen[fmt.Sprint(num)]++
			}
		}
	}
	for num := 1001; num < 1001+n; num++ {
		if seen[fmt.Sprint(num)] != 1 {
			t.Fatalf("request #%d posted %d times; posts seen %v", num, seen[fmt.Sprint(num)], seen)
		}
		if r := e.request(int64(num)); r.Thread == "" {
			t.Fatalf("request #%d follows no thread", num)
		}
	}
	t.Logf("%d queued posts delivered by 3 instances in %v", n, elapsed)
}
