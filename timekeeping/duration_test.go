package timekeeping

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
)

func TestParseDuration(t *testing.T) {
	ok := map[string]int{
		"45m": 45, "90m": 90, "1h": 60, "1h30": 90, "1h30m": 90, "2h15m": 135, "1.5h": 90,
		"1,5h": 90, "0.25h": 15, "2H": 120, " 15min ": 15, "0:45": 45, "1:05": 65, "24h": 1440,
		"1.33h": 80, "3 hours": 180, "1h 5m": 65, "10 mins": 10,
	}
	for in, want := range ok {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                            "say how long",
		"45":                          "needs a unit",
		"1.5":                         "needs a unit",
		"0m":                          "less than a minute",
		"0.001h":                      "less than a minute",
		"25h":                         "more than 24h",
		"1h90":                        "write 2h30",
		"-5m":                         "cannot be negative",
		"abc":                         "not a duration",
		"5 days":                      "not a duration",
		"1:75":                        "minutes go up to 59",
		"1h30x":                       "not a duration",
		strings.Repeat("9", 40) + "m": "not a duration",
	}
	for in, want := range bad {
		_, err := ParseDuration(in)
		if err == nil || bot.ErrorCode(err) != bot.EInvalid || !strings.Contains(bot.ErrorMessage(err), want) {
			t.Errorf("ParseDuration(%q) error = %v; want invalid containing %q", in, err, want)
		}
	}
}

func TestFormatMinutes(t *testing.T) {
	for m, want := range map[int]string{5: "5m", 60: "1h", 90: "1h30", 125: "2h05", -30: "-30m"} {
		if got := FormatMinutes(m); got != want {
			t.Errorf("FormatMinutes(%d) = %q; want %q", m, got, want)
		}
	}
}

// FuzzParseDuration: never panics, only invalid errors, accepted values lie in
// 1..1440 and survive a round trip through FormatMinutes.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"45m", "1h30", "1.5h", "2h15m", "90m", "0:45", "1,5h", "", "-1h", "1h99", "99999m", "1e3h", "١h", "1.h", "h", "m30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseDuration(s)
		if err != nil {
			if bot.ErrorCode(err) != bot.EInvalid {
				t.Fatalf("ParseDuration(%q): code %s", s, bot.ErrorCode(err))
			}
			if !utf8.ValidString(bot.ErrorMessage(err)) && utf8.ValidString(s) {
				t.Fatalf("ParseDuration(%q): message not UTF-8", s)
			}
			return
		}
		if n < 1 || n > MaxEntryMinutes {
			t.Fatalf("ParseDuration(%q) = %d out of range", s, n)
		}
		back, err := ParseDuration(FormatMinutes(n))
		if err != nil || back != n {
			t.Fatalf("round trip %q → %d → %q → %d, %v", s, n, FormatMinutes(n), back, err)
		}
	})
}
