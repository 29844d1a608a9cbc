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

const updateColumns = `u.id, u.project_id, u.iso_year, u.iso_week, u.draft, u.body, u.chart, u.status,
	u.drafted_at, u.deadline, u.dm_sent_at, u.edit_count, coalesce(ap.name, ''), u.approved_at,
	u.skipped_at, u.posted_at, u.reminder_sent_at`

const updateFrom = ` FROM weekly_updates u LEFT JOIN people ap ON ap.id = u.approved_by `

func scanUpdate(row rowScanner) (bot.WeeklyUpdate, error) {
	var u bot.WeeklyUpdate
	err := row.Scan(&u.ID, &u.ProjectID, &u.ISOYear, &u.ISOWeek, &u.Draft, &u.Body, &u.Chart, &u.Status,
		&u.DraftedAt, &u.Deadline, &u.DMSentAt, &u.EditCount, &u.ApprovedBy, &u.ApprovedAt,
		&u.SkippedAt, &u.PostedAt, &u.ReminderSentAt)
	return u, err
}

// CreateWeeklyUpdate stores a project's draft for one ISO week. When that week
// already has an update it returns the existing one with created false: the
// UNIQUE (project, iso_year, iso_week) key makes a second draft impossible.
func (s *Store) CreateWeeklyUpdate(ctx context.Context, in bot.WeeklyUpdate) (bot.WeeklyUpdate, bool, error) {
	var id int64
	err := s.db.GetContext(ctx, &id, `
		INSERT INTO weekly_updates (project_id, iso_year, iso_week, draft, body, chart, drafted_at, deadline, dm_sent_at)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)
		ON CONFLICT (project_id, iso_year, iso_week) DO NOTHING
		RETURNING id`, in.ProjectID, in.ISOYear, in.ISOWeek, in.Draft, in.Chart, in.DraftedAt, in.Deadline, in.DMSentAt)
	created := true
	if errors.Is(err, sql.ErrNoRows) {
		created = false
		err = s.db.GetContext(ctx, &id, `SELECT id FROM weekly_updates WHERE project_id = $1 AND iso_year = $2 AND iso_week = $3`,
			in.ProjectID, in.ISOYear, in.ISOWeek)
	}
	if err != nil {
		return bot.WeeklyUpdate{}, false, mapErr(err, "create weekly update")
	}
	u, err := s.WeeklyUpdateByID(ctx, id)
	return u, created, err
}

// WeeklyUpdateByID reads one update.
func (s *Store) WeeklyUpdateByID(ctx context.Context, id int64) (bot.WeeklyUpdate, error) {
	u, err := scanUpdate(s.db.QueryRowxContext(ctx, `SELECT `+updateColumns+updateFrom+` WHERE u.id = $1`, id))
	return u, mapErr(err, "weekly update")
}

// WeeklyUpdateFor reads a project's update for one ISO week.
func (s *Store) WeeklyUpdateFor(ctx context.Context, projectID int64, year, week int) (bot.WeeklyUpdate, error) {
	u, err := scanUpdate(s.db.QueryRowxContext(ctx, `SELECT `+updateColumns+updateFrom+`
		WHERE u.project_id = $1 AND u.iso_year = $2 AND u.iso_week = $3`, projectID, year, week))
	return u, mapErr(err, fmt.Sprintf("weekly update %s", bot.ISOWeekName(year, week)))
}

// LatestWeeklyUpdate reads a project's most recent update; postedOnly limits it
// to those posted to the client.
func (s *Store) LatestWeeklyUpdate(ctx context.Context, projectID int64, postedOnly bool) (bot.WeeklyUpdate, error) {
	u, err := scanUpdate(s.db.QueryRowxContext(ctx, `SELECT `+updateColumns+updateFrom+`
		WHERE u.project_id = $1 AND (NOT $2 OR u.status = 'posted')
		ORDER BY u.iso_year DESC, u.iso_week DESC LIMIT 1`, projectID, postedOnly))
	return u, mapErr(err, "latest weekly update")
}

