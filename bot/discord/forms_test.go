package discord_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// modalInputs returns a modal response's text inputs by custom_id, in order.
func modalInputs(t *testing.T, r map[string]any) (string, []map[string]any) {
	t.Helper()
	d, _ := r["data"].(map[string]any)
	if num(r["type"]) != 9 || d == nil {
		t.Fatalf("want a modal (type 9), got %v", r)
	}
	var inputs []map[string]any
	for _, row := range d["components"].([]any) {
		for _, c := range row.(map[string]any)["components"].([]any) {
			inputs = append(inputs, c.(map[string]any))
		}
	}
	id, _ := d["custom_id"].(string)
	return id, inputs
}

// submission is the data of a submitted modal with the given values.
func submission(id string, values ...string) map[string]any {
	var rows []any
	for i := 0; i+1 < len(values); i += 2 {
		rows = append(rows, map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": values[i], "value": values[i+1]}}})
	}
	return map[string]any{"custom_id": id, "components": rows}
}

// TestFormsFromTheTable: /project new and /project oos run with nothing
// given open their forms (modals the strict checks accepted, one box per
// argument); a budget that is not a duration is refused naming the box, and
// nothing is stored; the corrected form opens the project (Postgres). A
// tech's "Log time" on a request message opens the time form holding the
// request, and its submission is a time entry on it. The Router's gate
// decides before a form opens (a tech's /project new, a client's Log time are
// refused privately) and again on submission (a tech's project form).
func TestFormsFromTheTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(cora, bot.RoleCoordinator, "")
	e.assume(tom, bot.RoleTech, "")
	if _, r := e.reply(e.interaction(2, cora, commandData("client", subOpt("add", opt("code", 3, "ACME"), opt("name", 3, "Acme Corp"))), nil)); !strings.Contains(text(r), "Acme Corp") || strings.Contains(text(r), "use /client") {
		t.Fatalf("/client add: %s", text(r))
	}
	// A tech may not open projects: the Router's gate refuses before any form.
	if _, r := e.signed(e.interaction(2, tom, commandData("project", subOpt("new")), nil)); num(r["type"]) != 4 || flags(r) != 64 || !strings.Contains(text(r), "Not allowed") {
		t.Fatalf("tech's /project new: %v", r)
	}
	_, r := e.signed(e.interaction(2, cora, commandData("project", subOpt("new")), nil))
	id, inputs := modalInputs(t, r)
	var names []string
	for _, in := range inputs {
		names = append(names, in["custom_id"].(string))
	}
	if id != "args:/project new" || strings.Join(names, ",") != "client,name,start,end,budget" {
		t.Fatalf("project form %q: %v", id, names)
	}
	projects := func() int {
		var n int
		if err := e.store.DB().QueryRow(`SELECT count(*) FROM projects`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	fill := func(budget string) []string {
		return []string{"client", "ACME", "name", "Office move", "start", "today", "end", "2024-01-31", "budget", budget}
	}
	_, r = e.reply(e.interaction(5, cora, submission(id, fill("lots")...), nil))
	if !strings.Contains(text(r), `budget: "lots" is not a duration`) || projects() != 0 {
		t.Fatalf("bad budget: %s; %d projects", text(r), projects())
	}
	_, r = e.reply(e.interaction(5, tom, submission(id, fill("120h")...), nil))
	if !strings.Contains(text(r), "Not allowed") || projects() != 0 {
		t.Fatalf("tech's submission: %s; %d projects", text(r), projects())
	}
	_, r = e.reply(e.interaction(5, cora, submission(id, fill("120h")...), nil))
	var name string
	var budget int
	if err := e.store.DB().QueryRow(`SELECT name, budget_minutes FROM projects`).Scan(&name, &budget); err != nil || name != "Office move" || budget != 120*60 {
		t.Fatalf("project from the form: %q %d %v (reply %s)", name, budget, err, text(r))
	}

	// Changing it later is typed options too: a date, a duration, a person picked.
	_, r = e.reply(e.interaction(2, cora, commandData("project", subOpt("set", opt("project", 3, "P1"), opt("end", 3, "2024-02-29"),
		opt("budget", 3, "140h"), opt("lead", 6, tom.ID))), nil))
	var lead string
	if err := e.store.DB().QueryRow(`SELECT p.budget_minutes, l.external_id FROM projects p JOIN people l ON l.id = p.support_lead_id`).Scan(&budget, &lead); err != nil ||
		budget != 140*60 || lead != tom.ID {
		t.Fatalf("/project set: %d %q %v (reply %s)", budget, lead, err, text(r))
	}

	_, r = e.signed(e.interaction(2, cora, commandData("project", subOpt("oos")), nil))
	id, inputs = modalInputs(t, r)
	if id != "args:/project oos" || len(inputs) != 4 || inputs[3]["label"] != "Approved by" {
		t.Fatalf("oos form %q: %v", id, inputs)
	}
	_, r = e.reply(e.interaction(5, cora, submission(id, "project", "P1", "hours", "6h", "what", `Extra "guest" Wi-Fi`, "approved-by", "Ann Lee"), nil))
	var minutes int
	var what, approved string
	if err := e.store.DB().QueryRow(`SELECT minutes, description, approved_by FROM oos_items`).Scan(&minutes, &what, &approved); err != nil ||
		minutes != 360 || what != `Extra "guest" Wi-Fi` || approved != "Ann Lee" {
		t.Fatalf("oos item: %d %q %q %v (reply %s)", minutes, what, approved, err, text(r))
	}

	open := e.openAs(tom, "The label printer prints blank pages")
	e.a.Wait()
	var logID string
	for _, c := range customIDs(open) {
		if strings.HasPrefix(c, "args:/time") {
			logID = c
		}
	}
	// Log time is staff's: a client user's click is refused, no form.
	wile := person{"300000000000000102", "wile"}
	e.assume(wile, bot.RoleClient, "ACME")
	if _, r := e.signed(e.interaction(3, wile, map[string]any{"component_type": 2, "custom_id": logID}, nil)); num(r["type"]) != 4 || !strings.Contains(text(r), "Not allowed: /time is for techs") {
		t.Fatalf("client's Log time: %v", r)
	}
	_, r = e.signed(e.interaction(3, tom, map[string]any{"component_type": 2, "custom_id": logID}, nil))
	id, inputs = modalInputs(t, r)
	if inputs[0]["custom_id"] != "duration" || inputs[1]["custom_id"] != "on" || inputs[1]["value"] != "#1001" {
		t.Fatalf("time form %q: %v", id, inputs)
	}
	_, r = e.reply(e.interaction(5, tom, submission(id, "duration", "1h 30m", "on", "#1001", "note", "swapped the fuser"), nil))
	var note string
	if err := e.store.DB().QueryRow(`SELECT t.minutes, t.note FROM time_entries t JOIN requests r ON r.id = t.request_id WHERE r.number = 1001`).Scan(&minutes, &note); err != nil ||
		minutes != 90 || note != "swapped the fuser" {
		t.Fatalf("time entry: %d %q %v (reply %s)", minutes, note, err, text(r))
	}
}

// TestAutocompleteFromTheTable: what an option offers follows its declared
// kind and the caller's scope, decided by the Router: ACME's client user
// picking a project for /lessons add is offered ACME's only; a tech picking
// what /time log is on is offered open requests first, then projects, and
// the picked value reads as typed (#1001, P2).
func TestAutocompleteFromTheTable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dana, wile := person{"300000000000000101", "dana"}, person{"300000000000000102", "wile"}
	e.assume(dana, bot.RoleManager, "")
	e.assume(tom, bot.RoleTech, "")
	for _, line := range []string{`/client add ACME "Acme Corp"`, `/client add GLOBEX "Globex"`, "/request --client ACME Printer jammed",
		`/project new ACME "Office move"`, `/project new GLOBEX "Firewall swap"`} {
		name, args, _ := bot.ParseLine(line)
		for _, m := range e.router.Dispatch(context.Background(), bot.Event{Platform: bot.PlatformDiscord, Workspace: guildID, Channel: chanID,
			SourceID: "setup:" + line, User: bot.User{ID: dana.ID, Name: dana.Name}, Command: name, Args: args}) {
			if m.IsError {
				t.Fatalf("%s: %s", line, m.Text)
			}
		}
	}
	e.assume(wile, bot.RoleClient, "ACME")
	offered := func(who person, data map[string]any) string {
		t.Helper()
		_, r := e.signed(e.interaction(4, who, data, nil))
		if num(r["type"]) != 8 {
			t.Fatalf("autocomplete: %v", r)
		}
		var out []string
		for _, c := range r["data"].(map[string]any)["choices"].([]any) {
			out = append(out, fmt.Sprint(c.(map[string]any)["value"]))
		}
		return strings.Join(out, ",")
	}
	focus := func(name string) map[string]any {
		return map[string]any{"name": name, "type": 3, "value": "", "focused": true}
	}
	if got := offered(wile, commandData("lessons", subOpt("add", focus("project")))); got != "P1" {
		t.Fatalf("ACME's user offered projects %q; want P1 only", got)
	}
	if got := offered(tom, commandData("time", subOpt("log", focus("on")))); got != "#1001,P1,P2" {
		t.Fatalf("tech offered %q for /time log on", got)
	}
	if got := offered(tom, commandData("client", subOpt("sla", focus("client")))); got != "ACME,GLOBEX" {
		t.Fatalf("clients offered %q", got)
	}
}

// TestTypedValuesReadByTheGrammar: a duration option that does not read is
// refused naming the option and saying what to type, nothing is stored; the
// Router's gate still decides first (an unverified member is told that
// instead). /time log with nothing given opens the time form.
func TestTypedValuesReadByTheGrammar(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(tom, bot.RoleTech, "")
	e.openAs(tom, "The scanner on floor 3 jams")
	e.a.Wait()
	bad := commandData("time", subOpt("log", opt("duration", 3, "an hour or so"), opt("on", 3, "#1001")))
	if _, r := e.reply(e.interaction(2, tom, bad, nil)); !strings.Contains(text(r), `duration: "an hour or so" is not a duration: write it e.g. 45m, 1h30`) {
		t.Fatalf("bad duration: %s", text(r))
	}
	stranger := person{"300000000000000999", "stranger"}
	if _, r := e.reply(e.interaction(2, stranger, bad, nil)); !strings.Contains(text(r), "Not allowed") || strings.Contains(text(r), "duration:") {
		t.Fatalf("unverified member's bad duration: %s", text(r))
	}
	var n int
	if err := e.store.DB().QueryRow(`SELECT count(*) FROM time_entries`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d time entries %v", n, err)
	}
	_, r := e.signed(e.interaction(2, tom, commandData("time", subOpt("log")), nil))
	if id, inputs := modalInputs(t, r); id != "args:/time" || len(inputs) != 4 || inputs[0]["custom_id"] != "duration" {
		t.Fatalf("/time log alone: %s %v", id, inputs)
	}
	// Logged and then corrected with typed options: the entry's id, a new
	// duration and a note.
	e.reply(e.interaction(2, tom, commandData("time", subOpt("log", opt("duration", 3, "45m"), opt("on", 3, "#1001"))), nil))
	var id int64
	if err := e.store.DB().QueryRow(`SELECT id FROM time_entries`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	e.reply(e.interaction(2, tom, commandData("time", subOpt("edit", opt("entry", 4, id), opt("duration", 3, "1h 10m"), opt("note", 3, "10 minutes were the drive"))), nil))
	var minutes int
	var note string
	if err := e.store.DB().QueryRow(`SELECT minutes, note FROM time_entries`).Scan(&minutes, &note); err != nil || minutes != 70 || note != "10 minutes were the drive" {
		t.Fatalf("edited entry: %d %q %v", minutes, note, err)
	}
}
