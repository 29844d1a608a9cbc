package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// EventDisconnect is the event type HandleEvent gets when the gateway
// connection drops (discordgo's Disconnect; Discord has no dispatch for it).
const EventDisconnect = "DISCONNECT"

// HandleEvent handles one gateway dispatch by its type and raw data. The
// session calls it for every event; tests call it with recorded payloads.
func (a *Adapter) HandleEvent(ctx context.Context, typ string, raw json.RawMessage) {
	var err error
	switch typ {
	case EventDisconnect:
		a.gatewayDown(ctx)
	case "RESUMED":
		a.gatewayUp()
	case "READY":
		a.gatewayUp()
		var r struct {
			User User `json:"user"`
		}
		if err = json.Unmarshal(raw, &r); err == nil {
			a.setBotUser(r.User.ID)
		}
	case "MESSAGE_CREATE", "MESSAGE_REACTION_ADD":
		if a.inbox != nil && a.keepGateway(ctx, typ, raw) {
			return // stored: a worker handles it (see inbox.go)
		}
	}
	switch typ {
	case "MESSAGE_CREATE":
		var m Message
		if err = json.Unmarshal(raw, &m); err == nil {
			err = a.onMessage(ctx, &m)
		}
	case "MESSAGE_REACTION_ADD":
		var r Reaction
		if err = json.Unmarshal(raw, &r); err == nil {
			err = a.onReaction(ctx, &r)
		}
	case "INTERACTION_CREATE":
		// Interactions come here when no interactions endpoint URL is set in the
		// Developer Portal; the reply is a callback POST instead of an HTTP body.
		var in *Interaction
		if in, err = ParseInteraction(raw); err == nil {
			if a.inbox != nil && a.interactGateway(ctx, in, raw) {
				return // stored, answered; a worker handles it (see inbox.go)
			}
			a.Interact(ctx, in, func(resp *discordgo.InteractionResponse) error {
				return a.session.InteractionRespond(in.discordgo(), resp, discordgo.WithContext(ctx))
			})
		}
	}
	if err != nil {
		a.log.Warn("gateway event not handled", "type", typ, "err", err)
	}
}

func (a *Adapter) setBotUser(id string) {
	a.mu.Lock()
	a.botUserID = id
	a.mu.Unlock()
}

func (a *Adapter) botUser() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.botUserID
}

// SetBotUser tells the adapter its own user id (normally from READY).
func (a *Adapter) SetBotUser(id string) { a.setBotUser(id) }

// onMessage turns a guild message into a request (intake channel, or a mention
// of the bot) or, in a request's thread, into a comment. The message id is the
// request's source id, so a MESSAGE_CREATE replayed after a resume opens nothing new.
func (a *Adapter) onMessage(ctx context.Context, m *Message) error {
	if m.Author == nil || m.Author.Bot || m.WebhookID != "" || m.GuildID == "" || (m.Type != 0 && m.Type != 19) {
		return nil // bots (ourselves included), webhooks, DMs, system messages
	}
	if m.Author.ID == a.botUser() {
		return nil
	}
	guild, ws, err := a.workspace(ctx, m.GuildID)
	if err != nil {
		return err
	}
	user := bot.User{ID: m.Author.ID, Name: displayName(m.Author, m.Member), Roles: memberRoles(m.Member)}
	if m.Content == "" {
		a.warnNoContent()
		return nil
	}
	// A reply in a request's thread is a comment on that request.
	if r, err := a.cfg.Store.RequestInThread(ctx, ws, m.ChannelID); err == nil {
		return a.comment(ctx, guild, r, user, m)
	} else if !errors.Is(err, bot.ErrNotFound) {
		return err
	}
	text, mentioned := a.stripMention(m)
	if !mentioned {
		ch, err := a.cfg.Store.Channel(ctx, ws, m.ChannelID)
		if err != nil {
			return err
		}
		if !ch.Intake {
			return nil
		}
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	ev := bot.Event{Platform: bot.PlatformDiscord, Workspace: guild, Channel: m.ChannelID,
		SourceID: m.ID, User: user, Command: "request", Args: text}
	a.post(ctx, ev, m.ChannelID, m.ID, a.cfg.Router.Dispatch(ctx, ev))
	return nil
}

func (a *Adapter) warnNoContent() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.warned {
		a.warned = true
		a.log.Warn("a message arrived without content: switch on the MESSAGE CONTENT intent on the application's Bot page")
	}
}

var mentionRe = regexp.MustCompile(`<@!?(\d+)>`)

