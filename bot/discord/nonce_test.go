package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// The window the outbox's own record leaves, on Discord: a deliver job's post
// was created and the process died before it was recorded. Simulated exactly
// — the message posted as the worker posts it (with its delivery's nonce),
// nothing recorded, the job where River's rescuer puts it (retryable, attempt
// 1). The next attempt sends the same nonce with enforce_nonce, Discord hands
// back the first message, and the delivery is recorded as that one post.
func TestOutboxPostCreatedBeforeACrashIsNotCreatedAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	ob := outboxOf(t, e.store)
	const channel, key = "290926798999357250", "discord/g/crash:1/0"
	to := bot.Destination{Platform: bot.PlatformDiscord, Workspace: guildID, Channel: channel}
	msg := bot.Message{Text: "posted just before the crash"}
	if err := ob.Enqueue(ctx, bot.Delivery{Key: key, To: to, Messages: []bot.Message{msg}}); err != nil {
		t.Fatal(err)
	}
	first, err := e.a.Send(bot.WithDelivery(bot.CallerRetries(ctx), key, false, time.Time{}), to, msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.DB().Exec(`UPDATE river_job SET state = 'retryable', attempt = 1,
		attempted_at = now() - interval '2 minutes', scheduled_at = now() WHERE kind = 'deliver'`); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	e.waitDelivered(1)
	got, ok, err := e.store.Delivered(ctx, key)
	if err != nil || !ok || got != first {
		t.Fatalf("delivery recorded as %q (%v, %v); want the message created before the crash, %q", got, ok, err, first)
	}
	posts := e.fake.Exact("POST /api/v9/channels/" + channel + "/messages")
	if len(posts) != 2 || !strings.Contains(string(posts[1].Body), `"enforce_nonce":true`) {
		t.Fatalf("%d posts; want the first and its repeat under the same nonce", len(posts))
	}
}

// A requester who takes no direct messages from the server: the DM is refused
// for good (403, code 50007), and the deliver job posts its fallback — the
// request's thread — once, instead of retrying the DM for an hour.
func TestRefusedDirectMessageGoesToItsFallbackThread(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.fake.mu.Lock()
	e.fake.dmsClosed = true
	e.fake.mu.Unlock()
	const thread = "1100000000000000001"
	if err := outboxOf(t, e.store).Enqueue(ctx, bot.Delivery{Key: "discord/g/take:1/requester/taken/0",
		To:       bot.Destination{Platform: bot.PlatformDiscord, Workspace: guildID, UserID: tom.ID},
		Messages: []bot.Message{{Text: "cora took your request #1001"}},
		Else: &bot.Fallback{To: bot.Destination{Platform: bot.PlatformDiscord, Workspace: guildID, Channel: chanID, Thread: thread},
			Messages: []bot.Message{{Text: "tom: cora took your request #1001"}}}}); err != nil {
		t.Fatal(err)
	}
	e.deliver()
	if attempts := e.waitDelivered(1); attempts[0] != 1 {
		t.Fatalf("%d attempts; want the fallback at the first", attempts[0])
	}
	posts := e.fake.Answered("POST /api/v9/channels/" + thread + "/messages")
	if len(posts) != 1 || !strings.Contains(string(posts[0].Body), "tom: cora took your request") {
		t.Fatalf("posts in the thread: %+v; want the fallback once", posts)
	}
}
