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
