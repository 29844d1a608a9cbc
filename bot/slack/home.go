package slack

import (
	"context"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/mspbot/mspbot/bot"
)

// The App Home tab: each person's own view of what is on their plate. It is
// the /home command's reply (commands/home.go), dispatched through the Router
// as that person, so it shows exactly what their role lets them see; its
// buttons run commands through the Router like any click. Replies to a click
// go to the person's direct messages (a Home tab has no channel), and the tab
// is published again so it shows the change.

// homeTimeTitle is the title of /home's time part (commands/home.go).
const homeTimeTitle = "Your time today"

// homeQueueTitle starts the title of /home's queue, shown to coordinators and managers.
const homeQueueTitle = "The queue"

const (
	actionHomeOpenRequest = "home.open_request"
	actionHomeRefresh     = "home.refresh"
	maxViewBlocks         = 100
)

// appHomeOpened publishes the Home tab when someone opens it (the Messages tab
// needs nothing).
func (a *Adapter) appHomeOpened(outer slackevents.EventsAPIEvent, ev *slackevents.AppHomeOpenedEvent) (result, error) {
	if ev.Tab != "home" || a.fromBot(ev.User, "") {
		return result{}, nil
	}
	return result{after: func(ctx context.Context) { a.publishHome(ctx, outer.TeamID, outer.EnterpriseID, ev.User) }}, nil
}

// publishHome builds and publishes one person's Home tab.
func (a *Adapter) publishHome(ctx context.Context, team, enterprise, userID string) {
	u, err := a.user(ctx, team, enterprise, userID)
	var msgs []bot.Message
	if err != nil {
		msgs = []bot.Message{bot.ErrorReply(err)}
	} else {
		msgs = a.router.Dispatch(ctx, bot.Event{Platform: bot.PlatformSlack, Workspace: team, User: u, Command: "home"})
	}
	view := homeView(msgs)
	err = a.retry(ctx, "views.publish", func(ctx context.Context) error {
		_, err := a.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view})
		return err
	})
	if err != nil {
		a.log.Error("home tab not published", "user", userID, "err", err)
	}
}

// homeView lays the /home messages out as a Home tab: a bar of buttons, then
// each message as it would be posted, within Slack's 100 blocks a view.
func homeView(msgs []bot.Message) slack.HomeTabViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	open := slack.NewButtonBlockElement(actionHomeOpenRequest, "open", plain("Open request"))
	open.Style = slack.StylePrimary
	refresh := slack.NewButtonBlockElement(actionHomeRefresh, "refresh", plain("Refresh"))
	bar := []slack.BlockElement{open}
	for _, m := range msgs {
		switch {
		case m.Title == homeTimeTitle: // staff: they log time
			bar = append(bar, slack.NewButtonBlockElement(actionHomeLogTime, "log", plain("Log time")))
		case strings.HasPrefix(m.Title, homeQueueTitle): // coordinators: they open projects
			bar = append(bar, slack.NewButtonBlockElement(actionHomeNewProject, "project", plain("New project")),
				slack.NewButtonBlockElement(actionHomePeople, "people", plain("People")))
		}
	}
	blocks := []slack.Block{slack.NewActionBlock("home.bar", append(bar, refresh)...)}
	ids := map[string]bool{"home.bar": true}
	for _, m := range msgs {
		b, _ := renderNoting(m)
		if len(blocks)+1+len(b) > maxViewBlocks {
			blocks = append(blocks, slack.NewContextBlock("home.more", plain("More than fits here: type /mspbot home.")))
			break
		}
		blocks = append(blocks, slack.NewDividerBlock())
		uniqueBlockIDs(b, ids)
		blocks = append(blocks, b...)
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, CallbackID: "home", Blocks: slack.Blocks{BlockSet: blocks}}
}

