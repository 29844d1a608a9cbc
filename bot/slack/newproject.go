package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// The Home tab's "New project" form (coordinators): the client picked from a
// list, the name, start and end from date pickers, the budget, the client's
// channel from a channel picker, and the coordinator and support lead from
// Slack's user picker. Submitting runs "/project new"
// through the Router as the person, exactly as the typed line would; a
// refusal shows in the form.

const (
	actionHomeNewProject = "home.new_project"
	viewNewProject       = "new_project_modal"
)

func (a *Adapter) openNewProject(cb slack.InteractionCallback, team string) result {
	return result{after: func(ctx context.Context) {
		var clients []bot.Client
		if ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, team); err == nil {
			clients, _ = a.store.ListClients(ctx, ws)
		}
		err := a.retry(ctx, "views.open", func(ctx context.Context) error {
			_, err := a.api.OpenViewContext(ctx, cb.TriggerID, newProjectView(clients))
			return err
		})
		if err != nil {
			a.log.Error("new project form not opened", "user", cb.User.ID, "err", err)
		}
	}}
}

func newProjectView(clients []bot.Client) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	client := clientPicker(clients)
	name := slack.NewPlainTextInputBlockElement(plain("Office move"), "name")
	name.MaxLength = 150
	budget := slack.NewPlainTextInputBlockElement(plain("120h"), "budget")
	budget.MaxLength = 20
	channel := slack.NewOptionsSelectBlockElement(slack.OptTypeConversations, plain("Where approved weekly updates go"), "channel")
	// People are picked with Slack's user picker: their ids reach the Router
	// as mentions, never typed names.
	coordinator := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("You, unless you pick someone"), "coordinator")
	lead := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Who signs off for support"), "lead")
	optional := func(b *slack.InputBlock) *slack.InputBlock { b.Optional = true; return b }
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: viewNewProject, Title: plain("New project"),
		Submit: plain("Open project"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("client", plain("Client"), nil, client),
			slack.NewInputBlock("name", plain("Name"), nil, name),
			slack.NewInputBlock("start", plain("Starts"), nil, slack.NewDatePickerBlockElement("start")),
			slack.NewInputBlock("end", plain("Ends"), nil, slack.NewDatePickerBlockElement("end")),
			optional(slack.NewInputBlock("budget", plain("Budget"), nil, budget)),
			optional(slack.NewInputBlock("channel", plain("Client channel"), nil, channel)),
			optional(slack.NewInputBlock("coordinator", plain("Coordinator"), nil, coordinator)),
			optional(slack.NewInputBlock("lead", plain("Support lead"), nil, lead)),
		}}}
}

// newProjectSubmission runs /project new with what the form holds.
func (a *Adapter) newProjectSubmission(ctx context.Context, cb slack.InteractionCallback) result {
	val := func(block string) slack.BlockAction {
		if cb.View.State == nil {
			return slack.BlockAction{}
		}
		return cb.View.State.Values[block][block]
	}
	client := strings.TrimSpace(bot.FirstNonEmpty(val("client").SelectedOption.Value, val("client").Value))
	name := strings.TrimSpace(val("name").Value)
	problems := map[string]string{}
	if client == "" || strings.ContainsAny(client, " \"") {
		problems["client"] = "Pick the client."
	}
	if name == "" {
		problems["name"] = "Name the project."
	}
	for _, k := range []string{"start", "end"} {
		if val(k).SelectedDate == "" {
			problems[k] = "Pick a date."
		}
	}
	if len(problems) > 0 {
		return result{ack: slack.NewErrorsViewSubmissionResponse(problems)}
	}
	args := client + " " + quoteArg(name) + " --start " + val("start").SelectedDate + " --end " + val("end").SelectedDate
	if b := strings.TrimSpace(val("budget").Value); b != "" {
		args += " --budget " + quoteArg(b)
	}
	if ch := val("channel").SelectedConversation; ch != "" {
		args += " --channel " + ch
	}
	for _, k := range []string{"coordinator", "lead"} {
		if id := val(k).SelectedUser; id != "" {
			if !slackID(id) {
				return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{k: "Pick the person from the list."})}
			}
			args += " --" + k + " <@" + id + ">"
		}
	}
	team := bot.FirstNonEmpty(cb.Team.ID, cb.View.TeamID, cb.User.TeamID)
	enterprise := bot.FirstNonEmpty(cb.Team.EnterpriseID, cb.Enterprise.ID)
	u, err := a.user(ctx, team, enterprise, cb.User.ID)
	if err != nil {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"name": bot.ErrorMessage(err)})}
	}
	o := origin{ev: bot.Event{Platform: bot.PlatformSlack, Workspace: team, User: u, Command: "project", Args: "new " + args,
		SourceID: "view:" + cb.View.ID}}
	msgs := a.router.Dispatch(ctx, o.ev)
	for _, m := range msgs {
		if m.IsError {
			block := "name"
			for _, k := range []string{"client", "start", "end", "budget", "channel", "coordinator", "lead"} {
				if strings.Contains(strings.ToLower(m.Text), k) {
					block = k
					break
				}
			}
			return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{block: clip(m.Text, 1000)})}
		}
	}
	return result{after: func(ctx context.Context) {
		for i := range msgs {
			msgs[i].Channel, msgs[i].Thread = "", ""
		}
		a.tellPrivately(ctx, o, msgs) // no channel: the coordinator's DM
		a.publishHome(ctx, team, enterprise, cb.User.ID)
	}}
}
