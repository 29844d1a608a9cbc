package slack

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
)

// Socket Mode health. slack-go reconnects by itself after network trouble,
// but a refused app-level token (invalid_auth, token_revoked, …) ends the
// connection for good: then nothing reaches the bot, so /readyz must fail and
// the log must say which setting to fix. Other failures are retried here with
// a backoff, the connection counting as down meanwhile.

// socketFatal are the apps.connections.open errors no retry can cure, each
// with what to do about it.
var socketFatal = map[string]string{
	"invalid_auth":           "SLACK_APP_TOKEN is not a valid app-level token: create one with connections:write under Basic Information → App-Level Tokens",
	"not_authed":             "SLACK_APP_TOKEN is empty or was not sent: set it to the xapp-… app-level token",
	"token_revoked":          "SLACK_APP_TOKEN was revoked: create a new app-level token (connections:write) and set SLACK_APP_TOKEN",
	"account_inactive":       "the app or its workspace was deactivated: reinstall the app, then set SLACK_BOT_TOKEN and SLACK_APP_TOKEN again",
	"not_allowed_token_type": "SLACK_APP_TOKEN holds a bot or user token: Socket Mode needs the xapp-… app-level token",
	"invalid_token_type":     "SLACK_APP_TOKEN holds a bot or user token: Socket Mode needs the xapp-… app-level token",
}

// socketLost is the error /readyz reports once Socket Mode is gone for good.
func socketLost(err error) error {
	code := err.Error()
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		code = se.Err
	}
	if fix, ok := socketFatal[code]; ok {
		return fmt.Errorf("slack Socket Mode refused (%s): %s", code, fix)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code == 404 {
		return fmt.Errorf("slack Socket Mode refused (HTTP 404): turn Socket Mode on under the app's Socket Mode settings, or run in HTTP mode with SLACK_SIGNING_SECRET")
	}
	return nil
}

func (a *Adapter) setSocketErr(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.socketErr = err
}

// Ready reports whether the adapter can receive anything: an error once Socket
// Mode was refused for good (see socketFatal). It is a web.ReadyFunc.
func (a *Adapter) Ready(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.socketErr
}

// RunSocketMode connects over Socket Mode (SLACK_APP_TOKEN) and handles what
// arrives until ctx ends or Slack refuses the token for good (then Ready
// fails and the error names what to fix).
func (a *Adapter) RunSocketMode(ctx context.Context) error {
	backoff := a.cfg.RetryBase
	for {
		err := a.runSocket(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if lost := socketLost(err); lost != nil {
			a.setSocketErr(lost)
			a.log.Error("slack Socket Mode lost for good; /readyz now fails", "err", err, "fix", lost.Error())
			return lost
		}
		a.log.Warn("slack Socket Mode stopped; reconnecting", "err", err, "wait", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(backoff*2, time.Minute)
	}
}
