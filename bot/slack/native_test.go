package slack

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/web"
)

// TestNamespacedSlashCommandsOverHTTP: "/mspbot request …" and the alias
// "/msp-request …", signed as Slack signs them, open requests exactly as the
// old /request did (rows in Postgres, the post the strict fake accepted);
// "/mspbot" alone answers with help; "/mspbot intake on" still configures the channel.
func TestNamespacedSlashCommandsOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleManager, "")
	if s, _ := e.slash("UTOM", "C1", "/mspbot request Outlook keeps asking for my password"); s != http.StatusOK {
		t.Fatalf("status %d", s)
	}
	e.adapter.Wait() // posts go out after the ack, in order per command
	if s, _ := e.slash("UTOM", "C1", "/msp-request --priority P2 The VPN drops every hour"); s != http.StatusOK {
		t.Fatalf("status %d", s)
	}
	e.adapter.Wait()
	if r := e.request(1001); r.Title != "Outlook keeps asking for my password" || r.OpenedByName != "tom" {
		t.Fatalf("#1001: %+v", r)
	}
	if r := e.request(1002); r.Priority != "P2" || !strings.Contains(r.Title, "VPN") {
		t.Fatalf("#1002: %+v", r)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 2 || !strings.Contains(posts[0].Form.Get("text"), "#1001") || !strings.Contains(posts[1].Form.Get("text"), "#1002") {
		t.Fatalf("posts: %+v", posts)
	}
	_, help := e.slash("UTOM", "C1", "/mspbot")
	if !strings.Contains(help, "request") || !strings.Contains(help, "timer") || !strings.Contains(help, "type each command after /mspbot") {
		t.Fatalf("/mspbot alone should list the commands: %s", help)
	}
	if _, ack := e.slash("UTOM", "C1", "/mspbot intake on"); !strings.Contains(ack, "intake channel") {
		t.Fatalf("/mspbot intake on: %s", ack)
	}
}

// TestMessageShortcutPrefillFitsSlack: a message longer than a Slack input may
// hold pre-fills the "Open request" modal cut to 3,000 characters (max_length
// 3000), and the strict fake accepts the view Slack would.
func TestMessageShortcutPrefillFitsSlack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("W111", "owner", testTeam, bot.RoleTech, "")
	cb := fixture(t, "interaction_message_action.json")
	cb["callback_id"] = CallbackOpenRequestMessage
	cb["message"].(map[string]any)["text"] = "Printer down\n" + strings.Repeat("é the log says paper jam. ", 400)
	if s, _ := e.interact(cb); s != http.StatusOK {
		t.Fatalf("status %d", s)
	}
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open: %d accepted", len(opens))
	}
	view := opens[0].JSON["view"].(map[string]any)
	desc := view["blocks"].([]any)[1].(map[string]any)["element"].(map[string]any)
	init, _ := desc["initial_value"].(string)
	if desc["max_length"].(float64) != 3000 || utf8.RuneCountInString(init) != 3000 || !strings.HasSuffix(init, "…") {
		t.Fatalf("description: max_length %v, initial_value %d characters", desc["max_length"], utf8.RuneCountInString(init))
	}
}

