package storage

import (
	"context"

	"github.com/mspbot/mspbot/bot"
)

// ListRequests lists open (or, with q.Resolved, resolved) requests matching q, newest first, and how many
// match in all, so a page can say "showing 25 of 140".
func (s *Store) ListRequests(ctx context.Context, workspaceID int64, q bot.RequestQuery) ([]bot.Request, int, error) {
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 25
	}
	q.Offset = max(q.Offset, 0)
	const where = ` WHERE r.workspace_id = $1 AND r.status = $6
		AND ($2::bigint IS NULL OR r.client_id = $2)
		AND ($3::bigint = 0 OR r.opened_by = $3 OR r.assignee_id = $3)
		AND (NOT $4 OR r.assignee_id IS NULL)
		AND (NOT $5 OR r.waiting_since IS NOT NULL)`
	status := bot.StatusOpen
	if q.Resolved {
		status = bot.StatusResolved
	}
	args := []any{workspaceID, q.ClientID, q.PersonID, q.Unassigned, q.Waiting, status}
	var total int
	if err := s.db.GetContext(ctx, &total, `SELECT count(*) FROM requests r`+where, args...); err != nil {
		return nil, 0, mapErr(err, "count requests")
	}
	list, err := queryAll(ctx, s.db, "list requests", scanRequest, `SELECT `+requestColumns+requestFrom+where+`
		ORDER BY r.created_at DESC, r.number DESC LIMIT $7 OFFSET $8`, append(args, q.Limit, q.Offset)...)
	return list, total, err
}
