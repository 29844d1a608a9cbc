package timekeeping

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Calendar is when a client's SLA clock runs: always (24x7), or business hours
// on business days in the client's timezone.
type Calendar struct {
	Always     bool
	Start, End ClockTime
	Days       Weekdays
	Loc        *time.Location
}

// AlwaysOn is the 24x7 calendar.
var AlwaysOn = Calendar{Always: true}

func (c Calendar) String() string {
	if c.Always {
		return "24x7"
	}
	loc := time.UTC
	if c.Loc != nil {
		loc = c.Loc
	}
	return c.Start.String() + "-" + c.End.String() + " " + c.Days.String() + " " + loc.String()
}

// Interval is a span of time; a zero End means "still going".
type Interval struct{ Start, End time.Time }

// Between is the clock time that runs between a and b on the calendar.
func (c Calendar) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c.Always {
		return b.Sub(a)
	}
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	var total time.Duration
	d := DateOf(a, loc)
	last := DateOf(b, loc)
	// Whole weeks in the middle add a fixed amount of business time, except
	// when a DST change falls inside business hours; sum them day by day only
	// near the ends, so a request open for a year costs a few dozen steps.
	for ; !d.After(last); d = d.AddDate(0, 0, 1) {
		if c.Days.Has(d.Weekday()) {
			ds := time.Date(d.Year(), d.Month(), d.Day(), int(c.Start)/60, int(c.Start)%60, 0, 0, loc)
			de := time.Date(d.Year(), d.Month(), d.Day(), int(c.End)/60, int(c.End)%60, 0, 0, loc)
			lo, hi := maxTime(ds, a), minTime(de, b)
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
		// Skip ahead by whole weeks while at least two weeks remain.
		if c.skippable() && last.Sub(d) > 15*24*time.Hour && d.Weekday() == time.Sunday {
			weeks := int(last.Sub(d).Hours()/24/7) - 1
			if weeks > 0 {
				total += time.Duration(weeks) * c.weekLength()
				d = d.AddDate(0, 0, 7*weeks)
			}
		}
	}
	return total
}

// Reach is the earliest moment t at or after from with Between(from, t) >= d:
// when a clock running on the calendar from from has gained d. Future pauses
// only delay it, so it is a safe "not before" for the next SLA level. A
// calendar with no business time never reaches it: the zero time.
func (c Calendar) Reach(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	if c.Always {
		return from.Add(d)
	}
	if c.Days == 0 || c.End <= c.Start {
		return time.Time{}
	}
	loc := c.Loc
	if loc == nil {
		loc = time.UTC
	}
	left := d
	day := DateOf(from, loc)
	// A target is days or weeks of business time at most; past a few years
	// fall back to the wall clock, which is never later than the true answer.
	for i := 0; i < 3*366; i, day = i+1, day.AddDate(0, 0, 1) {
		if !c.Days.Has(day.Weekday()) {
			continue
		}
		ds := time.Date(day.Year(), day.Month(), day.Day(), int(c.Start)/60, int(c.Start)%60, 0, 0, loc)
		de := time.Date(day.Year(), day.Month(), day.Day(), int(c.End)/60, int(c.End)%60, 0, 0, loc)
		lo := maxTime(ds, from)
		if !de.After(lo) {
			continue
		}
		span := de.Sub(lo)
		if span >= left {
			return lo.Add(left)
		}
		left -= span
	}
	return from.Add(d)
}

// skippable: business hours lie clear of the small hours when DST changes
// happen, so every skipped week has the same business time.
func (c Calendar) skippable() bool { return c.Start >= 4*60 && c.End <= 23*60 }

// weekLength is the business time of an ordinary week (no DST change inside hours).
func (c Calendar) weekLength() time.Duration {
	n := 0
	for i := 0; i < 7; i++ {
		if c.Days.Has(time.Weekday(i)) {
			n++
		}
	}
	return time.Duration(n) * time.Duration(c.End-c.Start) * time.Minute
}

// Elapsed is the SLA time of a clock that started at start and stopped at stop
// (or now when stop is zero), minus the business time inside pauses ("waiting on
// client"). Pauses may overlap or be open-ended; they are merged first.
func Elapsed(c Calendar, start, stop time.Time, pauses []Interval, now time.Time) time.Duration {
	if stop.IsZero() || stop.After(now) {
		stop = now
	}
	total := c.Between(start, stop)
	for _, p := range mergeIntervals(pauses, now) {
		lo, hi := maxTime(p.Start, start), minTime(p.End, stop)
		if hi.After(lo) {
			total -= c.Between(lo, hi)
		}
	}
	if total < 0 {
		return 0
	}
	return total
}

