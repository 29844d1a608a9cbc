package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// TestResolveRateReopen: staff resolve with what was done; the requester's
// DM says it and carries Good/OK/Poor and Still broken; the card offers
// Resolve where Close was; a resolved request refuses work until reopened,
// is listed by /requests resolved and shows its resolution; the requester
// rates it, says it is still broken (back in the queue, whoever had it told),
// and nobody else but staff may reopen it.
func TestResolveRateReopen(t *testing.T) {
	t.Parallel()
	h, _, box := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	wile := h.as("wile", bot.RoleClient, "ACME")
	road := h.as("road", bot.RoleClient, "ACME")
	tom := h.as("tom", bot.RoleTech, "")
	cora := h.as("cora", bot.RoleCoordinator, "")

	expect(t, wile, "/request The scanner on floor 3 jams", "Opened #1001")
	card := tom.Handle(context.Background(), "/request take 1001")
	if len(card) != 1 || !hasAction(card[0], "Resolve", "/request resolve 1001") || hasAction(card[0], "Close", "/request close 1001") {
		t.Fatalf("the card should offer Resolve, not Close: %+v", card)
	}
	expect(t, wile, "/rate 1001 good", "still open")
	expect(t, tom, `/request resolve 1001 "replaced the pickup roller"`, "Resolved #1001")
	dms := box.to("wile")
	if len(dms) != 2 {
		t.Fatalf("%d DMs to the requester; want taken and resolved", len(dms))
	}
	got := dms[1]
	if !strings.Contains(got.Text, "tom resolved your request #1001") || !strings.Contains(got.Text, "What was done: replaced the pickup roller") ||
		!strings.Contains(got.Text, "closes on its own on Fri 4 Dec") {
		t.Fatalf("resolved DM: %s", got.Text)
	}
	for label, cmd := range map[string]string{"👍 Good": "/rate 1001 good", "👎 Poor": "/rate 1001 poor", "Still broken": "/request reopen 1001"} {
		if !hasAction(got, label, cmd) {
			t.Fatalf("resolved DM lacks %s → %s: %+v", label, cmd, got.Actions)
		}
	}
	expect(t, tom, "/request wait 1001", "is resolved, waiting for wile to confirm", "/request reopen 1001")
	expect(t, tom, "/request take 1001", "is resolved")
	expect(t, tom, "/request resolve 1001", "is resolved")
	expect(t, tom, "/requests", "No open requests")
	expect(t, cora, "/requests resolved", "1 resolved request (awaiting the requester)", "#1001")
	expect(t, wile, "/request show 1001", "Resolution", "by tom: replaced the pickup roller", "on its own on Fri 4 Dec")

	expect(t, wile, "/rate 1001 ok", "rated ok")
	expect(t, road, "/request reopen 1001", "only wile, who opened #1001, or staff")
	expect(t, wile, `/request reopen 1001 "jams again on duplex"`, "Reopened #1001", "back in the queue")
	told := box.to("tom")
	if len(told) != 1 || !strings.Contains(told[0].Text, `wile says #1001 The scanner on floor 3 jams is still broken: jams again on duplex`) ||
		!hasAction(told[0], "Take it", "/request take 1001") {
		t.Fatalf("whoever had it should be told: %+v", told)
	}
	expect(t, cora, "/requests queue", "#1001")
	expect(t, wile, "/request reopen 1001", "is open, not resolved")

	// Closing needs no confirmation, and a closed request does not reopen.
	expect(t, tom, "/request resolve 1001", "Resolved #1001")
	expect(t, tom, "/request close 1001", "Closed #1001")
	expect(t, wile, "/request reopen 1001", "closed; open a new request and mention #1001")
}

func hasAction(m bot.Message, label, command string) bool {
	for _, a := range m.Actions {
		if a.Label == label && a.Command == command {
			return true
		}
	}
	return false
}
