package commands_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// deliver dispatches line as one platform delivery: the event carries key as
// its SourceID, as an adapter's does, so dispatching it again with the same
// key is that delivery handled again (a Slack retry, or the inbox after a crash).
func (h *harness) deliver(c *console.Console, key, line string) string {
	h.t.Helper()
	cmd, args, err := bot.ParseLine(line)
	if err != nil {
		h.t.Fatalf("%q: %v", line, err)
	}
	var out []string
	for _, m := range h.router.Dispatch(context.Background(), bot.Event{Platform: bot.PlatformConsole,
		Workspace: console.Workspace, Channel: "console", User: c.User, Command: cmd, Args: args, SourceID: key}) {
		out = append(out, console.Render(m))
	}
	return strings.Join(out, "\n")
}

// snapshot is every row of every table, as text per table, every column
// included: even a "set" rewritten with the same values would move updated_at.
func (h *harness) snapshot() map[string]string {
	h.t.Helper()
	ctx := context.Background()
	var tables []string
	rows, err := h.store.DB().QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		h.t.Fatal(err)
	}
	for rows.Next() {
		var tb string
		if err := rows.Scan(&tb); err != nil {
			h.t.Fatal(err)
		}
		tables = append(tables, tb)
	}
	if err := rows.Close(); err != nil {
		h.t.Fatal(err)
	}
	if len(tables) < 10 {
		h.t.Fatalf("only %d tables to compare: %v", len(tables), tables)
	}
	snap := map[string]string{}
	for _, tb := range tables {
		var rows string
		if err := h.store.DB().QueryRowContext(ctx, `SELECT coalesce(string_agg(j, E'\n' ORDER BY j), '')
			FROM (SELECT to_jsonb(t)::text AS j FROM `+tb+` t) x`).Scan(&rows); err != nil {
			h.t.Fatalf("%s: %v", tb, err)
		}
		snap[tb] = rows
	}
	return snap
}

// twice handles the same delivery of line twice and fails the test if the
// second handling changed any row. It returns both replies.
func (h *harness) twice(c *console.Console, key, line string) (first, second string) {
	h.t.Helper()
	first = h.deliver(c, key, line)
	after := h.snapshot()
	second = h.deliver(c, key, line)
	again := h.snapshot()
	for tb, rows := range again {
		if rows != after[tb] {
			h.t.Errorf("%s handled again changed %s:\n%s", line, tb, rowDiff(after[tb], rows))
		}
	}
	return first, second
}

// rowDiff lists the rows only one snapshot of a table has, cut short.
func rowDiff(before, after string) string {
	in := func(rows string) map[string]bool {
		m := map[string]bool{}
		for _, r := range strings.Split(rows, "\n") {
			m[r] = true
		}
		return m
	}
	was, is := in(before), in(after)
	short := func(r string) string {
		if len(r) > 300 {
			return r[:300] + "…"
		}
		return r
	}
	var b strings.Builder
	for _, r := range strings.Split(before, "\n") {
		if !is[r] {
			b.WriteString("- " + short(r) + "\n")
		}
	}
	for _, r := range strings.Split(after, "\n") {
		if !was[r] {
			b.WriteString("+ " + short(r) + "\n")
		}
	}
	return b.String()
}

// sameAnswer fails unless a delivery handled again answered as the first time.
func sameAnswer(t *testing.T, line, first, second string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(first, w) {
			t.Errorf("%s: first reply lacks %q:\n%s", line, w, first)
		}
	}
	if second != first {
		t.Errorf("%s handled again answered\n%s\nthe first time\n%s", line, second, first)
	}
}

