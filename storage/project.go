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

const projectColumns = `p.id, p.workspace_id, p.number, p.client_id, c.code, p.name, p.description,
	p.coordinator_id, co.name, co.external_id, coalesce(nullif(cs.timezone, ''), co.timezone), p.start_date, p.end_date, p.budget_minutes,
	p.channel, p.update_weekday, (extract(epoch FROM p.update_time) / 60)::int, p.status,
	p.support_lead_id, coalesce(sl.name, ''), p.request_id, coalesce(r.number, 0),
	w.platform, w.external_id, p.created_at, p.closed_at`

const projectFrom = ` FROM projects p
	JOIN clients c ON c.id = p.client_id
	JOIN people co ON co.id = p.coordinator_id
	LEFT JOIN schedules cs ON cs.person_id = co.id -- a timezone set with /hours wins
	JOIN workspaces w ON w.id = p.workspace_id
	LEFT JOIN people sl ON sl.id = p.support_lead_id
	LEFT JOIN requests r ON r.id = p.request_id `

func scanProject(row rowScanner) (bot.Project, error) {
	var p bot.Project
	var weekday int
	err := row.Scan(&p.ID, &p.WorkspaceID, &p.Number, &p.ClientID, &p.ClientCode, &p.Name, &p.Description,
		&p.CoordinatorID, &p.CoordinatorName, &p.CoordinatorExternalID, &p.CoordinatorTZ, &p.Start, &p.End,
		&p.BudgetMinutes, &p.Channel, &weekday, &p.UpdateMinute, &p.Status,
		&p.SupportLeadID, &p.SupportLead, &p.RequestID, &p.RequestNumber,
		&p.Platform, &p.WorkspaceExternalID, &p.CreatedAt, &p.ClosedAt)
	p.UpdateWeekday = time.Weekday(weekday)
	return p, err
}

// day renders a date for a date column, whatever the time's location.
func day(t time.Time) string { return t.Format("2006-01-02") }

// clock renders minutes after midnight for a time column.
func clock(m int) string { return bot.ClockTime(m) }

// CreateProject stores a new project with the next P-number of its workspace.
// Opening a project from a request that already has one is a conflict. The
// delivery that opened one (in.SourceKey) opening it again returns that
// project with bot.ErrReplayed.
func (s *Store) CreateProject(ctx context.Context, in bot.Project, createdBy int64) (bot.Project, error) {
	var p bot.Project
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		// The workspace row lock serialises numbering within a workspace.
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM workspaces WHERE id = $1 FOR UPDATE`, in.WorkspaceID); err != nil {
			return mapErr(err, "lock workspace")
		}
		var id int64
		if in.SourceKey != "" {
			err := tx.GetContext(ctx, &id, `SELECT id FROM projects WHERE workspace_id = $1 AND source_key = $2`, in.WorkspaceID, in.SourceKey)
			if err == nil {
				if p, err = scanProject(tx.QueryRowxContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.id = $1`, id)); err != nil {
					return mapErr(err, "read project")
				}
				return bot.ErrReplayed
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return mapErr(err, "project by source")
			}
		}
		err := tx.GetContext(ctx, &id, `
			INSERT INTO projects (workspace_id, number, client_id, name, description, coordinator_id,
				start_date, end_date, budget_minutes, channel, update_weekday, update_time, request_id, created_by, source_key,
				support_lead_id)
			SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, nullif($14, ''), $15
			FROM projects WHERE workspace_id = $1
			RETURNING id`,
			in.WorkspaceID, in.ClientID, in.Name, in.Description, in.CoordinatorID,
			day(in.Start), day(in.End), in.BudgetMinutes, in.Channel, int(in.UpdateWeekday), clock(in.UpdateMinute),
			in.RequestID, createdBy, in.SourceKey, in.SupportLeadID) // --lead given at creation is kept
		if err != nil {
			return mapErr(err, "create project")
		}
		p, err = scanProject(tx.QueryRowxContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.id = $1`, id))
		return mapErr(err, "read project")
	})
	return p, err
}

// ProjectByNumber reads the project numbered n (P n) in a workspace.
func (s *Store) ProjectByNumber(ctx context.Context, workspaceID int64, n int) (bot.Project, error) {
	p, err := scanProject(s.db.QueryRowxContext(ctx, `SELECT `+projectColumns+projectFrom+`
		WHERE p.workspace_id = $1 AND p.number = $2`, workspaceID, n))
	return p, mapErr(err, fmt.Sprintf("project P%d", n))
}

// ProjectByID reads one project.
func (s *Store) ProjectByID(ctx context.Context, id int64) (bot.Project, error) {
	p, err := scanProject(s.db.QueryRowxContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.id = $1`, id))
	return p, mapErr(err, "project")
}

