package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
)

// TestDraftEditFormAndPrivateApproval: the weekly draft's Edit button opens a
// form (views.open the strict fake accepted) holding the draft, multi-line;
// submitting a changed text keeps its lines in Postgres. Approving the draft
// shown ephemerally in a channel replaces that ephemeral message through its
// response_url (buttons gone) and posts nothing in the channel; the update
// itself reaches the client's channel once.
func TestDraftEditFormAndPrivateApproval(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, senders := newEnvWithSenders(t)
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	const clientChan = "CACME"
	e.slash("UCORA", "C1", `/mspbot client add ACME "Acme Corp"`)
	now := e.clock.Now()
	start, end := now.AddDate(0, 0, -7).Format("2006-01-02"), now.AddDate(0, 0, 60).Format("2006-01-02")
	e.slash("UCORA", "C1", `/mspbot project new ACME "Firewall replacement" --start `+start+` --end `+end+` --budget 40h --channel `+clientChan)
	e.adapter.Wait()
	list, err := e.store.RunningProjects(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("running projects: %v %v", list, err)
	}
	p := list[0]
	svc := &projects.Service{Store: e.store, Senders: senders, Clock: e.clock, Location: time.UTC}
	year, week := now.In(projects.Location(p, time.UTC)).ISOWeek()
	if err := svc.DraftAndSend(ctx, p.ID, year, week); err != nil {
		t.Fatal(err)
	}
	e.adapter.Wait()
	var dm apiCall
	for _, c := range e.fake.callsTo("chat.postMessage") {
		if buttons(t, c)["project.update.edit"] != "" {
			dm = c
		}
	}
	editValue := buttons(t, dm)["project.update.edit"]

	// Edit: a form, multi-line, holding the draft as it is.
	c := click(t, "UCORA", dm.Form.Get("channel"), "1700000000.000002", "project.update.edit", editValue)
	if s, _ := e.interact(c); s != http.StatusOK {
		t.Fatalf("edit click: %d", s)
	}
	e.adapter.Wait()
	opens := e.fake.callsTo("views.open")
	if len(opens) != 1 || opens[0].JSON["trigger_id"] != "111.222.valid" {
		t.Fatalf("views.open: %+v", opens)
	}
	view := opens[0].JSON["view"].(map[string]any)
	el := view["blocks"].([]any)[0].(map[string]any)["element"].(map[string]any)
	u, err := e.store.WeeklyUpdateFor(ctx, p.ID, year, week)
	if err != nil {
		t.Fatal(err)
	}
	if el["multiline"] != true || el["initial_value"] != u.Body || !strings.Contains(u.Body, "\n") {
		t.Fatalf("form field: %v; draft %q", el, u.Body)
	}
	// The whole draft, sections kept, one line changed: it replaces the text.
	edited := strings.Replace(u.Body, "- (no milestones planned yet: edit this line before approving)", "- \"cut-over\" on Friday,\n- handover on Monday", 1)
	if edited == u.Body {
		t.Fatalf("the draft has no placeholder line to fill in: %q", u.Body)
	}
	sub := fixture(t, "interaction_view_submission.json")
	v := sub["view"].(map[string]any)
	v["callback_id"], v["private_metadata"], v["id"] = viewForm, view["private_metadata"], "VFORM"
	v["state"] = map[string]any{"values": map[string]any{"text": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": edited}}}}
	sub["user"] = map[string]any{"id": "UCORA", "team_id": testTeam}
	if s, ack := e.interact(sub); s != http.StatusOK || strings.Contains(ack, "errors") {
		t.Fatalf("form submission: %d %s", s, ack)
	}
	e.adapter.Wait()
	if u, err = e.store.WeeklyUpdateFor(ctx, p.ID, year, week); err != nil || u.Body != edited || u.Status != bot.UpdateDrafted {
		t.Fatalf("after the form: %q %s %v", u.Body, u.Status, err)
	}

	// The draft shown only to cora in #C1; she approves it there.
	if _, err := e.adapter.Send(ctx, bot.Destination{Platform: bot.PlatformSlack, Workspace: testTeam, Channel: "C1", UserID: "UCORA"},
		projects.DraftMessage(p, u, "")); err != nil {
		t.Fatal(err)
	}
	approve := click(t, "UCORA", "C1", "1700000000.999999", "project.update.approve", "/project update "+p.Ref()+" approve "+u.Week())
	approve["container"].(map[string]any)["is_ephemeral"] = true
	approve["response_url"] = e.fake.responseURL("draft")
	c1Before := len(postsTo(e.fake, "C1"))
	if s, _ := e.interact(approve); s != http.StatusOK {
		t.Fatalf("approve click: %d", s)
	}
	e.adapter.Wait()
	if n := len(postsTo(e.fake, clientChan)); n != 1 {
		t.Fatalf("%d posts to the client channel; want 1; replies %+v", n, e.fake.callsTo("response_url"))
	}
	if got := postsTo(e.fake, "C1"); len(got) != c1Before {
		t.Fatalf("the approval was posted in the channel: %s", postedText(got[len(got)-1]))
	}
	var replaced bool
	for _, r := range e.fake.callsTo("response_url") {
		raw := string(mustJSON(t, r.JSON))
		if r.JSON["replace_original"] == true && r.JSON["response_type"] == "ephemeral" {
			if strings.Contains(raw, "project.update.approve") {
				t.Fatalf("the draft's buttons are still there: %s", raw)
			}
			replaced = true
		}
	}
	if !replaced {
		t.Fatalf("the ephemeral draft was not replaced: %+v", e.fake.callsTo("response_url"))
	}
}