// TestSetCommandsHandledAgainChangeNothing: commands that set values and keep
// no delivery of their own (role, schedule, project settings) handled twice
// with the same delivery: the second handling changes no row and answers as
// the first.
func TestSetCommandsHandledAgainChangeNothing(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	dana := h.as("dana", bot.RoleManager, "")
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	h.as("sam", bot.RoleTech, "")
	h.as("vera", bot.RoleClient, "GLOBEX")
	expect(t, cora, `/project new ACME "Office move" --start 2026-12-01 --end 2027-01-29 --budget 120h`, "Opened P1")
	expect(t, cora, `/contract ACME covers "patching"`, "Clause 1 added")
	expect(t, tom, "/request Printer on the 2nd floor is jammed", "Opened #1001")
	expect(t, tom, "/request close 1001", "Closed #1001")

	for _, c := range []struct {
		who  *console.Console
		line string
		want []string
	}{
		{dana, "/role ursula tech", []string{"ursula is now a tech"}},
		{dana, "/mspbot intake on", []string{"This is now an intake channel"}},
		{dana, "/mspbot client link ACME", []string{"linked to client ACME"}},
		{dana, "/mspbot client unlink", []string{"no longer linked"}},
		{dana, "/client sla ACME P1 15m 4h", []string{"P1: respond within 15m, resolve within 4h"}},
		{dana, "/client hours ACME 08:00-18:00 mon-fri Europe/London", []string{"Clock runs 08:00-18:00"}},
		{cora, "/contract ACME remove 1", []string{"Clause 1 removed."}},
		{tom, "/rate 1001 good", []string{"rated good"}},
		{dana, "/role wile client ACME", []string{"client user of ACME"}},
		{cora, "/client user ACME vera", []string{"vera is now a client user of ACME"}},
		{dana, "/role sam coordinator", []string{"sam is now a coordinator"}},
		{tom, "/hours 08:00-16:30 mon-thu Europe/London", []string{"tom works"}},
		{dana, "/hours digest 07:30", []string{"07:30"}},
		{tom, "/away until 2026-12-04", []string{"tom is away Tue 1 Dec to Fri 4 Dec 2026"}},
		{tom, "/back", []string{"Welcome back, tom"}},
		{dana, "/manager tom dana", []string{"tom's manager: dana"}},
		{tom, "/snooze 45m", []string{"Snoozed until 09:45"}},
		{dana, "/team gap 90m", []string{"Allowed gap 1h30"}},
		{cora, `/project set P1 --end 2027-02-26 --budget 140h --lead @tom --update "fri 15:00"`, []string{"P1", "140 h"}},
	} {
		first, second := h.twice(c.who, "replay:"+c.line, c.line)
		sameAnswer(t, c.line, first, second, c.want...)
	}
}

