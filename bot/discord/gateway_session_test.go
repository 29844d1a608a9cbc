package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
)

// fakeGateway is Discord's gateway on loopback, in front of the fake REST API:
// GET /api/v9/gateway (and /gateway/bot) answer with its own ws:// URL, /gw and
// /resume are WebSocket endpoints, everything else goes to the REST fake. Each
// connection gets HELLO at once; heartbeats (op 1) are answered with op 11 by
// the connection's reader; every other frame is handed to the test, which
// plays Discord's side of the conversation step by step.
type fakeGateway struct {
	*httptest.Server
	rest  atomic.Pointer[http.Handler] // set once the env (and its REST fake) exists
	conns chan *gwConn

	mu       sync.Mutex
	lookups  int      // GET /gateway(/bot)
	paths    []string // the path each WebSocket connection came in on
	upgrader websocket.Upgrader
}

// heartbeatInterval is long enough that each connection sends exactly one
// heartbeat (discordgo sends the first as soon as the session is up), so the
// test never races a ticker.
const heartbeatInterval = 45000 // ms

func newFakeGateway(t *testing.T) *fakeGateway {
	g := &fakeGateway{conns: make(chan *gwConn, 4)}
	mux := http.NewServeMux()
	lookup := func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.lookups++
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"url":%q,"shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":0,"max_concurrency":1}}`, g.wsURL("/gw"))
	}
	mux.HandleFunc("GET /api/v9/gateway", lookup)
	mux.HandleFunc("GET /api/v9/gateway/bot", lookup)
	mux.HandleFunc("GET /gw/", g.serveWS)
	mux.HandleFunc("GET /resume/", g.serveWS)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h := g.rest.Load()
		if h == nil {
			http.Error(w, "no REST fake yet", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGateway) wsURL(path string) string {
	return "ws" + strings.TrimPrefix(g.URL, "http") + path
}

func (g *fakeGateway) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := g.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered
	}
	g.mu.Lock()
	g.paths = append(g.paths, r.URL.Path)
	g.mu.Unlock()
	c := &gwConn{ws: ws, query: r.URL.RawQuery, frames: make(chan gwFrame, 16),
		heartbeats: make(chan int64, 16), done: make(chan struct{})}
	if err := c.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": heartbeatInterval}}); err != nil {
		ws.Close()
		return
	}
	g.conns <- c
	c.read() // until the client closes or drops the connection
}

// accept waits for the client's next connection.
func (g *fakeGateway) accept(t *testing.T) *gwConn {
	t.Helper()
	select {
	case c := <-g.conns:
		return c
	case <-time.After(15 * time.Second):
		t.Fatal("the client did not connect to the gateway")
		return nil
	}
}

// gwFrame is a frame the client sent: its op and its data.
type gwFrame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
}

// gwConn is one gateway connection, seen from Discord's side.
type gwConn struct {
	ws         *websocket.Conn
	query      string
	wmu        sync.Mutex
	frames     chan gwFrame // everything but heartbeats
	heartbeats chan int64   // the sequence each heartbeat carried
	done       chan struct{}
	closeCode  atomic.Int64 // the code of the client's close frame, if it sent one
}

// send writes one uncompressed JSON text frame (discordgo asks for zlib but
// decodes text frames as plain JSON; only binary frames are inflated).
func (c *gwConn) send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(2 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

// dispatch sends an op 0 event with its sequence number.
func (c *gwConn) dispatch(t *testing.T, typ string, seq int64, d any) {
	t.Helper()
	if err := c.send(map[string]any{"op": 0, "t": typ, "s": seq, "d": d}); err != nil {
		t.Fatalf("dispatch %s: %v", typ, err)
	}
}

func (c *gwConn) read() {
	defer close(c.done)
	defer c.ws.Close()
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				c.closeCode.Store(int64(ce.Code))
			}
			return
		}
		var f gwFrame
		if json.Unmarshal(msg, &f) != nil {
			continue
		}
		if f.Op == 1 {
			var seq int64
			_ = json.Unmarshal(f.D, &seq) // null before the first dispatch
			if c.send(map[string]any{"op": 11}) != nil {
				return
			}
			c.heartbeats <- seq
			continue
		}
		c.frames <- f
	}
}

// expect waits for the client's next non-heartbeat frame and checks its op.
func (c *gwConn) expect(t *testing.T, op int) json.RawMessage {
	t.Helper()
	select {
	case f := <-c.frames:
		if f.Op != op {
			t.Fatalf("client sent op %d (%s); want op %d", f.Op, f.D, op)
		}
		return f.D
	case <-time.After(15 * time.Second):
		t.Fatalf("no op %d from the client", op)
		return nil
	}
}

// heartbeat waits for the client's next heartbeat (already answered with op 11).
func (c *gwConn) heartbeat(t *testing.T) int64 {
	t.Helper()
	select {
	case s := <-c.heartbeats:
		return s
	case <-time.After(15 * time.Second):
		t.Fatal("no heartbeat from the client")
		return 0
	}
}

// closed waits until the client has closed (or dropped) the connection.
func (c *gwConn) closed(t *testing.T, what string) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		t.Fatalf("the client did not close the %s connection", what)
	}
}

// waitGoroutines waits until no goroutine runs discordgo's gateway (listen,
// heartbeat, reconnect) or an event handler: the session is really shut, and
// every dispatch it received has been handled to the end.
func waitGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var left []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "github.com/bwmarrin/discordgo.") || strings.Contains(g, "bot/discord.(*Adapter).HandleEvent") {
				left = append(left, g)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d gateway goroutines still running after Close:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The whole gateway path against a fake Discord: Start registers the commands,
// looks the gateway up over REST, connects, identifies with the adapter's
// intents and gets READY. A MESSAGE_CREATE in an intake channel opens a
// request, posts its announcement and records its thread. Discord then asks
// the client to reconnect (op 7): it resumes with the same session and last
// sequence, Discord replays the MESSAGE_CREATE and says RESUMED, and the
// replay opens and posts nothing. Close stops every gateway goroutine.
func TestGatewaySessionEndToEnd(t *testing.T) {
	t.Parallel()
	began := time.Now()
	ctx := context.Background()
	gw := newFakeGateway(t)
	e := newEnv(t, func(cfg *discord.Config, _ *commands.Deps, _ *[]bot.Command) { cfg.APIURL = gw.URL })
	var rest http.Handler = e.fake.Config.Handler
	gw.rest.Store(&rest)
	setup := time.Since(began)

	// Connect and identify.
	const sessionID = "5f2b9c1e7d0a4e3b8c6d1a2f3e4b5c6d"
	started := make(chan error, 1)
	t0 := time.Now()
	go func() { started <- e.a.Start(ctx) }()
	c1 := gw.accept(t)
	if !strings.Contains(c1.query, "v=9") || !strings.Contains(c1.query, "encoding=json") {
		t.Errorf("gateway query %q; want v=9 and encoding=json", c1.query)
	}
	var id struct {
		Token    string           `json:"token"`
		Intents  discordgo.Intent `json:"intents"`
		Compress bool             `json:"compress"`
	}
	if err := json.Unmarshal(c1.expect(t, 2), &id); err != nil {
		t.Fatal(err)
	}
	if id.Token != "Bot test-token" {
		t.Errorf("IDENTIFY token %q; want %q", id.Token, "Bot test-token")
	}
	for _, want := range []struct {
		name string
		bit  discordgo.Intent
	}{{"GUILD_MESSAGES", 1 << 9}, {"GUILD_MESSAGE_REACTIONS", 1 << 10}, {"MESSAGE_CONTENT", 1 << 15}} {
		if id.Intents&want.bit == 0 {
			t.Errorf("IDENTIFY intents %d lack %s (%d)", id.Intents, want.name, want.bit)
		}
	}
	if id.Intents != discord.Intents {
		t.Errorf("IDENTIFY intents %d; the adapter declares %d", id.Intents, discord.Intents)
	}
	c1.dispatch(t, "READY", 1, map[string]any{
		"v": 9, "session_id": sessionID, "resume_gateway_url": gw.wsURL("/resume"),
		"user":        map[string]any{"id": appID, "username": "mspbot", "discriminator": "0", "bot": true},
		"guilds":      []map[string]any{{"id": guildID, "unavailable": true}},
		"application": map[string]any{"id": appID, "flags": 0},
	})
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("Start: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Start did not return after READY")
	}
	connected := time.Since(t0)
	if s := c1.heartbeat(t); s != 1 {
		t.Errorf("first heartbeat carried sequence %d; want 1 (READY's)", s)
	}
	if n := len(e.fake.Exact("PUT /api/v9/applications/" + appID + "/guilds/" + guildID + "/commands")); n != 1 {
		t.Errorf("%d command registrations before the gateway; want 1", n)
	}

	// The fixture message's channel takes requests.
	const intake = "290926798999357250"
	mgr := person{"53908099506183680", "Mason"}
	e.assume(mgr, bot.RoleManager, "")
	p, err := e.store.FindPerson(ctx, e.ws(), mgr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetIntake(ctx, e.ws(), intake, true, p.ID); err != nil {
		t.Fatal(err)
	}

	// The fixture MESSAGE_CREATE, as Discord sends it, with sequence 2.
	var fixture struct {
		T string         `json:"t"`
		D map[string]any `json:"d"`
	}
	if err := json.Unmarshal(readFixture(t, "gateway_message_create.json"), &fixture); err != nil {
		t.Fatal(err)
	}
	if fixture.T != "MESSAGE_CREATE" || fixture.D["channel_id"] != intake || fixture.D["guild_id"] != guildID {
		t.Fatalf("fixture is not a MESSAGE_CREATE in %s/%s: %s %v %v", guildID, intake, fixture.T, fixture.D["guild_id"], fixture.D["channel_id"])
	}
	t1 := time.Now()
	c1.dispatch(t, fixture.T, 2, fixture.D)
	var opened bot.Request
	for deadline := time.Now().Add(15 * time.Second); ; {
		r, err := e.store.RequestBySource(ctx, e.ws(), bot.PlatformDiscord, "334385199974967042")
		if err == nil && r.Thread != "" {
			opened = r
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no request with a thread from the MESSAGE_CREATE: %+v %v", r, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	handled := time.Since(t1)

	// Discord asks for a reconnect; the client resumes where it was.
	t2 := time.Now()
	if err := c1.send(map[string]any{"op": 7, "d": nil}); err != nil {
		t.Fatal(err)
	}
	c1.closed(t, "first")
	c2 := gw.accept(t)
	var resume struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(c2.expect(t, 6), &resume); err != nil {
		t.Fatal(err)
	}
	if resume.Token != "Bot test-token" || resume.SessionID != sessionID || resume.Seq != 2 {
		t.Fatalf("RESUME %+v; want the bot token, session %s and sequence 2", resume, sessionID)
	}
	// Discord replays what came after the sequence it has on record (here the
	// MESSAGE_CREATE once more: at-least-once delivery), then says RESUMED.
	c2.dispatch(t, fixture.T, 2, fixture.D)
	c2.dispatch(t, "RESUMED", 3, map[string]any{})
	// discordgo starts heartbeating only once Open has read the first frame
	// after RESUME (the replay) and spawned its handler; so from here on the
	// replay's handler exists, and waitGoroutines below waits for it to end.
	if s := c2.heartbeat(t); s < 2 {
		t.Errorf("heartbeat after the resume carried sequence %d; want at least 2", s)
	}
	resumed := time.Since(t2)

	// Close: the session ends, and with it every gateway goroutine; by then the
	// replayed MESSAGE_CREATE has been handled to the end.
	t3 := time.Now()
	if err := e.a.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	c2.closed(t, "resumed")
	waitGoroutines(t)
	closing := time.Since(t3)

	if n := e.countRequests(); n != 1 {
		t.Fatalf("%d requests after a resumed session replayed the MESSAGE_CREATE; want 1", n)
	}
	posts := e.fake.Exact("POST /api/v9/channels/" + intake + "/messages")
	if len(posts) != 1 {
		t.Fatalf("%d posts in the intake channel; want 1", len(posts))
	}
	if body := jsonMap(t, posts[0].Body); !strings.Contains(text(body), fmt.Sprintf("Opened #%d", opened.Number)) || body["message_reference"] == nil {
		t.Fatalf("post: %s", posts[0].Body)
	}
	threads := e.fake.Calls("/threads")
	r := e.request(opened.Number)
	if len(threads) != 1 || r.Thread == "" || r.Thread != opened.Thread || r.Channel != intake {
		t.Fatalf("request thread %q in %q (%d thread calls); want one thread in %s", r.Thread, r.Channel, len(threads), intake)
	}
	// The thread was started on the announcement, not on the user's message.
	if p := threads[0].Path; threads[0].Method != "POST" || !strings.HasPrefix(p, "/api/v9/channels/"+intake+"/messages/m") || !strings.HasSuffix(p, "/threads") {
		t.Fatalf("thread started by %s %s; want POST on the announcement in %s", threads[0].Method, p, intake)
	}
	if r.SourceID != "334385199974967042" || r.Body != "Supa Hot" || r.OpenedByName != "Mason" {
		t.Fatalf("request: %+v", r)
	}

	gw.mu.Lock()
	lookups, paths := gw.lookups, gw.paths
	gw.mu.Unlock()
	t.Logf("identify compress=%v (answered with text frames); gateway lookups %d, connections on %v; close codes: first %d, resumed %d",
		id.Compress, lookups, paths, c1.closeCode.Load(), c2.closeCode.Load())
	t.Logf("setup (db, env) %v; connect+identify+READY %v; MESSAGE_CREATE → request, post, thread %v; op 7 → RESUMED %v; Close %v; total %v",
		setup.Round(time.Millisecond), connected.Round(time.Millisecond), handled.Round(time.Millisecond),
		resumed.Round(time.Millisecond), closing.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
