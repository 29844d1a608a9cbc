package discord_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage"
)

// The outbox tests: replies to gateway events are queued as deliver jobs and
// posted by a jobs client polling every 50 ms.

const intakeChan = "290926798999357250" // the fixture message's channel

func testLog() *slog.Logger {
	if os.Getenv("MSPBOT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// outboxOf migrates River's tables and returns an outbox over an insert-only client.
func outboxOf(t testing.TB, store *storage.Store) bot.Outbox {
	t.Helper()
	if err := jobs.Migrate(context.Background(), store.DB()); err != nil {
		t.Fatal(err)
	}
	c, err := jobs.New(store.DB(), nil, testLog(), jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return jobs.NewOutbox(c, testLog())
}

func withOutbox(t *testing.T) envOpt {
	return func(c *discord.Config, _ *commands.Deps, _ *[]bot.Command) {
		c.Outbox, c.Announce = outboxOf(t, c.Store.(*storage.Store)), commands.OpenedMessage
	}
}

// restartWithOutbox is restart, the new process queuing its posts.
func (e *env) restartWithOutbox() *env {
	e.t.Helper()
	d := commands.Deps{Store: e.store, Clock: e.clock, Log: testLog()}
	dir := commands.NewDirectory(e.store, nil)
	router := bot.NewRouter(commands.List(d), dir, d.Log, nil)
	a, err := discord.New(discord.Config{AppID: appID, BotToken: "test-token", GuildID: guildID, APIURL: e.fake.URL,
		Store: e.store, Clock: e.clock, Router: router, Directory: dir,
		Outbox: outboxOf(e.t, e.store), Announce: commands.OpenedMessage})
	if err != nil {
		e.t.Fatal(err)
	}
	a.SetBotUser("775799577604522054")
	e.t.Cleanup(func() { a.Close() })
	e2 := *e
	e2.a, e2.router = a, router
	return &e2
}

// deliver starts a jobs client posting queued deliveries through the adapter.
func (e *env) deliver() *jobs.Client {
	e.t.Helper()
	w := &jobs.DeliverWorker{Senders: bot.Senders{bot.PlatformDiscord: e.a}, Store: e.store, Log: testLog(),
		RetryBase: 20 * time.Millisecond}
	c, err := jobs.NewDeliverer(e.store.DB(), w, testLog(), jobs.Options{PollInterval: 50 * time.Millisecond})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

// waitDelivered waits until n deliver jobs are completed and none is pending,
// and returns their attempt counts.
func (e *env) waitDelivered(n int) []int {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var total, done int
		var attempts []int
		rows, err := e.store.DB().Query(`SELECT state, attempt FROM river_job WHERE kind = 'deliver' ORDER BY id`)
		if err != nil {
			e.t.Fatal(err)
		}
		for rows.Next() {
			var state string
			var attempt int
			if err := rows.Scan(&state, &attempt); err != nil {
				e.t.Fatal(err)
			}
			total++
			if state == "completed" {
				done++
			}
			attempts = append(attempts, attempt)
		}
		rows.Close()
		if total == n && done == n {
			return attempts
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%d deliver jobs, %d completed; want %d", total, done, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) intake() {
	e.t.Helper()
	ctx := context.Background()
	mgr := person{"53908099506183680", "Mason"}
	e.assume(mgr, bot.RoleManager, "")
	p, err := e.store.FindPerson(ctx, e.ws(), mgr.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SetIntake(ctx, e.ws(), intakeChan, true, p.ID); err != nil {
		e.t.Fatal(err)
	}
}

const postPath = "POST /api/v9/channels/" + intakeChan + "/messages"

// (d) An intake-channel message whose reply fails with 500 three times: River
// retries the job until the reply is posted, once, as a reply to the message,
// and the request follows the thread started on it.
func TestOutboxGatewayReplyRetriedThroughServerErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOutbox(t))
	e.intake()
	e.fake.fail500[postPath] = 3
	e.deliver()
	typ, raw := gatewayData(t, func(d map[string]any) { d["content"] = "Outlook keeps asking for my password" })
	e.a.HandleEvent(context.Background(), typ, raw)
	attempts := e.waitDelivered(1)
	if attempts[0] != 4 {
		t.Fatalf("job took %d attempts; want 4", attempts[0])
	}
	if all, ok := len(e.fake.Exact(postPath)), e.fake.Answered(postPath); all != 4 || len(ok) != 1 {
		t.Fatalf("%d attempts, %d posted; want 4, 1", all, len(ok))
	}
	body := jsonMap(t, e.fake.Answered(postPath)[0].Body)
	if !strings.Contains(text(body), "Opened #1001") || body["message_reference"] == nil {
		t.Fatalf("post: %v", body)
	}
	if r := e.request(1001); !strings.HasPrefix(r.Thread, "th") || len(e.fake.Calls("/threads")) != 1 {
		t.Fatalf("thread %q, thread starts %d", r.Thread, len(e.fake.Calls("/threads")))
	}
}

// (d) The bot stores the request, then dies before its reply goes out (the
// first life posts in process and the post fails). The gateway replays the
// MESSAGE_CREATE after the restart: the reply is posted once and the request
// gets its thread; replaying it again posts nothing more.
func TestOutboxReplayedMessagePostsRequestLostInCrash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.intake()
	e.fake.fail500[postPath] = 1
	typ, raw := gatewayData(t, func(d map[string]any) { d["content"] = "Outlook keeps asking for my password" })
	e.a.HandleEvent(context.Background(), typ, raw)
	e.a.Close()
	if r := e.request(1001); r.Thread != "" || len(e.fake.Answered(postPath)) != 0 {
		t.Fatalf("first life: thread %q, %d posts", r.Thread, len(e.fake.Answered(postPath)))
	}

	e2 := e.restartWithOutbox()
	d := e2.deliver()
	e2.a.HandleEvent(context.Background(), typ, raw)
	e2.a.HandleEvent(context.Background(), typ, raw)
	e2.waitDelivered(1)
	if r := e2.request(1001); !strings.HasPrefix(r.Thread, "th") {
		t.Fatalf("request thread %q", r.Thread)
	}
	e2.a.HandleEvent(context.Background(), typ, raw)
	// Once the handlers are done and the deliverer has finished its jobs and
	// stopped, nothing more can be posted: count.
	e2.a.Wait()
	jobstest.Drain(t, e.store.DB(), 15*time.Second, 1, []jobstest.Stopper{d}, "deliver")
	e2.waitDelivered(1)
	if n := len(e.fake.Answered(postPath)); n != 1 {
		t.Fatalf("%d posts; want 1", n)
	}
	if n := e2.countRequests(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
}

// A 429 on a queued post snoozes the job for the retry_after Discord asked
// (250 ms) instead of holding a worker; the post then arrives once.
func TestOutboxRateLimitedPostSnoozed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withOutbox(t))
	e.intake()
	e.fake.limit429[postPath] = 1
	e.deliver()
	typ, raw := gatewayData(t, func(d map[string]any) { d["content"] = "Printer on the 2nd floor is jammed" })
	e.a.HandleEvent(context.Background(), typ, raw)
	e.waitDelivered(1)
	calls := e.fake.Exact(postPath)
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 0 {
		t.Fatalf("calls: %+v", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < 240*time.Millisecond {
		t.Fatalf("retried after %v; retry_after was 250ms", gap)
	} else {
		t.Logf("retried after %v", gap)
	}
}