// TestChangesHandledAgainApplyOnce: /time edit, /project progress, the weekly
// update's edit and skip, closeout ticks and waivers and /away today, each
// handled twice with the same delivery: the second handling changes no row
// (no second history row, no second note, no second nudge answered) and does
// not answer "already ticked off" or "was 30m" where the first did the change.
func TestChangesHandledAgainApplyOnce(t *testing.T) {
	t.Parallel()
	h, clock, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	sam := h.as("sam", bot.RoleTech, "")
	expect(t, tom, "/request Printer on the 2nd floor is jammed", "Opened #1001")
	expect(t, tom, "/request Scanner on the 3rd floor is jammed", "Opened #1002")
	expect(t, tom, "/time 45m #1001 cleared the jam", "entry 1")
	expect(t, cora, `/project new ACME "Office move" --start 2026-12-01 --end 2027-01-29 --budget 120h --lead @sam`, "Opened P1")
	expect(t, cora, `/project milestone P1 "Design" 2026-12-04`, "Design")
	expect(t, cora, "/project update P1", "P1")

	line := `/time edit 1 30m #1002 "replaced the fuser"`
	first, second := h.twice(tom, "replay:edit", line)
	if !strings.Contains(first, "is now 30m (was 45m)") || !strings.Contains(first, "is on #1002 (was #1001)") {
		t.Errorf("%s: %s", line, first)
	}
	if strings.Contains(second, "was 30m") || strings.Contains(second, "was #1002") ||
		!strings.Contains(second, "30m on #1002") || !strings.Contains(second, "handled already") {
		t.Errorf("%s handled again answered %q; want the entry as that edit left it, handled already", line, second)
	}

	// Handled again after a later edit, it must not undo that edit.
	expect(t, tom, "/time edit 1 1h", "is now 1h (was 30m)")
	if again := h.deliver(tom, "replay:edit", `/time edit 1 30m #1002 "replaced the fuser"`); !strings.Contains(again, "is 1h on #1002") {
		t.Errorf("handled again after a later edit: %q", again)
	}
	if e, err := h.store.TimeEntryByID(ctx, h.workspace(), 1); err != nil || e.Minutes != 60 {
		t.Errorf("entry 1 after the replay: %d minutes (%v); want the later edit's 60", e.Minutes, err)
	}

	line = "/project progress P1 Design 50%"
	first, second = h.twice(tom, "replay:progress", line)
	sameAnswer(t, line, first, second, "Design: 0% → 50%")

	line = `/project update P1 edit "remember the badges"`
	first, second = h.twice(cora, "replay:note", line)
	sameAnswer(t, line, first, second, "(edit 1): a note")
	line = `/project update P1 edit next "core switches on site"`
	first, second = h.twice(cora, "replay:next", line)
	sameAnswer(t, line, first, second, "(edit 2)", "core switches on site")
	line = `/project update P1 skip client on holiday`
	first, second = h.twice(cora, "replay:skip", line)
	sameAnswer(t, line, first, second, "Skipped P1's update")

	// Changes the project closes on later (handled again after that, below).
	for _, c := range []struct{ key, line, want string }{
		{"replay:oos", `/project oos P1 6h "rack a second UPS" --approved-by client`, "out-of-scope item 1"},
		{"replay:milestone", `/project milestone P1 "Cut-over" 2027-01-15`, `milestone "Cut-over" due`},
		{"replay:disruption", `/project disruption P1 2026-12-05 18:00-22:00 "no mail for 2 hours"`, "disruption planned"},
		{"replay:set", "/project set P1 --budget 130h", "130 h"},
	} {
		if out := h.deliver(cora, c.key, c.line); !strings.Contains(out, c.want) {
			t.Errorf("%s: reply lacks %q:\n%s", c.line, c.want, out)
		}
	}
	line = "/project oos-invoiced P1 1"
	first, second = h.twice(cora, "replay:invoiced", line)
	sameAnswer(t, line, first, second, "P1 out-of-scope item 1 (rack a second UPS, 6 h) is invoiced.")

	expect(t, cora, "/project close P1", "Closeout of P1")
	line = `/project tick P1 docs wiki updated`
	first, second = h.twice(tom, "replay:tick", line)
	sameAnswer(t, line, first, second, `tom ticked "`)
	line = `/project tick P1 signoff`
	first, second = h.twice(sam, "replay:signoff", line)
	sameAnswer(t, line, first, second, `sam ticked "`)
	line = `/project waive P1 oos "none was done"`
	first, second = h.twice(cora, "replay:waive", line)
	sameAnswer(t, line, first, second, `cora waived "`)
	line = `/project rate P1 4 "on time, one weekend overrun"`
	first, second = h.twice(cora, "replay:rate", line)
	sameAnswer(t, line, first, second, `P1 rated 4/5 by cora: on time, one weekend overrun`)

	// Handled again once the project is closed, a tick, a waiver, the rating
	// and the other changes to the project change nothing and still answer
	// as their own change, not "is closed" or "already ticked off".
	expect(t, cora, `/project tick P1 acceptance "Jane Doe, by email"`, `cora ticked "`)
	expect(t, cora, `/project tick P1 time`, `cora ticked "`)
	expect(t, cora, "/project close P1", "P1 Office move is closed")
	for _, c := range []struct {
		who             *console.Console
		key, line, want string
	}{
		{tom, "replay:tick", `/project tick P1 docs wiki updated`, `tom ticked "`},
		{cora, "replay:waive", `/project waive P1 oos "none was done"`, `cora waived "`},
		{cora, "replay:rate", `/project rate P1 4 "on time, one weekend overrun"`, `P1 rated 4/5 by cora`},
		{tom, "replay:progress", "/project progress P1 Design 50%", "Design: 0% → 50%"},
		{cora, "replay:oos", `/project oos P1 6h "rack a second UPS" --approved-by client`, "out-of-scope item 1"},
		{cora, "replay:milestone", `/project milestone P1 "Cut-over" 2027-01-15`, `milestone "Cut-over" due`},
		{cora, "replay:disruption", `/project disruption P1 2026-12-05 18:00-22:00 "no mail for 2 hours"`, "disruption planned"},
		{cora, "replay:set", "/project set P1 --budget 130h", "130 h"},
	} {
		again := h.againKeeps(c.who, c.key, c.line, "the project closed")
		if !strings.Contains(again, c.want) || strings.Contains(again, "to close it") || strings.Contains(again, "[Close P1]") {
			t.Errorf("%s handled again after the project closed answered %q; want %q and no offer to close it", c.line, again, c.want)
		}
	}

	// Two gap nudges unanswered: /away today answers the latest, once.
	ws, tomP := h.workspace(), h.person("tom")
	for _, ago := range []time.Duration{2 * time.Hour, time.Hour} {
		at := clock.Now().Add(-ago)
		if _, _, err := h.store.RecordNudge(ctx, ws, tomP.ID, "gap", at.Add(-time.Hour), at.Truncate(24*time.Hour), at); err != nil {
			t.Fatal(err)
		}
	}
	line = "/away today"
	first, second = h.twice(tom, "replay:off", line)
	sameAnswer(t, line, first, second, "Enjoy your day off, tom")
}

