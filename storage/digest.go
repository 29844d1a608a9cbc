package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/mspbot/mspbot/bot"
)

// Managers lists every manager with their schedule and digest time.
func (s *Store) Managers(ctx context.Context) ([]bot.Manager, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT p.id, p.name, w.platform, w.external_id, p.external_id, p.timezone, p.workspace_id,
			s.person_id IS NOT NULL, coalesce(s.work_start, 480), coalesce(s.work_end, 1020), coalesce(s.work_days, 62),
			coalesce(nullif(s.timezone, ''), p.timezone), s.away_from, s.away_until, s.off_date, coalesce(s.digest_at, 480)
		FROM people p JOIN workspaces w ON w.id = p.workspace_id LEFT JOIN schedules s ON s.person_id = p.id
		WHERE p.role = 'manager' ORDER BY p.id`)
	if err != nil {
		return nil, mapErr(err, "managers")
	}
	defer rows.Close()
	var out []bot.Manager
	for rows.Next() {
		var m bot.Manager
		r := &m.Schedule
		if err := rows.Scan(&m.PersonID, &m.Name, &m.Platform, &m.Workspace, &m.ExternalID, &m.Timezone, &m.WorkspaceID,
			&r.Stored, &r.WorkStart, &r.WorkEnd, &r.WorkDays, &r.Timezone, &r.AwayFrom, &r.AwayUntil, &r.OffDate,
			&r.DigestAt); err != nil {
			return nil, mapErr(err, "scan manager")
		}
		r.PersonID = m.PersonID
		out = append(out, m)
	}
	return out, mapErr(rows.Err(), "managers")
}

// DigestSent reports whether a manager's digest for a local date has gone out.
func (s *Store) DigestSent(ctx context.Context, managerID int64, localDate time.Time) (bool, error) {
	var sent bool
	err := s.db.GetContext(ctx, &sent, `SELECT sent_at IS NOT NULL FROM digests WHERE manager_id = $1 AND local_date = $2`,
		managerID, localDate)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return sent, mapErr(err, "digest sent")
}

// SendDigestOnce makes sure a manager's digest for a local date is sent once:
// it claims the (manager, date) row and holds its lock while send runs, so a
// second instance waits and then sees it sent. If send fails nothing is
// recorded and a retry may send it. It reports whether this call sent it.
func (s *Store) SendDigestOnce(ctx context.Context, workspaceID, managerID int64, localDate time.Time, send func() (string, error)) (bool, error) {
	sent := false
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digests (manager_id, local_date, workspace_id) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, managerID, localDate, workspaceID); err != nil {
			return mapErr(err, "claim digest")
		}
		var already bool
		if err := tx.GetContext(ctx, &already, `SELECT sent_at IS NOT NULL FROM digests
			WHERE manager_id = $1 AND local_date = $2 FOR UPDATE`, managerID, localDate); err != nil {
			return mapErr(err, "lock digest")
		}
		if already {
			return nil
		}
		body, err := send()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE digests SET sent_at = now(), body = $3 WHERE manager_id = $1 AND local_date = $2`,
			managerID, localDate, body); err != nil {
			return mapErr(err, "mark digest sent")
		}
		sent = true
		return nil
	})
	return sent && err == nil, err
}

