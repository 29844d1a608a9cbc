package commands

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
)

// The parsers below read the arguments of /project and /lessons. Each returns an
// invalid-input error that shows an example, and none of them panics on any
// input (they are fuzzed).

// maxMinutes bounds any duration typed: a year of working hours is plenty.
const maxMinutes = 10000 * 60

var (
	durHM     = regexp.MustCompile(`^(\d{1,5})h(?:\s*(\d{1,4})m?)?$`) // 6h, 1h30, 1h30m
	durH      = regexp.MustCompile(`^(\d{1,5}(?:[.,]\d{1,2})?)h(?:ours?|rs?)?$`)
	durM      = regexp.MustCompile(`^(\d{1,6})m(?:in(?:utes?|s)?)?$`)
	clockRE   = regexp.MustCompile(`^(\d{1,2}):(\d{2})$`)
	isoWeekRE = regexp.MustCompile(`^(\d{4})-[Ww](\d{1,2})$`)
	chanRE    = regexp.MustCompile(`^<#([A-Za-z0-9_-]+)(?:\|[^>]*)?>$`)
)

// parseDuration reads a duration such as 6h, 90m, 1h30, 1h30m, 1.5h or 2 hours'
// worth written 2h, and returns whole minutes (more than zero).
func parseDuration(s string) (int, error) {
	bad := bot.Errorf(bot.EInvalid, "%q is not a duration: write hours or minutes, e.g. 6h, 90m, 1h30 or 1.5h", s)
	t := strings.ToLower(strings.TrimSpace(s))
	var minutes float64
	switch {
	case durHM.MatchString(t):
		m := durHM.FindStringSubmatch(t)
		h, _ := strconv.Atoi(m[1])
		minutes = float64(h * 60)
		if m[2] != "" {
			mm, _ := strconv.Atoi(m[2])
			if mm >= 60 {
				return 0, bad
			}
			minutes += float64(mm)
		}
	case durH.MatchString(t):
		h, err := strconv.ParseFloat(strings.Replace(durH.FindStringSubmatch(t)[1], ",", ".", 1), 64)
		if err != nil {
			return 0, bad
		}
		minutes = math.Round(h * 60)
	case durM.MatchString(t):
		m, err := strconv.Atoi(durM.FindStringSubmatch(t)[1])
		if err != nil {
			return 0, bad
		}
		minutes = float64(m)
	default:
		return 0, bad
	}
	if minutes <= 0 {
		return 0, bot.Errorf(bot.EInvalid, "%q is no time at all; give a duration such as 30m or 2h", s)
	}
	if minutes > maxMinutes {
		return 0, bot.Errorf(bot.EInvalid, "%q is more than %d hours; check the number", s, maxMinutes/60)
	}
	return int(minutes), nil
}

// parseDate reads a date written 2026-12-05, or today / tomorrow relative to
// today (a date at midnight UTC). The result is a date at midnight UTC.
func parseDate(s string, today time.Time) (time.Time, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "today":
		return today, nil
	case "tomorrow":
		return today.AddDate(0, 0, 1), nil
	}
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil || t.Year() < 2000 || t.Year() > 2200 {
		return time.Time{}, bot.Errorf(bot.EInvalid, "%q is not a date: write it as 2026-12-05 (year-month-day)", s)
	}
	return t, nil
}

// parseClock reads a local time of day such as 15:00 or 9:30 as minutes after midnight.
func parseClock(s string) (int, error) {
	m := clockRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, bot.Errorf(bot.EInvalid, "%q is not a time of day: write it as 18:00", s)
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	if h > 23 || mm > 59 {
		return 0, bot.Errorf(bot.EInvalid, "%q is not a time of day: hours run 00-23 and minutes 00-59", s)
	}
	return h*60 + mm, nil
}

// parseWindow reads a time window such as 18:00-22:00. A window ending before it
// starts runs past midnight (22:00-02:00); an empty window is refused.
func parseWindow(s string) (starts, ends int, err error) {
	a, b, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), "–", "-"), "-")
	if !ok {
		return 0, 0, bot.Errorf(bot.EInvalid, "%q is not a time window: write it as 18:00-22:00", s)
	}
	if starts, err = parseClock(a); err != nil {
		return 0, 0, err
	}
	if ends, err = parseClock(b); err != nil {
		return 0, 0, err
	}
	if starts == ends {
		return 0, 0, bot.Errorf(bot.EInvalid, "the window %s starts and ends at the same time", s)
	}
	return starts, ends, nil
}

// parsePercent reads 60% or 60 (0 to 100).
func parsePercent(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if err != nil || n < 0 || n > 100 {
		return 0, bot.Errorf(bot.EInvalid, "%q is not a percentage: give a whole number from 0 to 100, e.g. 60%%", s)
	}
	return n, nil
}

// parseProjectRef reads P12 or #P12 (parse.ProjectNumber).
func parseProjectRef(s string) (int, error) {
	n, err := parse.ProjectNumber(s)
	return int(n), err
}

// parseISOWeek reads 2026-W49.
func parseISOWeek(s string) (year, week int, ok bool) {
	m := isoWeekRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, 0, false
	}
	year, _ = strconv.Atoi(m[1])
	week, _ = strconv.Atoi(m[2])
	return year, week, week >= 1 && week <= 53
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseSchedule reads when weekly updates are drafted: "fri 15:00", "monday 9:00".
func parseSchedule(s string) (time.Weekday, int, error) {
	day, clk, _ := strings.Cut(strings.TrimSpace(s), " ")
	d := strings.ToLower(day)
	if len(d) < 3 {
		return 0, 0, bot.Errorf(bot.EInvalid, "%q is not a schedule: write a weekday and a time, e.g. \"fri 15:00\"", s)
	}
	wd, ok := weekdays[d[:3]]
	if !ok || !strings.HasPrefix(strings.ToLower(wd.String()), d) {
		return 0, 0, bot.Errorf(bot.EInvalid, "%q is not a schedule: write a weekday and a time, e.g. \"fri 15:00\"", s)
	}
	m, err := parseClock(clk)
	if err != nil {
		return 0, 0, err
	}
	return wd, m, nil
}

// parseChannel reads a channel: a Slack or Discord channel mention (<#C123|name>,
// <#123>) or a bare channel id or name.
func parseChannel(s string) (string, error) {
	s = strings.TrimSpace(s)
	if m := chanRE.FindStringSubmatch(s); m != nil {
		return m[1], nil
	}
	s = strings.TrimPrefix(s, "#")
	if s == "" || strings.ContainsAny(s, " <>@!") {
		return "", bot.Errorf(bot.EInvalid, "%q is not a channel: mention it (#acme-updates) or give its id", s)
	}
	return s, nil
}

// splitFlags separates --name value pairs (names listed in known) from the
// positional arguments. An unknown flag, or one without a value, is an error.
func splitFlags(args []string, known ...string) (pos []string, flags map[string]string, err error) {
	flags = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") || len(a) == 2 {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		name = strings.ToLower(name)
		ok := false
		for _, k := range known {
			ok = ok || k == name
		}
		if !ok {
			return nil, nil, bot.Errorf(bot.EInvalid, "--%s is not an option here; the options are --%s", name, strings.Join(known, ", --"))
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, nil, bot.Errorf(bot.EInvalid, "--%s needs a value", name)
			}
			i++
			val = args[i]
		}
		flags[name] = val
	}
	return pos, flags, nil
}
