package slack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/storage"
)

// Every payload Slack sends, over HTTP or Socket Mode, is stored in the inbox
// (bot/intake) before it is acknowledged, and handled from there:
//
//	verify → store (group commit) → ack → handle → mark done
//
// When a worker is idle the handler waits for it (up to AckBudget) so the
// reply still rides in the ack; when all are busy the ack goes out as soon as
// the payload is stored and the reply follows through response_url. A crash
// at any point after the store leaves the row pending: the next start handles
// it again, idempotently (requests and comments by source id, posts by key).

// Inbox kinds: what a row's payload is.
const (
	kindSlash       = "slash"       // a slack.SlashCommand as JSON
	kindEvent       = "event"       // an Events API envelope
	kindInteraction = "interaction" // an interactivity payload
)

// busyText answers a slash command refused under overload; Slack never
// retries a slash command, so the person is asked to.
const busyText = "I'm swamped right now and did not take that — please try again in a moment."

// errRetry makes the inbox try a row again later (Slack or Postgres failed).
var errRetry = errors.New("slack: handling failed; will retry")

// inboxKey names a delivery uniquely: Slack's own ids where it has them (a
// retried event keeps its event_id), else a digest of the verified payload.
func inboxKey(kind, team, id string, payload []byte) string {
	if id == "" {
		sum := sha256.Sum256(payload)
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	return kind + ":" + team + ":" + id
}

// store hands a verified payload to the inbox and waits for the outcome.
// A modal's submission is the one answer that cannot follow later: its
// validation errors only reach the person inside the ack, so it always waits
// for its reply (within the ack budget), however busy the intake is.
func (a *Adapter) keep(ctx context.Context, kind, key string, payload []byte) intake.Outcome {
	item := storage.InboxItem{Platform: string(bot.PlatformSlack), Kind: kind, Key: key, Payload: payload}
	if kind == kindInteraction && isViewSubmission(payload) {
		return a.inbox.SubmitForReply(ctx, item, a.cfg.AckBudget)
	}
	return a.inbox.Submit(ctx, item, a.cfg.AckBudget)
}

func isViewSubmission(payload []byte) bool {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(payload, &p)
	return p.Type == string(slack.InteractionTypeViewSubmission)
}

// answer turns an inbox outcome into the HTTP acknowledgement. refuse is the
// status for a delivery that was not stored: 503 makes Slack retry an event;
// a slash command, never retried, gets a polite ephemeral "try again" instead.
func (a *Adapter) answer(w http.ResponseWriter, kind string, out intake.Outcome) {
	if !out.Stored() {
		if out.Err != nil {
			a.log.Error("slack delivery not stored; refused", "kind", kind, "err", out.Err)
		}
		if kind == kindSlash {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: busyText})
			return
		}
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy, retry", http.StatusServiceUnavailable)
		return
	}
	if r, ok := out.Reply.(result); ok && out.Replied {
		a.write(w, r)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handleInbox does one stored payload's work (a worker of bot/intake).
func (a *Adapter) handleInbox(ctx context.Context, row storage.InboxRow, offer func(any) bool) error {
	var r result
	switch row.Kind {
	case kindSlash:
		var c slack.SlashCommand
		if err := json.Unmarshal(row.Payload, &c); err != nil {
			a.log.Error("inbox: unreadable slash command; dropped", "id", row.ID, "err", err)
			return nil
		}
		r = a.slash(ctx, c)
	case kindEvent:
		r = a.events(ctx, row.Payload)
	case kindInteraction:
		r = a.interaction(ctx, row.Payload)
	default:
		a.log.Error("inbox: unknown kind; dropped", "id", row.ID, "kind", row.Kind)
		return nil
	}
	if r.status >= 500 {
		return errRetry
	}
	if r.status != 0 && r.status != http.StatusOK {
		return nil // unreadable: nothing to do, ever
	}
	// The work after the ack (updating the clicked message in place, posts
	// without an outbox, private replies) is done here, before the row is
	// marked done, never in process after it: a crash on the way leaves the
	// row to be handled again, repeating that work (an update is the same
	// update; posts are keyed in the outbox) rather than losing it.
	after := r.after
	r.after = nil
	if !offer(r) && r.late != nil {
		// The ack went out without the reply: deliver it now, likewise.
		r.late(ctx)
	}
	if after != nil {
		after(ctx)
	}
	return nil
}