// ProjectByRequest reads the project opened from a request.
func (s *Store) ProjectByRequest(ctx context.Context, requestID int64) (bot.Project, error) {
	p, err := scanProject(s.db.QueryRowxContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.request_id = $1`, requestID))
	return p, mapErr(err, "project by request")
}

// UpdateProject saves a project's settings: name, description, coordinator,
// dates, budget, channel, update schedule and support lead.
func (s *Store) UpdateProject(ctx context.Context, in bot.Project) (bot.Project, error) {
	return s.UpdateProjectOnce(ctx, in, "")
}

// UpdateProjectOnce is UpdateProject made by the delivery key: the same
// delivery handled again changes nothing, so it cannot undo a later change,
// and returns the project as it is with bot.ErrReplayed.
func (s *Store) UpdateProjectOnce(ctx context.Context, in bot.Project, key string) (bot.Project, error) {
	var p bot.Project
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyProjectDelivery(ctx, tx, in.ID, key); errors.Is(err, bot.ErrReplayed) {
			if p, err = scanProject(tx.QueryRowxContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.id = $1`, in.ID)); err != nil {
				return mapErr(err, "read project")
			}
			return bot.ErrReplayed
		} else if err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE projects SET name = $2, description = $3, coordinator_id = $4, start_date = $5, end_date = $6,
				budget_minutes = $7, channel = $8, update_weekday = $9, update_time = $10, support_lead_id = $11
			WHERE id = $1`,
			in.ID, in.Name, in.Description, in.CoordinatorID, day(in.Start), day(in.End), in.BudgetMinutes,
			in.Channel, int(in.UpdateWeekday), clock(in.UpdateMinute), in.SupportLeadID)
		if err != nil {
			return mapErr(err, "update project")
		}
		p, err = scanProject(tx.QueryRowxContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.id = $1`, in.ID))
		return mapErr(err, "read project")
	})
	return p, err
}

// ListProjects lists a workspace's projects that are not closed, by number;
// clientID narrows them to one client's.
func (s *Store) ListProjects(ctx context.Context, workspaceID int64, clientID *int64) ([]bot.Project, error) {
	return s.projects(ctx, `SELECT `+projectColumns+projectFrom+`
		WHERE p.workspace_id = $1 AND p.status <> 'closed' AND ($2::bigint IS NULL OR p.client_id = $2)
		ORDER BY p.number`, workspaceID, clientID)
}

