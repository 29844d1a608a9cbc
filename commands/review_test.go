package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// A subcommand typed without its number is a slip, not a request to open.
func TestRequestSubcommandWithoutNumberOpensNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tom := h.as("tom", bot.RoleTech, "")
	for _, line := range []string{"/request take", "/request close", "/request wait", "/request resume", "/request sla", "/request priority"} {
		out := run(tom, line)
		if strings.Contains(out, "Opened #") || !strings.Contains(out, "say which request") {
			t.Errorf("%q:\n%s", line, out)
		}
	}
	if n := h.countRequests(); n != 0 {
		t.Fatalf("%d requests opened by subcommands without a number", n)
	}
	// A request that merely starts with one of those words still opens.
	if out := run(tom, "/request close the gap under the server room door"); !strings.Contains(out, "Opened #1001") {
		t.Fatalf("request text starting with a verb:\n%s", out)
	}
}

// The usage promises a reason; an empty one must not be stored as the "why".
func TestReclassifyNeedsAReason(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	run(cora, "/request Outlook keeps asking for my password")
	for _, line := range []string{`/reclassify 1001 project ""`, `/reclassify 1001 project mac "  "`} {
		if out := run(cora, line); !strings.Contains(out, "say why") {
			t.Errorf("%q:\n%s", line, out)
		}
	}
	r, err := h.store.RequestByNumber(context.Background(), h.workspace(), 1001)
	if err != nil || r.Kind != "support" {
		t.Fatalf("#1001 after refused reclassifies: %+v %v", r, err)
	}
}

// The limit is 4,000 characters, not bytes: text in accented or non-Latin
// scripts well under it must open, and the refusal must count what it says.
func TestMultibyteTextUnderTheLimitOpens(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tom := h.as("tom", bot.RoleTech, "")
	text := "Imprimante cassée " + strings.Repeat("é", 2100)
	if out := run(tom, "/request "+text); !strings.Contains(out, "Opened #1001") {
		t.Fatalf("%d characters refused:\n%.300s", len([]rune(text)), out)
	}
	out := run(tom, "/request "+strings.Repeat("é", 4001))
	if !strings.Contains(out, "that is 4001 characters") {
		t.Fatalf("over the limit:\n%.300s", out)
	}
}

// A NUL byte (pasted from a binary log, or sent by a client) is bad input, not
// an internal error, and changes nothing.
func TestNULInTextIsBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tom := h.as("tom", bot.RoleTech, "")
	run(tom, "/request Printer jammed")
	for _, line := range []string{"/request server \x00 down", "/time 30m #1001 note \x00 here", "/request show 1001\x00"} {
		out := run(tom, line)
		if !strings.Contains(out, "NUL character") || strings.Contains(out, "went wrong") {
			t.Errorf("%q:\n%s", line, out)
		}
	}
	if n := h.countRequests(); n != 1 {
		t.Fatalf("requests: %d, want 1", n)
	}
}

// A conflict is not always "already done": ticking a project that is not in
// closeout, or closing with items open, must not be answered "Already done".
func TestConflictRepliesDoNotClaimAlreadyDone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	run(cora, `/project new ACME "Firewall replacement" --start 2030-01-07 --end 2030-03-29 --budget 120h`)
	run(cora, `/project oos P1 2h "more cable"`)
	out := run(cora, "/project tick P1 docs")
	if strings.Contains(out, "Already done") || !strings.Contains(out, "P1 is not in closeout") {
		t.Fatalf("tick before closeout:\n%s", out)
	}
	run(cora, "/project close P1")
	out = run(cora, "/project tick P1 oos")
	if strings.Contains(out, "Already done") || !strings.Contains(out, "out-of-scope item 1 is not invoiced") {
		t.Fatalf("tick oos with an item open:\n%s", out)
	}
	run(cora, "/project oos-invoiced P1 1")
	if out := run(cora, "/project oos-invoiced P1 1"); !strings.Contains(out, "P1 out-of-scope item 1 is already invoiced") {
		t.Fatalf("invoiced twice:\n%s", out)
	}
}

// A mistyped @name in /time week, /manager, /hours or --lead must not create a
// person who then shows up in /role and in every digest.
func TestTypedNameOfNobodyCreatesNoOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dana := h.as("dana", bot.RoleManager, "")
	h.as("tom", bot.RoleTech, "")
	run(dana, "/role")
	people := func() int {
		list, err := h.store.ListPeople(context.Background(), h.workspace())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	before := people()
	for _, line := range []string{
		"/time week @tmo",
		"/manager @tmo @dana",
		"/manager @tom @dnaa",
		"/hours @tmo 08:00-16:00 mon-fri",
		"/away @tmo today",
		`/project new ACME "Firewall" --start 2030-01-07 --end 2030-03-29 --lead @sma`,
	} {
		out := run(dana, line)
		if !strings.Contains(out, "uses mspbot here yet") {
			t.Errorf("%q:\n%s", line, out)
		}
	}
	if after := people(); after != before {
		t.Fatalf("typos created %d people", after-before)
	}
	// /role still meets someone new, so roles can be set before people arrive.
	if out := run(dana, "/role @sam coordinator"); !strings.Contains(out, "sam is now a coordinator") {
		t.Fatalf("/role for a newcomer:\n%s", out)
	}
	if out := run(dana, "/manager @tom @dana"); !strings.Contains(out, "tom's manager: dana") {
		t.Fatalf("/manager for known people:\n%s", out)
	}
}

