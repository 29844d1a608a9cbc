package timekeeping

import (
	"time"

	"github.com/mspbot/mspbot/bot"
)

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
