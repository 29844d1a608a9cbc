package bot

import (
	"errors"
	"time"
)

// TimeEntry is time a person logged against a request or a project; only
// non-billable time may name neither.
type TimeEntry struct {
	ID            int64
	WorkspaceID   int64
	PersonID      int64
	PersonName    string
	RequestID     *int64
	RequestNumber *int64
	ProjectID     *int64
	ProjectNumber *int64
	Minutes       int
	Note          string
	Date          time.Time // the day the work was done (a Postgres date: midnight UTC)
	Billable      bool
	StartedAt     *time.Time
	EndedAt       *time.Time
	Source        string // typed, timer, nudge
	// SourceKey is the platform delivery that wrote the entry (bot.Event's
	// SourceID), "" when there is none. An entry is stored once per key, so
	// a delivery handled again after a crash does not log its time twice.
	SourceKey string
	CreatedAt time.Time
}

// Timer is a running timer.
type Timer struct {
	PersonID      int64
	WorkspaceID   int64
	RequestID     *int64
	RequestNumber *int64
	ProjectID     *int64
	ProjectNumber *int64
	Note          string
	Billable      bool
	StartedAt     time.Time
	ConfirmedAt   *time.Time
	// SourceKey is the delivery that starts the timer (bot.Event's SourceID);
	// starting again with the same key is ErrReplayed, not a second timer.
	SourceKey string
}

// ErrReplayed says a delivery made its change before (it is being handled
// again after a crash) and nothing was changed this time.
var ErrReplayed = errors.New("this delivery was handled before")

// TimeEntryEdit is a change to a time entry; zero fields keep what is there.
type TimeEntryEdit struct {
	Minutes int     // 0 keeps the minutes
	Note    *string // nil keeps the note
	// Move re-attaches the entry to RequestID or ProjectID (exactly one).
	Move                 bool
	RequestID, ProjectID *int64
	At                   time.Time
}

// TimeSettings are a workspace's time rules.
type TimeSettings struct {
	GapMinutes        int
	LockDays          int
	TimerLimitMinutes int
	EscalateAfter     int
}

// DayMinutes is the minutes logged on one day.
type DayMinutes struct {
	Day     time.Time
	Minutes int
}

// ScheduleRow is a person's stored schedule, raw: minutes after midnight, a
// weekday bit set (Sunday = bit 0). timekeeping turns it into a Schedule.
type ScheduleRow struct {
	PersonID     int64
	WorkStart    int
	WorkEnd      int
	WorkDays     int
	Timezone     string // the schedule's own, else the platform profile's; may be empty
	AwayFrom     *time.Time
	AwayUntil    *time.Time
	OffDate      *time.Time
	SnoozedAt    *time.Time
	SnoozedUntil *time.Time
	ManagerID    *int64
	ManagerName  string
	DigestAt     int
	Stored       bool // false: defaults, no row yet
}
