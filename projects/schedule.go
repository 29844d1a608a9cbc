package projects

import (
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Location returns the timezone a project's weekly update runs in: its
// coordinator's, else def (MSPBOT_TZ), else UTC.
func Location(p bot.Project, def *time.Location) *time.Location {
	if p.CoordinatorTZ != "" {
		if loc, err := time.LoadLocation(p.CoordinatorTZ); err == nil {
			return loc
		}
	}
	if def != nil {
		return def
	}
	return time.UTC
}

// Monday returns local midnight on the Monday of the ISO week t falls in.
func Monday(t time.Time) time.Time {
	offset := (int(t.Weekday()) + 6) % 7 // Monday 0 … Sunday 6
	y, m, d := t.Date()
	return time.Date(y, m, d-offset, 0, 0, 0, 0, t.Location())
}

// ScheduledAt returns when the project's update for the ISO week containing now
// is due: its weekday and time in loc. Dates are computed by calendar, so a DST
// change in the week moves nothing: 15:00 stays 15:00 local.
func ScheduledAt(p bot.Project, now time.Time, loc *time.Location) time.Time {
	mon := Monday(now.In(loc))
	days := (int(p.UpdateWeekday) + 6) % 7
	y, m, d := mon.Date()
	return time.Date(y, m, d+days, p.UpdateMinute/60, p.UpdateMinute%60, 0, 0, loc)
}

// Deadline is when a draft for the week containing t must be approved before the
// coordinator is reminded: the next Monday at 12:00 local.
func Deadline(t time.Time, loc *time.Location) time.Time {
	y, m, d := Monday(t.In(loc)).Date()
	return time.Date(y, m, d+7, 12, 0, 0, 0, loc)
}

// DueWeek reports the ISO week whose update is due for a project at now: due is
// true once the week's update time has passed in the coordinator's timezone, the
// project is active, and the week's update time falls on or after its start date.
func DueWeek(p bot.Project, now time.Time, def *time.Location) (year, week int, due bool) {
	loc := Location(p, def)
	local := now.In(loc)
	year, week = local.ISOWeek()
	if p.Status != bot.ProjectActive {
		return year, week, false
	}
	at := ScheduledAt(p, now, loc)
	startLocal := time.Date(p.Start.Year(), p.Start.Month(), p.Start.Day(), 0, 0, 0, 0, loc)
	return year, week, !now.Before(at) && !at.Before(startLocal)
}

// dateOf returns the calendar date of t in its own location, as midnight UTC,
// the way dates come back from the database.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
