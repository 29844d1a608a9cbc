package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mspbot/mspbot/bot"
)

// Everything below runs the same whether a payload came over signed HTTP or
// Socket Mode: the transports only parse, call these, and send the ack.

// slash handles a slash command: /request … becomes Event{Command: "request"}.
// Errors and lists go back to the caller alone, in the ack; anything public
// (an opened request) is posted into the channel after the ack.
func (a *Adapter) slash(ctx context.Context, c slack.SlashCommand) result {
	o := origin{responseURL: c.ResponseURL}
	if c.TeamID == "" || c.UserID == "" {
		a.log.Warn("slash command without a team or user: refused")
		return result{status: 400}
	}
	u, err := a.user(ctx, c.TeamID, c.EnterpriseID, c.UserID)
	if err != nil {
		a.log.Error("slash command: cannot identify user", "user", c.UserID, "err", err)
		return privateResult(a, o, []bot.Message{bot.ErrorReply(err)})
	}
	// "/mspbot time 45m" and "/msp-time 45m" are "time 45m" (bot/slash.go).
	command, args := bot.SlashCommand(c.Command, plainText(c.Text))
	o.ev = bot.Event{
		Platform:  bot.PlatformSlack,
		Workspace: c.TeamID,
		Channel:   c.ChannelID,
		User:      u,
		Command:   command,
		Args:      args,
	}
	o.ev.ChannelOrgs = a.channelOrgs(c.TeamID, c.EnterpriseID, c.ChannelID)
	if c.TriggerID != "" {
		o.ev.SourceID = "slash:" + c.TriggerID
	}
	private, public := split(a.router.Dispatch(ctx, o.ev))
	if command == "help" {
		private = append([]bot.Message{slackHelpNote}, private...) // shortcuts and where the forms are
	}
	if len(public) == 0 {
		a.replay(ctx, o)
	}
	r := privateResult(a, o, private)
	r.after = a.publish(ctx, o, public)
	return r
}

func privateResult(a *Adapter, o origin, private []bot.Message) result {
	if len(private) == 0 {
		return result{}
	}
	return result{
		ack:  webhookMessage(slack.ResponseTypeEphemeral, private),
		late: func(ctx context.Context) { a.tellPrivately(ctx, o, private) },
	}
}

// events handles an Events API envelope (an inbox row: the body of POST
// /slack/events, or a Socket Mode events_api payload). The inbox row is the
// claim on the event_id: a retry of a stored event is never stored twice, and
// a row whose handling died is handled again, so nothing here drops it. A
// failure returns 500 and the inbox tries the row again later.
func (a *Adapter) events(ctx context.Context, raw []byte) result {
	outer, cb, err := decodeEvents(raw)
	if err != nil {
		a.log.Warn("events: unreadable payload", "err", err)
		return result{status: 400}
	}
	if cb == nil {
		return result{}
	}
	r, err := a.inner(ctx, outer)
	if err != nil {
		a.log.Error("events: handling failed; will retry", "event", cb.EventID, "type", outer.InnerEvent.Type, "err", err)
		return result{status: 500}
	}
	return r
}

// decodeEvents parses an Events API envelope. The callback is nil for
// envelopes other than event_callback (app_rate_limited, …).
func decodeEvents(raw []byte) (slackevents.EventsAPIEvent, *slackevents.EventsAPICallbackEvent, error) {
	outer, err := slackevents.ParseEvent(raw, slackevents.OptionNoVerifyToken())
	if err != nil {
		return outer, nil, err
	}
	if outer.Type != slackevents.CallbackEvent {
		return outer, nil, nil
	}
	cb, ok := outer.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || cb == nil {
		return outer, nil, errors.New("event_callback without its envelope")
	}
	if outer.TeamID == "" {
		// Every event belongs to a team: one without is malformed, and must
		// create no workspace, person or request.
		return outer, nil, errors.New("event_callback without team_id")
	}
	return outer, cb, nil
}

func (a *Adapter) inner(ctx context.Context, outer slackevents.EventsAPIEvent) (result, error) {
	switch ev := outer.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		return a.mention(ctx, outer, ev)
	case *slackevents.MessageEvent:
		return a.message(ctx, outer, ev)
	case *slackevents.ReactionAddedEvent:
		return a.reaction(ctx, outer, ev)
	case *slackevents.AppHomeOpenedEvent:
		return a.appHomeOpened(outer, ev) // home.go
	}
	return result{}, nil
}

