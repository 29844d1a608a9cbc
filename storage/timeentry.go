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

const timeEntryColumns = `t.id, t.workspace_id, t.person_id, p.name, t.request_id, r.number, t.project_id, pr.number,
	t.minutes, t.note, t.entry_date, t.billable, t.started_at, t.ended_at, t.source, t.created_at`

const timeEntryFrom = ` FROM time_entries t JOIN people p ON p.id = t.person_id
	LEFT JOIN requests r ON r.id = t.request_id LEFT JOIN projects pr ON pr.id = t.project_id `

func scanTimeEntry(row rowScanner) (bot.TimeEntry, error) {
	var e bot.TimeEntry
	err := row.Scan(&e.ID, &e.WorkspaceID, &e.PersonID, &e.PersonName, &e.RequestID, &e.RequestNumber, &e.ProjectID, &e.ProjectNumber,
		&e.Minutes, &e.Note, &e.Date, &e.Billable, &e.StartedAt, &e.EndedAt, &e.Source, &e.CreatedAt)
	return e, err
}

// AddTimeEntry stores an entry (its CreatedAt is the moment it was logged) and
// marks the person's latest unanswered gap nudge as answered by it. The
// database refuses an entry that would take the person's day past 24h or that
// lands on closed project time (migration 00130), with a conflict error.
func (s *Store) AddTimeEntry(ctx context.Context, e bot.TimeEntry) (bot.TimeEntry, error) {
	var out bot.TimeEntry
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = addTimeEntry(ctx, tx, e)
		return err
	})
	return out, err
}

