package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
	"github.com/mspbot/mspbot/web"
)

const (
	appID   = "775799577604522054"
	guildID = "290926798626357999"
	chanID  = "645027906669510667"
)

// call is one REST request the fake Discord received.
type call struct {
	Method, Path string
	Body         []byte
	At           time.Time
	Status       int // 0: answered normally
}

// fakeDiscord is Discord's REST API on loopback: it records every call and
// answers with the shapes discordgo expects. limit429 makes the next matching
// calls fail with 429 and a retry_after.
type fakeDiscord struct {
	*httptest.Server
	mu       sync.Mutex
	calls    []call
	seq      int
	limit429 map[string]int // "POST /api/v9/channels/X/messages" -> how many 429s to give
	fail500  map[string]int // the same, for 500s
	messages map[string]string

	// rejected are the calls refused for breaking Discord's documented limits
	// (limits_test.go); the test fails at cleanup unless allowRejects is set.
	rejected     []string
	allowRejects bool

	// tokenRefused makes GET users/@me answer 401, as for a reset bot token.
	tokenRefused bool
	// forbidden are channels the bot may not post in: 403 Missing Access.
	forbidden map[string]bool
	// dmsClosed refuses every direct message: 403 "Cannot send messages to
	// this user" (someone who allows no DMs from server members).
	dmsClosed bool
	// nonces are the messages created with enforce_nonce, by channel and
	// nonce: Discord returns the first to a repeat instead of creating another.
	nonces map[string]string
}

func newFakeDiscord(t testing.TB) *fakeDiscord {
	f := &fakeDiscord{limit429: map[string]int{}, fail500: map[string]int{}, messages: map[string]string{}, forbidden: map[string]bool{},
		nonces: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.allowRejects {
			for _, r := range f.rejected {
				t.Errorf("fake Discord refused a call, as Discord would: %s", r)
			}
		}
	})
	return f
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	key := r.Method + " " + r.URL.Path
	if f.limit429[key] > 0 {
		f.limit429[key]--
		f.calls = append(f.calls, call{r.Method, r.URL.Path, body, time.Now(), http.StatusTooManyRequests})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"message":"You are being rate limited.","retry_after":0.25,"global":false}`))
		return
	}
	if f.fail500[key] > 0 {
		f.fail500[key]--
		f.calls = append(f.calls, call{r.Method, r.URL.Path, body, time.Now(), http.StatusInternalServerError})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"message":"500: Internal Server Error","code":0}`))
		return
	}
	if problems := checkREST(r.Method, r.URL.Path, r.Header.Get("Content-Type"), body); len(problems) > 0 {
		f.calls = append(f.calls, call{r.Method, r.URL.Path, body, time.Now(), http.StatusBadRequest})
		f.rejected = append(f.rejected, key+": "+strings.Join(problems, "; "))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": problems})
		return
	}
	if parts := strings.Split(r.URL.Path, "/"); r.Method == "POST" && len(parts) == 6 && parts[5] == "messages" && f.dmsClosed && strings.HasPrefix(parts[4], "dm") {
		f.calls = append(f.calls, call{r.Method, r.URL.Path, body, time.Now(), http.StatusForbidden})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"Cannot send messages to this user","code":50007}`))
		return
	}
	if parts := strings.Split(r.URL.Path, "/"); r.Method == "POST" && len(parts) == 6 && parts[5] == "messages" && f.forbidden[parts[4]] {
		f.calls = append(f.calls, call{r.Method, r.URL.Path, body, time.Now(), http.StatusForbidden})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"Missing Access","code":50001}`))
		return
	}
	f.calls = append(f.calls, call{r.Method, r.URL.Path, body, time.Now(), 0})
	f.seq++
	id := strconv.Itoa(900000 + f.seq)
	f.mu.Unlock()

	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/api/v9/"), "/")
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	refused := f.tokenRefused
	f.mu.Unlock()
	switch {
	case refused && r.Method == "GET" && r.URL.Path == "/api/v9/users/@me":
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message":"401: Unauthorized","code":0}`))
	case r.Method == "GET" && r.URL.Path == "/api/v9/users/@me":
		fmt.Fprintf(w, `{"id":%q,"username":"mspbot","bot":true}`, appID)
	case r.Method == "DELETE":
		w.WriteHeader(http.StatusNoContent)
	case parts[0] == "applications" && r.Method == "PUT":
		w.Write(body) // the commands as registered
	case parts[0] == "channels" && len(parts) == 3 && r.Method == "POST": // channels/{c}/messages
		var sent struct {
			Nonce        string `json:"nonce"`
			EnforceNonce bool   `json:"enforce_nonce"`
		}
		_ = json.Unmarshal(body, &sent)
		if sent.EnforceNonce && sent.Nonce != "" {
			f.mu.Lock()
			if first, seen := f.nonces[parts[1]+"/"+sent.Nonce]; seen {
				id = first // the message created before; nothing new
			} else {
				f.nonces[parts[1]+"/"+sent.Nonce] = id
			}
			f.mu.Unlock()
		}
		fmt.Fprintf(w, `{"id":"m%s","channel_id":%q,"content":""}`, id, parts[1])
	case parts[0] == "channels" && len(parts) == 5 && parts[4] == "threads":
		fmt.Fprintf(w, `{"id":"th%s","type":11,"parent_id":%q,"name":"t"}`, id, parts[1])
	case parts[0] == "channels" && len(parts) == 4 && r.Method == "GET": // a message
		f.mu.Lock()
		content := f.messages[parts[3]]
		f.mu.Unlock()
		fmt.Fprintf(w, `{"id":%q,"channel_id":%q,"content":%q,"author":{"id":"53908099506183680","username":"Mason"}}`, parts[3], parts[1], content)
	case parts[0] == "users" && r.Method == "POST": // users/@me/channels
		fmt.Fprintf(w, `{"id":"dm%s","type":1}`, id)
	case parts[0] == "webhooks":
		fmt.Fprintf(w, `{"id":"w%s","channel_id":%q,"content":""}`, id, chanID)
	case parts[0] == "interactions":
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Write([]byte(`{}`))
	}
}

