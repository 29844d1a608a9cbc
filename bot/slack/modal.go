package slack

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// Callback ids, as manifest.yaml declares the shortcuts.
const (
	CallbackOpenRequest        = "open_request"              // global shortcut
	CallbackOpenRequestMessage = "open_request_from_message" // message shortcut
	viewOpenRequest            = "open_request_modal"
)

// modalMeta travels in the modal's private_metadata: where the request was
// started from, so it is posted there.
type modalMeta struct {
	Channel   string `json:"c,omitempty"`
	Thread    string `json:"t,omitempty"`
	MessageTS string `json:"m,omitempty"`
	Text      string `json:"-"` // prefills the description; not sent back
}

const (
	slackMaxSelectOptions = 100
	maxTitle              = 150
	maxMetadata           = 3000
	// maxInput is the most a plain_text_input may be given as max_length (and
	// hold as initial_value): Slack refuses the whole view above 3000, so the
	// description is capped here rather than at bot.MaxTextLen.
	maxInput = 3000
)

var priorities = []string{"P1", "P2", "P3", "P4"}

// openModal opens the "Open request" modal for a shortcut. The trigger expires
// in 3 s, so views.open is the first thing done after the ack.
func (a *Adapter) openModal(cb slack.InteractionCallback, meta modalMeta) result {
	team := bot.FirstNonEmpty(cb.Team.ID, cb.User.TeamID)
	return result{after: func(ctx context.Context) {
		// Clients are picked from a list, never typed from memory; a lookup
		// that fails leaves the typed field (the form must open within 3 s).
		var clients []bot.Client
		if ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, team); err == nil {
			if clients, err = a.store.ListClients(ctx, ws); err != nil {
				a.log.Warn("open request form: clients not listed; the client is typed", "err", err)
			}
		}
		view := requestModal(meta, clients)
		err := a.retry(ctx, "views.open", func(ctx context.Context) error {
			_, err := a.api.OpenViewContext(ctx, cb.TriggerID, view)
			return err
		})
		if err != nil {
			a.log.Error("modal not opened", "user", cb.User.ID, "err", err)
		}
	}}
}

// noClient is the client picker's "the channel's client, or none" option.
const noClient = "-"

func requestModal(meta modalMeta, clients []bot.Client) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	title := slack.NewPlainTextInputBlockElement(plain("What is needed, in a line"), "title")
	title.MaxLength = maxTitle
	desc := slack.NewPlainTextInputBlockElement(plain("Details: who, what, since when"), "description")
	desc.Multiline = true
	desc.MaxLength = maxInput
	if meta.Text != "" {
		// A message can be far longer than the field: the pre-fill is cut (and
		// marked), and the request links back to the whole message anyway.
		line, _, _ := strings.Cut(meta.Text, "\n")
		title.InitialValue = clipRunes(line, maxTitle)
		desc.InitialValue = clipRunes(meta.Text, maxInput)
	}
	client := clientPicker(clients, slack.NewOptionBlockObject(noClient, plain("The channel's client, or none"), nil))
	var opts []*slack.OptionBlockObject
	for _, p := range priorities {
		opts = append(opts, slack.NewOptionBlockObject(p, plain(p), nil))
	}
	prio := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Priority"), "priority", opts...)
	prio.InitialOption = opts[2]

	descBlock := slack.NewInputBlock("description", plain("Description"), nil, desc)
	descBlock.Optional = true
	clientBlock := slack.NewInputBlock("client", plain("Client"), plain("Leave empty for the channel's client, or none"), client)
	clientBlock.Optional = true
	md, _ := json.Marshal(meta)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      viewOpenRequest,
		Title:           plain("Open request"),
		Submit:          plain("Open"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(md),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("title", plain("Title"), nil, title),
			descBlock,
			clientBlock,
			slack.NewInputBlock("priority", plain("Priority"), nil, prio),
		}},
	}
}

var clientCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$`)

// modalInput is what a person typed into the modal.
type modalInput struct {
	Title, Description, Client, Priority string
}

// readModal reads and validates a submitted modal. Problems come back per
// block id, which is how Slack shows them beside the fields.
func readModal(v slack.View) (modalInput, map[string]string) {
	val := func(block string) slack.BlockAction {
		if v.State == nil {
			return slack.BlockAction{}
		}
		return v.State.Values[block][block]
	}
	in := modalInput{
		Title:       strings.TrimSpace(val("title").Value),
		Description: strings.TrimSpace(val("description").Value),
		Client:      strings.TrimSpace(bot.FirstNonEmpty(val("client").Value, val("client").SelectedOption.Value)),
		Priority:    val("priority").SelectedOption.Value,
	}
	problems := map[string]string{}
	switch {
	case in.Title == "":
		problems["title"] = "Say in a line what is needed."
	case utf8.RuneCountInString(in.Title) > maxTitle:
		problems["title"] = "Keep the title under 150 characters; put the rest in the description."
	}
	if utf8.RuneCountInString(in.Description) > maxInput {
		problems["description"] = "That is too long for one request; keep it under 3,000 characters and put the rest in its thread."
	}
	if in.Client == noClient {
		in.Client = ""
	}
	if in.Client != "" && !clientCode.MatchString(in.Client) {
		problems["client"] = "A client code is letters, digits, dot, dash or underscore, like ACME."
	}
	if in.Priority == "" {
		in.Priority = "P3"
	}
	if !contains(priorities, in.Priority) {
		problems["priority"] = "Pick P1, P2, P3 or P4."
	}
	return in, problems
}

// clipRunes shortens s to at most max characters (Slack counts characters in
// inputs), marking the cut.
func clipRunes(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-1]) + "…"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// viewSubmission validates the modal and opens the request, posting it where
// the shortcut was used (a global shortcut: the person's DM with the bot).
// A refusal (an unknown client, say) is shown in the modal, which stays open.
func (a *Adapter) viewSubmission(ctx context.Context, cb slack.InteractionCallback) result {
	if cb.View.CallbackID == viewForm {
		return a.formSubmission(ctx, cb) // form.go
	}
	if cb.View.CallbackID == viewLogTime {
		return a.logTimeSubmission(ctx, cb) // logtime.go
	}
	if cb.View.CallbackID == viewNewProject {
		return a.newProjectSubmission(ctx, cb) // newproject.go
	}
	if cb.View.CallbackID == viewPeople {
		return a.peopleSubmission(ctx, cb) // peopleform.go
	}
	if cb.View.CallbackID != viewOpenRequest {
		return result{}
	}
	in, problems := readModal(cb.View)
	if len(problems) > 0 {
		return result{ack: slack.NewErrorsViewSubmissionResponse(problems)}
	}
	var meta modalMeta
	if len(cb.View.PrivateMetadata) <= maxMetadata {
		_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta)
	}
	team := bot.FirstNonEmpty(cb.Team.ID, cb.View.TeamID, cb.User.TeamID)
	u, err := a.user(ctx, team, bot.FirstNonEmpty(cb.Team.EnterpriseID, cb.Enterprise.ID), cb.User.ID)
	if err != nil {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"title": bot.ErrorMessage(err)})}
	}
	channel, thread := meta.Channel, meta.Thread
	if channel == "" {
		if channel, err = a.directChannel(ctx, u.ID); err != nil {
			return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"title": "Slack did not let me open a direct message with you; try again."})}
		}
	}
	text := in.Title
	if in.Description != "" {
		text += "\n\n" + in.Description
	}
	if meta.MessageTS != "" && meta.Channel != "" {
		var link string
		_ = a.retry(ctx, "chat.getPermalink", func(ctx context.Context) error {
			link, err = a.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: meta.Channel, Ts: meta.MessageTS})
			return err
		})
		if link != "" {
			text += "\n\nFrom " + link
		}
	}
	args := "--priority " + in.Priority + " " + text
	if in.Client != "" {
		args = "--client " + in.Client + " " + args
	}
	ev := bot.Event{Platform: bot.PlatformSlack, Workspace: team, Channel: channel, Thread: thread, User: u,
		Command: "request", Args: args, SourceID: "view:" + cb.View.ID}
	msgs := a.router.Dispatch(ctx, ev)
	for _, m := range msgs {
		if m.IsError {
			block := "title"
			if strings.Contains(m.Text, "client") {
				block = "client"
			}
			return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{block: clip(m.Text, 1000)})}
		}
	}
	private, public := split(msgs)
	if len(public) == 0 {
		a.replay(ctx, origin{ev: ev})
	}
	return a.afterOnly(origin{ev: ev}, public, private, "", "")
}

// clientPicker lets people pick a client on file from a list (first, the
// options in lead), or type its code when there are none or more than a
// static select holds.
func clientPicker(clients []bot.Client, lead ...*slack.OptionBlockObject) slack.BlockElement {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	if len(clients) > 0 && len(lead)+len(clients) <= slackMaxSelectOptions {
		opts := append([]*slack.OptionBlockObject{}, lead...)
		for _, c := range clients {
			opts = append(opts, slack.NewOptionBlockObject(c.Code, plain(clipRunes(c.Code+" — "+c.Name, 75)), nil))
		}
		return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Pick a client"), "client", opts...)
	}
	typed := slack.NewPlainTextInputBlockElement(plain("Client code, e.g. ACME"), "client")
	typed.MaxLength = 32
	return typed
}