func (h *harness) person(name string) bot.Person {
	h.t.Helper()
	p, err := h.store.FindPerson(context.Background(), h.workspace(), name)
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// TestSetsHandledAgainAfterALaterChangeKeepIt: a delivery handled again after
// a later change to the same thing (another worker or instance took the next
// delivery while the first one's row waited to be rescued) changes nothing:
// the later change stands.
func TestSetsHandledAgainAfterALaterChangeKeepIt(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	dana := h.as("dana", bot.RoleManager, "")
	cora := h.as("cora", bot.RoleCoordinator, "")
	tom := h.as("tom", bot.RoleTech, "")
	h.as("vera", bot.RoleClient, "GLOBEX")
	expect(t, cora, `/project new ACME "Office move" --start 2026-12-01 --end 2027-01-29 --budget 120h`, "Opened P1")
	expect(t, cora, `/project new ACME "Server swap" --start 2026-12-01 --end 2027-01-29 --budget 40h`, "Opened P2")
	expect(t, cora, "/project update P1", "P1")
	expect(t, tom, "/request Printer on the 2nd floor is jammed", "Opened #1001")
	expect(t, tom, "/request Scanner on the 3rd floor is jammed", "Opened #1002")
	expect(t, tom, "/request close 1001", "Closed #1001")
	expect(t, tom, `/request resolve 1002 "cleared the rollers"`, "Resolved #1002")
	expect(t, tom, "/timer start 1001 replacing the fuser", "1001")

	for _, c := range []struct {
		who          *console.Console
		first, later string
		laterBy      *console.Console // who makes the later change, if not who
	}{
		{dana, "/role ursula tech", "/role ursula coordinator", nil},
		{tom, "/hours 08:00-16:30 mon-thu", "/hours 09:00-17:00", nil},
		{dana, "/hours digest 07:30", "/hours digest 08:15", nil},
		{tom, "/away until 2026-12-04", "/back", nil},
		{tom, "/back", "/away until 2026-12-08", nil},
		{dana, "/manager tom dana", "/manager tom none", nil},
		{dana, "/team gap 90m", "/team gap 2h", nil},
		{cora, "/project set P1 --budget 140h", "/project set P1 --budget 150h", nil},
		{cora, "/client user ACME vera", "/role vera tech", dana},
		{cora, "/project close P2 --lead @tom", "/project set P2 --lead @dana", nil},
		{cora, `/project rate P2 4 "on time"`, `/project rate P2 3 "one weekend overrun"`, nil},
		{cora, `/project update P1 edit next "core switches on site"`, "/project update P1 approve", nil},
		{dana, "/mspbot intake on", "/mspbot intake off", nil},
		{dana, "/mspbot client link ACME", "/mspbot client unlink", nil},
		{dana, "/mspbot client unlink", "/mspbot client link ACME", nil},
		{dana, "/client sla ACME P1 15m 4h", "/client sla ACME P1 30m 8h", nil},
		{dana, "/client hours ACME 08:00-18:00 mon-fri Europe/London", "/client hours ACME 24x7", nil},
		{tom, "/rate 1001 good", "/rate 1001 poor", nil},
		{tom, "/rate 1002 good", "/request reopen 1002", nil},
		{tom, "/timer keep", "/timer stop fuser replaced", nil},
	} {
		key := "replay:" + c.first
		first := h.deliver(c.who, key, c.first)
		if failed(first) {
			t.Fatalf("%s: %s", c.first, first)
		}
		laterBy := c.laterBy
		if laterBy == nil {
			laterBy = c.who
		}
		if out := run(laterBy, c.later); failed(out) {
			t.Fatalf("%s: %s", c.later, out)
		}
		h.againKeeps(c.who, key, c.first, c.later)
	}
}

// againKeeps handles the delivery key of line again after what the test did
// since (what), fails the test if that changed any row or answered with an
// error, and returns the answer.
func (h *harness) againKeeps(c *console.Console, key, line, what string) string {
	h.t.Helper()
	after := h.snapshot()
	again := h.deliver(c, key, line)
	if failed(again) {
		h.t.Errorf("%s handled again after %s answered %q", line, what, again)
	}
	for tb, rows := range h.snapshot() {
		if rows != after[tb] {
			h.t.Errorf("%s handled again after %s changed %s:\n%s", line, what, tb, rowDiff(after[tb], rows))
		}
	}
	return again
}

// failed says whether a reply is an error (bot.ErrorReply's prefixes).
func failed(reply string) bool {
	for _, p := range []string{"That didn't work", "Not found:", "Not allowed:", "Can't do that", "Something went wrong"} {
		if strings.Contains(reply, p) {
			return true
		}
	}
	return false
}

// TestTimeEditHandledAgainAfterDeleteOrLock: a /time edit handled again after
// its entry was deleted, or after the entry locked, changes nothing and says
// the edit was handled already, not "no time entry" or "is locked".
func TestTimeEditHandledAgainAfterDeleteOrLock(t *testing.T) {
	t.Parallel()
	h, clock, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	tom := h.as("tom", bot.RoleTech, "")
	expect(t, tom, "/request Printer on the 2nd floor is jammed", "Opened #1001")
	expect(t, tom, "/time 45m #1001 cleared the jam", "entry 1")
	expect(t, tom, "/time 20m #1001 test print", "entry 2")

	line := "/time edit 2 25m"
	if first := h.deliver(tom, "replay:edit2", line); !strings.Contains(first, "is now 25m (was 20m)") {
		t.Fatalf("%s: %s", line, first)
	}
	expect(t, tom, "/time delete 2", "Deleted entry")
	if again := h.againKeeps(tom, "replay:edit2", line, "/time delete 2"); !strings.Contains(again, "handled already") {
		t.Errorf("%s handled again after the entry was deleted answered %q", line, again)
	}

	line = "/time edit 1 30m"
	if first := h.deliver(tom, "replay:edit1", line); !strings.Contains(first, "is now 30m (was 45m)") {
		t.Fatalf("%s: %s", line, first)
	}
	clock.Advance(9 * 24 * time.Hour)
	expect(t, tom, "/time edit 1 35m", "locked")
	if again := h.againKeeps(tom, "replay:edit1", line, "the entry locked"); !strings.Contains(again, "30m") || !strings.Contains(again, "handled already") {
		t.Errorf("%s handled again after the entry locked answered %q", line, again)
	}
}

// TestRefusedCloseHandledAgainDoesNotClose: a /project close answered "Not
// closed" (items open, then no rating) is handled again — its inbox row after
// a crash — once everything it lacked has been done: it changes nothing (the
// project stays in closeout) and answers "Not closed" again. The person saw
// it refused; closing on that old delivery would contradict what they read.
func TestRefusedCloseHandledAgainDoesNotClose(t *testing.T) {
	t.Parallel()
	h, _, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	expect(t, cora, `/project new ACME "Office move" --start 2026-12-01 --end 2027-01-29 --budget 120h`, "Opened P1")
	expect(t, cora, "/project close P1", "Closeout of P1")

	// Refused with items open; the same delivery straight away answers the same.
	line := "/project close P1"
	first, second := h.twice(cora, "replay:close-open", line)
	sameAnswer(t, line, first, second, "Not closed: the project cannot close while these are open: docs (documentation updated)")
	for _, item := range []string{"docs", "signoff", "time", "oos"} {
		expect(t, cora, `/project waive P1 `+item+` "not needed"`, "waived")
	}
	expect(t, cora, `/project tick P1 acceptance "Jane Doe, by email"`, `cora ticked "`)
	// Refused for want of a rating.
	if out := h.deliver(cora, "replay:close-unrated", line); !strings.Contains(out, "Not closed: P1 has no execution rating") {
		t.Fatalf("%s without a rating: %s", line, out)
	}
	expect(t, cora, `/project rate P1 4 "on time"`, "P1 rated 4/5")

	// Everything is done now; both refused deliveries handled again still refuse.
	for key, want := range map[string]string{
		"replay:close-open":    "Not closed: P1 could not close yet when this was first handled",
		"replay:close-unrated": "Not closed: P1 could not close yet when this was first handled",
	} {
		again := h.againKeeps(cora, key, line, "the items were finished and the project rated")
		if !strings.Contains(again, want) || strings.Contains(again, "is closed") {
			t.Errorf("%s (%s) handled again answered %q; want %q", line, key, again, want)
		}
	}
	if p, err := h.store.ProjectByNumber(ctx, h.workspace(), 1); err != nil || p.Status != bot.ProjectClosing {
		t.Fatalf("P1 is %s (%v) after refused closes were handled again; want still in closeout", p.Status, err)
	}

	// A new close closes it; the old refusals handled again after that still
	// change nothing and do not claim to have closed it.
	expect(t, cora, line, "P1 Office move is closed")
	again := h.againKeeps(cora, "replay:close-open", line, "the project closed")
	if !strings.Contains(again, "Not closed by this command") {
		t.Errorf("refused close handled again after the project closed answered %q", again)
	}
}

// TestDisruptionHandledAgainOnALaterDay: /project disruption handled again
// once its day has passed (the backlog handled after midnight, a crash
// recovered days later) changes nothing and answers as the first time: not
// "is in the past", and a day given as "fri" is the Friday it planned, not
// the one "fri" means by then.
func TestDisruptionHandledAgainOnALaterDay(t *testing.T) {
	t.Parallel()
	h, clock, _ := newProjectHarness(t, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)) // a Tuesday
	cora := h.as("cora", bot.RoleCoordinator, "")
	expect(t, cora, `/project new ACME "Office move" --start 2026-12-01 --end 2027-01-29 --budget 120h`, "Opened P1")

	lines := []struct{ key, line, want string }{
		{"replay:dated", `/project disruption P1 2026-12-05 18:00-22:00 "no mail for 2 hours"`, "Sat 5 Dec 2026 18:00-22:00"},
		{"replay:weekday", `/project disruption P1 fri 07:00-08:00 "no phones"`, "Fri 4 Dec 2026 07:00-08:00"},
	}
	first := map[string]string{}
	for _, c := range lines {
		first[c.key] = h.deliver(cora, c.key, c.line)
		if !strings.Contains(first[c.key], c.want) {
			t.Fatalf("%s: %s", c.line, first[c.key])
		}
	}
	clock.Advance(6 * 24 * time.Hour) // Monday 7 December: both days have passed
	for _, c := range lines {
		again := h.againKeeps(cora, c.key, c.line, "both days passed")
		sameAnswer(t, c.line, first[c.key], again, c.want)
	}
}

