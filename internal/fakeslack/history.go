// Package fakeslack holds what the test fakes of Slack's Web API share: the
// reading of a channel's messages back (conversations.history and
// conversations.replies) the way Slack pages them. A fake that answered
// every message at once hid a search that looked at the newest hundred only.
package fakeslack

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Message is one message a fake keeps: as Slack returns it (Fields, with
// "ts" and, for a reply, "thread_ts"), and its metadata apart, since Slack
// returns that only when asked.
type Message struct {
	Fields   map[string]any
	Metadata map[string]any
}

func (m Message) ts() string     { s, _ := m.Fields["ts"].(string); return s }
func (m Message) thread() string { s, _ := m.Fields["thread_ts"].(string); return s }

// History answers conversations.history over one channel's messages (in
// any order): its top-level messages, newest first, after oldest and before
// latest (each bound included only with inclusive=true), at most limit per
// page (100 unless asked, never more than 999), continued with the cursor
// it returns.
func History(channel []Message, form url.Values) map[string]any {
	var top []Message
	for _, m := range channel {
		if th := m.thread(); th == "" || th == m.ts() {
			top = append(top, m)
		}
	}
	sort.Slice(top, func(i, j int) bool { return micros(top[i].ts()) > micros(top[j].ts()) })
	return page(top, form, 100, 999, func(ts, cursor int64) bool { return ts < cursor })
}

// Replies answers conversations.replies: the thread of form's ts (its
// parent's or one of its replies') in one channel's messages, its parent first and the replies oldest first, bounded
// and paged as History (up to 1,000 per page).
func Replies(channel []Message, form url.Values) map[string]any {
	// A reply's ts names its thread too.
	parent := form.Get("ts")
	for _, m := range channel {
		if m.ts() == parent && m.thread() != "" {
			parent = m.thread()
		}
	}
	var thread []Message
	for _, m := range channel {
		if m.ts() == parent || m.thread() == parent {
			thread = append(thread, m)
		}
	}
	if len(thread) == 0 {
		return map[string]any{"ok": false, "error": "thread_not_found"}
	}
	sort.Slice(thread, func(i, j int) bool { return micros(thread[i].ts()) < micros(thread[j].ts()) })
	return page(thread, form, 1000, 1000, func(ts, cursor int64) bool { return ts > cursor })
}

// page answers one page of ordered messages: those within form's bounds and
// past its cursor (after says whether a ts comes after the cursor's in this
// order), at most limit.
func page(ordered []Message, form url.Values, defaultLimit, maxLimit int, after func(ts, cursor int64) bool) map[string]any {
	limit, err := strconv.Atoi(form.Get("limit"))
	if err != nil || limit <= 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	inclusive := form.Get("inclusive") == "true" || form.Get("inclusive") == "1"
	oldest, latest := micros(form.Get("oldest")), micros(form.Get("latest"))
	var cursor int64 = -1
	if c := form.Get("cursor"); c != "" {
		raw, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			return map[string]any{"ok": false, "error": "invalid_cursor"}
		}
		cursor = micros(string(raw))
	}
	within := func(ts int64) bool {
		if form.Get("oldest") != "" && (ts < oldest || ts == oldest && !inclusive) {
			return false
		}
		if form.Get("latest") != "" && (ts > latest || ts == latest && !inclusive) {
			return false
		}
		return cursor < 0 || after(ts, cursor)
	}
	out := []any{}
	more, last := false, ""
	for _, m := range ordered {
		if !within(micros(m.ts())) {
			continue
		}
		if len(out) == limit {
			more = true
			break
		}
		msg := map[string]any{}
		for k, v := range m.Fields {
			msg[k] = v
		}
		if m.Metadata != nil && (form.Get("include_all_metadata") == "true" || form.Get("include_all_metadata") == "1") {
			msg["metadata"] = m.Metadata
		}
		out = append(out, msg)
		last = m.ts()
	}
	res := map[string]any{"ok": true, "messages": out, "has_more": more}
	if more {
		res["response_metadata"] = map[string]any{"next_cursor": base64.StdEncoding.EncodeToString([]byte(last))}
	}
	return res
}

// micros reads a Slack ts ("1700000000.000001") as microseconds; anything
// else is 0.
func micros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0
	}
	frac = (frac + "000000")[:6]
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0
	}
	return s*1_000_000 + f
}
