package projects_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/chart"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// recorder is a bot.Sender that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []sent
}

type sent struct {
	To  bot.Destination
	Msg bot.Message
}

func (r *recorder) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.sent = append(r.sent, sent{to, m})
	}
	return fmt.Sprintf("m%d", len(r.sent)), nil
}

// dms lists private messages to a user; posts lists messages to a channel.
func (r *recorder) dms(user string) []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []bot.Message
	for _, s := range r.sent {
		if s.To.Channel == "" && s.To.UserID == user {
			out = append(out, s.Msg)
		}
	}
	return out
}

func (r *recorder) posts(channel string) []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []bot.Message
	for _, s := range r.sent {
		if s.To.Channel == channel {
			out = append(out, s.Msg)
		}
	}
	return out
}

type fixture struct {
	t     *testing.T
	store *storage.Store
	db    *sql.DB
	ws    int64
	clock *bot.FakeClock
	rec   *recorder
}

func newFixture(t *testing.T, now time.Time) *fixture {
	t.Helper()
	s := storagetest.New(t)
	if err := jobs.Migrate(context.Background(), s.DB()); err != nil {
		t.Fatal(err)
	}
	ws, err := s.EnsureWorkspace(context.Background(), bot.PlatformConsole, "console", "console")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, store: s, db: s.DB(), ws: ws, clock: bot.NewFakeClock(now), rec: &recorder{}}
}

func (f *fixture) service() *projects.Service {
	return &projects.Service{Store: f.store, Senders: bot.Senders{bot.PlatformConsole: f.rec}, Clock: f.clock,
		Location: time.UTC, Log: slog.New(slog.DiscardHandler), Chart: chart.Lines}
}