// /classify forget handled again changes nothing and says "Forgotten" again
// (not "nothing was learned"); and when a crash came between the forget and
// the refit, the repeat refits the model the forget left out of date.
func TestClassifyForgetHandledAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	for _, text := range []string{"Set up a new workstation for Bob in accounting", "accounting needs another workstation for Priya",
		"Please reset the MFA for Dan"} {
		run(cora, "/request "+text) // #1001–#1003
	}
	for _, n := range []string{"1001", "1002", "1003"} {
		run(cora, `/reclassify `+n+` project "quoted separately"`)
	}
	run(cora, "/classify retrain")

	first, second := h.twice(cora, "forget:1", "/classify forget 1001")
	if !strings.Contains(first, "Retrained on 2 override(s)") || !strings.Contains(second, "Forgotten") || strings.Contains(second, "nothing was learned") {
		t.Fatalf("forget handled twice:\nfirst: %s\nsecond: %s", first, second)
	}

	// The forget of #1002 committed, then the process died before the refit.
	ctx := context.Background()
	ws := h.workspace()
	before, err := h.store.LoadWorkspaceModel(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.store.FindPerson(ctx, ws, "cora")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.ForgetOverrideOnce(ctx, ws, 1002, p.ID, "forget:2"); err != nil {
		t.Fatal(err)
	}
	if out := h.deliver(cora, "forget:2", "/classify forget 1002"); !strings.Contains(out, "Retrained on 1 override(s)") {
		t.Fatalf("a repeat after a crash before the refit:\n%s", out)
	}
	after, err := h.store.LoadWorkspaceModel(ctx, ws)
	if err != nil || !after.TrainedAt.After(before.TrainedAt) || after.TrainingRows != 1 {
		t.Fatalf("model after the repeat: %+v %v; want refitted on 1 row", after, err)
	}
}

