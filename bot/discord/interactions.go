package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// ServeHTTP is the interactions endpoint (POST /discord/interactions). Every
// request's Ed25519 signature is checked before anything is parsed; a bad or
// stale one gets 401, which Discord's own checks expect.
func (a *Adapter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	if a.pub == nil {
		http.Error(w, "DISCORD_PUBLIC_KEY is not set", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !a.verify(r.Header, body) {
		a.log.Info("interaction refused: bad or stale signature", "remote", r.RemoteAddr)
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	in, err := ParseInteraction(body)
	if err != nil {
		a.log.Info("interaction refused", "err", err)
		http.Error(w, "bad interaction", http.StatusBadRequest)
		return
	}
	reply := func(resp *discordgo.InteractionResponse) error {
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(resp); err != nil {
			return err
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		return nil
	}
	if form := a.formOpened(r.Context(), in); form != nil {
		// Opening a form stores nothing, and a modal can only be the
		// initial response: it is answered at once (argsform.go).
		if err := reply(form); err != nil {
			a.log.Warn("interaction reply failed", "err", err, "interaction", in.ID)
		}
		return
	}
	if a.inbox != nil && in.Type != interactionPing && in.Type != interactionAutocomplete {
		a.interactStored(w, r, in, body) // inbox.go
		return
	}
	a.Interact(r.Context(), in, reply)
}

// verify checks X-Signature-Ed25519 over X-Signature-Timestamp + body, and that
// the timestamp is recent.
func (a *Adapter) verify(h http.Header, body []byte) bool {
	sig, err := hex.DecodeString(h.Get("X-Signature-Ed25519"))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	ts := h.Get("X-Signature-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if age := a.cfg.Clock.Now().Sub(time.Unix(sec, 0)); age > a.cfg.MaxSignatureAge || age < -a.cfg.MaxSignatureAge {
		return false
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	return ed25519.Verify(a.pub, msg, sig)
}

// replyFunc delivers the initial response: the HTTP body on the endpoint, a
// callback POST for interactions that arrive on the gateway.
type replyFunc func(*discordgo.InteractionResponse) error

// Interact answers one interaction. It calls reply exactly once, within the
// budget, and sends anything that comes later through the interaction webhook.
func (a *Adapter) Interact(ctx context.Context, in *Interaction, reply replyFunc) {
	respond := func(resp *discordgo.InteractionResponse) {
		if err := reply(resp); err != nil {
			a.log.Warn("interaction reply failed", "err", err, "interaction", in.ID)
		}
	}
	switch in.Type {
	case interactionPing:
		respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
		return
	case interactionAutocomplete:
		respond(a.autocomplete(ctx, in))
		return
	}
	if form := a.formOpened(ctx, in); form != nil {
		respond(form)
		return
	}
	ev, err := a.interactionEvent(ctx, in)
	if err != nil {
		respond(message(discordgo.InteractionResponseChannelMessageWithSource, bot.ErrorReply(err)))
		return
	}
	switch {
	case in.Type == interactionCommand && ev.Command == "request" && ev.Args == "" && isForm(in.Command):
		respond(formModal())
	case in.Type == interactionComponent:
		a.click(ctx, in, ev, respond)
	default:
		a.run(ctx, in, ev, respond)
	}
}

func isForm(d *CommandData) bool { _, form := commandLine(d); return form }

// interactionEvent turns a command, a click or a form into the event the router takes.
func (a *Adapter) interactionEvent(ctx context.Context, in *Interaction) (bot.Event, error) {
	guild, _, err := a.workspace(ctx, in.GuildID)
	if err != nil {
		return bot.Event{}, err
	}
	u := in.Caller()
	ev := bot.Event{
		Platform:  bot.PlatformDiscord,
		Workspace: guild,
		Channel:   in.ChannelID,
		// Discord does not redeliver interactions, but the id still makes one
		// interaction open at most one request.
		SourceID: "interaction:" + in.ID,
		User:     bot.User{ID: u.ID, Name: displayName(u, in.Member), Roles: memberRoles(in.Member)},
	}
	if in.Channel.IsThread() && in.Channel.ParentID != "" {
		ev.Channel, ev.Thread = in.Channel.ParentID, in.ChannelID
	}
	switch in.Type {
	case interactionCommand:
		ev.Command = strings.ToLower(in.Command.Name)
		ev.Args, _ = commandLine(in.Command)
		if t, ok := a.tableCall(in.Command); ok { // tableopts.go
			// A value that does not parse is refused once the Router's gate
			// has let the caller through, naming the option.
			ev.Args, ev.BadInput = t.line(), checkArgs(t.entry.Args, t.opts, a.cfg.Clock.Now())
		}
	case interactionModalSubmit:
		if cmd, line, ok, err := a.argsFormSubmit(in.Modal.CustomID, in.Modal.Values()); ok { // argsform.go
			ev.Command, ev.Args, ev.BadInput = cmd, line, err
			if cmd == "" {
				return ev, err
			}
			return ev, nil
		}
		if line, ok, err := formSubmitLine(in.Modal.CustomID, in.Modal.Values()); ok { // form.go
			if err != nil {
				return ev, err
			}
			ev.Command, ev.Args, err = bot.ParseLine(line)
			return ev, err
		}
		if in.Modal.CustomID != formModalID {
			return ev, bot.Errorf(bot.EInvalid, "this form is no longer supported; use /request form")
		}
		line, err := formLine(in.Modal.Values())
		if err != nil {
			return ev, err
		}
		ev.Command, ev.Args = "request", line
	}
	return ev, nil
}

// publicReply reports whether an event's reply is normally seen by the channel
// (an opened request) rather than by the caller alone; a deferred reply starts
// out that way.
func publicReply(ev bot.Event) bool {
	if ev.Command != "request" {
		return false
	}
	first, _, _ := strings.Cut(strings.TrimSpace(ev.Args), " ")
	return first != "show"
}

// isOpening reports whether an event opens a request (rather than showing,
// taking or closing one), outside a thread: its reply gets a thread.
func isOpening(ev bot.Event) bool {
	if ev.Command != "request" || ev.Thread != "" {
		return false
	}
	first, _, _ := strings.Cut(strings.TrimSpace(ev.Args), " ")
	return first != "show" && first != "take" && first != "close"
}

// run dispatches a command, replying at once when it is done within the budget
// and deferring (type 5) otherwise.
func (a *Adapter) run(ctx context.Context, in *Interaction, ev bot.Event, respond func(*discordgo.InteractionResponse)) {
	done := a.dispatch(ctx, ev)
	var msgs []bot.Message
	ready := false
	select {
	case msgs = <-done:
		ready = true
	case <-time.After(a.cfg.Budget):
	}
	if ready {
		msgs = visible(msgs)
		if len(msgs) == 0 {
			respond(message(discordgo.InteractionResponseChannelMessageWithSource, bot.Message{Text: "Done.", Ephemeral: true}))
			return
		}
		if !hasFiles(msgs) {
			respond(message(discordgo.InteractionResponseChannelMessageWithSource, msgs[0]))
			a.background(ctx, func(ctx context.Context) { a.followUp(ctx, in, ev, msgs[0], true, msgs[1:]) })
			return
		}
		// Files go through the webhook: defer, then deliver.
	}
	public := publicReply(ev)
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{}}
	if !public {
		resp.Data.Flags = flagEphemeral
	}
	respond(resp)
	a.background(ctx, func(ctx context.Context) {
		if !ready {
			msgs = visible(<-done)
		}
		a.deliverDeferred(ctx, in, ev, public, msgs)
	})
}

// dispatch runs the router in the background so a slow command cannot hold the
// reply past Discord's 3 seconds. The work is not tied to the HTTP request.
func (a *Adapter) dispatch(ctx context.Context, ev bot.Event) <-chan []bot.Message {
	done := make(chan []bot.Message, 1)
	a.background(ctx, func(ctx context.Context) {
		msgs := a.cfg.Router.Dispatch(ctx, ev)
		a.learnTemplates(ctx, msgs)
		done <- msgs
	})
	return done
}

// deliverDeferred replaces the "thinking…" response with the first message when
// it is as visible as the deferral was, or deletes it and sends every message
// as a follow-up when it is not (an error must stay private).
func (a *Adapter) deliverDeferred(ctx context.Context, in *Interaction, ev bot.Event, public bool, msgs []bot.Message) {
	di := in.discordgo()
	if len(msgs) == 0 {
		msgs = []bot.Message{{Text: "Done.", Ephemeral: !public}}
	}
	if msgs[0].Ephemeral == !public && !hasFiles(msgs[:1]) {
		if _, err := a.session.InteractionResponseEdit(di, render(msgs[0]).webhookEdit(), discordgo.WithContext(ctx)); err != nil {
			a.log.Warn("deferred reply failed", "err", err, "interaction", in.ID)
		}
		a.followUp(ctx, in, ev, msgs[0], true, msgs[1:])
		return
	}
	if err := a.session.InteractionResponseDelete(di, discordgo.WithContext(ctx)); err != nil {
		a.log.Warn("deleting deferred reply failed", "err", err, "interaction", in.ID)
	}
	a.followUp(ctx, in, ev, bot.Message{}, false, msgs)
}

// followUp posts the remaining messages through the interaction webhook, and
// starts a thread on an opened request's message (with a bot token).
func (a *Adapter) followUp(ctx context.Context, in *Interaction, ev bot.Event, original bot.Message, hasOriginal bool, rest []bot.Message) {
	di := in.discordgo()
	if hasOriginal && original.RequestNumber != 0 && !original.Ephemeral && isOpening(ev) {
		if m, err := a.session.InteractionResponse(di, discordgo.WithContext(ctx)); err == nil {
			a.followRequest(ctx, ev, m.ChannelID, m.ID, original)
		} else {
			a.log.Warn("reading the reply to thread it failed", "err", err)
		}
	}
	for _, m := range rest {
		posted, err := a.session.FollowupMessageCreate(di, true, render(m).webhookParams(), discordgo.WithContext(ctx))
		if err != nil {
			a.log.Warn("follow-up failed", "err", err, "interaction", in.ID)
			continue
		}
		if posted != nil && m.RequestNumber != 0 && !m.Ephemeral && isOpening(ev) {
			a.followRequest(ctx, ev, posted.ChannelID, posted.ID, m)
		}
	}
}

// click runs the command behind a button as the person who clicked it. Success
// updates the message in place (type 7); a refusal is told to the clicker alone.
func (a *Adapter) click(ctx context.Context, in *Interaction, ev bot.Event, respond func(*discordgo.InteractionResponse)) {
	line := ""
	if isCommandID(in.Component.CustomID) {
		line = in.Component.CustomID // the button carries its command line
	} else if id, value, ok := splitCustomID(in.Component.CustomID); ok {
		line = a.actionCommand(ctx, id, value)
	}
	if line == "" {
		respond(message(discordgo.InteractionResponseChannelMessageWithSource,
			bot.Message{Text: "This button no longer works; use /help to find the command.", Ephemeral: true, IsError: true}))
		return
	}
	cmd, args, err := bot.ParseLine(line)
	if err != nil {
		respond(message(discordgo.InteractionResponseChannelMessageWithSource, bot.ErrorReply(err)))
		return
	}
	ev.Command, ev.Args = cmd, args
	done := a.dispatch(ctx, ev)
	var msgs []bot.Message
	select {
	case msgs = <-done:
	case <-time.After(a.cfg.Budget):
		respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
		a.background(ctx, func(ctx context.Context) {
			msgs := visible(<-done)
			di := in.discordgo()
			if len(msgs) > 0 && !failed(msgs) {
				if _, err := a.session.InteractionResponseEdit(di, render(updateOf(msgs[0])).webhookEdit(), discordgo.WithContext(ctx)); err != nil {
					a.log.Warn("updating the clicked message failed", "err", err)
				}
				msgs = msgs[1:]
			}
			for _, m := range msgs {
				m.Ephemeral = m.Ephemeral || m.IsError
				if _, err := a.session.FollowupMessageCreate(di, true, render(m).webhookParams(), discordgo.WithContext(ctx)); err != nil {
					a.log.Warn("follow-up failed", "err", err)
				}
			}
		})
		return
	}
	msgs = visible(msgs)
	if len(msgs) == 0 {
		respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate})
		return
	}
	if failed(msgs) {
		m := joinErrors(msgs)
		respond(message(discordgo.InteractionResponseChannelMessageWithSource, m))
		return
	}
	if f := formOf(msgs); f != nil {
		if modal := formResponse(f); modal != nil { // form.go: the click opens the form
			respond(modal)
			return
		}
	}
	respond(message(discordgo.InteractionResponseUpdateMessage, updateOf(msgs[0])))
	if len(msgs) > 1 {
		a.background(ctx, func(ctx context.Context) { a.followUp(ctx, in, ev, bot.Message{}, false, msgs[1:]) })
	}
}

// updateOf is a message as it replaces the request message: never ephemeral.
func updateOf(m bot.Message) bot.Message { m.Ephemeral = false; return m }

func failed(msgs []bot.Message) bool {
	for _, m := range msgs {
		if m.IsError {
			return true
		}
	}
	return false
}

// joinErrors puts a click's replies into one private message.
func joinErrors(msgs []bot.Message) bot.Message {
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	return bot.Message{Text: strings.Join(texts, "\n"), Ephemeral: true, IsError: true}
}

// visible drops empty messages (a duplicate delivery says nothing).
func visible(msgs []bot.Message) []bot.Message {
	out := msgs[:0:0]
	for _, m := range msgs {
		if m.Text != "" || m.Title != "" || len(m.Fields) > 0 || len(m.Attachments) > 0 {
			out = append(out, m)
		}
	}
	return out
}

func hasFiles(msgs []bot.Message) bool {
	for _, m := range msgs {
		if len(m.Attachments) > 0 {
			return true
		}
	}
	return false
}

// message is an interaction response carrying one message.
func message(typ discordgo.InteractionResponseType, m bot.Message) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: typ, Data: render(m).responseData()}
}

