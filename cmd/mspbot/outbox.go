package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/jobs"
	"github.com/mspbot/mspbot/storage"
)

// outbox makes the posts that follow an ack durable: the adapters queue them
// as "deliver" jobs in Postgres before they acknowledge, and this River client
// (working only the outbox queue) posts them through the adapters' Senders,
// retrying with backoff, whichever instance is up.
type outbox struct {
	senders bot.Senders
	client  *jobs.Client
	queue   *jobs.Outbox
}

func newOutbox(store *storage.Store, log *slog.Logger) (*outbox, error) {
	senders := bot.Senders{}
	w := &jobs.DeliverWorker{Senders: senders, Store: store, Log: log.With("worker", "deliver")}
	client, err := jobs.NewDeliverer(store.DB(), w, log.With("component", "outbox"), jobs.Options{})
	if err != nil {
		return nil, err
	}
	return &outbox{senders: senders, client: client, queue: jobs.NewOutbox(client, log)}, nil
}

// adapter returns what an adapter's Config needs to queue its posts and to
// queue again the post of a request whose event is redelivered.
func (o *outbox) adapter() (bot.Outbox, func(bot.Request) bot.Message) {
	return o.queue, commands.OpenedMessage
}

// add registers a platform's Sender; call it before start.
func (o *outbox) add(p bot.Platform, s bot.Sender) { o.senders[p] = s }

// start works the queue when some platform is running and returns the stop.
func (o *outbox) start(ctx context.Context, log *slog.Logger) (func(), error) {
	if len(o.senders) == 0 {
		return func() {}, nil
	}
	if err := o.client.Start(ctx); err != nil {
		return nil, err
	}
	log.Info("outbox started: posts after an ack are queued in Postgres and retried until delivered")
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := o.client.Stop(sctx); err != nil {
			log.Warn("outbox stop", "err", err)
		}
	}, nil
}
