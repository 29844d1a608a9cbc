package timekeeping

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Store is what the nudge and SLA sweeps read and write; *storage.Store implements it.
type Store interface {
	Staffers(ctx context.Context, now time.Time) ([]bot.Staffer, error)
	TimeSettings(ctx context.Context, workspaceID int64) (bot.TimeSettings, error)
	RecordNudge(ctx context.Context, workspaceID, personID int64, kind string, gapStart, localDate, at time.Time) (int64, bool, error)
	UnansweredNudges(ctx context.Context, personID int64, localDate time.Time) (int, error)
	RecordEscalation(ctx context.Context, personID int64, localDate time.Time, managerID *int64, unanswered int, at time.Time) (bool, error)
	Recipient(ctx context.Context, personID int64) (bot.Recipient, error)
	PeopleWithRole(ctx context.Context, workspaceID int64, role bot.Role) ([]bot.Recipient, error)
	ClientCoordinators(ctx context.Context, clientID int64) ([]bot.Recipient, error)
	LatestRequestOf(ctx context.Context, personID int64) (int64, error)

	OpenSLAClocks(ctx context.Context, now time.Time) ([]bot.SLAClock, error)
	SetSLANextChecks(ctx context.Context, checks []bot.SLANextCheck) error
	RecordSLAEvent(ctx context.Context, e bot.SLAEvent) (bool, error)
}

// Deps is what the sweeps run with; cmd/mspbot builds it once.
type Deps struct {
	Store    Store
	Senders  bot.Senders
	Clock    bot.Clock
	Location *time.Location // MSPBOT_TZ: for people and clients with no timezone of their own
	Log      *slog.Logger
}

// Logger is the deps' logger (one that discards when none is set).
func (d Deps) Logger() *slog.Logger { return d.log() }

// Now is the deps' clock reading (the system clock when none is set).
func (d Deps) Now() time.Time { return d.now() }

func (d Deps) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

func (d Deps) now() time.Time {
	if d.Clock == nil {
		return time.Now()
	}
	return d.Clock.Now()
}

// Locate returns the timezone named, or def (or UTC) when it is empty or unknown.
func Locate(name string, def *time.Location) *time.Location {
	if name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	if def != nil {
		return def
	}
	return time.UTC
}

// ScheduleOf turns a stored schedule into a Schedule; def is MSPBOT_TZ.
func ScheduleOf(r bot.ScheduleRow, def *time.Location) Schedule {
	s := Schedule{Start: ClockTime(r.WorkStart), End: ClockTime(r.WorkEnd), Days: Weekdays(r.WorkDays), Loc: Locate(r.Timezone, def)}
	if r.AwayFrom != nil && r.AwayUntil != nil {
		s.AwayFrom, s.AwayUntil = *r.AwayFrom, *r.AwayUntil
	}
	if r.OffDate != nil {
		s.OffDate = *r.OffDate
	}
	return s
}

