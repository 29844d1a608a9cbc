package timekeeping

import "time"

// DefaultGap is how long a tech may go without logging time before a nudge.
const DefaultGap = 90 * time.Minute

// DefaultEscalateAfter is how many unanswered nudges in a day escalate to the manager.
const DefaultEscalateAfter = 3

// DefaultTimerLimit is how long a timer runs before the bot asks if it still is.
const DefaultTimerLimit = 4 * time.Hour

// NudgeState is everything the nudge decision looks at for one person.
type NudgeState struct {
	Schedule Schedule
	Gap      time.Duration // allowed gap; DefaultGap when zero
	// LastEntry is when the person last logged time (or stopped a timer); zero if never.
	LastEntry time.Time
	// TimerRunning: a running timer means they are logging as they go.
	TimerRunning bool
	// LastNudge is when the latest gap nudge was sent; zero if none.
	LastNudge time.Time
	// SnoozedAt/SnoozedUntil: the person asked not to be nudged until then.
	SnoozedAt, SnoozedUntil time.Time
}

// Nudge is the decision.
type Nudge struct {
	Send bool
	// GapStart identifies the gap: at most one nudge per person per gap start
	// (the nudges table has a unique key on it), whichever instance decides.
	GapStart time.Time
	// Why says why not (or why), for logs and tests.
	Why string
}

// Decide says whether to nudge a person now. Never outside working hours, on
// days off, while away or "off today", while a timer runs, while snoozed, or
// twice for the same gap. A gap starts at the later of the day's start and the
// last entry; each unanswered nudge opens the next gap, so a tech who stays
// silent gets one nudge per allowed gap (which is what escalation counts).
func Decide(st NudgeState, now time.Time) Nudge {
	s := st.Schedule
	gap := st.Gap
	if gap <= 0 {
		gap = DefaultGap
	}
	today := DateOf(now, s.loc())
	switch {
	case s.Away(today):
		return Nudge{Why: "away"}
	case !s.Days.Has(today.Weekday()):
		return Nudge{Why: "day off"}
	}
	start, end := s.Window(today)
	if now.Before(start) || !now.Before(end) {
		return Nudge{Why: "outside hours"}
	}
	if st.TimerRunning {
		return Nudge{Why: "timer running"}
	}
	if now.Before(st.SnoozedUntil) {
		return Nudge{Why: "snoozed"}
	}
	gapStart := start
	if st.LastEntry.After(gapStart) {
		gapStart = st.LastEntry
	}
	if !st.LastNudge.Before(gapStart) {
		gapStart = st.LastNudge
	}
	due := gapStart.Add(gap)
	// A snooze answered during this gap replaces the wait: "remind me in 30 min".
	if !st.SnoozedAt.IsZero() && !st.SnoozedAt.Before(gapStart) {
		gapStart, due = st.SnoozedAt, st.SnoozedUntil
	}
	if now.Before(due) {
		return Nudge{Why: "within the allowed gap", GapStart: gapStart}
	}
	return Nudge{Send: true, GapStart: gapStart, Why: "no time logged since " + gapStart.In(s.loc()).Format("15:04")}
}

// TimerCheckDue reports whether a timer started (or last confirmed) at since
// has run past the limit and the person should be asked if it still runs.
func TimerCheckDue(since, now time.Time, limit time.Duration) bool {
	if limit <= 0 {
		limit = DefaultTimerLimit
	}
	return !now.Before(since.Add(limit))
}

// DigestDue reports whether a manager's digest for today is due at now: on a
// working day of theirs, at or after their digest time. It returns the local date
// the digest is for (the key that makes it one per manager per day).
func DigestDue(s Schedule, at ClockTime, now time.Time) (Date, bool) {
	d := DateOf(now, s.loc())
	if !s.WorkingDay(d) {
		return d, false
	}
	due := time.Date(d.Year(), d.Month(), d.Day(), int(at)/60, int(at)%60, 0, 0, s.loc())
	return d, !now.Before(due)
}
