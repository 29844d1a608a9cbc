package discord_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
)

var (
	tom  = person{"100000000000000003", "tom"}
	cora = person{"100000000000000002", "cora"}
	dana = person{"100000000000000001", "dana"}
	wile = person{"100000000000000004", "wile"}
)

// The fixture's signature vectors: the valid one is handled (its command,
// "cardsearch", is not ours, so the reply says so privately); the bit-flipped
// signature and the wrong timestamp get 401 and change nothing.
func TestFixtureSignatureVectors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	k := fixtureKeys(t)
	for _, v := range k.vecs {
		t.Run(v.Name, func(t *testing.T) {
			code, resp := e.post(readFixture(t, v.BodyFile), v.Timestamp, v.SignatureHex)
			if !v.Valid {
				if code != 401 {
					t.Fatalf("status %d; want 401", code)
				}
				return
			}
			if code == 200 && num(resp["type"]) == 5 && flags(resp) == 64 {
				// A busy machine deferred the reply (privately): read it from
				// the interaction webhook instead.
				e.a.Wait()
				if calls := e.fake.Calls("/A_UNIQUE_TOKEN"); len(calls) > 0 {
					data := jsonMap(t, calls[len(calls)-1].Body)
					data["flags"] = 64.0 // an edit or follow-up of a private deferral stays private
					resp = map[string]any{"type": 4.0, "data": data}
				}
			}
			if code != 200 || num(resp["type"]) != 4 || flags(resp) != 64 || !strings.Contains(text(resp), "/cardsearch is not a command") {
				t.Fatalf("status %d, %v; want an ephemeral 'not a command' reply", code, resp)
			}
		})
	}
	if n := e.countRequests(); n != 0 {
		t.Fatalf("%d requests after signature tests", n)
	}
}

func TestPingPongAndRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ping := readFixture(t, "interaction_ping.json")
	if code, resp := e.signed(ping); code != 200 || num(resp["type"]) != 1 {
		t.Fatalf("PING: %d %v; want 200 {type:1}", code, resp)
	}
	if code, _ := e.post(ping, "", ""); code != 401 {
		t.Fatalf("unsigned PING: %d; want 401", code)
	}
	if code, _ := e.post(ping, "1700000000", "zz"); code != 401 {
		t.Fatalf("garbage signature: %d; want 401", code)
	}
	// A correctly signed but old request is a replay: refused.
	e.clock.Advance(10 * time.Minute)
	k := fixtureKeys(t)
	if code, _ := e.post(readFixture(t, k.vecs[0].BodyFile), k.vecs[0].Timestamp, k.vecs[0].SignatureHex); code != 401 {
		t.Fatalf("stale signature: %d; want 401", code)
	}
	if code, _ := e.signed([]byte(`{"type":2,`)); code != 400 {
		t.Fatalf("signed garbage: %d; want 400", code)
	}
	if code, _ := e.signed([]byte(`{"type":2,"id":"1","token":"t","application_id":"a","member":{"user":{"id":"9"}}}`)); code != 400 {
		t.Fatalf("command without data: %d; want 400", code)
	}
}

// A command slower than the budget is deferred (type 5) and its reply arrives
// later through the interaction webhook.
func TestSlowCommandIsDeferredThenFollowedUp(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := newEnv(t, func(c *discord.Config, d *commands.Deps, extra *[]bot.Command) {
		c.Budget = 100 * time.Millisecond
		*extra = append(*extra, bot.Command{Name: "slow", Summary: "takes its time", MinRole: bot.RoleClient,
			Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
				<-release
				return []bot.Message{{Text: "slow result for " + ev.Args, Ephemeral: true}}, nil
			}})
	})
	e.assume(tom, bot.RoleTech, "")
	start := time.Now()
	code, resp := e.signed(e.interaction(2, tom, commandData("slow", opt("args", 3, "report")), nil))
	if code != 200 || num(resp["type"]) != 5 || flags(resp) != 64 {
		t.Fatalf("slow command: %d %v; want deferred ephemeral (type 5, flags 64)", code, resp)
	}
	// The handler is blocked until release, so any answer is a deferral that
	// did not wait for it; the bound is Discord's: 3 s for the first response.
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the deferral took %v", took)
	}
	close(release)
	e.a.Wait()
	edits := e.fake.Calls("PATCH /api/v9/webhooks/" + appID + "/" + e.lastToken() + "/messages/@original")
	if len(edits) != 1 || !strings.Contains(text(jsonMap(t, edits[0].Body)), "slow result for report") {
		t.Fatalf("follow-up edits: %+v", edits)
	}
	if am := jsonMap(t, edits[0].Body)["allowed_mentions"]; am == nil {
		t.Fatalf("the follow-up has no allowed_mentions: %s", edits[0].Body)
	}
}