// racingStore is the real store with one interleaving: first runs once, just
// before the next closeout is started — another delivery handled between a
// command's read of the project and its own transaction.
type racingStore struct {
	*storage.Store
	first func()
}

func (s *racingStore) StartCloseoutOnce(ctx context.Context, projectID int64, at time.Time, key string, asks bot.Owed) (bool, error) {
	if f := s.first; f != nil {
		s.first = nil
		f()
	}
	return s.Store.StartCloseoutOnce(ctx, projectID, at, key, asks)
}

// TestCloseFindingCloseoutStartedHandledAgainDoesNotClose: delivery X, a
// /project close of an active project, finds that delivery Y (dana's close)
// started the closeout between its read of the project and its transaction,
// and answers with the checklist. Handled again — its inbox row after a
// crash — it changes nothing and answers with the checklist again: not "Not
// closed" while items are open, and, once everything is done and rated, it
// does not close the project the person saw answered with a checklist.
func TestCloseFindingCloseoutStartedHandledAgainDoesNotClose(t *testing.T) {
	t.Parallel()
	s := storagetest.New(t)
	// With an outbox, as on a platform: the close that starts the closeout
	// queues its asks and says "Asking privately"; X asked no one.
	race := &racingStore{Store: s}
	d := commands.Deps{Store: race, Clock: bot.NewFakeClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)), Location: time.UTC,
		Senders: bot.Senders{bot.PlatformConsole: &outbox{}}, Outbox: jobstest.Outbox(t, s.DB())}
	h := withClients(&harness{t: t, store: s, router: commands.NewRouter(d, nil)})
	ctx := context.Background()
	cora := h.as("cora", bot.RoleCoordinator, "")
	dana := h.as("dana", bot.RoleManager, "")
	expect(t, cora, `/project new ACME "Office move" --start 2026-12-01 --end 2027-01-29 --budget 120h`, "Opened P1")

	expect(t, cora, `/project new ACME "Server swap" --start 2026-12-01 --end 2027-01-29 --budget 40h`, "Opened P2")
	// X's close of ref meets Y's, made by dana in between.
	closeMeetingY := func(ref, keyX string) string {
		line := "/project close " + ref
		race.first = func() {
			if out := h.deliver(dana, keyX+"-Y", line); !strings.Contains(out, "Asking privately") {
				t.Errorf("Y, which starts the closeout of %s: %s", ref, out)
			}
		}
		first := h.deliver(cora, keyX, line)
		if !strings.Contains(first, "Closeout of "+ref) || !strings.Contains(first, ref+" is in closeout") || strings.Contains(first, "Ask") {
			t.Errorf("X, which found the closeout of %s started, answered:\n%s", ref, first)
		}
		return first
	}

	// Handled again straight away, X answers the same and changes nothing.
	first := closeMeetingY("P2", "replay:close-X2")
	sameAnswer(t, "/project close P2", first, h.againKeeps(cora, "replay:close-X2", "/project close P2", "Y"), "Closeout of P2")

	// Handled again only once everything is done and rated, X does not
	// close the project: the person saw it answered with the checklist.
	line := "/project close P1"
	closeMeetingY("P1", "replay:close-X")
	for _, item := range []string{"docs", "signoff", "time", "oos"} {
		expect(t, cora, `/project waive P1 `+item+` "not needed"`, "waived")
	}
	expect(t, cora, `/project tick P1 acceptance "Jane Doe, by email"`, `cora ticked "`)
	expect(t, cora, `/project rate P1 4 "on time"`, "P1 rated 4/5")
	again := h.againKeeps(cora, "replay:close-X", line, "the items were finished and the project rated")
	if !strings.Contains(again, "P1 is in closeout") || strings.Contains(again, "is closed") {
		t.Errorf("X handled again once the project could close answered:\n%s", again)
	}
	if p, err := h.store.ProjectByNumber(ctx, h.workspace(), 1); err != nil || p.Status != bot.ProjectClosing {
		t.Fatalf("P1 is %s (%v) after X was handled again; want still in closeout", p.Status, err)
	}

	// A new close closes it; X handled again after that shows the final
	// checklist, and does not say it closed the project.
	expect(t, cora, line, "P1 Office move is closed")
	again = h.againKeeps(cora, "replay:close-X", line, "the project closed")
	if !strings.Contains(again, "its checklist is final") || strings.Contains(again, "Office move is closed") {
		t.Errorf("X handled again after the project closed answered:\n%s", again)
	}
}
