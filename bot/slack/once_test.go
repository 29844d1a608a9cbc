package slack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// The one window the outbox's record leaves: a deliver job's post reached
// Slack and the process died before the post was recorded. Simulated
// exactly: the message is in the channel (posted as the worker posts it,
// with its delivery key), nothing is recorded, and the job is where River's
// rescuer puts a job its dead process left running (retryable, attempt 1).
// The next attempt finds the earlier post by its key and does not post again.
func TestOutboxPostThatReachedSlackBeforeACrashIsNotPostedAgain(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	e := newOutboxEnv(t, store, newFakeSlack(t, testTeam, testBot))
	ctx := context.Background()
	postBeforeTheCrash(t, e, "slack/T111/crash:1/0", "", "slack/T111/crash:2/0", "1699999999.000001")
	rerunAndExpectEachPostedOnce(t, store, e)
	for _, key := range []string{"slack/T111/crash:1/0", "slack/T111/crash:2/0"} {
		if ts, ok, err := store.Delivered(ctx, key); err != nil || !ok || ts == "" {
			t.Fatalf("%s recorded as %q, %v (%v); want the earlier post's ts", key, ts, ok, err)
		}
	}
}

// A rescued delivery's earlier post is found however far a busy channel has
// pushed it back: 250 later messages in the channel, and 250 earlier replies
// in the thread (read oldest first), are more than a page, and the search
// pages on until it finds the post rather than posting it again.
func TestOutboxPostPushedBackByABusyChannelIsNotPostedAgain(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	fake := newFakeSlack(t, testTeam, testBot)
	fake.tsSeconds = time.Now().Unix() // posts dated now, as Slack's are
	e := newOutboxEnv(t, store, fake)
	parent := fmt.Sprintf("%d.000000", fake.tsSeconds-60)
	fake.addMessage("C1", parent, map[string]any{"type": "message", "text": "a request's thread"})
	postBeforeTheCrash(t, e, "slack/T111/busy:1/0", "", "slack/T111/busy:2/0", parent)
	for i := range 250 {
		ts := fmt.Sprintf("%d.%06d", fake.tsSeconds, 500_000+i)
		fake.addMessage("C1", ts, map[string]any{"type": "message", "text": "later", "bot_id": "B111", "user": testBot})
		// A thread reads oldest first: its busy part is before the post.
		reply := fmt.Sprintf("%d.%06d", fake.tsSeconds-30, i)
		fake.addMessage("C1", reply, map[string]any{"type": "message", "text": "earlier reply", "thread_ts": parent, "bot_id": "B111", "user": testBot})
	}
	rerunAndExpectEachPostedOnce(t, store, e)
	if pages := len(e.fake.callsTo("conversations.history")); pages < 2 {
		t.Fatalf("%d history pages read; the post was past the first", pages)
	}
	if pages := len(e.fake.callsTo("conversations.replies")); pages < 2 {
		t.Fatalf("%d thread pages read; the post was past the first", pages)
	}
}

// rerunAndExpectEachPostedOnce runs the two deliveries' jobs again, as after
// a crash that cut them off before River heard, and checks that each was
// posted once in all (the earlier attempt's post found, not made again).
func rerunAndExpectEachPostedOnce(t *testing.T, store *storage.Store, e *env) {
	t.Helper()
	if _, err := store.DB().Exec(`UPDATE river_job SET state = 'retryable', attempt = 1,
		attempted_at = now() - interval '2 minutes', scheduled_at = now() WHERE kind = 'deliver'`); err != nil {
		t.Fatal(err)
	}
	d := deliverer(t, store, e.adapter, "next")
	waitDelivered(t, store, 2)
	settle(t, e, d)
	posts := 0
	for _, c := range e.fake.callsTo("chat.postMessage") {
		if strings.Contains(c.Form.Get("text"), "posted just before the crash") {
			posts++
		}
	}
	if posts != 2 {
		t.Fatalf("%d posts of the two deliveries; want each once", posts)
	}
}

// The search for the earlier post is rate limited: the delivery waits (River
// snoozes it) and searches again rather than post blind.
func TestOutboxPostWhoseSearchIsRateLimitedIsNotPostedBlind(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	e := newOutboxEnv(t, store, newFakeSlack(t, testTeam, testBot))
	postBeforeTheCrash(t, e, "slack/T111/limited:1/0", "", "slack/T111/limited:2/0", "")
	e.fake.rateLimit("conversations.history", 2)
	rerunAndExpectEachPostedOnce(t, store, e)
	if n := len(e.fake.callsTo("conversations.history")); n < 2 {
		t.Fatalf("%d history searches answered; want one for each delivery after the limits", n)
	}
}

// postBeforeTheCrash queues each delivery (key, thread, key, thread, …) to C1
// and posts it as its deliver job would, recording nothing: the post reached
// Slack and the process died.
func postBeforeTheCrash(t *testing.T, e *env, keysAndThreads ...string) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i+1 < len(keysAndThreads); i += 2 {
		key, thread := keysAndThreads[i], keysAndThreads[i+1]
		to := bot.Destination{Platform: bot.PlatformSlack, Workspace: testTeam, Channel: "C1", Thread: thread}
		msg := bot.Message{Text: "posted just before the crash " + key}
		if err := e.adapter.cfg.Outbox.Enqueue(ctx, bot.Delivery{Key: key, To: to, Messages: []bot.Message{msg}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.adapter.Send(bot.WithDelivery(bot.CallerRetries(ctx), key, false, time.Time{}), to, msg); err != nil {
			t.Fatal(err)
		}
	}
}