// CalendarOf turns a stored SLA calendar into a Calendar.
func CalendarOf(r bot.SLACalendarRow, def *time.Location) Calendar {
	if r.Always {
		return AlwaysOn
	}
	return Calendar{Start: ClockTime(r.DayStart), End: ClockTime(r.DayEnd), Days: Weekdays(r.Days), Loc: Locate(r.Timezone, def)}
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func dm(r bot.Recipient) bot.Destination {
	return bot.Destination{Platform: r.Platform, Workspace: r.Workspace, UserID: r.ExternalID}
}

// NudgeReport says what a sweep did.
type NudgeReport struct {
	Considered, Nudged, TimerChecks, Escalations int
}

// SweepNudges looks at every tech once: asks about timers past the limit,
// nudges those behind, and escalates a day's persisting gap to the manager.
// Concurrent sweeps (several instances, the same minute) send each nudge once:
// RecordNudge and RecordEscalation insert under unique keys first.
func SweepNudges(ctx context.Context, d Deps, now time.Time) (NudgeReport, error) {
	var rep NudgeReport
	staff, err := d.Store.Staffers(ctx, now)
	if err != nil {
		return rep, err
	}
	settings := map[int64]bot.TimeSettings{}
	for _, st := range staff {
		rep.Considered++
		set, ok := settings[st.WorkspaceID]
		if !ok {
			if set, err = d.Store.TimeSettings(ctx, st.WorkspaceID); err != nil {
				return rep, err
			}
			settings[st.WorkspaceID] = set
		}
		sched := ScheduleOf(st.Schedule, d.Location)
		to := bot.Destination{Platform: st.Platform, Workspace: st.Workspace, UserID: st.ExternalID}
		if st.TimerStartedAt != nil {
			since := *st.TimerStartedAt
			if st.TimerConfirmedAt != nil {
				since = *st.TimerConfirmedAt
			}
			limit := time.Duration(set.TimerLimitMinutes) * time.Minute
			if TimerCheckDue(since, now, limit) {
				_, fresh, err := d.Store.RecordNudge(ctx, st.WorkspaceID, st.PersonID, "timer", since, DateOf(now, sched.Loc), now)
				if err != nil {
					return rep, err
				}
				if fresh {
					rep.TimerChecks++
					d.send(ctx, to, timerCheckMessage(st, now))
				}
			}
		}
		n := Decide(NudgeState{
			Schedule: sched, Gap: time.Duration(set.GapMinutes) * time.Minute,
			LastEntry: deref(st.LastEntry), TimerRunning: st.TimerStartedAt != nil, LastNudge: deref(st.LastNudge),
			SnoozedAt: deref(st.Schedule.SnoozedAt), SnoozedUntil: deref(st.Schedule.SnoozedUntil),
		}, now)
		if !n.Send {
			continue
		}
		today := DateOf(now, sched.Loc)
		_, fresh, err := d.Store.RecordNudge(ctx, st.WorkspaceID, st.PersonID, "gap", n.GapStart, today, now)
		if err != nil {
			return rep, err
		}
		if !fresh {
			continue
		}
		rep.Nudged++
		latest, err := d.Store.LatestRequestOf(ctx, st.PersonID)
		if err != nil {
			return rep, err
		}
		d.send(ctx, to, NudgeMessage(st.Name, n.GapStart, now, sched.Loc, latest))
		unanswered, err := d.Store.UnansweredNudges(ctx, st.PersonID, today)
		if err != nil {
			return rep, err
		}
		if unanswered < set.EscalateAfter {
			continue
		}
		fresh, err = d.Store.RecordEscalation(ctx, st.PersonID, today, st.Schedule.ManagerID, unanswered, now)
		if err != nil {
			return rep, err
		}
		if !fresh {
			continue
		}
		rep.Escalations++
		var managers []bot.Recipient
		if st.Schedule.ManagerID != nil {
			m, err := d.Store.Recipient(ctx, *st.Schedule.ManagerID)
			if err != nil {
				return rep, err
			}
			managers = append(managers, m)
		} else if managers, err = d.Store.PeopleWithRole(ctx, st.WorkspaceID, bot.RoleManager); err != nil {
			return rep, err
		}
		for _, m := range managers {
			d.send(ctx, dm(m), bot.Message{
				Title: "Time gap: " + st.Name,
				Text: fmt.Sprintf("%s has not answered %d nudges today and has logged nothing since %s. "+
					"A quick word may help; /digest now shows the whole team.", st.Name, unanswered,
					n.GapStart.In(Locate(m.Timezone, d.Location)).Format("15:04 MST")),
			})
		}
	}
	return rep, nil
}

// send posts and logs a failure: one unreachable person must not stop a sweep.
func (d Deps) send(ctx context.Context, to bot.Destination, msgs ...bot.Message) {
	if d.Senders == nil {
		return
	}
	if _, err := d.Senders.Send(ctx, to, msgs...); err != nil {
		d.log().Warn("send failed", "platform", to.Platform, "user", to.UserID, "channel", to.Channel, "err", err)
	}
}

// NudgeMessage is the DM a tech gets, with one-click answers.
func NudgeMessage(name string, gapStart, now time.Time, loc *time.Location, latestRequest int64) bot.Message {
	m := bot.Message{
		Title: "Time check",
		Text: fmt.Sprintf("Hi %s, nothing logged since %s (%s). What have you been working on?", name,
			gapStart.In(loc).Format("15:04"), FormatMinutes(int(now.Sub(gapStart).Minutes()))),
	}
	if latestRequest > 0 {
		n := strconv.FormatInt(latestRequest, 10)
		m.Actions = append(m.Actions,
			bot.Action{ID: "time.log30", Label: "Log 30m on #" + n, Value: n, Style: "primary", Command: "/time 30m #" + n},
			bot.Action{ID: "timer.start", Label: "Start a timer on #" + n, Value: n, Command: "/timer start #" + n})
	} else {
		m.Actions = append(m.Actions, bot.Action{ID: "timer.start", Label: "Start a non-billable timer", Command: "/timer start --non-billable"})
	}
	m.Actions = append(m.Actions,
		bot.Action{ID: "nudge.snooze30", Label: "Snooze 30 min", Command: "/snooze 30m"},
		bot.Action{ID: "nudge.snooze2h", Label: "Snooze 2 h", Command: "/snooze 2h"},
		bot.Action{ID: "nudge.off", Label: "I'm off today", Style: "danger", Command: "/away today"})
	return m
}

func timerCheckMessage(st bot.Staffer, now time.Time) bot.Message {
	on := ""
	if st.TimerRequest > 0 {
		on = fmt.Sprintf(" on #%d", st.TimerRequest)
	}
	return bot.Message{
		Title: "Is your timer still running?",
		Text: fmt.Sprintf("Your timer%s has run for %s. Still on it?", on,
			FormatMinutes(int(now.Sub(*st.TimerStartedAt).Minutes()))),
		Actions: []bot.Action{
			{ID: "timer.keep", Label: "Still running", Style: "primary", Command: "/timer keep"},
			{ID: "timer.stop", Label: "Stop it now", Command: "/timer stop"},
		},
	}
}

// SLAReport says what an SLA sweep did.
type SLAReport struct {
	Checked, Warnings, Breaches int
}

// SweepSLA checks the clocks of open requests under a contract that are due a
// look: at 75 % of a target it warns the assignee (for a request nobody took,
// the client's coordinators, else the managers), at breach it tells the
// coordinators, once each (RecordSLAEvent's unique key decides who sends).
// Then it stores, per request, the earliest moment its next level can come
// (NextSLACheck), so later sweeps skip it until then and never read clocks
// already stopped or breached.
func SweepSLA(ctx context.Context, d Deps, now time.Time) (SLAReport, error) {
	var rep SLAReport
	clocks, err := d.Store.OpenSLAClocks(ctx, now)
	if err != nil {
		return rep, err
	}
	checks := make([]bot.SLANextCheck, 0, len(clocks))
	// Verdicts are stored even when a send or record fails half way: what was
	// judged stands, the rest stays due.
	defer func() {
		if err := d.Store.SetSLANextChecks(context.WithoutCancel(ctx), checks); err != nil {
			d.log().Warn("SLA next checks", "err", err)
		}
	}()
	for _, c := range clocks {
		if !c.Contract {
			checks = append(checks, bot.SLANextCheck{RequestID: c.RequestID, Version: c.Version})
			continue
		}
		rep.Checked++
		states := ClockStates(c, d.Location, now)
		recorded := map[string]bool{}
		for k, v := range c.Recorded {
			recorded[k] = v
		}
		for _, st := range states {
			level := ""
			switch {
			case st.Level == SLABreach && !c.Recorded[st.Clock+"/breach"]:
				level = "breach"
			case st.Level == SLAWarning && !c.Recorded[st.Clock+"/warning"] && !st.Stopped:
				level = "warning"
			default:
				continue
			}
			ev := bot.SLAEvent{WorkspaceID: c.WorkspaceID, RequestID: c.RequestID, RequestNumber: c.Number,
				ClientID: c.ClientID, ClientCode: c.ClientCode, Clock: st.Clock, Level: level,
				TargetMinutes: int(st.Target.Minutes()), ElapsedMinutes: int(st.Elapsed.Minutes()), At: now}
			fresh, err := d.Store.RecordSLAEvent(ctx, ev)
			if err != nil {
				return rep, err
			}
			recorded[st.Clock+"/"+level] = true // by this sweep or another: either way done
			if !fresh {
				continue
			}
			text := fmt.Sprintf("#%d %s (%s %s): %s clock at %s of %s.", c.Number, c.Title, c.ClientCode, c.Priority,
				st.Clock, FormatMinutes(ev.ElapsedMinutes), FormatMinutes(ev.TargetMinutes))
			actions := []bot.Action{{ID: "request.show", Label: "Show #" + strconv.FormatInt(c.Number, 10),
				Command: "/request show " + strconv.FormatInt(c.Number, 10)}}
			if level == "warning" {
				rep.Warnings++
				to, err := warnWhom(ctx, d, c)
				if err != nil {
					return rep, err
				}
				note := " 75% of the target is used."
				if c.AssigneeID == nil {
					note += " Nobody has taken it yet."
					actions = append(actions, bot.Action{ID: "request.take", Label: "Take #" + strconv.FormatInt(c.Number, 10),
						Command: "/request take " + strconv.FormatInt(c.Number, 10)})
				}
				for _, r := range to {
					d.send(ctx, dm(r), bot.Message{Title: "SLA warning", Text: text + note, Actions: actions})
				}
				continue
			}
			rep.Breaches++
			to, err := d.Store.PeopleWithRole(ctx, c.WorkspaceID, bot.RoleCoordinator)
			if err != nil {
				return rep, err
			}
			if len(to) == 0 {
				if to, err = d.Store.PeopleWithRole(ctx, c.WorkspaceID, bot.RoleManager); err != nil {
					return rep, err
				}
			}
			for _, r := range to {
				d.send(ctx, dm(r), bot.Message{Title: "SLA breached", Text: text, Actions: actions})
			}
		}
		checks = append(checks, bot.SLANextCheck{RequestID: c.RequestID, Version: c.Version,
			At: NextSLACheck(CalendarOf(c.Calendar, d.Location), states, recorded, now)})
	}
	return rep, nil
}

// warnWhom is who hears an SLA warning: the assignee; for a request nobody has
// taken, the coordinators of the client's running projects, else the managers,
// so that a warning always reaches someone who can act.
func warnWhom(ctx context.Context, d Deps, c bot.SLAClock) ([]bot.Recipient, error) {
	if c.AssigneeID != nil {
		r, err := d.Store.Recipient(ctx, *c.AssigneeID)
		return []bot.Recipient{r}, err
	}
	to, err := d.Store.ClientCoordinators(ctx, c.ClientID)
	if err != nil || len(to) > 0 {
		return to, err
	}
	return d.Store.PeopleWithRole(ctx, c.WorkspaceID, bot.RoleManager)
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
		pauses[i] = Interval{Start: p.Start, End: deref(p.End)}
	}
	one := func(clock string, target int, stop *time.Time) ClockState {
		t := time.Duration(target) * time.Minute
		e := Elapsed(cal, c.CreatedAt, deref(stop), pauses, now)
		return ClockState{Clock: clock, Target: t, Elapsed: e, Level: Level(e, t), Stopped: stop != nil}
	}
	return []ClockState{
		one("response", c.Target.ResponseMinutes, c.FirstResponseAt),
		one("resolution", c.Target.ResolutionMinutes, c.ClosedAt),
	}
}