// RunningProjects lists every project, in every workspace, that still gets
// weekly updates (not closed). The weekly sweep reads it.
func (s *Store) RunningProjects(ctx context.Context) ([]bot.Project, error) {
	return s.projects(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.status <> 'closed' ORDER BY p.id`)
}

func (s *Store) projects(ctx context.Context, query string, args ...any) ([]bot.Project, error) {
	return queryAll(ctx, s.db, "list projects", scanProject, query, args...)
}

// projectTimeFilter selects the time entries of a project: those logged against
// it, and those logged against the request it was opened from before it existed.
const projectTimeFilter = `(t.project_id = p.id OR (p.request_id IS NOT NULL AND t.request_id = p.request_id AND t.project_id IS NULL))`

// ProjectMinutes sums the minutes logged on a project.
func (s *Store) ProjectMinutes(ctx context.Context, projectID int64) (int, error) {
	var m int
	err := s.db.GetContext(ctx, &m, `
		SELECT coalesce(sum(t.minutes), 0) FROM projects p JOIN time_entries t ON `+projectTimeFilter+`
		WHERE p.id = $1`, projectID)
	return m, mapErr(err, "project minutes")
}

// ProjectMinutesByDay lists the minutes logged on a project per day, oldest first.
func (s *Store) ProjectMinutesByDay(ctx context.Context, projectID int64) ([]bot.DayMinutes, error) {
	var out []bot.DayMinutes
	rows, err := s.db.QueryxContext(ctx, `
		SELECT t.entry_date, sum(t.minutes) FROM projects p JOIN time_entries t ON `+projectTimeFilter+`
		WHERE p.id = $1 GROUP BY t.entry_date ORDER BY t.entry_date`, projectID)
	if err != nil {
		return nil, mapErr(err, "project minutes by day")
	}
	defer rows.Close()
	for rows.Next() {
		var d bot.DayMinutes
		if err := rows.Scan(&d.Day, &d.Minutes); err != nil {
			return nil, mapErr(err, "scan minutes")
		}
		out = append(out, d)
	}
	return out, mapErr(rows.Err(), "project minutes by day")
}

// ProjectTimeLoggers lists everyone who logged time on a project.
func (s *Store) ProjectTimeLoggers(ctx context.Context, projectID int64) ([]bot.Person, error) {
	return queryAll(ctx, s.db, "time loggers", scanPerson, `SELECT `+personColumns+personFrom+`
		WHERE p.id IN (SELECT t.person_id FROM projects pr JOIN time_entries t ON `+
		`(t.project_id = pr.id OR (pr.request_id IS NOT NULL AND t.request_id = pr.request_id AND t.project_id IS NULL))
			WHERE pr.id = $1)
		ORDER BY lower(p.name)`, projectID)
}

// LogProjectTime records minutes against a project. Time tracking owns time
// entries; this exists for tests and seed data until its /time command lands.
func (s *Store) LogProjectTime(ctx context.Context, workspaceID, personID, projectID int64, minutes int, on time.Time, note string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO time_entries (workspace_id, person_id, project_id, minutes, note, entry_date)
		VALUES ($1, $2, $3, $4, $5, $6)`, workspaceID, personID, projectID, minutes, note, day(on))
	return mapErr(err, "log project time")
}

// AddMilestone adds a milestone; a second one of the same name is a conflict.
func (s *Store) AddMilestone(ctx context.Context, projectID int64, name string, due time.Time) (bot.Milestone, error) {
	return s.AddMilestoneOnce(ctx, projectID, name, due, "")
}

// AddMilestoneOnce is AddMilestone made by the delivery key (bot.Event's
// SourceID): the same delivery again adds nothing and is bot.ErrReplayed.
func (s *Store) AddMilestoneOnce(ctx context.Context, projectID int64, name string, due time.Time, key string) (bot.Milestone, error) {
	m := bot.Milestone{ProjectID: projectID, Name: name}
	err := s.applyOnce(ctx, projectWorkspace, projectID, key, func(q sqlx.ExtContext) error {
		return q.QueryRowxContext(ctx, `
			INSERT INTO milestones (project_id, name, due_date) VALUES ($1, $2, $3)
			RETURNING id, due_date`, projectID, name, day(due)).Scan(&m.ID, &m.Due)
	})
	if errors.Is(err, bot.ErrReplayed) {
		return m, err
	}
	return m, mapErr(err, "add milestone")
}

