package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// The Home tab's "Log time" form: how long, on which of my open requests
// (picked, not typed), and a note. Submitting runs /time through the Router
// as the person, exactly as typing "/mspbot time 45m #1042 note" would; a
// refusal (a duration it cannot read) shows beside the field.

const (
	actionHomeLogTime = "home.log_time"
	viewLogTime       = "log_time_modal"
	noRequest         = "-"
)

// openLogTime opens the form with the person's open requests to pick from.
func (a *Adapter) openLogTime(cb slack.InteractionCallback, team, enterprise string) result {
	return result{after: func(ctx context.Context) {
		var mine []bot.Request
		if u, err := a.user(ctx, team, enterprise, cb.User.ID); err == nil {
			// Which requests are "mine" is the Router's to say, like any action.
			msgs, err := a.router.Run(ctx, bot.Event{Platform: bot.PlatformSlack, Workspace: team, User: u, Command: "suggest", Args: "mine"})
			if err == nil && len(msgs) > 0 {
				for _, f := range msgs[len(msgs)-1].Fields {
					if n, err := strconv.ParseInt(f.Value, 10, 64); err == nil {
						mine = append(mine, bot.Request{Number: n, Title: strings.TrimPrefix(f.Label, "#"+f.Value+" ")})
					}
				}
			}
		}
		err := a.retry(ctx, "views.open", func(ctx context.Context) error {
			_, err := a.api.OpenViewContext(ctx, cb.TriggerID, logTimeView(mine))
			return err
		})
		if err != nil {
			a.log.Error("log time form not opened", "user", cb.User.ID, "err", err)
		}
	}}
}

func logTimeView(mine []bot.Request) slack.ModalViewRequest {
	plain := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	dur := slack.NewPlainTextInputBlockElement(plain("45m, 1h30, 1.5h"), "duration")
	dur.MaxLength = 20
	note := slack.NewPlainTextInputBlockElement(plain("What you did"), "note")
	note.Multiline, note.MaxLength = true, 1000
	blocks := []slack.Block{slack.NewInputBlock("duration", plain("How long"), nil, dur)}
	if len(mine) > 0 {
		opts := []*slack.OptionBlockObject{slack.NewOptionBlockObject(noRequest, plain("None (internal time)"), nil)}
		for _, r := range mine {
			opts = append(opts, slack.NewOptionBlockObject(fmt.Sprint(r.Number), plain(clipRunes(fmt.Sprintf("#%d %s", r.Number, r.Title), 75)), nil))
		}
		pick := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("One of your open requests"), "target", opts...)
		target := slack.NewInputBlock("target", plain("On"), nil, pick)
		target.Optional = true
		blocks = append(blocks, target)
	}
	noteBlock := slack.NewInputBlock("note", plain("Note"), nil, note)
	noteBlock.Optional = true
	blocks = append(blocks, noteBlock)
	return slack.ModalViewRequest{Type: slack.VTModal, CallbackID: viewLogTime, Title: plain("Log time"),
		Submit: plain("Log"), Close: plain("Cancel"), Blocks: slack.Blocks{BlockSet: blocks}}
}

// logTimeSubmission runs /time with what the form holds.
func (a *Adapter) logTimeSubmission(ctx context.Context, cb slack.InteractionCallback) result {
	val := func(block string) slack.BlockAction {
		if cb.View.State == nil {
			return slack.BlockAction{}
		}
		return cb.View.State.Values[block][block]
	}
	dur := strings.TrimSpace(val("duration").Value)
	if dur == "" || strings.ContainsAny(dur, "\"#") {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"duration": "How long, e.g. 45m or 1h30."})}
	}
	args := dur
	if n := val("target").SelectedOption.Value; n != "" && n != noRequest {
		args += " #" + n
	} else {
		args += " --non-billable"
	}
	if note := strings.TrimSpace(val("note").Value); note != "" {
		args += " " + quoteArg(note)
	}
	team := bot.FirstNonEmpty(cb.Team.ID, cb.View.TeamID, cb.User.TeamID)
	enterprise := bot.FirstNonEmpty(cb.Team.EnterpriseID, cb.Enterprise.ID)
	u, err := a.user(ctx, team, enterprise, cb.User.ID)
	if err != nil {
		return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"duration": bot.ErrorMessage(err)})}
	}
	// The view's id keys the entry: the submission handled again after a crash
	// (entry stored, inbox row not yet done) logs nothing twice.
	o := origin{ev: bot.Event{Platform: bot.PlatformSlack, Workspace: team, User: u, Command: "time", Args: args,
		SourceID: "view:" + cb.View.ID}}
	msgs := a.router.Dispatch(ctx, o.ev)
	for _, m := range msgs {
		if m.IsError {
			return result{ack: slack.NewErrorsViewSubmissionResponse(map[string]string{"duration": clip(m.Text, 1000)})}
		}
	}
	return result{after: func(ctx context.Context) {
		a.tellPrivately(ctx, o, msgs) // no channel: the person's DM
		a.publishHome(ctx, team, enterprise, cb.User.ID)
	}}
}
