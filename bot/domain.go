package bot

import "time"

// Platform names where an event came from.
type Platform string

const (
	PlatformConsole Platform = "console"
	PlatformSlack   Platform = "slack"
	PlatformDiscord Platform = "discord"
)

// Role is what a person may do. Roles are ordered: each one can do what the
// roles below it can, except that a client only ever sees their own client's data.
type Role string

const (
	RoleClient      Role = "client"
	RoleTech        Role = "tech"
	RoleCoordinator Role = "coordinator"
	RoleManager     Role = "manager"
)

var roleRank = map[Role]int{RoleClient: 1, RoleTech: 2, RoleCoordinator: 3, RoleManager: 4}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return roleRank[r] >= roleRank[min] && r.Valid() }

// ParseRole accepts a role name in any case.
func ParseRole(s string) (Role, error) {
	r := Role(lower(s))
	if !r.Valid() {
		return "", Errorf(EInvalid, "%q is not a role: use tech, coordinator, manager or client", s)
	}
	return r, nil
}

// Person is someone the bot knows in one workspace.
type Person struct {
	ID          int64
	WorkspaceID int64
	ExternalID  string // platform user id (console: the name)
	Name        string
	Role        Role
	ClientID    *int64
	ClientCode  string // set when Role is client
	Timezone    string
	CreatedAt   time.Time
}

// Client is a customer of the MSP.
type Client struct {
	ID          int64
	WorkspaceID int64
	Code        string
	Name        string
}

// Request kinds and types as the classifier names them.
const (
	KindProject = "project"
	KindSupport = "support"
)

// RequestStatus is where a request is in its life.
type RequestStatus string

const (
	StatusOpen RequestStatus = "open"
	// StatusResolved: staff say it is done; the requester can rate it or say
	// it is still broken (it reopens). It closes on its own after
	// ResolvedClosesAfter.
	StatusResolved RequestStatus = "resolved"
	StatusClosed   RequestStatus = "closed"
)

// ResolvedClosesAfter is how long a resolved request waits for its requester
// to say it is still broken before it closes on its own (the hourly
// maintenance job closes it).
const ResolvedClosesAfter = 3 * 24 * time.Hour

// Request is one piece of work someone asked for.
type Request struct {
	ID             int64
	WorkspaceID    int64
	Number         int64
	Title          string
	Body           string
	Kind           string
	Type           string
	Confidence     float64
	Reasons        []string
	Status         RequestStatus
	Priority       string
	ClientID       *int64
	ClientCode     string
	OpenedBy       int64
	OpenedByName   string
	AssigneeID     *int64
	AssigneeName   string
	Channel        string
	Thread         string
	SourcePlatform Platform
	SourceID       string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ClosedAt       *time.Time
	ResolvedAt     *time.Time // when staff resolved it; nil once it reopens
	// Resolution is what staff said was done, when the request was read with
	// it (resolving, /request show); "" otherwise.
	Resolution string
}

// ClassificationEvent records a change of a request's kind/type and who made it.
type ClassificationEvent struct {
	ID        int64
	RequestID int64
	ActorID   *int64 // nil when the classifier made the decision
	ActorName string
	FromKind  string
	FromType  string
	ToKind    string
	ToType    string
	Reason    string
	CreatedAt time.Time
}
