package commands_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Issue 13: records an MSP can bill from. Each test below failed before the fix
// it names.

// entries lists everything the person logged from..to (dates).
func (h *harness) entries(name string, from, to time.Time) []bot.TimeEntry {
	h.t.Helper()
	ctx := context.Background()
	p, err := h.store.FindPerson(ctx, h.workspace(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	list, err := h.store.TimeEntries(ctx, p.ID, from, to)
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

func TestOneReferenceGrammar(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) // a Tuesday
	h, clock, _ := newProjectHarness(t, now)
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	run(tom, "/request Replace the core switch") // #1001
	run(tom, "/request Printer jammed")          // #1002
	expect(t, cora, `/project new ACME "Firewall" --start 2026-12-01 --end 2027-01-31 --budget 120h`, "Opened P1")
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	// A bare number is the request, never "nothing".
	expect(t, tom, "/time 15m 1001 note", "Logged 15m on #1001")
	expect(t, tom, "/time 15m #1001", "Logged 15m on #1001")
	expect(t, tom, "/time 15m P1 design", "Logged 15m on P1")
	expect(t, tom, "/time 15m #P1 design", "Logged 15m on P1")
	expect(t, tom, "/time 15m p1", "Logged 15m on P1")
	// Anything naming nothing is refused and nothing is stored.
	before := len(h.entries("tom", today, today))
	expect(t, tom, "/time 15m 9999 note", "no request #9999")
	expect(t, tom, "/time 15m P9 note", "no project P9")
	expect(t, tom, "/time 15m fixed the printer", "say what the time is for")
	expect(t, tom, "/time 15m --billable fixed it", "billable time needs a request or project")
	expect(t, tom, "/timer start 9999", "no request #9999")
	expect(t, tom, "/timer start", "say what the timer is for")
	if after := h.entries("tom", today, today); len(after) != before {
		t.Fatalf("refused commands stored entries: %+v", after[before:])
	}
	for _, e := range h.entries("tom", today, today) {
		if e.Billable && e.RequestID == nil && e.ProjectID == nil {
			t.Fatalf("billable entry %d is logged on nothing", e.ID)
		}
	}
	expect(t, tom, "/time 15m --non-billable team meeting", "Logged 15m (non-billable)")

	// Timer on a bare number.
	expect(t, tom, "/timer start 1002", "Timer started on #1002")
	expect(t, tom, "/timer", "Timer on #1002 running")
	clock.Advance(20 * time.Minute)
	expect(t, tom, "/timer stop", "logged 20m on #1002")
	expect(t, tom, "/timer start P1 cabling", "Timer started on P1")
	clock.Advance(10 * time.Minute)
	expect(t, tom, "/timer stop", "logged 10m on P1")

	// Output uses the same grammar: no "project 1".
	out := expect(t, tom, "/time today", "#1001", "P1 design", "#1002")
	if strings.Contains(out, "project 1") {
		t.Errorf("/time today prints an internal project id:\n%s", out)
	}
	// /request and /project read every spelling.
	for _, ref := range []string{"1001", "#1001"} {
		expect(t, tom, "/request show "+ref, "#1001 Replace the core switch")
	}
	for _, ref := range []string{"P1", "#P1", "p1"} {
		expect(t, cora, "/project "+ref, "Firewall")
		expect(t, cora, "/project status "+ref, "Firewall")
	}
	expect(t, cora, "/project status 1001", "#1001 is a request; name a project as P1001")
	expect(t, tom, "/request show P1", "P1 is a project")
}

func TestTimeEditMovesEntries(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	run(tom, "/request Replace the core switch") // #1001
	run(tom, "/request Printer jammed")          // #1002
	expect(t, cora, `/project new ACME "Firewall" --start 2026-12-01 --end 2027-01-31 --budget 120h`, "Opened P1")
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	expect(t, tom, "/time 30m 1001 wrong ticket", "Logged 30m on #1001")
	id := itoa(h.entries("tom", today, today)[0].ID)

	expect(t, tom, "/time edit "+id+" 1002", "is on #1002 (was #1001)")
	expect(t, tom, "/time edit "+id+" 45m P1 \"firewall rules\"", "is now 45m (was 30m)", "is on P1 (was #1002)", `reads "firewall rules"`)
	expect(t, tom, "/time edit "+id+" 9999", "no request #9999")
	expect(t, tom, "/time edit "+id+" 1h90", "write 2h30")
	e := h.entries("tom", today, today)[0]
	if e.Minutes != 45 || e.ProjectNumber == nil || *e.ProjectNumber != 1 || e.RequestID != nil || e.Note != "firewall rules" {
		t.Fatalf("entry after edits: %+v", e)
	}
}

func TestApostrophesAreLetters(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	tom := h.as("tom", bot.RoleTech, "")
	run(tom, "/request Replace the core switch") // #1001
	expect(t, tom, "/time 30m #1001 fixed Bob's laptop", "Logged 30m on #1001")
	expect(t, tom, "/time 30m #1001 “it’s done” now", "Logged 30m on #1001")
	expect(t, tom, "/time today", "fixed Bob's laptop", "it’s done now")
	cora := h.as("cora", bot.RoleCoordinator, "")
	expect(t, cora, "/reclassify 1001 support it's covered by the contract", "#1001")
	expect(t, cora, `/project new ACME "Bob's office move" --start 2026-12-01 --end 2027-01-29`, "Opened P1", "Bob's office move")
	expect(t, cora, `/project oos P1 2h "Bob's extra desk" --approved-by client`, "item 1")
	expect(t, cora, "/project close P1", "Closeout of P1")
	expect(t, cora, "/project waive P1 docs it's all in the wiki already", "it's all in the wiki already")
	expect(t, tom, `/time 30m #1001 "unclosed quote`, "a quote is not closed")
}

func TestTimeThatAddsUp(t *testing.T) {
	t.Parallel()
	h, clock, _ := newProjectHarness(t, time.Date(2026, 12, 1, 22, 0, 0, 0, time.UTC))
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	run(tom, "/request Replace the core switch") // #1001
	expect(t, cora, `/project new ACME "Firewall" --start 2026-11-01 --end 2027-01-31 --budget 120h`, "Opened P1")
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

	// 1h 30m is ninety minutes, not one hour with the note "30m".
	expect(t, tom, "/time 1h 30m #1001", "Logged 1h30 on #1001")
	expect(t, tom, "/time 1 hour 15 minutes 1001 cabling", "Logged 1h15 on #1001")
	expect(t, tom, "/time 0:45 1001", "Logged 45m on #1001")
	list := h.entries("tom", today, today)
	if len(list) != 3 || list[0].Minutes != 90 || list[0].Note != "" || list[1].Note != "cabling" {
		t.Fatalf("entries: %+v", list)
	}
	// No more than 24h in a day, across entries and a running timer.
	expect(t, tom, "/time 20h 1001", "Logged 20h")
	expect(t, tom, "/time 2h 1001", "that would make 25h30", "a day holds at most 24h")
	expect(t, tom, "/time 25h 1001", "25h is more than 24h; split it into one entry per day")
	expect(t, tom, "/timer start 1001", "Timer started")
	clock.Advance(40 * time.Minute)
	expect(t, tom, "/time 30m 1001", "and 40m on the running timer")
	clock.Advance(30 * time.Minute) // the timer ran 1h10 but only 30m is left of the day
	expect(t, tom, "/timer stop", "logged 30m on #1001", "it ran 1h10")
	total := 0
	for _, e := range h.entries("tom", today, today) {
		total += e.Minutes
	}
	if total != 24*60 {
		t.Fatalf("the day holds %d minutes; want exactly 1440", total)
	}
	// Editing cannot overflow the day either (the database refuses).
	id := itoa(h.entries("tom", today, today)[0].ID)
	expect(t, tom, "/time edit "+id+" 2h", "a day holds at most 24h")

	// Closed work takes no time: after "all time entered" and after close.
	clock.Advance(2 * time.Hour) // Wed 2 Dec, a fresh day
	expect(t, tom, "/time 1h P1 --date yesterday", "that would make 25h")
	expect(t, tom, "/time 1h P1 --date mon", "Logged 1h on P1 for Mon 30 Nov")
	mon := today.AddDate(0, 0, -1)
	pid := itoa(h.entries("tom", mon, mon)[0].ID)
	expect(t, cora, "/project close P1", "Closeout of P1")
	expect(t, cora, "/project tick P1 time", "ticked")
	expect(t, tom, "/time 1h P1", "marked complete at closeout")
	expect(t, tom, "/timer start P1", "marked complete at closeout")
	expect(t, tom, "/time edit "+pid+" 2h", "marked complete at closeout")
	expect(t, tom, "/time delete "+pid, "marked complete at closeout")
	if _, err := h.store.DB().Exec(`UPDATE projects SET status = 'closed' WHERE number = 1`); err != nil {
		t.Fatal(err)
	}
	expect(t, tom, "/time 1h P1", "P1 is closed")
	run(tom, "/request Printer jammed") // #1002
	expect(t, tom, "/time 10m 1002", "Logged 10m on #1002")
	id2 := h.entries("tom", today.AddDate(0, 0, 1), today.AddDate(0, 0, 1))[0].ID
	expect(t, tom, "/time edit "+itoa(id2)+" P1", "P1 is closed")
}

func TestOneGrammarForDurationsDatesAndClocks(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) // Tue 1 Dec
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	dana := h.as("dana", bot.RoleManager, "")
	run(tom, "/request Replace the core switch") // #1001

	// /project takes what /time takes: 0:45, "1h 30m", yesterday, weekdays, 9am.
	expect(t, cora, `/project new ACME "Firewall" --start yesterday --end fri --budget 0:45`, "Opened P1")
	expect(t, cora, `/project set P1 --budget "1h 30m" --update "fri 3pm"`)
	ctx := context.Background()
	p, err := h.store.ProjectByNumber(ctx, h.workspace(), 1)
	if err != nil || p.BudgetMinutes != 90 || p.Start.Format("2006-01-02") != "2026-11-30" ||
		p.End.Format("2006-01-02") != "2026-12-04" || p.UpdateMinute != 15*60 {
		t.Fatalf("project: %+v %v", p, err)
	}
	expect(t, cora, `/project disruption P1 fri 9pm-1am "switch swap"`, "Fri 4 Dec")
	expect(t, tom, "/time 30m 1001 --date mon", "for Mon 30 Nov")
	expect(t, tom, "/away fri mon", "Fri 4 Dec", "Mon 7 Dec")

	// One set of error texts, each fitting its command.
	snooze := expect(t, tom, "/snooze 48h", "48h is more than 8h; snooze for at most 8h, or use /away")
	if strings.Contains(snooze, "entry per day") {
		t.Errorf("/snooze explains a /time limit:\n%s", snooze)
	}
	expect(t, tom, "/time 48h 1001", "48h is more than 24h; split it into one entry per day")
	for _, line := range []string{"/time 45 1001", `/project set P1 --budget 45`, "/snooze 45", "/team gap 45"} {
		who := tom
		if strings.HasPrefix(line, "/project") {
			who = cora
		} else if strings.HasPrefix(line, "/team") {
			who = dana
		}
		expect(t, who, line, `"45" needs a unit: 45m for minutes or 45h for hours`)
	}
	expect(t, dana, "/client sla ACME P2 1h 3d12h", "resolve within 84h")
	expect(t, dana, "/hours @tom 9am-5pm mon-fri", "09:00-17:00")
}

func TestCloseoutThatHolds(t *testing.T) {
	t.Parallel()
	h, clock, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	h.as("sam", bot.RoleTech, "")
	wile := h.as("wile", bot.RoleClient, "ACME")
	expect(t, cora, `/project new ACME "Firewall" --start 2026-12-01 --end 2026-12-10 --budget 10h`, "Opened P1")
	expect(t, cora, `/project milestone P1 "Rules" 2026-12-04`, "milestone")
	expect(t, cora, `/project oos P1 2h "extra VLAN" --approved-by client`, "item 1")

	// The coordinator cannot be the support lead who signs off.
	expect(t, cora, "/project set P1 --lead @cora", "the support lead signs off for the support team, so name someone else")
	p, _ := h.store.ProjectByNumber(ctx, h.workspace(), 1)
	if _, err := h.store.DB().Exec(`UPDATE projects SET support_lead_id = coordinator_id WHERE id = $1`, p.ID); err == nil {
		t.Fatal("the database let the coordinator be the support lead")
	}
	expect(t, cora, "/project set P1 --lead @sam")

	clock.Set(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)) // the milestone is overdue
	expect(t, cora, "/project status P1", "at risk", "Overdue")
	expect(t, cora, "/project close P1", "Closeout of P1")
	expect(t, cora, "/project tick P1 signoff", "not its coordinator: it is sam's to give")
	// Not even straight into storage: the sign-off is someone else's.
	cp, _ := h.store.FindPerson(ctx, h.workspace(), "cora")
	if err := h.store.TickCloseout(ctx, p.ID, "signoff", cp.ID, clock.Now(), ""); err == nil || !strings.Contains(bot.ErrorMessage(err), "not its coordinator") {
		t.Fatalf("storage let the coordinator sign off: %v", err)
	}
	expect(t, h.as("sam", bot.RoleTech, ""), "/project tick P1 signoff", "sam ticked")
	expect(t, tom, "/project tick P1 docs", "ticked")
	expect(t, wile, "/project tick P1 acceptance", "ticked")
	expect(t, cora, "/project tick P1 time", "ticked")
	expect(t, cora, `/project waive P1 oos "extra VLAN goes on the monthly invoice"`, "waived")

	// Waived out-of-scope work reads as waived, in the status and the CSV.
	out := expect(t, cora, "/project status P1", "Waived out-of-scope: 1 item, 2 h, waived by cora: extra VLAN goes on the monthly invoice")
	if strings.Contains(out, "Open out-of-scope") {
		t.Errorf("a waived item is shown as open:\n%s", out)
	}
	msgs := cora.Handle(ctx, "/project oos-export P1")
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || !strings.Contains(msgs[0].Text, "1 waived at closeout") {
		t.Fatalf("export: %+v", msgs)
	}
	rows, err := csv.NewReader(strings.NewReader(string(msgs[0].Attachments[0].Data))).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][9] != "waived" || rows[1][8] != "" || rows[1][9] != "cora: extra VLAN goes on the monthly invoice" {
		t.Fatalf("csv: %q %v", rows, err)
	}

	// The rating is required to close, or skipped with a reason.
	expect(t, cora, "/project close P1", "Not closed: P1 has no execution rating")
	if p, _ := h.store.ProjectByNumber(ctx, h.workspace(), 1); p.Status != bot.ProjectClosing {
		t.Fatalf("closed without a rating: %s", p.Status)
	}
	expect(t, cora, "/project rate P1 skip", "use /project rate P1 1-5")
	expect(t, cora, `/project rate P1 skip "coordinator left mid-project"`, "rating skipped by cora")
	expect(t, cora, "/project close P1", "P1 Firewall is closed")
	// Frozen after close: the command and the database refuse a new rating.
	expect(t, cora, `/project rate P1 5 "after all"`, "P1 is closed; its rating is final")
	if err := h.store.RateProject(ctx, p.ID, 5, "sneaky", cp.ID, clock.Now()); err == nil {
		t.Fatal("storage changed a closed project's rating")
	}
	if r, err := h.store.ProjectRating(ctx, p.ID); err != nil || r.Rating != 0 || r.Reason != "coordinator left mid-project" {
		t.Fatalf("rating: %+v %v", r, err)
	}

	// A closed project's status says closed: not at risk, not overdue.
	out = expect(t, cora, "/project status P1", "closed on Tue 8 Dec 2026", "Next milestone: none: the project is closed")
	for _, bad := range []string{"at risk", "Overdue", "late"} {
		if strings.Contains(out, bad) {
			t.Errorf("closed project's status says %q:\n%s", bad, out)
		}
	}
}

