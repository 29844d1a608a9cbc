package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

// learnOverride records (or replaces) what a reclassification teaches. It runs
// inside the reclassification's transaction so the two never disagree.
func learnOverride(ctx context.Context, tx *sqlx.Tx, requestID, actorID int64, kind, typ, reason string) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO learned_overrides (workspace_id, request_id, text, kind, type, by_person, reason)
		SELECT workspace_id, id, body, $2, $3, $4, $5 FROM requests WHERE id = $1
		ON CONFLICT (request_id) DO UPDATE SET kind = EXCLUDED.kind, type = EXCLUDED.type,
			by_person = EXCLUDED.by_person, reason = EXCLUDED.reason, created_at = now(),
			forgotten_at = NULL, forgotten_by = NULL`, requestID, kind, typ, actorID, reason)
	return mapErr(err, "learn override")
}

const overrideSelect = `SELECT r.number, o.text, o.kind, o.type, p.name AS by_name, o.reason, o.created_at, o.weight`

// SimilarOverrides returns the workspace's active overrides whose text resembles
// text by trigram similarity (pg_trgm's % operator, served by the GIN index),
// most similar first. The classifier makes the final call with its own threshold.
func (s *Store) SimilarOverrides(ctx context.Context, workspaceID int64, text string, limit int) ([]bot.LearnedOverride, error) {
	// Most workspaces teach the classifier nothing, or rarely: knowing that
	// there is nothing to match (cached, see SettingsTTL) saves the trigram
	// search on every request.
	some, err := s.cache.hasOverrides.read(workspaceID, func() (bool, error) {
		var n bool
		err := s.db.GetContext(ctx, &n, `SELECT EXISTS (SELECT 1 FROM learned_overrides
			WHERE workspace_id = $1 AND forgotten_at IS NULL)`, workspaceID)
		return n, mapErr(err, "any overrides")
	})
	if err != nil || !some {
		return nil, err
	}
	var out []bot.LearnedOverride
	err = s.db.SelectContext(ctx, &out, overrideSelect+`, similarity(o.text, $2) AS similarity
		FROM learned_overrides o JOIN requests r ON r.id = o.request_id JOIN people p ON p.id = o.by_person
		WHERE o.workspace_id = $1 AND o.forgotten_at IS NULL AND o.text % $2
		ORDER BY similarity(o.text, $2) DESC, o.created_at DESC LIMIT $3`, workspaceID, text, limit)
	return out, mapErr(err, "similar overrides")
}

// ListOverrides lists all the workspace's active overrides, newest first
// (/classify rules pages them, saying how many there are).
func (s *Store) ListOverrides(ctx context.Context, workspaceID int64) ([]bot.LearnedOverride, error) {
	var out []bot.LearnedOverride
	err := s.db.SelectContext(ctx, &out, overrideSelect+`, 0::float8 AS similarity
		FROM learned_overrides o JOIN requests r ON r.id = o.request_id JOIN people p ON p.id = o.by_person
		WHERE o.workspace_id = $1 AND o.forgotten_at IS NULL
		ORDER BY o.created_at DESC`, workspaceID)
	return out, mapErr(err, "list overrides")
}

// TrainingRows lists every active override of the workspace, oldest first:
// the rows /classify retrain fits the workspace's model to.
func (s *Store) TrainingRows(ctx context.Context, workspaceID int64) ([]bot.LearnedOverride, error) {
	var out []bot.LearnedOverride
	err := s.db.SelectContext(ctx, &out, overrideSelect+`, 0::float8 AS similarity
		FROM learned_overrides o JOIN requests r ON r.id = o.request_id JOIN people p ON p.id = o.by_person
		WHERE o.workspace_id = $1 AND o.forgotten_at IS NULL
		ORDER BY o.created_at, o.id`, workspaceID)
	return out, mapErr(err, "training rows")
}

// SaveWorkspaceModel stores (or replaces) the workspace's model.
func (s *Store) SaveWorkspaceModel(ctx context.Context, workspaceID int64, model []byte, rows int, by int64) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO classifier_models (workspace_id, model, training_rows, trained_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (workspace_id) DO UPDATE SET model = EXCLUDED.model, training_rows = EXCLUDED.training_rows,
			trained_by = EXCLUDED.trained_by, trained_at = now()`, workspaceID, model, rows, by)
	s.cache.models.invalidate(workspaceID)
	return mapErr(err, "save workspace model")
}

// modelEntry is a cached LoadWorkspaceModel: found false is "none".
type modelEntry struct {
	m     bot.WorkspaceModel
	found bool
}

// LoadWorkspaceModel returns the workspace's model, or ErrNotFound when it
// has none (the committed model applies). Cached: see SettingsTTL; callers
// must not modify the model's bytes.
func (s *Store) LoadWorkspaceModel(ctx context.Context, workspaceID int64) (bot.WorkspaceModel, error) {
	e, err := s.cache.models.read(workspaceID, func() (modelEntry, error) {
		var m bot.WorkspaceModel
		err := s.db.GetContext(ctx, &m, `SELECT model, training_rows, trained_at FROM classifier_models WHERE workspace_id = $1`, workspaceID)
		if errors.Is(err, sql.ErrNoRows) {
			return modelEntry{}, nil
		}
		return modelEntry{m: m, found: err == nil}, mapErr(err, "workspace model")
	})
	if err != nil {
		return bot.WorkspaceModel{}, err
	}
	if !e.found {
		return bot.WorkspaceModel{}, fmt.Errorf("workspace model: %w", ErrNotFound)
	}
	return e.m, nil
}