func (a *Adapter) fromBot(user, botID string) bool {
	selfUser, selfBot := a.self()
	return botID != "" || user == "" || (selfUser != "" && user == selfUser) || (selfBot != "" && botID == selfBot)
}

var leadingMention = regexp.MustCompile(`^\s*<@[A-Za-z0-9]+>[\s:,]*`)

// withoutBotMention removes the bot's own mention from a message's text.
func (a *Adapter) withoutBotMention(text string) string {
	if self, _ := a.self(); self != "" {
		text = strings.ReplaceAll(text, "<@"+self+">", "")
	} else {
		text = leadingMention.ReplaceAllString(text, "")
	}
	return strings.TrimSpace(text)
}

// mention: "@mspbot <text>" opens a request (in a request's thread, it is a
// comment). "@mspbot /requests" runs that command instead.
func (a *Adapter) mention(ctx context.Context, outer slackevents.EventsAPIEvent, ev *slackevents.AppMentionEvent) (result, error) {
	if a.fromBot(ev.User, ev.BotID) || ev.Edited != nil {
		return result{}, nil
	}
	text := a.withoutBotMention(plainText(ev.Text))
	m := posted{team: outer.TeamID, enterprise: outer.EnterpriseID, channel: ev.Channel, ts: ev.TimeStamp,
		thread: ev.ThreadTimeStamp, user: ev.User, text: text}
	if m.isReply() {
		if handled, err := a.comment(ctx, m); handled || err != nil {
			return result{}, err
		}
	}
	return a.open(ctx, m, true)
}

// message: a top-level message in an intake channel opens a request; a reply
// in a request's thread, anywhere, is a comment on it.
func (a *Adapter) message(ctx context.Context, outer slackevents.EventsAPIEvent, ev *slackevents.MessageEvent) (result, error) {
	switch ev.SubType {
	case "", "thread_broadcast", "file_share":
	default:
		return result{}, nil // edits, deletions, joins, bot posts
	}
	if a.fromBot(ev.User, ev.BotID) {
		return result{}, nil
	}
	if ev.ChannelType == "im" {
		return a.direct(ctx, outer, ev) // home.go: the Messages tab
	}
	if self, _ := a.self(); self != "" && strings.Contains(ev.Text, "<@"+self+">") {
		return result{}, nil // app_mention handles it
	}
	m := posted{team: outer.TeamID, enterprise: outer.EnterpriseID, channel: ev.Channel, ts: ev.TimeStamp,
		thread: ev.ThreadTimeStamp, user: ev.User, text: strings.TrimSpace(plainText(ev.Text))}
	if m.isReply() {
		_, err := a.comment(ctx, m)
		return result{}, err
	}
	ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, m.team)
	if err != nil {
		return result{}, err
	}
	ch, err := a.store.Channel(ctx, ws, m.channel)
	if err != nil {
		return result{}, err
	}
	if !ch.Intake || m.text == "" {
		return result{}, nil
	}
	return a.open(ctx, m, false)
}

// posted is a message someone posted in a channel.
type posted struct {
	team, enterprise, channel, ts, thread, user, text string
}

func (m posted) isReply() bool { return m.thread != "" && m.thread != m.ts }

// where is the thread the bot answers in: the message's own thread, or the
// thread the message starts.
func (m posted) where() string {
	if m.thread != "" {
		return m.thread
	}
	return m.ts
}

// open opens a request from a posted message, answering in its thread. With
// commands true, text starting with "/" runs that command instead.
func (a *Adapter) open(ctx context.Context, m posted, commands bool) (result, error) {
	u, err := a.user(ctx, m.team, m.enterprise, m.user)
	if err != nil {
		return result{}, err
	}
	ev := bot.Event{Platform: bot.PlatformSlack, Workspace: m.team, Channel: m.channel, Thread: m.where(),
		User: u, Command: "request", Args: m.text, SourceID: m.channel + ":" + m.ts}
	if commands && strings.HasPrefix(m.text, "/") {
		if cmd, args, err := bot.ParseLine(m.text); err == nil {
			ev.Command, ev.Args = cmd, args
		}
	}
	o := origin{ev: ev}
	private, public := split(a.router.Dispatch(ctx, ev))
	if len(public) == 0 {
		a.replay(ctx, o)
	}
	post := a.publish(ctx, o, public)
	return result{after: func(ctx context.Context) {
		if post != nil {
			post(ctx)
		}
		a.tellPrivately(ctx, o, private)
	}}, nil
}

