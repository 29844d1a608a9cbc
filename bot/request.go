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
