package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/mspbot/mspbot/bot"
)

const requestColumns = `r.id, r.workspace_id, r.number, r.title, r.body, r.kind, r.type, r.confidence,
	r.reasons, r.status, r.priority, r.client_id, coalesce(c.code, ''), r.opened_by, o.name,
	r.assignee_id, coalesce(a.name, ''), r.channel, r.thread, r.source_platform,
	coalesce(r.source_id, ''), r.created_at, r.updated_at, r.closed_at, r.resolved_at`

const requestFrom = ` FROM requests r
	JOIN people o ON o.id = r.opened_by
	LEFT JOIN people a ON a.id = r.assignee_id
	LEFT JOIN clients c ON c.id = r.client_id `

func scanRequest(row rowScanner) (bot.Request, error) {
	var (
		r       bot.Request
		reasons []byte
	)
	err := row.Scan(&r.ID, &r.WorkspaceID, &r.Number, &r.Title, &r.Body, &r.Kind, &r.Type, &r.Confidence,
		&reasons, &r.Status, &r.Priority, &r.ClientID, &r.ClientCode, &r.OpenedBy, &r.OpenedByName,
		&r.AssigneeID, &r.AssigneeName, &r.Channel, &r.Thread, &r.SourcePlatform,
		&r.SourceID, &r.CreatedAt, &r.UpdatedAt, &r.ClosedAt, &r.ResolvedAt)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(reasons, &r.Reasons); err != nil {
		return r, fmt.Errorf("request reasons: %w", err)
	}
	return r, nil
}

// CreateRequest stores a new request with the next number of its workspace and
// records the classifier's decision as the first classification event. When
// SourceID is set and a request from that source already exists, it returns the
// existing one with created false: retried deliveries never open a second request.
func (s *Store) CreateRequest(ctx context.Context, in bot.Request) (req bot.Request, created bool, err error) {
	if in.Reasons == nil {
		in.Reasons = []string{}
	}
	reasons, err := json.Marshal(in.Reasons)
	if err != nil {
		return req, false, fmt.Errorf("encode reasons: %w", err)
	}
	var source *string
	if in.SourceID != "" {
		source = &in.SourceID
	}
	// One statement, its own transaction: the number is taken, the request
	// and its first classification event inserted and the request read back
	// with its names. The workspace row (next_request_number) is locked only
	// for that statement and its commit, so requests in a workspace do not
	// queue behind each other's longer transactions, and there is no BEGIN
	// or COMMIT round trip. A retried delivery of a source already stored
	// inserts nothing, and request_source_taken() (migration 00220) then
	// aborts the statement, which gives back the number it took. Inside an
	// inbox row's handling the commit does not wait for the disk (see
	// commitMode), so the lock is held for the statement alone, not a disk
	// flush too.
	insert, err := s.prepared(ctx, `
		WITH n AS (
			UPDATE workspaces SET next_request_number = next_request_number + 1
			WHERE id = $1
			RETURNING next_request_number - 1 AS number
		), r AS (
			INSERT INTO requests (workspace_id, number, title, body, kind, type, confidence, reasons,
				priority, client_id, opened_by, channel, thread, source_platform, source_id)
			SELECT $1, n.number, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM n
			ON CONFLICT (workspace_id, source_platform, source_id) WHERE source_id IS NOT NULL DO NOTHING
			RETURNING *
		), e AS (
			INSERT INTO classification_events (request_id, actor_id, to_kind, to_type, reason)
			SELECT id, NULL, kind, type, 'classifier' FROM r
			UNION ALL -- no row: raises when n took a number but r inserted nothing
			SELECT NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text FROM n
			WHERE CASE WHEN EXISTS (SELECT 1 FROM r) THEN false ELSE request_source_taken() END
		), sc AS (
			SELECT set_config('synchronous_commit', coalesce($15, current_setting('synchronous_commit')), true)
		)
		SELECT `+requestColumns+` FROM r CROSS JOIN sc
			JOIN people o ON o.id = r.opened_by
			LEFT JOIN people a ON a.id = r.assignee_id
			LEFT JOIN clients c ON c.id = r.client_id`)
	if err != nil {
		return req, false, mapErr(err, "insert request")
	}
	req, err = scanRequest(insert.QueryRowContext(ctx,
		in.WorkspaceID, in.Title, in.Body, in.Kind, in.Type, in.Confidence, reasons,
		defaultString(in.Priority, "P3"), in.ClientID, in.OpenedBy, in.Channel, in.Thread,
		in.SourcePlatform, source, commitMode(ctx)))
	var pqErr *pq.Error
	switch {
	case errors.As(err, &pqErr) && pqErr.Code == "MS010":
		err = errDuplicateSource
	case errors.Is(err, sql.ErrNoRows):
		return req, false, fmt.Errorf("insert request: workspace %d: %w", in.WorkspaceID, ErrNotFound)
	default:
		err = mapErr(err, "insert request")
	}
	if errors.Is(err, errDuplicateSource) {
		req, err = s.RequestBySource(ctx, in.WorkspaceID, in.SourcePlatform, in.SourceID)
		return req, false, err
	}
	return req, err == nil, err
}

