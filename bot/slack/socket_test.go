package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// TestSocketModeSameFlow: over Socket Mode (a fake websocket), the app_mention
// envelope fixture is acked by envelope id and opens a request exactly as over
// HTTP; redelivered, it opens nothing more; a slash command's ephemeral reply
// rides in its ack.
func TestSocketModeSameFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UWANDA", "wanda", testTeam, bot.RoleTech, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.adapter.RunSocketMode(ctx) }()
	defer func() { cancel(); <-done }()

	env := fixture(t, "socket_mode_events_api_app_mention.json")
	p := env["payload"].(map[string]any)
	p["team_id"] = testTeam
	ev := p["event"].(map[string]any)
	ev["user"], ev["team"], ev["channel"], ev["text"] = "UWANDA", testTeam, "C7", "<@"+testBot+"> The scanner on floor 3 shows error E5"
	e.fake.envelopes <- mustJSON(t, env)
	ack := waitAck(t, e.fake)
	if ack["envelope_id"] != "c67a03d0-4094-4744-90ca-d286e00a3ab1" {
		t.Fatalf("ack %v", ack)
	}
	env["retry_attempt"] = 1
	env["envelope_id"] = "second-delivery"
	e.fake.envelopes <- mustJSON(t, env)
	if ack := waitAck(t, e.fake); ack["envelope_id"] != "second-delivery" {
		t.Fatalf("ack %v", ack)
	}
	e.adapter.Wait()
	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
	if r := e.request(1001); r.Title != "The scanner on floor 3 shows error E5" || r.Thread != "1610927831.000200" {
		t.Fatalf("request: %+v", r)
	}
	if posts := e.fake.callsTo("chat.postMessage"); len(posts) != 1 || posts[0].Form.Get("thread_ts") != "1610927831.000200" {
		t.Fatalf("posts: %+v", posts)
	}

	slash := map[string]any{"envelope_id": "slash-1", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{"team_id": testTeam, "channel_id": "C7", "user_id": "UWANDA", "command": "/requests",
			"text": "", "trigger_id": "t.1", "response_url": e.fake.responseURL("x")}}
	e.fake.envelopes <- mustJSON(t, slash)
	ack = waitAck(t, e.fake)
	if ack["envelope_id"] != "slash-1" {
		t.Fatalf("slash ack: %v", ack)
	}
	raw, _ := json.Marshal(ack["payload"])
	if ack["payload"] == nil {
		// Under load the ack goes out before the reply, which then follows
		// through the command's response_url (inbox.go): wait for it there.
		e.adapter.Wait()
		for _, c := range e.fake.callsTo("response_url") {
			if c.Path == "/response/x" {
				raw, _ = json.Marshal(c.JSON)
			}
		}
	}
	if !strings.Contains(string(raw), "#1001") || !strings.Contains(string(raw), `"response_type":"ephemeral"`) {
		t.Fatalf("slash reply (ack payload, else response_url): %s", raw)
	}
}

func waitAck(t *testing.T, f *fakeSlack) map[string]any {
	t.Helper()
	select {
	case a := <-f.acks:
		return a
	case <-time.After(10 * time.Second):
		t.Fatal("no ack over the socket within 10 s")
		return nil
	}
}
