package storage

import (
	"context"

	"github.com/mspbot/mspbot/bot"
)

// EnsureWorkspace returns the id of the workspace, creating it on first contact.
func (s *Store) EnsureWorkspace(ctx context.Context, platform bot.Platform, externalID, name string) (int64, error) {
	if externalID == "" {
		// Every Slack team and Discord guild has an id: an event without one is
		// malformed and must not create a workspace.
		return 0, bot.Errorf(bot.EInvalid, "this event names no %s workspace", platform)
	}
	var id int64
	// The no-op update makes RETURNING yield the id whether or not the row existed.
	err := s.db.GetContext(ctx, &id, `
		INSERT INTO workspaces (platform, external_id, name) VALUES ($1, $2, $3)
		ON CONFLICT (platform, external_id) DO UPDATE SET platform = EXCLUDED.platform
		RETURNING id`, platform, externalID, name)
	return id, mapErr(err, "ensure workspace")
}