// person makes a coordinator with a timezone.
func (f *fixture) person(name, tz string) bot.Person {
	f.t.Helper()
	p, _, _, err := f.store.EnsurePerson(context.Background(), bot.NewPerson{WorkspaceID: f.ws, ExternalID: name, Name: name, Timezone: tz}, false)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) project(coord bot.Person, client, name, channel string) bot.Project {
	f.t.Helper()
	ctx := context.Background()
	c, err := f.store.EnsureClient(ctx, f.ws, client)
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := f.store.CreateProject(ctx, bot.Project{WorkspaceID: f.ws, ClientID: c.ID, Name: name, CoordinatorID: coord.ID,
		Start: day("2026-11-30"), End: day("2027-01-29"), BudgetMinutes: 120 * 60, Channel: channel,
		UpdateWeekday: time.Friday, UpdateMinute: 15 * 60}, coord.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// client starts a River client working this feature's jobs, as one bot instance would.
func (f *fixture) client(id string, svc *projects.Service) *jobs.Client {
	f.t.Helper()
	workers := river.NewWorkers()
	jobs.RegisterProjects(workers, svc)
	c, err := jobs.New(f.db, workers, slog.New(slog.DiscardHandler), jobs.Options{PollInterval: 50 * time.Millisecond, ID: id})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { c.Stop(context.Background()) })
	return c
}

// drain waits until no draft job is waiting or running.
func (f *fixture) drain() {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := f.db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'project_weekly_draft'
			AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&n); err != nil {
			f.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			var errs string
			f.db.QueryRow(`SELECT coalesce(string_agg(errors::text, ' | '), '') FROM river_job WHERE kind = 'project_weekly_draft'`).Scan(&errs)
			f.t.Fatalf("%d draft jobs still pending after 30s: %s", n, errs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func denver(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDraftsOnScheduleOnlyApprovedPosted(t *testing.T) {
	t.Parallel()
	den := denver(t)
	// Friday 4 Dec 2026, 15:00 UTC: 08:00 in Denver, so not yet due there.
	f := newFixture(t, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC))
	ctx := context.Background()
	cora := f.person("cora", "America/Denver")
	p := f.project(cora, "ACME", "Firewall replacement", "C-ACME")
	if _, err := f.store.AddMilestone(ctx, p.ID, "Design", day("2026-12-04")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddMilestone(ctx, p.ID, "Cut-over", day("2026-12-11")); err != nil {
		t.Fatal(err)
	}
	if err := f.store.LogProjectTime(ctx, f.ws, cora.ID, p.ID, 600, day("2026-12-02"), "design"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.SetMilestoneProgress(ctx, p.ID, "Design", 100, cora.ID, time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddDisruption(ctx, bot.Disruption{ProjectID: p.ID, Day: day("2026-12-05"), Starts: 18 * 60, Ends: 22 * 60,
		Impact: "email cut-over, no mail for 2 hours"}, cora.ID); err != nil {
		t.Fatal(err)
	}
	svc := f.service()
	q := jobs.ProjectQueue{Client: f.client("a", svc)}
	sweep := func(now time.Time) projects.SweepResult {
		t.Helper()
		f.clock.Set(now)
		res, err := svc.Sweep(ctx, now, q)
		if err != nil {
			t.Fatal(err)
		}
		f.drain()
		return res
	}

	if res := sweep(f.clock.Now()); res.Enqueued != 0 {
		t.Fatalf("drafted at 08:00 Denver: %+v", res)
	}
	if res := sweep(time.Date(2026, 12, 4, 14, 59, 0, 0, den)); res.Enqueued != 0 {
		t.Fatalf("drafted at 14:59 Denver: %+v", res)
	}
	if res := sweep(time.Date(2026, 12, 4, 15, 0, 0, 0, den)); res.Enqueued != 1 {
		t.Fatalf("not drafted at 15:00 Denver: %+v", res)
	}
	dms := f.rec.dms("cora")
	if len(dms) != 1 {
		t.Fatalf("%d private drafts to cora; want 1", len(dms))
	}
	d := dms[0]
	for _, want := range []string{"2026-W49", "Schedule: ", "Budget: on budget — 10 h of 120 h used", "Design: finished",
		"Cut-over (due Fri 11 Dec", "Sat 5 Dec 18:00-22:00: email cut-over", "Nothing reaches ACME until you approve"} {
		if !strings.Contains(d.Title+d.Text, want) {
			t.Errorf("draft lacks %q:\n%s\n%s", want, d.Title, d.Text)
		}
	}
	if len(d.Actions) != 3 || d.Actions[0].Command != "/project update P1 approve 2026-W49" || d.Actions[2].Label != "Skip" {
		t.Fatalf("buttons: %+v", d.Actions)
	}
	if len(d.Attachments) != 1 || !bytes.HasPrefix(d.Attachments[0].Data, []byte("\x89PNG")) {
		t.Fatalf("draft has no PNG chart: %+v", d.Attachments)
	}
	t.Logf("draft for P1 2026-W49 (chart %d bytes):\n%s", len(d.Attachments[0].Data), d.Text)
	if res := sweep(time.Date(2026, 12, 4, 18, 0, 0, 0, den)); res.Enqueued != 0 || len(f.rec.dms("cora")) != 1 {
		t.Fatalf("second sweep the same week: %+v, %d DMs", res, len(f.rec.dms("cora")))
	}
	if n := len(f.rec.posts("C-ACME")); n != 0 {
		t.Fatalf("%d posts to the client before approval", n)
	}

	// Approval posts it, once.
	u, err := f.store.WeeklyUpdateFor(ctx, p.ID, 2026, 49)
	if err != nil {
		t.Fatal(err)
	}
	u, posted, err := svc.Approve(ctx, p, u.ID, cora.ID)
	if err != nil || !posted || u.Status != bot.UpdatePosted || u.ApprovedBy != "cora" {
		t.Fatalf("approve: %+v %v %v", u, posted, err)
	}
	if _, _, err := svc.Approve(ctx, p, u.ID, cora.ID); bot.ErrorCode(err) != bot.EConflict {
		t.Fatalf("second approval: %v", err)
	}
	if n := len(f.rec.posts("C-ACME")); n != 1 {
		t.Fatalf("%d client posts after approval; want 1", n)
	}

	// Week 50: drafted, never approved. Monday 12:00 reminds once; nothing is posted.
	sweep(time.Date(2026, 12, 11, 15, 1, 0, 0, den))
	if n := len(f.rec.dms("cora")); n != 2 {
		t.Fatalf("%d DMs after week 50's draft; want 2", n)
	}
	if res := sweep(time.Date(2026, 12, 14, 11, 59, 0, 0, den)); res.Reminded != 0 {
		t.Fatalf("reminded before the deadline: %+v", res)
	}
	if res := sweep(time.Date(2026, 12, 14, 12, 0, 0, 0, den)); res.Reminded != 1 {
		t.Fatalf("no reminder at the deadline: %+v", res)
	}
	if res := sweep(time.Date(2026, 12, 15, 12, 0, 0, 0, den)); res.Reminded != 0 {
		t.Fatalf("reminded twice: %+v", res)
	}
	last := f.rec.dms("cora")
	if !strings.Contains(last[len(last)-1].Text, "never posted without your approval") {
		t.Fatalf("reminder text:\n%s", last[len(last)-1].Text)
	}
	// Weeks 51 and 52 drafted on schedule; none approved.
	sweep(time.Date(2026, 12, 18, 15, 0, 0, 0, den))
	sweep(time.Date(2026, 12, 25, 16, 0, 0, 0, den))
	counts, err := f.store.CountWeeklyUpdates(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if counts[bot.UpdatePosted] != 1 || counts[bot.UpdateDrafted] != 3 {
		t.Fatalf("updates by status: %v; want 1 posted, 3 drafted", counts)
	}
	if n := len(f.rec.posts("C-ACME")); n != 1 {
		t.Fatalf("%d client posts; only the approved one may be posted", n)
	}
}

func TestExactlyOncePerProjectWeekAcrossSchedulersAndRestart(t *testing.T) {
	t.Parallel()
	den := denver(t)
	start := time.Date(2026, 12, 4, 16, 0, 0, 0, den) // a Friday, after 15:00 in Denver
	f := newFixture(t, start)
	ctx := context.Background()
	coords := []bot.Person{f.person("cora", "America/Denver"), f.person("kai", "Asia/Tokyo"), f.person("lee", "")}
	var list []bot.Project
	for i, c := range coords {
		list = append(list, f.project(c, fmt.Sprintf("C%d", i), fmt.Sprintf("Project %d", i), fmt.Sprintf("chan-%d", i)))
	}

	// Three bot instances, each with its own service and River client.
	instances := func(tag string) []jobs.ProjectQueue {
		var qs []jobs.ProjectQueue
		for i := range 3 {
			qs = append(qs, jobs.ProjectQueue{Client: f.client(fmt.Sprintf("%s%d", tag, i), f.service())})
		}
		return qs
	}
	qs := instances("first-")
	const weeks = 4
	for w := range weeks {
		now := start.AddDate(0, 0, 7*w)
		f.clock.Set(now)
		if w == 2 {
			// Restart: every instance stops, River's job rows are pruned (so only
			// the weekly_updates key guards), and three new instances start.
			for _, q := range qs {
				if err := q.Client.Stop(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.db.Exec(`DELETE FROM river_job`); err != nil {
				t.Fatal(err)
			}
			qs = instances("second-")
			// The new instances sweep the previous week again, late: nothing new.
			f.clock.Set(start.AddDate(0, 0, 7*(w-1)).Add(time.Hour))
			for _, q := range qs {
				if _, err := f.service().Sweep(ctx, f.clock.Now(), q); err != nil {
					t.Fatal(err)
				}
			}
			f.drain()
			f.clock.Set(now)
		}
		var wg sync.WaitGroup
		for i, q := range qs {
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := f.service().Sweep(ctx, now, q); err != nil {
						t.Errorf("instance %d sweep: %v", i, err)
					}
				}()
			}
			// A job worked outside River's uniqueness at the same moment: only
			// the weekly_updates key stands in its way.
			for _, p := range list {
				wg.Add(1)
				go func() {
					defer wg.Done()
					y, wk, due := projects.DueWeek(p, now, time.UTC)
					if !due {
						return
					}
					if err := f.service().DraftAndSend(ctx, p.ID, y, wk); err != nil {
						t.Errorf("direct draft: %v", err)
					}
				}()
			}
		}
		wg.Wait()
		f.drain()
	}

	total := 0
	for i, p := range list {
		var perWeek []int
		rows, err := f.db.Query(`SELECT count(*) FROM weekly_updates WHERE project_id = $1 GROUP BY iso_year, iso_week ORDER BY 1`, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n int
			rows.Scan(&n)
			perWeek = append(perWeek, n)
		}
		rows.Close()
		if len(perWeek) != weeks || perWeek[len(perWeek)-1] != 1 {
			t.Errorf("project %d: updates per week %v; want %d weeks of exactly 1", i, perWeek, weeks)
		}
		// Each week's draft is sent once, and once its Monday deadline passes
		// unapproved, reminded about once.
		drafts, reminders := map[string]int{}, map[string]int{}
		for _, m := range f.rec.dms(coords[i].ExternalID) {
			if strings.HasPrefix(m.Text, "Reminder:") {
				reminders[m.Title]++
			} else {
				drafts[m.Title]++
			}
		}
		for title, n := range drafts {
			if n != 1 {
				t.Errorf("%q sent %d times", title, n)
			}
		}
		for title, n := range reminders {
			if n != 1 {
				t.Errorf("reminder for %q sent %d times", title, n)
			}
		}
		if len(drafts) != weeks || len(reminders) != weeks-1 {
			t.Errorf("project %d: %d drafts and %d reminders sent to %s; want %d and %d", i, len(drafts), len(reminders),
				coords[i].Name, weeks, weeks-1)
		}
		total += len(drafts)
	}
	var jobRows int
	f.db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'project_weekly_draft'`).Scan(&jobRows)
	t.Logf("3 projects × %d weeks, 3+3 instances × 4 concurrent sweeps + direct drafts: %d drafts sent, %d draft job rows after the prune",
		weeks, total, jobRows)
}

func TestScheduledAtKeepsLocalTimeAcrossDST(t *testing.T) {
	t.Parallel()
	den := denver(t)
	p := bot.Project{UpdateWeekday: time.Friday, UpdateMinute: 15 * 60, Status: bot.ProjectActive, Start: day("2027-01-01")}
	// Week of 8 Mar 2027 is MST (UTC-7); the week after DST starts is MDT (UTC-6).
	if got := projects.ScheduledAt(p, time.Date(2027, 3, 10, 9, 0, 0, 0, den), den).UTC(); got != time.Date(2027, 3, 12, 22, 0, 0, 0, time.UTC) {
		t.Fatalf("MST week: %v", got)
	}
	if got := projects.ScheduledAt(p, time.Date(2027, 3, 15, 9, 0, 0, 0, den), den).UTC(); got != time.Date(2027, 3, 19, 21, 0, 0, 0, time.UTC) {
		t.Fatalf("MDT week: %v", got)
	}
	// Sunday belongs to the ISO week that started the Monday before.
	p.UpdateWeekday = time.Sunday
	if got := projects.ScheduledAt(p, time.Date(2027, 3, 15, 9, 0, 0, 0, den), den); got.Day() != 21 {
		t.Fatalf("Sunday update: %v", got)
	}
	// Before the project starts, nothing is due.
	if _, _, due := projects.DueWeek(p, time.Date(2026, 12, 27, 23, 0, 0, 0, den), den); due {
		t.Fatal("due before the start date")
	}
	// The ISO year turns with the ISO week, not the calendar: Fri 1 Jan 2027 is 2026-W53.
	p.UpdateWeekday, p.Start = time.Friday, day("2026-12-01")
	if y, w, due := projects.DueWeek(p, time.Date(2027, 1, 1, 15, 0, 0, 0, den), den); y != 2026 || w != 53 || !due {
		t.Fatalf("1 Jan 2027: %d-W%d due=%v", y, w, due)
	}
}

func TestAssessThresholds(t *testing.T) {
	t.Parallel()
	p := bot.Project{Start: day("2026-12-01"), End: day("2026-12-30"), BudgetMinutes: 100 * 60}
	ms := func(pcts ...int) []bot.Milestone {
		var out []bot.Milestone
		for i, pc := range pcts {
			out = append(out, bot.Milestone{Name: fmt.Sprint(i), Percent: pc, Due: day("2026-12-30")})
		}
		return out
	}
	cases := []struct {
		today    string
		pcts     []int
		minutes  int
		schedule string
		budget   string
	}{
		{"2026-12-15", []int{0, 0}, 0, projects.AtRisk, projects.OnBudget}, // half the time, nothing done
		{"2026-12-15", []int{50, 50}, 50 * 60, projects.OnTime, projects.OnBudget},
		{"2026-12-15", []int{40, 40}, 50 * 60, projects.OnTime, projects.OnBudget},
		{"2026-12-15", []int{20, 20}, 50 * 60, projects.AtRisk, projects.AtRisk},
		{"2026-12-15", []int{50, 50}, 101 * 60, projects.OnTime, projects.OverBudget},
		{"2027-01-05", []int{90, 100}, 90 * 60, projects.Late, projects.OnBudget},
		{"2027-01-05", []int{100, 100}, 90 * 60, projects.OnTime, projects.OnBudget},
	}
	for i, c := range cases {
		h := projects.Assess(p, day(c.today), ms(c.pcts...), c.minutes)
		if h.Schedule != c.schedule || h.Budget != c.budget {
			t.Errorf("case %d: %s/%s; want %s/%s (%+v)", i, h.Schedule, h.Budget, c.schedule, c.budget, h)
		}
	}
	if h := projects.Assess(bot.Project{Start: day("2026-12-01"), End: day("2026-12-30")}, day("2026-12-02"), nil, 60); h.Budget != projects.NoBudget {
		t.Errorf("no budget: %s", h.Budget)
	}
	// An overdue milestone puts the schedule at risk even when the average is fine.
	late := []bot.Milestone{{Name: "a", Percent: 100, Due: day("2026-12-05")}, {Name: "b", Percent: 60, Due: day("2026-12-10")}}
	if h := projects.Assess(p, day("2026-12-11"), late, 0); h.Schedule != projects.AtRisk || len(h.Overdue) != 1 {
		t.Errorf("overdue milestone: %+v", h)
	}
}

// A project with no milestones must not tell the client it is "wrapping up"
// in its first week: the draft asks the coordinator to fill the line in.
func TestDraftWithoutMilestonesAsksForThem(t *testing.T) {
	t.Parallel()
	f := newFixture(t, day("2026-12-04").Add(16*time.Hour))
	p := f.project(f.person("cora", "UTC"), "ACME", "Firewall replacement", "C-ACME")
	r, err := f.service().Gather(context.Background(), p, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	text := r.Text()
	if strings.Contains(text, "wrapping up") || !strings.Contains(text, "no milestones planned yet") {
		t.Fatalf("first-week draft without milestones:\n%s", text)
	}
}
