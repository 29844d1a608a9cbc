package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mspbot/mspbot/internal/fakeslack"
)

// fakeSlack is Slack's Web API (and a Socket Mode websocket) on loopback. It
// records every call exactly as received so tests can assert on them.
type fakeSlack struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	calls    []apiCall
	users    map[string]fakeUser
	messages map[string]map[string]any // channel/ts → message, for conversations.history
	limited  map[string]int            // method → how many 429s to answer before serving
	failing  map[string]int            // method → how many 500s to answer before serving
	nextTS   int
	// tsSeconds is the second every post's ts is in (1700000000 unless a
	// test needs posts dated now).
	tsSeconds int64
	nextFile  int
	files     map[string]*fakeFile // file id → file, from files.getUploadURLExternal on
	botUserID string
	team      string
	shared    map[string][]string // channel → the outside teams it is shared with (Slack Connect)

	// rejected are the calls refused for breaking Slack's documented limits
	// (limits_test.go); the test fails at cleanup unless allowRejects is set.
	rejected     []string
	allowRejects bool

	// appTokenError, when set, is what apps.connections.open answers
	// (invalid_auth: the app-level token was revoked).
	appTokenError string
	// notIn are channels the bot is not a member of: posting there answers
	// not_in_channel, as Slack does.
	notIn map[string]bool

	// Socket Mode
	envelopes chan []byte
	acks      chan map[string]any
}

type fakeUser struct {
	Name, Team, TZ string
	Restricted     bool // a guest account of the workspace (is_restricted)
}

// fakeFile is a file on its way through the external upload flow.
type fakeFile struct {
	Name     string
	Length   int
	Data     []byte // once posted to its upload URL
	Uploaded bool
	Shared   bool // once completed
}

type apiCall struct {
	Method string
	Path   string         // the URL path called (a response_url's tells commands apart)
	Form   url.Values     // form-encoded calls
	JSON   map[string]any // JSON calls (views.open, response_url)
	Upload *fakeUpload    // a file posted to an upload URL
	At     time.Time
	Status int
}

// methodUpload names, in the calls, a POST to an upload URL.
const methodUpload = "upload"

// fakeUpload is a file as posted to its upload URL.
type fakeUpload struct {
	ID         string // the file id in the URL
	Filename   string // the multipart file's name
	Data       []byte
	Authorized bool // carried the bot token
}

func parseUpload(t testing.TB, r *http.Request, body []byte) *fakeUpload {
	up := &fakeUpload{Authorized: r.Header.Get("Authorization") == "Bearer xoxb-test"}
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		t.Errorf("fake upload: content type %q: %v", r.Header.Get("Content-Type"), err)
		return up
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			if err != io.EOF {
				t.Errorf("fake upload: %v", err)
			}
			return up
		}
		if p.FormName() == "file" {
			up.Filename = p.FileName()
			up.Data, _ = io.ReadAll(p)
		}
	}
}

func newFakeSlack(t testing.TB, team, botUser string) *fakeSlack {
	f := &fakeSlack{t: t, users: map[string]fakeUser{}, shared: map[string][]string{}, messages: map[string]map[string]any{},
		limited: map[string]int{}, failing: map[string]int{}, files: map[string]*fakeFile{}, notIn: map[string]bool{}, nextTS: 1, tsSeconds: 1700000000, nextFile: 1, team: team, botUserID: botUser,
		envelopes: make(chan []byte, 16), acks: make(chan map[string]any, 16)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.allowRejects {
			for _, r := range f.rejected {
				t.Errorf("fake Slack refused a call, as Slack would: %s", r)
			}
		}
	})
	return f
}

// fail makes the next n calls of method answer 500.
func (f *fakeSlack) fail(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failing[method] = n
}

func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

func (f *fakeSlack) responseURL(id string) string { return f.srv.URL + "/response/" + id }

func (f *fakeSlack) addUser(id, name, team, tz string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[id] = fakeUser{Name: name, Team: team, TZ: tz}
}

// addGuest adds a guest account of the workspace itself (is_restricted).
func (f *fakeSlack) addGuest(id, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[id] = fakeUser{Name: name, Team: f.team, TZ: "UTC", Restricted: true}
}

func (f *fakeSlack) addMessage(channel, ts string, msg map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	msg["ts"] = ts
	f.messages[channel+"/"+ts] = msg
}

