package slack

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// Send implements bot.Sender for posts the bot starts (weekly updates, nudges,
// digests): into a channel (and thread), or, with only UserID set, into that
// person's direct messages. Ephemeral messages need a person: they go to UserID
// in the channel. It returns the ts of the last message posted. When posting
// is refused and to.ReplyURL is set, the message goes there instead. A
// message's attachments are uploaded after it, into the same channel and
// thread (see files.go).
func (a *Adapter) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	channel := to.Channel
	if channel == "" {
		if to.UserID == "" {
			return "", bot.Errorf(bot.EInvalid, "a Slack destination needs a channel or a user")
		}
		dm, err := a.directChannel(ctx, to.UserID)
		if err != nil {
			return "", err
		}
		channel = dm
	}
	msgs = a.spell(msgs)
	var last string
	for i, m := range msgs {
		if m.Ephemeral && to.UserID != "" && to.Channel != "" {
			if err := a.postEphemeral(ctx, channel, to.Thread, to.UserID, []bot.Message{m}); err != nil {
				return last, err
			}
			continue
		}
		thread := bot.FirstNonEmpty(m.Thread, to.Thread)
		key, again := messageKey(ctx, i, len(msgs)) // once.go
		if key != "" && again {
			ts, found, err := a.postedBefore(ctx, channel, thread, key)
			if err != nil {
				return last, err
			}
			if found {
				a.log.Info("posted by an earlier attempt; not posting again", "key", key, "channel", channel, "ts", ts)
				last = ts
				continue
			}
		}
		ts, postErr, err := a.post(withPostKey(ctx, key), to, channel, thread, m)
		if err != nil && !postErr {
			// Only files, and the caller retries: nothing went out yet.
			return last, err
		}
		if err != nil {
			de, retried := bot.AsDeliveryError(err)
			if retried && !de.Permanent {
				return last, err
			}
			// Not in the channel, say: the response_url still reaches it;
			// failing that, whoever caused the post is told privately.
			if to.ReplyURL != "" && a.respond(ctx, to.ReplyURL, slack.ResponseTypeInChannel, []bot.Message{m}) == nil {
				continue
			}
			if !a.tellInstead(ctx, to.NotifyUser, channel, err, []bot.Message{m}) {
				return last, err
			}
			continue
		}
		if ts != "" {
			last = ts
		}
	}
	return last, nil
}

var _ bot.Sender = (*Adapter)(nil)

// spell writes the commands named in what the bot sends on its own (digests,
// nudges, direct messages) the way Slack takes them, /mspbot <command>, as
// the Router does for replies (bot.SpellCommands).
func (a *Adapter) spell(msgs []bot.Message) []bot.Message {
	l, ok := a.router.(interface {
		Lookup(name string) (bot.Command, bool)
	})
	if !ok {
		return msgs
	}
	return bot.SpellMessages(bot.PlatformSlack, msgs, func(name string) bool { _, ok := l.Lookup(name); return ok })
}
