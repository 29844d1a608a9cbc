package timekeeping

import (
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
)

// Weekdays is a set of days, bit i set for time.Weekday(i) (Sunday = 0).
type Weekdays uint8

// Common sets.
const (
	MonFri  Weekdays = 0b0111110
	AllWeek Weekdays = 0b1111111
)

// Has reports whether d is in the set.
func (w Weekdays) Has(d time.Weekday) bool { return w&(1<<uint(d)) != 0 }

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// String writes the set compactly: mon-fri, sat-sun, mon,wed,fri.
func (w Weekdays) String() string {
	switch w {
	case AllWeek:
		return "every day"
	case 0:
		return "no days"
	}
	// Runs in Monday-first order.
	order := []int{1, 2, 3, 4, 5, 6, 0}
	var parts []string
	for i := 0; i < len(order); {
		if !w.Has(time.Weekday(order[i])) {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && w.Has(time.Weekday(order[j+1])) {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, dayNames[order[i]])
		case j == i+1:
			parts = append(parts, dayNames[order[i]], dayNames[order[j]])
		default:
			parts = append(parts, dayNames[order[i]]+"-"+dayNames[order[j]])
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// ParseWeekdays reads mon-fri, mon,wed,fri, sat-sun, daily, weekdays.
func ParseWeekdays(s string) (Weekdays, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "daily", "everyday", "all", "mon-sun", "24x7":
		return AllWeek, nil
	case "weekdays":
		return MonFri, nil
	}
	day := func(n string) (int, bool) {
		if len(n) < 3 {
			return 0, false
		}
		for i, d := range dayNames {
			if strings.HasPrefix(n, d) {
				return i, true
			}
		}
		return 0, false
	}
	var w Weekdays
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		from, ok1 := day(a)
		to, ok2 := from, true
		if isRange {
			to, ok2 = day(b)
		}
		if !ok1 || !ok2 {
			return 0, bot.Errorf(bot.EInvalid, "%q is not a set of days; use for example mon-fri or mon,wed,fri", s)
		}
		for d := from; ; d = (d + 1) % 7 {
			w |= 1 << uint(d)
			if d == to {
				break
			}
		}
	}
	return w, nil
}

// ClockTime is a time of day in minutes after midnight.
type ClockTime int

func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// ParseClockTime reads a time of day (parse.Clock: 8, 08:00, 16:30, 9am).
func ParseClockTime(s string) (ClockTime, error) {
	m, err := parse.Clock(s)
	return ClockTime(m), err
}

// ParseSpan reads working hours such as 08:00-16:30 (parse.Range); they may
// end at 24:00 but not run past midnight.
func ParseSpan(s string) (start, end ClockTime, err error) {
	a, b, err := parse.Range(s)
	if err != nil {
		return 0, 0, err
	}
	if b < a {
		return 0, 0, bot.Errorf(bot.EInvalid, "%s ends before it starts; overnight shifts are not supported yet", s)
	}
	return ClockTime(a), ClockTime(b), nil
}

// Date is a calendar date, held as midnight UTC so it compares and stores
// (as a Postgres date) without a timezone sneaking in.
type Date = time.Time

// DateOf is t's calendar date in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Schedule is when a person works.
type Schedule struct {
	Start, End ClockTime
	Days       Weekdays
	Loc        *time.Location
	// AwayFrom..AwayUntil (inclusive) is an out-of-office period; zero when none.
	AwayFrom, AwayUntil Date
	// OffDate is a single day the person said "I'm off today".
	OffDate Date
}

// DefaultSchedule is 08:00-17:00 Monday to Friday in loc.
func DefaultSchedule(loc *time.Location) Schedule {
	return Schedule{Start: 8 * 60, End: 17 * 60, Days: MonFri, Loc: loc}
}

func (s Schedule) loc() *time.Location {
	if s.Loc == nil {
		return time.UTC
	}
	return s.Loc
}

// Away reports whether the person is out of office on date d.
func (s Schedule) Away(d Date) bool {
	if !s.OffDate.IsZero() && s.OffDate.Equal(d) {
		return true
	}
	if s.AwayUntil.IsZero() {
		return false
	}
	return !d.Before(s.AwayFrom) && !d.After(s.AwayUntil)
}

// WorkingDay reports whether d is one of the person's working days and they are not away.
func (s Schedule) WorkingDay(d Date) bool {
	return s.Days.Has(d.Weekday()) && !s.Away(d)
}

// Window is the working window of date d as instants. On a DST change day the
// wall-clock times are kept (08:00 stays 08:00), so the window's length may differ.
func (s Schedule) Window(d Date) (start, end time.Time) {
	at := func(c ClockTime) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), int(c)/60, int(c)%60, 0, 0, s.loc())
	}
	return at(s.Start), at(s.End)
}

// Working reports whether now falls inside working hours on a working day.
func (s Schedule) Working(now time.Time) bool {
	d := DateOf(now, s.loc())
	if !s.WorkingDay(d) {
		return false
	}
	start, end := s.Window(d)
	return !now.Before(start) && now.Before(end)
}

// WorkMinutes is how long the person is expected to work on d: 0 on days off.
func (s Schedule) WorkMinutes(d Date) int {
	if !s.WorkingDay(d) {
		return 0
	}
	start, end := s.Window(d)
	return int(end.Sub(start).Minutes())
}

// MinutesSince is WorkMinutes(d) counting only the working time from since on:
// nobody owes hours from before they joined.
func (s Schedule) MinutesSince(d Date, since time.Time) int {
	start, end := s.Window(d)
	switch {
	case s.WorkMinutes(d) == 0 || !since.Before(end):
		return 0
	case since.After(start):
		return int(end.Sub(since).Minutes())
	}
	return s.WorkMinutes(d)
}

// String describes the schedule: "08:00-17:00 mon-fri Europe/Berlin".
func (s Schedule) String() string {
	return fmt.Sprintf("%s-%s %s %s", s.Start, s.End, s.Days, s.loc())
}
