package discord

import (
	"context"

	"github.com/mspbot/mspbot/bot"
)

// With Config.Outbox set, the replies to gateway events are queued as jobs and
// posted by the outbox worker through Send (River retries them with backoff
// until they go through); without one they are posted in process (post).
// Interaction responses are not queued: the first is the HTTP answer itself,
// and follow-ups go through the interaction's webhook, valid for 15 minutes.

// enqueue queues each message as post would send it: public ones as replies in
// the channel (an opened request then gets its thread), private ones by direct
// message. It returns the messages it could not queue.
func (a *Adapter) enqueue(ctx context.Context, ev bot.Event, channelID, replyTo string, msgs []bot.Message) (failed []bot.Message) {
	for i, m := range msgs {
		d := bot.Delivery{
			Key: bot.DeliveryKey(bot.PlatformDiscord, ev.Workspace, ev.SourceID, i),
			To: bot.Destination{Platform: bot.PlatformDiscord, Workspace: ev.Workspace, Channel: channelID, ReplyTo: replyTo,
				NotifyUser: ev.User.ID},
			Messages: []bot.Message{m},
		}
		if m.Ephemeral {
			d.To = bot.Destination{Platform: bot.PlatformDiscord, Workspace: ev.Workspace, UserID: ev.User.ID}
		} else if m.RequestNumber != 0 && isOpening(ev) && a.cfg.BotToken != "" {
			if _, ws, err := a.workspace(ctx, ev.Workspace); err == nil {
				if r, err := a.cfg.Store.RequestByNumber(ctx, ws, m.RequestNumber); err == nil && r.Thread == "" {
					d.WorkspaceID, d.RequestNumber = ws, r.Number
				}
			}
		}
		if err := a.cfg.Outbox.Enqueue(ctx, d); err != nil {
			a.log.Error("cannot queue post; posting in process", "key", d.Key, "err", err)
			failed = append(failed, m)
		}
	}
	return failed
}

// replay closes the crash window of a replayed event (a MESSAGE_CREATE after a
// resume, say). The request it opens already exists, so the command said
// nothing; but if the process died after storing it and before its post was
// queued, nothing would ever post it. When the request follows no thread yet,
// its announcement is queued again under the first post's key: a post already
// queued, running, retrying or delivered is not queued twice.
func (a *Adapter) replay(ctx context.Context, ev bot.Event, channelID, replyTo string) {
	if a.cfg.Outbox == nil || a.cfg.Announce == nil || ev.SourceID == "" || !isOpening(ev) {
		return
	}
	_, ws, err := a.workspace(ctx, ev.Workspace)
	if err != nil {
		return
	}
	r, err := a.cfg.Store.RequestBySource(ctx, ws, bot.PlatformDiscord, ev.SourceID)
	if err != nil || r.Thread != "" {
		return
	}
	m := a.cfg.Announce(r)
	a.learnTemplates(ctx, []bot.Message{m})
	if len(a.enqueue(ctx, ev, channelID, replyTo, []bot.Message{m})) == 0 {
		a.log.Info("replayed event: request post queued again (a duplicate is skipped by its key)", "request", r.Number, "source", ev.SourceID)
	}
}
