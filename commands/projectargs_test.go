package commands

import (
	"fmt"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

func TestParseDuration(t *testing.T) {
	good := map[string]int{"6h": 360, "90m": 90, "1h30": 90, "1h30m": 90, "1h 30m": 90, "1.5h": 90, "1,5h": 90, "0.25h": 15,
		"2hours": 120, "2hrs": 120, "45min": 45, "45mins": 45, "45 ": 0, "10000h": 600000}
	for in, want := range good {
		got, err := parseDuration(in)
		if want == 0 {
			if err == nil {
				t.Errorf("parseDuration(%q) = %d; want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("parseDuration(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "h", "0h", "0m", "-1h", "1h60", "10001h", "1e3h", "1.555h", "six hours", "1d", "1h30h"} {
		if got, err := parseDuration(in); err == nil || bot.ErrorCode(err) != bot.EInvalid {
			t.Errorf("parseDuration(%q) = %d, %v; want an invalid-input error", in, got, err)
		}
	}
}

func TestParseWindowAndSchedule(t *testing.T) {
	if s, e, err := parseWindow("18:00-22:00"); err != nil || s != 1080 || e != 1320 {
		t.Errorf("18:00-22:00 = %d %d %v", s, e, err)
	}
	if s, e, err := parseWindow("22:00–2:00"); err != nil || s != 1320 || e != 120 {
		t.Errorf("past midnight = %d %d %v", s, e, err)
	}
	for _, in := range []string{"18:00", "18-22", "18:00-18:00", "24:00-01:00", "9:60-10:00", "-", ""} {
		if _, _, err := parseWindow(in); err == nil {
			t.Errorf("parseWindow(%q) accepted", in)
		}
	}
	if wd, m, err := parseSchedule("Friday 15:00"); err != nil || wd != time.Friday || m != 900 {
		t.Errorf("schedule: %v %d %v", wd, m, err)
	}
	for _, in := range []string{"fr 15:00", "fridays 15:00", "fri", "fri 3pm", "funday 15:00"} {
		if _, _, err := parseSchedule(in); err == nil {
			t.Errorf("parseSchedule(%q) accepted", in)
		}
	}
}

// FuzzParseDuration: any input either fails as invalid input or gives a
// duration in range that reads back the same written in minutes.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"6h", "90m", "1h30", "1.5h", "0h", "99999h", "1h60", "٣h", "1,5h", "h", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseDuration(s)
		if err != nil {
			if bot.ErrorCode(err) != bot.EInvalid {
				t.Fatalf("parseDuration(%q): code %s", s, bot.ErrorCode(err))
			}
			return
		}
		if m <= 0 || m > maxMinutes {
			t.Fatalf("parseDuration(%q) = %d: out of range", s, m)
		}
		if again, err := parseDuration(fmt.Sprintf("%dm", m)); m <= 999999 && (err != nil || again != m) {
			t.Fatalf("%d minutes does not read back: %d %v", m, again, err)
		}
	})
}

// FuzzParseWindow: a window accepted has both ends within the day, differs, and
// reads back the same from its rendering.
func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"18:00-22:00", "22:00-02:00", "9:05-9:06", "23:59-00:00", "18:00", "24:00-1:00", "1:1-2:2", "--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, err := parseWindow(s)
		if err != nil {
			if bot.ErrorCode(err) != bot.EInvalid {
				t.Fatalf("parseWindow(%q): code %s", s, bot.ErrorCode(err))
			}
			return
		}
		if a < 0 || a >= 1440 || b < 0 || b >= 1440 || a == b {
			t.Fatalf("parseWindow(%q) = %d, %d", s, a, b)
		}
		d := bot.Disruption{Starts: a, Ends: b}
		if a2, b2, err := parseWindow(d.Window()); err != nil || a2 != a || b2 != b {
			t.Fatalf("%q renders as %q which reads %d %d %v", s, d.Window(), a2, b2, err)
		}
	})
}

// FuzzParseDate: an accepted date is a midnight-UTC date in a sane range that
// reads back from its ISO form.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-05", "today", "Tomorrow", "2026-02-29", "2028-02-29", "12/05/2026", "0000-01-01", "2026-1-5", ""} {
		f.Add(s)
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDate(s, today)
		if err != nil {
			if bot.ErrorCode(err) != bot.EInvalid {
				t.Fatalf("parseDate(%q): code %s", s, bot.ErrorCode(err))
			}
			return
		}
		if d.Year() < 2000 || d.Year() > 2200 || d.Hour() != 0 || d.Location() != time.UTC {
			t.Fatalf("parseDate(%q) = %v", s, d)
		}
		if again, err := parseDate(d.Format("2006-01-02"), today); err != nil || !again.Equal(d) {
			t.Fatalf("%v does not read back: %v %v", d, again, err)
		}
	})
}
