package storage

import (
	"context"
	"errors"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

// EnsureClient returns the client with that code, creating it if it is new.
func (s *Store) EnsureClient(ctx context.Context, workspaceID int64, code string) (bot.Client, error) {
	var c bot.Client
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		c, err = ensureClient(ctx, tx, workspaceID, code)
		return err
	})
	return c, err
}

// ClientByCode finds a client by its code, in any case.
func (s *Store) ClientByCode(ctx context.Context, workspaceID int64, code string) (bot.Client, error) {
	var c bot.Client
	err := s.db.QueryRowxContext(ctx, `
		SELECT id, workspace_id, code, name FROM clients
		WHERE workspace_id = $1 AND lower(code) = lower($2)`, workspaceID, code).
		Scan(&c.ID, &c.WorkspaceID, &c.Code, &c.Name)
	return c, mapErr(err, "client "+code)
}

func ensureClient(ctx context.Context, tx *sqlx.Tx, workspaceID int64, code string) (bot.Client, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return bot.Client{}, bot.Errorf(bot.EInvalid, "a client code is needed, for example ACME")
	}
	c := bot.Client{WorkspaceID: workspaceID}
	err := tx.QueryRowxContext(ctx, `
		INSERT INTO clients (workspace_id, code, name) VALUES ($1, $2, $2)
		ON CONFLICT (workspace_id, lower(code)) DO UPDATE SET code = clients.code
		RETURNING id, code, name`, workspaceID, code).Scan(&c.ID, &c.Code, &c.Name)
	return c, mapErr(err, "ensure client")
}

// SearchClients lists up to limit clients whose code or name starts with prefix
// (any case), by code.
func (s *Store) SearchClients(ctx context.Context, workspaceID int64, prefix string, limit int) ([]bot.Client, error) {
	if limit <= 0 || limit > 100 {
		limit = 25
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(strings.TrimSpace(prefix))) + "%"
	return queryAll(ctx, s.db, "search clients", func(r rowScanner) (bot.Client, error) {
		var c bot.Client
		err := r.Scan(&c.ID, &c.WorkspaceID, &c.Code, &c.Name)
		return c, err
	}, `
		SELECT id, workspace_id, code, name FROM clients
		WHERE workspace_id = $1 AND (lower(code) LIKE $2 OR lower(name) LIKE $2)
		ORDER BY lower(code) LIMIT $3`, workspaceID, like, limit)
}

// CreateClient adds a client; a code already in use (in any case) is a conflict.
func (s *Store) CreateClient(ctx context.Context, workspaceID int64, code, name string) (bot.Client, error) {
	return s.CreateClientOnce(ctx, workspaceID, code, name, "")
}

// CreateClientOnce is CreateClient made by the delivery key (bot.Event's
// SourceID): the same delivery again adds nothing and is bot.ErrReplayed.
func (s *Store) CreateClientOnce(ctx context.Context, workspaceID int64, code, name, key string) (bot.Client, error) {
	c := bot.Client{WorkspaceID: workspaceID, Code: code, Name: name}
	err := s.applyOnce(ctx, `SELECT id FROM workspaces WHERE id = $1`, workspaceID, key, func(q sqlx.ExtContext) error {
		return q.QueryRowxContext(ctx, `INSERT INTO clients (workspace_id, code, name) VALUES ($1, $2, $3)
			RETURNING id, code, name`, workspaceID, code, name).Scan(&c.ID, &c.Code, &c.Name)
	})
	if errors.Is(err, bot.ErrReplayed) {
		return c, err
	}
	return c, mapErr(err, "create client "+code)
}

// ListClients lists a workspace's clients by code.
func (s *Store) ListClients(ctx context.Context, workspaceID int64) ([]bot.Client, error) {
	return queryAll(ctx, s.db, "list clients", func(r rowScanner) (bot.Client, error) {
		c := bot.Client{WorkspaceID: workspaceID}
		err := r.Scan(&c.ID, &c.Code, &c.Name)
		return c, err
	}, `SELECT id, code, name FROM clients WHERE workspace_id = $1 ORDER BY lower(code)`, workspaceID)
}

// RecordClientOrgs records outside organisations (Slack Connect team ids) as
// the client's: their people are that client's users. An organisation already
// recorded for another client is a conflict and nothing is recorded.
func (s *Store) RecordClientOrgs(ctx context.Context, workspaceID, clientID int64, orgs []string, by int64) error {
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		for _, org := range orgs {
			org = strings.TrimSpace(org)
			if org == "" {
				continue
			}
			var owner int64
			err := tx.GetContext(ctx, &owner, `
				INSERT INTO client_orgs (workspace_id, org_id, client_id, linked_by) VALUES ($1, $2, $3, nullif($4, 0))
				ON CONFLICT (workspace_id, org_id) DO UPDATE SET org_id = EXCLUDED.org_id
				RETURNING client_id`, workspaceID, org, clientID, by)
			if err != nil {
				return mapErr(err, "record client organisation")
			}
			if owner != clientID {
				var code string
				if err := tx.GetContext(ctx, &code, `SELECT code FROM clients WHERE id = $1`, owner); err != nil {
					return mapErr(err, "client of organisation")
				}
				return bot.Errorf(bot.EConflict, "the organisation %s is already client %s's; a person belongs to one client", org, code)
			}
		}
		return nil
	})
}

// ClientByOrg returns the client an outside organisation was recorded for.
func (s *Store) ClientByOrg(ctx context.Context, workspaceID int64, org string) (bot.Client, error) {
	var c bot.Client
	err := s.db.QueryRowxContext(ctx, `
		SELECT c.id, c.workspace_id, c.code, c.name FROM client_orgs o JOIN clients c ON c.id = o.client_id
		WHERE o.workspace_id = $1 AND o.org_id = $2`, workspaceID, org).
		Scan(&c.ID, &c.WorkspaceID, &c.Code, &c.Name)
	return c, mapErr(err, "client of organisation "+org)
}

// ClientOrgs lists the organisations recorded for a client.
func (s *Store) ClientOrgs(ctx context.Context, clientID int64) ([]string, error) {
	var out []string
	err := s.db.SelectContext(ctx, &out, `SELECT org_id FROM client_orgs WHERE client_id = $1 ORDER BY org_id`, clientID)
	return out, mapErr(err, "client organisations")
}
