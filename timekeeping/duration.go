package timekeeping

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// MaxEntryMinutes is the longest single time entry: one day.
const MaxEntryMinutes = 24 * 60

var (
	reHours     = regexp.MustCompile(`^(\d{1,3}(?:[.,]\d{1,3})?)\s*(h|hr|hrs|hour|hours)$`)
	reHoursMins = regexp.MustCompile(`^(\d{1,3})\s*(?:h|hr|hrs)\s*(\d{1,3})\s*(m|min|mins)?$`)
	reMins      = regexp.MustCompile(`^(\d{1,5})\s*(m|min|mins|minute|minutes)$`)
	reClock     = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)
	reNumber    = regexp.MustCompile(`^\d+(?:[.,]\d+)?$`)
)

// ParseDuration reads a typed duration into whole minutes: 45m, 90m, 1h, 1h30,
// 1h30m, 2h15m, 1.5h, 1,5h, 0:45. Fractions round to the nearest minute. It
// refuses zero, more than a day, and anything ambiguous, with an error that says
// what to type instead.
func ParseDuration(s string) (int, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	bad := func(format string, args ...any) (int, error) {
		return 0, bot.Errorf(bot.EInvalid, format, args...)
	}
	if in == "" {
		return bad("say how long, for example 45m, 1h30 or 1.5h")
	}
	if len(in) > 20 {
		return bad("%q is not a duration; use for example 45m, 1h30 or 1.5h", truncate(s, 20))
	}
	var minutes float64
	switch {
	case reMins.MatchString(in):
		m := reMins.FindStringSubmatch(in)
		n, _ := strconv.Atoi(m[1])
		minutes = float64(n)
	case reHours.MatchString(in):
		m := reHours.FindStringSubmatch(in)
		h, _ := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
		minutes = h * 60
	case reHoursMins.MatchString(in):
		m := reHoursMins.FindStringSubmatch(in)
		h, _ := strconv.Atoi(m[1])
		mm, _ := strconv.Atoi(m[2])
		if mm >= 60 {
			return bad("%q has %d minutes after the hours; write %dh%02d instead", s, mm, h+mm/60, mm%60)
		}
		minutes = float64(h*60 + mm)
	case reClock.MatchString(in):
		m := reClock.FindStringSubmatch(in)
		h, _ := strconv.Atoi(m[1])
		mm, _ := strconv.Atoi(m[2])
		if mm >= 60 {
			return bad("%q is not a duration: minutes go up to 59", s)
		}
		minutes = float64(h*60 + mm)
	case reNumber.MatchString(in):
		return bad("%q needs a unit: %sm for minutes or %sh for hours", s, in, in)
	case strings.HasPrefix(in, "-"):
		return bad("a duration cannot be negative; to remove time use /time delete <id>")
	default:
		return bad("%q is not a duration; use for example 45m, 90m, 1h30 or 1.5h", truncate(s, 20))
	}
	n := int(math.Round(minutes))
	switch {
	case n <= 0:
		return bad("%q is less than a minute; log at least 1m", s)
	case n > MaxEntryMinutes:
		return bad("%q is more than 24h; split it into one entry per day with --date", s)
	}
	return n, nil
}

// FormatMinutes writes minutes the way people say them: 45m, 1h, 1h30.
func FormatMinutes(m int) string {
	neg := m < 0
	if neg {
		m = -m
	}
	var out string
	switch {
	case m < 60:
		out = strconv.Itoa(m) + "m"
	case m%60 == 0:
		out = strconv.Itoa(m/60) + "h"
	default:
		out = strconv.Itoa(m/60) + "h" + twoDigits(m%60)
	}
	if neg {
		return "-" + out
	}
	return out
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
