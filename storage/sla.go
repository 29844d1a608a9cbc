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

// DefaultSLACalendar is business hours 08:00-18:00 mon-fri in the bot's timezone.
var DefaultSLACalendar = bot.SLACalendarRow{DayStart: 480, DayEnd: 1080, Days: 62}

// SetSLATarget stores a client's targets for a priority.
func (s *Store) SetSLATarget(ctx context.Context, clientID int64, t bot.SLATarget) error {
	return s.SetSLATargetOnce(ctx, clientID, t, "")
}

// clientWorkspace is applyOnce's wsQuery for a client's id.
const clientWorkspace = `SELECT workspace_id FROM clients WHERE id = $1`

// SetSLATargetOnce is SetSLATarget made by the delivery key (bot.Event.SourceID,
// "" for none): the same delivery handled again changes nothing and is
// bot.ErrReplayed, so it cannot put back a target changed since.
func (s *Store) SetSLATargetOnce(ctx context.Context, clientID int64, t bot.SLATarget, key string) error {
	return s.applyOnce(ctx, clientWorkspace, clientID, key, func(q sqlx.ExtContext) error {
		_, err := q.ExecContext(ctx, `
			INSERT INTO sla_targets (client_id, priority, response_minutes, resolution_minutes) VALUES ($1, $2, $3, $4)
			ON CONFLICT (client_id, priority) DO UPDATE SET response_minutes = EXCLUDED.response_minutes,
				resolution_minutes = EXCLUDED.resolution_minutes, updated_at = now()`,
			clientID, t.Priority, t.ResponseMinutes, t.ResolutionMinutes)
		return mapErr(err, "set SLA target")
	})
}

// SetSLACalendar stores when a client's clocks run.
func (s *Store) SetSLACalendar(ctx context.Context, clientID int64, c bot.SLACalendarRow) error {
	return s.SetSLACalendarOnce(ctx, clientID, c, "")
}

// SetSLACalendarOnce is SetSLACalendar made by the delivery key, as
// SetSLATargetOnce.
func (s *Store) SetSLACalendarOnce(ctx context.Context, clientID int64, c bot.SLACalendarRow, key string) error {
	return s.applyOnce(ctx, clientWorkspace, clientID, key, func(q sqlx.ExtContext) error {
		_, err := q.ExecContext(ctx, `
			INSERT INTO sla_calendars (client_id, always, day_start, day_end, days, timezone) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (client_id) DO UPDATE SET always = EXCLUDED.always, day_start = EXCLUDED.day_start,
				day_end = EXCLUDED.day_end, days = EXCLUDED.days, timezone = EXCLUDED.timezone, updated_at = now()`,
			clientID, c.Always, c.DayStart, c.DayEnd, c.Days, c.Timezone)
		return mapErr(err, "set SLA calendar")
	})
}

// ClientSLA reads a client's targets (by priority) and calendar.
func (s *Store) ClientSLA(ctx context.Context, clientID int64) ([]bot.SLATarget, bot.SLACalendarRow, error) {
	cal := DefaultSLACalendar
	err := s.db.QueryRowxContext(ctx, `SELECT always, day_start, day_end, days, timezone FROM sla_calendars
		WHERE client_id = $1`, clientID).Scan(&cal.Always, &cal.DayStart, &cal.DayEnd, &cal.Days, &cal.Timezone)
	if err == nil {
		cal.Stored = true
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, cal, mapErr(err, "SLA calendar")
	}
	var out []bot.SLATarget
	err = s.db.SelectContext(ctx, &out, `SELECT priority AS "priority", response_minutes AS "responseminutes",
		resolution_minutes AS "resolutionminutes" FROM sla_targets WHERE client_id = $1 ORDER BY priority`, clientID)
	return out, cal, mapErr(err, "SLA targets")
}

// SetPriority changes a request's priority.
func (s *Store) SetPriority(ctx context.Context, workspaceID, number int64, priority string) error {
	return s.SetPriorityOnce(ctx, workspaceID, number, priority, "")
}

// SetPriorityOnce is SetPriority made by the delivery key (bot.Event's
// SourceID): the same delivery again changes nothing and is bot.ErrReplayed.
func (s *Store) SetPriorityOnce(ctx context.Context, workspaceID, number int64, priority, key string) error {
	err := s.applyOnce(ctx, `SELECT id FROM workspaces WHERE id = $1`, workspaceID, key, func(q sqlx.ExtContext) error {
		res, err := q.ExecContext(ctx, `UPDATE requests SET priority = $3, updated_at = now()
			WHERE workspace_id = $1 AND number = $2`, workspaceID, number, priority)
		if err != nil {
			return mapErr(err, "set priority")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("request #%d: %w", number, ErrNotFound) // rolls the record back
		}
		return nil
	})
	return err
}

