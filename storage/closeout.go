package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

// StartCloseout moves an active project into closeout and creates its checklist.
// started is false when closeout had already begun (the checklist is unchanged).
func (s *Store) StartCloseout(ctx context.Context, projectID int64, at time.Time) (started bool, err error) {
	return s.StartCloseoutOnce(ctx, projectID, at, "", bot.Owed{})
}

// StartCloseoutOnce is StartCloseout recording, with the change, that the
// delivery key (bot.Event's SourceID) made it (DeliveryApplied tells), and
// queueing asks (the closeout's questions to the people on the project) in
// the same transaction: only the delivery that starts the closeout queues
// them, and once it has committed nothing can lose them. A delivery that
// finds the closeout already started (another delivery started it after the
// caller read the project) changes nothing and answers with the checklist;
// that too is recorded under its key, with the read that decided it
// (DeliveryAnswered tells): handled again, the project is in closeout, and
// unrecorded it would be taken for a new close and close the project.
func (s *Store) StartCloseoutOnce(ctx context.Context, projectID int64, at time.Time, key string, asks bot.Owed) (started bool, err error) {
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		var st bot.ProjectStatus
		if err := tx.GetContext(ctx, &st, `SELECT status FROM projects WHERE id = $1 FOR UPDATE`, projectID); err != nil {
			return mapErr(err, "project")
		}
		switch st {
		case bot.ProjectClosed:
			return &bot.Error{Code: bot.EConflict, Message: "this project is already closed"}
		case bot.ProjectClosing:
			return recordOutcome(ctx, tx, projectID, key, answeredSuffix)
		}
		if err := recordProjectDelivery(ctx, tx, projectID, key); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE projects SET status = 'closing', closing_at = $2 WHERE id = $1`, projectID, at); err != nil {
			return mapErr(err, "start closeout")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO closeout_items (project_id, item) SELECT $1, unnest($2::text[])
			ON CONFLICT DO NOTHING`, projectID, "{"+strings.Join(bot.CloseoutItems, ",")+"}"); err != nil {
			return mapErr(err, "closeout items")
		}
		if err := queueOwed(ctx, tx, asks); err != nil {
			return err
		}
		started = true
		return nil
	})
	return started, err
}

// TxOutbox is an outbox that can queue in a transaction of the store's
// (jobs.Outbox): what bot.Owed's Via must be.
type TxOutbox interface {
	EnqueueTx(ctx context.Context, tx *sql.Tx, ds ...bot.Delivery) error
}

// queueOwed queues o's deliveries in tx.
func queueOwed(ctx context.Context, tx *sqlx.Tx, o bot.Owed) error {
	if len(o.Deliveries) == 0 {
		return nil
	}
	q, ok := o.Via.(TxOutbox)
	if !ok {
		// Queued after the commit they could be lost to a crash: refuse
		// rather than pretend.
		return fmt.Errorf("%d deliveries owed by a change: %T cannot queue them in its transaction", len(o.Deliveries), o.Via)
	}
	return q.EnqueueTx(ctx, tx.Tx, o.Deliveries...)
}

// CloseoutChecklist lists a project's closeout items in checklist order.
func (s *Store) CloseoutChecklist(ctx context.Context, projectID int64) ([]bot.CloseoutItem, error) {
	return queryAll(ctx, s.db, "closeout checklist", func(r rowScanner) (bot.CloseoutItem, error) {
		var c bot.CloseoutItem
		err := r.Scan(&c.Item, &c.DoneBy, &c.DoneAt, &c.Note, &c.WaivedBy, &c.WaivedAt, &c.WaivedReason)
		return c, err
	}, `
		SELECT ci.item, coalesce(d.name, ''), ci.done_at, ci.note, coalesce(w.name, ''), ci.waived_at, ci.waived_reason
		FROM closeout_items ci LEFT JOIN people d ON d.id = ci.done_by LEFT JOIN people w ON w.id = ci.waived_by
		WHERE ci.project_id = $1
		ORDER BY array_position(ARRAY['docs','signoff','acceptance','time','oos'], ci.item)`, projectID)
}