// CountWeeklyUpdates counts a project's updates, by status; tests and digests use it.
func (s *Store) CountWeeklyUpdates(ctx context.Context, projectID int64) (map[bot.UpdateStatus]int, error) {
	rows, err := s.db.QueryxContext(ctx, `SELECT status, count(*) FROM weekly_updates WHERE project_id = $1 GROUP BY status`, projectID)
	if err != nil {
		return nil, mapErr(err, "count updates")
	}
	defer rows.Close()
	out := map[bot.UpdateStatus]int{}
	for rows.Next() {
		var st bot.UpdateStatus
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, mapErr(err, "scan count")
		}
		out[st] = n
	}
	return out, mapErr(rows.Err(), "count updates")
}

// ClaimUpdateDM marks an update's private draft message as sent, once: it
// reports false when someone else already sent it. ReleaseUpdateDM undoes the
// claim when sending failed, so a retry sends it.
func (s *Store) ClaimUpdateDM(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE weekly_updates SET dm_sent_at = $2 WHERE id = $1 AND dm_sent_at IS NULL`, id, at)
	if err != nil {
		return false, mapErr(err, "claim update message")
	}
	n, err := res.RowsAffected()
	return n == 1, mapErr(err, "claim update message")
}

// ReleaseUpdateDM undoes ClaimUpdateDM.
func (s *Store) ReleaseUpdateDM(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE weekly_updates SET dm_sent_at = NULL WHERE id = $1`, id)
	return mapErr(err, "release update message")
}

// changeDraft locks a drafted update and applies fn; any other status is a
// conflict that says where the update is. key is the delivery making the
// change (bot.Event.SourceID, "" for none), recorded before the status is
// read: the same delivery handled again returns the update as it is with
// bot.ErrReplayed, not "already skipped" by its own skip.
func (s *Store) changeDraft(ctx context.Context, id int64, key string, fn func(tx *sqlx.Tx) error) (bot.WeeklyUpdate, error) {
	var u bot.WeeklyUpdate
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if key != "" {
			if fresh, err := applyUpdateDelivery(ctx, tx, id, key); err != nil {
				return err
			} else if !fresh {
				var err error
				if u, err = scanUpdate(tx.QueryRowxContext(ctx, `SELECT `+updateColumns+updateFrom+` WHERE u.id = $1`, id)); err != nil {
					return mapErr(err, "read weekly update")
				}
				return bot.ErrReplayed
			}
		}
		var st bot.UpdateStatus
		if err := tx.GetContext(ctx, &st, `SELECT status FROM weekly_updates WHERE id = $1 FOR UPDATE`, id); err != nil {
			return mapErr(err, "weekly update")
		}
		if st != bot.UpdateDrafted {
			return fmt.Errorf("weekly update is %s: %w", st, &bot.Error{Code: bot.EConflict, Message: "this update is already " + string(st)})
		}
		if err := fn(tx); err != nil {
			return err
		}
		var err error
		u, err = scanUpdate(tx.QueryRowxContext(ctx, `SELECT `+updateColumns+updateFrom+` WHERE u.id = $1`, id))
		return mapErr(err, "read weekly update")
	})
	return u, err
}

// EditWeeklyUpdate replaces a draft's text and records the edit.
func (s *Store) EditWeeklyUpdate(ctx context.Context, id, by int64, at time.Time, text string) (bot.WeeklyUpdate, error) {
	u, _, err := s.EditWeeklyUpdateOnce(ctx, id, by, at, text, "")
	return u, err
}

