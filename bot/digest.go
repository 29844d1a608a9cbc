package bot

import "time"

// Staffer is a tech as the nudge sweep sees them: who, where to DM them, their
// schedule and their latest activity, all read in one pass.
type Staffer struct {
	PersonID    int64
	WorkspaceID int64
	Platform    Platform
	Workspace   string // the platform's workspace id
	ExternalID  string // the platform's user id
	Name        string
	Schedule    ScheduleRow
	LastEntry   *time.Time
	// Running timer, if any.
	TimerStartedAt   *time.Time
	TimerConfirmedAt *time.Time
	TimerRequest     int64
	LastNudge        *time.Time // latest gap nudge
}

// NudgeStats is how a tech answered nudges over a span of local dates.
type NudgeStats struct {
	PersonID int64
	Sent     int
	Answered int
}

// Manager is a manager as the digest sweep sees them.
type Manager struct {
	Recipient
	WorkspaceID int64
	Schedule    ScheduleRow
}

// RequestCount is a count of requests of one kind for one client.
type RequestCount struct {
	Kind       string
	ClientCode string // "" when no client
	New        int
	StillOpen  int
}

// OpenCount is the open requests of one kind.
type OpenCount struct {
	Kind   string
	Open   int
	Oldest time.Time
}

// TeamMember is a tech in a manager's digest.
type TeamMember struct {
	PersonID int64
	Name     string
	Schedule ScheduleRow
	Minutes  int // logged on the day asked for
	// Since is when the person joined: no hours are expected before it.
	Since time.Time
}
