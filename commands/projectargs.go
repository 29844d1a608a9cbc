package commands

import (
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

var (
	isoWeekRE = regexp.MustCompile(`^(\d{4})-[Ww](\d{1,2})$`)
	chanRE    = regexp.MustCompile(`^<#([A-Za-z0-9_-]+)(?:\|[^>]*)?>$`)
)

// parseDuration reads a budget or an effort (parse.Duration: 6h, 90m, 1h30,
// "1h 30m", 1.5h, 0:45) as whole minutes.
func parseDuration(s string) (int, error) { return parse.Duration(s) }

// parseDate reads a project date (parse.Date): today, tomorrow, a weekday
// (the next one), or 2026-12-05. The result is a date at midnight UTC.
func parseDate(s string, today time.Time) (time.Time, error) {
	return parse.Date(s, today, parse.Future)
}

// parseClock reads a local time of day such as 15:00 or 9:30 as minutes after midnight.
func parseClock(s string) (int, error) { return parse.Clock(s) }

// parseWindow reads a time window such as 18:00-22:00 (parse.Range). A window
// ending before it starts runs past midnight (22:00-02:00); it may end at 24:00.
func parseWindow(s string) (starts, ends int, err error) {
	starts, ends, err = parse.Range(s)
	return starts, ends % (24 * 60), err
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

// parseSchedule reads when weekly updates are drafted: "fri 15:00", "monday 9:00".
func parseSchedule(s string) (time.Weekday, int, error) {
	day, clk, _ := strings.Cut(strings.TrimSpace(s), " ")
	wd, ok := parse.Weekday(day)
	if !ok {
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
