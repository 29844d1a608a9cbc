package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/timekeeping/digest"
)

const (
	testTeam   = "T111" // the fixtures' workspace
	testBot    = "W111" // the fixtures' authed user: the bot
	testSecret = "test-signing-secret"
)

// env is a bot wired to a real fresh Postgres and a fake Slack, serving the
// adapter's HTTP endpoints on loopback.
type env struct {
	t       testing.TB
	store   *storage.Store
	fake    *fakeSlack
	adapter *Adapter
	bot     *httptest.Server
	clock   *bot.FakeClock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, storagetest.New(t), newFakeSlack(t, testTeam, testBot), nil)
}

// newEnvOn is newEnv on a given database and fake Slack (a second bot
// instance, or the same bot after a restart); edit adjusts the adapter's Config.
func newEnvOn(t testing.TB, store *storage.Store, fake *fakeSlack, edit func(*Config)) *env {
	t.Helper()
	clock := bot.NewFakeClock(time.Now().Truncate(time.Second))
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("MSPBOT_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	senders := bot.Senders{} // the adapter joins once built, as in cmd/mspbot
	cfg := Config{BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: fake.apiURL(), Clock: clock, Log: log,
		RetryBase: 20 * time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	// The commands queue their other messages through the adapter's outbox, as in cmd/mspbot.
	d := commands.Deps{Store: store, Clock: clock, Log: log, Senders: senders, Outbox: cfg.Outbox,
		Digest: commands.DigestOptions{Sections: []digest.SectionSource{commands.SatisfactionDigest(store)}}}
	router := commands.NewRouter(d, nil)
	a := New(cfg, router, commands.NewDirectory(store, nil), store)
	senders[bot.PlatformSlack] = a
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &env{t: t, store: store, fake: fake, adapter: a, bot: srv, clock: clock}
}

// person adds a Slack user to the fake and gives them a role in the workspace
// (an empty role leaves them to first contact).
func (e *env) person(id, name, team string, role bot.Role, client string) {
	e.t.Helper()
	e.fake.addUser(id, name, team, "America/Denver")
	if role == "" {
		return
	}
	if _, err := commands.Assume(context.Background(), e.store, bot.PlatformSlack, testTeam,
		bot.User{ID: id, Name: name}, role, client); err != nil {
		e.t.Fatalf("assume %s: %v", name, err)
	}
}

// send posts a body signed the way Slack signs, with the clock's time.
func (e *env) send(path, contentType string, body []byte, header http.Header) *http.Response {
	e.t.Helper()
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, e.bot.URL+path, strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", Sign([]byte(testSecret), ts, body))
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// slash types a slash command as user in channel and returns the HTTP status
// and the ephemeral reply, decoded: the ack's, or, when the ack went out
// before the reply was ready (a loaded machine, see inbox.go), what the
// adapter then sent to this command's response_url.
func (e *env) slash(user, channel, line string) (int, string) {
	e.t.Helper()
	return e.slashWith(fmt.Sprintf("trig.%d.%s", time.Now().UnixNano(), user), user, channel, line)
}

// slashWith is slash with a given trigger_id: the same one twice is the same
// command delivered twice.
func (e *env) slashWith(trigger, user, channel, line string) (int, string) {
	e.t.Helper()
	status, ack, respURL := e.slashAck(trigger, user, channel, line)
	if status != http.StatusOK || strings.TrimSpace(ack) != "" {
		return status, ack
	}
	// An empty ack: either the command has no private reply, or the reply is
	// on its way through response_url. Wait for the adapter, then look.
	e.adapter.Wait()
	path := strings.TrimPrefix(respURL, e.fake.srv.URL)
	e.fake.mu.Lock()
	defer e.fake.mu.Unlock()
	for _, c := range e.fake.calls {
		if c.Method == "response_url" && c.Path == path && c.Status == http.StatusOK {
			ack += responseText(e.t, c)
		}
	}
	return status, ack
}

// responseText decodes a response_url message as slash decodes an ack.
func responseText(t testing.TB, c apiCall) string {
	blocks := ""
	if b, ok := c.JSON["blocks"]; ok && b != nil {
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		blocks = string(raw)
	}
	return unescaper.Replace(fmt.Sprint(c.JSON["text"]) + "\n" + blocks)
}

// slashAck sends the command and returns the status, the ack's decoded text
// and the command's own response_url (unique per trigger, so a late reply
// can be told from another command's).
func (e *env) slashAck(trigger, user, channel, line string) (int, string, string) {
	e.t.Helper()
	cmd, text, _ := strings.Cut(line, " ")
	respURL := e.fake.responseURL(user + "/" + url.PathEscape(trigger))
	form := url.Values{
		"token": {"verification_token"}, "team_id": {testTeam}, "team_domain": {"msp"},
		"channel_id": {channel}, "channel_name": {"support"}, "user_id": {user}, "user_name": {user},
		"command": {cmd}, "text": {text}, "response_url": {respURL},
		"trigger_id": {trigger},
	}
	resp := e.send("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var ack struct {
		ResponseType string          `json:"response_type"`
		Text         string          `json:"text"`
		Blocks       json.RawMessage `json:"blocks"`
	}
	if len(raw) > 0 && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &ack); err != nil {
			e.t.Fatalf("ack is not JSON: %q", raw)
		}
		if ack.ResponseType != "ephemeral" {
			e.t.Fatalf("slash ack response_type = %q; want ephemeral", ack.ResponseType)
		}
	}
	if len(raw) == 0 {
		return resp.StatusCode, "", respURL
	}
	return resp.StatusCode, unescaper.Replace(ack.Text + "\n" + string(ack.Blocks)), respURL
}

// event delivers an Events API envelope, optionally as retry n.
func (e *env) event(body []byte, retry int) int {
	e.t.Helper()
	h := http.Header{}
	if retry > 0 {
		h.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		h.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	resp := e.send("/slack/events", "application/json", body, h)
	resp.Body.Close()
	return resp.StatusCode
}

// interact delivers an interactivity payload; it returns the status and ack body.
func (e *env) interact(payload any) (int, string) {
	e.t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		e.t.Fatal(err)
	}
	form := url.Values{"payload": {string(raw)}}
	resp := e.send("/slack/interactions", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (e *env) workspace() int64 {
	e.t.Helper()
	return storagetest.Workspace(e.t, e.store, bot.PlatformSlack, testTeam)
}

func (e *env) request(n int64) bot.Request {
	e.t.Helper()
	return storagetest.Request(e.t, e.store, e.workspace(), n)
}

func (e *env) requestCount() int {
	e.t.Helper()
	return storagetest.OpenRequests(e.t, e.store, e.workspace())
}

// fixture reads a JSON fixture into a generic map for tests to adapt.
func fixture(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
