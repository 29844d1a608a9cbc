package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// No silent failures: when a public post is refused for good (the bot is not
// in the channel, the channel was archived, …) and no response_url can carry
// it, the person who caused it gets it in a direct message with what went
// wrong and how to fix it.

// refusalHints say what to do about Slack's permanent refusals to post.
var refusalHints = map[string]string{
	"not_in_channel":    "invite me there with /invite @mspbot",
	"channel_not_found": "the channel is private and I am not in it: invite me with /invite @mspbot",
	"is_archived":       "the channel is archived",
	"restricted_action": "a workspace setting stops apps posting there",
	"missing_scope":     "the app lacks a scope: reinstall it from manifest.yaml",
}

// refusalNote is the first line of a fallback: where the post was refused and why.
func refusalNote(channel string, err error) bot.Message {
	code := err.Error()
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		code = se.Err
	}
	text := fmt.Sprintf("I could not post this in <#%s> (%s), so here it is privately.", channel, code)
	if hint, ok := refusalHints[code]; ok {
		text = fmt.Sprintf("I could not post this in <#%s> (%s): %s. Here it is privately.", channel, code, hint)
	}
	return bot.Message{Text: text}
}

// refused reports whether a failed post was refused for good (not_in_channel
// and the like) rather than lost to a transient failure that retrying (or the
// outbox) may still cure.
func refused(err error) bool {
	if de, ok := bot.AsDeliveryError(err); ok {
		return de.Permanent
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	_, retry := transient(err, 0)
	return !retry
}

// tellInstead sends msgs to user's direct messages after channel refused them,
// prefixed with why. It reports whether they arrived.
func (a *Adapter) tellInstead(ctx context.Context, user, channel string, refusal error, msgs []bot.Message) bool {
	if user == "" || !refused(refusal) {
		return false
	}
	dm, err := a.directChannel(ctx, user)
	if err == nil && dm != channel {
		note := refusalNote(channel, refusal)
		if _, err = a.postMessage(ctx, dm, "", note); err == nil {
			for _, m := range msgs {
				m.Channel, m.Thread = "", ""
				if _, _, err = a.post(ctx, bot.Destination{Platform: bot.PlatformSlack, UserID: user}, dm, "", m); err != nil {
					break
				}
			}
		}
	}
	if err != nil || dm == channel {
		a.log.Error("post refused and the person could not be told either", "user", user, "channel", channel,
			"refusal", refusal, "err", err)
		return false
	}
	a.log.Warn("post refused; told the person privately instead", "user", user, "channel", channel, "refusal", refusal)
	return true
}
