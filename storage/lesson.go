package storage

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

// AddLesson records what someone learned on a project.
func (s *Store) AddLesson(ctx context.Context, projectID, authorID int64, wentWell, doDifferently string) (bot.Lesson, error) {
	return s.AddLessonOnce(ctx, projectID, authorID, wentWell, doDifferently, "")
}

// AddLessonOnce is AddLesson made by the delivery key: the same delivery
// again adds nothing and is bot.ErrReplayed.
func (s *Store) AddLessonOnce(ctx context.Context, projectID, authorID int64, wentWell, doDifferently, key string) (bot.Lesson, error) {
	l := bot.Lesson{ProjectID: projectID, AuthorID: authorID, WentWell: wentWell, DoDifferently: doDifferently}
	err := s.applyOnce(ctx, projectWorkspace, projectID, key, func(q sqlx.ExtContext) error {
		return q.QueryRowxContext(ctx, `INSERT INTO lessons (project_id, author_id, went_well, do_differently)
			VALUES ($1, $2, $3, $4) RETURNING id, created_at`, projectID, authorID, wentWell, doDifferently).Scan(&l.ID, &l.CreatedAt)
	})
	if errors.Is(err, bot.ErrReplayed) {
		return l, err
	}
	return l, mapErr(err, "add lesson")
}

// searchQuery turns free text into an OR of its words for websearch_to_tsquery,
// which never fails on odd input: "vpn migration" → "vpn or migration". Each
// word matches on its own; lessons matching more words rank higher.
func searchQuery(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	seen := map[string]bool{}
	var out []string
	for _, w := range words {
		if len(w) < 2 || seen[w] || w == "or" {
			continue
		}
		seen[w] = true
		out = append(out, w)
		if len(out) == 32 {
			break
		}
	}
	return strings.Join(out, " or ")
}

// SearchLessons finds a workspace's lessons by full text, best first. A lesson
// ranks by its own words and, at half weight, by its project's name and
// description, so "vpn migration" finds what was learned on VPN migrations even
// when the lesson itself says "tunnel". excludeProject (0 for none) leaves out
// one project's own lessons.
func (s *Store) SearchLessons(ctx context.Context, workspaceID int64, text string, limit int, excludeProject int64) ([]bot.Lesson, error) {
	q := searchQuery(text)
	if q == "" {
		return nil, nil
	}
	return queryAll(ctx, s.db, "search lessons", func(r rowScanner) (bot.Lesson, error) {
		var l bot.Lesson
		err := r.Scan(&l.ID, &l.ProjectID, &l.ProjectRef, &l.ProjectName, &l.ClientCode, &l.AuthorID, &l.Author,
			&l.WentWell, &l.DoDifferently, &l.CreatedAt, &l.Rank)
		return l, err
	}, `
		WITH q AS (SELECT websearch_to_tsquery('english', $2) AS q)
		SELECT l.id, l.project_id, 'P' || p.number, p.name, c.code, l.author_id, a.name, l.went_well,
			l.do_differently, l.created_at,
			ts_rank(l.search, q.q) + 0.5 * ts_rank(p.search, q.q) AS rank
		FROM lessons l CROSS JOIN q
		JOIN projects p ON p.id = l.project_id
		JOIN clients c ON c.id = p.client_id
		JOIN people a ON a.id = l.author_id
		WHERE p.workspace_id = $1 AND p.id <> $4 AND (l.search @@ q.q OR p.search @@ q.q)
		ORDER BY rank DESC, l.id DESC
		LIMIT $3`, workspaceID, q, limit, excludeProject)
}

// ProjectLessons lists the lessons recorded on one project, oldest first.
func (s *Store) ProjectLessons(ctx context.Context, projectID int64) ([]bot.Lesson, error) {
	return queryAll(ctx, s.db, "project lessons", func(r rowScanner) (bot.Lesson, error) {
		var l bot.Lesson
		err := r.Scan(&l.ID, &l.ProjectID, &l.ProjectRef, &l.ProjectName, &l.ClientCode, &l.AuthorID, &l.Author,
			&l.WentWell, &l.DoDifferently, &l.CreatedAt)
		return l, err
	}, `
		SELECT l.id, l.project_id, 'P' || p.number, p.name, c.code, l.author_id, a.name, l.went_well, l.do_differently, l.created_at
		FROM lessons l JOIN projects p ON p.id = l.project_id JOIN clients c ON c.id = p.client_id
		JOIN people a ON a.id = l.author_id WHERE l.project_id = $1 ORDER BY l.id`, projectID)
}

// LessonsSince lists a workspace's lessons recorded in [from, to), newest
// first, at most limit of them, and how many there are in all (digests).
func (s *Store) LessonsSince(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]bot.Lesson, int, error) {
	rows, err := s.db.QueryxContext(ctx, `
		SELECT l.id, l.project_id, 'P' || p.number, p.name, c.code, l.author_id, a.name, l.went_well, l.do_differently,
			l.created_at, count(*) OVER ()
		FROM lessons l JOIN projects p ON p.id = l.project_id JOIN clients c ON c.id = p.client_id
		JOIN people a ON a.id = l.author_id
		WHERE p.workspace_id = $1 AND l.created_at >= $2 AND l.created_at < $3
		ORDER BY l.created_at DESC, l.id DESC LIMIT $4`, workspaceID, from, to, limit)
	if err != nil {
		return nil, 0, mapErr(err, "lessons since")
	}
	defer rows.Close()
	var out []bot.Lesson
	total := 0
	for rows.Next() {
		var l bot.Lesson
		if err := rows.Scan(&l.ID, &l.ProjectID, &l.ProjectRef, &l.ProjectName, &l.ClientCode, &l.AuthorID, &l.Author,
			&l.WentWell, &l.DoDifferently, &l.CreatedAt, &total); err != nil {
			return nil, 0, mapErr(err, "scan lesson")
		}
		out = append(out, l)
	}
	return out, total, mapErr(rows.Err(), "lessons since")
}