// homeAction handles a click on the Home tab.
func (a *Adapter) homeAction(ctx context.Context, cb slack.InteractionCallback) result {
	act := cb.ActionCallback.BlockActions[0]
	team, enterprise := bot.FirstNonEmpty(cb.Team.ID, cb.View.TeamID, cb.User.TeamID), bot.FirstNonEmpty(cb.Team.EnterpriseID, cb.Enterprise.ID)
	switch act.ActionID {
	case actionHomeOpenRequest:
		return a.openModal(cb, modalMeta{})
	case actionHomeNewProject:
		return a.openNewProject(cb, team) // newproject.go
	case actionHomeLogTime:
		return a.openLogTime(cb, team, enterprise) // logtime.go
	case actionHomePeople:
		return a.openPeople(cb, team) // peopleform.go
	case actionHomeRefresh:
		return result{after: func(ctx context.Context) { a.publishHome(ctx, team, enterprise, cb.User.ID) }}
	}
	o := origin{ev: bot.Event{Platform: bot.PlatformSlack, Workspace: team, SourceID: clickSource(cb, act)}}
	u, err := a.user(ctx, team, enterprise, cb.User.ID)
	if err != nil {
		o.ev.User = bot.User{ID: cb.User.ID}
		return result{after: func(ctx context.Context) { a.tellPrivately(ctx, o, []bot.Message{bot.ErrorReply(err)}) }}
	}
	o.ev.User = u
	cmd, args, err := bot.ParseLine(act.Value)
	if err != nil {
		return result{after: func(ctx context.Context) {
			a.tellPrivately(ctx, o, []bot.Message{bot.ErrorReply(bot.Errorf(bot.EInvalid, "that button does nothing here"))})
		}}
	}
	o.ev.Command, o.ev.Args = cmd, args
	// What a click says publicly about a request belongs in its thread; the
	// rest (and anything without a thread to go to) comes to the person.
	var toThread, toPerson []bot.Message
	for _, m := range a.router.Dispatch(ctx, o.ev) {
		if !m.Ephemeral && !m.IsError && m.RequestNumber != 0 {
			toThread = append(toThread, m)
		} else {
			toPerson = append(toPerson, m)
		}
	}
	return result{after: func(ctx context.Context) {
		var inThread []bot.Message
		for _, m := range toThread {
			r, err := a.request(ctx, team, m.RequestNumber)
			if err != nil || r.Channel == "" || r.Thread == "" {
				toPerson = append(toPerson, m)
				continue
			}
			m.Channel, m.Thread = r.Channel, r.Thread
			inThread = append(inThread, m)
		}
		if a.cfg.Outbox != nil {
			// Queued under the click's key: the click handled again posts nothing twice.
			inThread = a.enqueue(ctx, o, inThread)
		}
		for _, m := range inThread {
			if _, _, err := a.post(ctx, bot.Destination{Platform: bot.PlatformSlack, Workspace: team}, m.Channel, m.Thread, m); err != nil {
				toPerson = append(toPerson, m)
			}
		}
		a.tellPrivately(ctx, o, toPerson)
		a.publishHome(ctx, team, enterprise, cb.User.ID)
	}}
}

// direct handles what someone types in the Messages tab (their DM with the
// bot): "mspbot time 45m #1042" (or "/mspbot …") runs the command, anything
// else opens a request, and a reply
// in a request's thread is a comment, as in an intake channel. Nothing typed
// there goes unanswered.
func (a *Adapter) direct(ctx context.Context, outer slackevents.EventsAPIEvent, ev *slackevents.MessageEvent) (result, error) {
	m := posted{team: outer.TeamID, enterprise: outer.EnterpriseID, channel: ev.Channel, ts: ev.TimeStamp,
		thread: ev.ThreadTimeStamp, user: ev.User, text: strings.TrimSpace(plainText(ev.Text))}
	if m.text == "" {
		return result{}, nil
	}
	if m.isReply() {
		if ok, err := a.comment(ctx, m); ok || err != nil {
			return result{}, err
		}
	}
	// Slack will not send a message starting with a "/" that is no slash
	// command, so "mspbot time 45m" (or "/mspbot time 45m") runs /time here.
	for _, prefix := range []string{"/" + bot.SlashNamespace + " ", bot.SlashNamespace + " "} {
		if len(m.text) > len(prefix) && strings.EqualFold(m.text[:len(prefix)], prefix) {
			m.text = "/" + strings.TrimSpace(m.text[len(prefix):])
			break
		}
	}
	return a.open(ctx, m, true)
}