// RecordStaffReply stops a request's response clock at the first staff reply:
// it sets first_response_at when it is not set yet, and does nothing after.
// Adapters call it for thread replies by staff; /request take calls it too.
func (s *Store) RecordStaffReply(ctx context.Context, requestID int64, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE requests SET first_response_at = $2
		WHERE id = $1 AND first_response_at IS NULL`, requestID, at)
	return mapErr(err, "record staff reply")
}

// WaitOnClient pauses a request's SLA clocks; already waiting is a conflict.
// The same delivery (key: bot.Event.SourceID, "" for none) pausing it again
// changes nothing and is bot.ErrReplayed.
func (s *Store) WaitOnClient(ctx context.Context, requestID, byID int64, at time.Time, key string) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyRequestDelivery(ctx, tx, requestID, key); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO request_pauses (request_id, started_at, by_id) VALUES ($1, $2, $3)`,
			requestID, at, byID); err != nil {
			return mapErr(err, "pause request")
		}
		_, err := tx.ExecContext(ctx, `UPDATE requests SET waiting_since = $2, updated_at = now() WHERE id = $1`, requestID, at)
		return mapErr(err, "pause request")
	})
}

// ResumeFromClient restarts a paused request's clocks; not waiting is not found.
func (s *Store) ResumeFromClient(ctx context.Context, requestID int64, at time.Time, key string) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyRequestDelivery(ctx, tx, requestID, key); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE request_pauses SET ended_at = greatest($2, started_at)
			WHERE request_id = $1 AND ended_at IS NULL`, requestID, at)
		if err != nil {
			return mapErr(err, "resume request")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("pause: %w", ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE requests SET waiting_since = NULL, updated_at = now() WHERE id = $1`, requestID)
		return mapErr(err, "resume request")
	})
}

const slaClockSelect = `
	SELECT r.id, r.workspace_id, r.number, r.title, r.client_id, c.code, r.priority, r.assignee_id, r.created_at,
		r.first_response_at, coalesce(r.resolved_at, r.closed_at), coalesce(t.response_minutes, 0), coalesce(t.resolution_minutes, 0),
		cal.client_id IS NOT NULL, coalesce(cal.always, false), coalesce(cal.day_start, 480), coalesce(cal.day_end, 1080),
		coalesce(cal.days, 62), coalesce(cal.timezone, ''),
		coalesce((SELECT array_agg(e.clock || '/' || e.level) FROM sla_events e WHERE e.request_id = r.id), '{}'),
		t.client_id IS NOT NULL, r.xmin::text
	FROM requests r
	JOIN clients c ON c.id = r.client_id
	LEFT JOIN sla_targets t ON t.client_id = r.client_id AND t.priority = r.priority
	LEFT JOIN sla_calendars cal ON cal.client_id = r.client_id `

func (s *Store) slaClocks(ctx context.Context, where string, args ...any) ([]bot.SLAClock, error) {
	rows, err := s.db.QueryContext(ctx, slaClockSelect+where, args...)
	if err != nil {
		return nil, mapErr(err, "SLA clocks")
	}
	defer rows.Close()
	var out []bot.SLAClock
	idx := map[int64]int{}
	var ids []int64
	for rows.Next() {
		var c bot.SLAClock
		var rec pq.StringArray
		if err := rows.Scan(&c.RequestID, &c.WorkspaceID, &c.Number, &c.Title, &c.ClientID, &c.ClientCode, &c.Priority,
			&c.AssigneeID, &c.CreatedAt, &c.FirstResponseAt, &c.ClosedAt, &c.Target.ResponseMinutes,
			&c.Target.ResolutionMinutes, &c.Calendar.Stored, &c.Calendar.Always, &c.Calendar.DayStart,
			&c.Calendar.DayEnd, &c.Calendar.Days, &c.Calendar.Timezone, &rec, &c.Contract, &c.Version); err != nil {
			return nil, mapErr(err, "scan SLA clock")
		}
		c.Target.Priority = c.Priority
		c.Recorded = map[string]bool{}
		for _, r := range rec {
			c.Recorded[r] = true
		}
		idx[c.RequestID] = len(out)
		ids = append(ids, c.RequestID)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err, "SLA clocks")
	}
	if len(ids) == 0 {
		return out, nil
	}
	prow, err := s.db.QueryContext(ctx, `SELECT request_id, started_at, ended_at FROM request_pauses
		WHERE request_id = ANY($1) ORDER BY request_id, started_at`, pq.Array(ids))
	if err != nil {
		return nil, mapErr(err, "pauses")
	}
	defer prow.Close()
	for prow.Next() {
		var id int64
		var p bot.SLAPause
		if err := prow.Scan(&id, &p.Start, &p.End); err != nil {
			return nil, mapErr(err, "scan pause")
		}
		out[idx[id]].Pauses = append(out[idx[id]].Pauses, p)
	}
	return out, mapErr(prow.Err(), "pauses")
}

