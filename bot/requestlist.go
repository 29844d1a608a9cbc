package bot

import "time"

// RequestQuery narrows and pages a list of open requests (/requests with
// filters, /home).
type RequestQuery struct {
	ClientID   *int64 // only this client's requests
	PersonID   int64  // only requests this person opened or is assigned (0: anyone's)
	Unassigned bool   // only requests nobody has taken (the queue)
	Waiting    bool   // only requests waiting on the client (SLA paused)
	Offset     int
	Limit      int // 1–100; default 25
}

// RequestRating is how a requester rated a closed request: 1 poor, 2 ok, 3 good.
type RequestRating struct {
	RequestNumber int64
	Title         string
	PersonName    string
	Score         int
	RatedAt       time.Time
}
