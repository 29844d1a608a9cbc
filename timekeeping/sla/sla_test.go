package sla_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/timekeeping"
	"github.com/mspbot/mspbot/timekeeping/sla"
)

type fixture struct {
	*storagetest.Team
	deps *sla.Service
}

func newFixture(t *testing.T, now time.Time) *fixture {
	team := storagetest.NewTeam(t, now)
	return &fixture{Team: team,
		deps: &sla.Service{Store: team.Store, Senders: team.Senders(), Clock: team.Clock, Location: time.UTC}}
}

// TestSLASweepWarnsAndBreachesOnce: business-hours clock over a weekend, a
// warning to the assignee at 75 %, a pause while waiting on the client, a breach
// to the coordinator, each once however often the sweep runs.
func TestSLASweepWarnsAndBreachesOnce(t *testing.T) {
	t.Parallel()
	london, _ := time.LoadLocation("Europe/London")
	at := func(s string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", s, london)
		return t
	}
	f := newFixture(t, at("2026-11-20 17:30"))
	tom := f.Person("tom", bot.RoleTech, "")
	f.Person("cora", bot.RoleCoordinator, "")
	acme, err := f.Store.EnsureClient(f.Ctx, f.WS, "ACME")
	f.Must(err)
	f.Must(f.Store.SetSLATarget(f.Ctx, acme.ID, bot.SLATarget{Priority: "P1", ResponseMinutes: 60, ResolutionMinutes: 240}))
	f.Must(f.Store.SetSLACalendar(f.Ctx, acme.ID, bot.SLACalendarRow{DayStart: 480, DayEnd: 1080, Days: 62, Timezone: "Europe/London"}))
	req, _, err := f.Store.CreateRequest(f.Ctx, bot.Request{WorkspaceID: f.WS, Title: "VPN down", Body: "VPN down", Kind: "support",
		Type: "incident", Priority: "P1", ClientID: &acme.ID, OpenedBy: tom.ID, SourcePlatform: bot.PlatformConsole})
	f.Must(err)
	_, err = f.Store.DB().Exec(`UPDATE requests SET created_at = $2, assignee_id = $3 WHERE id = $1`, req.ID, at("2026-11-20 17:30"), tom.ID)
	f.Must(err)
	sweep := func(s string) sla.Report {
		t.Helper()
		var rep sla.Report
		for i := 0; i < 2; i++ { // a second sweep at the same moment changes nothing
			r, err := f.deps.Sweep(f.Ctx, at(s))
			f.Must(err)
			rep.Warnings += r.Warnings
			rep.Breaches += r.Breaches
		}
		return rep
	}
	// Friday 17:30-18:00 = 30 min; Monday from 08:00.
	if r := sweep("2026-11-23 08:14"); r.Warnings != 0 {
		t.Fatalf("warned at 44 of 60 minutes: %+v", r)
	}
	if r := sweep("2026-11-23 08:15"); r.Warnings != 1 || r.Breaches != 0 {
		t.Fatalf("at 45 of 60 minutes: %+v; want one warning", r)
	}
	if w := f.Rec.To("tom", "SLA warning"); len(w) != 1 || !strings.Contains(w[0].Text, "response clock at 45m of 1h") {
		t.Fatalf("tom's warnings: %+v", w)
	}
	f.Must(f.Store.WaitOnClient(f.Ctx, req.ID, tom.ID, at("2026-11-23 08:20"), ""))
	if r := sweep("2026-11-23 09:00"); r.Breaches != 0 {
		t.Fatalf("breached while paused: %+v", r)
	}
	f.Must(f.Store.ResumeFromClient(f.Ctx, req.ID, at("2026-11-23 09:00"), ""))
	if r := sweep("2026-11-23 09:09"); r.Breaches != 0 {
		t.Fatalf("breached at 59 minutes: %+v", r)
	}
	if r := sweep("2026-11-23 09:10"); r.Breaches != 1 {
		t.Fatalf("no breach at 60 minutes: %+v", r)
	}
	if b := f.Rec.To("cora", "SLA breached"); len(b) != 1 {
		t.Fatalf("coordinator told %d times", len(b))
	}
	f.Must(f.Store.RecordStaffReply(f.Ctx, req.ID, at("2026-11-23 09:30")))
	f.Must(f.Store.RecordStaffReply(f.Ctx, req.ID, at("2026-11-23 10:30"))) // later replies change nothing
	c, err := f.Store.RequestSLAClock(f.Ctx, req.ID)
	f.Must(err)
	if !c.FirstResponseAt.Equal(at("2026-11-23 09:30")) {
		t.Errorf("first response %v", c.FirstResponseAt)
	}
	st := timekeeping.ClockStates(c, time.UTC, at("2026-11-23 12:00"))
	// Resolution: 30 + (08:00-08:20) + (09:00-12:00) = 230 minutes: at risk, not breached.
	if st[1].Elapsed != 230*time.Minute || st[1].Level != timekeeping.SLAWarning || !st[0].Stopped {
		t.Errorf("clocks at noon: %+v", st)
	}
	if r := sweep("2026-11-23 12:00"); r.Warnings != 1 || r.Breaches != 0 {
		t.Errorf("resolution warning: %+v", r)
	}
	n, err := f.Store.BreachCount(f.Ctx, acme.ID, at("2026-11-01 00:00"))
	f.Must(err)
	if n != 1 {
		t.Errorf("ACME breaches %d; want 1", n)
	}
}

