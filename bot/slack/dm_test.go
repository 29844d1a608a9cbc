package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// Slack answering conversations.open "ok" without a channel (a proxy, a lax
// stand-in) is an error for that one send, not a panic in the job sending a
// digest: slack-go hands back a nil channel and no error. The load command's
// fake did exactly this, and every daily digest job panicked.
func TestDirectMessageWithoutAChannelIsAnError(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/conversations.open") {
			_, _ = w.Write([]byte(`{"ok":true}`))
			return
		}
		_, _ = w.Write([]byte(`{"ok":false,"error":"unknown_method"}`))
	}))
	defer api.Close()
	a := New(Config{BotToken: "xoxb-test", APIURL: api.URL + "/api/", Log: testLog()}, nil, nil, nil)
	_, err := a.Send(context.Background(), bot.Destination{Platform: bot.PlatformSlack, UserID: "U1"}, bot.Message{Text: "digest"})
	if err == nil || !strings.Contains(err.Error(), "without a channel") {
		t.Fatalf("send: %v; want an error naming the missing channel", err)
	}
}
