package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

func TestReadRef(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" when refused
	}{
		{"1001", "#1001"}, {"#1001", "#1001"}, {"P12", "P12"}, {"p12", "P12"}, {"#P12", "P12"}, {"#p12", "P12"},
		{" 1001 ", "#1001"}, {"007", "#7"}, {"P", ""}, {"#", ""}, {"0", ""}, {"#0", ""}, {"P0", ""},
		{"-5", ""}, {"12a", ""}, {"PP12", ""}, {"##12", ""}, {"P 12", ""}, {"Bob's", ""},
		{"99999999999999999999", ""}, {"1.5h", ""}, {"45m", ""},
	}
	for _, c := range cases {
		r, err := ReadRef(c.in)
		if c.want == "" {
			if err == nil || bot.ErrorCode(err) != bot.EInvalid || LooksLikeRef(c.in) {
				t.Errorf("ReadRef(%q) = %v, %v; want an invalid error", c.in, r, err)
			}
			continue
		}
		if err != nil || r.String() != c.want || !LooksLikeRef(c.in) {
			t.Errorf("ReadRef(%q) = %v, %v; want %s", c.in, r, err, c.want)
		}
		// What is printed reads back as the same reference.
		if back, err := ReadRef(r.String()); err != nil || back != r {
			t.Errorf("ReadRef(%q) = %v, %v; want %v", r.String(), back, err, r)
		}
	}
}

func TestRequestAndProjectNumbers(t *testing.T) {
	for _, in := range []string{"1001", "#1001"} {
		if n, err := RequestNumber(in); err != nil || n != 1001 {
			t.Errorf("RequestNumber(%q) = %d, %v", in, n, err)
		}
		if _, err := ProjectNumber(in); err == nil || !strings.Contains(bot.ErrorMessage(err), "#1001 is a request; name a project as P1001") {
			t.Errorf("ProjectNumber(%q) error = %v", in, err)
		}
	}
	for _, in := range []string{"P12", "#P12", "p12"} {
		if n, err := ProjectNumber(in); err != nil || n != 12 {
			t.Errorf("ProjectNumber(%q) = %d, %v", in, n, err)
		}
		if _, err := RequestNumber(in); err == nil || !strings.Contains(bot.ErrorMessage(err), "P12 is a project") {
			t.Errorf("RequestNumber(%q) error = %v", in, err)
		}
	}
}

