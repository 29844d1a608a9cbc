package parse

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// MaxMinutes bounds any duration typed anywhere: ten thousand hours is more than
// any budget; commands with a tighter limit say so in their own words
// (DurationUpTo).
const MaxMinutes = 10000 * 60

const (
	hourUnit = `(?:h|hr|hrs|hour|hours)`
	minUnit  = `(?:m|min|mins|minute|minutes)`
)

var (
	// One part of a duration: "1h", "1.5 hours", "30m", "1h30", "1h30m".
	hoursRE     = regexp.MustCompile(`^(\d{1,5}(?:[.,]\d{1,3})?)\s*` + hourUnit + `$`)
	hoursMinsRE = regexp.MustCompile(`^(\d{1,5})\s*` + hourUnit + `(\d{1,4})` + minUnit + `?$`)
	minsRE      = regexp.MustCompile(`^(\d{1,6})\s*` + minUnit + `$`)
	// "1h 30m", "1 hour 30 minutes": hours, then minutes with their unit.
	splitRE  = regexp.MustCompile(`^(\d{1,5})\s*` + hourUnit + `\s+(\d{1,4})\s*` + minUnit + `$`)
	hmRE     = regexp.MustCompile(`^(\d{1,4}):(\d{2})$`)
	numberRE = regexp.MustCompile(`^\d{1,6}(?:[.,]\d+)?$`)
)

const durationExample = "e.g. 45m, 1h30, 1h 30m, 1.5h or 0:45"

// Duration reads a duration into whole minutes: 45m, 90 min, 1h, 1.5h, 1,5h,
// 1h30, 1h30m, "1h 30m", "1 hour 30 minutes", 0:45. Fractions round to the
// nearest minute. Zero, negative and unit-less numbers are refused.
func Duration(s string) (int, error) {
	return DurationUpTo(s, MaxMinutes, "check the number")
}

// DurationUpTo reads a duration like Duration and refuses more than max
// minutes with "… is more than <max>; <advice>", so each command explains its
// own limit.
func DurationUpTo(s string, max int, advice string) (int, error) {
	n, _, err := minutesOf(s)
	if err != nil {
		return 0, err
	}
	return within(n, max, advice)
}

// within refuses more than max minutes in the command's own words.
func within(n, max int, advice string) (int, error) {
	if n > max {
		return 0, bot.Errorf(bot.EInvalid, "%s is more than %s; %s", FormatMinutes(n), FormatMinutes(max), advice)
	}
	return n, nil
}

// minutesOf reads a duration with no upper limit beyond the regexps' digits.
// shaped says s is written as a duration even when refused (1h90, 0m), so that
// LeadingDuration reports that error rather than reading fewer words.
func minutesOf(s string) (n int, shaped bool, err error) {
	in := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	bad := func(format string, args ...any) (int, bool, error) {
		return 0, shaped, bot.Errorf(bot.EInvalid, format, args...)
	}
	if in == "" {
		return bad("say how long, %s", durationExample)
	}
	var minutes float64
	switch m := []string(nil); {
	case len(in) > 32:
		return bad("%q is not a duration: write it %s", clip(s), durationExample)
	case strings.HasPrefix(in, "-"):
		return bad("a duration cannot be negative (%s)", clip(s))
	case minsRE.MatchString(in):
		shaped = true
		m = minsRE.FindStringSubmatch(in)
		n, _ := strconv.Atoi(m[1])
		minutes = float64(n)
	case hoursRE.MatchString(in):
		shaped = true
		m = hoursRE.FindStringSubmatch(in)
		h, _ := strconv.ParseFloat(strings.Replace(m[1], ",", ".", 1), 64)
		minutes = h * 60
	case hoursMinsRE.MatchString(in), splitRE.MatchString(in), hmRE.MatchString(in):
		shaped = true
		for _, re := range []*regexp.Regexp{hoursMinsRE, splitRE, hmRE} {
			if m = re.FindStringSubmatch(in); m != nil {
				break
			}
		}
		h, _ := strconv.Atoi(m[1])
		mm, _ := strconv.Atoi(m[2])
		if mm >= 60 {
			return bad("%q has %d minutes after the hours; write %dh%02d instead", clip(s), mm, h+mm/60, mm%60)
		}
		minutes = float64(h*60 + mm)
	case numberRE.MatchString(in):
		return bad("%q needs a unit: %sm for minutes or %sh for hours", clip(s), in, in)
	default:
		return bad("%q is not a duration: write it %s", clip(s), durationExample)
	}
	n = int(math.Round(minutes))
	if n <= 0 {
		return bad("%q is less than a minute; give at least 1m", clip(s))
	}
	return n, true, nil
}

var daysRE = regexp.MustCompile(`^(\d{1,3})\s*(?:days|day|d)(?:\s*(.*))?$`)

// LongDuration reads a duration that may run to days, such as a resolution
// target: 4h, 2d, 3d12h, "1 day 2h". A day is 24 hours here, never a working
// day, so it is only for clocks that run around the clock.
func LongDuration(s string, max int, advice string) (int, error) {
	in := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	m := daysRE.FindStringSubmatch(in)
	if m == nil {
		return DurationUpTo(s, max, advice)
	}
	days, _ := strconv.Atoi(m[1])
	rest := 0
	if m[2] != "" {
		var err error
		if rest, _, err = minutesOf(m[2]); err != nil {
			return 0, bot.Errorf(bot.EInvalid, "%q is not a duration: write it e.g. 4h, 2d or 3d12h", clip(s))
		}
	}
	n := days*24*60 + rest
	if n <= 0 {
		return 0, bot.Errorf(bot.EInvalid, "%q is less than a minute; give at least 1m", clip(s))
	}
	return within(n, max, advice)
}

// LeadingDuration reads the duration that starts args, which may take more than
// one word ("1h 30m", "90 min", "1 hour 30 minutes"), and says how many words
// it used. It reads as many words as still make one duration, so "1h 30m" is
// ninety minutes and never one hour with the note "30m".
func LeadingDuration(args []string, max int, advice string) (minutes, used int, err error) {
	for n := min(4, len(args)); n > 1; n-- {
		if m, shaped, err := minutesOf(strings.Join(args[:n], " ")); shaped {
			if err == nil {
				m, err = within(m, max, advice)
			}
			return m, n, err
		}
	}
	first := ""
	if len(args) > 0 {
		first = args[0]
	}
	m, err := DurationUpTo(first, max, advice)
	if err != nil {
		return 0, 0, err
	}
	return m, 1, nil
}

// FormatMinutes writes minutes the way people say them: 45m, 1h, 1h30.
func FormatMinutes(m int) string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	switch {
	case m < 60:
		return sign + strconv.Itoa(m) + "m"
	case m%60 == 0:
		return sign + strconv.Itoa(m/60) + "h"
	}
	mm := strconv.Itoa(m % 60)
	if len(mm) == 1 {
		mm = "0" + mm
	}
	return sign + strconv.Itoa(m/60) + "h" + mm
}
