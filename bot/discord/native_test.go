package discord_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/web"
)

// TestGatewayLostFailsReadyz: a disconnect with a token Discord refuses (401
// on GET users/@me, as after a reset) fails /readyz at once, naming
// DISCORD_BOT_TOKEN; a disconnect with a good token fails it only once the
// gateway has stayed down past LostAfter, and READY makes it ready again.
func TestGatewayLostFailsReadyz(t *testing.T) {
	e := newEnv(t, func(cfg *discord.Config, _ *commands.Deps, _ *[]bot.Command) { cfg.LostAfter = time.Minute })
	srv := web.NewServer("127.0.0.1:0", e.store.Ready, web.NewMetrics(), slog.New(slog.DiscardHandler))
	srv.AddReadyCheck(e.a.Ready)
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	readyz := func() (int, string) {
		resp, err := http.Get(hs.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	ctx := context.Background()

	e.a.HandleEvent(ctx, discord.EventDisconnect, nil)
	if s, body := readyz(); s != http.StatusOK {
		t.Fatalf("just disconnected, token fine: %d %s", s, body)
	}
	e.clock.Advance(2 * time.Minute)
	if s, body := readyz(); s != http.StatusServiceUnavailable || !strings.Contains(body, "4014") {
		t.Fatalf("down for 2 minutes: %d %s", s, body)
	}
	e.a.HandleEvent(ctx, "READY", []byte(`{"user":{"id":"`+appID+`"}}`))
	if s, body := readyz(); s != http.StatusOK {
		t.Fatalf("after READY: %d %s", s, body)
	}

	e.fake.mu.Lock()
	e.fake.tokenRefused = true
	e.fake.mu.Unlock()
	e.a.HandleEvent(ctx, discord.EventDisconnect, nil)
	if s, body := readyz(); s != http.StatusServiceUnavailable || !strings.Contains(body, "DISCORD_BOT_TOKEN") || !strings.Contains(body, "401") {
		t.Fatalf("token refused: %d %s", s, body)
	}
	if n := len(e.fake.Exact("GET /api/v9/users/@me")); n != 2 {
		t.Fatalf("%d token checks; want one per disconnect", n)
	}
}
