package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

const personColumns = `p.id, p.workspace_id, p.external_id, p.name, p.role, p.client_id,
	coalesce(c.code, ''), coalesce(nullif(ps.timezone, ''), p.timezone), p.created_at`

// The timezone a person set with /hours wins over their platform profile's.
const personFrom = ` FROM people p LEFT JOIN clients c ON c.id = p.client_id
	LEFT JOIN schedules ps ON ps.person_id = p.id `

func scanPerson(row rowScanner) (bot.Person, error) {
	var p bot.Person
	err := row.Scan(&p.ID, &p.WorkspaceID, &p.ExternalID, &p.Name, &p.Role, &p.ClientID,
		&p.ClientCode, &p.Timezone, &p.CreatedAt)
	return p, err
}

// EnsurePerson returns the person with that platform id, creating them on first
// contact. A new person's role: manager when Admin; manager when the workspace has
// no manager yet and bootstrap is allowed (the first person to use a fresh
// installation); client when ClientCode is set; otherwise tech. created reports
// whether the person is new and bootstrapped whether they became manager by being first.
func (s *Store) EnsurePerson(ctx context.Context, np bot.NewPerson, allowBootstrap bool) (p bot.Person, created, bootstrapped bool, err error) {
	// Someone met before, the common case, is one read: no transaction. The
	// role is read fresh on every event (never cached), so a change of role
	// takes effect on the next one.
	p, err = s.PersonByExternalID(ctx, np.WorkspaceID, np.ExternalID)
	if bot.ErrorCode(err) != bot.ENotFound {
		return p, false, false, err
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		p, err = scanPerson(tx.QueryRowxContext(ctx, `SELECT `+personColumns+personFrom+`
			WHERE p.workspace_id = $1 AND p.external_id = $2`, np.WorkspaceID, np.ExternalID))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return mapErr(err, "find person")
		}
		// Lock the workspace so two first contacts cannot both become its first manager.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE`, np.WorkspaceID); err != nil {
			return mapErr(err, "lock workspace")
		}
		role := bot.RoleTech
		var clientID *int64
		switch {
		case np.Admin:
			role = bot.RoleManager
		case np.ClientCode != "":
			c, err := ensureClient(ctx, tx, np.WorkspaceID, np.ClientCode)
			if err != nil {
				return err
			}
			role, clientID = bot.RoleClient, &c.ID
		case allowBootstrap:
			var managers int
			if err := tx.GetContext(ctx, &managers, `SELECT count(*) FROM people WHERE workspace_id = $1 AND role = 'manager'`, np.WorkspaceID); err != nil {
				return mapErr(err, "count managers")
			}
			if managers == 0 {
				role, bootstrapped = bot.RoleManager, true
			}
		}
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO people (workspace_id, external_id, name, role, client_id, timezone)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (workspace_id, external_id) DO UPDATE SET updated_at = now()
			RETURNING id`, np.WorkspaceID, np.ExternalID, np.Name, role, clientID, np.Timezone)
		if err != nil {
			return mapErr(err, "create person")
		}
		created = true
		p, err = scanPerson(tx.QueryRowxContext(ctx, `SELECT `+personColumns+personFrom+` WHERE p.id = $1`, id))
		return mapErr(err, "read person")
	})
	return p, created, bootstrapped, err
}

// personByExternalID is read on every delivery (prepared).
const personByExternalID = `SELECT ` + personColumns + personFrom + `WHERE p.workspace_id = $1 AND p.external_id = $2`

// PersonByExternalID finds someone by platform id only (never by name), and
// never creates them.
func (s *Store) PersonByExternalID(ctx context.Context, workspaceID int64, externalID string) (bot.Person, error) {
	st, err := s.prepared(ctx, personByExternalID)
	if err != nil {
		return bot.Person{}, mapErr(err, "person "+externalID)
	}
	p, err := scanPerson(st.QueryRowContext(ctx, workspaceID, externalID))
	return p, mapErr(err, "person "+externalID)
}

// FindPerson finds someone in a workspace by platform id or, failing that, by name
// (case-insensitive, without a leading @). More than one match by name is a conflict.
func (s *Store) FindPerson(ctx context.Context, workspaceID int64, handle string) (bot.Person, error) {
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	p, err := scanPerson(s.db.QueryRowxContext(ctx, `SELECT `+personColumns+personFrom+`
		WHERE p.workspace_id = $1 AND p.external_id = $2`, workspaceID, handle))
	if err == nil {
		return p, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return p, mapErr(err, "find person")
	}
	rows, err := s.db.QueryxContext(ctx, `SELECT `+personColumns+personFrom+`
		WHERE p.workspace_id = $1 AND lower(p.name) = lower($2) LIMIT 2`, workspaceID, handle)
	if err != nil {
		return p, mapErr(err, "find person by name")
	}
	defer rows.Close()
	var found []bot.Person
	for rows.Next() {
		q, err := scanPerson(rows)
		if err != nil {
			return p, mapErr(err, "scan person")
		}
		found = append(found, q)
	}
	if err := rows.Err(); err != nil {
		return p, mapErr(err, "find person by name")
	}
	switch len(found) {
	case 0:
		return p, fmt.Errorf("person %q: %w", handle, ErrNotFound)
	case 1:
		return found[0], nil
	default:
		return p, fmt.Errorf("person %q is ambiguous: %w", handle, ErrConflict)
	}
}

// PersonByID reads one person.
func (s *Store) PersonByID(ctx context.Context, id int64) (bot.Person, error) {
	p, err := scanPerson(s.db.QueryRowxContext(ctx, `SELECT `+personColumns+personFrom+` WHERE p.id = $1`, id))
	return p, mapErr(err, "person")
}

// SetRole changes a person's role; clientCode is required for the client role
// and ignored otherwise.
func (s *Store) SetRole(ctx context.Context, personID int64, role bot.Role, clientCode string) (bot.Person, error) {
	return s.SetRoleOnce(ctx, personID, role, clientCode, "")
}

// SetRoleOnce is SetRole made by the delivery key (bot.Event.SourceID, "" for
// none): the same delivery handled again changes nothing, so it cannot undo a
// later change of role, and returns the person as they are with bot.ErrReplayed.
func (s *Store) SetRoleOnce(ctx context.Context, personID int64, role bot.Role, clientCode, key string) (bot.Person, error) {
	var p bot.Person
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyPersonDelivery(ctx, tx, personID, key); errors.Is(err, bot.ErrReplayed) {
			if p, err = scanPerson(tx.QueryRowxContext(ctx, `SELECT `+personColumns+personFrom+` WHERE p.id = $1`, personID)); err != nil {
				return mapErr(err, "read person")
			}
			return bot.ErrReplayed
		} else if err != nil {
			return err
		}
		var wsID int64
		if err := tx.GetContext(ctx, &wsID, `SELECT workspace_id FROM people WHERE id = $1 FOR UPDATE`, personID); err != nil {
			return mapErr(err, "person")
		}
		var clientID *int64
		if role == bot.RoleClient {
			c, err := ensureClient(ctx, tx, wsID, clientCode)
			if err != nil {
				return err
			}
			clientID = &c.ID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE people SET role = $2, client_id = $3, updated_at = now() WHERE id = $1`,
			personID, role, clientID); err != nil {
			return mapErr(err, "set role")
		}
		var err error
		p, err = scanPerson(tx.QueryRowxContext(ctx, `SELECT `+personColumns+personFrom+` WHERE p.id = $1`, personID))
		return mapErr(err, "read person")
	})
	return p, err
}

// ListPeople lists everyone in a workspace, managers first.
func (s *Store) ListPeople(ctx context.Context, workspaceID int64) ([]bot.Person, error) {
	return queryAll(ctx, s.db, "list people", scanPerson, `SELECT `+personColumns+personFrom+`
		WHERE p.workspace_id = $1
		ORDER BY array_position(ARRAY['manager','coordinator','tech','client'], p.role), lower(p.name)`, workspaceID)
}
