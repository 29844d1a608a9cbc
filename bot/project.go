package bot

import (
	"fmt"
	"strings"
	"time"
)

// ProjectStatus is where a project is in its life.
type ProjectStatus string

const (
	ProjectActive  ProjectStatus = "active"
	ProjectClosing ProjectStatus = "closing" // closeout checklist under way
	ProjectClosed  ProjectStatus = "closed"
)

// Project is a client's piece of project work, run by a coordinator.
type Project struct {
	ID              int64
	WorkspaceID     int64
	Number          int // shown as P12
	ClientID        int64
	ClientCode      string
	Name            string
	Description     string
	CoordinatorID   int64
	CoordinatorName string
	// CoordinatorExternalID and CoordinatorTZ reach the coordinator privately and
	// place the weekly update in their week.
	CoordinatorExternalID string
	CoordinatorTZ         string
	Start, End            time.Time // dates (midnight UTC)
	BudgetMinutes         int
	// Channel is the client's channel (platform channel id) approved updates go to.
	Channel       string
	UpdateWeekday time.Weekday
	UpdateMinute  int // minutes after local midnight (15:00 = 900)
	Status        ProjectStatus
	SupportLeadID *int64
	SupportLead   string
	RequestID     *int64
	RequestNumber int64
	// SourceKey is the delivery that opened it (bot.Event.SourceID), set when
	// creating: a project is opened once per delivery.
	SourceKey string
	// Platform and WorkspaceExternalID say where the project's workspace lives,
	// so the bot can speak first there.
	Platform            Platform
	WorkspaceExternalID string
	CreatedAt           time.Time
	ClosedAt            *time.Time
}

// Ref is how people name the project: "P12".
func (p Project) Ref() string { return fmt.Sprintf("P%d", p.Number) }

// Milestone is a phase or task with a due date and how far along it is.
type Milestone struct {
	ID        int64
	ProjectID int64
	Name      string
	Due       time.Time
	Percent   int
	DoneAt    *time.Time
}

// MilestoneChange is one recorded progress change.
type MilestoneChange struct {
	Milestone string
	From, To  int
	By        string
	At        time.Time
}

// Disruption is planned downtime the client must know about. Starts and Ends are
// minutes after local midnight; Ends < Starts means the window runs past midnight.
type Disruption struct {
	ID           int64
	ProjectID    int64
	Day          time.Time
	Starts, Ends int
	Impact       string
}

// Window renders the time window as "18:00-22:00".
func (d Disruption) Window() string { return ClockTime(d.Starts) + "-" + ClockTime(d.Ends) }

// ClockTime renders minutes after midnight as "15:04".
func ClockTime(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// OOSItem is out-of-scope work, approved and invoiced separately.
type OOSItem struct {
	ID          int64
	ProjectID   int64
	Number      int
	Minutes     int
	Description string
	ApprovedBy  string
	CreatedBy   string
	CreatedAt   time.Time
	InvoicedAt  *time.Time
	// SourceKey is the delivery that recorded the item (bot.Event's
	// SourceID): the same delivery records it once.
	SourceKey string
}

// UpdatePlaceholder marks a line of a drafted update that the coordinator must
// fill in; an update holding one is never approved or posted.
const UpdatePlaceholder = "edit this line before approving"

// UpdateStatus is where a weekly update is.
type UpdateStatus string

const (
	UpdateDrafted  UpdateStatus = "drafted"
	UpdateApproved UpdateStatus = "approved"
	UpdateSkipped  UpdateStatus = "skipped"
	UpdatePosted   UpdateStatus = "posted"
)

// WeeklyUpdate is one project's client update for one ISO week.
type WeeklyUpdate struct {
	ID             int64
	ProjectID      int64
	ISOYear        int
	ISOWeek        int
	Draft          string // as the bot wrote it
	Body           string // as it stands after edits
	Chart          []byte // PNG
	Status         UpdateStatus
	DraftedAt      time.Time
	Deadline       time.Time
	DMSentAt       *time.Time
	EditCount      int
	ApprovedBy     string
	ApprovedAt     *time.Time
	SkippedAt      *time.Time
	PostedAt       *time.Time
	ReminderSentAt *time.Time
}

// Week names the update's week: "2026-W49".
func (u WeeklyUpdate) Week() string { return ISOWeekName(u.ISOYear, u.ISOWeek) }

// ISOWeekName renders a week as "2026-W49".
func ISOWeekName(year, week int) string { return fmt.Sprintf("%d-W%02d", year, week) }

// CloseoutItem keys, in the order the checklist shows them.
var CloseoutItems = []string{"docs", "signoff", "acceptance", "time", "oos"}

// CloseoutLabels say what each closeout item means.
var CloseoutLabels = map[string]string{
	"docs":       "documentation updated",
	"signoff":    "support team sign-off",
	"acceptance": "client acceptance",
	"time":       "all time entered",
	"oos":        "out-of-scope work invoiced",
}

// CloseoutItem is one line of a project's closeout checklist.
type CloseoutItem struct {
	Item         string
	DoneBy       string
	DoneAt       *time.Time
	Note         string
	WaivedBy     string
	WaivedAt     *time.Time
	WaivedReason string
}

// Finished reports whether the item is done or waived.
func (c CloseoutItem) Finished() bool { return c.DoneAt != nil || c.WaivedAt != nil }

// ErrNoRating is the conflict a project's close meets before it is rated (or
// the rating explicitly skipped, with a reason).
var ErrNoRating = &Error{Code: EConflict, Message: "the project has no execution rating: rate it 1-5 with a reason, or skip the rating with a reason"}

// ErrOpenItems is the conflict a project's close meets while closeout items
// are open.
func ErrOpenItems(items []string) *Error {
	var names []string
	for _, it := range items {
		names = append(names, it+" ("+CloseoutLabels[it]+")")
	}
	return &Error{Code: EConflict, Message: "the project cannot close while these are open: " + strings.Join(names, ", ")}
}

// Rating is the project execution rating the coordinator gives at closeout.
type Rating struct {
	Rating int // 1-5; 0 when the rating was skipped (Reason says why)
	Reason string
	By     string
	At     time.Time
}

// Lesson is what someone learned on a project.
type Lesson struct {
	ID            int64
	ProjectID     int64
	ProjectRef    string
	ProjectName   string
	ClientCode    string
	AuthorID      int64
	Author        string
	WentWell      string
	DoDifferently string
	CreatedAt     time.Time
	Rank          float64 // search relevance, when found by a search
}
