package commands

import (
	"context"

	"github.com/mspbot/mspbot/bot"
)

// A delivery can be handled twice: its inbox row handled again after the bot
// died between the change's commit and the row's done-mark, or a click Slack
// or Discord sent again. A state-changing command stores, in the change's own
// transaction, that its delivery (bot.Event.SourceID) made it; handled again
// it changes nothing (storage answers bot.ErrReplayed) and the command answers
// what it answered the first time, never "already closed" or "already a
// project". Messages it sends besides the reply are keyed by the same id in
// the outbox (requester.go), so they are not sent twice either.

// replayedDelivery reports whether ev's delivery made its change before.
func replayedDelivery(ctx context.Context, d Deps, ev bot.Event) (bool, error) {
	if ev.SourceID == "" {
		return false, nil
	}
	return d.Store.DeliveryApplied(ctx, ev.Caller.WorkspaceID, ev.SourceID)
}

// kindBefore is the kind r had before by reclassified it to kind for reason:
// the classification event that change recorded says, so a replayed
// /reclassify answers "was support" as the first handling did.
func kindBefore(ctx context.Context, d Deps, r bot.Request, by int64, kind, reason, fallback string) string {
	hist, err := d.Store.ClassificationHistory(ctx, r.ID)
	if err != nil {
		return fallback
	}
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		if h.ActorID != nil && *h.ActorID == by && h.ToKind == kind && h.Reason == reason {
			return h.FromKind
		}
	}
	return fallback
}
