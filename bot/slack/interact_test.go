package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// click builds a block_actions payload from the fixture: user clicks the
// button with that value on the message at (channel, ts).
func click(t *testing.T, user, channel, ts, actionID, value string) map[string]any {
	p := fixture(t, "interaction_block_actions.json")
	p["user"] = map[string]any{"id": user, "username": user, "name": user, "team_id": testTeam}
	p["container"] = map[string]any{"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false}
	p["channel"] = map[string]any{"id": channel, "name": "support"}
	act := p["actions"].([]any)[0].(map[string]any)
	act["action_id"], act["value"] = actionID, value
	return p
}

// TestButtonReclassifyChecksClickerRole: "It's a project" clicked by a tech is
// refused privately and changes nothing; clicked by a coordinator it
// reclassifies and the request message is updated in place.
func TestButtonReclassifyChecksClickerRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	e.slash("UTOM", "C1", "/request Printer on the 2nd floor is jammed")
	e.adapter.Wait()
	post := e.fake.callsTo("chat.postMessage")[0]
	value := buttons(t, post)["request.project"]
	if !strings.HasPrefix(value, "/reclassify 1001 project") {
		t.Fatalf("It's a project button runs %q", value)
	}
	ts := e.request(1001).Thread

	if s, _ := e.interact(click(t, "UTOM", "C1", ts, "request.project", value)); s != http.StatusOK {
		t.Fatalf("status %d", s)
	}
	e.adapter.Wait()
	eph := e.fake.callsTo("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("user") != "UTOM" || eph[0].Form.Get("channel") != "C1" ||
		!strings.Contains(postedText(eph[0]), "for coordinators") {
		t.Fatalf("tech's refusal: %+v", eph)
	}
	if n := len(e.fake.callsTo("chat.update")); n != 0 {
		t.Fatalf("refused click updated the message (%d chat.update)", n)
	}
	if r := e.request(1001); r.Kind != bot.KindSupport {
		t.Fatalf("refused click changed kind to %s", r.Kind)
	}

	e.interact(click(t, "UCORA", "C1", ts, "request.project", value))
	e.adapter.Wait()
	if r := e.request(1001); r.Kind != bot.KindProject {
		t.Fatalf("coordinator's click left kind %s", r.Kind)
	}
	up := e.fake.callsTo("chat.update")
	if len(up) != 1 || up[0].Form.Get("channel") != "C1" || up[0].Form.Get("ts") != ts {
		t.Fatalf("chat.update calls: %+v", up)
	}
	text := postedText(up[0])
	if !strings.Contains(text, "#1001 is now project") || !strings.Contains(text, "cora") {
		t.Fatalf("updated message: %s", text)
	}
	if b := buttons(t, up[0]); b["request.support"] == "" || b["request.project"] != "" {
		t.Fatalf("updated buttons %v; want It's support instead of It's a project", b)
	}
	// The fixture's own click (value "click_me_123") is not a command: refused, nothing changes.
	raw, _ := os.ReadFile("testdata/interaction_block_actions.json")
	var fx map[string]any
	_ = json.Unmarshal(raw, &fx)
	e.fake.addUser("W111", "owner", testTeam, "UTC")
	if s, _ := e.interact(fx); s != http.StatusOK {
		t.Fatalf("fixture click: status %d", s)
	}
	e.adapter.Wait()
	if n := len(e.fake.callsTo("chat.update")); n != 1 {
		t.Fatalf("a non-command button updated a message")
	}
}

// TestSharedChannelExternalUserSeesOnlyTheirClient: linking a channel shared
// with ACME's Slack team records that team as ACME's, so a Slack Connect user
// of that team is ACME's client user wherever they write (even in GLOBEX's
// channel): their requests are ACME's and they cannot list or read GLOBEX's.
// Someone of a third organisation, even inside ACME's channel, is refused and
// not stored.
func TestSharedChannelExternalUserSeesOnlyTheirClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UDANA", "dana", testTeam, bot.RoleManager, "")
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.person("UWILE", "wile", "TACME", "", "") // Slack Connect guest from ACME's own workspace
	if out := e.slashAll("UDANA", "CACME", "/mspbot client link ACME"); !strings.Contains(out, `no client "ACME"`) {
		t.Fatalf("linking to a client nobody added must be refused: %s", out)
	}
	if out := e.slashAll("UDANA", "CACME", `/client add ACME "Acme Corp"`); !strings.Contains(out, "Client ACME (Acme Corp) added") {
		t.Fatalf("add client: %s", out)
	}
	e.fake.shared["CACME"] = []string{"TACME"}
	if out := e.slashAll("UDANA", "CACME", "/mspbot client link ACME"); !strings.Contains(out, "linked to client ACME") || !strings.Contains(out, "People of TACME") {
		t.Fatalf("link: %s", out)
	}
	e.slash("UDANA", "CGLOBEX", "/mspbot client link GLOBEX")
	e.slash("UTOM", "CGLOBEX", "/request GLOBEX VPN is down for the remote users") // #1001 GLOBEX
	e.slash("UWILE", "CGLOBEX", "/request Our printer is jammed")                  // #1002 ACME, though typed in GLOBEX's channel
	e.adapter.Wait()

	if r := e.request(1002); r.ClientCode != "ACME" || r.OpenedByName != "wile" {
		t.Fatalf("guest's request: %+v", r)
	}
	p, err := e.store.FindPerson(context.Background(), e.workspace(), "UWILE")
	if err != nil || p.Role != bot.RoleClient || p.ClientCode != "ACME" {
		t.Fatalf("guest is %+v %v; want ACME client user", p, err)
	}
	out := e.slashAll("UWILE", "CACME", "/requests")
	if !strings.Contains(out, "#1002") || strings.Contains(out, "#1001") {
		t.Fatalf("guest's list:\n%s", out)
	}
	if out := e.slashAll("UWILE", "CACME", "/request show 1001"); !strings.Contains(out, "no request #1001") {
		t.Fatalf("guest reading GLOBEX's request:\n%s", out)
	}
	if out := e.slashAll("UWILE", "CACME", `/reclassify 1002 project "x"`); !strings.Contains(out, "for coordinators") {
		t.Fatalf("guest reclassifying:\n%s", out)
	}
	e.person("UEVE", "eve", "TEVIL", "", "")
	for _, ch := range []string{"COPEN", "CACME"} {
		if out := e.slashAll("UEVE", ch, "/requests"); !strings.Contains(out, "not one of your MSP's clients") {
			t.Fatalf("outsider in %s:\n%s", ch, out)
		}
	}
	if _, err := e.store.FindPerson(context.Background(), e.workspace(), "UEVE"); bot.ErrorCode(err) != bot.ENotFound {
		t.Fatalf("a refused guest was stored: %v", err)
	}
}

