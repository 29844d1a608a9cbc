package slack

import (
	"context"
	"encoding/json"
	"log"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// runSocket is one Socket Mode run (health.go retries it): payloads go
// through the same handlers as HTTP; the ack goes back over the socket
// instead of as the HTTP response.
func (a *Adapter) runSocket(ctx context.Context) error {
	sm := socketmode.New(a.api, socketmode.OptionLog(log.New(slogWriter{a}, "", 0)))
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt, ok := <-sm.Events:
				if !ok {
					return
				}
				a.socketEvent(ctx, sm, evt)
			}
		}
	}()
	return sm.RunContext(ctx)
}

func (a *Adapter) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
		a.log.Debug("socket mode", "state", evt.Type)
		return
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth, socketmode.EventTypeIncomingError:
		a.log.Warn("socket mode", "state", evt.Type, "detail", evt.Data)
		return
	case socketmode.EventTypeDisconnect:
		a.log.Info("socket mode: Slack asked us to reconnect")
		return
	}
	if evt.Request == nil {
		return
	}
	req := *evt.Request
	var handle func(ctx context.Context) result
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		if req.RetryAttempt > 0 {
			a.log.Info("slack retry delivery", "attempt", req.RetryAttempt, "reason", req.RetryReason)
		}
		handle = func(ctx context.Context) result { return a.events(ctx, req.Payload) }
	case socketmode.EventTypeSlashCommand:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(req.Payload, &cmd); err != nil {
			a.log.Warn("socket mode: unreadable slash command", "err", err)
			_ = sm.Ack(req)
			return
		}
		handle = func(ctx context.Context) result { return a.slash(ctx, cmd) }
	case socketmode.EventTypeInteractive:
		handle = func(ctx context.Context) result { return a.interaction(ctx, req.Payload) }
	default:
		return
	}
	// Each envelope is handled on its own goroutine so a slow one never holds
	// up the acks of the others.
	a.background("socket envelope", func(context.Context) {
		res := a.within(handle)
		if res.status >= 500 {
			// No ack: Slack redelivers the envelope, and the released claim lets it through.
			return
		}
		var err error
		if res.ack != nil {
			err = sm.Ack(req, res.ack)
		} else {
			err = sm.Ack(req)
		}
		if err != nil {
			a.log.Error("socket mode: ack failed", "envelope", req.EnvelopeID, "err", err)
		}
		a.reserveAfter(res)()
	})
}

// slogWriter sends slack-go's own log lines to our logger at debug level.
type slogWriter struct{ a *Adapter }

func (w slogWriter) Write(p []byte) (int, error) {
	w.a.log.Debug("slack-go", "msg", string(p))
	return len(p), nil
}
