package storage

import (
	"context"
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
	c := bot.Client{WorkspaceID: workspaceID}
	err := s.db.QueryRowxContext(ctx, `INSERT INTO clients (workspace_id, code, name) VALUES ($1, $2, $3)
		RETURNING id, code, name`, workspaceID, code, name).Scan(&c.ID, &c.Code, &c.Name)
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
