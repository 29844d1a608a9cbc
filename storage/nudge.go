package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mspbot/mspbot/bot"
)

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// answerNudge records an answer on the person's latest unanswered gap nudge of
// the last 12 hours, if any: a time entry, a timer, a snooze or "off today".
func answerNudge(ctx context.Context, db execer, personID int64, at time.Time, answer string) error {
	_, err := db.ExecContext(ctx, `
		UPDATE nudges SET answered_at = $2, answer = $3
		WHERE id = (SELECT id FROM nudges WHERE person_id = $1 AND kind = 'gap' AND answered_at IS NULL
			AND sent_at <= $2 AND sent_at > $2 - interval '12 hours' ORDER BY sent_at DESC LIMIT 1)`,
		personID, at, answer)
	return mapErr(err, "answer nudge")
}

// Staffers lists the techs and coordinators to consider for nudges, with
// everything the decision needs. Each person costs a few index probes (latest
// entry, latest nudge, timer); history is never scanned. People away through
// yesterday and beyond are skipped in SQL.
func (s *Store) Staffers(ctx context.Context, now time.Time) ([]bot.Staffer, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT p.id, p.workspace_id, w.platform, w.external_id, p.external_id, p.name,
			s.person_id IS NOT NULL, coalesce(s.work_start, 480), coalesce(s.work_end, 1020), coalesce(s.work_days, 62),
			coalesce(nullif(s.timezone, ''), p.timezone), s.away_from, s.away_until, s.off_date, s.snoozed_at,
			s.snoozed_until, s.manager_id, coalesce(s.digest_at, 480),
			le.created_at, tm.started_at, tm.confirmed_at, coalesce(tr.number, 0), ln.sent_at
		FROM people p
		JOIN workspaces w ON w.id = p.workspace_id
		LEFT JOIN schedules s ON s.person_id = p.id
		LEFT JOIN timers tm ON tm.person_id = p.id
		LEFT JOIN requests tr ON tr.id = tm.request_id
		LEFT JOIN LATERAL (SELECT t.created_at FROM time_entries t WHERE t.person_id = p.id
			ORDER BY t.created_at DESC LIMIT 1) le ON true
		LEFT JOIN LATERAL (SELECT n.sent_at FROM nudges n WHERE n.person_id = p.id AND n.kind = 'gap'
			ORDER BY n.sent_at DESC LIMIT 1) ln ON true
		WHERE p.role IN ('tech', 'coordinator')
		  AND NOT (s.away_from IS NOT NULL AND s.away_from < $1::date - 1 AND s.away_until > $1::date + 1)
		ORDER BY p.id`, now.UTC())
	if err != nil {
		return nil, mapErr(err, "staffers")
	}
	defer rows.Close()
	var out []bot.Staffer
	for rows.Next() {
		var st bot.Staffer
		r := &st.Schedule
		if err := rows.Scan(&st.PersonID, &st.WorkspaceID, &st.Platform, &st.Workspace, &st.ExternalID, &st.Name,
			&r.Stored, &r.WorkStart, &r.WorkEnd, &r.WorkDays, &r.Timezone, &r.AwayFrom, &r.AwayUntil, &r.OffDate,
			&r.SnoozedAt, &r.SnoozedUntil, &r.ManagerID, &r.DigestAt,
			&st.LastEntry, &st.TimerStartedAt, &st.TimerConfirmedAt, &st.TimerRequest, &st.LastNudge); err != nil {
			return nil, mapErr(err, "scan staffer")
		}
		r.PersonID = st.PersonID
		out = append(out, st)
	}
	return out, mapErr(rows.Err(), "staffers")
}

// RecordNudge stores a nudge unless one exists for the same person, kind and
// gap start; it reports whether this call stored it (and so must send it).
func (s *Store) RecordNudge(ctx context.Context, workspaceID, personID int64, kind string, gapStart, localDate, at time.Time) (int64, bool, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `
		INSERT INTO nudges (workspace_id, person_id, kind, gap_start, local_date, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id, kind, gap_start) DO NOTHING RETURNING id`,
		workspaceID, personID, kind, gapStart, localDate, at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, mapErr(err, "record nudge")
}

// UnansweredNudges counts a person's unanswered gap nudges on a local date.
func (s *Store) UnansweredNudges(ctx context.Context, personID int64, localDate time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM nudges WHERE person_id = $1 AND kind = 'gap'
		AND local_date = $2 AND answered_at IS NULL`, personID, localDate)
	return n, mapErr(err, "unanswered nudges")
}