// Calls returns the calls whose "METHOD path" contains sub.
func (f *fakeDiscord) Calls(sub string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if strings.Contains(c.Method+" "+c.Path, sub) {
			out = append(out, c)
		}
	}
	return out
}

// env is one adapter on a fresh database, its interactions endpoint mounted on
// the real web server, talking to a fake Discord.
type env struct {
	t      testing.TB
	store  *storage.Store
	router *bot.Router
	a      *discord.Adapter
	fake   *fakeDiscord
	http   *httptest.Server
	priv   ed25519.PrivateKey
	clock  *bot.FakeClock
	seq    int
}

// signedAt is the fixture vectors' timestamp; the adapter's clock is set to it.
const signedAt = 1700000000

type envOpt func(*discord.Config, *commands.Deps, *[]bot.Command)

func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	store := storagetest.New(t)
	fake := newFakeDiscord(t)
	clock := bot.NewFakeClock(time.Unix(signedAt, 0))
	d := commands.Deps{Store: store, Clock: clock, Log: slog.New(slog.DiscardHandler)}
	cfg := discord.Config{AppID: appID, PublicKey: fixtureKeys(t).pubHex, BotToken: "test-token", GuildID: guildID, Inbox: store,
		APIURL: fake.URL, Store: store, Clock: clock, Log: slog.New(slog.DiscardHandler), Budget: 2 * time.Second}
	var extra []bot.Command
	for _, o := range opts {
		o(&cfg, &d, &extra)
	}
	dir := commands.NewDirectoryFor(d)
	router := bot.NewRouter(append(commands.List(d), extra...), dir, d.Log, nil)
	cfg.Router, cfg.Directory = router, dir
	a, err := discord.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a.SetBotUser("775799577604522054")
	srv := web.NewServer("127.0.0.1:0", store.Ready, web.NewMetrics(), slog.New(slog.DiscardHandler))
	srv.Handle("POST /discord/interactions", a)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	t.Cleanup(func() { a.Close() })
	return &env{t: t, store: store, router: router, a: a, fake: fake, http: hs, priv: fixtureKeys(t).priv, clock: clock}
}

type keys struct {
	pubHex string
	priv   ed25519.PrivateKey
	vecs   []struct {
		Name, Timestamp, BodyFile, SignatureHex string
		Valid                                   bool
	}
}