func mergeIntervals(in []Interval, now time.Time) []Interval {
	out := make([]Interval, 0, len(in))
	for _, p := range in {
		if p.End.IsZero() || p.End.After(now) {
			p.End = now
		}
		if p.End.After(p.Start) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	merged := out[:0]
	for _, p := range out {
		if n := len(merged); n > 0 && !p.Start.After(merged[n-1].End) {
			if p.End.After(merged[n-1].End) {
				merged[n-1].End = p.End
			}
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

// SLALevel is where a clock stands against its target.
type SLALevel int

const (
	SLAOK SLALevel = iota
	SLAWarning
	SLABreach
)

// WarnAt is the share of a target at which the assignee is warned.
const WarnAt = 0.75

// Level compares elapsed to target.
func Level(elapsed, target time.Duration) SLALevel {
	switch {
	case target <= 0:
		return SLAOK
	case elapsed >= target:
		return SLABreach
	case float64(elapsed) >= WarnAt*float64(target):
		return SLAWarning
	}
	return SLAOK
}

// Priorities are the request priorities, most urgent first.
var Priorities = []string{"P1", "P2", "P3", "P4"}

// ParsePriority reads P1..P4 (or 1..4).
func ParsePriority(s string) (string, error) {
	p := strings.ToUpper(strings.TrimSpace(s))
	if !strings.HasPrefix(p, "P") {
		p = "P" + p
	}
	for _, q := range Priorities {
		if p == q {
			return p, nil
		}
	}
	return "", bot.Errorf(bot.EInvalid, "%q is not a priority; use P1 (most urgent) to P4", s)
}

// ParseCalendar reads "24x7" or "08:00-18:00 mon-fri [Europe/London]" (fields
// already split); def is the timezone when none is given.
func ParseCalendar(args []string, def *time.Location) (Calendar, error) {
	if len(args) == 1 && strings.EqualFold(args[0], "24x7") {
		return AlwaysOn, nil
	}
	if len(args) < 2 || len(args) > 3 {
		return Calendar{}, bot.Errorf(bot.EInvalid, "use 24x7, or hours and days such as 08:00-18:00 mon-fri Europe/London")
	}
	start, end, err := ParseSpan(args[0])
	if err != nil {
		return Calendar{}, err
	}
	days, err := ParseWeekdays(args[1])
	if err != nil {
		return Calendar{}, err
	}
	loc := def
	if len(args) == 3 {
		if loc, err = LoadLocation(args[2]); err != nil {
			return Calendar{}, err
		}
	}
	return Calendar{Start: start, End: end, Days: days, Loc: loc}, nil
}

// LoadLocation loads an IANA timezone with a clear error.
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, bot.Errorf(bot.EInvalid, "name a timezone such as Europe/London or America/Denver")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bot.Errorf(bot.EInvalid, "%q is not a timezone; use an IANA name such as Europe/London or America/Denver", name)
	}
	return loc, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// NextSLACheck is the earliest moment one of a request's clocks can reach a
// level not yet recorded, judged at now; the zero time when none can (each
// clock stopped or breached). A stopped clock is done: its breach, if it came
// before the stop, was recorded by this sweep. A running clock next reaches
// the warning (75 %) or, once warned, the breach; SLA time runs only inside
// the calendar and stands still in pauses, so the calendar's Reach from now
// is never later than the real moment.
func NextSLACheck(cal Calendar, states []ClockState, recorded map[string]bool, now time.Time) time.Time {
	var next time.Time
	for _, st := range states {
		if st.Stopped || recorded[st.Clock+"/breach"] || st.Target <= 0 {
			continue
		}
		threshold := st.Target
		if warnAt := time.Duration(math.Ceil(WarnAt * float64(st.Target))); !recorded[st.Clock+"/warning"] && st.Elapsed < warnAt {
			threshold = warnAt
		}
		at := now
		if left := threshold - st.Elapsed; left > 0 {
			if at = cal.Reach(now, left); at.IsZero() {
				continue // a calendar with no business time: the clock never moves
			}
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// ClockState is one SLA clock of a request.
type ClockState struct {
	Clock   string // response, resolution
	Target  time.Duration
	Elapsed time.Duration
	Level   SLALevel
	Stopped bool
}

// ClockStates computes a request's response and resolution clocks at now.
func ClockStates(c bot.SLAClock, def *time.Location, now time.Time) []ClockState {
	cal := CalendarOf(c.Calendar, def)
	pauses := make([]Interval, len(c.Pauses))
	for i, p := range c.Pauses {
		pauses[i] = Interval{Start: p.Start, End: bot.TimeOrZero(p.End)}
	}
	one := func(clock string, target int, stop *time.Time) ClockState {
		t := time.Duration(target) * time.Minute
		e := Elapsed(cal, c.CreatedAt, bot.TimeOrZero(stop), pauses, now)
		return ClockState{Clock: clock, Target: t, Elapsed: e, Level: Level(e, t), Stopped: stop != nil}
	}
	return []ClockState{
		one("response", c.Target.ResponseMinutes, c.FirstResponseAt),
		one("resolution", c.Target.ResolutionMinutes, c.ClosedAt),
	}
}
