package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// An outbox post carries its delivery key in the message's metadata. Slack
// has no idempotency key for chat.postMessage, so when a deliver job runs
// again — its earlier attempt may have posted and died before the post was
// recorded — the destination is searched for a message of the bot's with
// that key first, and a post found there is the delivery, not posted again.
// This closes the one window the outbox's own record leaves open.

// deliveryEvent is the metadata event type of the bot's outbox posts.
const deliveryEvent = "mspbot_delivery"

type postKeyCtx struct{}

// withPostKey marks ctx so postMessage tags the message with key.
func withPostKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, postKeyCtx{}, key)
}

// postKey is the key postMessage tags the message with ("" for none).
func postKey(ctx context.Context) string {
	k, _ := ctx.Value(postKeyCtx{}).(string)
	return k
}

// messageKey is the key of the i-th of n messages of the delivery in ctx.
func messageKey(ctx context.Context, i, n int) (key string, again bool) {
	key, again = bot.DeliveryOf(ctx)
	if key != "" && n > 1 {
		key = fmt.Sprintf("%s#%d", key, i)
	}
	return key, again
}

func deliveryMetadata(key string) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{EventType: deliveryEvent, EventPayload: map[string]any{"key": key}})
}

// postedBefore looks in channel (or the thread) for the bot's message tagged
// key and returns its ts. Slack answers a page at a time, newest first: the
// search pages back until it finds the post, runs out of messages, or passes
// a page whose oldest message is older than the delivery's queueing (less a
// margin for Slack's clock) — no attempt posted before that. Looking at the
// newest hundred only missed a post that a busy channel (a burst's other
// replies) had pushed further back, and the delivery went out twice.
//
// A look that failed for a while (rate limited, Slack down) is an error:
// the caller retries the delivery later rather than post it blind, which
// after a crash with many rescued deliveries in one channel (fifty pages
// each, at most) would post those the limits cut short twice. A look Slack
// refuses for good (no history scope in that conversation) reports nothing
// found: posting again is the old at-least-once, never a lost message.
func (a *Adapter) postedBefore(ctx context.Context, channel, thread, key string) (string, bool, error) {
	since := bot.DeliveryQueued(ctx)
	if !since.IsZero() {
		since = since.Add(-postedBeforeSkew)
	}
	cursor := ""
	for range postedBeforePages {
		var (
			msgs []slack.Message
			more bool
			next string
		)
		err := a.retry(ctx, "conversations.history", func(ctx context.Context) error {
			if thread != "" {
				m, mo, nx, err := a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
					ChannelID: channel, Timestamp: thread, Limit: 200, Cursor: cursor, IncludeAllMetadata: true})
				if err == nil {
					msgs, more, next = m, mo, nx
				}
				return err
			}
			hist, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Limit: 200, Cursor: cursor, IncludeAllMetadata: true})
			if err == nil {
				msgs, more, next = hist.Messages, hist.HasMore, hist.ResponseMetaData.NextCursor
			}
			return err
		})
		if err != nil {
			if de, ok := bot.AsDeliveryError(err); ok && de.Permanent {
				a.log.Warn("cannot look for an earlier post of this delivery; posting it", "key", key, "channel", channel, "err", err)
				return "", false, nil
			}
			return "", false, err
		}
		for _, m := range msgs {
			if m.Metadata.EventType == deliveryEvent && fmt.Sprint(m.Metadata.EventPayload["key"]) == key {
				return m.Timestamp, true, nil
			}
		}
		if !more || next == "" || thread == "" && olderThan(msgs, since) {
			return "", false, nil
		}
		cursor = next
	}
	a.log.Warn("earlier post of this delivery not found in the pages searched; posting it", "key", key, "channel", channel, "pages", postedBeforePages)
	return "", false, nil
}

const (
	// postedBeforeSkew is how far Slack's clock may be behind ours.
	postedBeforeSkew = 5 * time.Minute
	// postedBeforePages bounds the search (200 messages a page).
	postedBeforePages = 50
)

// olderThan reports whether the last (oldest) of a history page's messages
// was posted before t (never, for a zero t).
func olderThan(msgs []slack.Message, t time.Time) bool {
	if t.IsZero() || len(msgs) == 0 {
		return false
	}
	sec, frac, _ := strings.Cut(msgs[len(msgs)-1].Timestamp, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return false
	}
	micros, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, micros*1000).Before(t)
}