// TestIntakeMessagesOpenRequestsAndRepliesAreComments: in an intake channel a
// top-level message (the message fixture) opens a request answered in its
// thread; a reply there is a comment, not a request; the bot's own posts and
// messages in other channels are ignored.
func TestIntakeMessagesOpenRequestsAndRepliesAreComments(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UDANA", "dana", testTeam, bot.RoleManager, "")
	e.person("W111", "owner", testTeam, bot.RoleTech, "")
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	// The fixture's author is W111, which our fake also calls the bot; give the bot another id here.
	e.adapter.botUserID = "UBOT"
	msg := fixture(t, "event_message.json")
	ev := msg["event"].(map[string]any)
	ev["text"] = "The Denver office wifi keeps dropping"

	e.event(mustJSON(t, msg), 0) // not an intake channel yet
	e.adapter.Wait()
	if n := e.requestCount(); n != 0 {
		t.Fatalf("a message outside intake opened %d requests", n)
	}
	e.slash("UDANA", "C111", "/mspbot intake on")
	msg["event_id"] = "Ev2"
	e.event(mustJSON(t, msg), 0)
	e.adapter.Wait()
	r := e.request(1001)
	if r.Thread != "1596183880.004200" || r.Channel != "C111" || r.OpenedByName != "owner" {
		t.Fatalf("intake request: %+v", r)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != "1596183880.004200" {
		e.fake.mu.Lock()
		for _, c := range e.fake.calls {
			t.Logf("call %s %d %v", c.Method, c.Status, c.Form)
		}
		e.fake.mu.Unlock()
		t.Fatalf("posts: %+v", posts)
	}

	reply := fixture(t, "event_message.json")
	rev := reply["event"].(map[string]any)
	rev["user"], rev["text"], rev["ts"], rev["thread_ts"] = "UTOM", "On it, <@UDANA> — rebooting the AP", "1596183999.000100", "1596183880.004200"
	reply["event_id"] = "Ev3"
	e.event(mustJSON(t, reply), 0)
	e.event(mustJSON(t, reply), 1)
	own := fixture(t, "event_message.json")
	oev := own["event"].(map[string]any)
	oev["user"], oev["bot_id"], oev["ts"], oev["text"] = "UBOT", "B0BOT", "1596184000.000100", "Opened #1001"
	own["event_id"] = "Ev4"
	e.event(mustJSON(t, own), 0)
	e.adapter.Wait()

	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests; want 1 (reply and bot post open none)", n)
	}
	comments, err := e.store.Comments(context.Background(), r.ID)
	if err != nil || len(comments) != 1 || comments[0].AuthorName != "tom" || comments[0].Body != "On it, <@UDANA> — rebooting the AP" {
		t.Fatalf("comments: %+v %v", comments, err)
	}
	if n := len(e.fake.callsTo("chat.postMessage")); n != 1 {
		t.Fatalf("%d posts; want still 1", n)
	}
}

