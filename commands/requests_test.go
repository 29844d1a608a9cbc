package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// TestRequestsPagesAndFilters: /requests says how many there are and which it
// shows, pages 25 at a time with a Next button carrying the same filters, and
// filters by mine, queue (not taken), waiting and client; a client user sees
// only their company's whatever they ask; a page past the end is explained.
func TestRequestsPagesAndFilters(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tom := h.as("tom", bot.RoleTech, "")
	wile := h.as("wile", bot.RoleClient, "ACME")
	for i := 1; i <= 28; i++ {
		run(tom, fmt.Sprintf("/request --client GLOBEX The printer in room %d is jammed", i))
	}
	run(wile, "/request The VPN drops every hour")
	run(tom, "/request take 1029")
	run(tom, "/request wait 1029")

	msgs := tom.Handle(context.Background(), "/requests")
	if len(msgs) != 1 || msgs[0].Title != "29 open requests — showing 1–25 of 29" {
		t.Fatalf("/requests: %+v", msgs)
	}
	if a := msgs[0].Actions; len(a) != 1 || a[0].Command != "/requests page 2" {
		t.Fatalf("next button: %+v", a)
	}
	if out := run(tom, "/requests page 2"); !strings.Contains(out, "showing 26–29") || !strings.Contains(out, "#1001") {
		t.Fatalf("page 2:\n%s", out)
	}
	if out := run(tom, "/requests page 3"); !strings.Contains(out, "only 2 pages") {
		t.Fatalf("page 3:\n%s", out)
	}
	msgs = tom.Handle(context.Background(), "/requests --client GLOBEX")
	if msgs[0].Title != "28 open requests — showing 1–25 of 28" || msgs[0].Actions[0].Command != "/requests --client GLOBEX page 2" {
		t.Fatalf("GLOBEX: %+v", msgs[0])
	}
	if out := run(tom, "/requests mine"); !strings.Contains(out, "29 open requests (yours)") {
		t.Fatalf("mine (opened or taken):\n%s", out)
	}
	if out := run(tom, "/requests queue"); !strings.Contains(out, "28 open requests (not taken)") || strings.Contains(out, "#1029") {
		t.Fatalf("queue:\n%s", out)
	}
	if out := run(tom, "/requests waiting"); !strings.Contains(out, "1 open request (waiting on the client)") || !strings.Contains(out, "#1029") {
		t.Fatalf("waiting:\n%s", out)
	}
	if out := run(wile, "/requests --client GLOBEX"); strings.Contains(out, "GLOBEX") && !strings.Contains(out, "No open requests") {
		t.Fatalf("a client asking for another client's requests:\n%s", out)
	}
	if out := run(wile, "/requests"); !strings.Contains(out, "1 open request") || !strings.Contains(out, "VPN") {
		t.Fatalf("client:\n%s", out)
	}
	if out := run(tom, "/requests everything"); !strings.Contains(out, "/requests mine") {
		t.Fatalf("bad filter:\n%s", out)
	}
}
