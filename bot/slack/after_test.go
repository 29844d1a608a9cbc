package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
)

// A click's in-place update (the request's card, now "taken by cora") and its
// private replies are done while its inbox row is being handled — before the
// row can be marked done — whether a waiting handler took the reply for the
// ack or not. The row is marked done when handleInbox returns, so a process
// killed right after that mark has nothing of the click left to do; work
// still to come in process would be lost with it.
func TestClickWorkIsDoneBeforeItsRowIsMarkedDone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.person("UCORA", "cora", testTeam, bot.RoleCoordinator, "")
	e.slash("UTOM", "C1", "/request Printer on the 2nd floor is jammed")
	e.adapter.Wait()
	ts := e.request(1001).Thread
	for i, taken := range []bool{true, false} { // a handler waiting for the reply, or none
		user := map[bool]string{true: "UCORA", false: "UTOM"}[taken]
		p := click(t, user, "C1", ts, "request.take", "/request take 1001")
		p["actions"].([]any)[0].(map[string]any)["action_ts"] = []string{"1700000001.1", "1700000002.2"}[i]
		raw, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		before := len(e.fake.callsTo("chat.update"))
		row := storage.InboxRow{ID: int64(100 + i), Platform: string(bot.PlatformSlack), Kind: kindInteraction, Key: "test", Payload: raw}
		if err := e.adapter.handleInbox(context.Background(), row, func(any) bool { return taken }); err != nil {
			t.Fatal(err)
		}
		// Nothing waited for: what handleInbox left running would be cut off by a crash.
		up := e.fake.callsTo("chat.update")
		if len(up) != before+1 || up[len(up)-1].Form.Get("ts") != ts || !strings.Contains(postedText(up[len(up)-1]), "taken by") {
			t.Fatalf("offer taken %v: the clicked message was not updated before the row's done-mark (%d updates)", taken, len(up)-before)
		}
	}
	e.adapter.Wait()
}