func addTimeEntry(ctx context.Context, tx *sqlx.Tx, e bot.TimeEntry) (bot.TimeEntry, error) {
	if e.Source == "" {
		e.Source = "typed"
	}
	var out bot.TimeEntry
	err := func() error {
		var key *string
		if e.SourceKey != "" {
			key = &e.SourceKey
			// Also kept apart from the entry: an entry since deleted is not
			// logged again when its delivery is handled again.
			if fresh, err := applyDelivery(ctx, tx, e.WorkspaceID, e.SourceKey); err != nil {
				return err
			} else if !fresh {
				out, err = scanTimeEntry(tx.QueryRowxContext(ctx, `SELECT `+timeEntryColumns+timeEntryFrom+`
					WHERE t.workspace_id = $1 AND t.source_key = $2`, e.WorkspaceID, e.SourceKey))
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("add time entry: %w", bot.ErrReplayed)
				}
				return mapErr(err, "read time entry by source")
			}
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO time_entries (workspace_id, person_id, request_id, project_id, minutes, note, entry_date,
				billable, started_at, ended_at, source, source_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
			ON CONFLICT (workspace_id, source_key) WHERE source_key IS NOT NULL DO NOTHING RETURNING id`,
			e.WorkspaceID, e.PersonID, e.RequestID, e.ProjectID, e.Minutes, e.Note, e.Date,
			e.Billable, e.StartedAt, e.EndedAt, e.Source, key, e.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			// This delivery logged its entry before (handled again after a
			// crash): the first entry is the answer, and nothing changes.
			out, err = scanTimeEntry(tx.QueryRowxContext(ctx, `SELECT `+timeEntryColumns+timeEntryFrom+`
				WHERE t.workspace_id = $1 AND t.source_key = $2`, e.WorkspaceID, e.SourceKey))
			return mapErr(err, "read time entry by source")
		}
		if err != nil {
			return mapErr(err, "add time entry")
		}
		answer := "logged"
		if e.Source == "timer" {
			answer = "timer"
		}
		if err := answerNudge(ctx, tx, e.PersonID, e.CreatedAt, answer); err != nil {
			return err
		}
		out, err = scanTimeEntry(tx.QueryRowxContext(ctx, `SELECT `+timeEntryColumns+timeEntryFrom+` WHERE t.id = $1`, id))
		return mapErr(err, "read time entry")
	}()
	return out, err
}

// TimeEntryByID reads one entry of a workspace.
func (s *Store) TimeEntryByID(ctx context.Context, workspaceID, id int64) (bot.TimeEntry, error) {
	e, err := scanTimeEntry(s.db.QueryRowxContext(ctx, `SELECT `+timeEntryColumns+timeEntryFrom+`
		WHERE t.workspace_id = $1 AND t.id = $2`, workspaceID, id))
	return e, mapErr(err, fmt.Sprintf("time entry %d", id))
}

// TimeEntryBySource is the entry a platform delivery logged, or ErrNotFound.
func (s *Store) TimeEntryBySource(ctx context.Context, workspaceID int64, key string) (bot.TimeEntry, error) {
	e, err := scanTimeEntry(s.db.QueryRowxContext(ctx, `SELECT `+timeEntryColumns+timeEntryFrom+`
		WHERE t.workspace_id = $1 AND t.source_key = $2`, workspaceID, key))
	return e, mapErr(err, "time entry by source")
}

// EditTimeEntry changes an entry's minutes, note or what it is logged on. The
// database refuses a change that takes the day past 24h or touches closed
// project time (migration 00130).
//
// key is the delivery asking (bot.Event's SourceID, "" for none), recorded in
// the same transaction: the same delivery handled again is bot.ErrReplayed and
// changes nothing, so it cannot undo an edit made after it.
func (s *Store) EditTimeEntry(ctx context.Context, workspaceID, id int64, c bot.TimeEntryEdit, key string) (bot.TimeEntry, error) {
	if c.Move && (c.RequestID == nil) == (c.ProjectID == nil) {
		return bot.TimeEntry{}, fmt.Errorf("edit time entry %d: move needs a request or a project: %w", id, bot.Errorf(bot.EInvalid, "name a request or a project to move it to"))
	}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return fmt.Errorf("edit time entry %d: %w", id, bot.ErrReplayed)
		}
		res, err := tx.ExecContext(ctx, `UPDATE time_entries SET
				minutes = CASE WHEN $3 > 0 THEN $3 ELSE minutes END, note = coalesce($4, note),
				request_id = CASE WHEN $5 THEN $6 ELSE request_id END,
				project_id = CASE WHEN $5 THEN $7 ELSE project_id END, updated_at = $8
			WHERE workspace_id = $1 AND id = $2`, workspaceID, id, c.Minutes, c.Note, c.Move, c.RequestID, c.ProjectID, c.At)
		if err != nil {
			return mapErr(err, "edit time entry")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("time entry %d: %w", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return bot.TimeEntry{}, err
	}
	return s.TimeEntryByID(ctx, workspaceID, id)
}

// DayMinutes is what a person has logged dated date.
func (s *Store) DayMinutes(ctx context.Context, personID int64, date time.Time) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT coalesce(sum(minutes), 0) FROM time_entries
		WHERE person_id = $1 AND entry_date = $2`, personID, date)
	return n, mapErr(err, "day minutes")
}

// DeleteTimeEntry removes an entry. key is the delivery asking (bot.Event's
// SourceID, "" for none), recorded in the same transaction: the same delivery
// handled again after a crash is bot.ErrReplayed and removes nothing.
func (s *Store) DeleteTimeEntry(ctx context.Context, workspaceID, id int64, key string) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return fmt.Errorf("delete time entry %d: %w", id, bot.ErrReplayed)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM time_entries WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
		if err != nil {
			return mapErr(err, "delete time entry")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("time entry %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// TimeEntries lists a person's entries dated from..to inclusive, oldest first.
func (s *Store) TimeEntries(ctx context.Context, personID int64, from, to time.Time) ([]bot.TimeEntry, error) {
	return queryAll(ctx, s.db, "time entries", scanTimeEntry, `SELECT `+timeEntryColumns+timeEntryFrom+`
		WHERE t.person_id = $1 AND t.entry_date BETWEEN $2 AND $3
		ORDER BY t.entry_date, t.created_at, t.id`, personID, from, to)
}

// LatestRequestOf is the number of the request a person most recently logged
// time on, was assigned or opened (0 when none): what a nudge offers to log on.
func (s *Store) LatestRequestOf(ctx context.Context, personID int64) (int64, error) {
	var n int64
	err := s.db.GetContext(ctx, &n, `
		SELECT coalesce((
			SELECT r.number FROM time_entries t JOIN requests r ON r.id = t.request_id
			WHERE t.person_id = $1 AND t.request_id IS NOT NULL
			ORDER BY t.created_at DESC LIMIT 1), (
			SELECT r.number FROM requests r WHERE r.assignee_id = $1 AND r.status = 'open'
			ORDER BY r.updated_at DESC LIMIT 1), 0)`, personID)
	return n, mapErr(err, "latest request")
}

// StartTimer starts a person's timer; one already running is a conflict. A
// timer whose SourceKey started one before (handled again after a crash, even
// if that timer has since stopped) is bot.ErrReplayed and starts nothing.
func (s *Store) StartTimer(ctx context.Context, t bot.Timer) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if fresh, err := applyDelivery(ctx, tx, t.WorkspaceID, t.SourceKey); err != nil {
			return err
		} else if !fresh {
			return fmt.Errorf("start timer: %w", bot.ErrReplayed)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO timers (person_id, workspace_id, request_id, project_id, note, billable, started_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.PersonID, t.WorkspaceID, t.RequestID, t.ProjectID, t.Note, t.Billable, t.StartedAt); err != nil {
			return mapErr(err, "start timer")
		}
		return answerNudge(ctx, tx, t.PersonID, t.StartedAt, "timer")
	})
}

// RunningTimer reads a person's running timer.
func (s *Store) RunningTimer(ctx context.Context, personID int64) (bot.Timer, error) {
	var t bot.Timer
	err := s.db.QueryRowxContext(ctx, `
		SELECT tm.person_id, tm.workspace_id, tm.request_id, r.number, tm.project_id, pr.number, tm.note, tm.billable,
			tm.started_at, tm.confirmed_at
		FROM timers tm LEFT JOIN requests r ON r.id = tm.request_id LEFT JOIN projects pr ON pr.id = tm.project_id
		WHERE tm.person_id = $1`, personID).
		Scan(&t.PersonID, &t.WorkspaceID, &t.RequestID, &t.RequestNumber, &t.ProjectID, &t.ProjectNumber, &t.Note, &t.Billable,
			&t.StartedAt, &t.ConfirmedAt)
	return t, mapErr(err, "running timer")
}

// StopTimer stops a person's timer and turns it into a time entry dated date,
// in one transaction. A timer shorter than a minute counts as one minute; a
// timer longer than what is left of the day's 24h logs only what is left
// (Minutes tells), and when nothing is left the timer stops and the entry has
// ID 0 and no minutes.
//
// key is the delivery that stops it (bot.Event's SourceID), kept on the entry:
// when that delivery's entry exists already, it is returned and nothing stops.
func (s *Store) StopTimer(ctx context.Context, personID int64, note, key string, at, date time.Time) (bot.TimeEntry, error) {
	var out bot.TimeEntry
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var t bot.Timer
		err := tx.QueryRowxContext(ctx, `DELETE FROM timers WHERE person_id = $1
			RETURNING workspace_id, request_id, project_id, note, billable, started_at`, personID).
			Scan(&t.WorkspaceID, &t.RequestID, &t.ProjectID, &t.Note, &t.Billable, &t.StartedAt)
		if err != nil {
			return mapErr(err, "stop timer")
		}
		if note == "" {
			note = t.Note
		}
		// The same lock the ledger's trigger takes, before reading what is left.
		var logged int
		if err := tx.GetContext(ctx, &logged, `SELECT coalesce((SELECT sum(minutes) FROM time_entries
				WHERE person_id = $1 AND entry_date = $2), 0)
			FROM people WHERE id = $1 FOR NO KEY UPDATE`, personID, date); err != nil {
			return mapErr(err, "day minutes")
		}
		minutes := min(max(1, int(at.Sub(t.StartedAt).Round(time.Minute).Minutes())), 24*60-logged)
		if minutes <= 0 {
			out = bot.TimeEntry{WorkspaceID: t.WorkspaceID, PersonID: personID, Date: date}
			return nil
		}
		start, end := t.StartedAt, at
		out, err = addTimeEntry(ctx, tx, bot.TimeEntry{WorkspaceID: t.WorkspaceID, PersonID: personID, RequestID: t.RequestID,
			ProjectID: t.ProjectID, Minutes: minutes, Note: note, Date: date, Billable: t.Billable,
			StartedAt: &start, EndedAt: &end, Source: "timer", SourceKey: key, CreatedAt: at})
		return err
	})
	return out, err
}