func TestDuration(t *testing.T) {
	cases := []struct {
		in   string
		want int
		err  string
	}{
		{"45m", 45, ""}, {"45 min", 45, ""}, {"90mins", 90, ""}, {"1h", 60, ""}, {"1.5h", 90, ""}, {"1,5h", 90, ""},
		{"1h30", 90, ""}, {"1h30m", 90, ""}, {"1h 30m", 90, ""}, {"1 hour 30 minutes", 90, ""}, {"2 hours", 120, ""},
		{"0:45", 45, ""}, {"1:30", 90, ""}, {"0.25h", 15, ""}, {"1.333h", 80, ""}, {"2H15M", 135, ""},
		{"45", 0, "needs a unit: 45m for minutes or 45h"}, {"1h90", 0, "write 2h30 instead"}, {"1h 90m", 0, "write 2h30 instead"},
		{"0m", 0, "less than a minute"}, {"0:00", 0, "less than a minute"}, {"-1h", 0, "cannot be negative"},
		{"", 0, "say how long"}, {"soon", 0, "is not a duration"}, {"1h 30", 0, "is not a duration"},
		{"1:75", 0, "write 2h15 instead"}, {"10001h", 0, "is more than 10000h"},
		{"24h", 1440, ""}, {"1.33h", 80, ""}, {"3 hours", 180, ""}, {" 15min ", 15, ""}, {"1:05", 65, ""}, {"10 mins", 10, ""},
		{"1.5", 0, "needs a unit"}, {"0.001h", 0, "less than a minute"}, {"5 days", 0, "is not a duration"},
		{"1h30x", 0, "is not a duration"}, {strings.Repeat("9", 40) + "m", 0, "is not a duration"}, {"1e3h", 0, "is not a duration"},
	}
	for _, c := range cases {
		got, err := Duration(c.in)
		if c.err != "" {
			if err == nil || bot.ErrorCode(err) != bot.EInvalid || !strings.Contains(bot.ErrorMessage(err), c.err) {
				t.Errorf("Duration(%q) = %d, %v; want invalid containing %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Duration(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	// Each command states its own limit.
	_, err := DurationUpTo("48h", 8*60, "snooze for a working day at most")
	if err == nil || bot.ErrorMessage(err) != "48h is more than 8h; snooze for a working day at most" {
		t.Errorf("DurationUpTo(48h, 8h) error = %v", err)
	}
}

func TestLongDuration(t *testing.T) {
	for in, want := range map[string]int{"4h": 240, "2d": 2880, "3d12h": 5040, "1 day 2h": 1560, "2 days": 2880, "90m": 90} {
		if got, err := LongDuration(in, 90*24*60, "x"); err != nil || got != want {
			t.Errorf("LongDuration(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"0d": "less than a minute", "2dd": "is not a duration", "91d": "is more than 2160h; x", "d": "is not a duration"} {
		if _, err := LongDuration(in, 90*24*60, "x"); err == nil || !strings.Contains(bot.ErrorMessage(err), want) {
			t.Errorf("LongDuration(%q) error = %v; want %q", in, err, want)
		}
	}
}

func TestLeadingDuration(t *testing.T) {
	cases := []struct {
		in         string
		want, used int
	}{
		{"1h 30m #1001 cabling", 90, 2}, {"1h #1001", 60, 1}, {"1 hour 30 minutes 1001", 90, 4},
		{"90 min 1001", 90, 2}, {"1h 30 1001", 60, 1}, {"0:45 P12", 45, 1}, {"1.5h", 90, 1},
	}
	for _, c := range cases {
		m, n, err := LeadingDuration(strings.Fields(c.in), 24*60, "split it")
		if err != nil || m != c.want || n != c.used {
			t.Errorf("LeadingDuration(%q) = %d, %d, %v; want %d, %d", c.in, m, n, err, c.want, c.used)
		}
	}
	if _, _, err := LeadingDuration(strings.Fields("24h 30m x"), 24*60, "split it into one entry per day"); err == nil ||
		bot.ErrorMessage(err) != "24h30 is more than 24h; split it into one entry per day" {
		t.Errorf("LeadingDuration(24h 30m) error = %v", err)
	}
	if _, _, err := LeadingDuration(strings.Fields("20h 300m x"), 24*60, ""); err == nil ||
		!strings.Contains(bot.ErrorMessage(err), "write 25h00 instead") {
		t.Errorf("LeadingDuration(20h 300m) error = %v", err)
	}
	if _, _, err := LeadingDuration(nil, 60, ""); err == nil {
		t.Error("LeadingDuration(nil) accepted")
	}
}

func TestDate(t *testing.T) {
	wed := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) // a Wednesday
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		in   string
		dir  Direction
		want time.Time
	}{
		{"today", Past, wed}, {"yesterday", Past, day(1)}, {"tomorrow", Future, day(3)}, {"2026-12-25", Past, day(25)},
		{"fri", Past, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}, {"friday", Future, day(4)},
		{"wed", Past, wed}, {"Wednesday", Future, wed}, {"mon", Past, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)},
		{"thurs", Future, day(3)}, {"tue", Future, day(8)},
	}
	for _, c := range cases {
		got, err := Date(c.in, wed.Add(15*time.Hour), c.dir)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("Date(%q, %v) = %s, %v; want %s", c.in, c.dir, got, err, c.want)
		}
	}
	for _, in := range []string{"", "fr", "2026-13-01", "1999-01-01", "next week", "12/05/2026"} {
		if _, err := Date(in, wed, Past); err == nil || bot.ErrorCode(err) != bot.EInvalid {
			t.Errorf("Date(%q) error = %v; want invalid", in, err)
		}
	}
}

func TestClockAndRange(t *testing.T) {
	clocks := map[string]int{"8": 480, "08:00": 480, "16:30": 990, "9am": 540, "5:30pm": 1050, "12am": 0, "12pm": 720, "0:00": 0, "23:59": 1439}
	for in, want := range clocks {
		if got, err := Clock(in); err != nil || got != want {
			t.Errorf("Clock(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"24:00", "25:00", "8:60", "13pm", "0am", "noon", "", "8:5"} {
		if _, err := Clock(in); err == nil || bot.ErrorCode(err) != bot.EInvalid {
			t.Errorf("Clock(%q) error = %v; want invalid", in, err)
		}
	}
	ranges := map[string][2]int{"08:00-16:30": {480, 990}, "18:00–22:00": {1080, 1320}, "22:00-02:00": {1320, 120},
		"9am-5pm": {540, 1020}, "00:00-24:00": {0, 1440}, "8 to 17": {480, 1020}}
	for in, want := range ranges {
		if s, e, err := Range(in); err != nil || s != want[0] || e != want[1] {
			t.Errorf("Range(%q) = %d, %d, %v; want %v", in, s, e, err, want)
		}
	}
	for _, in := range []string{"08:00", "08:00-08:00", "24:00-08:00", "x-y", "-"} {
		if _, _, err := Range(in); err == nil || bot.ErrorCode(err) != bot.EInvalid {
			t.Errorf("Range(%q) error = %v; want invalid", in, err)
		}
	}
	if FormatClock(990) != "16:30" || FormatMinutes(90) != "1h30" || FormatMinutes(45) != "45m" || FormatMinutes(120) != "2h" {
		t.Error("formatting is off")
	}
}
