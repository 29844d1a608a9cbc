package bot

import "time"

// SLATarget is a client's response and resolution target for one priority.
type SLATarget struct {
	Priority          string
	ResponseMinutes   int
	ResolutionMinutes int
}

// SLACalendarRow is when a client's clocks run, raw (see timekeeping.Calendar).
type SLACalendarRow struct {
	Always   bool
	DayStart int
	DayEnd   int
	Days     int
	Timezone string
	Stored   bool
}

// SLAPause is a span a request waited on its client; End is nil while it waits.
type SLAPause struct {
	Start time.Time
	End   *time.Time
}

// SLAClock is an open (or just closed) request with a contract, as the SLA
// sweep and /request sla see it.
type SLAClock struct {
	RequestID       int64
	WorkspaceID     int64
	Number          int64
	Title           string
	ClientID        int64
	ClientCode      string
	Priority        string
	AssigneeID      *int64
	CreatedAt       time.Time
	FirstResponseAt *time.Time
	ClosedAt        *time.Time
	Target          SLATarget
	Calendar        SLACalendarRow
	Pauses          []SLAPause
	// Levels already recorded: "response/warning", "resolution/breach", ...
	Recorded map[string]bool
	// Contract is false when the client has no target for the priority (the
	// sweep reads such requests once, then parks them until a target is set).
	Contract bool
	// Version is the row version read (xmin): SetSLANextChecks writes only
	// over the version the sweep judged.
	Version string
}

// SLANextCheck is when a request's clocks next need a look; a zero At means
// never (both clocks stopped or breached, or no contract).
type SLANextCheck struct {
	RequestID int64
	Version   string // SLAClock.Version as read
	At        time.Time
}

// SLAEvent is a warning or breach.
type SLAEvent struct {
	WorkspaceID    int64
	RequestID      int64
	RequestNumber  int64
	Title          string
	ClientID       int64
	ClientCode     string
	Clock          string // response, resolution
	Level          string // warning, breach
	TargetMinutes  int
	ElapsedMinutes int
	At             time.Time
}