// changeItem locks an unfinished closeout item of a project in closeout and
// runs fn. key is the delivery making the change (bot.Event.SourceID, "" for
// none): it is recorded before the item is read, so the same delivery handled
// again is bot.ErrReplayed, not "already ticked off" by its own tick.
func (s *Store) changeItem(ctx context.Context, projectID int64, item, key string, fn func(tx *sqlx.Tx) error) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyProjectDelivery(ctx, tx, projectID, key); err != nil {
			return err
		}
		var (
			done, waived *time.Time
			st           bot.ProjectStatus
		)
		err := tx.QueryRowxContext(ctx, `SELECT ci.done_at, ci.waived_at, p.status FROM closeout_items ci
			JOIN projects p ON p.id = ci.project_id WHERE ci.project_id = $1 AND ci.item = $2 FOR UPDATE OF ci`,
			projectID, item).Scan(&done, &waived, &st)
		if err != nil {
			return mapErr(err, "closeout item "+item)
		}
		if st != bot.ProjectClosing {
			return &bot.Error{Code: bot.EConflict, Message: "this project is " + string(st)}
		}
		if done != nil || waived != nil {
			return fmt.Errorf("closeout item %s: %w", item, &bot.Error{Code: bot.EConflict, Message: fmt.Sprintf("%q is already ticked off", bot.CloseoutLabels[item])})
		}
		return fn(tx)
	})
}

// TickCloseout marks a closeout item done by someone, with an optional note
// (who accepted for the client, for example).
func (s *Store) TickCloseout(ctx context.Context, projectID int64, item string, by int64, at time.Time, note string) error {
	return s.TickCloseoutOnce(ctx, projectID, item, by, at, note, "")
}

// TickCloseoutOnce is TickCloseout made by the delivery key: the same delivery
// again changes nothing and is bot.ErrReplayed.
func (s *Store) TickCloseoutOnce(ctx context.Context, projectID int64, item string, by int64, at time.Time, note, key string) error {
	return s.changeItem(ctx, projectID, item, key, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE closeout_items SET done_by = $3, done_at = $4, note = $5
			WHERE project_id = $1 AND item = $2`, projectID, item, by, at, note)
		return mapErr(err, "tick closeout item")
	})
}

// WaiveCloseout waives a closeout item with a reason.
func (s *Store) WaiveCloseout(ctx context.Context, projectID int64, item string, by int64, at time.Time, reason string) error {
	return s.WaiveCloseoutOnce(ctx, projectID, item, by, at, reason, "")
}

// WaiveCloseoutOnce is WaiveCloseout made by the delivery key, as TickCloseoutOnce.
func (s *Store) WaiveCloseoutOnce(ctx context.Context, projectID int64, item string, by int64, at time.Time, reason, key string) error {
	return s.changeItem(ctx, projectID, item, key, func(tx *sqlx.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE closeout_items SET waived_by = $3, waived_at = $4, waived_reason = $5
			WHERE project_id = $1 AND item = $2`, projectID, item, by, at, reason)
		return mapErr(err, "waive closeout item")
	})
}

// FinishProject closes a project whose closeout items are all done or waived.
// With any item open it changes nothing and returns a conflict naming them.
func (s *Store) FinishProject(ctx context.Context, projectID int64, at time.Time) error {
	return s.FinishProjectOnce(ctx, projectID, at, "")
}

