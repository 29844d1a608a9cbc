package nudge_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/timekeeping"
	"github.com/mspbot/mspbot/timekeeping/nudge"
)

type fixture struct {
	*storagetest.Team
	deps *nudge.Service
}

func newFixture(t *testing.T, now time.Time) *fixture {
	team := storagetest.NewTeam(t, now)
	return &fixture{Team: team,
		deps: &nudge.Service{Store: team.Store, Senders: team.Senders(), Clock: team.Clock, Location: time.UTC}}
}

// TestNudgeSweepSimulatedWeekend drives the sweep with a fake clock from
// Saturday to Monday evening across the US spring-forward change, with two
// instances sweeping every step. Tom (New York, no entries) is nudged each
// allowed gap from 09:30 EDT, never at the weekend or outside hours, once per
// gap; after three unanswered nudges his manager hears once. Amy (Kolkata) is
// away; Tim's long timer gets one "still running?" and no gap nudges.
func TestNudgeSweepSimulatedWeekend(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	f := newFixture(t, time.Date(2026, 3, 7, 0, 0, 0, 0, ny))
	dana := f.Person("dana", bot.RoleManager, "America/Chicago")
	tom := f.Person("tom", bot.RoleTech, "America/New_York")
	amy := f.Person("amy", bot.RoleTech, "Asia/Kolkata")
	tim := f.Person("tim", bot.RoleTech, "")
	f.Must(f.Store.SetManager(f.Ctx, tom.ID, &dana.ID))
	f.Must(f.Store.SetHours(f.Ctx, tim.ID, 480, 1020, 62, "America/New_York"))
	f.Must(f.Store.SetAway(f.Ctx, amy.ID, time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC)))
	f.Must(f.Store.StartTimer(f.Ctx, bot.Timer{PersonID: tim.ID, WorkspaceID: f.WS, Billable: false,
		StartedAt: time.Date(2026, 3, 9, 8, 0, 0, 0, ny)}))

	end := time.Date(2026, 3, 9, 20, 0, 0, 0, ny)
	for now := f.Clock.Now(); now.Before(end); now = now.Add(15 * time.Minute) {
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.deps.Sweep(f.Ctx, now); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	var times []string
	rows, err := f.Store.DB().Query(`SELECT sent_at FROM nudges WHERE person_id = $1 AND kind = 'gap' ORDER BY sent_at`, tom.ID)
	f.Must(err)
	for rows.Next() {
		var at time.Time
		f.Must(rows.Scan(&at))
		times = append(times, at.In(ny).Format("Mon 15:04 MST"))
	}
	rows.Close()
	wantTimes := []string{"Mon 09:30 EDT", "Mon 11:00 EDT", "Mon 12:30 EDT", "Mon 14:00 EDT", "Mon 15:30 EDT"}
	if fmt.Sprint(times) != fmt.Sprint(wantTimes) {
		t.Errorf("tom's nudges %v; want %v", times, wantTimes)
	}
	if got := len(f.Rec.To("tom", "Time check")); got != 5 {
		t.Errorf("tom got %d nudge DMs; want 5 (one per gap, although two instances swept)", got)
	}
	m := f.Rec.To("tom", "Time check")[0]
	if len(m.Actions) < 4 || m.Actions[len(m.Actions)-1].Command != "/away today" || m.Actions[len(m.Actions)-3].Command != "/snooze 30m" {
		t.Errorf("nudge buttons: %+v", m.Actions)
	}
	if esc := f.Rec.To("dana", "Time gap: tom"); len(esc) != 1 || !strings.Contains(esc[0].Text, "3 nudges") {
		t.Errorf("escalations to dana: %+v; want exactly one after 3 unanswered", esc)
	}
	if n := f.Count(`SELECT count(*) FROM nudge_escalations WHERE person_id = $1`, tom.ID); n != 1 {
		t.Errorf("%d escalation rows", n)
	}
	if got := f.Rec.To("amy", ""); len(got) != 0 {
		t.Errorf("amy is away but got %d messages", len(got))
	}
	if got := f.Rec.To("tim", "Time check"); len(got) != 0 {
		t.Errorf("tim has a timer running but got %d gap nudges", len(got))
	}
	if got := f.Rec.To("tim", "still running"); len(got) != 1 || !strings.Contains(got[0].Text, "4h") {
		t.Errorf("tim's timer checks: %+v; want one at 4h", got)
	}
}

// TestSnoozeAndAnswersRecorded: a snooze holds the next nudge until it ends,
// a time entry answers the open nudge, and the next gap counts from the entry.
func TestSnoozeAndAnswersRecorded(t *testing.T) {
	t.Parallel()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(hm string) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", "2026-11-23 "+hm, berlin)
		return t
	}
	f := newFixture(t, at("08:00"))
	tom := f.Person("tom", bot.RoleTech, "Europe/Berlin")
	sweep := func(hm string) nudge.Report {
		rep, err := f.deps.Sweep(f.Ctx, at(hm))
		f.Must(err)
		return rep
	}
	if r := sweep("09:29"); r.Nudged != 0 {
		t.Fatal("nudged inside the gap")
	}
	if r := sweep("09:30"); r.Nudged != 1 {
		t.Fatal("no nudge after the gap")
	}
	f.Must(f.Store.Snooze(f.Ctx, tom.ID, at("09:35"), at("10:05"), "snooze 30m", ""))
	if r := sweep("10:00"); r.Nudged != 0 {
		t.Fatal("nudged while snoozed")
	}
	if r := sweep("10:05"); r.Nudged != 1 {
		t.Fatal("no nudge when the snooze ended")
	}
	_, err := f.Store.AddTimeEntry(f.Ctx, bot.TimeEntry{WorkspaceID: f.WS, PersonID: tom.ID, Minutes: 30, Billable: false,
		Date: timekeeping.DateOf(at("10:10"), berlin), CreatedAt: at("10:10")})
	f.Must(err)
	if r := sweep("11:39"); r.Nudged != 0 {
		t.Fatal("nudged within the gap after an entry")
	}
	if r := sweep("11:40"); r.Nudged != 1 {
		t.Fatal("no nudge a gap after the entry")
	}
	var answers []string
	rows, err := f.Store.DB().Query(`SELECT answer FROM nudges WHERE person_id = $1 ORDER BY sent_at`, tom.ID)
	f.Must(err)
	for rows.Next() {
		var a string
		f.Must(rows.Scan(&a))
		answers = append(answers, a)
	}
	rows.Close()
	if fmt.Sprint(answers) != "[snooze 30m logged ]" {
		t.Errorf("answers %q; want snooze, logged, (open)", answers)
	}
	stats, err := f.Store.NudgeStatsBetween(f.Ctx, f.WS, timekeeping.DateOf(at("10:00"), berlin), timekeeping.DateOf(at("10:00"), berlin))
	f.Must(err)
	if s := stats[tom.ID]; s.Sent != 3 || s.Answered != 2 {
		t.Errorf("response stats %+v; want 2 of 3", s)
	}
}
