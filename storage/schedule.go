package storage

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

// DefaultScheduleRow is 08:00-17:00 mon-fri, digest at 08:00.
func DefaultScheduleRow(personID int64) bot.ScheduleRow {
	return bot.ScheduleRow{PersonID: personID, WorkStart: 480, WorkEnd: 1020, WorkDays: 62, DigestAt: 480}
}

// Schedule reads a person's schedule (defaults when none is stored). Timezone is
// the schedule's own or, failing that, the person's platform timezone.
func (s *Store) Schedule(ctx context.Context, personID int64) (bot.ScheduleRow, error) {
	r := DefaultScheduleRow(personID)
	err := s.db.QueryRowxContext(ctx, `
		SELECT s.person_id IS NOT NULL, coalesce(s.work_start, 480), coalesce(s.work_end, 1020),
			coalesce(s.work_days, 62), coalesce(nullif(s.timezone, ''), p.timezone), s.away_from, s.away_until,
			s.off_date, s.snoozed_at, s.snoozed_until, s.manager_id, coalesce(m.name, ''), coalesce(s.digest_at, 480)
		FROM people p LEFT JOIN schedules s ON s.person_id = p.id LEFT JOIN people m ON m.id = s.manager_id
		WHERE p.id = $1`, personID).Scan(&r.Stored, &r.WorkStart, &r.WorkEnd, &r.WorkDays, &r.Timezone,
		&r.AwayFrom, &r.AwayUntil, &r.OffDate, &r.SnoozedAt, &r.SnoozedUntil, &r.ManagerID, &r.ManagerName, &r.DigestAt)
	return r, mapErr(err, "schedule")
}

// updateSchedule creates the person's row with defaults if needed and applies
// set. key is the delivery making the change (bot.Event.SourceID, "" for
// none), recorded in the same transaction: the same delivery handled again
// changes nothing and is bot.ErrReplayed, so it cannot undo a later change.
func (s *Store) updateSchedule(ctx context.Context, personID int64, key, set string, args ...any) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyPersonDelivery(ctx, tx, personID, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schedules (person_id) VALUES ($1) ON CONFLICT (person_id) DO NOTHING`, personID)
		if err != nil {
			return mapErr(err, "schedule")
		}
		_, err = tx.ExecContext(ctx, `UPDATE schedules SET `+set+`, updated_at = now() WHERE person_id = $1`,
			append([]any{personID}, args...)...)
		return mapErr(err, "update schedule")
	})
}

// SetHours sets working hours, days and (when not empty) the timezone.
func (s *Store) SetHours(ctx context.Context, personID int64, start, end, days int, timezone string) error {
	return s.SetHoursOnce(ctx, personID, start, end, days, timezone, "")
}

// SetHoursOnce is SetHours made by the delivery key (see updateSchedule).
func (s *Store) SetHoursOnce(ctx context.Context, personID int64, start, end, days int, timezone, key string) error {
	return s.updateSchedule(ctx, personID, key, `work_start = $2, work_end = $3, work_days = $4,
		timezone = CASE WHEN $5 = '' THEN timezone ELSE $5 END`, start, end, days, timezone)
}

// SetAway records an out-of-office period (inclusive dates).
func (s *Store) SetAway(ctx context.Context, personID int64, from, until time.Time) error {
	return s.SetAwayOnce(ctx, personID, from, until, "")
}

// SetAwayOnce is SetAway made by the delivery key (see updateSchedule).
func (s *Store) SetAwayOnce(ctx context.Context, personID int64, from, until time.Time, key string) error {
	return s.updateSchedule(ctx, personID, key, `away_from = $2, away_until = $3`, from, until)
}

// SetBack ends any out-of-office period and "off today"; key as for
// updateSchedule.
func (s *Store) SetBack(ctx context.Context, personID int64, key string) error {
	return s.updateSchedule(ctx, personID, key, `away_from = NULL, away_until = NULL, off_date = NULL, snoozed_until = NULL`)
}

// SetOffToday marks one day off ("I'm off today") and answers the latest
// unanswered nudge. The same delivery (key: bot.Event.SourceID, "" for none)
// handled again changes nothing and is bot.ErrReplayed: run again it would
// answer the next older nudge too, which escalation would then not count.
func (s *Store) SetOffToday(ctx context.Context, personID int64, date, at time.Time, key string) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyPersonDelivery(ctx, tx, personID, key); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schedules (person_id) VALUES ($1) ON CONFLICT (person_id) DO NOTHING`, personID); err != nil {
			return mapErr(err, "schedule")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schedules SET off_date = $2, updated_at = now() WHERE person_id = $1`, personID, date); err != nil {
			return mapErr(err, "day off")
		}
		return answerNudge(ctx, tx, personID, at, "off")
	})
}

// Snooze holds nudges until until and answers the latest nudge. The same
// delivery (key: bot.Event.SourceID, "" for none) snoozing again — a click
// handled twice — changes nothing and is bot.ErrReplayed.
func (s *Store) Snooze(ctx context.Context, personID int64, at, until time.Time, answer, key string) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyPersonDelivery(ctx, tx, personID, key); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schedules (person_id) VALUES ($1) ON CONFLICT (person_id) DO NOTHING`, personID); err != nil {
			return mapErr(err, "schedule")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE schedules SET snoozed_at = $2, snoozed_until = $3, updated_at = now()
			WHERE person_id = $1`, personID, at, until); err != nil {
			return mapErr(err, "snooze")
		}
		return answerNudge(ctx, tx, personID, at, answer)
	})
}

// applyPersonDelivery is applyRequestDelivery for a change to a person's
// schedule, in the person's workspace.
func applyPersonDelivery(ctx context.Context, tx *sqlx.Tx, personID int64, key string) error {
	var ws int64
	if key == "" {
		return nil
	}
	if err := tx.GetContext(ctx, &ws, `SELECT workspace_id FROM people WHERE id = $1`, personID); err != nil {
		return mapErr(err, "person")
	}
	if fresh, err := applyDelivery(ctx, tx, ws, key); err != nil {
		return err
	} else if !fresh {
		return bot.ErrReplayed
	}
	return nil
}

// SetManager makes managerID the person's manager (nil: none).
func (s *Store) SetManager(ctx context.Context, personID int64, managerID *int64) error {
	return s.SetManagerOnce(ctx, personID, managerID, "")
}

// SetManagerOnce is SetManager made by the delivery key (see updateSchedule).
func (s *Store) SetManagerOnce(ctx context.Context, personID int64, managerID *int64, key string) error {
	return s.updateSchedule(ctx, personID, key, `manager_id = $2`, managerID)
}

// SetDigestTime sets when a manager's daily digest comes (minutes after midnight).
func (s *Store) SetDigestTime(ctx context.Context, personID int64, at int) error {
	return s.SetDigestTimeOnce(ctx, personID, at, "")
}

// SetDigestTimeOnce is SetDigestTime made by the delivery key (see updateSchedule).
func (s *Store) SetDigestTimeOnce(ctx context.Context, personID int64, at int, key string) error {
	return s.updateSchedule(ctx, personID, key, `digest_at = $2`, at)
}
