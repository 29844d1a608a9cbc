package slack

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// origin is where a set of replies goes back to.
type origin struct {
	ev          bot.Event
	responseURL string // slash commands and interactions carry one
}

// retry runs call until it succeeds. A 429 waits exactly the Retry-After Slack
// asked for; other transient failures (5xx, network, Slack's internal errors)
// back off exponentially from RetryBase. Permanent errors (channel_not_found,
// not_in_channel, invalid_auth, …) return at once. Retries are in process: a
// post still pending when the bot stops is lost (the request itself is kept),
// which is why posts after an ack go through the outbox when there is one.
// Under bot.CallerRetries (the outbox worker) call runs once and a failure
// comes back as a *bot.DeliveryError: the worker schedules the retry.
func (a *Adapter) retry(ctx context.Context, what string, call func(ctx context.Context) error) error {
	if bot.RetriedByCaller(ctx) {
		err := call(ctx)
		if err == nil {
			return nil
		}
		de := &bot.DeliveryError{Err: err}
		var rl *slack.RateLimitedError
		if ctx.Err() != nil {
			// Shutting down: neither permanent nor rate limited.
		} else if errors.As(err, &rl) {
			de.RetryAfter = max(rl.RetryAfter, time.Second)
		} else if _, ok := transient(err, 0); !ok {
			de.Permanent = true
		}
		a.log.Warn("slack call failed", "call", what, "err", err, "permanent", de.Permanent, "retry_after", de.RetryAfter)
		return de
	}
	backoff := a.cfg.RetryBase
	for attempt := 1; ; attempt++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		wait, ok := transient(err, backoff)
		if !ok || attempt >= a.cfg.PostAttempts {
			a.log.Error("slack call failed", "call", what, "attempt", attempt, "err", err)
			return err
		}
		a.log.Warn("slack call will be retried", "call", what, "attempt", attempt, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		if backoff < time.Minute {
			backoff *= 2
		}
	}
}

// transient reports whether err is worth retrying and how long to wait first.
func transient(err error, backoff time.Duration) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		if rl.RetryAfter <= 0 {
			return time.Second, true
		}
		return rl.RetryAfter, true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return backoff, sc.Code >= 500 || sc.Code == 408
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return backoff, true
		}
		return 0, false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return backoff, true
	}
	return 0, false
}

// postMessage posts m into channel (in thread when set) and returns its ts.
func (a *Adapter) postMessage(ctx context.Context, channel, thread string, m bot.Message) (string, error) {
	opts := msgOptions(m)
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if key := postKey(ctx); key != "" {
		opts = append(opts, deliveryMetadata(key)) // once.go
	}
	var ts string
	err := a.retry(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

func (a *Adapter) updateMessage(ctx context.Context, channel, ts string, m bot.Message) error {
	return a.retry(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, updateOptions(m)...)
		return err
	})
}

func (a *Adapter) postEphemeral(ctx context.Context, channel, thread, user string, msgs []bot.Message) error {
	blocks, text := combine(msgs)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return a.retry(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := a.api.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// respond posts to a response_url ("ephemeral" or "in_channel").
func (a *Adapter) respond(ctx context.Context, url, responseType string, msgs []bot.Message) error {
	return a.retry(ctx, "response_url", func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, url, a.cfg.HTTPClient, webhookMessage(responseType, msgs))
	})
}

func webhookMessage(responseType string, msgs []bot.Message) *slack.WebhookMessage {
	blocks, text := combine(msgs)
	return &slack.WebhookMessage{ResponseType: responseType, Text: text, Blocks: &slack.Blocks{BlockSet: blocks}}
}

// directChannel opens (or finds) the bot's DM with a user.
func (a *Adapter) directChannel(ctx context.Context, user string) (string, error) {
	var id string
	err := a.retry(ctx, "conversations.open", func(ctx context.Context) error {
		ch, _, _, err := a.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		if err != nil {
			return err
		}
		if ch == nil || ch.ID == "" {
			// slack-go returns a nil channel, not an error, for an "ok"
			// answer without one; say so instead of crashing the job.
			return bot.Errorf(bot.EInternal, "conversations.open for %s answered without a channel", user)
		}
		id = ch.ID
		return nil
	})
	return id, err
}

// split separates what only the caller should see from what everyone should.
func split(msgs []bot.Message) (private, public []bot.Message) {
	for _, m := range msgs {
		if m.Ephemeral || m.IsError {
			private = append(private, m)
		} else {
			public = append(public, m)
		}
	}
	return private, public
}

// postPublic posts messages everyone sees. A message about a request goes into
// the request's thread; when the request has no thread yet (it was just opened
// by a slash command) the post starts one, and the request follows it.
func (a *Adapter) postPublic(ctx context.Context, o origin, msgs []bot.Message) {
	for _, m := range msgs {
		channel, thread := o.ev.Channel, o.ev.Thread
		if m.Channel != "" {
			channel, thread = m.Channel, m.Thread
		}
		var req *bot.Request
		if m.RequestNumber != 0 {
			if r, err := a.request(ctx, o.ev.Workspace, m.RequestNumber); err == nil {
				req = &r
				if r.Thread != "" && r.Channel != "" {
					channel, thread = r.Channel, r.Thread
				}
			} else {
				a.log.Warn("request for post not found", "request", m.RequestNumber, "err", err)
			}
		}
		ts, _, err := a.post(ctx, bot.Destination{Workspace: o.ev.Workspace}, channel, thread, m)
		if err != nil { // in process, only a refused post is an error
			// Not in the channel, say: the response_url still reaches it;
			// failing that, the person is told privately (fallback.go).
			if o.responseURL == "" || a.respond(ctx, o.responseURL, slack.ResponseTypeInChannel, []bot.Message{m}) != nil {
				a.tellInstead(ctx, o.ev.User.ID, channel, err, []bot.Message{m})
			}
			continue
		}
		if req != nil && req.Thread == "" && (thread != "" || ts != "") {
			follow := thread
			if follow == "" {
				follow = ts
			}
			if err := a.store.SetRequestThread(ctx, req.ID, channel, follow); err != nil {
				a.log.Error("cannot record request thread", "request", req.Number, "err", err)
			}
		}
	}
}

func (a *Adapter) request(ctx context.Context, team string, number int64) (bot.Request, error) {
	ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, team)
	if err != nil {
		return bot.Request{}, err
	}
	return a.store.RequestByNumber(ctx, ws, number)
}

// tellPrivately delivers ephemeral replies after the ack: through the
// response_url when there is one, else chat.postEphemeral in the channel, else
// (no channel: a global shortcut) in a direct message.
func (a *Adapter) tellPrivately(ctx context.Context, o origin, msgs []bot.Message) {
	if len(msgs) == 0 {
		return
	}
	var err error
	switch {
	case o.responseURL != "":
		err = a.respond(ctx, o.responseURL, slack.ResponseTypeEphemeral, msgs)
	case o.ev.Channel != "":
		err = a.postEphemeral(ctx, o.ev.Channel, o.ev.Thread, o.ev.User.ID, msgs)
	default:
		var dm string
		if dm, err = a.directChannel(ctx, o.ev.User.ID); err == nil {
			for _, m := range msgs {
				if _, _, err = a.post(ctx, bot.Destination{Workspace: o.ev.Workspace}, dm, "", m); err != nil {
					break
				}
			}
		}
	}
	if err != nil {
		a.log.Error("private reply not delivered", "user", o.ev.User.ID, "err", err)
	}
}