// discordgo returns the fields discordgo's interaction calls need.
func (in *Interaction) discordgo() *discordgo.Interaction {
	return &discordgo.Interaction{ID: in.ID, AppID: in.ApplicationID, Token: in.Token}
}

// autocomplete suggests request numbers and client codes the caller may see.
func (a *Adapter) autocomplete(ctx context.Context, in *Interaction) *discordgo.InteractionResponse {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}}
	opt, ok := focused(in.Command.Options)
	if !ok {
		return resp
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	ev, err := a.interactionEvent(ctx, &Interaction{Type: interactionCommand, GuildID: in.GuildID, ChannelID: in.ChannelID,
		Channel: in.Channel, Member: in.Member, User: in.User, Command: &CommandData{Name: in.Command.Name}})
	if err != nil {
		return resp
	}
	// What a caller is offered is decided by the Router, like any action.
	what := opt.Name
	if arg, ok := a.argFor(in.Command, opt.Name); ok && suggestKinds[arg.Kind] != "" {
		what = suggestKinds[arg.Kind]
	}
	ev.Command, ev.Args = "suggest", what+" "+opt.String()
	msgs, err := a.cfg.Router.Run(ctx, ev)
	if err != nil || len(msgs) == 0 {
		return resp
	}
	for _, f := range msgs[len(msgs)-1].Fields {
		if len(resp.Data.Choices) == 25 {
			break
		}
		var value any = f.Value
		if n, err := strconv.ParseInt(f.Value, 10, 64); err == nil && opt.Name == "number" {
			value = n
		}
		resp.Data.Choices = append(resp.Data.Choices, &discordgo.ApplicationCommandOptionChoice{Name: clip(f.Label, 100), Value: value})
	}
	return resp
}
