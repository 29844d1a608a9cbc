package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// ClaimEvent records that a platform delivery is being handled. It reports
// false when the same (platform, workspace, event id) was claimed before: a
// retry or a duplicate, to be acknowledged and dropped.
func (s *Store) ClaimEvent(ctx context.Context, platform bot.Platform, workspace, eventID string) (bool, error) {
	var claimed bool
	err := s.db.GetContext(ctx, &claimed, `
		INSERT INTO platform_events (platform, workspace, event_id) VALUES ($1, $2, $3)
		ON CONFLICT (platform, workspace, event_id) DO NOTHING
		RETURNING true`, platform, workspace, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return claimed, mapErr(err, "claim event")
}

// ReleaseEvent forgets a claim whose handling failed before anything was kept,
// so the platform's next retry is handled instead of dropped.
func (s *Store) ReleaseEvent(ctx context.Context, platform bot.Platform, workspace, eventID string) error {
	_, err := s.db.ExecContext(ctx, `
		DELETE FROM platform_events WHERE platform = $1 AND workspace = $2 AND event_id = $3`,
		platform, workspace, eventID)
	return mapErr(err, "release event")
}

// PruneEvents deletes claims older than before (platforms stop retrying after
// minutes; a day of history is plenty) and reports how many went.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM platform_events WHERE received_at < $1`, before)
	if err != nil {
		return 0, mapErr(err, "prune events")
	}
	n, err := res.RowsAffected()
	return n, mapErr(err, "prune events")
}
