package bot

import "time"

// RequestRating is how a requester rated a closed request: 1 poor, 2 ok, 3 good.
type RequestRating struct {
	RequestNumber int64
	Title         string
	PersonName    string
	Score         int
	RatedAt       time.Time
}
