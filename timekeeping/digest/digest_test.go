package digest_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/jobs/jobstest"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/timekeeping"
	"github.com/mspbot/mspbot/timekeeping/digest"
)

type fixture struct {
	*storagetest.Team
	deps *digest.Service
}

func newFixture(t *testing.T, now time.Time) *fixture {
	team := storagetest.NewTeam(t, now)
	return &fixture{Team: team,
		deps: &digest.Service{Store: team.Store, Senders: team.Senders(), Clock: team.Clock, Location: time.UTC}}
}

// digestFixture seeds a workspace a manager's digest can be checked against.
func digestFixture(t *testing.T) (*fixture, bot.Person, time.Time) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 24, 8, 0, 0, 0, ny) // Tuesday 08:00
	f := newFixture(t, now)
	dana := f.Person("dana", bot.RoleManager, "America/New_York")
	tom := f.Person("tom", bot.RoleTech, "America/New_York")
	amy := f.Person("amy", bot.RoleTech, "America/New_York")
	f.Person("zed", bot.RoleTech, "America/New_York") // another manager's report
	zed, _ := f.Store.FindPerson(f.Ctx, f.WS, "zed")
	boss := f.Person("boss", bot.RoleManager, "")
	f.Must(f.Store.SetManager(f.Ctx, tom.ID, &dana.ID))
	f.Must(f.Store.SetManager(f.Ctx, amy.ID, &dana.ID))
	f.Must(f.Store.SetManager(f.Ctx, zed.ID, &boss.ID))
	acme, _ := f.Store.EnsureClient(f.Ctx, f.WS, "ACME")
	globex, _ := f.Store.EnsureClient(f.Ctx, f.WS, "GLOBEX")
	open := func(kind string, client *int64, age time.Duration, closed bool) int64 {
		r, _, err := f.Store.CreateRequest(f.Ctx, bot.Request{WorkspaceID: f.WS, Title: kind, Body: kind, Kind: kind, Type: "incident",
			ClientID: client, OpenedBy: tom.ID, SourcePlatform: bot.PlatformConsole})
		f.Must(err)
		status := "open"
		if closed {
			status = "closed"
		}
		_, err = f.Store.DB().Exec(`UPDATE requests SET created_at = $2, status = $3 WHERE id = $1`, r.ID, now.Add(-age), status)
		f.Must(err)
		return r.ID
	}
	r1 := open("support", &acme.ID, 2*time.Hour, false)
	open("support", &acme.ID, 3*time.Hour, true)
	open("project", &globex.ID, 5*time.Hour, false)
	open("support", nil, 30*time.Hour, false) // older than a day: open, not new
	_, err := f.Store.RecordSLAEvent(f.Ctx, bot.SLAEvent{WorkspaceID: f.WS, RequestID: r1, ClientID: acme.ID, Clock: "response",
		Level: "breach", TargetMinutes: 15, ElapsedMinutes: 40, At: now.Add(-time.Hour)})
	f.Must(err)
	yesterday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	log := func(p bot.Person, minutes int) {
		_, err := f.Store.AddTimeEntry(f.Ctx, bot.TimeEntry{WorkspaceID: f.WS, PersonID: p.ID, Minutes: minutes, Billable: false,
			Date: yesterday, CreatedAt: now.Add(-20 * time.Hour)})
		f.Must(err)
	}
	log(tom, 120)
	log(amy, 480)
	for i, answered := range []bool{true, false, false} {
		_, _, err := f.Store.RecordNudge(f.Ctx, f.WS, tom.ID, "gap", now.Add(-time.Duration(24+i)*time.Hour), yesterday, now.Add(-time.Duration(23+i)*time.Hour))
		f.Must(err)
		if answered {
			_, err = f.Store.DB().Exec(`UPDATE nudges SET answered_at = sent_at, answer = 'logged' WHERE person_id = $1 AND answered_at IS NULL
				AND sent_at = (SELECT max(sent_at) FROM nudges WHERE person_id = $1)`, tom.ID)
			f.Must(err)
		}
	}
	return f, dana, now
}

func TestDigestContents(t *testing.T) {
	t.Parallel()
	f, dana, now := digestFixture(t)
	var charted []string
	f.deps.Chart = func(title, y string, x []string, s []bot.Series) ([]byte, error) {
		charted = x
		return []byte("PNG"), nil
	}
	f.deps.Sections = []digest.SectionSource{func(ctx context.Context, ws, mgr int64, since, now time.Time) (digest.Section, bool, error) {
		return digest.Section{Title: "Projects off track", Lines: []string{"#P3 Denver move: 120% of budget"}}, true, nil
	}}
	ny, _ := time.LoadLocation("America/New_York")
	m, err := f.deps.Build(f.Ctx, digest.For{ManagerID: dana.ID, Name: "dana", WorkspaceID: f.WS, Loc: ny}, now)
	f.Must(err)
	for _, w := range []string{
		"Daily digest for dana, Tue 24 Nov 2026",
		"New: 2 support (1 still open), 1 project (1 still open).",
		"By client: ACME 2, GLOBEX 1.",
		"Open now: 1 project (oldest 5h), 2 support (oldest 30h).",
		"Breached (1): #1001 ACME response 40m/15m",
		"At risk (0): none",
		"#P3 Denver move: 120% of budget",
		"Time logged Mon 23 Nov",
		"tom: 2h of 9h (answered 1 of 3 nudges)",
	} {
		if !strings.Contains(m.Text+m.Title, w) {
			t.Errorf("digest lacks %q:\n%s", w, m.Text)
		}
	}
	for _, r := range []string{"amy:", "zed"} {
		if strings.Contains(m.Text, r) {
			t.Errorf("digest must not list %q (amy logged her day; zed is boss's):\n%s", r, m.Text)
		}
	}
	if len(m.Attachments) != 1 || fmt.Sprint(charted) != "[amy tom]" {
		t.Errorf("chart: %d attachments, x=%v", len(m.Attachments), charted)
	}
}

