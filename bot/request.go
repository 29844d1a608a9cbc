package bot

import "time"

// Comment is a reply in a request's thread.
type Comment struct {
	ID             int64
	RequestID      int64
	AuthorID       int64
	AuthorName     string
	Body           string
	SourcePlatform Platform
	SourceID       string // the platform message id; unique per request
	CreatedAt      time.Time
}

// RequestFilter narrows a request list.
type RequestFilter struct {
	ClientID *int64 // only this client's requests (client users)
	Limit    int
}

// RequestQuery narrows and pages a list of open requests (/requests with
// filters, the App Home tab).
type RequestQuery struct {
	ClientID   *int64 // only this client's requests
	PersonID   int64  // only requests this person opened or is assigned (0: anyone's)
	Unassigned bool   // only requests nobody has taken (the queue)
	Waiting    bool   // only requests waiting on the client (SLA paused)
	Resolved   bool   // resolved requests (awaiting the requester) instead of open ones
	Offset     int
	Limit      int // 1–100; default 25
}

// AutoClosed is a resolved request that closed on its own, and where to tell
// its requester (their platform user id in that workspace).
type AutoClosed struct {
	Number      int64
	Title       string
	Platform    Platform
	Workspace   string // the platform's team or guild id
	RequesterID string // the requester's platform user id
}
