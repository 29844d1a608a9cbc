package storage

import "context"

// SaveActionTemplate records the command a button with this action id runs,
// with its value written as {value}.
func (s *Store) SaveActionTemplate(ctx context.Context, actionID, template string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO action_templates (action_id, template) VALUES ($1, $2)
		ON CONFLICT (action_id) DO UPDATE SET template = EXCLUDED.template, updated_at = now()
		WHERE action_templates.template <> EXCLUDED.template`, actionID, template)
	return mapErr(err, "save action template")
}

// ActionTemplate reads the command template of an action id.
func (s *Store) ActionTemplate(ctx context.Context, actionID string) (string, error) {
	var t string
	err := s.db.GetContext(ctx, &t, `SELECT template FROM action_templates WHERE action_id = $1`, actionID)
	return t, mapErr(err, "action template "+actionID)
}