// TestDigestExactlyOnce: eight goroutines sweep the same minute, then three
// River clients (Register's periodic sweep and unique digest jobs) run; each
// manager gets one digest for the day, and none before their local time.
func TestDigestExactlyOnce(t *testing.T) {
	t.Parallel()
	f, dana, now := digestFixture(t)
	boss, _ := f.Store.FindPerson(f.Ctx, f.WS, "boss")   // UTC: due at 08:00 UTC, i.e. 03:00 in New York
	f.Must(f.Store.SetDigestTime(f.Ctx, boss.ID, 14*60)) // 14:00 UTC: not yet due at 13:00 UTC
	f.Clock.Set(now.Add(time.Minute))

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.deps.Sweep(f.Ctx, f.Clock.Now(), nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := len(f.Rec.To("dana", "Daily digest")); got != 1 {
		t.Fatalf("dana got %d digests from concurrent sweeps; want 1", got)
	}
	if got := len(f.Rec.To("boss", "Daily digest")); got != 0 {
		t.Fatalf("boss got a digest before 14:00 UTC")
	}

	// Restart as three instances on River; boss's time comes.
	f.Clock.Set(time.Date(2026, 11, 24, 14, 0, 30, 0, time.UTC))
	db := f.Store.DB()
	var clients []jobstest.Stopper
	for i := 0; i < 3; i++ {
		workers := river.NewWorkers()
		periodic := jobs.RegisterDigest(workers, f.deps)
		c, err := jobs.New(db, workers, slog.New(slog.DiscardHandler), jobs.Options{PollInterval: 50 * time.Millisecond,
			PeriodicJobs: periodic, ID: fmt.Sprintf("instance-%d", i)})
		f.Must(err)
		f.Must(c.Start(f.Ctx))
		defer c.Stop(context.Background())
		clients = append(clients, c)
		// Every instance also enqueues the same digest job directly: unique by args.
		_, err = c.Insert(f.Ctx, jobs.DigestArgs{ManagerID: boss.ID, LocalDate: "2026-11-24"}, nil)
		f.Must(err)
	}
	// Wait until the digest jobs are done, stop the instances, then count.
	jobstest.Drain(t, db, 20*time.Second, 1, clients, "timekeeping_digest")
	if got := len(f.Rec.To("boss", "Daily digest")); got != 1 {
		t.Fatalf("boss got %d digests from three instances; want 1", got)
	}
	if got := len(f.Rec.To("dana", "Daily digest")); got != 1 {
		t.Fatalf("dana got %d digests after the restart; want still 1", got)
	}
	if n := f.Count(`SELECT count(*) FROM digests WHERE sent_at IS NOT NULL`); n != 2 {
		t.Fatalf("%d digests rows sent; want 2", n)
	}
	if n := f.Count(`SELECT count(*) FROM river_job WHERE kind = 'timekeeping_digest' AND args->>'manager_id' = $1`, fmt.Sprint(boss.ID)); n != 1 {
		t.Fatalf("%d digest jobs for boss; want 1", n)
	}
	_ = dana
}

// TestDigestOwesNoHoursFromBeforeSomeoneJoined: a tech who joined at noon
// yesterday owes the afternoon, one who joined today owes nothing; before, the
// digest counted a full day against both.
func TestDigestOwesNoHoursFromBeforeSomeoneJoined(t *testing.T) {
	t.Parallel()
	f, dana, now := digestFixture(t)
	noon := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for name, joined := range map[string]time.Time{"newbie": noon, "fresh": now.Add(-time.Hour)} {
		p := f.Person(name, bot.RoleTech, "UTC")
		_, err := f.Store.DB().Exec(`UPDATE people SET created_at = $2 WHERE id = $1`, p.ID, joined)
		f.Must(err)
		f.Must(f.Store.SetManager(f.Ctx, p.ID, &dana.ID))
	}
	m, err := f.deps.Build(f.Ctx, digest.For{ManagerID: dana.ID, Name: "dana", WorkspaceID: f.WS, Loc: time.UTC}, now)
	f.Must(err)
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