// Milestones lists a project's milestones by due date.
func (s *Store) Milestones(ctx context.Context, projectID int64) ([]bot.Milestone, error) {
	return queryAll(ctx, s.db, "milestones", func(r rowScanner) (bot.Milestone, error) {
		var m bot.Milestone
		err := r.Scan(&m.ID, &m.ProjectID, &m.Name, &m.Due, &m.Percent, &m.DoneAt)
		return m, err
	}, `
		SELECT id, project_id, name, due_date, percent, done_at FROM milestones
		WHERE project_id = $1 ORDER BY due_date, id`, projectID)
}

// SetMilestoneProgress sets how far along a milestone (named case-insensitively)
// is, records the change, and returns the milestone and its previous percent.
func (s *Store) SetMilestoneProgress(ctx context.Context, projectID int64, name string, percent int, by int64, at time.Time) (bot.Milestone, int, error) {
	return s.SetMilestoneProgressOnce(ctx, projectID, name, percent, by, at, "")
}

// SetMilestoneProgressOnce is SetMilestoneProgress made by the delivery key:
// the same delivery again records no second change and returns the milestone
// and percents of the change it recorded, with bot.ErrReplayed.
func (s *Store) SetMilestoneProgressOnce(ctx context.Context, projectID int64, name string, percent int, by int64, at time.Time, key string) (bot.Milestone, int, error) {
	var (
		m    bot.Milestone
		from int
	)
	var keyArg *string
	if key != "" {
		keyArg = &key
	}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyProjectDelivery(ctx, tx, projectID, key); errors.Is(err, bot.ErrReplayed) {
			err := tx.QueryRowxContext(ctx, `SELECT m.id, m.project_id, m.name, m.due_date, mp.from_percent, mp.to_percent, m.done_at
				FROM milestone_progress mp JOIN milestones m ON m.id = mp.milestone_id
				WHERE m.project_id = $1 AND mp.source_key = $2`, projectID, key).
				Scan(&m.ID, &m.ProjectID, &m.Name, &m.Due, &from, &m.Percent, &m.DoneAt)
			if err != nil {
				return mapErr(err, "progress by source")
			}
			return bot.ErrReplayed
		} else if err != nil {
			return err
		}
		err := tx.QueryRowxContext(ctx, `SELECT id, name, percent FROM milestones
			WHERE project_id = $1 AND lower(name) = lower($2) FOR UPDATE`, projectID, name).Scan(&m.ID, &m.Name, &from)
		if err != nil {
			return mapErr(err, "milestone "+name)
		}
		err = tx.QueryRowxContext(ctx, `
			UPDATE milestones SET percent = $2::smallint,
				done_at = CASE WHEN $2::smallint = 100 THEN coalesce(done_at, $3) END
			WHERE id = $1 RETURNING project_id, due_date, percent, done_at`, m.ID, percent, at).
			Scan(&m.ProjectID, &m.Due, &m.Percent, &m.DoneAt)
		if err != nil {
			return mapErr(err, "set progress")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO milestone_progress (milestone_id, from_percent, to_percent, by_id, at, source_key)
			VALUES ($1, $2, $3, $4, $5, $6)`, m.ID, from, percent, by, at, keyArg)
		return mapErr(err, "record progress")
	})
	return m, from, err
}

// MilestoneChanges lists progress changes on a project in [from, to).
func (s *Store) MilestoneChanges(ctx context.Context, projectID int64, from, to time.Time) ([]bot.MilestoneChange, error) {
	return queryAll(ctx, s.db, "milestone changes", func(r rowScanner) (bot.MilestoneChange, error) {
		var c bot.MilestoneChange
		err := r.Scan(&c.Milestone, &c.From, &c.To, &c.By, &c.At)
		return c, err
	}, `
		SELECT m.name, mp.from_percent, mp.to_percent, pe.name, mp.at
		FROM milestone_progress mp JOIN milestones m ON m.id = mp.milestone_id JOIN people pe ON pe.id = mp.by_id
		WHERE m.project_id = $1 AND mp.at >= $2 AND mp.at < $3 ORDER BY mp.at, mp.id`, projectID, from, to)
}

// AddDisruption records a planned disruption.
func (s *Store) AddDisruption(ctx context.Context, d bot.Disruption, by int64) (bot.Disruption, error) {
	return s.AddDisruptionOnce(ctx, d, by, "")
}

// AddDisruptionOnce is AddDisruption made by the delivery key: the same
// delivery again adds nothing and is bot.ErrReplayed, with the disruption it
// planned the first time (d as given when that one was planned before its
// row kept the key).
func (s *Store) AddDisruptionOnce(ctx context.Context, d bot.Disruption, by int64, key string) (bot.Disruption, error) {
	var source *string
	if key != "" {
		source = &key
	}
	err := s.applyOnce(ctx, projectWorkspace, d.ProjectID, key, func(q sqlx.ExtContext) error {
		return q.QueryRowxContext(ctx, `
			INSERT INTO disruptions (project_id, day, starts, ends, impact, created_by, source_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
			RETURNING id, day`, d.ProjectID, day(d.Day), clock(d.Starts), clock(d.Ends), d.Impact, by, source).Scan(&d.ID, &d.Day)
	})
	if !errors.Is(err, bot.ErrReplayed) {
		return d, mapErr(err, "add disruption")
	}
	was := d
	rerr := s.db.QueryRowxContext(ctx, `
		SELECT id, day, (extract(epoch FROM starts) / 60)::int, (extract(epoch FROM ends) / 60)::int, impact
		FROM disruptions WHERE project_id = $1 AND source_key = $2`, d.ProjectID, key).
		Scan(&was.ID, &was.Day, &was.Starts, &was.Ends, &was.Impact)
	switch {
	case rerr == nil:
		return was, err
	case errors.Is(rerr, sql.ErrNoRows): // planned before disruptions kept their delivery
		return d, err
	}
	return d, mapErr(rerr, "disruption by source")
}

// Disruptions lists a project's disruptions on days in [from, to], by day.
func (s *Store) Disruptions(ctx context.Context, projectID int64, from, to time.Time) ([]bot.Disruption, error) {
	return queryAll(ctx, s.db, "disruptions", func(r rowScanner) (bot.Disruption, error) {
		var d bot.Disruption
		err := r.Scan(&d.ID, &d.ProjectID, &d.Day, &d.Starts, &d.Ends, &d.Impact)
		return d, err
	}, `
		SELECT id, project_id, day, (extract(epoch FROM starts) / 60)::int, (extract(epoch FROM ends) / 60)::int, impact
		FROM disruptions WHERE project_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day, starts, id`,
		projectID, day(from), day(to))
}

// AddOOS records an out-of-scope item with the next number of its project.
func (s *Store) AddOOS(ctx context.Context, it bot.OOSItem, by int64) (bot.OOSItem, error) {
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM projects WHERE id = $1 FOR UPDATE`, it.ProjectID); err != nil {
			return mapErr(err, "lock project")
		}
		var key *string
		if it.SourceKey != "" {
			key = &it.SourceKey
			// Under the project's lock: the same delivery handled again
			// (after a crash) gets the item it recorded, and adds nothing.
			err := tx.QueryRowxContext(ctx, `SELECT id, number, minutes, description, approved_by, created_at
				FROM oos_items WHERE project_id = $1 AND source_key = $2`, it.ProjectID, it.SourceKey).
				Scan(&it.ID, &it.Number, &it.Minutes, &it.Description, &it.ApprovedBy, &it.CreatedAt)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return mapErr(err, "out-of-scope item by source")
			}
			// Recorded in applied_deliveries too, so that the command can
			// tell, as for every other change, that a delivery made it
			// (DeliveryApplied) before checking whether the project is open.
			if err := recordProjectDelivery(ctx, tx, it.ProjectID, it.SourceKey); err != nil {
				return err
			}
		}
		return mapErr(tx.QueryRowxContext(ctx, `
			INSERT INTO oos_items (project_id, number, minutes, description, approved_by, created_by, source_key)
			SELECT $1, coalesce(max(number), 0) + 1, $2, $3, $4, $5, $6 FROM oos_items WHERE project_id = $1
			RETURNING id, number, created_at`, it.ProjectID, it.Minutes, it.Description, it.ApprovedBy, by, key).
			Scan(&it.ID, &it.Number, &it.CreatedAt), "add out-of-scope item")
	})
	return it, err
}

