package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// TestPeoplePickedNotTyped: the Home tab's People form and the New project
// form pick people with Slack's user picker (users_select, checked by the
// strict fake); what is picked reaches the Router as the person's id, so a
// manager gives a role and a coordinator adds a client's user without typing
// a name, a coordinator giving a role is refused in the form (nothing stored),
// and a project's coordinator and support lead are the accounts picked.
func TestPeoplePickedNotTyped(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UMIA", "mia", testTeam, bot.RoleManager, "")
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.fake.addUser("UNEW", "nia", testTeam, "America/Denver")
	e.fake.addUser("UROAD", "road", testTeam, "America/Denver")
	e.slash("UMIA", "C1", `/mspbot client add ACME "Acme Corp"`)
	e.adapter.Wait()

	home := func(user string) {
		t.Helper()
		e.event(mustJSON(t, map[string]any{"token": "x", "team_id": testTeam, "api_app_id": "A1", "type": "event_callback",
			"event_id": "EvHome" + user, "event_time": 1700000000,
			"event": map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1700000000.1"}}), 0)
		e.adapter.Wait()
	}
	home("UMIA")
	pubs := e.fake.callsTo("views.publish")
	if len(pubs) == 0 || !strings.Contains(string(mustJSON(t, pubs[len(pubs)-1].JSON)), `"action_id":"home.people"`) {
		t.Fatalf("no People button on a manager's Home tab")
	}
	e.interact(map[string]any{"type": "block_actions", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": "UMIA"},
		"trigger_id": "trig.people", "view": map[string]any{"id": "VHOME", "type": "home", "team_id": testTeam},
		"container": map[string]any{"type": "view", "view_id": "VHOME"},
		"actions":   []any{map[string]any{"type": "button", "action_id": actionHomePeople, "block_id": "home.bar", "value": "people"}}})
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 {
		t.Fatalf("people form: %d views.open", len(opens))
	}
	form := string(mustJSON(t, opens[0].JSON))
	if !strings.Contains(form, `"element":{"action_id":"person","placeholder":{"emoji":false,"text":"Pick the person","type":"plain_text"},"type":"users_select"}`) || !strings.Contains(form, `"value":"ACME"`) {
		t.Fatalf("people form: %s", form)
	}

	submit := func(by, id, callback string, values map[string]any) string {
		t.Helper()
		sub := fixture(t, "interaction_view_submission.json")
		v := sub["view"].(map[string]any)
		v["callback_id"], v["id"] = callback, id
		sub["user"] = map[string]any{"id": by, "team_id": testTeam}
		state := map[string]any{}
		for k, val := range values {
			state[k] = map[string]any{k: val}
		}
		v["state"] = map[string]any{"values": state}
		_, ack := e.interact(sub)
		e.adapter.Wait()
		return ack
	}
	user := func(id string) map[string]any { return map[string]any{"type": "users_select", "selected_user": id} }
	choice := func(v string) map[string]any {
		return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v}}
	}
	role := func(ext string) (r, client string) {
		t.Helper()
		e.store.DB().QueryRow(`SELECT p.role, coalesce(c.code, '') FROM people p LEFT JOIN clients c ON c.id = p.client_id
			WHERE p.external_id = $1`, ext).Scan(&r, &client)
		return r, client
	}

	if ack := submit("UMIA", "VP1", viewPeople, map[string]any{"role": choice("coordinator")}); !strings.Contains(ack, `"person"`) {
		t.Fatalf("no person picked: %s", ack)
	}
	if ack := submit("UMIA", "VP2", viewPeople, map[string]any{"person": user("UNEW"), "role": choice("coordinator")}); strings.Contains(ack, "errors") {
		t.Fatalf("manager gives a role: %s", ack)
	}
	if r, _ := role("UNEW"); r != "coordinator" {
		t.Fatalf("UNEW is %q; want coordinator", r)
	}
	if ack := submit("UCORA", "VP3", viewPeople, map[string]any{"person": user("UROAD"), "role": choice("client")}); !strings.Contains(ack, `"client"`) {
		t.Fatalf("client user without a client: %s", ack)
	}
	if ack := submit("UCORA", "VP4", viewPeople, map[string]any{"person": user("UROAD"), "role": choice("client"), "client": choice("ACME")}); strings.Contains(ack, "errors") {
		t.Fatalf("coordinator adds a client user: %s", ack)
	}
	if r, c := role("UROAD"); r != "client" || c != "ACME" {
		t.Fatalf("UROAD is %q of %q; want ACME's client user", r, c)
	}
	if ack := submit("UCORA", "VP5", viewPeople, map[string]any{"person": user("UROAD"), "role": choice("manager")}); !strings.Contains(ack, "errors") || !strings.Contains(ack, "manager") {
		t.Fatalf("a coordinator giving a role should be refused in the form: %s", ack)
	}
	if r, _ := role("UROAD"); r != "client" {
		t.Fatalf("refused, yet UROAD is now %q", r)
	}

	// New project: coordinator and support lead are the accounts picked.
	ack := submit("UMIA", "VPROJ", viewNewProject, map[string]any{
		"client":      choice("ACME"),
		"name":        map[string]any{"type": "plain_text_input", "value": "Office move"},
		"start":       map[string]any{"type": "datepicker", "selected_date": "2030-01-07"},
		"end":         map[string]any{"type": "datepicker", "selected_date": "2030-03-29"},
		"coordinator": user("UCORA"),
		"lead":        user("UTOM"),
	})
	if strings.Contains(ack, "errors") {
		t.Fatalf("new project: %s", ack)
	}
	var coord, lead string
	if err := e.store.DB().QueryRow(`SELECT c.external_id, l.external_id FROM projects p JOIN people c ON c.id = p.coordinator_id
		JOIN people l ON l.id = p.support_lead_id`).Scan(&coord, &lead); err != nil || coord != "UCORA" || lead != "UTOM" {
		t.Fatalf("project coordinator %q, lead %q, %v; want UCORA, UTOM", coord, lead, err)
	}
}

// TestSentMessagesSpellCommandsForSlack: what the bot sends on its own (a
// digest, a nudge, a DM through Send) names commands as Slack takes them.
func TestSentMessagesSpellCommandsForSlack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UWILE", "wile", testTeam, bot.RoleTech, "")
	if _, err := e.adapter.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack, Workspace: testTeam, UserID: "UWILE"},
		bot.Message{Title: "Nudge", Text: "Nothing logged since 9:00: /time 45m 1001, or /snooze 30m. Files in /home/wile stay."}); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("text") != "Nudge\nNothing logged since 9:00: /mspbot time 45m 1001, or /mspbot snooze 30m. Files in /home/wile stay." {
		t.Fatalf("sent: %q", posts[0].Form.Get("text"))
	}
}
