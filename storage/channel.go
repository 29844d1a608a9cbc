package storage

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/mspbot/mspbot/bot"
)

type channelKey struct {
	workspace int64
	channel   string
}

type channelSettings = bot.ChannelSettings

// Channel reads a channel's settings; a channel never configured has the zero
// settings. Cached: see SettingsTTL.
func (s *Store) Channel(ctx context.Context, workspaceID int64, channelID string) (bot.ChannelSettings, error) {
	return s.cache.channels.read(channelKey{workspaceID, channelID}, func() (bot.ChannelSettings, error) {
		return s.readChannel(ctx, workspaceID, channelID)
	})
}

func (s *Store) readChannel(ctx context.Context, workspaceID int64, channelID string) (bot.ChannelSettings, error) {
	var c bot.ChannelSettings
	err := s.db.QueryRowxContext(ctx, `
		SELECT ch.intake, ch.client_id, coalesce(cl.code, '')
		FROM channels ch LEFT JOIN clients cl ON cl.id = ch.client_id
		WHERE ch.workspace_id = $1 AND ch.channel_id = $2`, workspaceID, channelID).
		Scan(&c.Intake, &c.ClientID, &c.ClientCode)
	if errors.Is(err, sql.ErrNoRows) {
		return bot.ChannelSettings{}, nil
	}
	return c, mapErr(err, "channel settings")
}

// SetIntake turns intake on or off for a channel.
func (s *Store) SetIntake(ctx context.Context, workspaceID int64, channelID string, on bool, by int64) error {
	return s.SetIntakeOnce(ctx, workspaceID, channelID, on, by, "")
}

// workspaceItself is applyOnce's wsQuery when the id is the workspace's own.
const workspaceItself = `SELECT id FROM workspaces WHERE id = $1`

// SetIntakeOnce is SetIntake made by the delivery key (bot.Event.SourceID,
// "" for none): the same delivery handled again changes nothing and is
// bot.ErrReplayed, so it cannot undo a later /mspbot intake.
func (s *Store) SetIntakeOnce(ctx context.Context, workspaceID int64, channelID string, on bool, by int64, key string) error {
	err := s.applyOnce(ctx, workspaceItself, workspaceID, key, func(q sqlx.ExtContext) error {
		_, err := q.ExecContext(ctx, `
			INSERT INTO channels (workspace_id, channel_id, intake, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (workspace_id, channel_id) DO UPDATE
			SET intake = EXCLUDED.intake, updated_by = EXCLUDED.updated_by, updated_at = now()`,
			workspaceID, channelID, on, by)
		return mapErr(err, "set intake")
	})
	s.cache.channels.invalidate(channelKey{workspaceID, channelID})
	return err
}

// LinkClient links a channel to a client (creating the client if new), or
// unlinks it when clientCode is empty.
func (s *Store) LinkClient(ctx context.Context, workspaceID int64, channelID, clientCode string, by int64) (bot.ChannelSettings, error) {
	return s.LinkClientOnce(ctx, workspaceID, channelID, clientCode, by, "")
}

// LinkClientOnce is LinkClient made by the delivery key: the same delivery
// handled again changes nothing and is bot.ErrReplayed (with the zero
// settings), so it cannot undo a later link or unlink.
func (s *Store) LinkClientOnce(ctx context.Context, workspaceID int64, channelID, clientCode string, by int64, key string) (bot.ChannelSettings, error) {
	var out bot.ChannelSettings
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if fresh, err := applyDelivery(ctx, tx, workspaceID, key); err != nil {
			return err
		} else if !fresh {
			return bot.ErrReplayed
		}
		var clientID *int64
		if clientCode != "" {
			c, err := ensureClient(ctx, tx, workspaceID, clientCode)
			if err != nil {
				return err
			}
			clientID, out.ClientCode = &c.ID, c.Code
		}
		out.ClientID = clientID
		return mapErr(tx.QueryRowxContext(ctx, `
			INSERT INTO channels (workspace_id, channel_id, client_id, updated_by) VALUES ($1, $2, $3, $4)
			ON CONFLICT (workspace_id, channel_id) DO UPDATE
			SET client_id = EXCLUDED.client_id, updated_by = EXCLUDED.updated_by, updated_at = now()
			RETURNING intake`, workspaceID, channelID, clientID, by).Scan(&out.Intake), "link client")
	})
	s.cache.channels.invalidate(channelKey{workspaceID, channelID})
	return out, err
}