// stripMention removes mentions of the bot from the text and reports whether
// there was one.
func (a *Adapter) stripMention(m *Message) (string, bool) {
	me := a.botUser()
	if me == "" {
		return m.Content, false
	}
	mentioned := false
	text := mentionRe.ReplaceAllStringFunc(m.Content, func(s string) string {
		if mentionRe.FindStringSubmatch(s)[1] == me {
			mentioned = true
			return ""
		}
		return s
	})
	return strings.TrimSpace(text), mentioned
}

// comment hands a thread reply to the Router as the internal comment command;
// the Router decides whether its author may comment on that request (a client
// only on their own client's), checks the text, and counts it.
func (a *Adapter) comment(ctx context.Context, guild string, r bot.Request, u bot.User, m *Message) error {
	text := m.Content
	if utf8.RuneCountInString(text) > bot.MaxTextLen-32 {
		text = string([]rune(text)[:bot.MaxTextLen-32])
	}
	origin := bot.Ref{Kind: bot.RefRequest, Number: r.Number}
	_, err := a.cfg.Router.Run(ctx, bot.Event{Platform: bot.PlatformDiscord, Workspace: guild, Channel: r.Channel,
		Thread: m.ChannelID, SourceID: m.ID, User: u, Command: "comment", Args: origin.String() + " " + text, Origin: origin})
	if err != nil && bot.ErrorCode(err) != bot.EInternal {
		return nil // refused: logged and counted by the Router; nothing stored
	}
	return err
}

// onReaction opens a request from a message someone reacted to with the ticket
// emoji. The person who reacted opens it; the message id dedupes it with the
// message itself (an intake message already made into a request stays one).
func (a *Adapter) onReaction(ctx context.Context, r *Reaction) error {
	if r.Emoji.Name != a.cfg.TicketEmoji || r.GuildID == "" || r.UserID == a.botUser() {
		return nil
	}
	if r.Member != nil && r.Member.User != nil && r.Member.User.Bot {
		return nil
	}
	guild, _, err := a.workspace(ctx, r.GuildID)
	if err != nil {
		return err
	}
	msg, err := a.session.ChannelMessage(r.ChannelID, r.MessageID, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("read reacted message: %w", err)
	}
	text := strings.TrimSpace(msg.Content)
	if text == "" {
		return nil
	}
	var u *User
	if r.Member != nil {
		u = r.Member.User
	}
	name := displayName(u, r.Member)
	ev := bot.Event{Platform: bot.PlatformDiscord, Workspace: guild, Channel: r.ChannelID, SourceID: r.MessageID,
		User: bot.User{ID: r.UserID, Name: bot.FirstNonEmpty(name, r.UserID), Roles: memberRoles(r.Member)}, Command: "request", Args: text}
	a.post(ctx, ev, r.ChannelID, r.MessageID, a.cfg.Router.Dispatch(ctx, ev))
	return nil
}

// post answers a gateway event: public messages as replies in the channel (an
// opened request then gets its thread), private ones by direct message.
func (a *Adapter) post(ctx context.Context, ev bot.Event, channelID, replyTo string, msgs []bot.Message) {
	a.learnTemplates(ctx, msgs)
	if len(visible(msgs)) == 0 {
		a.replay(ctx, ev, channelID, replyTo)
		return
	}
	if a.cfg.Outbox != nil {
		msgs = a.enqueue(ctx, ev, channelID, replyTo, visible(msgs))
	}
	for _, m := range visible(msgs) {
		if m.Ephemeral {
			if _, err := a.Send(ctx, bot.Destination{Platform: bot.PlatformDiscord, Workspace: ev.Workspace, UserID: ev.User.ID}, m); err != nil {
				a.log.Warn("direct message failed", "user", ev.User.ID, "err", err)
			}
			continue
		}
		send := render(m).messageSend()
		if replyTo != "" {
			send.Reference = &discordgo.MessageReference{MessageID: replyTo, ChannelID: channelID, GuildID: ev.Workspace}
			f := false
			send.Reference.FailIfNotExists = &f
		}
		posted, err := a.session.ChannelMessageSendComplex(channelID, send, discordgo.WithContext(ctx))
		if err != nil {
			if !a.tellInstead(ctx, ev.Workspace, ev.User.ID, channelID, err, m) { // fallback.go
				a.log.Warn("post failed", "channel", channelID, "err", err)
			}
			continue
		}
		if m.RequestNumber != 0 && isOpening(ev) {
			a.followRequest(ctx, ev, channelID, posted.ID, m)
		}
	}
}