// openAs opens a request through a signed /request open and returns the reply.
func (e *env) openAs(who person, what string) map[string]any {
	e.t.Helper()
	code, resp := e.signed(e.interaction(2, who, commandData("request", subOpt("open", opt("text", 3, what))), nil))
	if code != 200 {
		e.t.Fatalf("open: %d", code)
	}
	return resp
}

func customIDs(resp map[string]any) []string {
	var out []string
	d, _ := resp["data"].(map[string]any)
	rows, _ := d["components"].([]any)
	for _, r := range rows {
		comps, _ := r.(map[string]any)["components"].([]any)
		for _, c := range comps {
			out = append(out, c.(map[string]any)["custom_id"].(string))
		}
	}
	return out
}

// A tech clicking "It's a project" is refused privately and nothing changes; a
// coordinator's click reclassifies and updates the message in place (type 7).
func TestButtonClickChecksRoleAndUpdatesInPlace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(tom, bot.RoleTech, "")
	e.assume(cora, bot.RoleCoordinator, "")
	resp := e.openAs(tom, "Outlook keeps asking for my password")
	if num(resp["type"]) != 4 || flags(resp) != 0 || !strings.Contains(text(resp), "Opened #1001 — support") {
		t.Fatalf("open reply: %v", resp)
	}
	ids := customIDs(resp)
	if strings.Join(ids, ",") != "request.take:1001,request.project:1001,request.resolve:1001,args:/time?on=%231001" {
		t.Fatalf("buttons: %v", ids)
	}
	e.a.Wait()
	// The request message got its thread.
	if th := e.fake.Calls("/threads"); len(th) != 1 || e.request(1001).Thread == "" {
		t.Fatalf("thread calls %d, request thread %q", len(th), e.request(1001).Thread)
	}
	click := func(who person) map[string]any {
		msg := jsonMap(t, readFixture(t, "interaction_message_component.json"))["message"]
		_, r := e.signed(e.interaction(3, who, map[string]any{"component_type": 2, "custom_id": "request.project:1001"},
			map[string]any{"message": msg}))
		return r
	}
	r := click(tom)
	if num(r["type"]) != 4 || flags(r) != 64 || !strings.Contains(text(r), "for coordinators") {
		t.Fatalf("tech click: %v; want an ephemeral refusal", r)
	}
	if got := e.request(1001); got.Kind != "support" {
		t.Fatalf("refused click changed the kind to %s", got.Kind)
	}
	r = click(cora)
	if num(r["type"]) != 7 || flags(r) != 0 || !strings.Contains(text(r), "#1001 is now project") {
		t.Fatalf("coordinator click: %v; want UPDATE_MESSAGE with the new state", r)
	}
	if ids := customIDs(r); len(ids) != 4 || ids[1] != "request.support:1001" || ids[3] != "args:/time?on=%231001" {
		t.Fatalf("updated buttons: %v", ids)
	}
	if got := e.request(1001); got.Kind != "project" {
		t.Fatalf("kind after coordinator click: %s", got.Kind)
	}
}

// A button's command survives a restart: a new adapter on the same database
// finds it in the store.
func TestButtonWorksAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(tom, bot.RoleTech, "")
	e.openAs(tom, "Printer on 2nd floor is jammed")
	e.a.Wait()
	e2 := e.restart()
	_, r := e2.signed(e2.interaction(3, tom, map[string]any{"component_type": 2, "custom_id": "request.take:1001"}, nil))
	if num(r["type"]) != 7 || !strings.Contains(text(r), "tom") {
		t.Fatalf("take after restart: %v", r)
	}
	if got := e.request(1001); got.AssigneeName != "tom" {
		t.Fatalf("assignee %q", got.AssigneeName)
	}
	_, r = e2.signed(e2.interaction(3, tom, map[string]any{"component_type": 2, "custom_id": "request.nope:1001"}, nil))
	if flags(r) != 64 || !strings.Contains(text(r), "no longer works") {
		t.Fatalf("unknown button: %v", r)
	}
}