// EditWeeklyUpdateOnce is EditWeeklyUpdate made by the delivery key; n is the
// number of the edit it made. The same delivery again changes nothing and
// returns the update as it is, and n as the first time, with bot.ErrReplayed.
func (s *Store) EditWeeklyUpdateOnce(ctx context.Context, id, by int64, at time.Time, text, key string) (u bot.WeeklyUpdate, n int, err error) {
	var keyArg *string
	if key != "" {
		keyArg = &key
	}
	u, err = s.changeDraft(ctx, id, key, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `
			WITH old AS (SELECT body FROM weekly_updates WHERE id = $1)
			INSERT INTO weekly_update_edits (update_id, by_id, at, before, after, source_key) SELECT $1, $2, $3, old.body, $4, $5 FROM old`,
			id, by, at, text, keyArg)
		if err != nil {
			return mapErr(err, "record edit")
		}
		_, err = tx.ExecContext(ctx, `UPDATE weekly_updates SET body = $2, edit_count = edit_count + 1 WHERE id = $1`, id, text)
		return mapErr(err, "edit update")
	})
	if !errors.Is(err, bot.ErrReplayed) {
		return u, u.EditCount, err
	}
	if qerr := s.db.GetContext(ctx, &n, `SELECT count(*) FROM weekly_update_edits WHERE update_id = $1
		AND id <= (SELECT max(id) FROM weekly_update_edits WHERE update_id = $1 AND source_key = $2)`, id, key); qerr != nil {
		return u, 0, mapErr(qerr, "edit by source")
	}
	return u, n, err
}

// ErrUnresolvedDraft is the conflict ApproveWeeklyUpdate returns while the
// draft still has a line to fill in.
var ErrUnresolvedDraft = &bot.Error{Code: bot.EConflict, Message: "the draft still has a line to fill in (" + bot.UpdatePlaceholder + ")"}

// ApproveWeeklyUpdate approves a draft for posting. Only a draft can be approved,
// so two clicks on Approve approve it once.
func (s *Store) ApproveWeeklyUpdate(ctx context.Context, id, by int64, at time.Time) (bot.WeeklyUpdate, error) {
	return s.ApproveWeeklyUpdateOnce(ctx, id, by, at, "")
}

// applyUpdateDelivery records, in tx, that the delivery key changed weekly
// update id (applyDelivery in the update's project's workspace); fresh is
// false when it had already.
func applyUpdateDelivery(ctx context.Context, tx *sqlx.Tx, id int64, key string) (fresh bool, err error) {
	var ws int64
	if err := tx.GetContext(ctx, &ws, `SELECT p.workspace_id FROM weekly_updates u JOIN projects p ON p.id = u.project_id
		WHERE u.id = $1`, id); err != nil {
		return false, mapErr(err, "weekly update's workspace")
	}
	return applyDelivery(ctx, tx, ws, key)
}

// ApproveWeeklyUpdateOnce is ApproveWeeklyUpdate recording, in the same
// transaction, that the delivery key (bot.Event's SourceID) approved it, so
// the approval handled again after a crash can tell it was its own
// (DeliveryApplied) rather than someone else's.
func (s *Store) ApproveWeeklyUpdateOnce(ctx context.Context, id, by int64, at time.Time, key string) (bot.WeeklyUpdate, error) {
	return s.changeDraft(ctx, id, "", func(tx *sqlx.Tx) error {
		if key != "" {
			if _, err := applyUpdateDelivery(ctx, tx, id, key); err != nil {
				return err
			}
		}
		// A line the draft asks to fill in is never approved, so never posted.
		var unresolved bool
		if err := tx.GetContext(ctx, &unresolved, `SELECT position($2 in body) > 0 FROM weekly_updates WHERE id = $1`,
			id, bot.UpdatePlaceholder); err != nil {
			return mapErr(err, "read draft")
		}
		if unresolved {
			return fmt.Errorf("approve update %d: %w", id, ErrUnresolvedDraft)
		}
		_, err := tx.ExecContext(ctx, `UPDATE weekly_updates SET status = 'approved', approved_by = $2, approved_at = $3 WHERE id = $1`, id, by, at)
		return mapErr(err, "approve update")
	})
}

// SkipWeeklyUpdate decides not to send this week's update.
func (s *Store) SkipWeeklyUpdate(ctx context.Context, id, by int64, at time.Time, reason string) (bot.WeeklyUpdate, error) {
	return s.SkipWeeklyUpdateOnce(ctx, id, by, at, reason, "")
}