// comment hands a reply in a request's thread to the Router as the internal
// comment command; the Router decides whether its author may comment there. It
// reports false when the thread is not a request's.
func (a *Adapter) comment(ctx context.Context, m posted) (bool, error) {
	ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, m.team)
	if err != nil {
		return false, err
	}
	req, err := a.store.RequestByThread(ctx, ws, m.channel, m.thread)
	if bot.ErrorCode(err) == bot.ENotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if m.text == "" {
		return true, nil
	}
	u, err := a.user(ctx, m.team, m.enterprise, m.user)
	if err != nil {
		return true, err
	}
	if utf8.RuneCountInString(m.text) > bot.MaxTextLen-32 {
		m.text = string([]rune(m.text)[:bot.MaxTextLen-32])
	}
	origin := bot.Ref{Kind: bot.RefRequest, Number: req.Number}
	_, err = a.router.Run(ctx, bot.Event{Platform: bot.PlatformSlack, Workspace: m.team, Channel: m.channel, Thread: m.thread,
		SourceID: m.channel + ":" + m.ts, User: u, Command: "comment", Args: origin.String() + " " + m.text, Origin: origin})
	if err != nil && bot.ErrorCode(err) != bot.EInternal {
		return true, nil // refused: logged and counted by the Router; nothing stored
	}
	return true, err
}

// reaction: the ticket emoji on any message opens a request from that message,
// opened by whoever reacted, linking back to it.
func (a *Adapter) reaction(ctx context.Context, outer slackevents.EventsAPIEvent, ev *slackevents.ReactionAddedEvent) (result, error) {
	name, _, _ := strings.Cut(ev.Reaction, "::") // skin tones
	if name != a.cfg.TicketEmoji || ev.Item.Type != "message" || a.fromBot(ev.User, "") {
		return result{}, nil
	}
	msg, err := a.fetchMessage(ctx, ev.Item.Channel, ev.Item.Timestamp)
	if err != nil {
		return result{}, err
	}
	if msg == nil || a.fromBot(msg.User, msg.BotID) {
		return result{}, nil // gone, or one of the bot's own posts
	}
	text := strings.TrimSpace(plainText(msg.Text))
	if text == "" {
		return result{}, nil
	}
	var link string
	_ = a.retry(ctx, "chat.getPermalink", func(ctx context.Context) error {
		var err error
		link, err = a.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ev.Item.Channel, Ts: ev.Item.Timestamp})
		return err
	})
	if link != "" {
		suffix := "\n\nFrom " + link
		if room := bot.MaxTextLen - utf8.RuneCountInString(suffix); utf8.RuneCountInString(text) > room {
			text = string([]rune(text)[:room-1]) + "…"
		}
		text += suffix
	}
	m := posted{team: outer.TeamID, enterprise: outer.EnterpriseID, channel: ev.Item.Channel, ts: ev.Item.Timestamp,
		thread: msg.ThreadTimestamp, user: ev.User, text: text}
	return a.open(ctx, m, false)
}

// fetchMessage reads one message by channel and ts: from the channel's history,
// or, for a reply inside a thread, from the thread. nil means it is not there.
func (a *Adapter) fetchMessage(ctx context.Context, channel, ts string) (*slack.Message, error) {
	var hist *slack.GetConversationHistoryResponse
	err := a.retry(ctx, "conversations.history", func(ctx context.Context) error {
		var err error
		hist, err = a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
			ChannelID: channel, Latest: ts, Oldest: ts, Inclusive: true, Limit: 1})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("conversations.history: %w", err)
	}
	for i := range hist.Messages {
		if hist.Messages[i].Timestamp == ts {
			return &hist.Messages[i], nil
		}
	}
	var replies []slack.Message
	err = a.retry(ctx, "conversations.replies", func(ctx context.Context) error {
		var err error
		replies, _, _, err = a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: ts, Latest: ts, Oldest: ts, Inclusive: true, Limit: 1})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("conversations.replies: %w", err)
	}
	for i := range replies {
		if replies[i].Timestamp == ts {
			return &replies[i], nil
		}
	}
	return nil, nil
}

