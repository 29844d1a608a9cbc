package discord_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
)

// A MESSAGE_CREATE the process stored and then died on (a new gateway
// session never replays it) is handled by the next process, once; the same
// message arriving again (a resume's replay) is not stored twice.
func TestGatewayMessageStoredBeforeACrashIsHandledAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const intake = "290926798999357250"
	mgr := person{"53908099506183680", "Mason"}
	e.assume(mgr, bot.RoleManager, "")
	p, err := e.store.FindPerson(ctx, e.ws(), mgr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetIntake(ctx, e.ws(), intake, true, p.ID); err != nil {
		t.Fatal(err)
	}
	typ, raw := gatewayData(t, func(d map[string]any) { d["content"] = "The VPN drops every ten minutes" })
	e.a.Close() // the process is gone; its last act was storing the dispatch:
	if _, err := e.store.AppendInbox(ctx, []storage.InboxItem{{Platform: string(bot.PlatformDiscord), Kind: typ,
		Key: typ + ":334385199974967042", Payload: raw}}); err != nil {
		t.Fatal(err)
	}
	if n := e.countRequests(); n != 0 {
		t.Fatalf("%d requests before the restart", n)
	}
	e2 := e.restart()
	e2.a.Wait()
	if n := e2.countRequests(); n != 1 {
		t.Fatalf("%d requests after the restart; want 1", n)
	}
	e2.a.HandleEvent(ctx, typ, raw) // replayed after a resume
	e2.a.Wait()
	if n := e2.countRequests(); n != 1 {
		t.Fatalf("%d requests after the replay; want 1", n)
	}
	if posts := e2.fake.Exact("POST /api/v9/channels/" + intake + "/messages"); len(posts) != 1 {
		t.Fatalf("%d posts; want 1", len(posts))
	}
	rows, err := e2.store.InboxRows(ctx, string(bot.PlatformDiscord))
	if err != nil || len(rows) != 1 || !rows[0].Done {
		t.Fatalf("inbox rows %+v %v; want the one message, done", rows, err)
	}
}

// An interaction stored and answered "deferred" by a process that then died
// is handled by the next process: its request is opened once and the deferred
// response is replaced with the announcement.
func TestInteractionStoredBeforeACrashIsAnsweredAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.assume(tom, bot.RoleTech, "")
	body := e.interaction(2, tom, commandData("request", subOpt("open", opt("text", 3, "The printer in Denver is offline"))), nil)
	var in struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	e.a.Close() // the process is gone; its last act was storing the interaction:
	if _, err := e.store.AppendInbox(ctx, []storage.InboxItem{{Platform: string(bot.PlatformDiscord), Kind: "interaction",
		Key: "interaction:" + in.ID, Payload: body}}); err != nil {
		t.Fatal(err)
	}
	e2 := e.restart()
	e2.a.Wait()
	if n := e2.countRequests(); n != 1 {
		t.Fatalf("%d requests after the restart; want 1", n)
	}
	edits := e2.fake.Calls("PATCH /api/v9/webhooks/" + appID + "/" + e.lastToken() + "/messages/@original")
	if len(edits) != 1 || !strings.Contains(string(edits[0].Body), "#1001") {
		t.Fatalf("edits of the deferred response: %+v", edits)
	}
}

// A gateway INTERACTION_CREATE (no interactions endpoint URL set) is stored in
// the inbox before it is answered, like one on the HTTP endpoint: the row is
// there, handled, and the interaction answered once through its callback; a
// resume's replay of the same dispatch is neither stored nor answered again.
// (A stored row whose process died is answered by the next one:
// TestInteractionStoredBeforeACrashIsAnsweredAfterRestart.)
func TestGatewayInteractionStoredBeforeItIsAnswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.assume(tom, bot.RoleTech, "")
	body := e.interaction(2, tom, commandData("request", subOpt("open", opt("text", 3, "The printer in Denver is offline"))), nil)
	var in struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	callback := "POST /api/v9/interactions/" + in.ID + "/" + e.lastToken() + "/callback"
	for i := 0; i < 2; i++ { // the dispatch, then a resume's replay of it
		e.a.HandleEvent(ctx, "INTERACTION_CREATE", body)
		e.a.Wait()
	}
	rows, err := e.store.InboxRows(ctx, string(bot.PlatformDiscord))
	if err != nil || len(rows) != 1 || rows[0].Key != "interaction:"+in.ID || !rows[0].Done {
		t.Fatalf("inbox rows %+v %v; want the interaction, stored and done", rows, err)
	}
	if n := e.countRequests(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
	answers := e.fake.Exact(callback)
	if len(answers) != 1 {
		t.Fatalf("%d callbacks; want the interaction answered once", len(answers))
	}
	edits := e.fake.Exact("PATCH /api/v9/webhooks/" + appID + "/" + e.lastToken() + "/messages/@original")
	if !strings.Contains(string(answers[0].Body), "#1001") && (len(edits) != 1 || !strings.Contains(string(edits[0].Body), "#1001")) {
		t.Fatalf("the request was not announced: callback %s, edits %+v", answers[0].Body, edits)
	}
}
