package fakeslack

import (
	"fmt"
	"net/url"
	"testing"
)

func msg(ts, thread string) Message {
	f := map[string]any{"ts": ts}
	if thread != "" {
		f["thread_ts"] = thread
	}
	return Message{Fields: f, Metadata: map[string]any{"event_type": "e"}}
}

func tss(res map[string]any) []string {
	var out []string
	for _, m := range res["messages"].([]any) {
		out = append(out, m.(map[string]any)["ts"].(string))
	}
	return out
}

// History pages a channel's top-level messages newest first, a limit at a
// time, each page continuing where the last stopped, within its bounds.
func TestHistoryPagesNewestFirst(t *testing.T) {
	var ch []Message
	for i := 250; i >= 1; i-- { // kept in any order
		ch = append(ch, msg(fmt.Sprintf("1700000000.%06d", i), ""))
	}
	ch = append(ch, msg("1700000000.000300", "1700000000.000001")) // a reply: not in history
	seen := map[string]bool{}
	form := url.Values{"limit": {"100"}}
	var pages int
	for {
		res := History(ch, form)
		pages++
		got := tss(res)
		for i, ts := range got {
			if seen[ts] || i > 0 && micros(ts) >= micros(got[i-1]) {
				t.Fatalf("page %d: %v out of order or seen before", pages, got)
			}
			seen[ts] = true
		}
		if res["has_more"] != true {
			break
		}
		form.Set("cursor", res["response_metadata"].(map[string]any)["next_cursor"].(string))
	}
	if pages != 3 || len(seen) != 250 || seen["1700000000.000300"] {
		t.Fatalf("%d pages, %d messages (reply included: %v); want 3 pages of the 250 top-level ones", pages, len(seen), seen["1700000000.000300"])
	}
	if res := History(ch, url.Values{}); len(tss(res)) != 100 {
		t.Fatalf("default page of %d; Slack's is 100", len(tss(res)))
	}
	one := History(ch, url.Values{"latest": {"1700000000.000007"}, "oldest": {"1700000000.000007"}, "inclusive": {"1"}, "limit": {"1"}})
	if got := tss(one); len(got) != 1 || got[0] != "1700000000.000007" {
		t.Fatalf("one message by its ts: %v", got)
	}
	if m := one["messages"].([]any)[0].(map[string]any); m["metadata"] != nil {
		t.Fatal("metadata returned without include_all_metadata")
	}
	with := History(ch, url.Values{"limit": {"1"}, "include_all_metadata": {"1"}})
	if m := with["messages"].([]any)[0].(map[string]any); m["metadata"] == nil {
		t.Fatal("metadata missing though asked for")
	}
	if got := tss(History(ch, url.Values{"oldest": {"1700000000.000248"}})); len(got) != 2 {
		t.Fatalf("after oldest (exclusive): %v", got)
	}
}

// Replies answers a thread, parent first, whether asked by the parent's ts
// or a reply's.
func TestRepliesAnswerTheThreadOfAnyOfItsMessages(t *testing.T) {
	ch := []Message{msg("1700000000.000003", "1700000000.000001"), msg("1700000000.000001", ""),
		msg("1700000000.000002", "1700000000.000001"), msg("1700000000.000009", "")}
	for _, ts := range []string{"1700000000.000001", "1700000000.000003"} {
		got := tss(Replies(ch, url.Values{"ts": {ts}}))
		if fmt.Sprint(got) != "[1700000000.000001 1700000000.000002 1700000000.000003]" {
			t.Fatalf("thread of %s: %v", ts, got)
		}
	}
	if res := Replies(ch, url.Values{"ts": {"1700000000.000404"}}); res["ok"] != false {
		t.Fatalf("a thread that is not there: %v", res)
	}
}