// The request form: /request form opens the modal; submitting it (in the
// fixture's modern shape, inputs inside type-18 labels) opens the request.
func TestRequestFormModal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(dana, bot.RoleManager, "")
	if _, err := e.store.EnsureClient(context.Background(), e.ws(), "ACME"); err != nil {
		t.Fatal(err)
	}
	_, r := e.signed(e.interaction(2, dana, commandData("request", subOpt("form")), nil))
	if num(r["type"]) != 9 || r["data"].(map[string]any)["custom_id"] != "request.form" {
		t.Fatalf("form: %v; want a modal (type 9)", r)
	}
	label := func(id, value string) map[string]any {
		return map[string]any{"type": 18, "id": 1, "component": map[string]any{"type": 4, "id": 2, "custom_id": id, "value": value}}
	}
	data := jsonMap(t, readFixture(t, "interaction_modal_submit.json"))["data"].(map[string]any)
	data["custom_id"] = "request.form"
	data["components"] = []any{label("title", "New site in Boulder"), label("description", "Deploy network and 12 desks"),
		label("client", "ACME"), label("priority", "p2")}
	_, r = e.signed(e.interaction(5, dana, data, nil))
	if num(r["type"]) != 4 || !strings.Contains(text(r), "#1001") {
		t.Fatalf("form submit: %v", r)
	}
	got := e.request(1001)
	if got.ClientCode != "ACME" || got.Title != "New site in Boulder" || got.Priority != "P2" || strings.Contains(got.Body, "Priority") {
		t.Fatalf("request from form: %+v", got)
	}
	data["components"] = []any{label("title", "x"), label("priority", "P9")}
	_, r = e.signed(e.interaction(5, dana, data, nil))
	if flags(r) != 64 || !strings.Contains(text(r), "P1, P2, P3 or P4") {
		t.Fatalf("bad priority: %v", r)
	}
}

// Autocomplete offers request numbers the caller may see: a client user only
// their own client's.
func TestAutocompleteRespectsClients(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(dana, bot.RoleManager, "")
	e.assume(wile, bot.RoleClient, "ACME")
	e.openAs(dana, "Replace the core switch")     // #1001, no client
	e.openAs(wile, "Our printer is jammed again") // #1002, ACME
	e.a.Wait()
	ac := func(who person, typed string) string {
		focusedNum := map[string]any{"name": "number", "type": 4, "value": typed, "focused": true}
		_, r := e.signed(e.interaction(4, who, commandData("request", subOpt("show", focusedNum)), nil))
		if num(r["type"]) != 8 {
			t.Fatalf("autocomplete type %v", r["type"])
		}
		b, _ := json.Marshal(r["data"])
		return string(b)
	}
	if got := ac(dana, ""); !strings.Contains(got, "#1001") || !strings.Contains(got, "#1002") {
		t.Fatalf("manager choices: %s", got)
	}
	if got := ac(wile, ""); strings.Contains(got, "#1001") || !strings.Contains(got, "#1002") {
		t.Fatalf("client choices: %s", got)
	}
	if got := ac(dana, "switch"); strings.Contains(got, "#1002") || !strings.Contains(got, `"value":1001`) {
		t.Fatalf("filtered choices: %s", got)
	}
}

// User text never pings: @everyone/@here get a zero-width space, and every
// message carries allowed_mentions {"parse": []}.
func TestRepliesNeverPing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.assume(tom, bot.RoleTech, "")
	r := e.openAs(tom, "@everyone the printer is down, @here too")
	b, _ := json.Marshal(r)
	if strings.Contains(text(r), "@everyone") || strings.Contains(text(r), "@here") || !strings.Contains(text(r), "@\u200beveryone") {
		t.Fatalf("mention not neutralised: %s", text(r))
	}
	if !strings.Contains(string(b), `"allowed_mentions":{"parse":[]`) {
		t.Fatalf("no empty allowed_mentions: %s", b)
	}
}