// TestSLASweepReadsOnlyDueClocks: after a look, a request is read again only
// when its next level can be due; breached or stopped clocks are never read
// again; a priority change or new targets make it due at once.
func TestSLASweepReadsOnlyDueClocks(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) // Monday
	f := newFixture(t, t0)
	tom := f.Person("tom", bot.RoleTech, "")
	f.Person("cora", bot.RoleCoordinator, "")
	acme, err := f.Store.EnsureClient(f.Ctx, f.WS, "ACME")
	f.Must(err)
	f.Must(f.Store.SetSLACalendar(f.Ctx, acme.ID, bot.SLACalendarRow{Always: true}))
	f.Must(f.Store.SetSLATarget(f.Ctx, acme.ID, bot.SLATarget{Priority: "P1", ResponseMinutes: 60, ResolutionMinutes: 240}))
	f.Must(f.Store.SetSLATarget(f.Ctx, acme.ID, bot.SLATarget{Priority: "P2", ResponseMinutes: 240, ResolutionMinutes: 960}))
	open := func(title, prio string) int64 {
		r, _, err := f.Store.CreateRequest(f.Ctx, bot.Request{WorkspaceID: f.WS, Title: title, Body: title, Kind: "support",
			Type: "incident", Priority: prio, ClientID: &acme.ID, OpenedBy: tom.ID, SourcePlatform: bot.PlatformConsole})
		f.Must(err)
		_, err = f.Store.DB().Exec(`UPDATE requests SET created_at = $2, assignee_id = $3 WHERE id = $1`, r.ID, t0, tom.ID)
		f.Must(err)
		return r.ID
	}
	a := open("VPN down", "P1")
	b := open("printer", "P2")
	due := func(at time.Time) []int64 {
		t.Helper()
		cs, err := f.Store.OpenSLAClocks(f.Ctx, at)
		f.Must(err)
		var ids []int64
		for _, c := range cs {
			ids = append(ids, c.RequestID)
		}
		return ids
	}
	sweep := func(at time.Time) sla.Report {
		t.Helper()
		r, err := f.deps.Sweep(f.Ctx, at)
		f.Must(err)
		return r
	}
	if r := sweep(t0.Add(time.Minute)); r.Checked != 2 {
		t.Fatalf("first look: %+v; want both read", r)
	}
	// a: warning at 09:45; b: warning at 12:00.
	if ids := due(t0.Add(44 * time.Minute)); len(ids) != 0 {
		t.Fatalf("due at 09:44: %v; want none", ids)
	}
	if ids := due(t0.Add(45 * time.Minute)); fmt.Sprint(ids) != fmt.Sprint([]int64{a}) {
		t.Fatalf("due at 09:45: %v; want only a", ids)
	}
	if r := sweep(t0.Add(45 * time.Minute)); r.Checked != 1 || r.Warnings != 1 {
		t.Fatalf("09:45: %+v", r)
	}
	if r := sweep(t0.Add(45 * time.Minute)); r.Checked != 0 {
		t.Fatalf("a second sweep at the same moment read %d", r.Checked)
	}
	// a's response breaches at 10:00; the tech answers late, at 10:30.
	if r := sweep(t0.Add(2 * time.Hour)); r.Breaches != 1 || r.Checked != 1 {
		t.Fatalf("11:00: %+v; want a's response breach only", r)
	}
	f.Must(f.Store.RecordStaffReply(f.Ctx, a, t0.Add(90*time.Minute)))
	// Next: a's resolution warning and b's response warning, both at 12:00.
	if ids := due(t0.Add(3*time.Hour - time.Minute)); len(ids) != 0 {
		t.Fatalf("due at 11:59: %v", ids)
	}
	if r := sweep(t0.Add(3 * time.Hour)); r.Checked != 2 || r.Warnings != 2 {
		t.Fatalf("12:00: %+v; want two warnings", r)
	}
	if r := sweep(t0.Add(5 * time.Hour)); r.Checked != 2 || r.Breaches != 2 {
		t.Fatalf("14:00: %+v; want a's resolution and b's response breaches", r)
	}
	// a: both clocks done (response stopped, resolution breached): never read again.
	if ids := due(t0.Add(1000 * time.Hour)); fmt.Sprint(ids) != fmt.Sprint([]int64{b}) {
		t.Fatalf("due much later: %v; want only b (a is done)", ids)
	}
	// A priority change makes a due at once (P2's clocks differ).
	f.Must(f.Store.SetPriority(f.Ctx, f.WS, 1001, "P2"))
	if ids := due(t0.Add(5 * time.Hour)); fmt.Sprint(ids) != fmt.Sprint([]int64{a}) {
		t.Fatalf("after the priority change: %v; want a", ids)
	}
	sweep(t0.Add(5 * time.Hour))
	// New targets make the client's open requests due again.
	f.Must(f.Store.SetSLATarget(f.Ctx, acme.ID, bot.SLATarget{Priority: "P2", ResponseMinutes: 30, ResolutionMinutes: 60}))
	if ids := due(t0.Add(5 * time.Hour)); len(ids) != 2 {
		t.Fatalf("after new targets: %v; want both", ids)
	}
	// A verdict made on a row changed since it was read is not stored.
	cs, err := f.Store.OpenSLAClocks(f.Ctx, t0.Add(5*time.Hour))
	f.Must(err)
	f.Must(f.Store.SetPriority(f.Ctx, f.WS, 1002, "P1")) // b changes after the read
	var never []bot.SLANextCheck
	for _, c := range cs {
		never = append(never, bot.SLANextCheck{RequestID: c.RequestID, Version: c.Version})
	}
	f.Must(f.Store.SetSLANextChecks(f.Ctx, never))
	if ids := due(t0.Add(5 * time.Hour)); fmt.Sprint(ids) != fmt.Sprint([]int64{b}) {
		t.Fatalf("after a stale verdict: %v; want b still due", ids)
	}
	// Exactly once still holds: each level was told once.
	if n := f.Count(`SELECT count(*) FROM sla_events`); n != 6 {
		t.Errorf("%d SLA events; want 6 (a: response warning+breach, resolution warning+breach; b: response warning+breach)", n)
	}
	if w := f.Rec.To("tom", "SLA warning"); len(w) != 3 {
		t.Errorf("tom warned %d times; want 3", len(w))
	}
}