func TestWeeklyUpdateNeverPostsAPlaceholderAndEditsKeepItsShape(t *testing.T) {
	t.Parallel()
	h, _, box := newProjectHarness(t, time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	expect(t, cora, `/project new ACME "Firewall" --start 2026-12-01 --end 2027-01-29 --channel acme`, "Opened P1")
	// No milestones: the draft asks for the plan, and has no Approve button.
	out := expect(t, cora, "/project update P1", "Planned next week:", bot.UpdatePlaceholder, "Fill in")
	if strings.Contains(out, "[Approve]") {
		t.Errorf("a draft with a line to fill in offers Approve:\n%s", out)
	}
	expect(t, cora, "/project update P1 approve", "still has a line to fill in")
	u, err := h.store.LatestWeeklyUpdate(ctx, h.projectID(1), false)
	if err != nil {
		t.Fatal(err)
	}
	cp, _ := h.store.FindPerson(ctx, h.workspace(), "cora")
	if _, err := h.store.ApproveWeeklyUpdate(ctx, u.ID, cp.ID, time.Now()); err == nil {
		t.Fatal("storage approved a draft with a placeholder")
	}
	for _, m := range box.all() {
		if strings.Contains(m.Text, bot.UpdatePlaceholder) && !strings.Contains(m.Title, "Draft") {
			t.Fatalf("a placeholder reached a channel: %+v", m)
		}
	}

	// Editing one section keeps the others.
	expect(t, cora, `/project update P1 edit next "cut-over Saturday 18:00; handover Monday"`, `Edited by cora (edit 1): the "Planned next week" section`)
	expect(t, cora, `/project update P1 edit All on track, nothing for you to do`, "(edit 2): a note")
	u, _ = h.store.LatestWeeklyUpdate(ctx, h.projectID(1), false)
	for _, want := range []string{"Schedule:", "Budget:", "Done this week:\n- 0 h of work logged this week",
		"Planned next week:\n- cut-over Saturday 18:00\n- handover Monday", "A note from your coordinator:\n- All on track, nothing for you to do"} {
		if !strings.Contains(u.Body, want) {
			t.Errorf("edited update lacks %q:\n%s", want, u.Body)
		}
	}
	if strings.Contains(u.Body, bot.UpdatePlaceholder) {
		t.Errorf("the placeholder survived the edit:\n%s", u.Body)
	}
	expect(t, cora, `/project update P1 edit next ""`, "needs at least one line")
	expect(t, cora, "/project update P1 approve", "Approved by cora and posted")
}

// projectID is the id of project number n.
func (h *harness) projectID(n int) int64 {
	h.t.Helper()
	p, err := h.store.ProjectByNumber(context.Background(), h.workspace(), n)
	if err != nil {
		h.t.Fatal(err)
	}
	return p.ID
}

// all is every message sent, in order.
func (b *outbox) all() []bot.Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []bot.Message
	for _, s := range b.sent {
		out = append(out, s.m)
	}
	return out
}

// A project counts the time on the request it was opened from, so that time
// closes with the project's.
func TestRequestTimeClosesWithItsProject(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	expect(t, tom, "/request --client ACME Deploy Intune to all 120 laptops across three sites", "#1001")
	expect(t, cora, "/project open 1001 --start 2026-12-01 --end 2027-01-29", "P1")
	expect(t, tom, "/time 30m 1001 scoping", "Logged 30m on #1001")
	expect(t, cora, "/project close P1", "Closeout of P1")
	expect(t, cora, "/project tick P1 time", "ticked")
	expect(t, tom, "/time 30m 1001 more", "P1's time was marked complete at closeout")
	expect(t, tom, "/timer start 1001", "P1's time was marked complete at closeout")
}
