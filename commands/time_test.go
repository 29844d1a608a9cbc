package commands_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// newClockHarness is newHarness with a fake clock and MSPBOT_TZ.
func newClockHarness(t *testing.T, now time.Time, loc *time.Location) (*harness, *bot.FakeClock) {
	t.Helper()
	s := storagetest.New(t)
	clock := bot.NewFakeClock(now)
	d := commands.Deps{Store: s, Clock: clock, Location: loc}
	return withClients(&harness{t: t, store: s, router: commands.NewRouter(d, nil)}), clock
}

func want(t *testing.T, out string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(out, s) {
			t.Errorf("reply lacks %q:\n%s", s, out)
		}
	}
}

func TestTimeEntryThroughConsole(t *testing.T) {
	t.Parallel()
	denver, _ := time.LoadLocation("America/Denver")
	// Tuesday 24 Nov 2026, 10:00 in Denver.
	h, clock := newClockHarness(t, time.Date(2026, 11, 24, 10, 0, 0, 0, denver), denver)
	tom := h.as("tom", bot.RoleTech, "")
	amy := h.as("amy", bot.RoleTech, "")
	dana := h.as("dana", bot.RoleManager, "")
	run(tom, "/request Replace the core switch in the server room") // #1001

	want(t, run(tom, "/time 45m #1001 replaced the core switch"), "Logged 45m on #1001", "45m total")
	want(t, run(tom, "/time 1h30 #1001"), "Logged 1h30 on #1001", "2h15 total")
	want(t, run(tom, "/time 1.5h --non-billable internal training"), "Logged 1h30 (non-billable)")
	want(t, run(tom, "/time 2h15m --date yesterday #1001 cabling"), "Logged 2h15 on #1001 for Mon 23 Nov")
	want(t, run(tom, "/time 30m --date 2026-11-10 old"), "locked", "7 days")
	want(t, run(tom, "/time 30m --date 2026-12-10"), "in the future")
	want(t, run(tom, "/time 45 #1001"), "needs a unit")
	want(t, run(tom, "/time 1h90"), "write 2h30")
	want(t, run(tom, "/time 30m #9999"), "no request #9999")
	want(t, run(tom, "/time 30m #P12"), "no project P12")

	out := run(tom, "/time today")
	want(t, out, "tom's time today, Tue 24 Nov", "replaced the core switch", "Total 3h45, billable 2h15")
	want(t, run(tom, "/time week"), "Mon 23 Nov", "Tue 24 Nov", "Total 6h,")

	ws := h.workspace()
	p, _ := h.store.FindPerson(context.Background(), ws, "tom")
	entries, err := h.store.TimeEntries(context.Background(), p.ID, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
	if err != nil || len(entries) != 4 || entries[0].Minutes != 135 || entries[0].Date.Format("2006-01-02") != "2026-11-23" {
		t.Fatalf("rows: %+v %v", entries, err)
	}
	first := entries[1].ID

	// Edit and delete: the author or a manager, within the lock.
	want(t, run(amy, "/time edit "+itoa(first)+" 30m"), "is someone else's; changing another person's time entry is for managers")
	want(t, run(amy, "/time delete "+itoa(first)), "is someone else's")
	want(t, run(amy, "/time week @tom"), "/time week for someone else is for coordinators and above")
	want(t, run(tom, "/time week @tom"), "tom") // naming oneself is acting for oneself
	want(t, run(tom, "/time edit "+itoa(first)+" 50m \"core switch and patching\""), "is now 50m (was 45m)")
	want(t, run(dana, "/time delete "+itoa(entries[3].ID)), "Deleted entry")
	want(t, run(dana, "/time week @tom"), "core switch and patching")
	clock.Advance(9 * 24 * time.Hour)
	want(t, run(dana, "/time delete "+itoa(first)), "locked")

	// Timer: start, long-running check answer, stop.
	want(t, run(tom, "/timer start #1001 firmware"), "Timer started on #1001")
	want(t, run(tom, "/timer start"), "already running")
	clock.Advance(95 * time.Minute)
	want(t, run(tom, "/timer"), "running for 1h35")
	want(t, run(tom, "/timer keep"), "keeps running")
	want(t, run(tom, "/timer stop \"firmware upgraded\""), "logged 1h35 on #1001")
	want(t, run(tom, "/timer stop"), "no timer is running")
}

func TestScheduleAndSLACommands(t *testing.T) {
	t.Parallel()
	london, _ := time.LoadLocation("Europe/London")
	h, clock := newClockHarness(t, time.Date(2026, 11, 24, 9, 0, 0, 0, london), london)
	tom := h.as("tom", bot.RoleTech, "")
	dana := h.as("dana", bot.RoleManager, "")
	h.as("cora", bot.RoleCoordinator, "")

	want(t, run(tom, "/hours"), "tom works 08:00-17:00 mon-fri Europe/London")
	want(t, run(tom, "/hours 08:00-16:30 mon-thu America/New_York"), "08:00-16:30 mon-thu America/New_York")
	want(t, run(tom, "/hours 17:00-08:00"), "ends before it starts")
	want(t, run(tom, "/hours @dana 09:00-17:00"), "/hours for someone else is for managers")
	want(t, run(tom, "/hours @tom"), "tom works 08:00-16:30 mon-thu America/New_York")
	want(t, run(dana, "/hours digest 07:30"), "digest comes at 07:30")
	want(t, run(tom, "/away until 2026-12-02"), "tom is away Tue 24 Nov to Wed 2 Dec 2026")
	want(t, run(tom, "/away until 2026-11-01"), "before")
	want(t, run(tom, "/hours"), "Away 24 Nov to 2 Dec 2026")
	want(t, run(tom, "/back"), "Welcome back")
	want(t, run(tom, "/snooze 30m"), "Snoozed until")
	want(t, run(tom, "/snooze 12h"), "at most 8h")
	want(t, run(tom, "/manager @tom @dana"), "for managers")
	want(t, run(dana, "/manager @tom @cora"), "not a manager")
	want(t, run(dana, "/manager @tom @dana"), "tom's manager: dana")
	want(t, run(tom, "/team"), "Allowed gap 1h30", "lock after 7 days")
	want(t, run(tom, "/team gap 1h"), "only managers")
	want(t, run(dana, "/team gap 1h"), "Allowed gap 1h;")
	want(t, run(dana, "/team gap 5m"), "out of range")

	// SLA: contract, priority, first response, pause.
	want(t, run(tom, "/client sla ACME P1 15m 4h"), "for coordinators")
	want(t, run(dana, "/client sla ACME P1 15m 4h"), "P1: respond within 15m, resolve within 4h", "08:00-18:00 mon-fri Europe/London")
	want(t, run(dana, "/client sla ACME P2 1h 2d"), "P2: respond within 1h, resolve within 48h")
	want(t, run(dana, "/client hours ACME 24x7"), "Clock runs 24x7")
	want(t, run(dana, "/client sla ACME P9 1h 2h"), "not a priority")
	want(t, run(dana, "/client hours ACME 08:00-18:00 mon-fri Mars/Base"), "not a timezone")
	run(dana, "/request --client ACME Server is down") // #1001
	h.backdate(1001, clock.Now())
	want(t, run(tom, "/request priority 1001 P1"), "#1001 is now P1 (was P3)")
	want(t, run(tom, "/request sla 1001"), "response: 0m of 15m (ok)", "24x7")
	clock.Advance(12 * time.Minute)
	want(t, run(tom, "/request sla 1001"), "response: 12m of 15m (at risk)")
	want(t, run(tom, "/request take 1001"), "#1001")
	clock.Advance(30 * time.Minute)
	want(t, run(tom, "/request wait 1001"), "waiting on the client")
	want(t, run(tom, "/request wait 1001"), "already waiting")
	clock.Advance(2 * time.Hour)
	want(t, run(tom, "/request sla 1001"), "response: 12m of 15m (met, stopped)", "resolution: 42m of 4h", "Paused")
	want(t, run(tom, "/request resume 1001"), "running again")
	want(t, run(tom, "/request resume 1001"), "not waiting")
	want(t, run(dana, "/client ACME"), "Breaches in the last 30 days: 0")
	want(t, run(tom, "/request sla 9999"), "no request #9999")

	want(t, run(dana, "/digest now"), "Daily digest for dana", "Requests since yesterday", "1 support (1 still open)", "ACME 1", "SLA", "Time logged")
	want(t, run(tom, "/digest now"), "for managers")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// backdate sets a request's opening time to the fake clock's (requests are
// stamped by the database's clock).
func (h *harness) backdate(number int64, at time.Time) {
	h.t.Helper()
	if _, err := h.store.DB().Exec(`UPDATE requests SET created_at = $2 WHERE number = $1`, number, at); err != nil {
		h.t.Fatal(err)
	}
}
