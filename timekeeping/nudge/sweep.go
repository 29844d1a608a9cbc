// Package nudge is the sweep that keeps time entry honest: it asks techs about
// timers past the limit, nudges those with a gap in their logged time during
// their working hours, and escalates a day's persisting gap to their manager,
// each once. The decision (timekeeping.Decide) and the schedule arithmetic stay
// in timekeeping; this package acts on them. River runs the sweep from package
// jobs (RegisterNudges).
package nudge

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/timekeeping"
)

// Store is what the nudge sweep reads and writes; *storage.Store implements it.
type Store interface {
	Staffers(ctx context.Context, now time.Time) ([]bot.Staffer, error)
	TimeSettings(ctx context.Context, workspaceID int64) (bot.TimeSettings, error)
	RecordNudge(ctx context.Context, workspaceID, personID int64, kind string, gapStart, localDate, at time.Time) (int64, bool, error)
	UnansweredNudges(ctx context.Context, personID int64, localDate time.Time) (int, error)
	RecordEscalation(ctx context.Context, personID int64, localDate time.Time, managerID *int64, unanswered int, at time.Time) (bool, error)
	Recipient(ctx context.Context, personID int64) (bot.Recipient, error)
	PeopleWithRole(ctx context.Context, workspaceID int64, role bot.Role) ([]bot.Recipient, error)
	LatestRequestOf(ctx context.Context, personID int64) (int64, error)
}

// Service is the nudge sweep; the same shape as projects.Service.
type Service struct {
	Store    Store
	Senders  bot.Senders
	Clock    bot.Clock
	Location *time.Location // MSPBOT_TZ: for people with no timezone of their own
	Log      *slog.Logger
}

// Logger is the service's logger (one that discards when none is set).
func (d *Service) Logger() *slog.Logger { return d.log() }

func (d *Service) log() *slog.Logger { return bot.LoggerOr(d.Log) }

// Now is the service's clock reading (the system clock when none is set).
func (d *Service) Now() time.Time { return bot.NowOf(d.Clock) }

func dm(r bot.Recipient) bot.Destination {
	return bot.Destination{Platform: r.Platform, Workspace: r.Workspace, UserID: r.ExternalID}
}

// Report says what a sweep did.
type Report struct {
	Considered, Nudged, TimerChecks, Escalations int
}

// Sweep looks at every tech once: asks about timers past the limit,
// nudges those behind, and escalates a day's persisting gap to the manager.
// Concurrent sweeps (several instances, the same minute) send each nudge once:
// RecordNudge and RecordEscalation insert under unique keys first.
func (d *Service) Sweep(ctx context.Context, now time.Time) (Report, error) {
	var rep Report
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
		sched := timekeeping.ScheduleOf(st.Schedule, d.Location)
		to := bot.Destination{Platform: st.Platform, Workspace: st.Workspace, UserID: st.ExternalID}
		if st.TimerStartedAt != nil {
			since := *st.TimerStartedAt
			if st.TimerConfirmedAt != nil {
				since = *st.TimerConfirmedAt
			}
			limit := time.Duration(set.TimerLimitMinutes) * time.Minute
			if timekeeping.TimerCheckDue(since, now, limit) {
				_, fresh, err := d.Store.RecordNudge(ctx, st.WorkspaceID, st.PersonID, "timer", since, timekeeping.DateOf(now, sched.Loc), now)
				if err != nil {
					return rep, err
				}
				if fresh {
					rep.TimerChecks++
					d.send(ctx, to, timerCheckMessage(st, now))
				}
			}
		}
		n := timekeeping.Decide(timekeeping.NudgeState{
			Schedule: sched, Gap: time.Duration(set.GapMinutes) * time.Minute,
			LastEntry: bot.TimeOrZero(st.LastEntry), TimerRunning: st.TimerStartedAt != nil, LastNudge: bot.TimeOrZero(st.LastNudge),
			SnoozedAt: bot.TimeOrZero(st.Schedule.SnoozedAt), SnoozedUntil: bot.TimeOrZero(st.Schedule.SnoozedUntil),
		}, now)
		if !n.Send {
			continue
		}
		today := timekeeping.DateOf(now, sched.Loc)
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
		d.send(ctx, to, Message(st.Name, n.GapStart, now, sched.Loc, latest))
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
					n.GapStart.In(timekeeping.Locate(m.Timezone, d.Location)).Format("15:04 MST")),
			})
		}
	}
	return rep, nil
}

// send posts and logs a failure: one unreachable person must not stop a sweep.
func (d *Service) send(ctx context.Context, to bot.Destination, msgs ...bot.Message) {
	if d.Senders == nil {
		return
	}
	if _, err := d.Senders.Send(ctx, to, msgs...); err != nil {
		d.log().Warn("send failed", "platform", to.Platform, "user", to.UserID, "channel", to.Channel, "err", err)
	}
}

// NudgeMessage is the DM a tech gets, with one-click answers.
func Message(name string, gapStart, now time.Time, loc *time.Location, latestRequest int64) bot.Message {
	m := bot.Message{
		Title: "Time check",
		Text: fmt.Sprintf("Hi %s, nothing logged since %s (%s). What have you been working on?", name,
			gapStart.In(loc).Format("15:04"), timekeeping.FormatMinutes(int(now.Sub(gapStart).Minutes()))),
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
			timekeeping.FormatMinutes(int(now.Sub(*st.TimerStartedAt).Minutes()))),
		Actions: []bot.Action{
			{ID: "timer.keep", Label: "Still running", Style: "primary", Command: "/timer keep"},
			{ID: "timer.stop", Label: "Stop it now", Command: "/timer stop"},
		},
	}
}