// TestTicketReactionOpensRequestFromMessage: the ticket emoji on a message
// (the reaction fixture) opens a request from that message's text, opened by
// the reactor, linking back; the post neutralises the @here the author typed.
func TestTicketReactionOpensRequestFromMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.person("UCLI", "carl", testTeam, bot.RoleTech, "")
	e.fake.addMessage("C111", "1599529504.000400", map[string]any{"type": "message", "user": "UCLI",
		"text": "<!here> VPN is down for everyone &amp; <!channel> nobody can log in"})
	p := fixture(t, "event_reaction_added.json")
	ev := p["event"].(map[string]any)
	ev["user"] = "UTOM"
	e.event(mustJSON(t, p), 0) // heart_eyes: nothing
	e.adapter.Wait()
	if n := e.requestCount(); n != 0 {
		t.Fatalf("another emoji opened %d requests", n)
	}
	ev["reaction"] = "ticket"
	p["event_id"] = "Ev2"
	e.event(mustJSON(t, p), 0)
	p["event_id"] = "Ev3" // a second person's ticket on the same message
	e.event(mustJSON(t, p), 0)
	e.adapter.Wait()

	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
	r := e.request(1001)
	if r.OpenedByName != "tom" || !strings.Contains(r.Body, "@here VPN is down for everyone & @channel") ||
		!strings.Contains(r.Body, "https://msp.example.slack.com/archives/C111/p1599529504000400") || r.Thread != "1599529504.000400" {
		t.Fatalf("request from reaction: %+v", r)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts", len(posts))
	}
	raw := posts[0].Form.Get("text") + posts[0].Form.Get("blocks")
	if strings.Contains(raw, "<!here>") || strings.Contains(raw, "<!channel>") || strings.Contains(raw, "@here") || strings.Contains(raw, "@channel") {
		t.Fatalf("post would ping: %s", raw)
	}
	if !strings.Contains(raw, "@\u2060here") {
		t.Fatalf("post lost the text: %s", raw)
	}
}