// RecordEscalation stores the day's escalation for a tech unless there is one;
// it reports whether this call stored it.
func (s *Store) RecordEscalation(ctx context.Context, personID int64, localDate time.Time, managerID *int64, unanswered int, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO nudge_escalations (person_id, local_date, manager_id, unanswered, sent_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, personID, localDate, managerID, unanswered, at)
	if err != nil {
		return false, mapErr(err, "record escalation")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

const recipientSelect = `SELECT p.id, p.name, w.platform, w.external_id, p.external_id, p.timezone
	FROM people p JOIN workspaces w ON w.id = p.workspace_id `

func (s *Store) recipients(ctx context.Context, where string, args ...any) ([]bot.Recipient, error) {
	rows, err := s.db.QueryContext(ctx, recipientSelect+where, args...)
	if err != nil {
		return nil, mapErr(err, "recipients")
	}
	defer rows.Close()
	var out []bot.Recipient
	for rows.Next() {
		var r bot.Recipient
		if err := rows.Scan(&r.PersonID, &r.Name, &r.Platform, &r.Workspace, &r.ExternalID, &r.Timezone); err != nil {
			return nil, mapErr(err, "scan recipient")
		}
		out = append(out, r)
	}
	return out, mapErr(rows.Err(), "recipients")
}

// Recipient reads one person as a DM recipient.
func (s *Store) Recipient(ctx context.Context, personID int64) (bot.Recipient, error) {
	list, err := s.recipients(ctx, `WHERE p.id = $1`, personID)
	if err != nil {
		return bot.Recipient{}, err
	}
	if len(list) == 0 {
		return bot.Recipient{}, fmt.Errorf("person %d: %w", personID, ErrNotFound)
	}
	return list[0], nil
}

// PeopleWithRole lists a workspace's people of one role as recipients.
func (s *Store) PeopleWithRole(ctx context.Context, workspaceID int64, role bot.Role) ([]bot.Recipient, error) {
	return s.recipients(ctx, `WHERE p.workspace_id = $1 AND p.role = $2 ORDER BY p.id`, workspaceID, role)
}

// ClientCoordinators lists the coordinators of a client's running projects:
// who hears about that client's unassigned SLA warnings.
func (s *Store) ClientCoordinators(ctx context.Context, clientID int64) ([]bot.Recipient, error) {
	return s.recipients(ctx, `WHERE p.id IN (SELECT coordinator_id FROM projects WHERE client_id = $1 AND status <> 'closed')
		AND p.role IN ('coordinator', 'manager') ORDER BY p.id`, clientID)
}

// NudgeStatsBetween counts nudges sent and answered per person on local dates from..to.
func (s *Store) NudgeStatsBetween(ctx context.Context, workspaceID int64, from, to time.Time) (map[int64]bot.NudgeStats, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT person_id, count(*), count(answered_at) FROM nudges
		WHERE workspace_id = $1 AND kind = 'gap' AND local_date BETWEEN $2 AND $3 GROUP BY person_id`, workspaceID, from, to)
	if err != nil {
		return nil, mapErr(err, "nudge stats")
	}
	defer rows.Close()
	out := map[int64]bot.NudgeStats{}
	for rows.Next() {
		var n bot.NudgeStats
		if err := rows.Scan(&n.PersonID, &n.Sent, &n.Answered); err != nil {
			return nil, mapErr(err, "scan nudge stats")
		}
		out[n.PersonID] = n
	}
	return out, mapErr(rows.Err(), "nudge stats")
}