// OpenSLAClocks lists the open requests of clients whose clocks are due a look
// at now: sla_next_check_at (set by SetSLANextChecks after each look, reset by
// triggers when priority, client, status, targets or calendar change) has
// come. Requests whose clocks are stopped or breached, or cannot reach their
// next level yet, are not read: the sweep reads the requests_sla_due partial
// index only, so its cost follows the clocks that are due, not the backlog.
// Rows with Contract false have no target for their priority.
func (s *Store) OpenSLAClocks(ctx context.Context, now time.Time) ([]bot.SLAClock, error) {
	return s.slaClocks(ctx, `
		WHERE r.status = 'open' AND r.client_id IS NOT NULL
		  AND r.sla_next_check_at <= $1 AND r.sla_next_check_at < 'infinity'
		ORDER BY r.id`, now)
}

// SetSLANextChecks stores the sweep's verdicts in one statement. A request
// changed since the sweep read it (another version) keeps its state, so it is
// looked at again: a verdict never outlives the row it was made on.
func (s *Store) SetSLANextChecks(ctx context.Context, checks []bot.SLANextCheck) error {
	if len(checks) == 0 {
		return nil
	}
	ids := make([]int64, len(checks))
	versions := make([]string, len(checks))
	ats := make([]string, len(checks))
	for i, c := range checks {
		ids[i], versions[i] = c.RequestID, c.Version
		if !c.At.IsZero() {
			ats[i] = c.At.UTC().Format(time.RFC3339Nano)
		}
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE requests r SET sla_next_check_at = CASE WHEN v.at = '' THEN 'infinity' ELSE v.at::timestamptz END
		FROM unnest($1::bigint[], $2::text[], $3::text[]) AS v(id, version, at)
		WHERE r.id = v.id AND r.xmin::text = v.version`, pq.Array(ids), pq.Array(versions), pq.Array(ats))
	return mapErr(err, "set SLA next checks")
}

// RequestSLAClock reads one request's clocks (not found when it has no contract).
func (s *Store) RequestSLAClock(ctx context.Context, requestID int64) (bot.SLAClock, error) {
	list, err := s.slaClocks(ctx, `WHERE r.id = $1 AND t.client_id IS NOT NULL`, requestID)
	if err != nil {
		return bot.SLAClock{}, err
	}
	if len(list) == 0 {
		return bot.SLAClock{}, fmt.Errorf("SLA for request: %w", ErrNotFound)
	}
	return list[0], nil
}

// RecordSLAEvent stores a warning or breach unless it is already recorded; it
// reports whether this call stored it (and so must tell people).
func (s *Store) RecordSLAEvent(ctx context.Context, e bot.SLAEvent) (bool, error) {
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO sla_events (workspace_id, request_id, client_id, clock, level, target_minutes, elapsed_minutes, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id, clock, level) DO NOTHING`,
		e.WorkspaceID, e.RequestID, e.ClientID, e.Clock, e.Level, e.TargetMinutes, e.ElapsedMinutes, e.At)
	if err != nil {
		return false, mapErr(err, "record SLA event")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SLAEventsSince lists a workspace's warnings and breaches since a moment,
// newest first, for requests still open or closed since then.
func (s *Store) SLAEventsSince(ctx context.Context, workspaceID int64, since time.Time) ([]bot.SLAEvent, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT e.workspace_id, e.request_id, r.number, r.title, e.client_id, c.code, e.clock, e.level,
			e.target_minutes, e.elapsed_minutes, e.at
		FROM sla_events e JOIN requests r ON r.id = e.request_id JOIN clients c ON c.id = e.client_id
		WHERE e.workspace_id = $1 AND (e.at >= $2 OR r.status = 'open' AND e.at >= $2 - interval '30 days')
		ORDER BY e.at DESC LIMIT 200`, workspaceID, since)
	if err != nil {
		return nil, mapErr(err, "SLA events")
	}
	defer rows.Close()
	var out []bot.SLAEvent
	for rows.Next() {
		var e bot.SLAEvent
		if err := rows.Scan(&e.WorkspaceID, &e.RequestID, &e.RequestNumber, &e.Title, &e.ClientID, &e.ClientCode,
			&e.Clock, &e.Level, &e.TargetMinutes, &e.ElapsedMinutes, &e.At); err != nil {
			return nil, mapErr(err, "scan SLA event")
		}
		out = append(out, e)
	}
	return out, mapErr(rows.Err(), "SLA events")
}

// BreachCount counts a client's breaches since a moment.
func (s *Store) BreachCount(ctx context.Context, clientID int64, since time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM sla_events WHERE client_id = $1 AND level = 'breach' AND at >= $2`,
		clientID, since)
	return n, mapErr(err, "breach count")
}