var errDuplicateSource = errors.New("request from this source exists")

// RequestBySource reads the request opened from a platform message or event id.
func (s *Store) RequestBySource(ctx context.Context, workspaceID int64, platform bot.Platform, sourceID string) (bot.Request, error) {
	r, err := scanRequest(s.db.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+`
		WHERE r.workspace_id = $1 AND r.source_platform = $2 AND r.source_id = $3`, workspaceID, platform, sourceID))
	return r, mapErr(err, "request by source")
}

// RequestByNumber reads a request by its number in a workspace.
func (s *Store) RequestByNumber(ctx context.Context, workspaceID, number int64) (bot.Request, error) {
	// Prepared: every post that announces a request reads it (jobs.DeliverWorker).
	st, err := s.prepared(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.workspace_id = $1 AND r.number = $2`)
	if err != nil {
		return bot.Request{}, mapErr(err, fmt.Sprintf("request #%d", number))
	}
	r, err := scanRequest(st.QueryRowContext(ctx, workspaceID, number))
	return r, mapErr(err, fmt.Sprintf("request #%d", number))
}

// ListOpenRequests lists open requests, newest first.
func (s *Store) ListOpenRequests(ctx context.Context, workspaceID int64, f bot.RequestFilter) ([]bot.Request, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	return queryAll(ctx, s.db, "list requests", scanRequest, `SELECT `+requestColumns+requestFrom+`
		WHERE r.workspace_id = $1 AND r.status = 'open' AND ($2::bigint IS NULL OR r.client_id = $2)
		ORDER BY r.created_at DESC, r.number DESC LIMIT $3`, workspaceID, f.ClientID, f.Limit)
}

// Reclassify changes a request's kind and type and records who did it and why.
// Setting the same kind and type again is a conflict and records nothing.
//
// key is the delivery making the change (bot.Event.SourceID; "" for none): the
// same delivery again changes nothing and returns the request with
// bot.ErrReplayed.
func (s *Store) Reclassify(ctx context.Context, workspaceID, number, actorID int64, kind, typ, reason, key string) (bot.Request, error) {
	var r bot.Request
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			ID   int64  `db:"id"`
			Kind string `db:"kind"`
			Type string `db:"type"`
		}
		if err := tx.GetContext(ctx, &cur, `SELECT id, kind, type FROM requests
			WHERE workspace_id = $1 AND number = $2 FOR UPDATE`, workspaceID, number); err != nil {
			return mapErr(err, fmt.Sprintf("request #%d", number))
		}
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return replayed(ctx, tx, cur.ID, &r)
		}
		if cur.Kind == kind && cur.Type == typ {
			return bot.Errorf(bot.EConflict, "#%d is already %s (%s)", number, kind, typ)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE requests SET kind = $2, type = $3, confidence = 1, updated_at = now()
			WHERE id = $1`, cur.ID, kind, typ); err != nil {
			return mapErr(err, "reclassify")
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO classification_events (request_id, actor_id, from_kind, from_type, to_kind, to_type, reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, cur.ID, actorID, cur.Kind, cur.Type, kind, typ, reason); err != nil {
			return mapErr(err, "record reclassification")
		}
		if err := learnOverride(ctx, tx, cur.ID, actorID, kind, typ, reason); err != nil {
			return err
		}
		var err error
		r, err = scanRequest(tx.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, cur.ID))
		return mapErr(err, "read request")
	})
	s.cache.hasOverrides.invalidate(workspaceID) // after the commit: it taught an override
	return r, err
}

