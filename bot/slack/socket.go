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
	var kind, team, id string
	payload := []byte(req.Payload)
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		if req.RetryAttempt > 0 {
			a.log.Info("slack retry delivery", "attempt", req.RetryAttempt, "reason", req.RetryReason)
		}
		var probe struct {
			TeamID  string `json:"team_id"`
			EventID string `json:"event_id"`
		}
		_ = json.Unmarshal(payload, &probe)
		kind, team, id = kindEvent, probe.TeamID, probe.EventID
	case socketmode.EventTypeSlashCommand:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(payload, &cmd); err != nil {
			a.log.Warn("socket mode: unreadable slash command", "err", err)
			_ = sm.Ack(req)
			return
		}
		kind, team, id = kindSlash, cmd.TeamID, cmd.TriggerID
	case socketmode.EventTypeInteractive:
		kind, team = kindInteraction, interactionTeam(payload)
	default:
		return
	}
	if team == "" {
		// Malformed: it would be refused over HTTP with 400. Acknowledge it so
		// it is not redelivered, and store nothing.
		a.log.Warn("socket mode: envelope without a team refused", "type", evt.Type)
		_ = sm.Ack(req)
		return
	}
	// Each envelope is stored and acknowledged on its own goroutine so a slow
	// one never holds up the acks of the others; the ack follows the store.
	a.background("socket envelope", func(ctx context.Context) {
		out := a.keep(ctx, kind, inboxKey(kind, team, id, payload), payload)
		var err error
		switch {
		case !out.Stored() && kind == kindSlash:
			err = sm.Ack(req, slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: busyText})
		case !out.Stored():
			// No ack: Slack delivers the envelope again.
			a.log.Warn("socket mode: envelope not stored; not acknowledged", "kind", kind, "busy", out.Busy, "err", out.Err)
			return
		default:
			res, _ := out.Reply.(result)
			if out.Replied && res.ack != nil {
				err = sm.Ack(req, res.ack)
			} else {
				err = sm.Ack(req)
			}
			if out.Replied {
				defer a.reserveAfter(res)()
			}
		}
		if err != nil {
			a.log.Error("socket mode: ack failed", "envelope", req.EnvelopeID, "err", err)
		}
	})
}

// slogWriter sends slack-go's own log lines to our logger at debug level.
type slogWriter struct{ a *Adapter }

func (w slogWriter) Write(p []byte) (int, error) {
	w.a.log.Debug("slack-go", "msg", string(p))
	return len(p), nil
}