// TestSocketModeRefusedTokenFailsReadyz: when Slack refuses the app-level token
// (invalid_auth on apps.connections.open), RunSocketMode stops with an error
// that names SLACK_APP_TOKEN and /readyz, served by the real web server with
// the adapter's check, answers 503 saying what to fix.
func TestSocketModeRefusedTokenFailsReadyz(t *testing.T) {
	t.Parallel()
	e := newEnvOn(t, storagetest.New(t), newFakeSlack(t, testTeam, testBot), func(c *Config) { c.AppToken = "xapp-revoked" })
	e.fake.appTokenError = "invalid_auth"
	srv := web.NewServer("127.0.0.1:0", e.store.Ready, web.NewMetrics(), slog.New(slog.DiscardHandler))
	srv.AddReadyCheck(e.adapter.Ready)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	readyz := func() (int, string) {
		resp, err := http.Get(hs.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if s, body := readyz(); s != http.StatusOK {
		t.Fatalf("before Socket Mode: %d %s", s, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := e.adapter.RunSocketMode(ctx)
	if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") || ctx.Err() != nil {
		t.Fatalf("RunSocketMode: %v", err)
	}
	s, body := readyz()
	if s != http.StatusServiceUnavailable || !strings.Contains(body, "invalid_auth") || !strings.Contains(body, "App-Level Tokens") {
		t.Fatalf("/readyz after a refused token: %d %s", s, body)
	}
	if n := len(e.fake.attempts("apps.connections.open")); n != 1 {
		t.Fatalf("%d connection attempts; a refused token is not retried", n)
	}
}

// TestRefusedPostToldPrivately: a request opened from the message shortcut in
// a channel the bot is not in is stored; the post there is refused
// (not_in_channel), so the person gets the request in a direct message with
// why and how to fix it. The outbox path (Send with NotifyUser) does the same.
func TestRefusedPostToldPrivately(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("W111", "owner", testTeam, bot.RoleTech, "")
	e.fake.notIn["C111"] = true
	cb := fixture(t, "interaction_message_action.json")
	cb["callback_id"] = CallbackOpenRequestMessage
	cb["message"].(map[string]any)["text"] = "The label printer in shipping prints blank labels"
	if s, _ := e.interact(cb); s != http.StatusOK {
		t.Fatalf("status %d", s)
	}
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open: %d", len(opens))
	}
	sub := fixture(t, "interaction_view_submission.json")
	v := sub["view"].(map[string]any)
	v["callback_id"], v["private_metadata"] = viewOpenRequest, opens[0].JSON["view"].(map[string]any)["private_metadata"]
	v["state"] = map[string]any{"values": map[string]any{
		"title":    map[string]any{"title": map[string]any{"type": "plain_text_input", "value": "Label printer prints blank labels"}},
		"priority": map[string]any{"priority": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "P2"}}},
	}}
	if s, ack := e.interact(sub); s != http.StatusOK || strings.Contains(ack, "errors") {
		t.Fatalf("submission: %d %s", s, ack)
	}
	e.adapter.Wait()
	if r := e.request(1001); r.Title != "Label printer prints blank labels" || r.Priority != "P2" {
		t.Fatalf("request: %+v", r)
	}
	var inChannel, inDM []apiCall
	for _, c := range e.fake.callsTo("chat.postMessage") {
		switch c.Form.Get("channel") {
		case "C111":
			inChannel = append(inChannel, c)
		case "DW111":
			inDM = append(inDM, c)
		}
	}
	if len(inChannel) != 1 || len(inDM) != 2 {
		t.Fatalf("%d posts tried in C111, %d in the DM; want 1 and 2", len(inChannel), len(inDM))
	}
	if note := postedText(inDM[0]); !strings.Contains(note, "not_in_channel") || !strings.Contains(note, "/invite @mspbot") {
		t.Fatalf("note: %s", note)
	}
	if got := postedText(inDM[1]); !strings.Contains(got, "#1001") {
		t.Fatalf("the request itself: %s", got)
	}

	// The outbox's way: Send with the person to tell.
	if _, err := e.adapter.Send(bot.CallerRetries(context.Background()), bot.Destination{Platform: bot.PlatformSlack,
		Workspace: testTeam, Channel: "C111", NotifyUser: "W111"}, bot.Message{Text: "Closed #1001"}); err != nil {
		t.Fatalf("Send with a person to tell: %v", err)
	}
	if _, err := e.adapter.Send(bot.CallerRetries(context.Background()), bot.Destination{Platform: bot.PlatformSlack,
		Workspace: testTeam, Channel: "C111"}, bot.Message{Text: "Closed #1001"}); err == nil {
		t.Fatal("Send with nobody to tell reported success")
	}
	last := e.fake.callsTo("chat.postMessage")
	if got := postedText(last[len(last)-2]); last[len(last)-2].Form.Get("channel") != "DW111" || !strings.Contains(got, "Closed #1001") {
		t.Fatalf("outbox fallback: %s", got)
	}
}

