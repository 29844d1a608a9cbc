package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mspbot/mspbot/internal/fakeslack"
)

// fakeSlack is the part of Slack's Web API a bot under load calls, on
// loopback: auth.test, users.info (optionally slow, as a cold Slack can be),
// chat.postMessage / postEphemeral / update, and response_url posts. It counts
// every post by its text so a drill can tell a lost reply from a duplicate.
type fakeSlack struct {
	team string

	mu        sync.Mutex
	userDelay time.Duration
	posts     map[string]int                 // text → times posted (chat.postMessage)
	channels  map[string][]fakeslack.Message // channel → its messages, for conversations.history and .replies
	lastTS    int64                          // the last ts given, in µs: each new one is later
	responses int                            // response_url posts
	calls     map[string]int                 // method → calls
}

func newFakeSlack(team string) *fakeSlack {
	return &fakeSlack{team: team, posts: map[string]int{}, calls: map[string]int{}, channels: map[string][]fakeslack.Message{}}
}

// slowUsers makes every users.info call take d (0: answer at once).
func (f *fakeSlack) slowUsers(d time.Duration) {
	f.mu.Lock()
	f.userDelay = d
	f.mu.Unlock()
}

// postsSnapshot returns a copy of the texts posted and their counts.
func (f *fakeSlack) postsSnapshot() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.posts))
	for k, v := range f.posts {
		out[k] = v
	}
	return out
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/response/") {
		f.mu.Lock()
		f.responses++
		f.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true})
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	f.mu.Lock()
	f.calls[method]++
	delay := f.userDelay
	f.mu.Unlock()
	switch method {
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "team_id": f.team, "user_id": "UBOT", "bot_id": "BBOT", "team": "Load"})
	case "users.info":
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		id := r.Form.Get("user")
		writeJSON(w, map[string]any{"ok": true, "user": map[string]any{"id": id, "name": strings.ToLower(id),
			"team_id": loadUserTeam(id, f.team), "tz": "UTC", "profile": map[string]any{"display_name": strings.ToLower(id)}}})
	case "chat.postMessage":
		text := postText(r.Form)
		f.mu.Lock()
		f.posts[text]++
		// Kept, metadata and all, as Slack keeps it: a rerun of a delivery
		// looks for its earlier post before posting again. Timestamps are
		// the clock's, as Slack's are, each later than the last.
		f.lastTS = max(time.Now().UnixMicro(), f.lastTS+1)
		ts := fmt.Sprintf("%d.%06d", f.lastTS/1_000_000, f.lastTS%1_000_000)
		msg := fakeslack.Message{Fields: map[string]any{"type": "message", "ts": ts, "text": text, "bot_id": "BBOT", "user": "UBOT"}}
		if th := r.Form.Get("thread_ts"); th != "" {
			msg.Fields["thread_ts"] = th
		}
		if raw := r.Form.Get("metadata"); raw != "" {
			_ = json.Unmarshal([]byte(raw), &msg.Metadata)
		}
		f.channels[r.Form.Get("channel")] = append(f.channels[r.Form.Get("channel")], msg)
		f.mu.Unlock()
		writeJSON(w, map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": ts})
	case "conversations.history", "conversations.replies":
		f.mu.Lock()
		channel := f.channels[r.Form.Get("channel")]
		var res map[string]any
		if method == "conversations.history" {
			res = fakeslack.History(channel, r.Form)
		} else {
			res = fakeslack.Replies(channel, r.Form)
		}
		f.mu.Unlock()
		writeJSON(w, res)
	case "chat.postEphemeral":
		writeJSON(w, map[string]any{"ok": true, "message_ts": "1700000000.999999"})
	case "chat.update":
		writeJSON(w, map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": r.Form.Get("ts")})
	case "conversations.open":
		// A DM with the user named: the digest and requester DMs open one.
		writeJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + r.Form.Get("users")}})
	default:
		// What Slack answers for a method it does not have; a fake that said
		// ok to anything once hid a nil channel from conversations.open.
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// postText is what a post says: its text, or its blocks when it has no text.
func postText(v url.Values) string {
	if t := v.Get("text"); t != "" {
		return t
	}
	return v.Get("blocks")
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// loadTeam is the id of the load's i-th workspace.
func loadTeam(i int) string { return fmt.Sprintf("%s%03d", loadTeamPrefix, i) }

const loadTeamPrefix = "TLOAD"

// loadUser is the id of the load's k-th user in team: "U", the team id, and k.
func loadUser(team string, k int) string { return fmt.Sprintf("U%s%03d", team, k) }

// loadUserTeam is the team a loadUser id names, or fallback for any other id
// (a drill's own users). With every user in the first team, a run over many
// workspaces opened requests only for that one: the rest were handled as
// outsiders, and the workers' figures measured the refusal.
func loadUserTeam(id, fallback string) string {
	rest, ok := strings.CutPrefix(id, "U")
	teamLen := len(loadTeam(0))
	if !ok || len(rest) != teamLen+3 || !strings.HasPrefix(rest, loadTeamPrefix) {
		return fallback
	}
	return rest[:teamLen]
}
