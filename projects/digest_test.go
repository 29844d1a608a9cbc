package projects_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/timekeeping/digest"
)

// TestDigestSections seeds a late project, an over-budget one, an on-track one,
// a draft waiting for approval and lessons old and new, and reads the manager's
// digest as digest.Service.Build writes it.
func TestDigestSections(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 15, 14, 0, 0, 0, time.UTC) // Tuesday
	f := newFixture(t, now)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cora := f.person("cora", "Europe/London")
	dana := f.person("dana", "Europe/London")
	dana, err := f.store.SetRole(ctx, dana.ID, bot.RoleManager, "")
	must(err)
	open := func(client, name, start, end string, budgetHours int, percent int, loggedHours int) bot.Project {
		t.Helper()
		c, err := f.store.EnsureClient(ctx, f.ws, client)
		must(err)
		p, err := f.store.CreateProject(ctx, bot.Project{WorkspaceID: f.ws, ClientID: c.ID, Name: name, CoordinatorID: cora.ID,
			Start: day(start), End: day(end), BudgetMinutes: budgetHours * 60, Channel: "C-" + client,
			UpdateWeekday: time.Friday, UpdateMinute: 15 * 60}, cora.ID)
		must(err)
		_, err = f.store.AddMilestone(ctx, p.ID, "build", day(end))
		must(err)
		_, _, err = f.store.SetMilestoneProgress(ctx, p.ID, "build", percent, cora.ID, now.Add(-48*time.Hour))
		must(err)
		// A working day at most per date: the ledger holds no more than 24h a day.
		for left, back := loggedHours*60, 0; left > 0; left, back = left-480, back+1 {
			must(f.store.LogProjectTime(ctx, f.ws, cora.ID, p.ID, min(left, 480), day("2026-12-07").AddDate(0, 0, -back), "work"))
		}
		return p
	}
	late := open("ACME", "Office move", "2026-11-01", "2026-12-10", 100, 60, 40)
	over := open("GLOBEX", "Server replacement", "2026-12-01", "2027-02-26", 10, 30, 12)
	open("INITECH", "VPN migration", "2026-12-01", "2027-02-26", 100, 30, 10) // on time, on budget
	_, _, err = f.store.CreateWeeklyUpdate(ctx, bot.WeeklyUpdate{ProjectID: over.ID, ISOYear: 2026, ISOWeek: 50,
		Draft: "draft", DraftedAt: now.Add(-96 * time.Hour), Deadline: now.Add(-72 * time.Hour)})
	must(err)
	fresh, err := f.store.AddLesson(ctx, late.ID, cora.ID, "movers were on time", "Label every cable before the move, not during it")
	must(err)
	old, err := f.store.AddLesson(ctx, late.ID, cora.ID, "old news", "")
	must(err)
	_, err = f.db.Exec(`UPDATE lessons SET created_at = CASE id WHEN $1 THEN $3::timestamptz ELSE $4::timestamptz END WHERE id IN ($1, $2)`,
		fresh.ID, old.ID, now.Add(-2*time.Hour), now.Add(-72*time.Hour))
	must(err)

	d := &digest.Service{Store: f.store, Clock: f.clock, Location: time.UTC, Sections: projects.DigestSections(f.store, time.UTC)}
	m, err := d.Build(ctx, digest.For{ManagerID: dana.ID, Name: "dana", WorkspaceID: f.ws, Loc: time.UTC}, now)
	must(err)
	for _, w := range []string{
		"Projects off track (2 of 3):",
		"P1 Office move (ACME): late — target end Thu 10 Dec passed, 60% done → /project status P1",
		"P2 Server replacement (GLOBEX): over budget — 12 h of 10 h (120%) → /project status P2",
		"Weekly updates waiting for approval (1):",
		"P2 Server replacement (GLOBEX) 2026-W50, coordinator cora, overdue since Sat 12 Dec 14:00 GMT → /project update P2 approve 2026-W50",
		"Lessons captured since yesterday (1):",
		"P1 Office move (ACME), cora: do differently: “Label every cable before the move, not during it”",
		"→ /lessons search office move",
	} {
		if !strings.Contains(m.Text, w) {
			t.Errorf("digest lacks %q:\n%s", w, m.Text)
		}
	}
	for _, w := range []string{"VPN migration", "P3", "old news", "not connected"} {
		if strings.Contains(m.Text, w) {
			t.Errorf("digest must not say %q:\n%s", w, m.Text)
		}
	}
	// Late projects come before those only at risk.
	if i, j := strings.Index(m.Text, "P1 Office move"), strings.Index(m.Text, "P2 Server"); i < 0 || j < 0 || i > j {
		t.Errorf("order of off-track projects:\n%s", m.Text)
	}
}

// TestDigestSectionsAllWell: with every project on track and nothing waiting,
// the digest says so in one line and leaves the other sections out.
func TestDigestSectionsAllWell(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 15, 14, 0, 0, 0, time.UTC)
	f := newFixture(t, now)
	ctx := context.Background()
	cora := f.person("cora", "")
	p := f.project(cora, "ACME", "VPN migration", "C1")
	if _, err := f.store.AddMilestone(ctx, p.ID, "design", day("2026-12-31")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.SetMilestoneProgress(ctx, p.ID, "design", 40, cora.ID, now); err != nil {
		t.Fatal(err)
	}
	var text []string
	for _, src := range projects.DigestSections(f.store, time.UTC) {
		s, ok, err := src(ctx, f.ws, cora.ID, now.Add(-24*time.Hour), now)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			text = append(text, s.Title+": "+strings.Join(s.Lines, " / "))
		}
	}
	if got := strings.Join(text, "\n"); got != "Projects off track: All 1 running projects are on time and on budget." {
		t.Errorf("sections:\n%s", got)
	}
}