// TestSLAWarningForUnassignedRequestsReachesSomeone: a request nobody has taken
// is warned about to the coordinator of the client's running project, else to
// the managers; before, such warnings reached nobody.
func TestSLAWarningForUnassignedRequestsReachesSomeone(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f := newFixture(t, start)
	tom := f.Person("tom", bot.RoleTech, "")
	cora := f.Person("cora", bot.RoleCoordinator, "")
	f.Person("carl", bot.RoleCoordinator, "")
	f.Person("dana", bot.RoleManager, "")
	open := func(code string) {
		c, err := f.Store.EnsureClient(f.Ctx, f.WS, code)
		f.Must(err)
		f.Must(f.Store.SetSLATarget(f.Ctx, c.ID, bot.SLATarget{Priority: "P1", ResponseMinutes: 60, ResolutionMinutes: 240}))
		f.Must(f.Store.SetSLACalendar(f.Ctx, c.ID, bot.SLACalendarRow{DayStart: 0, DayEnd: 1440, Days: 127, Timezone: "UTC"}))
		req, _, err := f.Store.CreateRequest(f.Ctx, bot.Request{WorkspaceID: f.WS, Title: code + " VPN down", Body: "VPN down", Kind: "support",
			Type: "incident", Priority: "P1", ClientID: &c.ID, OpenedBy: tom.ID, SourcePlatform: bot.PlatformConsole})
		f.Must(err)
		_, err = f.Store.DB().Exec(`UPDATE requests SET created_at = $2 WHERE id = $1`, req.ID, start)
		f.Must(err)
		if code == "ACME" {
			_, err = f.Store.CreateProject(f.Ctx, bot.Project{WorkspaceID: f.WS, ClientID: c.ID, Name: "Firewall", CoordinatorID: cora.ID,
				Start: start, End: start.AddDate(0, 1, 0), UpdateWeekday: time.Friday, UpdateMinute: 900}, cora.ID)
			f.Must(err)
		}
	}
	open("ACME")
	open("GLOBEX")
	r, err := f.deps.Sweep(f.Ctx, start.Add(46*time.Minute))
	f.Must(err)
	if r.Warnings != 2 {
		t.Fatalf("sweep: %+v; want two warnings", r)
	}
	if w := f.Rec.To("cora", "SLA warning"); len(w) != 1 || !strings.Contains(w[0].Text, "ACME VPN down") || !strings.Contains(w[0].Text, "Nobody has taken it") {
		t.Errorf("cora (ACME's coordinator) got %+v", w)
	}
	if w := f.Rec.To("dana", "SLA warning"); len(w) != 1 || !strings.Contains(w[0].Text, "GLOBEX VPN down") {
		t.Errorf("dana (manager; GLOBEX has no coordinator) got %+v", w)
	}
	if w := f.Rec.To("carl", "SLA warning"); len(w) != 0 {
		t.Errorf("carl coordinates nothing for these clients but got %+v", w)
	}
}
