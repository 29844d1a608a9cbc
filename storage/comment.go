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

// AddComment stores a comment. When a comment from the same source message
// exists it returns that one with created false, so a retried delivery adds nothing.
// A comment by staff (anyone but a client) stops the request's SLA response
// clock at the comment's time, in the same transaction, unless an earlier
// reply stopped it: every platform's thread replies count, not only /request
// take. in.CreatedAt, when set, is the comment's time (else the database's now).
func (s *Store) AddComment(ctx context.Context, in bot.Comment) (c bot.Comment, created bool, err error) {
	var source *string
	if in.SourceID != "" {
		source = &in.SourceID
	}
	var at *time.Time
	if !in.CreatedAt.IsZero() {
		at = &in.CreatedAt
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO request_comments (request_id, author_id, body, source_platform, source_id, created_at)
			VALUES ($1, $2, $3, $4, $5, coalesce($6, now()))
			ON CONFLICT (request_id, source_platform, source_id) WHERE source_id IS NOT NULL DO NOTHING
			RETURNING id`, in.RequestID, in.AuthorID, in.Body, in.SourcePlatform, source, at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = tx.GetContext(ctx, &id, `SELECT id FROM request_comments
				WHERE request_id = $1 AND source_platform = $2 AND source_id = $3`, in.RequestID, in.SourcePlatform, in.SourceID)
			if err != nil {
				return mapErr(err, "existing comment")
			}
		case err != nil:
			return mapErr(err, "insert comment")
		default:
			created = true
		}
		c, err = scanComment(tx.QueryRowxContext(ctx, `SELECT `+commentColumns+commentFrom+` WHERE m.id = $1`, id))
		if err != nil {
			return mapErr(err, "read comment")
		}
		if !created {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests r SET first_response_at = coalesce(r.first_response_at, $2)
			FROM people p WHERE r.id = $1 AND p.id = $3 AND p.role <> 'client' AND r.first_response_at IS NULL`,
			in.RequestID, c.CreatedAt, in.AuthorID)
		return mapErr(err, "record staff reply")
	})
	return c, created, err
}

// Comments lists a request's comments, oldest first.
func (s *Store) Comments(ctx context.Context, requestID int64) ([]bot.Comment, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT `+commentColumns+commentFrom+`
		WHERE m.request_id = $1 ORDER BY m.created_at, m.id`, requestID)
	if err != nil {
		return nil, mapErr(err, "list comments")
	}
	defer rows.Close()
	var out []bot.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, mapErr(err, "scan comment")
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err(), "list comments")
}

// RequestByThread finds the request whose thread (where the bot posted it) is
// channel/thread, so replies there become its comments.
func (s *Store) RequestByThread(ctx context.Context, workspaceID int64, channel, thread string) (bot.Request, error) {
	if thread == "" {
		return bot.Request{}, fmt.Errorf("request by thread: no thread: %w", ErrNotFound)
	}
	r, err := scanRequest(s.db.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+`
		WHERE r.workspace_id = $1 AND r.channel = $2 AND r.thread = $3
		ORDER BY r.id LIMIT 1`, workspaceID, channel, thread))
	return r, mapErr(err, "request by thread")
}

const commentColumns = `m.id, m.request_id, m.author_id, p.name, m.body, m.source_platform,
	coalesce(m.source_id, ''), m.created_at`

const commentFrom = ` FROM request_comments m JOIN people p ON p.id = m.author_id `

func scanComment(row interface{ Scan(...any) error }) (bot.Comment, error) {
	var c bot.Comment
	err := row.Scan(&c.ID, &c.RequestID, &c.AuthorID, &c.AuthorName, &c.Body, &c.SourcePlatform,
		&c.SourceID, &c.CreatedAt)
	return c, err
}

// RequestInThread finds the request whose thread id is thread. Discord threads
// are channels of their own, so the thread id alone names them.
func (s *Store) RequestInThread(ctx context.Context, workspaceID int64, thread string) (bot.Request, error) {
	if thread == "" {
		return bot.Request{}, fmt.Errorf("request in thread: no thread: %w", ErrNotFound)
	}
	r, err := scanRequest(s.db.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+`
		WHERE r.workspace_id = $1 AND r.thread = $2 ORDER BY r.id LIMIT 1`, workspaceID, thread))
	return r, mapErr(err, "request in thread "+thread)
}
