package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Delivered reports whether the post with this delivery key went out, and
// the platform's id for it.
func (s *Store) Delivered(ctx context.Context, key string) (messageID string, ok bool, err error) {
	st, err := s.prepared(ctx, `SELECT message_id FROM delivered WHERE key = $1`)
	if err == nil {
		err = st.QueryRowContext(ctx, key).Scan(&messageID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, mapErr(err, "delivered")
	}
	return messageID, true, nil
}

// MarkDelivered records that the post with this key went out.
func (s *Store) MarkDelivered(ctx context.Context, key, messageID string) error {
	st, err := s.prepared(ctx, `INSERT INTO delivered (key, message_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`)
	if err == nil {
		_, err = st.ExecContext(ctx, key, messageID)
	}
	return mapErr(err, "mark delivered")
}

// PruneDelivered forgets posts recorded before before (deliver jobs give up
// after about an hour; a week is plenty) and reports how many went.
func (s *Store) PruneDelivered(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM delivered WHERE delivered_at < $1`, before)
	if err != nil {
		return 0, mapErr(err, "prune delivered")
	}
	n, err := res.RowsAffected()
	return n, mapErr(err, "prune delivered")
}
