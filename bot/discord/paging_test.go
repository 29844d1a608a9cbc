package discord_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// TestListNextButtonPages: on Discord a list longer than a page says which
// rows it shows and carries a Next button (accepted by the strict fake's
// component checks) whose press shows the next page.
func TestListNextButtonPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mia := person{ID: "80351110224678912", Name: "mia"}
	e.assume(mia, bot.RoleManager, "")
	for i := 1; i <= 31; i++ {
		if _, err := e.store.CreateClient(context.Background(), e.ws(), fmt.Sprintf("C%02d", i), fmt.Sprintf("Client %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	code, resp := e.reply(e.interaction(2, mia, commandData("client"), nil))
	if code != 200 || !strings.Contains(text(resp), "31 clients — showing 1–25 of 31") || strings.Contains(text(resp), "Client 26") {
		t.Fatalf("/client → %d %s", code, text(resp))
	}
	data, _ := resp["data"].(map[string]any)
	next := buttonIDs(data)["Next 25"]
	if next != "/client page 2" {
		t.Fatalf("Next button custom_id %q in %v", next, data["components"])
	}
	code, resp = e.reply(e.interaction(3, mia, map[string]any{"component_type": 2, "custom_id": next}, nil))
	if code != 200 || !strings.Contains(text(resp), "showing 26–31 of 31") || !strings.Contains(text(resp), "Client 31") || strings.Contains(text(resp), "Client 01") {
		t.Fatalf("Next → %d %s", code, text(resp))
	}
	if ids := buttonIDs(resp["data"].(map[string]any)); ids["Next 25"] != "" {
		t.Fatalf("the last page offers more: %v", ids)
	}
}

// TestProjectListTypedPage: /project list's typed page option arrives as the
// line the Router pages by ("list --page 2").
func TestProjectListTypedPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mia := person{ID: "80351110224678912", Name: "mia"}
	e.assume(mia, bot.RoleManager, "")
	if _, err := e.store.CreateClient(context.Background(), e.ws(), "ACME", "Acme Corp"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 26; i++ {
		line := fmt.Sprintf(`new ACME "Rollout %02d" --start 2023-11-06 --end 2024-03-29 --budget 20h`, i)
		if _, r := e.reply(e.interaction(2, mia, commandData("project", opt("args", 3, line)), nil)); !strings.Contains(text(r), "Opened P") {
			t.Fatalf("project new: %s", text(r))
		}
	}
	_, r := e.reply(e.interaction(2, mia, commandData("project", subOpt("list", opt("page", 4, 2))), nil))
	if got := text(r); !strings.Contains(got, "26 running projects — showing 26–26 of 26") || !strings.Contains(got, "Rollout 26") {
		t.Fatalf("/project list page:2 → %s", got)
	}
}

// reply sends an interaction and returns the reply a person ends up seeing:
// the response itself, or (when the machine is slow enough that the adapter
// deferred it) the follow-up edit of the original message.
func (e *env) reply(body []byte) (int, map[string]any) {
	e.t.Helper()
	code, r := e.signed(body)
	if t := num(r["type"]); t == 4 || t == 7 {
		return code, r
	}
	e.a.Wait()
	// A public reply edits the deferred message; a private one (the deferral
	// was ephemeral) comes as a private follow-up instead.
	webhook := "/api/v9/webhooks/" + appID + "/" + e.lastToken()
	edits := e.fake.Calls("PATCH " + webhook + "/messages/@original")
	if len(edits) == 0 {
		edits = e.fake.Calls("POST " + webhook)
	}
	if len(edits) == 0 {
		e.t.Fatalf("deferred (%v) and never answered", r)
	}
	return code, map[string]any{"data": jsonMap(e.t, edits[len(edits)-1].Body)}
}
