package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// The Home tab's "People" form (coordinators and managers): pick a person
// from Slack's own user picker, then what they become — a tech, coordinator
// or manager (/role, managers), or a client user of a client picked from a
// list (/client user, coordinators). The picker gives the person's Slack id,
// never a name, and the submission runs as the typed line would, through the
// Router, which alone decides whether the clicker may do it; a refusal shows
// in the form.

const (
	actionHomePeople = "home.people"
	viewPeople       = "people_modal"
	// roleClientUser is the "what" choice that makes someone a client user.
	roleClientUser = "client"
)

func (a *Adapter) openPeople(cb slack.InteractionCallback, team string) result {
	return result{after: func(ctx context.Context) {
		var clients []bot.Client
		if ws, err := a.dir.Workspace(ctx, bot.PlatformSlack, team); err == nil {
			clients, _ = a.store.ListClients(ctx, ws)
		}
		err := a.retry(ctx, "views.open", func(ctx context.Context) error {
			_, err := a.api.OpenViewContext(ctx, cb.TriggerID, peopleView(clients))
			return err
		})
		if err != nil {
			a.log.Error("people form not opened", "user", cb.User.ID, "err", err)
		}
	}}
}

func peopleView(clients []bot.Client) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	person := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Pick the person"), "person")
	var roles []*slack.OptionBlockObject
	for _, r := range []struct{ value, label string }{{"tech", "Tech (staff)"}, {"coordinator", "Coordinator"},
		{"manager", "Manager"}, {roleClientUser, "Client user of the client below"}} {
		roles = append(roles, slack.NewOptionBlockObject(r.value, plain(r.label), nil))
	}
	role := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("What they become"), "role", roles...)
	client := slack.NewInputBlock("client", plain("Client (for a client user)"), nil, clientPicker(clients))
	client.Optional = true
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: viewPeople, Title: plain("People"),
		Submit: plain("Save"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock("person", plain("Person"), plain("Managers give roles; coordinators add a client's users."), person),
			slack.NewInputBlock("role", plain("Role"), nil, role),
			client,
		}}}
}

// peopleSubmission runs /role or /client user with what the form holds.
func (a *Adapter) peopleSubmission(ctx context.Context, cb slack.InteractionCallback) result {
	val := func(block string) slack.BlockAction {
		if cb.View.State == nil {
			return slack.BlockAction{}
		}
		return cb.View.State.Values[block][block]
	}
	person, role := val("person").SelectedUser, val("role").SelectedOption.Value
	client := strings.TrimSpace(bot.FirstNonEmpty(val("client").SelectedOption.Value, val("client").Value))
	problems := map[string]string{}
	if !slackID(person) {
		problems["person"] = "Pick the person."
	}
	if role == "" {
		problems["role"] = "Pick what they become."
	}
	if role == roleClientUser && (client == "" || strings.ContainsAny(client, " \"")) {
		problems["client"] = "Pick the client they belong to."
	}
	if len(problems) > 0 {
		return result{ack: slack.NewErrorsViewSubmissionResponse(problems)}
	}
	command, args := "role", "<@"+person+"> "+role
	if role == roleClientUser {
		command, args = "client", "user "+client+" <@"+person+">"
	}
	team := bot.FirstNonEmpty(cb.Team.ID, cb.View.TeamID, cb.User.TeamID)
	enterprise := bot.FirstNonEmpty(cb.Team.EnterpriseID, cb.Enterprise.ID)
	u, err := a.user(ctx, team, enterprise, cb.User.ID)
	if err != nil {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"person": bot.ErrorMessage(err)})}
	}
	o := origin{ev: bot.Event{Platform: bot.PlatformSlack, Workspace: team, User: u, Command: command, Args: args,
		SourceID: "view:" + cb.View.ID}}
	msgs := a.router.Dispatch(ctx, o.ev)
	for _, m := range msgs {
		if m.IsError {
			block := "role"
			if strings.Contains(strings.ToLower(m.Text), "client") && role == roleClientUser {
				block = "client"
			}
			return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{block: clip(m.Text, 1000)})}
		}
	}
	return result{after: func(ctx context.Context) {
		for i := range msgs {
			msgs[i].Channel, msgs[i].Thread = "", ""
		}
		a.tellPrivately(ctx, o, msgs) // no channel: the clicker's DM
		a.publishHome(ctx, team, enterprise, cb.User.ID)
	}}
}

// slackID says whether s looks like a Slack user id (U… or W…), as a
// picker returns it: nothing else may reach a command as a mention.
func slackID(s string) bool {
	if len(s) < 2 || len(s) > 30 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
