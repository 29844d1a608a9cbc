package slack

import (
	"context"

	"github.com/mspbot/mspbot/bot"
)

// With Config.Outbox set, public posts that follow an ack are queued as jobs
// before the ack goes out (persist → enqueue → ack) and posted by the outbox
// worker through Send, which River retries with backoff until it goes through.
// Without one they are posted in process after the ack (postPublic).

// publish arranges for public messages to be posted and returns the work left
// for after the ack: nothing when all of them were queued; otherwise posting
// in process what could not be queued.
func (a *Adapter) publish(ctx context.Context, o origin, public []bot.Message) func(ctx context.Context) {
	if len(public) == 0 {
		return nil
	}
	if a.cfg.Outbox != nil {
		public = a.enqueue(ctx, o, public)
		if len(public) == 0 {
			return nil
		}
	}
	return func(ctx context.Context) { a.postPublic(ctx, o, public) }
}

// enqueue queues each message as postPublic would post it: into the request's
// thread when it has one, else where the event came from, the post then
// becoming the request's thread. It returns the messages it could not queue.
func (a *Adapter) enqueue(ctx context.Context, o origin, msgs []bot.Message) (failed []bot.Message) {
	for i, m := range msgs {
		d := bot.Delivery{
			Key: bot.DeliveryKey(bot.PlatformSlack, o.ev.Workspace, o.ev.SourceID, i),
			To: bot.Destination{Platform: bot.PlatformSlack, Workspace: o.ev.Workspace,
				Channel: o.ev.Channel, Thread: o.ev.Thread, ReplyURL: o.responseURL, NotifyUser: o.ev.User.ID},
		}
		if m.Channel != "" {
			d.To.Channel, d.To.Thread = m.Channel, m.Thread
		}
		switch {
		case m.Opened && m.Channel == "":
			// Opened by this event where it came from: the request has the
			// event's thread, or none yet and follows this post's.
			if o.ev.Thread == "" {
				if ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, o.ev.Workspace); err == nil {
					d.WorkspaceID, d.RequestNumber = ws, m.RequestNumber
				} else {
					a.log.Warn("workspace for post not found", "request", m.RequestNumber, "err", err)
				}
			}
		case m.RequestNumber != 0:
			ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, o.ev.Workspace)
			if err == nil {
				var r bot.Request
				if r, err = a.store.RequestByNumber(ctx, ws, m.RequestNumber); err == nil {
					if r.Thread != "" && r.Channel != "" {
						d.To.Channel, d.To.Thread = r.Channel, r.Thread
					}
					if r.Thread == "" {
						d.WorkspaceID, d.RequestNumber = ws, r.Number
					}
				}
			}
			if err != nil {
				a.log.Warn("request for post not found", "request", m.RequestNumber, "err", err)
			}
		}
		m.Channel, m.Thread = "", "" // resolved into d.To
		d.Messages = []bot.Message{m}
		if err := a.cfg.Outbox.Enqueue(ctx, d); err != nil {
			a.log.Error("cannot queue post; posting in process", "key", d.Key, "err", err)
			failed = append(failed, msgs[i])
		}
	}
	return failed
}

// replay closes the crash window of a redelivered event. The request it opens
// already exists (the command said nothing), but if the process died after
// storing it and before its post was queued, nothing would ever post it. So
// when that request has never been posted — it follows no thread it was not
// opened in — its announcement is queued again under the same key as the
// first post: a post already queued, running, retrying or delivered is not
// queued twice.
func (a *Adapter) replay(ctx context.Context, o origin) {
	if a.cfg.Outbox == nil || a.cfg.Announce == nil || o.ev.SourceID == "" || o.ev.Command != "request" {
		return
	}
	ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, o.ev.Workspace)
	if err != nil {
		return
	}
	r, err := a.store.RequestBySource(ctx, ws, bot.PlatformSlack, o.ev.SourceID)
	if err != nil {
		if bot.ErrorCode(err) != bot.ENotFound {
			a.log.Warn("redelivery: request lookup failed", "source", o.ev.SourceID, "err", err)
		}
		return
	}
	if o.ev.Thread == "" && r.Thread != "" {
		return // its post went out: the request follows it
	}
	if len(a.enqueue(ctx, o, []bot.Message{a.cfg.Announce(r)})) == 0 {
		a.log.Info("redelivery: request post queued again (a duplicate is skipped by its key)", "request", r.Number, "source", o.ev.SourceID)
	}
}
