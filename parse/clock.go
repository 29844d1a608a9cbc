package parse

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// A time of day is minutes after midnight: 0 (00:00) to 1439 (23:59); only the
// end of a range may be 24:00 (1440).
const dayMinutes = 24 * 60

var clockRE = regexp.MustCompile(`^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$`)

const clockExample = "write it 24-hour, e.g. 08:00 or 16:30 (or 9am, 5:30pm)"

// Clock reads a time of day: 8, 08:00, 16:30, 9am, 5:30pm.
func Clock(s string) (int, error) {
	m, err := clock(s)
	if err == nil && m == dayMinutes {
		return 0, bot.Errorf(bot.EInvalid, "24:00 only ends a range; write 00:00 for midnight")
	}
	return m, err
}

func clock(s string) (int, error) {
	bad := bot.Errorf(bot.EInvalid, "%q is not a time of day: %s", clip(s), clockExample)
	m := clockRE.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, bad
	}
	h, _ := strconv.Atoi(m[1])
	mm := 0
	if m[2] != "" {
		mm, _ = strconv.Atoi(m[2])
	}
	if mm > 59 {
		return 0, bad
	}
	if m[3] != "" {
		if h < 1 || h > 12 {
			return 0, bad
		}
		h %= 12
		if m[3][0] == 'p' {
			h += 12
		}
	}
	if h > 24 || (h == 24 && mm > 0) {
		return 0, bad
	}
	return h*60 + mm, nil
}

// FormatClock writes minutes after midnight as 08:30.
func FormatClock(m int) string {
	return twoDigits(m/60) + ":" + twoDigits(m%60)
}

func twoDigits(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Range reads two times of day joined by a dash: 08:00-16:30, 18:00–22:00,
// 9am-5pm. The end may be 24:00. A range that ends before it starts runs past
// midnight (22:00-02:00); whether that is allowed is the command's to say. An empty range is refused.
func Range(s string) (start, end int, err error) {
	t := strings.NewReplacer("–", "-", "—", "-", " to ", "-").Replace(strings.TrimSpace(s))
	a, b, ok := strings.Cut(t, "-")
	if !ok {
		return 0, 0, bot.Errorf(bot.EInvalid, "%q is not a range of hours: write it as 08:00-16:30", clip(s))
	}
	if start, err = Clock(a); err != nil {
		return 0, 0, err
	}
	if end, err = clock(b); err != nil {
		return 0, 0, err
	}
	if start == end {
		return 0, 0, bot.Errorf(bot.EInvalid, "%s starts and ends at the same time", clip(s))
	}
	return start, end, nil
}