// interaction handles an interactivity payload (the JSON inside the form's
// payload field over HTTP, or a Socket Mode interactive payload).
func (a *Adapter) interaction(ctx context.Context, raw []byte) result {
	var cb slack.InteractionCallback
	if err := json.Unmarshal(raw, &cb); err != nil {
		a.log.Warn("interaction: unreadable payload", "err", err)
		return result{status: 400}
	}
	if cb.Team.ID == "" {
		a.log.Warn("interaction without a team: refused")
		return result{status: 400}
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		return a.blockActions(ctx, cb)
	case slack.InteractionTypeShortcut:
		return a.openModal(cb, modalMeta{})
	case slack.InteractionTypeMessageAction:
		thread := cb.Message.ThreadTimestamp
		if thread == "" {
			thread = cb.MessageTs
		}
		return a.openModal(cb, modalMeta{Channel: cb.Channel.ID, Thread: thread, MessageTS: cb.MessageTs,
			Text: plainText(cb.Message.Text)})
	case slack.InteractionTypeViewSubmission:
		return a.viewSubmission(ctx, cb)
	}
	return result{}
}

// blockActions runs a clicked button's command as the person who clicked, so a
// click is checked against their role exactly as typing it would be. On success
// the message the button sits on is updated in place with the command's reply;
// refusals go to the clicker alone.
func (a *Adapter) blockActions(ctx context.Context, cb slack.InteractionCallback) result {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return result{}
	}
	if cb.View.Type == slack.VTHomeTab {
		return a.homeAction(ctx, cb) // home.go
	}
	act := cb.ActionCallback.BlockActions[0]
	channel := bot.FirstNonEmpty(cb.Container.ChannelID, cb.Channel.ID)
	o := origin{ev: bot.Event{Platform: bot.PlatformSlack, Workspace: cb.Team.ID, Channel: channel,
		Thread: bot.FirstNonEmpty(cb.Container.ThreadTs, cb.Message.ThreadTimestamp), SourceID: clickSource(cb, act)}}
	u, err := a.user(ctx, cb.Team.ID, bot.FirstNonEmpty(cb.Team.EnterpriseID, cb.Enterprise.ID), cb.User.ID)
	if err != nil {
		o.ev.User = bot.User{ID: cb.User.ID}
		return a.afterOnly(o, nil, []bot.Message{bot.ErrorReply(err)}, "", "")
	}
	o.ev.User = u
	cmd, args, err := bot.ParseLine(act.Value)
	if err != nil {
		return a.afterOnly(o, nil, []bot.Message{bot.ErrorReply(bot.Errorf(bot.EInvalid, "that button does nothing here"))}, "", "")
	}
	o.ev.Command, o.ev.Args = cmd, args
	// The record the button's message is about: the Router refuses a command
	// acting on any other.
	o.ev.Origin = bot.RefOfBlock(act.BlockID)
	private, public := split(a.router.Dispatch(ctx, o.ev))
	private, _ = a.withForm(ctx, cb, o, private) // form.go
	if cb.Container.IsEphemeral && cb.ResponseURL != "" {
		return a.ephemeralClick(cb.ResponseURL, append(public, private...)) // form.go
	}
	updateTS := ""
	if !cb.Container.IsEphemeral && bot.FirstNonEmpty(cb.Container.MessageTs, cb.Message.Timestamp) != "" {
		updateTS = bot.FirstNonEmpty(cb.Container.MessageTs, cb.Message.Timestamp)
	}
	return a.afterOnly(o, public, private, channel, updateTS)
}

// afterOnly acknowledges at once; afterwards the first public message replaces
// the message at (channel, updateTS) when given, the rest are posted, and the
// private ones go to the caller.
func (a *Adapter) afterOnly(o origin, public, private []bot.Message, channel, updateTS string) result {
	if updateTS == "" && a.cfg.Outbox != nil {
		post := a.publish(a.bgCtx, o, public)
		return result{after: func(ctx context.Context) {
			if post != nil {
				post(ctx)
			}
			a.tellPrivately(ctx, o, private)
		}}
	}
	return result{after: func(ctx context.Context) {
		if updateTS != "" && len(public) > 0 {
			if err := a.updateMessage(ctx, channel, updateTS, public[0]); err == nil {
				public = public[1:]
			}
		}
		a.postPublic(ctx, o, public)
		a.tellPrivately(ctx, o, private)
	}}
}