// DropWorkspaceModel removes the workspace's model: with no rows left the
// committed model applies again. Dropping none is not an error.
func (s *Store) DropWorkspaceModel(ctx context.Context, workspaceID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM classifier_models WHERE workspace_id = $1`, workspaceID)
	s.cache.models.invalidate(workspaceID)
	return mapErr(err, "drop workspace model")
}

// ForgetOverride stops the classifier following what request number taught it.
func (s *Store) ForgetOverride(ctx context.Context, workspaceID, number, by int64) error {
	_, err := s.ForgetOverrideOnce(ctx, workspaceID, number, by, "")
	return err
}

// ForgetOverrideOnce is ForgetOverride made by the delivery key (bot.Event's
// SourceID), returning when the override was forgotten: the same delivery
// again changes nothing and returns that moment with bot.ErrReplayed, so the
// caller can tell whether what depends on the forget (the refitted model)
// caught up with it before a crash.
func (s *Store) ForgetOverrideOnce(ctx context.Context, workspaceID, number, by int64, key string) (time.Time, error) {
	var at time.Time
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		fresh, err := applyDelivery(ctx, tx, workspaceID, key)
		if err != nil {
			return err
		}
		if !fresh {
			var was sql.NullTime
			err := tx.GetContext(ctx, &was, `SELECT max(o.forgotten_at) FROM learned_overrides o
				JOIN requests r ON r.id = o.request_id WHERE r.workspace_id = $1 AND r.number = $2`, workspaceID, number)
			if err != nil {
				return mapErr(err, "forget override")
			}
			at = was.Time
			return bot.ErrReplayed
		}
		err = tx.GetContext(ctx, &at, `
			UPDATE learned_overrides o SET forgotten_at = now(), forgotten_by = $3
			FROM requests r WHERE r.id = o.request_id AND r.workspace_id = $1 AND r.number = $2 AND o.forgotten_at IS NULL
			RETURNING o.forgotten_at`, workspaceID, number, by)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("override of #%d: %w", number, ErrNotFound)
		}
		return mapErr(err, "forget override")
	})
	s.cache.hasOverrides.invalidate(workspaceID)
	return at, err
}

// AddContractClause adds a clause to a client's contract, creating the client if new.
func (s *Store) AddContractClause(ctx context.Context, workspaceID int64, clientCode, kind, text string, by int64) (bot.ContractClause, error) {
	return s.AddContractClauseOnce(ctx, workspaceID, clientCode, kind, text, by, "")
}

// AddContractClauseOnce is AddContractClause made by the delivery key
// (bot.Event's SourceID): the same delivery again adds nothing and returns
// the clause it added with bot.ErrReplayed.
func (s *Store) AddContractClauseOnce(ctx context.Context, workspaceID int64, clientCode, kind, text string, by int64, key string) (bot.ContractClause, error) {
	c := bot.ContractClause{Kind: kind, Text: text}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		cl, err := ensureClient(ctx, tx, workspaceID, clientCode)
		if err != nil {
			return err
		}
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			if err := tx.GetContext(ctx, &c.ID, `SELECT id FROM contract_clauses WHERE client_id = $1 AND kind = $2 AND text = $3`,
				cl.ID, kind, text); err != nil {
				return mapErr(err, "replayed contract clause")
			}
			return bot.ErrReplayed
		}
		return mapErr(tx.GetContext(ctx, &c.ID, `INSERT INTO contract_clauses (client_id, kind, text, created_by)
			VALUES ($1, $2, $3, $4) RETURNING id`, cl.ID, kind, text, by), "add contract clause")
	})
	s.cache.clauses.invalidateAll() // the client's id is known only inside
	return c, err
}

type clauseList = []bot.ContractClause

// ContractClauses lists a client's clauses in the order they were added.
// Cached: see SettingsTTL.
func (s *Store) ContractClauses(ctx context.Context, clientID int64) ([]bot.ContractClause, error) {
	list, err := s.cache.clauses.read(clientID, func() (clauseList, error) {
		var out []bot.ContractClause
		err := s.db.SelectContext(ctx, &out, `SELECT cc.id, cc.kind, cc.text, c.code AS client_code
			FROM contract_clauses cc JOIN clients c ON c.id = cc.client_id WHERE cc.client_id = $1 ORDER BY cc.id`, clientID)
		return out, mapErr(err, "contract clauses")
	})
	return slices.Clone(list), err // the caller's to change
}

// RemoveContractClause deletes one clause of a client in the workspace.
func (s *Store) RemoveContractClause(ctx context.Context, workspaceID, clauseID int64) error {
	return s.RemoveContractClauseOnce(ctx, workspaceID, clauseID, "")
}

// RemoveContractClauseOnce is RemoveContractClause made by the delivery key
// (bot.Event.SourceID, "" for none): the same delivery handled again is
// bot.ErrReplayed, not ErrNotFound for the clause it removed itself.
func (s *Store) RemoveContractClauseOnce(ctx context.Context, workspaceID, clauseID int64, key string) error {
	err := s.applyOnce(ctx, workspaceItself, workspaceID, key, func(q sqlx.ExtContext) error {
		res, err := q.ExecContext(ctx, `DELETE FROM contract_clauses cc USING clients c
			WHERE cc.id = $2 AND c.id = cc.client_id AND c.workspace_id = $1`, workspaceID, clauseID)
		if err != nil {
			return mapErr(err, "remove contract clause")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("clause %d: %w", clauseID, ErrNotFound)
		}
		return nil
	})
	s.cache.clauses.invalidateAll()
	return err
}
