package main

import (
	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
)

// outbox is what the adapters need to make the posts that follow an ack durable:
// they queue them as "deliver" jobs in Postgres before they acknowledge, and the
// jobs client (see jobs.go) posts them through the adapters' Senders, retrying
// with backoff, whichever instance is up.
type outbox struct {
	senders bot.Senders
	queue   *jobs.Outbox
}

// adapter returns what an adapter's Config needs to queue its posts and to
// queue again the post of a request whose event is redelivered.
func (o *outbox) adapter() (bot.Outbox, func(bot.Request) bot.Message) {
	return o.queue, commands.OpenedMessage
}

// add registers a platform's Sender (for the outbox and for scheduled jobs);
// call it before the jobs client starts.
func (o *outbox) add(p bot.Platform, s bot.Sender) { o.senders[p] = s }