// OOSItems lists a project's out-of-scope items by number.
func (s *Store) OOSItems(ctx context.Context, projectID int64) ([]bot.OOSItem, error) {
	return queryAll(ctx, s.db, "out-of-scope items", func(r rowScanner) (bot.OOSItem, error) {
		var o bot.OOSItem
		err := r.Scan(&o.ID, &o.ProjectID, &o.Number, &o.Minutes, &o.Description, &o.ApprovedBy,
			&o.CreatedBy, &o.CreatedAt, &o.InvoicedAt)
		return o, err
	}, `
		SELECT o.id, o.project_id, o.number, o.minutes, o.description, o.approved_by, pe.name, o.created_at, o.invoiced_at
		FROM oos_items o JOIN people pe ON pe.id = o.created_by WHERE o.project_id = $1 ORDER BY o.number`, projectID)
}

// MarkOOSInvoiced flags an out-of-scope item as invoiced. Marking it twice is a conflict.
func (s *Store) MarkOOSInvoiced(ctx context.Context, projectID int64, number int, by int64, at time.Time) (bot.OOSItem, error) {
	return s.MarkOOSInvoicedOnce(ctx, projectID, number, by, at, "")
}

// MarkOOSInvoicedOnce is MarkOOSInvoiced made by the delivery key
// (bot.Event.SourceID, "" for none), recorded before the item is read: the
// same delivery handled again changes nothing and returns the item with
// bot.ErrReplayed, not the conflict "was invoiced" about its own marking.
func (s *Store) MarkOOSInvoicedOnce(ctx context.Context, projectID int64, number int, by int64, at time.Time, key string) (bot.OOSItem, error) {
	var o bot.OOSItem
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if err := applyProjectDelivery(ctx, tx, projectID, key); errors.Is(err, bot.ErrReplayed) {
			err := tx.QueryRowxContext(ctx, `SELECT id, project_id, number, minutes, description, approved_by, created_at, invoiced_at
				FROM oos_items WHERE project_id = $1 AND number = $2`, projectID, number).
				Scan(&o.ID, &o.ProjectID, &o.Number, &o.Minutes, &o.Description, &o.ApprovedBy, &o.CreatedAt, &o.InvoicedAt)
			if err != nil {
				return mapErr(err, fmt.Sprintf("out-of-scope item %d", number))
			}
			return bot.ErrReplayed
		} else if err != nil {
			return err
		}
		var invoiced *time.Time
		err := tx.QueryRowxContext(ctx, `SELECT id, invoiced_at FROM oos_items WHERE project_id = $1 AND number = $2 FOR UPDATE`,
			projectID, number).Scan(&o.ID, &invoiced)
		if err != nil {
			return mapErr(err, fmt.Sprintf("out-of-scope item %d", number))
		}
		if invoiced != nil {
			return fmt.Errorf("out-of-scope item %d was invoiced on %s: %w", number, invoiced.Format("2 Jan 2006"), ErrConflict)
		}
		return mapErr(tx.QueryRowxContext(ctx, `
			UPDATE oos_items SET invoiced_at = $2, invoiced_by = $3 WHERE id = $1
			RETURNING project_id, number, minutes, description, approved_by, created_at, invoiced_at`, o.ID, at, by).
			Scan(&o.ProjectID, &o.Number, &o.Minutes, &o.Description, &o.ApprovedBy, &o.CreatedAt, &o.InvoicedAt),
			"mark invoiced")
	})
	return o, err
}
