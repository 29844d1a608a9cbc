// Package timeentry holds the rules a time entry obeys, whoever records it
// (/time, /timer, Home's log-time form): how long one entry and one day may
// be, how a running timer counts toward its day, and when a day is locked.
// They are pure functions; commands reads and stores the entries.
package timeentry

import (
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
	"github.com/mspbot/mspbot/timekeeping"
)

// MaxMinutes is the longest single time entry and the most one person's day
// holds: 24h. The database holds the same line for stored entries
// (migration 00130).
const MaxMinutes = 24 * 60

// limitAdvice is what a person is told when one entry is more than a day.
const limitAdvice = "split it into one entry per day with --date"

// LeadingDuration reads the duration args start with, within MaxMinutes, and
// how many words it took.
func LeadingDuration(args []string) (minutes, used int, err error) {
	return parse.LeadingDuration(args, MaxMinutes, limitAdvice)
}

// Running is how many minutes a timer started at started has run by now
// toward day date (in loc): none when it started on another day.
func Running(started, date, now time.Time, loc *time.Location) int {
	if !timekeeping.DateOf(started, loc).Equal(date) {
		return 0
	}
	return int(now.Sub(started).Minutes())
}

// FitsDay refuses adding minutes to a day already holding logged minutes and
// running ones on a timer, when that would pass 24h.
func FitsDay(date time.Time, logged, running, minutes int) error {
	total := logged + running + minutes
	if total <= MaxMinutes {
		return nil
	}
	timer := ""
	if running > 0 {
		timer = " and " + parse.FormatMinutes(running) + " on the running timer"
	}
	return bot.Errorf(bot.EConflict, "that would make %s on %s (%s logged%s); a day holds at most 24h",
		parse.FormatMinutes(total), date.Format("Mon 2 Jan"), parse.FormatMinutes(logged), timer)
}

// DayFull reports whether a day holding logged minutes can take no timer.
func DayFull(logged int) bool { return logged >= MaxMinutes }

// Locked reports whether entries dated date can no longer change, today
// being today and the workspace's lock lockDays days.
func Locked(date, today time.Time, lockDays int) bool {
	return date.Before(today.AddDate(0, 0, -lockDays))
}