// TestAppHomeTab: app_home_opened (signed, over HTTP) publishes the person's
// Home tab: their open requests with SLA clocks, their time, and — for a
// coordinator — the queue with Take buttons. Clicking Take on the tab assigns
// the request in Postgres, tells the request's thread, and publishes the tab
// again with the request moved from the queue to "Your open requests".
func TestAppHomeTab(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UMGR", "mia", testTeam, bot.RoleManager, "")
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	for _, line := range []string{`/mspbot client add ACME "Acme Corp"`, "/mspbot client sla ACME P3 1h 8h"} {
		if _, ack := e.slash("UMGR", "C1", line); strings.Contains(ack, "didn't work") {
			t.Fatalf("%s: %s", line, ack)
		}
	}
	e.slash("UCORA", "C1", "/mspbot request --client ACME The scanner on floor 3 jams")
	e.adapter.Wait()
	e.slash("UMGR", "C1", "/mspbot request --client ACME Outlook asks for a password again")
	e.adapter.Wait()

	opened := func(user, id string) {
		t.Helper()
		body := mustJSON(t, map[string]any{"token": "x", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
			"event_id": id, "event_time": 1700000000,
			"event": map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1700000000.1"}})
		if s := e.event(body, 0); s != http.StatusOK {
			t.Fatalf("app_home_opened: %d", s)
		}
		e.adapter.Wait()
	}
	lastHome := func() string {
		t.Helper()
		pubs := e.fake.callsTo("views.publish")
		if len(pubs) == 0 {
			t.Fatal("no views.publish")
		}
		p := pubs[len(pubs)-1]
		if p.JSON["user_id"] != "UCORA" {
			t.Fatalf("published for %v", p.JSON["user_id"])
		}
		return unescaper.Replace(string(mustJSON(t, p.JSON["view"])))
	}
	opened("UCORA", "EvHome1")
	home := lastHome()
	mine, queue, _ := strings.Cut(home, "The queue")
	if !strings.Contains(mine, "Your open requests (1)") || !strings.Contains(mine, "#1001") || !strings.Contains(mine, "response 0m of 1h, ok") {
		t.Fatalf("your requests with SLA clocks: %s", mine)
	}
	if !strings.Contains(queue, "#1002") || !strings.Contains(queue, `"action_id":"home.take.1002"`) || !strings.Contains(home, "Your time today") {
		t.Fatalf("queue and time: %s", queue)
	}

	click := map[string]any{"type": "block_actions", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": "UCORA"},
		"trigger_id": "trig.home", "view": map[string]any{"id": "VHOME", "type": "home", "team_id": testTeam},
		"container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "home.take.1002", "block_id": "request:1002", "value": "/request take 1002"}}}
	if s, _ := e.interact(click); s != http.StatusOK {
		t.Fatalf("click: %d", s)
	}
	e.adapter.Wait()
	if r := e.request(1002); r.AssigneeName != "cora" {
		t.Fatalf("#1002 after Take on the Home tab: %+v", r)
	}
	home = lastHome()
	mine, queue, _ = strings.Cut(home, "The queue")
	if !strings.Contains(mine, "Your open requests (2)") || strings.Contains(queue, "#1002") {
		t.Fatalf("after Take: %s", home)
	}
	var told bool
	for _, c := range e.fake.callsTo("chat.postMessage") {
		if strings.Contains(postedText(c), "1002") && strings.Contains(postedText(c), "cora") && c.Form.Get("thread_ts") != "" {
			told = true
		}
	}
	if !told {
		t.Fatal("the request's thread was not told it was taken")
	}
}

// TestRequesterKeptInformedAndRates: when staff take, hold and close a
// request, its requester gets a direct message each time (the exact
// chat.postMessage calls); the "closed" one has Good/OK/Poor buttons, and a
// click stores the rating in Postgres, replaces the buttons with a thank-you,
// and shows in the manager's digest.
func TestRequesterKeptInformedAndRates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UWILE", "wile", testTeam, bot.RoleTech, "")
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	e.person("UMIA", "mia", testTeam, bot.RoleManager, "")
	e.slash("UWILE", "C1", "/mspbot request The scanner on floor 3 jams")
	e.adapter.Wait()
	dms := func() []apiCall {
		var out []apiCall
		for _, c := range e.fake.callsTo("chat.postMessage") {
			if c.Form.Get("channel") == "DWILE" {
				out = append(out, c)
			}
		}
		return out
	}
	for _, line := range []string{"/mspbot request take 1001", "/mspbot request wait 1001", "/mspbot request resume 1001", "/mspbot request close 1001"} {
		if _, ack := e.slash("UCORA", "C1", line); strings.Contains(ack, "didn't work") {
			t.Fatalf("%s: %s", line, ack)
		}
		e.adapter.Wait()
	}
	got := dms()
	if len(got) != 3 {
		t.Fatalf("%d DMs to the requester; want taken, waiting, closed", len(got))
	}
	for i, want := range []string{"cora took your request #1001", "waiting for something from you on #1001", "cora closed your request #1001"} {
		if !strings.Contains(postedText(got[i]), want) {
			t.Fatalf("DM %d: %s", i, postedText(got[i]))
		}
	}
	if b := buttons(t, got[2]); b["rate.good"] != "/rate 1001 good" || b["rate.poor"] != "/rate 1001 poor" {
		t.Fatalf("rating buttons: %v", b)
	}
	// Someone else cannot rate it.
	if _, ack := e.slash("UCORA", "C1", "/mspbot rate 1001 poor"); !strings.Contains(ack, "only wile") {
		t.Fatalf("rating by someone else: %s", ack)
	}

	click := map[string]any{"type": "block_actions", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": "UWILE"},
		"channel": map[string]any{"id": "DWILE"}, "trigger_id": "trig.rate",
		"container": map[string]any{"type": "message", "channel_id": "DWILE", "message_ts": "1700000000.000009", "is_ephemeral": false},
		"message":   map[string]any{"ts": "1700000000.000009"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "rate.good", "block_id": "request:1001", "value": "/rate 1001 good"}}}
	if s, _ := e.interact(click); s != http.StatusOK {
		t.Fatalf("click: %d", s)
	}
	e.adapter.Wait()
	var score int
	if err := e.store.DB().QueryRow(`SELECT g.score FROM request_ratings g JOIN requests r ON r.id = g.request_id
		WHERE r.number = 1001`).Scan(&score); err != nil || score != 3 {
		t.Fatalf("stored rating %d, %v; want 3 (good)", score, err)
	}
	ups := e.fake.callsTo("chat.update")
	if len(ups) != 1 || ups[0].Form.Get("ts") != "1700000000.000009" || !strings.Contains(postedText(ups[0]), "Thank you") || strings.Contains(ups[0].Form.Get("blocks"), "rate.good") {
		t.Fatalf("the buttons should give way to a thank-you: %+v", ups)
	}
	e.clock.Advance(24 * time.Hour) // the digest covers yesterday
	if _, ack := e.slash("UMIA", "C1", "/mspbot digest now"); !strings.Contains(ack, "Requester satisfaction (1 rating)") || !strings.Contains(ack, "1 good, 0 ok, 0 poor") {
		t.Fatalf("digest: %s", ack)
	}
}

// TestMessagesTabTyping: what someone types in their DM with the bot (the
// Messages tab, a signed message.im event) opens a request, answered in that
// DM's thread; "mspbot requests" there runs the command instead.
func TestMessagesTabTyping(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UWILE", "wile", testTeam, bot.RoleTech, "")
	dm := func(id, ts, text string) {
		t.Helper()
		body := mustJSON(t, map[string]any{"token": "x", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
			"event_id": id, "event_time": 1700000000,
			"event": map[string]any{"type": "message", "channel_type": "im", "channel": "DWILE", "user": "UWILE", "text": text, "ts": ts}})
		if s := e.event(body, 0); s != http.StatusOK {
			t.Fatalf("message.im: %d", s)
		}
		e.adapter.Wait()
	}
	dm("EvDM1", "1700000100.000100", "The VPN drops every hour since Monday")
	if r := e.request(1001); r.Title != "The VPN drops every hour since Monday" || r.Channel != "DWILE" {
		t.Fatalf("request from the Messages tab: %+v", r)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("channel") != "DWILE" || !strings.Contains(postedText(posts[0]), "#1001") {
		t.Fatalf("answer: %+v", posts)
	}
	dm("EvDM2", "1700000200.000100", "mspbot requests mine")
	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests; 'mspbot requests mine' should run the command", n)
	}
	var listed bool
	for _, c := range append(e.fake.callsTo("chat.postEphemeral"), e.fake.callsTo("chat.postMessage")...) {
		if strings.Contains(postedText(c), "1 open request (yours)") {
			listed = true
		}
	}
	if !listed {
		t.Fatal("'mspbot requests mine' in the DM listed nothing")
	}
}

// TestOpenRequestFormPicksClient: with clients on file the "Open request" form
// offers them in a select (nothing to remember or mistype); picking one files
// the request under it, picking "the channel's client, or none" files it
// under none (here a DM).
func TestOpenRequestFormPicksClient(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("W111", "owner", testTeam, bot.RoleTech, "")
	for _, code := range []string{"ACME", "GLOBEX"} {
		if _, err := e.store.EnsureClient(context.Background(), e.workspace(), code); err != nil {
			t.Fatal(err)
		}
	}
	if s, _ := e.interact(fixture(t, "interaction_shortcut_global.json")); s != http.StatusOK {
		t.Fatalf("shortcut: %d", s)
	}
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open: %d", len(opens))
	}
	view := opens[0].JSON["view"].(map[string]any)
	el := view["blocks"].([]any)[2].(map[string]any)["element"].(map[string]any)
	raw := string(mustJSON(t, el))
	if el["type"] != "static_select" || !strings.Contains(raw, `"value":"ACME"`) || !strings.Contains(raw, `"value":"GLOBEX"`) {
		t.Fatalf("client field: %s", raw)
	}
	submit := func(title, client string) {
		t.Helper()
		sub := fixture(t, "interaction_view_submission.json")
		v := sub["view"].(map[string]any)
		v["callback_id"], v["private_metadata"], v["id"] = viewOpenRequest, view["private_metadata"], "V"+client
		v["state"] = map[string]any{"values": map[string]any{
			"title":    map[string]any{"title": map[string]any{"type": "plain_text_input", "value": title}},
			"client":   map[string]any{"client": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": client}}},
			"priority": map[string]any{"priority": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "P3"}}},
		}}
		if s, ack := e.interact(sub); s != http.StatusOK || strings.Contains(ack, "errors") {
			t.Fatalf("submit %s: %d %s", client, s, ack)
		}
		e.adapter.Wait()
	}
	submit("Replace the core switch", "GLOBEX")
	submit("Order a new monitor", noClient)
	if r := e.request(1001); r.ClientCode != "GLOBEX" {
		t.Fatalf("#1001 client %q; want GLOBEX", r.ClientCode)
	}
	if r := e.request(1002); r.ClientCode != "" {
		t.Fatalf("#1002 client %q; want none", r.ClientCode)
	}
}

