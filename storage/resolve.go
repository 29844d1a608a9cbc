package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

// ResolveRequest marks an open request resolved by a person with what was
// done: its SLA clocks stop at `at`, a pause waiting on the client ends, and
// the resolution is recorded. A request that is not open is a conflict. The
// same delivery (key: bot.Event.SourceID) resolving it again changes nothing
// and returns the request with bot.ErrReplayed.
func (s *Store) ResolveRequest(ctx context.Context, workspaceID, number, byID int64, resolution string, at time.Time, key string) (bot.Request, error) {
	var r bot.Request
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		id, status, err := lockRequest(ctx, tx, workspaceID, number)
		if err != nil {
			return err
		}
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return replayed(ctx, tx, id, &r)
		}
		if status != bot.StatusOpen {
			return bot.Errorf(bot.EConflict, "#%d is already %s", number, status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE request_pauses SET ended_at = greatest($2, started_at)
			WHERE request_id = $1 AND ended_at IS NULL`, id, at); err != nil {
			return mapErr(err, "end pause")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET status = 'resolved', resolved_at = $2,
			waiting_since = NULL, updated_at = now() WHERE id = $1`, id, at); err != nil {
			return mapErr(err, "resolve request")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_resolutions (request_id, resolved_by, resolution, resolved_at)
			VALUES ($1, $2, $3, $4)`, id, byID, resolution, at); err != nil {
			return mapErr(err, "record resolution")
		}
		r, err = scanRequest(tx.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, id))
		r.Resolution = resolution
		return mapErr(err, "read request")
	})
	return r, err
}

// ReopenRequest puts a resolved request back in the queue (open, nobody's)
// because its requester or staff say it is still broken, and records who and
// why on its resolution. It returns the request and who had it, so they can
// be told. Only a resolved request reopens; key as for ResolveRequest.
func (s *Store) ReopenRequest(ctx context.Context, workspaceID, number, byID int64, reason string, at time.Time, key string) (r bot.Request, hadIt *int64, err error) {
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		id, status, err := lockRequest(ctx, tx, workspaceID, number)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &hadIt, `SELECT assignee_id FROM requests WHERE id = $1`, id); err != nil {
			return mapErr(err, "read assignee")
		}
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return replayed(ctx, tx, id, &r)
		}
		if status != bot.StatusResolved {
			return bot.Errorf(bot.EConflict, "#%d is %s, not resolved", number, status)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET status = 'open', resolved_at = NULL, closed_at = NULL,
			assignee_id = NULL, updated_at = now() WHERE id = $1`, id); err != nil {
			return mapErr(err, "reopen request")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE request_resolutions SET reopened_by = $2, reopen_reason = $3, reopened_at = $4
			WHERE id = (SELECT id FROM request_resolutions WHERE request_id = $1 ORDER BY resolved_at DESC, id DESC LIMIT 1)`,
			id, byID, reason, at); err != nil {
			return mapErr(err, "record reopening")
		}
		r, err = scanRequest(tx.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, id))
		return mapErr(err, "read request")
	})
	return r, hadIt, err
}

// lockRequest locks a request's row for a change of status and says where it is.
func lockRequest(ctx context.Context, tx *sqlx.Tx, workspaceID, number int64) (int64, bot.RequestStatus, error) {
	var row struct {
		ID     int64             `db:"id"`
		Status bot.RequestStatus `db:"status"`
	}
	err := tx.GetContext(ctx, &row, `SELECT id, status FROM requests WHERE workspace_id = $1 AND number = $2 FOR UPDATE`,
		workspaceID, number)
	return row.ID, row.Status, mapErr(err, fmt.Sprintf("request #%d", number))
}

// LatestResolution is what was said when the request was last resolved, and
// by whom; ok is false when it never was.
func (s *Store) LatestResolution(ctx context.Context, requestID int64) (text, by string, ok bool, err error) {
	err = s.db.QueryRowxContext(ctx, `SELECT x.resolution, p.name FROM request_resolutions x
		JOIN people p ON p.id = x.resolved_by WHERE x.request_id = $1
		ORDER BY x.resolved_at DESC, x.id DESC LIMIT 1`, requestID).Scan(&text, &by)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", false, nil
	}
	return text, by, err == nil, mapErr(err, "latest resolution")
}

// CloseResolvedBefore closes every request resolved before a time and not
// reopened since: the requester had their chance to say it is still broken.
// closed_at is the close itself; the SLA keeps counting to resolved_at. It
// returns what it closed, with where to tell each requester.
func (s *Store) CloseResolvedBefore(ctx context.Context, before time.Time) ([]bot.AutoClosed, error) {
	return queryAll(ctx, s.db, "close resolved requests", func(r rowScanner) (bot.AutoClosed, error) {
		var c bot.AutoClosed
		err := r.Scan(&c.Number, &c.Title, &c.Platform, &c.Workspace, &c.RequesterID)
		return c, err
	}, `WITH closed AS (
			UPDATE requests SET status = 'closed', closed_at = now(), updated_at = now()
			WHERE status = 'resolved' AND resolved_at < $1
			RETURNING number, title, workspace_id, opened_by)
		SELECT c.number, c.title, w.platform, w.external_id, p.external_id
		FROM closed c JOIN workspaces w ON w.id = c.workspace_id JOIN people p ON p.id = c.opened_by
		ORDER BY c.workspace_id, c.number`, before)
}

// ResolutionCounts counts a workspace's resolutions in [from, to), how many
// of them were reopened as still broken, and how many requests are resolved
// now, waiting for their requester (the digest's line).
func (s *Store) ResolutionCounts(ctx context.Context, workspaceID int64, from, to time.Time) (resolved, reopened, awaiting int, err error) {
	err = s.db.QueryRowxContext(ctx, `SELECT
		(SELECT count(*) FROM request_resolutions x JOIN requests r ON r.id = x.request_id
			WHERE r.workspace_id = $1 AND x.resolved_at >= $2 AND x.resolved_at < $3),
		(SELECT count(*) FROM request_resolutions x JOIN requests r ON r.id = x.request_id
			WHERE r.workspace_id = $1 AND x.reopened_at >= $2 AND x.reopened_at < $3),
		(SELECT count(*) FROM requests WHERE workspace_id = $1 AND status = 'resolved')`,
		workspaceID, from, to).Scan(&resolved, &reopened, &awaiting)
	return resolved, reopened, awaiting, mapErr(err, "resolution counts")
}
