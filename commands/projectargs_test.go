package commands

import (
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// The grammar itself is parse's (tested and fuzzed there); these check what
// /project adds: windows that run past midnight and the update schedule.

func TestParseWindowAndSchedule(t *testing.T) {
	t.Parallel()
	if s, e, err := parseWindow("18:00-22:00"); err != nil || s != 1080 || e != 1320 {
		t.Errorf("18:00-22:00 = %d %d %v", s, e, err)
	}
	if s, e, err := parseWindow("22:00–2:00"); err != nil || s != 1320 || e != 120 {
		t.Errorf("past midnight = %d %d %v", s, e, err)
	}
	if s, e, err := parseWindow("22:00-24:00"); err != nil || s != 1320 || e != 0 {
		t.Errorf("to midnight = %d %d %v", s, e, err)
	}
	for _, in := range []string{"18:00", "18:00-18:00", "24:00-01:00", "9:60-10:00", "-", ""} {
		if _, _, err := parseWindow(in); err == nil {
			t.Errorf("parseWindow(%q) accepted", in)
		}
	}
	if wd, m, err := parseSchedule("Friday 15:00"); err != nil || wd != time.Friday || m != 900 {
		t.Errorf("schedule: %v %d %v", wd, m, err)
	}
	if wd, m, err := parseSchedule("fri 3pm"); err != nil || wd != time.Friday || m != 900 {
		t.Errorf("schedule: %v %d %v", wd, m, err)
	}
	for _, in := range []string{"fr 15:00", "fridays 15:00", "fri", "funday 15:00", "fri 25:00"} {
		if _, _, err := parseSchedule(in); err == nil {
			t.Errorf("parseSchedule(%q) accepted", in)
		}
	}
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
