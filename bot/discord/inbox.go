package discord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/storage"
)

// With Config.Inbox set, interactions (HTTP: interactStored; gateway:
// interactGateway), gateway messages and reactions are stored in the inbox (bot/intake) before they are
// answered or handled, and handled from there: a
// MESSAGE_CREATE the process received and then died on is handled after the
// restart (a new gateway session does not replay it), and one replayed after
// a resume is recognised by its id and not stored twice.

// errGatewayRetry makes the inbox try a gateway row again later.
var errGatewayRetry = errors.New("discord: gateway event failed; will retry")

// inboxKey names a gateway dispatch; "" when it carries no id to name it by.
func inboxKey(typ string, raw json.RawMessage) string {
	var ids struct {
		ID        string `json:"id"`
		MessageID string `json:"message_id"`
		UserID    string `json:"user_id"`
		Emoji     struct {
			ID   *string `json:"id"`
			Name string  `json:"name"`
		} `json:"emoji"`
	}
	if json.Unmarshal(raw, &ids) != nil {
		return ""
	}
	switch typ {
	case "MESSAGE_CREATE":
		if ids.ID != "" {
			return typ + ":" + ids.ID
		}
	case "MESSAGE_REACTION_ADD":
		if ids.MessageID != "" && ids.UserID != "" {
			emoji := ids.Emoji.Name
			if ids.Emoji.ID != nil {
				emoji = *ids.Emoji.ID
			}
			return typ + ":" + ids.MessageID + ":" + ids.UserID + ":" + emoji
		}
	}
	return ""
}

// keepGateway stores a gateway dispatch in the inbox, waiting (up to the
// budget, when the bot is quiet) for a worker to handle it. It reports false
// when the dispatch could not be stored and must be handled in process.
func (a *Adapter) keepGateway(ctx context.Context, typ string, raw json.RawMessage) bool {
	key := inboxKey(typ, raw)
	if key == "" {
		return false
	}
	out := a.inbox.Submit(ctx, storage.InboxItem{Platform: string(bot.PlatformDiscord), Kind: typ, Key: key,
		Payload: raw}, a.cfg.Budget)
	if !out.Stored() {
		// No platform retries a gateway event: handling it now beats dropping it.
		a.log.Warn("gateway event not stored; handling it in process", "type", typ, "busy", out.Busy, "err", out.Err)
		return false
	}
	return true
}

// kindInteraction is an interaction from the HTTP endpoint, stored raw.
const kindInteraction = "interaction"

// callWork is the context key of the WaitGroup that counts one stored
// interaction's follow-ups (see background).
type callWork struct{}