// FinishProjectOnce is FinishProject recording, with the change, that the
// delivery key made it. A refusal (an item open, no rating) is recorded under
// the key too, in the transaction that read the items, which then changes
// nothing else: the
// same delivery handled again (its inbox row after a crash) must answer "Not
// closed" again, not close a project whose items were finished meanwhile
// (DeliveryRefused tells the two records apart).
func (s *Store) FinishProjectOnce(ctx context.Context, projectID int64, at time.Time, key string) error {
	var refused error
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var st bot.ProjectStatus
		if err := tx.GetContext(ctx, &st, `SELECT status FROM projects WHERE id = $1 FOR UPDATE`, projectID); err != nil {
			return mapErr(err, "project")
		}
		if st != bot.ProjectClosing {
			return &bot.Error{Code: bot.EConflict, Message: "this project is " + string(st)}
		}
		var open []string
		if err := tx.SelectContext(ctx, &open, `SELECT item FROM closeout_items
			WHERE project_id = $1 AND done_at IS NULL AND waived_at IS NULL
			ORDER BY array_position(ARRAY['docs','signoff','acceptance','time','oos'], item)`, projectID); err != nil {
			return mapErr(err, "open closeout items")
		}
		if len(open) > 0 {
			refused = fmt.Errorf("open closeout items %v: %w", open, bot.ErrOpenItems(open))
			return recordOutcome(ctx, tx, projectID, key, refusedSuffix)
		}
		var rated bool
		if err := tx.GetContext(ctx, &rated, `SELECT EXISTS (SELECT 1 FROM project_ratings WHERE project_id = $1)`, projectID); err != nil {
			return mapErr(err, "project rating")
		}
		if !rated {
			refused = fmt.Errorf("no rating: %w", bot.ErrNoRating)
			return recordOutcome(ctx, tx, projectID, key, refusedSuffix)
		}
		if err := recordProjectDelivery(ctx, tx, projectID, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE projects SET status = 'closed', closed_at = $2 WHERE id = $1`, projectID, at)
		return mapErr(err, "close project")
	})
	if err != nil {
		return err
	}
	return refused
}

// Beside a delivery's own key, which says only that the delivery was handled,
// a suffixed key says how, when the answer changed nothing: refusedSuffix, a
// close refused (FinishProjectOnce); answeredSuffix, a close answered with the
// checklist because the closeout had already started (StartCloseoutOnce).
const (
	refusedSuffix  = "/refused"
	answeredSuffix = "/checklist"
)

// recordOutcome records in tx that the delivery key was handled, with the
// outcome suffix ("" records nothing).
func recordOutcome(ctx context.Context, tx *sqlx.Tx, projectID int64, key, suffix string) error {
	if key == "" {
		return nil
	}
	if err := recordProjectDelivery(ctx, tx, projectID, key); err != nil {
		return err
	}
	return recordProjectDelivery(ctx, tx, projectID, key+suffix)
}

// DeliveryRefused says whether the delivery key was handled and refused
// (FinishProjectOnce), rather than applied.
func (s *Store) DeliveryRefused(ctx context.Context, workspaceID int64, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	return s.DeliveryApplied(ctx, workspaceID, key+refusedSuffix)
}

// DeliveryAnswered says whether the delivery key was a close that found the
// closeout already started and answered with the checklist, changing nothing
// (StartCloseoutOnce).
func (s *Store) DeliveryAnswered(ctx context.Context, workspaceID int64, key string) (bool, error) {
	if key == "" {
		return false, nil
	}
	return s.DeliveryApplied(ctx, workspaceID, key+answeredSuffix)
}

// recordProjectDelivery records in tx that the delivery key changed the
// project ("" records nothing). The caller saw the change was still to make,
// so a key recorded before is not expected; it is then left as it is.
func recordProjectDelivery(ctx context.Context, tx *sqlx.Tx, projectID int64, key string) error {
	if key == "" {
		return nil
	}
	var ws int64
	if err := tx.GetContext(ctx, &ws, projectWorkspace, projectID); err != nil {
		return mapErr(err, "project's workspace")
	}
	_, err := applyDelivery(ctx, tx, ws, key)
	return err
}

// RateProject records (or replaces) the project execution rating; rating 0
// records that it was skipped, for the reason given. A closed project's rating
// is final (the database refuses the change).
func (s *Store) RateProject(ctx context.Context, projectID int64, rating int, reason string, by int64, at time.Time) error {
	return s.RateProjectOnce(ctx, projectID, rating, reason, by, at, "")
}

// RateProjectOnce is RateProject made by the delivery key (bot.Event.SourceID,
// "" for none): the rating is an upsert, so the same delivery handled again
// would replace a later rating with its own; recorded with the change, it
// changes nothing the second time and is bot.ErrReplayed.
func (s *Store) RateProjectOnce(ctx context.Context, projectID int64, rating int, reason string, by int64, at time.Time, key string) error {
	var r *int
	if rating > 0 {
		r = &rating
	}
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyProjectDelivery(ctx, tx, projectID, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO project_ratings (project_id, rating, reason, rated_by, rated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (project_id) DO UPDATE SET rating = EXCLUDED.rating, reason = EXCLUDED.reason,
				rated_by = EXCLUDED.rated_by, rated_at = EXCLUDED.rated_at`, projectID, r, reason, by, at)
		return mapErr(err, "rate project")
	})
}

// ProjectRating reads a project's rating.
func (s *Store) ProjectRating(ctx context.Context, projectID int64) (bot.Rating, error) {
	var r bot.Rating
	err := s.db.QueryRowxContext(ctx, `SELECT coalesce(pr.rating, 0), pr.reason, pe.name, pr.rated_at
		FROM project_ratings pr JOIN people pe ON pe.id = pr.rated_by WHERE pr.project_id = $1`, projectID).
		Scan(&r.Rating, &r.Reason, &r.By, &r.At)
	return r, mapErr(err, "project rating")
}