// rateLimit makes the next n calls of method answer 429 with Retry-After: 1.
func (f *fakeSlack) rateLimit(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[method] = n
}

// callsTo returns the successful calls of a method, in order.
func (f *fakeSlack) callsTo(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method && c.Status == http.StatusOK {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) attempts(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ws" {
		f.serveSocket(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	c := apiCall{At: time.Now(), Status: http.StatusOK, Path: r.URL.Path}
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/"):
		c.Method = strings.TrimPrefix(r.URL.Path, "/api/")
	case strings.HasPrefix(r.URL.Path, "/response/"):
		c.Method = "response_url"
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		// The URL files.getUploadURLExternal handed out: the file's bytes, multipart.
		c.Method = methodUpload
		c.Upload = parseUpload(f.t, r, body)
		c.Upload.ID = strings.TrimPrefix(r.URL.Path, "/upload/")
	default:
		http.NotFound(w, r)
		return
	}
	if c.Upload != nil {
		// parsed above
	} else if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(body, &c.JSON)
	} else {
		c.Form, _ = url.ParseQuery(string(body))
		for k, v := range r.URL.Query() { // GET methods such as chat.getPermalink
			c.Form[k] = v
		}
	}
	f.mu.Lock()
	if f.limited[c.Method] > 0 {
		f.limited[c.Method]--
		c.Status = http.StatusTooManyRequests
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		http.Error(w, "rate limited", http.StatusTooManyRequests)
		return
	}
	if f.failing[c.Method] > 0 {
		f.failing[c.Method]--
		c.Status = http.StatusInternalServerError
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var resp map[string]any
	if problems, slackErr := checkCall(c); len(problems) > 0 {
		// Slack answers 200 with ok:false; the call is kept, marked refused.
		c.Status = http.StatusBadRequest
		f.rejected = append(f.rejected, c.Method+": "+strings.Join(problems, "; "))
		resp = map[string]any{"ok": false, "error": slackErr, "response_metadata": map[string]any{"messages": problems}}
	} else {
		resp = f.answer(c)
	}
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if c.Method == "response_url" && c.Status != http.StatusOK {
		w.WriteHeader(c.Status) // a response_url answers a refusal with a 4xx
	}
	_ = json.NewEncoder(w).Encode(resp)
}

// answer builds the Web API response; f.mu is held.
func (f *fakeSlack) answer(c apiCall) map[string]any {
	ok := map[string]any{"ok": true}
	switch c.Method {
	case "auth.test":
		return map[string]any{"ok": true, "team_id": f.team, "user_id": f.botUserID, "bot_id": "B0BOT", "team": "MSP"}
	case "users.info":
		id := c.Form.Get("user")
		u, found := f.users[id]
		if !found {
			return map[string]any{"ok": false, "error": "user_not_found"}
		}
		return map[string]any{"ok": true, "user": map[string]any{"id": id, "name": u.Name, "team_id": u.Team,
			"tz": u.TZ, "is_restricted": u.Restricted, "real_name": strings.ToUpper(u.Name), "profile": map[string]any{"display_name": u.Name}}}
	case "conversations.info":
		ch := c.Form.Get("channel")
		return map[string]any{"ok": true, "channel": map[string]any{"id": ch, "is_ext_shared": len(f.shared[ch]) > 0,
			"connected_team_ids": f.shared[ch], "shared_team_ids": append([]string{f.team}, f.shared[ch]...)}}
	case "chat.postMessage", "chat.postEphemeral":
		if f.notIn[c.Form.Get("channel")] {
			return map[string]any{"ok": false, "error": "not_in_channel"}
		}
		if c.Method == "chat.postEphemeral" {
			return map[string]any{"ok": true, "message_ts": "1700000000.999999"}
		}
		ts := fmt.Sprintf("%d.%06d", f.tsSeconds, f.nextTS)
		f.nextTS++
		// Kept, as Slack keeps it, for conversations.history and .replies.
		msg := map[string]any{"type": "message", "ts": ts, "text": c.Form.Get("text"), "bot_id": "B111", "user": testBot}
		if th := c.Form.Get("thread_ts"); th != "" {
			msg["thread_ts"] = th
		}
		if raw := c.Form.Get("metadata"); raw != "" {
			var meta map[string]any
			if json.Unmarshal([]byte(raw), &meta) == nil {
				msg["metadata"] = meta
			}
		}
		f.messages[c.Form.Get("channel")+"/"+ts] = msg
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": ts}
	case "chat.update":
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"), "ts": c.Form.Get("ts")}
	case "chat.getPermalink":
		return map[string]any{"ok": true, "channel": c.Form.Get("channel"),
			"permalink": "https://msp.example.slack.com/archives/" + c.Form.Get("channel") + "/p" + strings.ReplaceAll(c.Form.Get("message_ts"), ".", "")}
	case "conversations.history", "conversations.replies":
		// Paged as Slack pages them (internal/fakeslack); metadata only when
		// asked for.
		var channel []fakeslack.Message
		for key, m := range f.messages {
			if ch, _, _ := strings.Cut(key, "/"); ch != c.Form.Get("channel") {
				continue
			}
			fields := map[string]any{}
			for k, v := range m {
				if k != "metadata" {
					fields[k] = v
				}
			}
			meta, _ := m["metadata"].(map[string]any)
			channel = append(channel, fakeslack.Message{Fields: fields, Metadata: meta})
		}
		if c.Method == "conversations.history" {
			return fakeslack.History(channel, c.Form)
		}
		return fakeslack.Replies(channel, c.Form)
	case "conversations.open":
		return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + strings.TrimPrefix(c.Form.Get("users"), "U")}}
	case "views.open":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V1"}}
	case "files.getUploadURLExternal":
		length, err := strconv.Atoi(c.Form.Get("length"))
		if c.Form.Get("filename") == "" || err != nil || length <= 0 {
			return map[string]any{"ok": false, "error": "invalid_arguments"}
		}
		id := fmt.Sprintf("F%06d", f.nextFile)
		f.nextFile++
		f.files[id] = &fakeFile{Name: c.Form.Get("filename"), Length: length}
		return map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload/" + id, "file_id": id}
	case methodUpload:
		file, found := f.files[c.Upload.ID]
		if !found || !c.Upload.Authorized || len(c.Upload.Data) != file.Length {
			return map[string]any{"ok": false, "error": "bad_upload"}
		}
		file.Data, file.Uploaded = c.Upload.Data, true
		return ok
	case "files.completeUploadExternal":
		var list []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		if err := json.Unmarshal([]byte(c.Form.Get("files")), &list); err != nil || len(list) == 0 {
			return map[string]any{"ok": false, "error": "invalid_arguments"}
		}
		var out []any
		for _, l := range list {
			file, found := f.files[l.ID]
			if !found || !file.Uploaded {
				return map[string]any{"ok": false, "error": "file_not_found"}
			}
			file.Shared = true
			out = append(out, map[string]any{"id": l.ID, "title": l.Title})
		}
		return map[string]any{"ok": true, "files": out}
	case "apps.connections.open":
		if f.appTokenError != "" {
			return map[string]any{"ok": false, "error": f.appTokenError}
		}
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"}
	}
	return ok
}

