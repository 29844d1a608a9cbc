package discord_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// gatewayData returns the "d" of the recorded MESSAGE_CREATE, changed by edit.
func gatewayData(t *testing.T, edit func(d map[string]any)) (string, json.RawMessage) {
	t.Helper()
	var env struct {
		T string         `json:"t"`
		D map[string]any `json:"d"`
	}
	if err := json.Unmarshal(readFixture(t, "gateway_message_create.json"), &env); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(env.D)
	}
	b, _ := json.Marshal(env.D)
	return env.T, b
}

// A MESSAGE_CREATE in an intake channel, delivered twice (as after a gateway
// resume), opens one request and posts one reply, which gets a thread; replies
// in that thread are comments, once each however often they are delivered.
func TestGatewayMessageReplayedOpensOneRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const intake = "290926798999357250" // the fixture message's channel
	mgr := person{"53908099506183680", "Mason"}
	e.assume(mgr, bot.RoleManager, "")
	p, err := e.store.FindPerson(ctx, e.ws(), mgr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetIntake(ctx, e.ws(), intake, true, p.ID); err != nil {
		t.Fatal(err)
	}
	typ, raw := gatewayData(t, func(d map[string]any) { d["content"] = "Outlook keeps asking for my password" })
	e.a.HandleEvent(ctx, typ, raw)
	e.a.HandleEvent(ctx, typ, raw)
	e.a.Wait()
	if n := e.countRequests(); n != 1 {
		t.Fatalf("%d requests after a replayed MESSAGE_CREATE; want 1", n)
	}
	posts := e.fake.Exact("POST /api/v9/channels/" + intake + "/messages")
	if len(posts) != 1 {
		t.Fatalf("%d posts; want 1", len(posts))
	}
	body := jsonMap(t, posts[0].Body)
	if !strings.Contains(text(body), "Opened #1001 — support") || body["message_reference"] == nil {
		t.Fatalf("post: %s", posts[0].Body)
	}
	if am, _ := json.Marshal(body["allowed_mentions"]); string(am) != `{"parse":[],"replied_user":false}` {
		t.Fatalf("allowed_mentions = %s", am)
	}
	r := e.request(1001)
	if r.SourceID != "334385199974967042" || r.SourcePlatform != bot.PlatformDiscord || r.OpenedByName != "Mason" {
		t.Fatalf("request: %+v", r)
	}
	if !strings.HasPrefix(r.Thread, "th") || len(e.fake.Calls("/threads")) != 1 {
		t.Fatalf("thread %q, calls %d", r.Thread, len(e.fake.Calls("/threads")))
	}

	// A reply in the thread: a comment, not a request; replayed, still one comment.
	typ, reply := gatewayData(t, func(d map[string]any) {
		d["id"], d["channel_id"], d["content"] = "334385199974967099", r.Thread, "Still asking after a reboot"
	})
	e.a.HandleEvent(ctx, typ, reply)
	e.a.HandleEvent(ctx, typ, reply)
	comments, err := e.store.Comments(ctx, r.ID)
	if err != nil || len(comments) != 1 || comments[0].Body != "Still asking after a reboot" || comments[0].AuthorName != "Mason" {
		t.Fatalf("comments: %+v %v", comments, err)
	}
	if n := e.countRequests(); n != 1 {
		t.Fatalf("a thread reply opened a request: %d", n)
	}

	// Outside intake channels only a mention of the bot opens a request.
	typ, plain := gatewayData(t, func(d map[string]any) { d["id"], d["channel_id"] = "334385199974967100", "111" })
	e.a.HandleEvent(ctx, typ, plain)
	typ, mention := gatewayData(t, func(d map[string]any) {
		d["id"], d["channel_id"], d["content"] = "334385199974967101", "111", "<@775799577604522054> VPN is down for remote users"
	})
	e.a.HandleEvent(ctx, typ, mention)
	// Bots (ourselves included) are never heard.
	typ, fromBot := gatewayData(t, func(d map[string]any) {
		d["id"] = "334385199974967102"
		d["author"].(map[string]any)["bot"] = true
	})
	e.a.HandleEvent(ctx, typ, fromBot)
	e.a.Wait()
	if n := e.countRequests(); n != 2 {
		t.Fatalf("%d requests; want 2 (intake + mention)", n)
	}
	if got := e.request(1002); got.Body != "VPN is down for remote users" {
		t.Fatalf("mention request body %q", got.Body)
	}
}

