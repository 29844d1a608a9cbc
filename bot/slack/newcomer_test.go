package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// TestNewcomerOpensFollowsAndRatesWithoutCodes is issue 14's "done when" on
// Slack, end to end over signed HTTP: someone the bot has never met opens a
// request from the Open request shortcut, picking the client from a list;
// a coordinator takes and resolves it with the card's buttons; the newcomer
// gets a DM each time and rates the resolution with one click. Nobody types a
// code. Checked: the rows in Postgres and the exact Web API calls the fake
// received, in order.
func TestNewcomerOpensFollowsAndRatesWithoutCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UMIA", "mia", testTeam, bot.RoleManager, "")
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	e.fake.addUser("UNEW", "nia", testTeam, "America/Denver") // never met: first contact
	for _, code := range []string{"ACME", "GLOBEX"} {
		if _, err := e.store.EnsureClient(context.Background(), e.workspace(), code); err != nil {
			t.Fatal(err)
		}
	}
	from := e.fake.count()

	// 1. The shortcut opens the form; the client is a list, not a code.
	newcomer := map[string]any{"id": "UNEW", "username": "nia", "name": "nia", "team_id": testTeam}
	shortcut := fixture(t, "interaction_shortcut_global.json")
	shortcut["user"] = newcomer
	if s, _ := e.interact(shortcut); s != http.StatusOK {
		t.Fatalf("shortcut: %d", s)
	}
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 {
		t.Fatalf("views.open: %d", len(opens))
	}
	view := opens[0].JSON["view"].(map[string]any)
	sub := fixture(t, "interaction_view_submission.json")
	sub["user"] = newcomer
	v := sub["view"].(map[string]any)
	v["callback_id"], v["private_metadata"], v["id"] = viewOpenRequest, view["private_metadata"], "VNEW"
	v["state"] = map[string]any{"values": map[string]any{
		"title":    map[string]any{"title": map[string]any{"type": "plain_text_input", "value": "The label printer in shipping prints blank pages"}},
		"client":   map[string]any{"client": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "ACME"}}},
		"priority": map[string]any{"priority": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "P2"}}},
	}}
	if s, ack := e.interact(sub); s != http.StatusOK || strings.Contains(ack, "errors") {
		t.Fatalf("submit: %d %s", s, ack)
	}
	e.adapter.Wait()
	opened := len(e.fake.callsSince(from))

	// 2. Staff take and resolve it (typed here; the card's buttons run the same).
	for _, line := range []string{"/mspbot request take 1001", `/mspbot request resolve 1001 "cleaned the print head and replaced the label roll"`} {
		if _, ack := e.slash("UCORA", "C1", line); strings.Contains(ack, "didn't work") || strings.Contains(ack, "Can't") {
			t.Fatalf("%s: %s", line, ack)
		}
		e.adapter.Wait()
	}
	_ = opened

	// 3. The "resolved" DM carries the rating buttons; one click rates it.
	var dm apiCall
	for _, c := range e.fake.callsTo("chat.postMessage") {
		if c.Form.Get("channel") == "DNEW" && strings.Contains(c.Form.Get("text"), "cora resolved your request #1001") {
			dm = c
		}
	}
	if !strings.Contains(dm.Form.Get("text"), "What was done: cleaned the print head and replaced the label roll") {
		t.Fatalf("resolved DM: %q", dm.Form.Get("text"))
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(dm.Form.Get("blocks")), &blocks); err != nil {
		t.Fatal(err)
	}
	var blockID, value string
	labels := map[string]string{}
	for _, b := range blocks {
		els, _ := b["elements"].([]any)
		for _, el := range els {
			el := el.(map[string]any)
			if el["type"] != "button" {
				continue
			}
			labels[el["action_id"].(string)] = el["value"].(string)
			if el["action_id"] == "rate.good" {
				blockID, value = b["block_id"].(string), el["value"].(string)
			}
		}
	}
	if labels["rate.good"] != "/rate 1001 good" || labels["rate.poor"] != "/rate 1001 poor" || labels["request.reopen"] != "/request reopen 1001" {
		t.Fatalf("buttons on the resolved DM: %v", labels)
	}
	ts := e.fake.tsOf("DNEW", "cora resolved your request #1001")
	press := click(t, "UNEW", "DNEW", ts, "rate.good", value)
	press["actions"].([]any)[0].(map[string]any)["block_id"] = blockID
	if s, _ := e.interact(press); s != http.StatusOK {
		t.Fatalf("rating click: %d", s)
	}
	e.adapter.Wait()

	// Postgres: the newcomer is staff of the team by their Slack id, the
	// request is theirs, ACME's, resolved with what was done, rated good.
	var role, client, status, resolution string
	var score int
	if err := e.store.DB().QueryRow(`SELECT p.role, c.code, r.status, x.resolution, g.score
		FROM requests r JOIN people p ON p.id = r.opened_by JOIN clients c ON c.id = r.client_id
		JOIN request_resolutions x ON x.request_id = r.id JOIN request_ratings g ON g.request_id = r.id AND g.person_id = p.id
		WHERE r.number = 1001 AND p.external_id = 'UNEW' AND r.priority = 'P2' AND r.resolved_at IS NOT NULL`).
		Scan(&role, &client, &status, &resolution, &score); err != nil {
		t.Fatal(err)
	}
	if role != "tech" || client != "ACME" || status != "resolved" || resolution != "cleaned the print head and replaced the label roll" || score != 3 {
		t.Fatalf("stored: role %s, client %s, status %s, resolution %q, score %d", role, client, status, resolution, score)
	}

	// The Web API calls, in order: the form; the newcomer looked up once and
	// their request's card posted to them (the global shortcut has no
	// channel); a DM for "taken" and one for "resolved", each followed by the
	// card's change in the request's thread; the rating replacing the DM's
	// buttons. Nothing else: no call failed, nothing posted twice.
	var got []string
	for _, c := range e.fake.callsSince(from) {
		call := c.Method
		if ch := c.Form.Get("channel"); ch != "" {
			call += " " + ch
		}
		if u := c.Form.Get("user") + c.Form.Get("users"); u != "" {
			call += " " + u
		}
		if c.Form.Get("thread_ts") != "" {
			call += " thread"
		}
		got = append(got, call)
	}
	want := []string{"views.open", "users.info UNEW", "conversations.open UNEW", "chat.postMessage DNEW",
		"users.info UCORA", "conversations.open UNEW", "chat.postMessage DNEW", "chat.postMessage DNEW thread",
		"conversations.open UNEW", "chat.postMessage DNEW", "chat.postMessage DNEW thread",
		"chat.update DNEW"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Web API calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	up := e.fake.callsTo("chat.update")
	if last := up[len(up)-1]; last.Form.Get("ts") != ts || !strings.Contains(last.Form.Get("text"), "rated good") || strings.Contains(last.Form.Get("blocks"), "rate.good") {
		t.Fatalf("the rating should replace the DM's buttons: %v", last.Form)
	}
}

// tsOf is the ts of the message posted in channel whose text contains text.
func (f *fakeSlack) tsOf(channel, text string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for key, m := range f.messages {
		if strings.HasPrefix(key, channel+"/") && strings.Contains(fmt.Sprint(m["text"]), text) {
			return fmt.Sprint(m["ts"])
		}
	}
	return ""
}

// callsSince lists the calls the fake received after the first n.
func (f *fakeSlack) callsSince(n int) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls[n:]...)
}