// ConfirmTimer records that a long timer is still running, so the bot asks again
// only after another full limit.
func (s *Store) ConfirmTimer(ctx context.Context, personID int64, at time.Time) error {
	return s.ConfirmTimerOnce(ctx, personID, at, "")
}

// ConfirmTimerOnce is ConfirmTimer made by the delivery key (bot.Event.SourceID,
// "" for none): the same delivery handled again is bot.ErrReplayed and moves
// nothing, not the confirmation to the time it is handled again, nor "no
// timer" once the timer has been stopped since.
func (s *Store) ConfirmTimerOnce(ctx context.Context, personID int64, at time.Time, key string) error {
	return s.applyOnce(ctx, `SELECT workspace_id FROM people WHERE id = $1`, personID, key, func(q sqlx.ExtContext) error {
		res, err := q.ExecContext(ctx, `UPDATE timers SET confirmed_at = $2 WHERE person_id = $1`, personID, at)
		if err != nil {
			return mapErr(err, "confirm timer")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("timer: %w", ErrNotFound)
		}
		_, err = q.ExecContext(ctx, `UPDATE nudges SET answered_at = $2, answer = 'still running'
			WHERE person_id = $1 AND kind = 'timer' AND answered_at IS NULL`, personID, at)
		return mapErr(err, "answer timer check")
	})
}

