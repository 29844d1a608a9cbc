package timeentry

import (
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

func TestEntryAndDayLimits(t *testing.T) {
	t.Parallel()
	if m, used, err := LeadingDuration([]string{"1h30", "1001", "fixing"}); err != nil || m != 90 || used != 1 {
		t.Errorf("1h30 = %d min, %d words, %v; want 90, 1", m, used, err)
	}
	if _, _, err := LeadingDuration([]string{"25h"}); err == nil || !strings.Contains(err.Error(), "--date") {
		t.Errorf("25h: %v; want a refusal saying to split by --date", err)
	}
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if err := FitsDay(day, 20*60, 0, 4*60); err != nil {
		t.Errorf("20h + 4h: %v; a day holds exactly 24h", err)
	}
	err := FitsDay(day, 20*60, 90, 3*60)
	if bot.ErrorCode(err) != bot.EConflict || !strings.Contains(err.Error(), "24h30 on Wed 25 Nov (20h logged and 1h30 on the running timer)") {
		t.Errorf("20h + 1h30 running + 3h: %v", err)
	}
	if DayFull(MaxMinutes-1) || !DayFull(MaxMinutes) {
		t.Error("a day is full at 24h, not before")
	}
}

func TestRunningCountsTowardItsOwnDay(t *testing.T) {
	t.Parallel()
	denver, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Skip(err)
	}
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) // dates are UTC midnights (timekeeping.DateOf)
	started := time.Date(2026, 11, 25, 20, 0, 0, 0, denver)
	now := started.Add(75 * time.Minute)
	if got := Running(started, day, now, denver); got != 75 {
		t.Errorf("running on its day = %d; want 75", got)
	}
	if got := Running(started, day.AddDate(0, 0, 1), now, denver); got != 0 {
		t.Errorf("running counted toward the next day: %d", got)
	}
}

func TestLocked(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if Locked(today.AddDate(0, 0, -7), today, 7) || !Locked(today.AddDate(0, 0, -8), today, 7) {
		t.Error("a 7-day lock keeps 7 days open, the 8th closed")
	}
}
