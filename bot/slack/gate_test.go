package slack

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// TestButtonActsOnlyOnItsOwnMessagesRequest: a signed click whose command
// names #1002 sitting on #1001's card (Slack reports the card's block id) is
// refused privately: #1002 stays open and #1001's card is not overwritten. The
// card's own Close button still works.
func TestButtonActsOnlyOnItsOwnMessagesRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.slash("UTOM", "C1", "/request Printer on the 2nd floor is jammed") // #1001
	e.slash("UTOM", "C1", "/request VPN drops every hour")               // #1002
	e.adapter.Wait()
	ts := e.request(1001).Thread

	forged := click(t, "UTOM", "C1", ts, "request.close", "/request close 1002")
	forged["actions"].([]any)[0].(map[string]any)["block_id"] = "request:1001"
	if s, _ := e.interact(forged); s != http.StatusOK {
		t.Fatalf("status %d", s)
	}
	e.adapter.Wait()
	if r := e.request(1002); r.Status != bot.StatusOpen {
		t.Fatalf("a click on #1001's card closed #1002")
	}
	if n := len(e.fake.callsTo("chat.update")); n != 0 {
		t.Fatalf("refused click overwrote the card (%d chat.update)", n)
	}
	eph := e.fake.callsTo("chat.postEphemeral")
	if len(eph) != 1 || !strings.Contains(postedText(eph[0]), "acts on #1002") {
		t.Fatalf("refusal: %+v", eph)
	}

	own := click(t, "UTOM", "C1", ts, "request.close", "/request close 1001")
	own["actions"].([]any)[0].(map[string]any)["block_id"] = "request:1001"
	e.interact(own)
	e.adapter.Wait()
	if r := e.request(1001); r.Status != bot.StatusClosed {
		t.Fatalf("the card's own Close left #1001 %s", r.Status)
	}
}

// TestEventWithoutTeamStoresNothing: a signed event callback without team_id
// is refused with 400 and creates no workspace, person or request.
func TestEventWithoutTeamStoresNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, "", "")
	body := []byte(`{"type":"event_callback","event_id":"Ev1","event_time":1700000000,` +
		`"event":{"type":"app_mention","user":"UTOM","text":"<@` + testBot + `> printer jammed","ts":"1700000000.000100","channel":"C1","event_ts":"1700000000.000100"}}`)
	if s := e.event(body, 0); s != http.StatusBadRequest {
		t.Fatalf("status %d; want 400", s)
	}
	e.adapter.Wait()
	var n int
	if err := e.store.DB().QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM workspaces WHERE external_id = '')
		+ (SELECT count(*) FROM people) + (SELECT count(*) FROM requests)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("an event without a team stored %d rows", n)
	}
}

// slashAll is slash plus whatever was said afterwards through the command's
// response_url: under load the intake acknowledges first and answers there.
func (e *env) slashAll(user, channel, line string) string {
	e.t.Helper()
	e.fake.mu.Lock()
	before := len(e.fake.calls)
	e.fake.mu.Unlock()
	_, out, _ := e.slashAck(fmt.Sprintf("trig.%d.%s", time.Now().UnixNano(), user), user, channel, line)
	e.adapter.Wait()
	e.fake.mu.Lock()
	defer e.fake.mu.Unlock()
	for _, c := range e.fake.calls[before:] {
		if c.Method == "response_url" {
			out += "\n" + responseText(e.t, c)
		}
	}
	return out
}
