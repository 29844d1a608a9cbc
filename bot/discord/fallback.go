package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// No silent failures: a post Discord refuses for good (403: the bot may not
// see or write in that channel; 404: it was deleted) reaches the person who
// caused it by direct message instead, saying why and what to fix.

// refusedForGood reports whether err is a permanent refusal of a post.
func refusedForGood(err error) (code int, ok bool) {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		c := re.Response.StatusCode
		return c, c == http.StatusForbidden || c == http.StatusNotFound
	}
	return 0, false
}

// tellInstead sends m to user's direct messages after channel refused it. It
// reports whether it arrived.
func (a *Adapter) tellInstead(ctx context.Context, workspace, user, channel string, refusal error, m bot.Message) bool {
	code, ok := refusedForGood(refusal)
	if !ok || user == "" {
		return false
	}
	why := "the channel is gone"
	if code == http.StatusForbidden {
		why = "I lack permission there: give mspbot View Channel, Send Messages and Embed Links in that channel"
	}
	note := bot.Message{Text: fmt.Sprintf("I could not post this in <#%s> (%d): %s. Here it is privately.", channel, code, why)}
	m.Ephemeral = false
	_, err := a.Send(ctx, bot.Destination{Platform: bot.PlatformDiscord, Workspace: workspace, UserID: user}, note, m)
	if err != nil {
		a.log.Error("post refused and the person could not be told either", "user", user, "channel", channel,
			"refusal", refusal, "err", err)
		return false
	}
	a.log.Warn("post refused; told the person privately instead", "user", user, "channel", channel, "refusal", refusal)
	return true
}
