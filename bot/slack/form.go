package slack

import (
	"context"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// Native forms and private clicks.
//
// A reply carrying a bot.Form (the weekly update's Edit button) opens a modal
// with one multi-line field holding the text as drafted; submitting it runs
// the form's command with the text as one quoted argument, through the Router
// as the person who submitted it. A click on an ephemeral message (a draft
// only its coordinator sees) is answered where it was clicked: the message is
// replaced through its response_url, so its buttons go away and nothing about
// it is posted for the channel to see.

const viewForm = "form_modal"

// formMeta travels in the form's private_metadata.
type formMeta struct {
	Submit  string `json:"s"`
	Channel string `json:"c,omitempty"`
	Thread  string `json:"t,omitempty"`
}

// formView is the modal for a bot.Form; ok is false when the text to start
// from does not fit a Slack input (the reply's text then says how to type it).
func formView(f *bot.Form, channel, thread string) (slack.ModalViewRequest, bool) {
	if utf8.RuneCountInString(f.Initial) > maxInput {
		return slack.ModalViewRequest{}, false
	}
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	input := slack.NewPlainTextInputBlockElement(nil, "text")
	input.Multiline, input.MaxLength, input.InitialValue = true, maxInput, f.Initial
	md, _ := json.Marshal(formMeta{Submit: f.Submit, Channel: channel, Thread: thread})
	if len(md) > maxMetadata {
		return slack.ModalViewRequest{}, false
	}
	return slack.ModalViewRequest{
		Type: slack.VTModal, CallbackID: viewForm, PrivateMetadata: string(md),
		Title: plain(clipRunes(bot.FirstNonEmpty(f.Title, "Edit"), 24)), Submit: plain("Save"), Close: plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("text", plain(clipRunes(bot.FirstNonEmpty(f.Label, "Text"), 2000)), nil, input)}},
	}, true
}

// withForm opens the form of the first private reply that has one (the
// trigger is fresh: the click just came in) and returns the other replies. It
// reports false when no form could be opened.
func (a *Adapter) withForm(ctx context.Context, cb slack.InteractionCallback, o origin, private []bot.Message) ([]bot.Message, bool) {
	for i, m := range private {
		if m.Form == nil || cb.TriggerID == "" {
			continue
		}
		view, ok := formView(m.Form, o.ev.Channel, o.ev.Thread)
		if !ok {
			continue
		}
		err := a.retry(ctx, "views.open", func(ctx context.Context) error {
			_, err := a.api.OpenViewContext(ctx, cb.TriggerID, view)
			return err
		})
		if err != nil {
			a.log.Warn("form not opened; telling the person how to type it instead", "user", cb.User.ID, "err", err)
			return private, false
		}
		return append(private[:i:i], private[i+1:]...), true
	}
	return private, false
}

// formSubmission runs a submitted form's command. A refusal is shown in the
// form, which stays open.
func (a *Adapter) formSubmission(ctx context.Context, cb slack.InteractionCallback) result {
	var meta formMeta
	if len(cb.View.PrivateMetadata) > maxMetadata || json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta) != nil || meta.Submit == "" {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"text": "This form has expired; click the button again."})}
	}
	text := ""
	if cb.View.State != nil {
		text = strings.TrimSpace(cb.View.State.Values["text"]["text"].Value)
	}
	if text == "" {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"text": "Write something, or Cancel."})}
	}
	cmd, args, err := bot.ParseLine(meta.Submit + " " + quoteArg(text))
	if err != nil {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"text": bot.ErrorMessage(err)})}
	}
	team := bot.FirstNonEmpty(cb.Team.ID, cb.View.TeamID, cb.User.TeamID)
	u, err := a.user(ctx, team, bot.FirstNonEmpty(cb.Team.EnterpriseID, cb.Enterprise.ID), cb.User.ID)
	if err != nil {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"text": bot.ErrorMessage(err)})}
	}
	o := origin{ev: bot.Event{Platform: bot.PlatformSlack, Workspace: team, Channel: meta.Channel, Thread: meta.Thread,
		User: u, Command: cmd, Args: args, SourceID: "view:" + cb.View.ID}}
	msgs := a.router.Dispatch(ctx, o.ev)
	for _, m := range msgs {
		if m.IsError {
			return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"text": clip(m.Text, 1000)})}
		}
	}
	private, public := split(msgs)
	return a.afterOnly(o, public, private, "", "")
}

// quoteArg makes s one argument for bot.SplitArgs, newlines and all.
func quoteArg(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `”`, `\”`).Replace(s) + `"`
}

// ephemeralClick answers a click on an ephemeral message privately: the first
// reply replaces the message (and its buttons) through the response_url, the
// rest follow it, only for the clicker.
func (a *Adapter) ephemeralClick(responseURL string, msgs []bot.Message) result {
	if len(msgs) == 0 {
		return result{}
	}
	if msgs[0].IsError {
		// A refusal leaves the message and its buttons as they were.
		return result{after: func(ctx context.Context) {
			if err := a.respond(ctx, responseURL, slack.ResponseTypeEphemeral, msgs); err != nil {
				a.log.Error("private reply not delivered", "err", err)
			}
		}}
	}
	return result{after: func(ctx context.Context) {
		first := webhookMessage(slack.ResponseTypeEphemeral, msgs[:1])
		first.ReplaceOriginal = true
		err := a.retry(ctx, "response_url", func(ctx context.Context) error {
			return slack.PostWebhookCustomHTTPContext(ctx, responseURL, a.cfg.HTTPClient, first)
		})
		if err != nil {
			a.log.Error("ephemeral message not replaced", "err", err)
		}
		if len(msgs) > 1 {
			if err := a.respond(ctx, responseURL, slack.ResponseTypeEphemeral, msgs[1:]); err != nil {
				a.log.Error("private reply not delivered", "err", err)
			}
		}
	}}
}

// slackHelpNote heads /help on Slack, where every command is typed after
// /mspbot (manifest.yaml; the Router writes the list that way too): the
// aliases and where the forms and the Home tab are.
var slackHelpNote = bot.Message{Ephemeral: true,
	Text: "On Slack, type each command after /mspbot: /mspbot request printer jams, /mspbot time 45m #1042, /mspbot home. " +
		"Shortcuts: /msp-request, /msp-requests, /msp-time, /msp-timer. The Open request form is under ⚡ Shortcuts, and your Home tab is under Apps → mspbot."}