// The 🎫 reaction opens a request from the message reacted to, once.
func TestTicketReactionOpensRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.assume(tom, bot.RoleTech, "")
	e.fake.messages["555"] = "The scanner on floor 3 shows error E45"
	raw := json.RawMessage(`{"user_id":"` + tom.ID + `","channel_id":"` + chanID + `","message_id":"555","guild_id":"` + guildID +
		`","member":{"user":{"id":"` + tom.ID + `","username":"tom"}},"emoji":{"id":null,"name":"🎫"}}`)
	e.a.HandleEvent(ctx, "MESSAGE_REACTION_ADD", raw)
	e.a.HandleEvent(ctx, "MESSAGE_REACTION_ADD", raw)
	other := json.RawMessage(strings.Replace(string(raw), "🎫", "👍", 1))
	e.a.HandleEvent(ctx, "MESSAGE_REACTION_ADD", other)
	e.a.Wait()
	if n := e.countRequests(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
	if r := e.request(1001); r.Body != "The scanner on floor 3 shows error E45" || r.OpenedByName != "tom" || r.SourceID != "555" {
		t.Fatalf("request: %+v", r)
	}
	if n := len(e.fake.Exact("POST /api/v9/channels/" + chanID + "/messages")); n != 1 {
		t.Fatalf("%d posts; want 1", n)
	}
}

// A 429 with retry_after is waited out by discordgo's limiter: the post still
// arrives, after the wait.
func TestRateLimitedPostStillArrives(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := "POST /api/v9/channels/" + chanID + "/messages"
	e.fake.limit429[path] = 1
	start := time.Now()
	id, err := e.a.Send(context.Background(), bot.Destination{Platform: bot.PlatformDiscord, Channel: chanID},
		bot.Message{Text: "Weekly update for ACME"})
	took := time.Since(start)
	if err != nil || id == "" {
		t.Fatalf("send: %q %v", id, err)
	}
	calls := e.fake.Calls(path)
	if len(calls) != 2 || !strings.Contains(string(calls[1].Body), "Weekly update for ACME") {
		t.Fatalf("calls: %d; want the 429 then the post", len(calls))
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < 240*time.Millisecond {
		t.Fatalf("retried after %v; retry_after was 250ms", gap)
	}
	t.Logf("429 then post: %v in all", took)
}

// The Sender: a thread post goes to the thread's channel; a user alone gets a DM.
func TestSenderThreadsAndDirectMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.a.Send(ctx, bot.Destination{Platform: bot.PlatformDiscord, Channel: chanID, Thread: "777"}, bot.Message{Text: "in thread"}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.fake.Calls("POST /api/v9/channels/777/messages")); n != 1 {
		t.Fatalf("thread posts %d", n)
	}
	if _, err := e.a.Send(ctx, bot.Destination{Platform: bot.PlatformDiscord, UserID: tom.ID}, bot.Message{Title: "Nudge", Text: "log your time"}); err != nil {
		t.Fatal(err)
	}
	dm := e.fake.Calls("POST /api/v9/users/@me/channels")
	if len(dm) != 1 || !strings.Contains(string(dm[0].Body), tom.ID) {
		t.Fatalf("DM channel calls: %+v", dm)
	}
	if posts := e.fake.Calls("/messages"); !strings.Contains(posts[len(posts)-1].Path, "/channels/dm") {
		t.Fatalf("DM posted to %s", posts[len(posts)-1].Path)
	}
	if _, err := e.a.Send(ctx, bot.Destination{Platform: bot.PlatformDiscord}, bot.Message{Text: "x"}); bot.ErrorCode(err) != bot.EInvalid {
		t.Fatalf("no destination: %v", err)
	}
}

// Registration overwrites the guild's commands with one per router command,
// with typed options and autocomplete where the shape is clear.
func TestRegisterCommandsBulkOverwrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.a.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	puts := e.fake.Calls("PUT /api/v9/applications/" + appID + "/guilds/" + guildID + "/commands")
	if len(puts) != 1 {
		t.Fatalf("registration calls: %d", len(puts))
	}
	var cmds []struct {
		Name, Description string
		Options           []struct {
			Name         string
			Type         int
			Autocomplete bool
			Options      []struct {
				Name         string
				Type         int
				Autocomplete bool
			}
		}
	}
	if err := json.Unmarshal(puts[0].Body, &cmds); err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for i, c := range cmds {
		names[c.Name] = i
		if c.Description == "" || len(c.Description) > 100 {
			t.Errorf("/%s description %q", c.Name, c.Description)
		}
	}
	for _, c := range e.router.Commands() {
		if _, ok := names[c.Name]; ok == c.Internal {
			t.Errorf("/%s registered: %v; internal (never typed): %v", c.Name, ok, c.Internal)
		}
	}
	req := cmds[names["request"]]
	// From the table (open, show, take, close, resolve, reopen, priority,
	// wait, resume, sla) and the long form.
	if len(req.Options) != 11 || req.Options[1].Name != "show" || req.Options[1].Options[0].Type != 4 || !req.Options[1].Options[0].Autocomplete ||
		req.Options[10].Name != "form" {
		t.Fatalf("/request options: %+v", req.Options)
	}
	if rc := cmds[names["reclassify"]]; rc.Options[0].Name != "number" || !rc.Options[0].Autocomplete {
		t.Fatalf("/reclassify options: %+v", rc.Options)
	}
}
