package discord_test

import (
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
)

// TestNewMemberNeedsNoCodes: a member the bot has never met, holding the
// server's staff role, opens a request, finds it again, takes it, logs time
// on it and closes it without typing a number, a code or a duration format
// to remember: the request comes back from autocomplete (the choice's value
// is what Discord sends), everything else is a button or a form. Each step
// is a signed interaction; the rows are checked in Postgres and the REST
// calls the strict fake received are exactly the request's thread.
func TestNewMemberNeedsNoCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(_ *discord.Config, d *commands.Deps, _ *[]bot.Command) { d.StaffRoles = []string{staffRole} })
	nia := person{"400000000000000001", "nia"}
	member := map[string]any{"member": map[string]any{"user": map[string]any{"id": nia.ID, "username": nia.Name}, "roles": []string{staffRole}}}
	do := func(typ int, data map[string]any) map[string]any {
		t.Helper()
		code, r := e.reply(e.interaction(typ, nia, data, member))
		if code != 200 {
			t.Fatalf("status %d: %v", code, r)
		}
		e.a.Wait()
		return r
	}
	// 1. Open: the reply is the request's message with its buttons.
	opened := do(2, commandData("request", subOpt("open", opt("text", 3, "The label printer in shipping prints blank pages"))))
	if !strings.Contains(text(opened), "Opened #1001") {
		t.Fatalf("open: %s", text(opened))
	}
	buttons := map[string]string{}
	for _, id := range customIDs(opened) {
		key, _, _ := strings.Cut(id, ":")
		if strings.HasPrefix(id, "args:") {
			key, _, _ = strings.Cut(id, "?")
		}
		buttons[key] = id
	}
	// 2. Find it again: autocomplete offers it by its words, and the picked
	// choice's value is what the command receives.
	_, ac := e.signed(e.interaction(4, nia, commandData("request", subOpt("show", map[string]any{"name": "number", "type": 4, "value": "label", "focused": true})), member))
	choices, _ := ac["data"].(map[string]any)["choices"].([]any)
	if num(ac["type"]) != 8 || len(choices) != 1 || !strings.Contains(text(map[string]any{"data": ac["data"].(map[string]any)["choices"]}), "#1001 The label printer") {
		t.Fatalf("autocomplete: %v", ac)
	}
	picked := choices[0].(map[string]any)["value"]
	if shown := do(2, commandData("request", subOpt("show", opt("number", 4, picked)))); !strings.Contains(text(shown), "#1001 The label printer") {
		t.Fatalf("show: %s", text(shown))
	}
	// 3. Take it with the button on its message.
	if r := do(3, map[string]any{"component_type": 2, "custom_id": buttons["request.take"]}); num(r["type"]) != 7 && !strings.Contains(text(r), "nia") {
		t.Fatalf("take: %v", r)
	}
	// 4. Log time from the message: the form holds the request already.
	_, form := e.signed(e.interaction(3, nia, map[string]any{"component_type": 2, "custom_id": buttons["args:/time"]}, member))
	id, inputs := modalInputs(t, form)
	if inputs[1]["value"] != "#1001" {
		t.Fatalf("time form: %v", inputs)
	}
	if r := do(5, submission(id, "duration", "20 min", "on", inputs[1]["value"].(string), "note", "cleaned the print head")); !strings.Contains(text(r), "20m") {
		t.Fatalf("log time: %s", text(r))
	}
	// 5. Resolve it with the button.
	do(3, map[string]any{"component_type": 2, "custom_id": buttons["request.resolve"]})

	r := e.request(1001)
	var requester, assignee string
	if err := e.store.DB().QueryRow(`SELECT p.external_id, a.external_id FROM requests r JOIN people p ON p.id = r.opened_by
		JOIN people a ON a.id = r.assignee_id WHERE r.number = 1001`).Scan(&requester, &assignee); err != nil {
		t.Fatal(err)
	}
	var minutes int
	if err := e.store.DB().QueryRow(`SELECT minutes FROM time_entries`).Scan(&minutes); err != nil {
		t.Fatal(err)
	}
	if r.Status != bot.StatusResolved || requester != nia.ID || assignee != nia.ID || minutes != 20 {
		t.Fatalf("stored: status %s, requester %s, assignee %s, %d minutes", r.Status, requester, assignee, minutes)
	}
	// The REST calls the fake received besides the interactions' own
	// responses (all checked by the strict limits): the opening reply read
	// back, and the request's thread started on it. (A slow machine may add
	// edits of deferred replies on the interaction webhooks; nothing else.)
	var platform, hooks []string
	for _, c := range e.fake.Calls("/api/v9/") {
		call := c.Method + " " + strings.NewReplacer(appID, "APP", chanID, "CHAN").Replace(c.Path)
		if strings.HasPrefix(c.Path, "/api/v9/webhooks/") {
			hooks = append(hooks, call)
			continue
		}
		platform = append(platform, call)
	}
	if len(platform) != 1 || !strings.HasPrefix(platform[0], "POST /api/v9/channels/CHAN/messages/") || !strings.HasSuffix(platform[0], "/threads") ||
		!strings.Contains(strings.Join(hooks, ","), "GET /api/v9/webhooks/APP/tok-1/messages/@original") {
		t.Fatalf("REST calls: %v; webhooks %v", platform, hooks)
	}
}