func fixtureKeys(t testing.TB) keys {
	t.Helper()
	var f struct {
		PublicKeyHex      string `json:"public_key_hex"`
		PrivateKeySeedHex string `json:"private_key_seed_hex"`
		Vectors           []struct {
			Name         string `json:"name"`
			Timestamp    string `json:"timestamp"`
			BodyFile     string `json:"body_file"`
			SignatureHex string `json:"signature_hex"`
			Valid        bool   `json:"valid"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(readFixture(t, "signatures.json"), &f); err != nil {
		t.Fatal(err)
	}
	seed, err := hex.DecodeString(f.PrivateKeySeedHex)
	if err != nil {
		t.Fatal(err)
	}
	k := keys{pubHex: f.PublicKeyHex, priv: ed25519.NewKeyFromSeed(seed)}
	for _, v := range f.Vectors {
		k.vecs = append(k.vecs, struct {
			Name, Timestamp, BodyFile, SignatureHex string
			Valid                                   bool
		}{v.Name, v.Timestamp, v.BodyFile, v.SignatureHex, v.Valid})
	}
	return k
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// post sends a body to the interactions endpoint with the given signature headers.
func (e *env) post(body []byte, ts, sigHex string) (int, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.http.URL+"/discord/interactions", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if ts != "" {
		req.Header.Set("X-Signature-Timestamp", ts)
	}
	if sigHex != "" {
		req.Header.Set("X-Signature-Ed25519", sigHex)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode == http.StatusOK && out != nil {
		// The answer is an interaction response: Discord refuses it whole when
		// it breaks a limit, so the test does too.
		var l dcLimits
		l.response(out)
		for _, p := range l.problems {
			e.t.Errorf("Discord would refuse this interaction response: %s", p)
		}
	}
	return resp.StatusCode, out
}

// signed sends a body signed with the fixture's test key at the clock's time.
func (e *env) signed(body []byte) (int, map[string]any) {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	sig := ed25519.Sign(e.priv, append([]byte(ts), body...))
	return e.post(body, ts, hex.EncodeToString(sig))
}

// person is a Discord user the tests act as.
type person struct{ ID, Name string }

// interaction builds an interaction body of the fixture's shape.
func (e *env) interaction(typ int, who person, data any, extra map[string]any) []byte {
	e.t.Helper()
	e.seq++
	in := map[string]any{
		"type": typ, "id": fmt.Sprintf("8000000000000%05d", e.seq), "application_id": appID,
		"token": fmt.Sprintf("tok-%d", e.seq), "guild_id": guildID, "channel_id": chanID, "version": 1,
		"member": map[string]any{"user": map[string]any{"id": who.ID, "username": who.Name}, "nick": nil, "roles": []string{}},
		"data":   data,
	}
	for k, v := range extra {
		in[k] = v
	}
	b, err := json.Marshal(in)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *env) lastToken() string { return fmt.Sprintf("tok-%d", e.seq) }

// assume gives a Discord user a role in the test guild.
func (e *env) assume(p person, role bot.Role, client string) {
	e.t.Helper()
	if _, err := commands.Assume(context.Background(), e.store, bot.PlatformDiscord, guildID, bot.User{ID: p.ID, Name: p.Name}, role, client); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) ws() int64 {
	e.t.Helper()
	return storagetest.Workspace(e.t, e.store, bot.PlatformDiscord, guildID)
}

func (e *env) request(n int64) bot.Request {
	e.t.Helper()
	return storagetest.Request(e.t, e.store, e.ws(), n)
}

func (e *env) countRequests() int {
	e.t.Helper()
	return storagetest.OpenRequests(e.t, e.store, e.ws())
}

// text flattens a response or a REST body into the words a person reads.
func text(v any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"content", "title", "description", "name", "value", "label"} {
				if s, ok := x[k].(string); ok {
					b.WriteString(s + "\n")
				}
			}
			for _, k := range []string{"data", "embeds", "fields", "components"} {
				if c, ok := x[k]; ok {
					walk(c)
				}
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return b.String()
}

func jsonMap(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return m
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// flags returns a response's data.flags.
func flags(resp map[string]any) int {
	d, _ := resp["data"].(map[string]any)
	return num(d["flags"])
}

// commandData is an application command's data with options.
func commandData(name string, opts ...map[string]any) map[string]any {
	if opts == nil {
		opts = []map[string]any{}
	}
	return map[string]any{"id": "771825006014889984", "type": 1, "name": name, "options": opts}
}

func opt(name string, typ int, value any) map[string]any {
	return map[string]any{"name": name, "type": typ, "value": value}
}

func subOpt(name string, opts ...map[string]any) map[string]any {
	if opts == nil {
		opts = []map[string]any{}
	}
	return map[string]any{"name": name, "type": 1, "options": opts}
}

// restart builds a second adapter on the same database and fake, as after a
// process restart: nothing in memory carries over.
func (e *env) restart() *env {
	e.t.Helper()
	d := commands.Deps{Store: e.store, Clock: e.clock, Log: slog.New(slog.DiscardHandler)}
	dir := commands.NewDirectory(e.store, nil)
	router := bot.NewRouter(commands.List(d), dir, d.Log, nil)
	a, err := discord.New(discord.Config{AppID: appID, PublicKey: fixtureKeys(e.t).pubHex, BotToken: "test-token",
		GuildID: guildID, APIURL: e.fake.URL, Store: e.store, Clock: e.clock, Router: router, Directory: dir, Inbox: e.store})
	if err != nil {
		e.t.Fatal(err)
	}
	srv := web.NewServer("127.0.0.1:0", e.store.Ready, web.NewMetrics(), slog.New(slog.DiscardHandler))
	srv.Handle("POST /discord/interactions", a)
	hs := httptest.NewServer(srv.Handler())
	e.t.Cleanup(hs.Close)
	e2 := *e
	e2.a, e2.router, e2.http = a, router, hs
	return &e2
}

// Answered returns the calls to exactly "METHOD path" that were not refused.
func (f *fakeDiscord) Answered(key string) []call {
	var out []call
	for _, c := range f.Exact(key) {
		if c.Status == 0 {
			out = append(out, c)
		}
	}
	return out
}

// Exact returns the calls to exactly "METHOD path".
func (f *fakeDiscord) Exact(key string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Method+" "+c.Path == key {
			out = append(out, c)
		}
	}
	return out
}
