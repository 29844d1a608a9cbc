package parse

import (
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Direction says which way a bare weekday points from today: time is logged for
// a day that has passed (fri = the latest Friday), a deadline or an absence is
// ahead (fri = the next Friday). Today counts either way.
type Direction int

// The two directions.
const (
	Past Direction = iota + 1
	Future
)

var weekdayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// Weekday reads a weekday name or its first three or more letters (fri, thurs).
func Weekday(s string) (time.Weekday, bool) {
	w := strings.ToLower(strings.TrimSpace(s))
	if len(w) < 3 {
		return 0, false
	}
	for i, name := range weekdayNames {
		if strings.HasPrefix(name, w) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// Date reads today, yesterday, tomorrow, an ISO date (2026-12-05) or a weekday
// (fri, friday; see Direction) relative to today, a date at midnight UTC. The
// result is a date at midnight UTC.
func Date(s string, today time.Time, dir Direction) (time.Time, error) {
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	in := strings.ToLower(strings.TrimSpace(s))
	switch in {
	case "today":
		return today, nil
	case "yesterday":
		return today.AddDate(0, 0, -1), nil
	case "tomorrow":
		return today.AddDate(0, 0, 1), nil
	}
	if wd, ok := Weekday(in); ok {
		diff := int(wd) - int(today.Weekday())
		if dir == Past {
			return today.AddDate(0, 0, -((7 - diff) % 7)), nil
		}
		return today.AddDate(0, 0, (diff+7)%7), nil
	}
	t, err := time.Parse("2006-01-02", in)
	if err != nil || t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, bot.Errorf(bot.EInvalid, "%q is not a date: write today, yesterday, a weekday (fri) or year-month-day (2026-12-05)", clip(s))
	}
	return t, nil
}
