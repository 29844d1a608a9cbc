// Package devdata makes data for load tests and benchmarks: generated
// people, clients, requests and time entries. Only
// cmd/mspbot-dev and tests import it; the bot itself never links it (the
// architecture test checks).
package devdata

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
)

// Options size generated data for load tests and benchmarks.
type Options struct {
	Workspace string // platform id of the workspace to fill (console platform)
	Techs     int
	Requests  int
	Entries   int
}

// Counts is what Seed made.
type Counts struct {
	Managers, Techs, Clients, Requests, OpenRequests, Entries int
}

// Seed fills a workspace with generated people, clients with SLA targets,
// requests spread over a year (about 3 % open: the newest 2 % and a few
// stragglers) and time entries, with set-based INSERT ... SELECT over
// generate_series so a million rows take seconds. It then ANALYZEs the tables.
func Seed(ctx context.Context, db *sql.DB, o Options) (Counts, error) {
	var c Counts
	if o.Workspace == "" {
		o.Workspace = "seed"
	}
	if o.Techs <= 0 {
		o.Techs = 1
	}
	var ws int64
	if err := db.QueryRowContext(ctx, `INSERT INTO workspaces (platform, external_id, name) VALUES ('console', $1, $1)
		ON CONFLICT (platform, external_id) DO UPDATE SET name = EXCLUDED.name RETURNING id`, o.Workspace).Scan(&ws); err != nil {
		return c, fmt.Errorf("seed workspace: %w", err)
	}
	managers := max(1, o.Techs/20)
	steps := []struct {
		what string
		sql  string
		args []any
	}{
		{"clients", `INSERT INTO clients (workspace_id, code, name) SELECT $1, 'C' || g, 'Client ' || g
			FROM generate_series(1, 50) g ON CONFLICT DO NOTHING`, []any{ws}},
		{"managers", `INSERT INTO people (workspace_id, external_id, name, role, timezone)
			SELECT $1, 'seed-manager-' || g, 'manager' || g, 'manager', 'America/New_York' FROM generate_series(1, $2) g
			ON CONFLICT DO NOTHING`, []any{ws, managers}},
		{"techs", `INSERT INTO people (workspace_id, external_id, name, role, timezone)
			SELECT $1, 'seed-tech-' || g, 'tech' || g, 'tech',
				(ARRAY['America/New_York', 'Europe/London', 'Asia/Kolkata', 'America/Denver', 'Australia/Sydney'])[1 + g % 5]
			FROM generate_series(1, $2) g ON CONFLICT DO NOTHING`, []any{ws, o.Techs}},
		{"schedules", `INSERT INTO schedules (person_id, manager_id)
			SELECT t.id, (SELECT m.id FROM people m WHERE m.workspace_id = $1 AND m.external_id = 'seed-manager-' || (1 + t.id % $2))
			FROM people t WHERE t.workspace_id = $1 AND t.role = 'tech' ON CONFLICT DO NOTHING`, []any{ws, managers}},
		{"sla targets", `INSERT INTO sla_targets (client_id, priority, response_minutes, resolution_minutes)
			SELECT c.id, p.p, p.resp, p.resol FROM clients c,
				(VALUES ('P1', 15, 240), ('P2', 60, 480), ('P3', 240, 1440), ('P4', 480, 4320)) AS p(p, resp, resol)
			WHERE c.workspace_id = $1 ON CONFLICT DO NOTHING`, []any{ws}},
	}
	for _, st := range steps {
		if _, err := db.ExecContext(ctx, st.sql, st.args...); err != nil {
			return c, fmt.Errorf("seed %s: %w", st.what, err)
		}
	}
	techs, err := ids(ctx, db, `SELECT id FROM people WHERE workspace_id = $1 AND role = 'tech' ORDER BY id`, ws)
	if err != nil {
		return c, fmt.Errorf("seed techs: %w", err)
	}
	clients, err := ids(ctx, db, `SELECT id FROM clients WHERE workspace_id = $1 ORDER BY id`, ws)
	if err != nil {
		return c, fmt.Errorf("seed clients: %w", err)
	}
	if o.Requests > 0 {
		var base int64
		if err := db.QueryRowContext(ctx, `UPDATE workspaces SET next_request_number = next_request_number + $2
			WHERE id = $1 RETURNING next_request_number - $2`, ws, o.Requests).Scan(&base); err != nil {
			return c, fmt.Errorf("seed numbers: %w", err)
		}
		_, err := db.ExecContext(ctx, `
			INSERT INTO requests (workspace_id, number, title, body, kind, type, confidence, reasons, status, priority,
				client_id, opened_by, assignee_id, source_platform, created_at, updated_at, closed_at, first_response_at,
				sla_next_check_at)
			SELECT $1, $2 + g, 'Seeded request ' || g, '', CASE WHEN g % 5 = 0 THEN 'project' ELSE 'support' END,
				CASE WHEN g % 5 = 0 THEN 'project' ELSE 'incident' END, 0.9, '[]',
				CASE WHEN open THEN 'open' ELSE 'closed' END, 'P' || (1 + g % 4),
				($4::bigint[])[1 + g % cardinality($4::bigint[])], ($5::bigint[])[1 + g % cardinality($5::bigint[])],
				($5::bigint[])[1 + (g * 7) % cardinality($5::bigint[])], 'console', created, created,
				CASE WHEN open THEN NULL ELSE created + interval '6 hours' END,
				CASE WHEN open AND g % 3 = 0 THEN NULL ELSE created + interval '20 minutes' END,
				CASE WHEN open THEN '-infinity'::timestamptz ELSE 'infinity'::timestamptz END
			FROM generate_series(1, $3) g,
				LATERAL (SELECT now() - (($3 - g)::float8 / $3 * 365) * interval '1 day' AS created,
					g > $3 - $3 / 50 OR g % 97 = 0 AS open) x`,
			ws, base-1, o.Requests, pq.Array(clients), pq.Array(techs))
		if err != nil {
			return c, fmt.Errorf("seed requests: %w", err)
		}
	}
	if o.Entries > 0 {
		var lo, hi int64
		if err := db.QueryRowContext(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM requests WHERE workspace_id = $1`, ws).Scan(&lo, &hi); err != nil {
			return c, fmt.Errorf("seed request ids: %w", err)
		}
		// The ledger's rules hold for seeded data too (the database checks every
		// row): each tech gets at most six entries of at most 2h a day, going back
		// as far as their share of the entries needs, so even two seedings of the
		// same workspace stay within 24h a day; billable time names a request.
		_, err := db.ExecContext(ctx, `
			INSERT INTO time_entries (workspace_id, person_id, request_id, minutes, note, entry_date, billable, source, created_at, updated_at)
			SELECT $1, ($2::bigint[])[1 + g % cardinality($2::bigint[])],
				CASE WHEN $4::bigint = 0 THEN NULL ELSE $3::bigint + (g::bigint * 7919) % ($4::bigint - $3::bigint + 1) END,
				15 * (1 + g % 8), 'seeded', day, $4::bigint <> 0 AND g % 7 <> 0, 'typed', created, created
			FROM generate_series(1, $5) g,
				LATERAL (SELECT (current_date - (g / cardinality($2::bigint[])) / 6 - 1) AS day) d,
				LATERAL (SELECT d.day + interval '9 hours' + ((g / cardinality($2::bigint[])) % 6) * interval '1 hour' AS created) x`,
			ws, pq.Array(techs), lo, hi, o.Entries)
		if err != nil {
			return c, fmt.Errorf("seed time entries: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, `ANALYZE people; ANALYZE requests; ANALYZE time_entries; ANALYZE schedules; ANALYZE nudges`); err != nil {
		return c, fmt.Errorf("analyze: %w", err)
	}
	err = db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM people WHERE workspace_id = $1 AND role = 'manager'),
		(SELECT count(*) FROM people WHERE workspace_id = $1 AND role = 'tech'),
		(SELECT count(*) FROM clients WHERE workspace_id = $1),
		(SELECT count(*) FROM requests WHERE workspace_id = $1),
		(SELECT count(*) FROM requests WHERE workspace_id = $1 AND status = 'open'),
		(SELECT count(*) FROM time_entries WHERE workspace_id = $1)`, ws).
		Scan(&c.Managers, &c.Techs, &c.Clients, &c.Requests, &c.OpenRequests, &c.Entries)
	if err != nil {
		return c, fmt.Errorf("seed counts %s: %w", o.Workspace, err)
	}
	return c, nil
}

func ids(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// WorkspaceID returns the id of a console workspace by its platform id.
func WorkspaceID(ctx context.Context, db *sql.DB, external string) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, `SELECT id FROM workspaces WHERE platform = 'console' AND external_id = $1`, external).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("workspace %s: %w", external, err)
	}
	return id, nil
}