// serveSocket is Slack's Socket Mode end: it says hello, sends queued envelopes
// and collects acks.
func (f *fakeSlack) serveSocket(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		f.t.Logf("fake socket: %s: %v", r.URL, err)
		return
	}
	defer conn.Close()
	_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1,"connection_info":{"app_id":"A1"}}`))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var ack map[string]any
			if json.Unmarshal(msg, &ack) == nil {
				f.acks <- ack
			}
		}
	}()
	for {
		select {
		case env := <-f.envelopes:
			if err := conn.WriteMessage(websocket.TextMessage, env); err != nil {
				return
			}
		case <-done:
			return
		case <-r.Context().Done():
			return
		}
	}
}

// postedText is what a chat.postMessage / chat.update call showed, decoded
// from Slack's escaping: the fallback text plus every block's text.
func postedText(c apiCall) string {
	var b strings.Builder
	b.WriteString(c.Form.Get("text"))
	if raw := c.Form.Get("blocks"); raw != "" {
		b.WriteString("\n" + raw)
	}
	return unescaper.Replace(b.String())
}

// buttons returns action_id → value of the buttons in a posted message.
func buttons(t *testing.T, c apiCall) map[string]string {
	t.Helper()
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(c.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", c.Method, err)
	}
	out := map[string]string{}
	for _, bl := range blocks {
		if bl.Type == "actions" {
			for _, e := range bl.Elements {
				out[e.ActionID] = e.Value
			}
		}
	}
	return out
}