// TestShortcutModalOpensRequest: the global shortcut fixture opens the modal
// (views.open with its trigger); an empty title is refused in the modal; a
// valid submission opens the request with its priority and client, posted in
// the person's DM.
func TestShortcutModalOpensRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("W111", "owner", testTeam, bot.RoleCoordinator, "")
	e.adapter.botUserID = "UBOT"
	if _, err := e.store.EnsureClient(context.Background(), e.workspace(), "ACME"); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.interact(fixture(t, "interaction_shortcut_global.json")); s != http.StatusOK {
		t.Fatalf("shortcut status %d", s)
	}
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 || opens[0].JSON["trigger_id"] != "111.111.xxxxxx" {
		t.Fatalf("views.open: %+v", opens)
	}
	view := opens[0].JSON["view"].(map[string]any)
	if view["callback_id"] != viewOpenRequest || len(view["blocks"].([]any)) != 4 {
		t.Fatalf("modal: %v", view)
	}

	sub := fixture(t, "interaction_view_submission.json")
	v := sub["view"].(map[string]any)
	v["callback_id"], v["private_metadata"] = viewOpenRequest, view["private_metadata"]
	state := func(title, desc, client, prio string) {
		v["state"] = map[string]any{"values": map[string]any{
			"title":       map[string]any{"title": map[string]any{"type": "plain_text_input", "value": title}},
			"description": map[string]any{"description": map[string]any{"type": "plain_text_input", "value": desc}},
			"client":      map[string]any{"client": map[string]any{"type": "plain_text_input", "value": client}},
			"priority":    map[string]any{"priority": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": prio}}},
		}}
	}
	state("  ", "", "", "P2")
	s, ack := e.interact(sub)
	if s != http.StatusOK || !strings.Contains(ack, `"response_action":"errors"`) || !strings.Contains(ack, `"title"`) {
		t.Fatalf("empty title: %d %s", s, ack)
	}
	state("Replace the core switch", "Cisco 3850 in the Denver rack", "NOPE", "P2")
	if _, ack := e.interact(sub); !strings.Contains(ack, `"client"`) || !strings.Contains(ack, "NOPE") {
		t.Fatalf("unknown client should be refused in the modal: %s", ack)
	}
	state("Replace the core switch", "Cisco 3850 in the Denver rack", "ACME", "P2")
	if s, ack := e.interact(sub); s != http.StatusOK || strings.Contains(ack, "errors") {
		t.Fatalf("valid submission: %d %s", s, ack)
	}
	e.adapter.Wait()
	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
	r := e.request(1001)
	if r.Title != "Replace the core switch" || r.Priority != "P2" || r.ClientCode != "ACME" || !strings.Contains(r.Body, "Cisco 3850") {
		t.Fatalf("request from modal: %+v", r)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "DW111" {
		t.Fatalf("posts: %+v", posts)
	}
}

// TestSenderPostsToChannelsAndDMs: bot.Sender posts into a thread, or opens a DM.
func TestSenderPostsToChannelsAndDMs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ts, err := e.adapter.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack, Channel: "C9", Thread: "1.2"},
		bot.Message{Title: "Weekly update", Text: "All on track <!everyone>"})
	if err != nil || ts == "" {
		t.Fatalf("send: %q %v", ts, err)
	}
	if _, err := e.adapter.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack, UserID: "UTOM"},
		bot.Message{Text: "Time to log your hours"}); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 2 || posts[0].Form.Get("thread_ts") != "1.2" || posts[1].Form.Get("channel") != "DTOM" {
		t.Fatalf("posts: %+v", posts)
	}
	if strings.Contains(posts[0].Form.Get("text"), "<!everyone>") {
		t.Fatalf("sender posted a broadcast: %q", posts[0].Form.Get("text"))
	}
	if _, err := e.adapter.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack}); bot.ErrorCode(err) != bot.EInvalid {
		t.Fatalf("no destination: %v", err)
	}
	var _ bot.Comment
}