// ClassificationHistory lists a request's classification events, oldest first.
func (s *Store) ClassificationHistory(ctx context.Context, requestID int64) ([]bot.ClassificationEvent, error) {
	return queryAll(ctx, s.db, "classification history", func(r rowScanner) (bot.ClassificationEvent, error) {
		var e bot.ClassificationEvent
		err := r.Scan(&e.ID, &e.RequestID, &e.ActorID, &e.ActorName, &e.FromKind, &e.FromType,
			&e.ToKind, &e.ToType, &e.Reason, &e.CreatedAt)
		return e, err
	}, `
		SELECT e.id, e.request_id, e.actor_id, coalesce(p.name, ''), e.from_kind, e.from_type,
			e.to_kind, e.to_type, e.reason, e.created_at
		FROM classification_events e LEFT JOIN people p ON p.id = e.actor_id
		WHERE e.request_id = $1 ORDER BY e.created_at, e.id`, requestID)
}

// SetRequestThread records where the bot posted the request, so replies follow it.
func (s *Store) SetRequestThread(ctx context.Context, requestID int64, channel, thread string) error {
	st, err := s.prepared(ctx, `UPDATE requests SET channel = $2, thread = $3, updated_at = now() WHERE id = $1`)
	if err == nil {
		_, err = st.ExecContext(ctx, requestID, channel, thread)
	}
	return mapErr(err, "set request thread")
}

// AssignRequest makes a person the request's assignee. The same delivery
// (key: bot.Event.SourceID, "" for none) assigning it again changes nothing and
// returns the request with bot.ErrReplayed.
func (s *Store) AssignRequest(ctx context.Context, workspaceID, number, personID int64, key string) (bot.Request, error) {
	return s.updateRequestOnce(ctx, workspaceID, number, key, `assignee_id = $3`, personID)
}

// CloseRequest closes an open request; key as for AssignRequest.
func (s *Store) CloseRequest(ctx context.Context, workspaceID, number int64, key string) (bot.Request, error) {
	return s.updateRequestOnce(ctx, workspaceID, number, key, `status = 'closed', closed_at = coalesce(closed_at, now())`)
}

// updateRequestOnce is updateRequest recording, in the same transaction, that
// the delivery key made the change; the same key again rolls it back and
// returns the request as it is with bot.ErrReplayed.
func (s *Store) updateRequestOnce(ctx context.Context, workspaceID, number int64, key, set string, args ...any) (bot.Request, error) {
	if key == "" {
		return s.updateRequest(ctx, workspaceID, number, set, args...)
	}
	var r bot.Request
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `UPDATE requests SET `+set+`, updated_at = now()
			WHERE workspace_id = $1 AND number = $2 RETURNING id`, append([]any{workspaceID, number}, args...)...)
		if err != nil {
			return mapErr(err, fmt.Sprintf("request #%d", number))
		}
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return replayed(ctx, tx, id, &r)
		}
		r, err = scanRequest(tx.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, id))
		return mapErr(err, "read request")
	})
	return r, err
}

// replayed reads the request into r and returns bot.ErrReplayed, which rolls
// back whatever the replayed delivery's transaction did.
func replayed(ctx context.Context, tx *sqlx.Tx, id int64, r *bot.Request) error {
	got, err := scanRequest(tx.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, id))
	if err != nil {
		return mapErr(err, "read request")
	}
	*r = got
	return bot.ErrReplayed
}

func (s *Store) updateRequest(ctx context.Context, workspaceID, number int64, set string, args ...any) (bot.Request, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `UPDATE requests SET `+set+`, updated_at = now()
		WHERE workspace_id = $1 AND number = $2 RETURNING id`, append([]any{workspaceID, number}, args...)...)
	if err != nil {
		return bot.Request{}, mapErr(err, fmt.Sprintf("request #%d", number))
	}
	r, err := scanRequest(s.db.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+` WHERE r.id = $1`, id))
	return r, mapErr(err, "read request")
}

func defaultString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
