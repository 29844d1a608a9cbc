package slack

import (
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
)

// TestNamespacedSlashCommandsOverHTTP: "/mspbot request …" and the alias
// "/msp-request …", signed as Slack signs them, open requests exactly as the
// old /request did (rows in Postgres, the post the strict fake accepted);
// "/mspbot" alone answers with help; "/mspbot intake on" still configures the channel.
func TestNamespacedSlashCommandsOverHTTP(t *testing.T) {
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
	if !strings.Contains(help, "request") || !strings.Contains(help, "timer") {
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
