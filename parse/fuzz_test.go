package parse

import (
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// The fuzz targets check that no input panics, that every refusal is an invalid
// input error, and that what is accepted is in range and reads back the same.
// Seeds live in testdata/fuzz as well as below.

func FuzzRef(f *testing.F) {
	for _, s := range []string{"1001", "#1001", "P12", "#p12", "0", "P", "#", "99999999999999999999", "P-1", "１２"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ReadRef(s)
		if err != nil {
			if bot.ErrorCode(err) != bot.EInvalid || LooksLikeRef(s) {
				t.Fatalf("ReadRef(%q) error %v", s, err)
			}
			return
		}
		if r.Number <= 0 || (r.Kind != Request && r.Kind != Project) {
			t.Fatalf("ReadRef(%q) = %+v", s, r)
		}
		if back, err := ReadRef(r.String()); err != nil || back != r {
			t.Fatalf("ReadRef(%q) = %v, %v; want %v", r.String(), back, err, r)
		}
	})
}

func FuzzDuration(f *testing.F) {
	for _, s := range []string{"45m", "1h 30m", "1.5h", "0:45", "1h90", "45", "-1h", "1 hour 30 minutes", "9999:59", "1,999h", "h", "", "1h99", "99999m", "1e3h", "١h", "1.h", "m30", "3d12h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Duration(s)
		if err != nil {
			if bot.ErrorCode(err) != bot.EInvalid {
				t.Fatalf("Duration(%q) error %v", s, err)
			}
			return
		}
		if n <= 0 || n > MaxMinutes {
			t.Fatalf("Duration(%q) = %d", s, n)
		}
		if back, err := Duration(FormatMinutes(n)); err != nil || back != n {
			t.Fatalf("Duration(%q) = %d, %v; want %d", FormatMinutes(n), back, err, n)
		}
		if long, err := LongDuration(s, MaxMinutes, ""); err != nil || long != n {
			t.Fatalf("LongDuration(%q) = %d, %v; want %d", s, long, err, n)
		}
		m, used, err := LeadingDuration(strings.Fields(s), MaxMinutes, "")
		if err != nil || m != n || used != len(strings.Fields(s)) {
			t.Fatalf("LeadingDuration(%q) = %d, %d, %v; want %d", s, m, used, err, n)
		}
	})
}

func FuzzDateClock(f *testing.F) {
	for _, s := range []string{"today", "fri", "2026-12-05", "08:00-16:30", "9am", "22:00-02:00", "24:00", "thursday", "2026-02-30"} {
		f.Add(s)
	}
	today := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		for _, dir := range []Direction{Past, Future} {
			d, err := Date(s, today, dir)
			if err != nil {
				if bot.ErrorCode(err) != bot.EInvalid {
					t.Fatalf("Date(%q) error %v", s, err)
				}
				continue
			}
			if d.Hour() != 0 || d.Location() != time.UTC || d.Year() < 2000 || d.Year() > 2200 {
				t.Fatalf("Date(%q) = %s", s, d)
			}
		}
		if m, err := Clock(s); err == nil && (m < 0 || m >= dayMinutes) {
			t.Fatalf("Clock(%q) = %d", s, m)
		} else if err != nil && bot.ErrorCode(err) != bot.EInvalid {
			t.Fatalf("Clock(%q) error %v", s, err)
		}
		if a, b, err := Range(s); err == nil && (a < 0 || a >= dayMinutes || b < 0 || b > dayMinutes || a == b) {
			t.Fatalf("Range(%q) = %d, %d", s, a, b)
		} else if err != nil && bot.ErrorCode(err) != bot.EInvalid {
			t.Fatalf("Range(%q) error %v", s, err)
		}
	})
}
