package storage

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

// RateRequest records (or replaces) the requester's rating of a request.
func (s *Store) RateRequest(ctx context.Context, requestID, personID int64, score int, at time.Time) error {
	return s.RateRequestOnce(ctx, requestID, personID, score, at, "")
}

// RateRequestOnce is RateRequest made by the delivery key (bot.Event.SourceID,
// "" for none): the same delivery handled again (a rating button clicked
// once, sent twice) changes nothing and is bot.ErrReplayed, so it cannot put
// back a rating the requester changed since.
func (s *Store) RateRequestOnce(ctx context.Context, requestID, personID int64, score int, at time.Time, key string) error {
	if score < 1 || score > 3 {
		return bot.Errorf(bot.EInvalid, "a rating is good, ok or poor")
	}
	return s.applyOnce(ctx, `SELECT workspace_id FROM requests WHERE id = $1`, requestID, key, func(q sqlx.ExtContext) error {
		_, err := q.ExecContext(ctx, `INSERT INTO request_ratings (request_id, person_id, score, rated_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (request_id) DO UPDATE SET person_id = $2, score = $3, rated_at = $4`, requestID, personID, score, at)
		return mapErr(err, "rate request")
	})
}

// RatingsBetween lists a workspace's ratings given in [from, to), newest first.
func (s *Store) RatingsBetween(ctx context.Context, workspaceID int64, from, to time.Time) ([]bot.RequestRating, error) {
	return queryAll(ctx, s.db, "ratings", func(r rowScanner) (bot.RequestRating, error) {
		var x bot.RequestRating
		err := r.Scan(&x.RequestNumber, &x.Title, &x.PersonName, &x.Score, &x.RatedAt)
		return x, err
	}, `SELECT r.number, r.title, p.name, g.score, g.rated_at
		FROM request_ratings g JOIN requests r ON r.id = g.request_id JOIN people p ON p.id = g.person_id
		WHERE r.workspace_id = $1 AND g.rated_at >= $2 AND g.rated_at < $3
		ORDER BY g.rated_at DESC, r.number DESC`, workspaceID, from, to)
}
