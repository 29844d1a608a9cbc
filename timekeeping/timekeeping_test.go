package timekeeping

import (
	"math/rand"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func at(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func date(s string) Date {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestWeekdays(t *testing.T) {
	cases := map[string]string{"mon-fri": "mon-fri", "Mon,Wed,Fri": "mon,wed,fri", "sat-sun": "sat,sun",
		"fri-mon": "mon,fri-sun", "daily": "every day", "tuesday-thursday": "tue-thu"}
	for in, want := range cases {
		w, err := ParseWeekdays(in)
		if err != nil || w.String() != want {
			t.Errorf("ParseWeekdays(%q) = %v (%s), %v; want %s", in, uint8(w), w, err, want)
		}
	}
	for _, bad := range []string{"", "mo", "mon-xyz", "funday"} {
		if _, err := ParseWeekdays(bad); err == nil {
			t.Errorf("ParseWeekdays(%q) accepted", bad)
		}
	}
	if _, _, err := ParseSpan("17:00-08:00"); err == nil {
		t.Error("backwards span accepted")
	}
	if s, e, err := ParseSpan("8-16:30"); err != nil || s != 480 || e != 990 {
		t.Errorf("ParseSpan: %v %v %v", s, e, err)
	}
}

// TestScheduleAcrossDST: working windows keep wall-clock times on DST days, so
// the spring-forward day in New York is still 08:00-17:00 local, 9 hours.
func TestScheduleAcrossDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	s := Schedule{Start: 8 * 60, End: 17 * 60, Days: AllWeek, Loc: ny}
	for _, d := range []string{"2026-03-08", "2026-11-01", "2026-06-01"} {
		start, end := s.Window(date(d))
		if start.In(ny).Hour() != 8 || end.In(ny).Hour() != 17 || s.WorkMinutes(date(d)) != 540 {
			t.Errorf("%s: window %v..%v, %d minutes", d, start, end, s.WorkMinutes(date(d)))
		}
	}
	// 07:30 local is outside hours whatever the UTC offset.
	if s.Working(at(ny, "2026-03-08 07:30")) || !s.Working(at(ny, "2026-03-08 08:00")) {
		t.Error("DST day boundaries wrong")
	}
}

func TestDecideNudge(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	sched := Schedule{Start: 8 * 60, End: 16*60 + 30, Days: MonFri, Loc: berlin}
	mon := func(hm string) time.Time { return at(berlin, "2026-11-23 "+hm) } // a Monday
	cases := []struct {
		name string
		st   NudgeState
		now  time.Time
		send bool
		why  string
		gap  time.Time
	}{
		{"before hours", NudgeState{Schedule: sched}, mon("07:59"), false, "outside hours", time.Time{}},
		{"after hours", NudgeState{Schedule: sched}, mon("16:30"), false, "outside hours", time.Time{}},
		{"within first gap", NudgeState{Schedule: sched}, mon("09:29"), false, "within the allowed gap", mon("08:00")},
		{"first gap over", NudgeState{Schedule: sched}, mon("09:30"), true, "", mon("08:00")},
		{"yesterday's entry does not count", NudgeState{Schedule: sched, LastEntry: mon("07:00").AddDate(0, 0, -3)}, mon("09:30"), true, "", mon("08:00")},
		{"recent entry", NudgeState{Schedule: sched, LastEntry: mon("10:00")}, mon("11:29"), false, "within", mon("10:00")},
		{"entry gap over", NudgeState{Schedule: sched, LastEntry: mon("10:00")}, mon("11:30"), true, "", mon("10:00")},
		{"timer running", NudgeState{Schedule: sched, TimerRunning: true}, mon("15:00"), false, "timer running", time.Time{}},
		{"saturday", NudgeState{Schedule: sched}, at(berlin, "2026-11-28 10:00"), false, "day off", time.Time{}},
		{"away", NudgeState{Schedule: func() Schedule {
			s := sched
			s.AwayFrom, s.AwayUntil = date("2026-11-20"), date("2026-12-02")
			return s
		}()}, mon("10:00"), false, "away", time.Time{}},
		{"back after away", NudgeState{Schedule: func() Schedule {
			s := sched
			s.AwayFrom, s.AwayUntil = date("2026-11-10"), date("2026-11-22")
			return s
		}()}, mon("10:00"), true, "", mon("08:00")},
		{"off today", NudgeState{Schedule: func() Schedule { s := sched; s.OffDate = date("2026-11-23"); return s }()}, mon("10:00"), false, "away", time.Time{}},
		{"already nudged this gap: next gap opens at the nudge", NudgeState{Schedule: sched, LastNudge: mon("09:30")}, mon("10:59"), false, "within", mon("09:30")},
		{"second nudge after a further gap", NudgeState{Schedule: sched, LastNudge: mon("09:30")}, mon("11:00"), true, "", mon("09:30")},
		{"snoozed", NudgeState{Schedule: sched, LastNudge: mon("09:30"), SnoozedAt: mon("09:31"), SnoozedUntil: mon("10:01")}, mon("10:00"), false, "snoozed", time.Time{}},
		{"snooze over: nudged at its end, not a full gap later", NudgeState{Schedule: sched, LastNudge: mon("09:30"), SnoozedAt: mon("09:31"), SnoozedUntil: mon("10:01")}, mon("10:01"), true, "", mon("09:31")},
		{"entry after snooze: still snoozed until its end", NudgeState{Schedule: sched, LastNudge: mon("09:30"), SnoozedAt: mon("09:31"), SnoozedUntil: mon("11:31"), LastEntry: mon("09:40")}, mon("11:20"), false, "snoozed", time.Time{}},
		{"entry after snooze: the gap counts from the entry", NudgeState{Schedule: sched, LastNudge: mon("09:30"), SnoozedAt: mon("09:31"), SnoozedUntil: mon("10:01"), LastEntry: mon("09:40")}, mon("11:10"), true, "", mon("09:40")},
	}
	for _, c := range cases {
		got := Decide(c.st, c.now)
		if got.Send != c.send || (c.why != "" && !contains(got.Why, c.why)) || (!c.gap.IsZero() && !got.GapStart.Equal(c.gap)) {
			t.Errorf("%s: got %+v; want send=%v why~%q gap=%v", c.name, got, c.send, c.why, c.gap)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// TestDecideSimulatedDay walks a simulated clock minute by minute through a
// week around the US spring-forward change, for techs in three timezones who
// never log time, and applies each nudge as the sweep would. It checks no nudge
// falls outside local hours or on a day off, never two for one gap, and the
// spacing is the allowed gap.
func TestDecideSimulatedDay(t *testing.T) {
	for _, tz := range []string{"America/New_York", "Europe/London", "Asia/Kolkata", "Australia/Sydney"} {
		loc := mustLoc(t, tz)
		sched := Schedule{Start: 8 * 60, End: 17 * 60, Days: MonFri, Loc: loc}
		st := NudgeState{Schedule: sched, Gap: 90 * time.Minute}
		seen := map[time.Time]bool{}
		perDay := map[string]int{}
		start := time.Date(2026, 3, 5, 0, 0, 0, 0, loc) // Thursday: Thu Fri Mon Tue Wed work
		for now := start; now.Before(start.AddDate(0, 0, 7)); now = now.Add(time.Minute) {
			n := Decide(st, now)
			if !n.Send {
				continue
			}
			local := now.In(loc)
			if !sched.Working(now) {
				t.Fatalf("%s: nudge at %v outside hours", tz, local)
			}
			if seen[n.GapStart] {
				t.Fatalf("%s: second nudge for gap %v", tz, n.GapStart)
			}
			seen[n.GapStart] = true
			if !st.LastNudge.IsZero() && DateOf(st.LastNudge, loc).Equal(DateOf(now, loc)) && now.Sub(st.LastNudge) != 90*time.Minute {
				t.Fatalf("%s: nudges %v then %v", tz, st.LastNudge.In(loc), local)
			}
			st.LastNudge = now
			perDay[local.Format("Mon 2006-01-02")]++
		}
		// 08:00-17:00 with a 90 min gap: 09:30 11:00 12:30 14:00 15:30 (17:00 is closed).
		if len(perDay) != 5 {
			t.Errorf("%s: nudged on %d days; want 5 working days: %v", tz, len(perDay), perDay)
		}
		for d, n := range perDay {
			if n != 5 {
				t.Errorf("%s %s: %d nudges; want 5", tz, d, n)
			}
		}
	}
}

func TestDigestDue(t *testing.T) {
	tokyo := mustLoc(t, "Asia/Tokyo")
	s := Schedule{Start: 9 * 60, End: 18 * 60, Days: MonFri, Loc: tokyo}
	// 07:59 Tokyo Monday is Sunday 22:59 UTC: not due; 08:00 is due, keyed by Tokyo's date.
	if _, due := DigestDue(s, 8*60, at(tokyo, "2026-11-23 07:59")); due {
		t.Error("due early")
	}
	d, due := DigestDue(s, 8*60, at(tokyo, "2026-11-23 08:00"))
	if !due || d.Format("2006-01-02") != "2026-11-23" {
		t.Errorf("DigestDue = %v %v", d, due)
	}
	if _, due := DigestDue(s, 8*60, at(tokyo, "2026-11-22 09:00")); due {
		t.Error("due on Sunday")
	}
}

func TestCalendarBetweenAndPauses(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	biz := Calendar{Start: 8 * 60, End: 18 * 60, Days: MonFri, Loc: ny}
	cases := []struct {
		name   string
		c      Calendar
		a, b   time.Time
		pauses []Interval
		want   time.Duration
	}{
		{"24x7 plain", AlwaysOn, at(ny, "2026-11-20 17:00"), at(ny, "2026-11-21 09:00"), nil, 16 * time.Hour},
		{"friday evening to monday morning", biz, at(ny, "2026-11-20 17:00"), at(ny, "2026-11-23 09:00"), nil, 2 * time.Hour},
		{"opened at night counts from 08:00", biz, at(ny, "2026-11-24 02:00"), at(ny, "2026-11-24 08:15"), nil, 15 * time.Minute},
		{"pause inside hours", biz, at(ny, "2026-11-24 08:00"), at(ny, "2026-11-24 12:00"),
			[]Interval{{at(ny, "2026-11-24 09:00"), at(ny, "2026-11-24 10:30")}}, 150 * time.Minute},
		{"pause over the night counts only its business part", biz, at(ny, "2026-11-24 16:00"), at(ny, "2026-11-25 10:00"),
			[]Interval{{at(ny, "2026-11-24 17:00"), at(ny, "2026-11-25 09:00")}}, 2 * time.Hour},
		{"overlapping pauses merged", biz, at(ny, "2026-11-24 08:00"), at(ny, "2026-11-24 12:00"),
			[]Interval{{at(ny, "2026-11-24 09:00"), at(ny, "2026-11-24 10:00")}, {at(ny, "2026-11-24 09:30"), at(ny, "2026-11-24 11:00")}}, 2 * time.Hour},
		{"open pause runs to now", biz, at(ny, "2026-11-26 08:00"), time.Time{},
			[]Interval{{Start: at(ny, "2026-11-26 10:00")}}, 2 * time.Hour},
		{"stop in the future is clipped to now", biz, at(ny, "2026-11-26 08:00"), at(ny, "2026-11-27 08:00"), nil, 4 * time.Hour},
		{"24x7 across spring forward is real elapsed time", AlwaysOn, at(ny, "2026-03-08 00:00"), at(ny, "2026-03-08 06:00"), nil, 5 * time.Hour},
		{"business day across fall back", Calendar{Start: 0, End: 24 * 60, Days: AllWeek, Loc: ny}, at(ny, "2026-11-01 00:00"), at(ny, "2026-11-02 00:00"), nil, 25 * time.Hour},
	}
	now := at(ny, "2026-11-26 12:00")
	for _, c := range cases {
		if got := Elapsed(c.c, c.a, c.b, c.pauses, now); got != c.want {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
	if Level(12*time.Minute, 15*time.Minute) != SLAWarning || Level(15*time.Minute, 15*time.Minute) != SLABreach || Level(5*time.Minute, 15*time.Minute) != SLAOK {
		t.Error("Level thresholds")
	}
}

// TestCalendarMatchesBruteForce checks the week-skipping sum against counting
// minute by minute over random spans of up to 60 days across DST changes.
func TestCalendarMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, tz := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe"} {
		loc := mustLoc(t, tz)
		c := Calendar{Start: 8*60 + 30, End: 18 * 60, Days: MonFri | 1<<time.Saturday, Loc: loc}
		base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 40; i++ {
			a := base.Add(time.Duration(rng.Intn(300*24*60)) * time.Minute)
			b := a.Add(time.Duration(rng.Intn(60*24*60)) * time.Minute)
			var want time.Duration
			for m := a; m.Before(b); m = m.Add(time.Minute) {
				l := m.In(loc)
				mins := ClockTime(l.Hour()*60 + l.Minute())
				if c.Days.Has(l.Weekday()) && mins >= c.Start && mins < c.End {
					want += time.Minute
				}
			}
			if got := c.Between(a, b); got != want {
				t.Fatalf("%s %v..%v: %v; brute force %v", tz, a, b, got, want)
			}
		}
	}
}

// TestCalendarReach checks Reach against Between: at Reach(a, d) the calendar
// has gained d, and a minute earlier it had not, across DST changes, for
// business calendars, 24x7 and the small hours.
func TestCalendarReach(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, tz := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe"} {
		loc := mustLoc(t, tz)
		for _, c := range []Calendar{
			{Start: 8*60 + 30, End: 18 * 60, Days: MonFri | 1<<time.Saturday, Loc: loc},
			{Start: 0, End: 24 * 60, Days: AllWeek, Loc: loc},
			{Start: 60, End: 5 * 60, Days: MonFri, Loc: loc},
			AlwaysOn,
		} {
			base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
			for i := 0; i < 60; i++ {
				a := base.Add(time.Duration(rng.Intn(300*24*60)) * time.Minute)
				d := time.Duration(1+rng.Intn(40*60)) * time.Minute
				r := c.Reach(a, d)
				if got := c.Between(a, r); got != d {
					t.Fatalf("%s %v: Between(a, Reach(a, %v)=%v) = %v", tz, c, d, r, got)
				}
				if got := c.Between(a, r.Add(-time.Minute)); got >= d {
					t.Fatalf("%s %v: %v already gained a minute before Reach %v", tz, c, d, r)
				}
			}
		}
	}
	if r := (Calendar{Start: 480, End: 1080, Loc: time.UTC}).Reach(time.Now(), time.Hour); !r.IsZero() {
		t.Errorf("a calendar with no days reached at %v", r)
	}
}

func TestNextSLACheck(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	biz := Calendar{Start: 8 * 60, End: 18 * 60, Days: MonFri, Loc: ny}
	now := at(ny, "2026-11-20 17:50") // a Friday
	resp := func(elapsed time.Duration, stopped bool) ClockState {
		return ClockState{Clock: "response", Target: time.Hour, Elapsed: elapsed, Stopped: stopped}
	}
	res := func(elapsed time.Duration) ClockState {
		return ClockState{Clock: "resolution", Target: 8 * time.Hour, Elapsed: elapsed}
	}
	cases := []struct {
		name     string
		states   []ClockState
		recorded map[string]bool
		want     time.Time
	}{
		{"response warning next, over the weekend", []ClockState{resp(30*time.Minute, false), res(30 * time.Minute)}, nil,
			at(ny, "2026-11-23 08:05")},
		{"warned: the breach next", []ClockState{resp(50*time.Minute, false), res(50 * time.Minute)}, map[string]bool{"response/warning": true},
			at(ny, "2026-11-20 18:00")},
		{"response stopped: resolution warning", []ClockState{resp(50*time.Minute, true), res(5 * time.Hour)}, nil,
			at(ny, "2026-11-23 08:50")},
		{"both breached: never", []ClockState{resp(2*time.Hour, false), res(9 * time.Hour)},
			map[string]bool{"response/breach": true, "resolution/breach": true}, time.Time{}},
	}
	for _, c := range cases {
		if got := NextSLACheck(biz, c.states, c.recorded, now); !got.Equal(c.want) {
			t.Errorf("%s: %v; want %v", c.name, got, c.want)
		}
	}
}