// DefaultTimeSettings apply until a manager changes them.
var DefaultTimeSettings = bot.TimeSettings{GapMinutes: 90, LockDays: 7, TimerLimitMinutes: 240, EscalateAfter: 3}

// TimeSettings reads a workspace's rules, or the defaults.
func (s *Store) TimeSettings(ctx context.Context, workspaceID int64) (bot.TimeSettings, error) {
	var t bot.TimeSettings
	err := s.db.QueryRowxContext(ctx, `SELECT gap_minutes, lock_days, timer_limit_minutes, escalate_after
		FROM time_settings WHERE workspace_id = $1`, workspaceID).Scan(&t.GapMinutes, &t.LockDays, &t.TimerLimitMinutes, &t.EscalateAfter)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultTimeSettings, nil
	}
	return t, mapErr(err, "time settings")
}

// SetTimeSettings stores a workspace's rules. key is the delivery making the
// change (bot.Event.SourceID, "" for none), recorded in the same transaction:
// the same delivery handled again changes nothing and is bot.ErrReplayed, so
// it cannot undo a later change.
func (s *Store) SetTimeSettings(ctx context.Context, workspaceID int64, t bot.TimeSettings, key string) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return bot.ErrReplayed
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO time_settings (workspace_id, gap_minutes, lock_days, timer_limit_minutes, escalate_after)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (workspace_id) DO UPDATE SET gap_minutes = EXCLUDED.gap_minutes, lock_days = EXCLUDED.lock_days,
				timer_limit_minutes = EXCLUDED.timer_limit_minutes, escalate_after = EXCLUDED.escalate_after, updated_at = now()`,
			workspaceID, t.GapMinutes, t.LockDays, t.TimerLimitMinutes, t.EscalateAfter)
		return mapErr(err, "set time settings")
	})
}

// DeliveryApplied says whether the delivery key made its change before.
func (s *Store) DeliveryApplied(ctx context.Context, workspaceID int64, key string) (bool, error) {
	var ok bool
	err := s.db.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM applied_deliveries
		WHERE workspace_id = $1 AND source_key = $2)`, workspaceID, key)
	return ok, mapErr(err, "delivery applied")
}

// applyOnce runs fn in a transaction that first records that delivery key
// made its change, in the workspace wsQuery reads for id: a key recorded
// before runs nothing and is bot.ErrReplayed. An empty key runs fn alone.
func (s *Store) applyOnce(ctx context.Context, wsQuery string, id int64, key string, fn func(q sqlx.ExtContext) error) error {
	if key == "" {
		return fn(s.db)
	}
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		var ws int64
		if err := tx.GetContext(ctx, &ws, wsQuery, id); err != nil {
			return mapErr(err, "workspace")
		}
		if fresh, err := applyDelivery(ctx, tx, ws, key); err != nil {
			return err
		} else if !fresh {
			return bot.ErrReplayed
		}
		return fn(tx)
	})
}

// projectWorkspace is applyOnce's wsQuery for a project's id.
const projectWorkspace = `SELECT workspace_id FROM projects WHERE id = $1`

// applyRequestDelivery is applyDelivery for a change to a request, in the
// request's workspace: bot.ErrReplayed when the delivery made it before.
func applyRequestDelivery(ctx context.Context, tx *sqlx.Tx, requestID int64, key string) error {
	var ws int64
	if key == "" {
		return nil
	}
	if err := tx.GetContext(ctx, &ws, `SELECT workspace_id FROM requests WHERE id = $1`, requestID); err != nil {
		return mapErr(err, "request")
	}
	if fresh, err := applyDelivery(ctx, tx, ws, key); err != nil {
		return err
	} else if !fresh {
		return bot.ErrReplayed
	}
	return nil
}

// applyProjectDelivery is applyRequestDelivery for a change to a project.
func applyProjectDelivery(ctx context.Context, tx *sqlx.Tx, projectID int64, key string) error {
	var ws int64
	if key == "" {
		return nil
	}
	if err := tx.GetContext(ctx, &ws, projectWorkspace, projectID); err != nil {
		return mapErr(err, "project")
	}
	if fresh, err := applyDelivery(ctx, tx, ws, key); err != nil {
		return err
	} else if !fresh {
		return bot.ErrReplayed
	}
	return nil
}

// applyDelivery records, in tx, that the delivery key makes its change; false
// when it made it before. An empty key (the console, a test) always applies.
func applyDelivery(ctx context.Context, tx *sqlx.Tx, workspaceID int64, key string) (bool, error) {
	if key == "" {
		return true, nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO applied_deliveries (workspace_id, source_key) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, workspaceID, key)
	if err != nil {
		return false, mapErr(err, "apply delivery")
	}
	n, err := res.RowsAffected()
	return n == 1, mapErr(err, "apply delivery")
}