// NewRequestCounts counts requests opened in [from, to) by kind and client, and
// how many of them are still open. It reads the created_at index range only.
func (s *Store) NewRequestCounts(ctx context.Context, workspaceID int64, from, to time.Time) ([]bot.RequestCount, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT r.kind, coalesce(c.code, ''), count(*), count(*) FILTER (WHERE r.status = 'open')
		FROM requests r LEFT JOIN clients c ON c.id = r.client_id
		WHERE r.workspace_id = $1 AND r.created_at >= $2 AND r.created_at < $3
		GROUP BY 1, 2 ORDER BY 3 DESC, 2`, workspaceID, from, to)
	if err != nil {
		return nil, mapErr(err, "new requests")
	}
	defer rows.Close()
	var out []bot.RequestCount
	for rows.Next() {
		var c bot.RequestCount
		if err := rows.Scan(&c.Kind, &c.ClientCode, &c.New, &c.StillOpen); err != nil {
			return nil, mapErr(err, "scan request count")
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err(), "new requests")
}

// OpenRequestCounts counts open requests by kind from the open-requests index.
func (s *Store) OpenRequestCounts(ctx context.Context, workspaceID int64) ([]bot.OpenCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, count(*), min(created_at) FROM requests
		WHERE workspace_id = $1 AND status = 'open' GROUP BY kind ORDER BY kind`, workspaceID)
	if err != nil {
		return nil, mapErr(err, "open requests")
	}
	defer rows.Close()
	var out []bot.OpenCount
	for rows.Next() {
		var c bot.OpenCount
		if err := rows.Scan(&c.Kind, &c.Open, &c.Oldest); err != nil {
			return nil, mapErr(err, "scan open count")
		}
		out = append(out, c)
	}
	return out, mapErr(rows.Err(), "open requests")
}

// Team lists a manager's reports (or, when they have none, every tech and
// coordinator of the workspace) with the minutes each logged on date.
func (s *Store) Team(ctx context.Context, workspaceID, managerID int64, date time.Time) ([]bot.TeamMember, error) {
	var hasReports bool
	if err := s.db.GetContext(ctx, &hasReports, `SELECT EXISTS (SELECT 1 FROM schedules WHERE manager_id = $1)`, managerID); err != nil {
		return nil, mapErr(err, "reports")
	}
	var mgr *int64
	if hasReports {
		mgr = &managerID
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT p.id, p.name, p.created_at, s.person_id IS NOT NULL, coalesce(s.work_start, 480), coalesce(s.work_end, 1020),
			coalesce(s.work_days, 62), coalesce(nullif(s.timezone, ''), p.timezone), s.away_from, s.away_until, s.off_date
		FROM people p LEFT JOIN schedules s ON s.person_id = p.id
		WHERE p.workspace_id = $1 AND p.role IN ('tech', 'coordinator')
		  AND ($2::bigint IS NULL OR s.manager_id = $2)
		ORDER BY lower(p.name)`, workspaceID, mgr)
	if err != nil {
		return nil, mapErr(err, "team")
	}
	defer rows.Close()
	var out []bot.TeamMember
	var ids []int64
	for rows.Next() {
		var m bot.TeamMember
		r := &m.Schedule
		if err := rows.Scan(&m.PersonID, &m.Name, &m.Since, &r.Stored, &r.WorkStart, &r.WorkEnd, &r.WorkDays, &r.Timezone,
			&r.AwayFrom, &r.AwayUntil, &r.OffDate); err != nil {
			return nil, mapErr(err, "scan team member")
		}
		r.PersonID = m.PersonID
		ids = append(ids, m.PersonID)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "team")
	}
	if len(ids) == 0 {
		return out, nil
	}
	mins := map[int64]int{}
	mrows, err := s.db.QueryContext(ctx, `SELECT person_id, sum(minutes) FROM time_entries
		WHERE person_id = ANY($1) AND entry_date = $2 GROUP BY person_id`, pq.Array(ids), date)
	if err != nil {
		return nil, mapErr(err, "minutes logged")
	}
	defer mrows.Close()
	for mrows.Next() {
		var id int64
		var m int
		if err := mrows.Scan(&id, &m); err != nil {
			return nil, mapErr(err, "scan minutes")
		}
		mins[id] = m
	}
	for i := range out {
		out[i].Minutes = mins[out[i].PersonID]
	}
	return out, mapErr(mrows.Err(), "minutes logged")
}

// Explain returns Postgres's plan for a query, for tests and the benchmark that
// check the digest and sweep read indexes rather than history.
func (s *Store) Explain(ctx context.Context, query string, args ...any) (string, error) {
	rows, err := s.db.QueryContext(ctx, `EXPLAIN `+query, args...)
	if err != nil {
		return "", mapErr(err, "explain")
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", mapErr(err, "explain")
		}
		plan += line + "\n"
	}
	return plan, mapErr(rows.Err(), fmt.Sprintf("explain %.40s", query))
}
