package timekeeping_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping"
)

// TestSLAWarningForUnassignedRequestsReachesSomeone: a request nobody has taken
// is warned about to the coordinator of the client's running project, else to
// the managers; before, such warnings reached nobody.
func TestSLAWarningForUnassignedRequestsReachesSomeone(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f := newFixture(t, start)
	tom := f.person("tom", bot.RoleTech, "")
	cora := f.person("cora", bot.RoleCoordinator, "")
	f.person("carl", bot.RoleCoordinator, "")
	f.person("dana", bot.RoleManager, "")
	open := func(code string) {
		c, err := f.store.EnsureClient(f.ctx, f.ws, code)
		f.must(err)
		f.must(f.store.SetSLATarget(f.ctx, c.ID, bot.SLATarget{Priority: "P1", ResponseMinutes: 60, ResolutionMinutes: 240}))
		f.must(f.store.SetSLACalendar(f.ctx, c.ID, bot.SLACalendarRow{DayStart: 0, DayEnd: 1440, Days: 127, Timezone: "UTC"}))
		req, _, err := f.store.CreateRequest(f.ctx, bot.Request{WorkspaceID: f.ws, Title: code + " VPN down", Body: "VPN down", Kind: "support",
			Type: "incident", Priority: "P1", ClientID: &c.ID, OpenedBy: tom.ID, SourcePlatform: bot.PlatformConsole})
		f.must(err)
		_, err = f.store.DB().Exec(`UPDATE requests SET created_at = $2 WHERE id = $1`, req.ID, start)
		f.must(err)
		if code == "ACME" {
			_, err = f.store.CreateProject(f.ctx, bot.Project{WorkspaceID: f.ws, ClientID: c.ID, Name: "Firewall", CoordinatorID: cora.ID,
				Start: start, End: start.AddDate(0, 1, 0), UpdateWeekday: time.Friday, UpdateMinute: 900}, cora.ID)
			f.must(err)
		}
	}
	open("ACME")
	open("GLOBEX")
	r, err := timekeeping.SweepSLA(f.ctx, f.deps, start.Add(46*time.Minute))
	f.must(err)
	if r.Warnings != 2 {
		t.Fatalf("sweep: %+v; want two warnings", r)
	}
	if w := f.rec.to("cora", "SLA warning"); len(w) != 1 || !strings.Contains(w[0].Text, "ACME VPN down") || !strings.Contains(w[0].Text, "Nobody has taken it") {
		t.Errorf("cora (ACME's coordinator) got %+v", w)
	}
	if w := f.rec.to("dana", "SLA warning"); len(w) != 1 || !strings.Contains(w[0].Text, "GLOBEX VPN down") {
		t.Errorf("dana (manager; GLOBEX has no coordinator) got %+v", w)
	}
	if w := f.rec.to("carl", "SLA warning"); len(w) != 0 {
		t.Errorf("carl coordinates nothing for these clients but got %+v", w)
	}
}

// TestDigestOwesNoHoursFromBeforeSomeoneJoined: a tech who joined at noon
// yesterday owes the afternoon, one who joined today owes nothing; before, the
// digest counted a full day against both.
func TestDigestOwesNoHoursFromBeforeSomeoneJoined(t *testing.T) {
	f, dana, now := digestFixture(t)
	noon := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for name, joined := range map[string]time.Time{"newbie": noon, "fresh": now.Add(-time.Hour)} {
		p := f.person(name, bot.RoleTech, "UTC")
		_, err := f.store.DB().Exec(`UPDATE people SET created_at = $2 WHERE id = $1`, p.ID, joined)
		f.must(err)
		f.must(f.store.SetManager(f.ctx, p.ID, &dana.ID))
	}
	m, err := timekeeping.BuildDigest(f.ctx, f.deps, timekeeping.DigestFor{ManagerID: dana.ID, Name: "dana", WorkspaceID: f.ws, Loc: time.UTC}, now)
	f.must(err)
	if !strings.Contains(m.Text, "newbie: 0m of 5h") {
		t.Errorf("newbie joined at noon and owes 12:00-17:00:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "fresh:") {
		t.Errorf("fresh joined today and owes nothing for yesterday:\n%s", m.Text)
	}
	s := timekeeping.DefaultSchedule(time.UTC)
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for since, want := range map[time.Time]int{monday.AddDate(0, 0, -1): 540, noon: 300, monday.Add(18 * time.Hour): 0, monday.Add(7 * time.Hour): 540} {
		if got := s.MinutesSince(monday, since); got != want {
			t.Errorf("MinutesSince(%s) = %d; want %d", since.Format("Mon 15:04"), got, want)
		}
	}
}
