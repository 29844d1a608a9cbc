package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/intake"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// stalledStore is the real store whose inbox commits wait for release: Postgres stalled.
type stalledStore struct {
	*storage.Store
	entered chan struct{}
	release chan struct{}
}

func (s *stalledStore) AppendInbox(ctx context.Context, items []storage.InboxItem) ([]int64, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.Store.AppendInbox(ctx, items)
}

// With Postgres stalled and the queue full, a slash command is told at once
// to try again and an event gets 503 (Slack retries it); nothing is stored
// for them. Once Postgres is back the deliveries that were queued are stored.
func TestOverloadAnswersFastAndStoresNothing(t *testing.T) {
	t.Parallel()
	real := storagetest.New(t)
	store := &stalledStore{Store: real, entered: make(chan struct{}, 16), release: make(chan struct{})}
	fake := newFakeSlack(t, testTeam, testBot)
	clock := bot.NewFakeClock(time.Now().Truncate(time.Second))
	router := commands.NewRouter(commands.Deps{Store: real, Clock: clock, Log: testLog()}, nil)
	a := New(Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.apiURL(), Clock: clock, Log: testLog(),
		Intake: intake.Options{Queue: 1, Writers: 1}}, router, commands.NewDirectory(real, nil), store)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	e := &env{t: t, store: real, fake: fake, adapter: a, bot: srv, clock: clock}
	released := false
	release := func() {
		if !released {
			released = true
			close(store.release)
		}
	}
	t.Cleanup(func() { release(); srv.Close(); a.Close() })
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")

	// The writer takes the first command and stalls on the commit; the second
	// fills the queue of one.
	statuses := make(chan int, 2)
	go func() { s, _, _ := e.slashAck("trig.1", "UTOM", "C1", "/request first"); statuses <- s }()
	<-store.entered
	go func() { s, _, _ := e.slashAck("trig.2", "UTOM", "C1", "/request second"); statuses <- s }()
	for a.inbox.Stats().Queued < 1 {
		time.Sleep(time.Millisecond) // polling for the condition: the queue is full
	}
	start := time.Now()
	_, text := e.slashWith("trig.busy", "UTOM", "C1", "/request third")
	took := time.Since(start)
	if !strings.Contains(text, "try again") {
		t.Fatalf("slash command under overload got %q; want the busy answer", text)
	}
	// The commit stays stalled, so any answer shows Submit did not wait for
	// it; the bound is Slack's own: an ack later than 3 s is a failure.
	if took > 3*time.Second {
		t.Fatalf("busy answer took %v", took)
	}
	body, err := json.Marshal(map[string]any{"type": "event_callback", "team_id": testTeam, "event_id": "Ev-busy",
		"event": map[string]any{"type": "app_mention", "user": "UTOM", "text": "<@W111> help", "channel": "C1", "ts": "1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := e.event(body, 0); s != http.StatusServiceUnavailable {
		t.Fatalf("event under overload: status %d; want 503", s)
	}
	release()
	for range 2 {
		if s := <-statuses; s != http.StatusOK {
			t.Fatalf("queued command: status %d", s)
		}
	}
	a.Wait()
	rows, err := real.InboxRows(context.Background(), string(bot.PlatformSlack))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if strings.Contains(r.Key, "Ev-busy") {
			t.Fatalf("the refused event was stored: %+v", rows)
		}
	}
	if n := e.requestCount(); n < 2 {
		t.Fatalf("%d requests; want the two queued commands opened", n)
	}
}