// TestHomeLogTimeForm: the Home tab's Log time button opens a form offering
// the person's open requests; submitting 1h30 on #1001 with a two-line note
// stores the entry in Postgres exactly as "/mspbot time 1h30 #1001 …" would,
// tells the person, and republishes the tab; an unreadable duration is shown
// beside the field and stores nothing.
func TestHomeLogTimeForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.slash("UTOM", "C1", "/mspbot request The scanner on floor 3 jams")
	e.adapter.Wait()
	body := mustJSON(t, map[string]any{"token": "x", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
		"event_id": "EvHomeTom", "event_time": 1700000000,
		"event": map[string]any{"type": "app_home_opened", "user": "UTOM", "channel": "DTOM", "tab": "home", "event_ts": "1700000000.1"}})
	e.event(body, 0)
	e.adapter.Wait()
	pubs := e.fake.callsTo("views.publish")
	if len(pubs) != 1 || !strings.Contains(string(mustJSON(t, pubs[0].JSON)), `"action_id":"home.log_time"`) {
		t.Fatalf("no Log time button: %+v", pubs)
	}
	click := map[string]any{"type": "block_actions", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": "UTOM"},
		"trigger_id": "trig.log", "view": map[string]any{"id": "VHOME", "type": "home", "team_id": testTeam},
		"container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "home.log_time", "block_id": "home.bar", "value": "log"}}}
	e.interact(click)
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 || !strings.Contains(string(mustJSON(t, opens[0].JSON)), `"value":"1001"`) {
		t.Fatalf("log time form: %+v", opens)
	}
	submit := func(dur string) string {
		sub := fixture(t, "interaction_view_submission.json")
		v := sub["view"].(map[string]any)
		v["callback_id"], v["id"] = viewLogTime, "VLOG"+dur
		sub["user"] = map[string]any{"id": "UTOM", "team_id": testTeam}
		v["state"] = map[string]any{"values": map[string]any{
			"duration": map[string]any{"duration": map[string]any{"type": "plain_text_input", "value": dur}},
			"target":   map[string]any{"target": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "1001"}}},
			"note":     map[string]any{"note": map[string]any{"type": "plain_text_input", "value": "swapped the roller\nand tested"}},
		}}
		_, ack := e.interact(sub)
		e.adapter.Wait()
		return ack
	}
	if ack := submit("a while"); !strings.Contains(ack, `"duration"`) {
		t.Fatalf("bad duration: %s", ack)
	}
	if ack := submit("1h30"); strings.Contains(ack, "errors") {
		t.Fatalf("submit: %s", ack)
	}
	published := len(e.fake.callsTo("views.publish"))
	// The same submission handled again (the bot died after the entry, before
	// the inbox row's done-mark) logs nothing more.
	diedBeforeDone(t, e.store)
	if ack := submit("1h30"); strings.Contains(ack, "errors") {
		t.Fatalf("submit again: %s", ack)
	}
	waitInboxDone(t, e)
	var minutes int
	var note string
	if err := e.store.DB().QueryRow(`SELECT sum(t.minutes), max(t.note) FROM time_entries t JOIN requests r ON r.id = t.request_id
		WHERE r.number = 1001`).Scan(&minutes, &note); err != nil || minutes != 90 || !strings.Contains(note, "swapped the roller") {
		t.Fatalf("time entry: %d %q %v", minutes, note, err)
	}
	if published != 2 {
		t.Fatalf("%d publishes; the tab should show the new hours", published)
	}
}