// SkipWeeklyUpdateOnce is SkipWeeklyUpdate made by the delivery key: the same
// delivery again changes nothing and returns the update with bot.ErrReplayed.
func (s *Store) SkipWeeklyUpdateOnce(ctx context.Context, id, by int64, at time.Time, reason, key string) (bot.WeeklyUpdate, error) {
	return s.changeDraft(ctx, id, key, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE weekly_updates SET status = 'skipped', skipped_by = $2, skipped_at = $3, skip_reason = $4 WHERE id = $1`,
			id, by, at, reason)
		return mapErr(err, "skip update")
	})
}

// ClaimUpdatePost takes the right to post an approved update to the client. A
// claim older than staleBefore is taken over (its poster died); a posted update
// is never claimed again. ok is false when there is nothing to post.
func (s *Store) ClaimUpdatePost(ctx context.Context, id int64, at, staleBefore time.Time) (u bot.WeeklyUpdate, ok bool, err error) {
	res, err := s.db.ExecContext(ctx, `UPDATE weekly_updates SET post_claimed_at = $2
		WHERE id = $1 AND status = 'approved' AND posted_at IS NULL
		  AND (post_claimed_at IS NULL OR post_claimed_at < $3)
		  AND position($4 in body) = 0`, id, at, staleBefore, bot.UpdatePlaceholder)
	if err != nil {
		return u, false, mapErr(err, "claim post")
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return u, false, mapErr(err, "claim post")
	}
	u, err = s.WeeklyUpdateByID(ctx, id)
	return u, err == nil, err
}

// ReleaseUpdatePost gives a claim back after a failed post, so it is retried.
func (s *Store) ReleaseUpdatePost(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE weekly_updates SET post_claimed_at = NULL WHERE id = $1 AND posted_at IS NULL`, id)
	return mapErr(err, "release post")
}

// MarkUpdatePosted records that an approved update reached the client.
func (s *Store) MarkUpdatePosted(ctx context.Context, id int64, at time.Time, messageID string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE weekly_updates SET status = 'posted', posted_at = $2, post_message_id = $3
		WHERE id = $1 AND status = 'approved'`, id, at, messageID)
	return mapErr(err, "mark posted")
}

// UnpostedApprovals lists approved updates not posted whose claim (if any) is
// older than staleBefore: the sweep posts them.
func (s *Store) UnpostedApprovals(ctx context.Context, staleBefore time.Time) ([]int64, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `SELECT id FROM weekly_updates
		WHERE status = 'approved' AND posted_at IS NULL AND (post_claimed_at IS NULL OR post_claimed_at < $1)
		ORDER BY id`, staleBefore)
	return ids, mapErr(err, "unposted approvals")
}

// ClaimDueReminders marks, in one statement, every draft past its deadline that
// has not been reminded about, and returns them: each is reminded once.
func (s *Store) ClaimDueReminders(ctx context.Context, now time.Time) ([]bot.WeeklyUpdate, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `UPDATE weekly_updates SET reminder_sent_at = $1
		WHERE status = 'drafted' AND deadline <= $1 AND reminder_sent_at IS NULL RETURNING id`, now)
	if err != nil {
		return nil, mapErr(err, "claim reminders")
	}
	out := make([]bot.WeeklyUpdate, 0, len(ids))
	for _, id := range ids {
		u, err := s.WeeklyUpdateByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// PendingDrafts lists drafts waiting for approval in a workspace (digests).
func (s *Store) PendingDrafts(ctx context.Context, workspaceID int64) ([]bot.WeeklyUpdate, error) {
	return queryAll(ctx, s.db, "pending drafts", scanUpdate, `SELECT `+updateColumns+updateFrom+`
		JOIN projects p ON p.id = u.project_id WHERE p.workspace_id = $1 AND u.status = 'drafted' ORDER BY u.deadline`, workspaceID)
}