// followRequest starts a thread on the message that announced a request and
// records it, so replies there become comments. It needs a bot token.
func (a *Adapter) followRequest(ctx context.Context, ev bot.Event, channelID, messageID string, m bot.Message) {
	if a.cfg.BotToken == "" || channelID == "" || messageID == "" {
		return
	}
	_, ws, err := a.workspace(ctx, ev.Workspace)
	if err != nil {
		return
	}
	r, err := a.cfg.Store.RequestByNumber(ctx, ws, m.RequestNumber)
	if err != nil || r.Thread != "" {
		return
	}
	thread, err := a.startThread(ctx, channelID, messageID, r)
	if err != nil {
		a.log.Warn("starting the request's thread failed", "request", r.Number, "err", err)
		return
	}
	if err := a.cfg.Store.SetRequestThread(ctx, r.ID, channelID, thread); err != nil {
		a.log.Warn("recording the request's thread failed", "request", r.Number, "err", err)
	}
}

// startThread starts the thread a request follows on the message announcing it.
func (a *Adapter) startThread(ctx context.Context, channelID, messageID string, r bot.Request) (string, error) {
	th, err := a.session.MessageThreadStartComplex(channelID, messageID, &discordgo.ThreadStart{
		Name: clip("#"+strconv.FormatInt(r.Number, 10)+" "+r.Title, 100), AutoArchiveDuration: 10080,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return th.ID, nil
}

// Follow implements bot.Follower for the outbox: the request follows a thread
// started on the message that announced it (with a bot token; without one it
// follows nothing, as when posting in process).
func (a *Adapter) Follow(ctx context.Context, to bot.Destination, messageID string, r bot.Request) (string, string, error) {
	if a.cfg.BotToken == "" || to.Thread != "" {
		return to.Channel, to.Thread, nil
	}
	thread, err := a.startThread(ctx, to.Channel, messageID, r)
	return to.Channel, thread, err
}

var _ bot.Follower = (*Adapter)(nil)

// Send implements bot.Sender: a post in a channel or thread, or a direct message
// when only UserID is set. It returns the id of the last message posted.
func (a *Adapter) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	channel := to.Channel
	if to.Thread != "" {
		channel = to.Thread // a Discord thread is a channel of its own
	}
	if channel == "" {
		if to.UserID == "" {
			return "", bot.Errorf(bot.EInvalid, "a Discord destination needs a channel, a thread or a user")
		}
		dm, err := a.session.UserChannelCreate(to.UserID, discordgo.WithContext(ctx))
		if err != nil {
			err = fmt.Errorf("open direct message with %s: %w", to.UserID, err)
			if bot.RetriedByCaller(ctx) {
				err = deliveryError(ctx, err) // a 4xx is for good: the delivery's fallback, if any
			}
			return "", err
		}
		channel = dm.ID
	}
	a.learnTemplates(ctx, msgs)
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx)}
	if bot.RetriedByCaller(ctx) {
		// The outbox snoozes the job for a 429's retry_after instead of sleeping here.
		opts = append(opts, discordgo.WithRetryOnRatelimit(false))
	}
	last := ""
	shown := visible(msgs)
	for i, m := range shown {
		send := render(m).messageSend()
		if to.ReplyTo != "" && to.Thread == "" {
			f := false
			send.Reference = &discordgo.MessageReference{MessageID: to.ReplyTo, ChannelID: channel,
				GuildID: to.Workspace, FailIfNotExists: &f}
		}
		posted, err := a.sendOnce(channel, send, nonceOf(ctx, i, len(shown)), opts...) // nonce.go
		if err != nil && to.NotifyUser != "" && to.NotifyUser != to.UserID && a.tellInstead(ctx, to.Workspace, to.NotifyUser, channel, err, m) {
			continue // fallback.go: the person who caused it was told privately
		}
		if err != nil {
			err = fmt.Errorf("post to %s: %w", channel, err)
			if bot.RetriedByCaller(ctx) {
				err = deliveryError(ctx, err)
			}
			return last, err
		}
		last = posted.ID
	}
	return last, nil
}

// deliveryError says whether a failed REST call is worth retrying: a 429
// carries its retry_after; other 4xx (but 408) are permanent.
func deliveryError(ctx context.Context, err error) *bot.DeliveryError {
	de := &bot.DeliveryError{Err: err}
	var rl *discordgo.RateLimitError
	var re *discordgo.RESTError
	switch {
	case ctx.Err() != nil:
	case errors.As(err, &rl) && rl.RateLimit != nil && rl.TooManyRequests != nil:
		de.RetryAfter = max(rl.RetryAfter, 100*time.Millisecond)
	case errors.As(err, &re) && re.Response != nil:
		code := re.Response.StatusCode
		de.Permanent = code >= 400 && code < 500 && code != 408 && code != 429
	}
	return de
}