// Times shown to a person are in their own timezone, the one /hours set, as
// /time and /snooze already use.
func TestRequestShowInCallersTimezone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tom := h.as("tom", bot.RoleTech, "")
	run(tom, "/hours 08:00-16:30 mon-fri Asia/Tokyo")
	run(tom, "/request Printer jammed")
	out := run(tom, "/request show 1001")
	if !strings.Contains(out, " JST by tom") {
		t.Fatalf("opened time not in Asia/Tokyo:\n%s", out)
	}
	// 23:30 UTC on Tuesday 1 Dec is Wednesday 08:30 in Tokyo.
	h, _, _ = newProjectHarness(t, time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC))
	cora := h.as("cora", bot.RoleCoordinator, "")
	run(cora, "/hours 08:00-16:30 mon-fri Asia/Tokyo")
	if out := run(cora, `/project new ACME "Switches" --end 2027-01-29`); !strings.Contains(out, "Wed 2 Dec 2026 to") {
		t.Fatalf("a project opened on Wednesday morning in Tokyo should start that day:\n%s", out)
	}
	run(cora, `/project new ACME "Firewall" --start 2026-11-02 --end 2027-03-29 --channel acme`)
	run(cora, "/project update P2")
	run(cora, `/project update P2 edit next "core switches on site"`)
	run(cora, "/project update P2 approve")
	if out := run(cora, "/project update P2"); !strings.Contains(out, "posted") || !strings.Contains(out, " JST.") {
		t.Fatalf("posted time not in Asia/Tokyo:\n%s", out)
	}
}

// /help marks what is beyond the caller's role once, the same way for every command.
func TestHelpMarksRolesOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.as("dana", bot.RoleManager, "")
	tom := h.as("tom", bot.RoleTech, "")
	out := run(tom, "/help")
	if strings.Contains(out, "(managers) (managers and above)") {
		t.Fatalf("doubled role note:\n%s", out)
	}
	for _, cmd := range []string{"/role [", "/mspbot intake", "/digest now"} {
		i := strings.Index(out, cmd)
		if i < 0 {
			t.Fatalf("%s missing from help:\n%s", cmd, out)
		}
		line, _, _ := strings.Cut(out[i:], "\n")
		if !strings.HasSuffix(line, "(managers and above)") {
			t.Errorf("%s line should end with the role note: %q", cmd, line)
		}
	}
}

// /request sla reads; its refusal and its "no SLA" advice must say what is true.
func TestRequestSLARepliesSayWhatIsTrue(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dana := h.as("dana", bot.RoleManager, "")
	wile := h.as("wile", bot.RoleClient, "ACME")
	run(wile, "/request Our printer is jammed")   // #1001, ACME, P3
	run(dana, "/request Replace the core switch") // #1002, no client
	if out := run(wile, "/request sla 1001"); strings.Contains(out, "change") || !strings.Contains(out, "only staff can use /request sla") {
		t.Errorf("client asking for the SLA:\n%s", out)
	}
	if out := run(dana, "/request sla 1001"); !strings.Contains(out, "/client sla ACME P3 1h 8h") {
		t.Errorf("no target for ACME:\n%s", out)
	}
	if out := run(dana, "/request sla 1002"); !strings.Contains(out, "not filed under a client") {
		t.Errorf("no client:\n%s", out)
	}
}

// Lists read "1 open request", and a client with no projects is not told how
// to open one (only coordinators can).
func TestListsReadNaturally(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	wile := h.as("wile", bot.RoleClient, "ACME")
	run(wile, "/request Our printer is jammed")
	if out := run(wile, "/requests"); !strings.Contains(out, "== 1 open request ==") {
		t.Errorf("/requests with one:\n%s", out)
	}
	if out := run(wile, "/project"); strings.Contains(out, "/project new") || !strings.Contains(out, "No running projects for ACME") {
		t.Errorf("client with no projects:\n%s", out)
	}
	cora := h.as("cora", bot.RoleCoordinator, "")
	run(cora, `/project new ACME "Firewall" --start 2030-01-07 --end 2030-03-29`)
	if out := run(cora, "/project"); !strings.Contains(out, "== 1 running project ==") {
		t.Errorf("/project with one:\n%s", out)
	}
}

// A timezone set with /hours is the person's timezone everywhere: here the
// coordinator's weekly update time and /request show.
func TestHoursTimezoneIsUsedForProjectsToo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	if out := run(cora, "/hours 08:00-16:30 mon-fri Asia/Tokyo"); !strings.Contains(out, "Asia/Tokyo") {
		t.Fatalf("hours:\n%s", out)
	}
	out := run(cora, `/project new ACME "Tokyo office refresh" --start 2030-01-07 --end 2030-03-29 --budget 40h`)
	if !strings.Contains(out, "Friday 15:00 (Asia/Tokyo)") {
		t.Fatalf("the weekly update time must be in the coordinator's /hours timezone:\n%s", out)
	}
}