// interactStored stores a signed interaction before answering it. A quiet bot
// answers with the command's own response; otherwise the response is
// deferred at once and the worker edits it when the command is done. Not
// stored (overload, Postgres down): 503, and Discord tells the person it failed.
func (a *Adapter) interactStored(w http.ResponseWriter, r *http.Request, in *Interaction, body []byte) {
	resp, out := a.keepInteraction(r.Context(), in, body)
	if !out.Stored() {
		a.log.Warn("interaction not stored; refused", "busy", out.Busy, "err", out.Err)
		http.Error(w, "busy, try again", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// keepInteraction stores an interaction (the HTTP endpoint's signed body, or
// a gateway INTERACTION_CREATE's data: the same object) in the inbox and
// returns its initial response: the command's own when a worker handled it
// in time, else "deferred" (the worker then edits it). Nothing is answered
// before the row is committed. The response is nil when the outcome is not
// Stored.
func (a *Adapter) keepInteraction(ctx context.Context, in *Interaction, raw []byte) (*discordgo.InteractionResponse, intake.Outcome) {
	// The wait outlasts the adapter's own budget, after which a slow command
	// answers "deferred" itself; Discord allows 3 s.
	wait := min(a.cfg.Budget+500*time.Millisecond, 2800*time.Millisecond)
	item := storage.InboxItem{Platform: string(bot.PlatformDiscord), Kind: kindInteraction,
		Key: kindInteraction + ":" + in.ID, Payload: raw}
	submit := a.inbox.Submit
	if in.Type == interactionComponent {
		// A button may answer with a form, and a modal can only be the
		// initial response, never follow a deferral: wait for the reply
		// (within Discord's 3 s) however busy the intake is.
		submit = a.inbox.SubmitForReply
	}
	out := submit(ctx, item, wait)
	if !out.Stored() {
		return nil, out
	}
	resp, ok := out.Reply.(*discordgo.InteractionResponse)
	if !out.Replied || !ok {
		// Deferred as the command would defer itself: private unless it
		// opens a request (see publicReply).
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{}}
		ev := bot.Event{Command: "request"}
		if in.Type == interactionCommand && in.Command != nil {
			ev.Command = strings.ToLower(in.Command.Name)
			ev.Args, _ = commandLine(in.Command)
		}
		if !publicReply(ev) {
			resp.Data.Flags = flagEphemeral
		}
		if in.Type == interactionComponent {
			resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
		}
	}
	return resp, out
}

// interactGateway answers an INTERACTION_CREATE from the gateway (no
// interactions endpoint URL set) as the HTTP endpoint does: stored first, then
// answered through the interaction's callback within Discord's 3 s — the
// command's own response, or "deferred" and edited by the worker. A crash
// after the store leaves the row for the next process, which edits the
// deferred response. It reports false when the interaction could not be
// stored: the caller then answers it in process rather than not at all (no
// 503 to give: the gateway has no retry).
func (a *Adapter) interactGateway(ctx context.Context, in *Interaction, raw []byte) bool {
	resp, out := a.keepInteraction(ctx, in, raw)
	if !out.Stored() {
		a.log.Warn("gateway interaction not stored; answering it in process", "busy", out.Busy, "err", out.Err)
		return false
	}
	if out.Duplicate {
		return true // the same dispatch again (a resume's replay): answered when first stored
	}
	if err := a.session.InteractionRespond(in.discordgo(), resp, discordgo.WithContext(ctx)); err != nil {
		a.log.Warn("interaction response failed", "interaction", in.ID, "err", err)
	}
	return true
}

// lateResponse delivers an interaction's initial response when the HTTP
// handler already answered "deferred" (it stopped waiting, or the process
// died and this is the next one): a message replaces the deferred one, a
// private one is sent as a private follow-up instead.
func (a *Adapter) lateResponse(ctx context.Context, in *Interaction, resp *discordgo.InteractionResponse) error {
	di := in.discordgo()
	switch resp.Type {
	case discordgo.InteractionResponseDeferredChannelMessageWithSource, discordgo.InteractionResponseDeferredMessageUpdate:
		return nil // what the handler answered already
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseUpdateMessage:
	case discordgo.InteractionResponseModal:
		// Too late to open the form: say so privately instead of nothing.
		a.log.Warn("form could not open after a deferral; told the person", "interaction", in.ID)
		_, err := a.session.FollowupMessageCreate(di, true, &discordgo.WebhookParams{
			Content: "That form took too long to open. Click the button again.", Flags: discordgo.MessageFlagsEphemeral},
			discordgo.WithContext(ctx))
		return err
	default:
		a.log.Warn("interaction response cannot follow a deferral; dropped", "type", resp.Type, "interaction", in.ID)
		return nil
	}
	d := resp.Data
	if d == nil {
		d = &discordgo.InteractionResponseData{}
	}
	if d.Flags&discordgo.MessageFlagsEphemeral != 0 {
		_ = a.session.InteractionResponseDelete(di, discordgo.WithContext(ctx))
		_, err := a.session.FollowupMessageCreate(di, true, &discordgo.WebhookParams{Content: d.Content,
			Embeds: d.Embeds, Components: d.Components, Flags: d.Flags, AllowedMentions: d.AllowedMentions},
			discordgo.WithContext(ctx))
		return err
	}
	_, err := a.session.InteractionResponseEdit(di, &discordgo.WebhookEdit{Content: &d.Content, Embeds: &d.Embeds,
		Components: &d.Components, AllowedMentions: d.AllowedMentions}, discordgo.WithContext(ctx))
	return err
}

// handleInbox handles one stored interaction or gateway dispatch (a worker of bot/intake).
func (a *Adapter) handleInbox(ctx context.Context, row storage.InboxRow, offer func(any) bool) error {
	var err error
	switch row.Kind {
	case kindInteraction:
		in, err := ParseInteraction(row.Payload)
		if err != nil {
			a.log.Error("inbox: unreadable interaction; dropped", "id", row.ID, "err", err)
			return nil
		}
		var call sync.WaitGroup
		ctx := context.WithValue(ctx, callWork{}, &call)
		a.Interact(ctx, in, func(resp *discordgo.InteractionResponse) error {
			if offer(resp) {
				return nil
			}
			return a.lateResponse(ctx, in, resp)
		})
		call.Wait() // follow-ups sent before the row is done
		return nil
	case "MESSAGE_CREATE":
		var m Message
		if err = json.Unmarshal(row.Payload, &m); err == nil {
			err = a.onMessage(ctx, &m)
		} else {
			a.log.Error("inbox: unreadable message; dropped", "id", row.ID, "err", err)
			return nil
		}
	case "MESSAGE_REACTION_ADD":
		var r Reaction
		if err = json.Unmarshal(row.Payload, &r); err == nil {
			err = a.onReaction(ctx, &r)
		} else {
			a.log.Error("inbox: unreadable reaction; dropped", "id", row.ID, "err", err)
			return nil
		}
	default:
		a.log.Error("inbox: unknown kind; dropped", "id", row.ID, "kind", row.Kind)
		return nil
	}
	if err != nil {
		a.log.Warn("gateway event failed; will retry", "kind", row.Kind, "err", err)
		return errGatewayRetry
	}
	return nil
}

// startInbox runs the inbox workers when the adapter has one.
func (a *Adapter) startInbox() {
	if a.cfg.Inbox == nil {
		return
	}
	opts := a.cfg.Intake
	if opts.Log == nil {
		opts.Log = a.log.With("part", "inbox")
	}
	if c, ok := a.cfg.Outbox.(intake.Collector); ok && opts.Posts == nil {
		opts.Posts = c // a run of rows queues its posts in one insert
	}
	a.inbox = intake.New(a.cfg.Inbox, a.handleInbox, opts)
	a.inbox.Start()
}
