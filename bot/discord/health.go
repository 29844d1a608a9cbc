package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Gateway health. discordgo reconnects by itself, forever, even when Discord
// closes every session at once (4004: the token was reset; 4014: the MESSAGE
// CONTENT intent is off). Then nothing reaches the bot, so /readyz must fail
// and the log must say what to fix. On every disconnect the token is checked
// over REST (GET /users/@me): 401 means the token is refused for good. A
// gateway down longer than Config.LostAfter without a READY or RESUMED counts
// as lost too, with the close codes to look for in the log.

// defaultLostAfter is how long the gateway may stay down before /readyz fails.
const defaultLostAfter = 2 * time.Minute

type gatewayHealth struct {
	downSince time.Time // zero while connected
	refused   error     // the token was refused: lost for good
}

// gatewayUp records a READY or RESUMED: the session is live again.
func (a *Adapter) gatewayUp() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.health = gatewayHealth{}
}

// gatewayDown records a disconnect and checks the token over REST.
func (a *Adapter) gatewayDown(ctx context.Context) {
	a.mu.Lock()
	if a.health.downSince.IsZero() {
		a.health.downSince = a.cfg.Clock.Now()
	}
	a.mu.Unlock()
	_, err := a.session.User("@me", discordgo.WithContext(ctx))
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		lost := errors.New("discord refuses DISCORD_BOT_TOKEN (401): it was reset or is wrong; copy the token from the Developer Portal → Bot → Reset Token and set DISCORD_BOT_TOKEN")
		a.mu.Lock()
		a.health.refused = lost
		a.mu.Unlock()
		a.log.Error("discord gateway lost for good; /readyz now fails", "fix", lost.Error())
		return
	}
	a.log.Warn("discord gateway disconnected; discordgo reconnects", "token_check_err", err)
}

// Ready reports whether the gateway can deliver events: an error once the
// token was refused, or when it has been down longer than Config.LostAfter.
// Without a bot token (interactions only) there is no gateway to lose. It is
// a web.ReadyFunc.
func (a *Adapter) Ready(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.health.refused != nil {
		return a.health.refused
	}
	if d := a.health.downSince; !d.IsZero() && a.cfg.Clock.Now().Sub(d) >= a.cfg.LostAfter {
		return fmt.Errorf("discord gateway down since %s: if the log shows close code 4004 reset DISCORD_BOT_TOKEN; "+
			"4014 means MESSAGE CONTENT is off (Developer Portal → Bot → Privileged Gateway Intents); otherwise check the network to Discord",
			d.UTC().Format(time.RFC3339))
	}
	return nil
}
