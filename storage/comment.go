package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// Comment is a reply in a request's thread.
type Comment struct {
	ID        int64
	RequestID int64
	Platform  bot.Platform
	AuthorID  int64
	Author    string // the author's name, when read back
	Body      string
	SourceID  string // the platform's message id; unique per platform
	CreatedAt time.Time
}

// AddComment stores a comment. When a comment from the same platform message
// exists (a replayed delivery), it returns that one with created false.
func (s *Store) AddComment(ctx context.Context, c Comment) (Comment, bool, error) {
	err := s.db.QueryRowxContext(ctx, `
		INSERT INTO request_comments (request_id, platform, author_id, body, source_id)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (platform, source_id) DO NOTHING
		RETURNING id, created_at`, c.RequestID, c.Platform, c.AuthorID, c.Body, c.SourceID).
		Scan(&c.ID, &c.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.db.QueryRowxContext(ctx, `
			SELECT id, request_id, author_id, body, created_at FROM request_comments
			WHERE platform = $1 AND source_id = $2`, c.Platform, c.SourceID).
			Scan(&c.ID, &c.RequestID, &c.AuthorID, &c.Body, &c.CreatedAt)
		return c, false, mapErr(err, "existing comment")
	}
	if err != nil {
		return c, false, mapErr(err, "add comment")
	}
	return c, true, nil
}

// Comments lists a request's comments, oldest first.
func (s *Store) Comments(ctx context.Context, requestID int64) ([]Comment, error) {
	rows, err := s.db.QueryxContext(ctx, `
		SELECT c.id, c.request_id, c.platform, c.author_id, p.name, c.body, c.source_id, c.created_at
		FROM request_comments c JOIN people p ON p.id = c.author_id
		WHERE c.request_id = $1 ORDER BY c.created_at, c.id`, requestID)
	if err != nil {
		return nil, mapErr(err, "comments")
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.RequestID, &c.Platform, &c.AuthorID, &c.Author, &c.Body, &c.SourceID, &c.CreatedAt); err != nil {
			return nil, mapErr(err, "scan comment")
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err(), "comments")
}

// RequestInThread finds the request whose thread is thread (SetRequestThread).
func (s *Store) RequestInThread(ctx context.Context, workspaceID int64, thread string) (bot.Request, error) {
	if thread == "" {
		return bot.Request{}, ErrNotFound
	}
	r, err := scanRequest(s.db.QueryRowxContext(ctx, `SELECT `+requestColumns+requestFrom+`
		WHERE r.workspace_id = $1 AND r.thread = $2 ORDER BY r.id LIMIT 1`, workspaceID, thread))
	return r, mapErr(err, "request in thread "+thread)
}