// TestHomeNewProjectForm: a coordinator's Home tab has New project; its form
// (views.open the strict fake accepted) offers the clients, date pickers and
// a channel picker; a missing date is shown in the form; a full submission
// opens the project in Postgres with the picked client, dates and channel.
func TestHomeNewProjectForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	e.slash("UCORA", "C1", `/mspbot client add ACME "Acme Corp"`)
	body := mustJSON(t, map[string]any{"token": "x", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
		"event_id": "EvHomeCora", "event_time": 1700000000,
		"event": map[string]any{"type": "app_home_opened", "user": "UCORA", "channel": "DCORA", "tab": "home", "event_ts": "1700000000.1"}})
	e.event(body, 0)
	e.adapter.Wait()
	if pubs := e.fake.callsTo("views.publish"); len(pubs) != 1 || !strings.Contains(string(mustJSON(t, pubs[0].JSON)), `"action_id":"home.new_project"`) {
		t.Fatalf("no New project button: %+v", pubs)
	}
	click := map[string]any{"type": "block_actions", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": "UCORA"},
		"trigger_id": "trig.proj", "view": map[string]any{"id": "VHOME", "type": "home", "team_id": testTeam},
		"container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions":   []any{map[string]any{"type": "button", "action_id": "home.new_project", "block_id": "home.bar", "value": "project"}}}
	e.interact(click)
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 || !strings.Contains(string(mustJSON(t, opens[0].JSON)), `"value":"ACME"`) {
		t.Fatalf("new project form: %+v", opens)
	}
	submit := func(start string) string {
		sub := fixture(t, "interaction_view_submission.json")
		v := sub["view"].(map[string]any)
		v["callback_id"], v["id"] = viewNewProject, "VPROJ"+start
		sub["user"] = map[string]any{"id": "UCORA", "team_id": testTeam}
		v["state"] = map[string]any{"values": map[string]any{
			"client":  map[string]any{"client": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "ACME"}}},
			"name":    map[string]any{"name": map[string]any{"type": "plain_text_input", "value": "Office move"}},
			"start":   map[string]any{"start": map[string]any{"type": "datepicker", "selected_date": start}},
			"end":     map[string]any{"end": map[string]any{"type": "datepicker", "selected_date": "2030-03-29"}},
			"budget":  map[string]any{"budget": map[string]any{"type": "plain_text_input", "value": "40h"}},
			"channel": map[string]any{"channel": map[string]any{"type": "conversations_select", "selected_conversation": "CACME"}},
		}}
		_, ack := e.interact(sub)
		e.adapter.Wait()
		return ack
	}
	if ack := submit(""); !strings.Contains(ack, `"start"`) {
		t.Fatalf("missing start: %s", ack)
	}
	if ack := submit("2030-01-07"); strings.Contains(ack, "errors") {
		t.Fatalf("submit: %s", ack)
	}
	var name, client, channel string
	var budget int
	if err := e.store.DB().QueryRow(`SELECT p.name, c.code, p.channel, p.budget_minutes FROM projects p JOIN clients c ON c.id = p.client_id`).
		Scan(&name, &client, &channel, &budget); err != nil || name != "Office move" || client != "ACME" || channel != "CACME" || budget != 2400 {
		t.Fatalf("project: %q %q %q %d %v", name, client, channel, budget, err)
	}
}
