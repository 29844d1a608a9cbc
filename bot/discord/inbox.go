package discord

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/storage"
)

// With Config.Inbox set, gateway messages and reactions are stored in the
// inbox (bot/intake) before they are handled, and handled from there: a
// MESSAGE_CREATE the process received and then died on is handled after the
// restart (a new gateway session does not replay it), and one replayed after
// a resume is recognised by its id and not stored twice.

// errGatewayRetry makes the inbox try a gateway row again later.
var errGatewayRetry = errors.New("discord: gateway event failed; will retry")

// inboxKey names a gateway dispatch; "" when it carries no id to name it by.
func inboxKey(typ string, raw json.RawMessage) string {
	var ids struct {
		ID        string `json:"id"`
		MessageID string `json:"message_id"`
		UserID    string `json:"user_id"`
		Emoji     struct {
			ID   *string `json:"id"`
			Name string  `json:"name"`
		} `json:"emoji"`
	}
	if json.Unmarshal(raw, &ids) != nil {
		return ""
	}
	switch typ {
	case "MESSAGE_CREATE":
		if ids.ID != "" {
			return typ + ":" + ids.ID
		}
	case "MESSAGE_REACTION_ADD":
		if ids.MessageID != "" && ids.UserID != "" {
			emoji := ids.Emoji.Name
			if ids.Emoji.ID != nil {
				emoji = *ids.Emoji.ID
			}
			return typ + ":" + ids.MessageID + ":" + ids.UserID + ":" + emoji
		}
	}
	return ""
}

// keepGateway stores a gateway dispatch in the inbox, waiting (up to the
// budget, when the bot is quiet) for a worker to handle it. It reports false
// when the dispatch could not be stored and must be handled in process.
func (a *Adapter) keepGateway(ctx context.Context, typ string, raw json.RawMessage) bool {
	key := inboxKey(typ, raw)
	if key == "" {
		return false
	}
	out := a.inbox.Submit(ctx, storage.InboxItem{Platform: string(bot.PlatformDiscord), Kind: typ, Key: key,
		Payload: raw}, a.cfg.Budget)
	if !out.Stored() {
		// No platform retries a gateway event: handling it now beats dropping it.
		a.log.Warn("gateway event not stored; handling it in process", "type", typ, "busy", out.Busy, "err", out.Err)
		return false
	}
	return true
}

// handleInbox handles one stored gateway dispatch (a worker of bot/intake).
func (a *Adapter) handleInbox(ctx context.Context, row storage.InboxRow, _ func(any) bool) error {
	var err error
	switch row.Kind {
	case "MESSAGE_CREATE":
		var m Message
		if err = json.Unmarshal(row.Payload, &m); err == nil {
			err = a.onMessage(ctx, &m)
		} else {
			a.log.Error("inbox: unreadable message; dropped", "id", row.ID, "err", err)
			return nil
		}
	case "MESSAGE_REACTION_ADD":
		var r Reaction
		if err = json.Unmarshal(row.Payload, &r); err == nil {
			err = a.onReaction(ctx, &r)
		} else {
			a.log.Error("inbox: unreadable reaction; dropped", "id", row.ID, "err", err)
			return nil
		}
	default:
		a.log.Error("inbox: unknown kind; dropped", "id", row.ID, "kind", row.Kind)
		return nil
	}
	if err != nil {
		a.log.Warn("gateway event failed; will retry", "kind", row.Kind, "err", err)
		return errGatewayRetry
	}
	return nil
}

// startInbox runs the inbox workers when the adapter has one.
func (a *Adapter) startInbox() {
	if a.cfg.Inbox == nil {
		return
	}
	opts := a.cfg.Intake
	if opts.Log == nil {
		opts.Log = a.log.With("part", "inbox")
	}
	a.inbox = intake.New(a.cfg.Inbox, a.handleInbox, opts)
	a.inbox.Start()
}
