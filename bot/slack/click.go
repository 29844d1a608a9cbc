package slack

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// clickSource is a button click's source id (bot.Event.SourceID): the same
// click handled twice — its inbox row handled again after a crash, or Slack
// sending it again — has the same id, so the command it runs applies once
// (a time entry, a take, a close are keyed by it) and its posts are queued
// once. Slack stamps each click with action_ts; with the action, the person
// and the message or view clicked on, it tells one click from every other.
// A payload without action_ts (never seen from Slack) falls back to its
// trigger_id, also unique per interaction; with neither there is no id.
func clickSource(cb slack.InteractionCallback, act *slack.BlockAction) string {
	stamp := bot.FirstNonEmpty(act.ActionTs, cb.ActionTs)
	if stamp == "" {
		if cb.TriggerID == "" {
			return ""
		}
		stamp = "trigger." + cb.TriggerID
	}
	where := bot.FirstNonEmpty(cb.Container.MessageTs, cb.Message.Timestamp, cb.Container.ViewID, cb.View.ID)
	return strings.Join([]string{"click", stamp, act.ActionID, cb.User.ID, where}, ":")
}
