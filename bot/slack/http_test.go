package slack

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// TestSlashCommandOpensRequestAndPostsInThread: a signed /request → a row in
// Postgres → exactly one chat.postMessage into the channel, whose ts becomes
// the request's thread.
func TestSlashCommandOpensRequestAndPostsInThread(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")

	start := time.Now()
	status, ack, _ := e.slashAck("trig.1", "UTOM", "C1", "/request Outlook keeps asking for my password")
	ackTime := time.Since(start)
	if status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	// Under load the ack may go out before the request is handled: wait.
	e.adapter.Wait()
	r := e.request(1001)
	if r.Kind != bot.KindSupport || r.SourcePlatform != bot.PlatformSlack || r.Channel != "C1" || r.OpenedByName != "tom" {
		t.Fatalf("row: %+v", r)
	}
	e.adapter.Wait()
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d chat.postMessage calls; want 1", len(posts))
	}
	p := posts[0]
	if p.Form.Get("channel") != "C1" || p.Form.Get("thread_ts") != "" {
		t.Fatalf("posted to channel %q thread %q; want C1, top level", p.Form.Get("channel"), p.Form.Get("thread_ts"))
	}
	text := p.Form.Get("text")
	if !strings.Contains(text, "#1001") || !strings.Contains(text, "support") {
		t.Fatalf("posted text %q lacks #1001 / support", text)
	}
	if b := buttons(t, p); b["request.take"] != "/request take 1001" || b["request.project"] == "" || b["request.resolve"] != "/request resolve 1001" {
		t.Fatalf("buttons %v", b)
	}
	if r := e.request(1001); r.Thread != "1700000000.000001" || r.Channel != "C1" {
		t.Fatalf("request thread = %s/%s; want C1/1700000000.000001", r.Channel, r.Thread)
	}
	if late := e.fake.callsTo("response_url"); strings.TrimSpace(ack) != "" || len(late) != 0 {
		t.Fatalf("an opened request needs no private reply, got ack %q and %d through response_url", ack, len(late))
	}
	t.Logf("ack in %v; Web API calls: %d", ackTime, e.fake.count())
}

// TestForgedStaleAndOversizedRequestsRefused: nothing is parsed or stored
// unless the signature and timestamp check out; big bodies get 413.
func TestForgedStaleAndOversizedRequestsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	body := []byte("token=x&team_id=T111&channel_id=C1&user_id=UTOM&command=%2Frequest&text=Printer+jammed&trigger_id=t1")
	now := e.clock.Now().Unix()
	cases := []struct {
		name, ts, sig string
	}{
		{"forged", strconv.FormatInt(now, 10), Sign([]byte("not-the-secret"), strconv.FormatInt(now, 10), body)},
		{"stale", strconv.FormatInt(now-6*60, 10), Sign([]byte(testSecret), strconv.FormatInt(now-6*60, 10), body)},
		{"future", strconv.FormatInt(now+6*60, 10), Sign([]byte(testSecret), strconv.FormatInt(now+6*60, 10), body)},
		{"replayed with new timestamp", strconv.FormatInt(now, 10), Sign([]byte(testSecret), strconv.FormatInt(now-1, 10), body)},
		{"missing", "", ""},
	}
	for _, path := range []string{"/slack/commands", "/slack/events", "/slack/interactions"} {
		for _, c := range cases {
			req, _ := http.NewRequest(http.MethodPost, e.bot.URL+path, strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.ts != "" {
				req.Header.Set("X-Slack-Request-Timestamp", c.ts)
				req.Header.Set("X-Slack-Signature", c.sig)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d; want 401", path, c.name, resp.StatusCode)
			}
		}
	}
	big := make([]byte, MaxBody+1)
	for i := range big {
		big[i] = 'a'
	}
	resp := e.send("/slack/events", "application/json", big, nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: status %d; want 413", resp.StatusCode)
	}
	e.adapter.Wait()
	if n := e.requestCount(); n != 0 {
		t.Fatalf("%d requests stored from refused deliveries", n)
	}
	for _, m := range []string{"users.info", "chat.postMessage", "chat.postEphemeral"} {
		if n := len(e.fake.attempts(m)); n != 0 {
			t.Fatalf("refused deliveries reached Slack: %d %s calls", n, m)
		}
	}
}

// TestPublishedVectorsAcceptedOverHTTP: the exact bytes and signatures Slack
// and slack-go publish pass the HTTP endpoints when the clock is at their time.
func TestPublishedVectorsAcceptedOverHTTP(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		if !v.Valid {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			e := newEnv(t)
			e.adapter.verify.Secret = []byte(v.Secret)
			secs, _ := strconv.ParseInt(v.Timestamp, 10, 64)
			e.clock.Set(time.Unix(secs, 0).Add(10 * time.Second))
			path := "/slack/events"
			if strings.HasPrefix(v.ContentType, "application/x-www-form-urlencoded") {
				path = "/slack/commands"
			}
			req, _ := http.NewRequest(http.MethodPost, e.bot.URL+path, strings.NewReader(v.Body))
			req.Header.Set("Content-Type", v.ContentType)
			req.Header.Set("X-Slack-Request-Timestamp", v.Timestamp)
			req.Header.Set("X-Slack-Signature", v.Expected)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				t.Fatalf("published vector refused")
			}
			e.clock.Set(time.Unix(secs, 0).Add(MaxRequestAge + time.Second))
			req, _ = http.NewRequest(http.MethodPost, e.bot.URL+path, strings.NewReader(v.Body))
			req.Header.Set("X-Slack-Request-Timestamp", v.Timestamp)
			req.Header.Set("X-Slack-Signature", v.Expected)
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("the same vector replayed later: status %d; want 401", resp.StatusCode)
			}
			e.adapter.Wait()
		})
	}
}

func TestURLVerificationAnswered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body, err := os.ReadFile("testdata/url_verification.json")
	if err != nil {
		t.Fatal(err)
	}
	resp := e.send("/slack/events", "application/json", body, nil)
	defer resp.Body.Close()
	got := make([]byte, 200)
	n, _ := resp.Body.Read(got)
	if resp.StatusCode != http.StatusOK || string(got[:n]) != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge: %d %q", resp.StatusCode, got[:n])
	}
}

// TestEventDeliveredThreeTimesOpensOneRequest: the app_mention fixture
// delivered, then retried twice (X-Slack-Retry-Num) and once more at the same
// time: one request, one post.
func TestEventDeliveredThreeTimesOpensOneRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("W222", "wanda", testTeam, bot.RoleTech, "")
	body, err := os.ReadFile("testdata/event_app_mention.json")
	if err != nil {
		t.Fatal(err)
	}
	for retry := 0; retry < 3; retry++ {
		if s := e.event(body, retry); s != http.StatusOK {
			t.Fatalf("delivery %d: status %d", retry, s)
		}
	}
	done := make(chan int, 3)
	for i := 0; i < 3; i++ {
		go func() { done <- e.event(body, 3) }()
	}
	for i := 0; i < 3; i++ {
		<-done
	}
	e.adapter.Wait()
	if n := e.requestCount(); n != 1 {
		t.Fatalf("%d requests; want 1", n)
	}
	r := e.request(1001)
	if r.Title != "Hi there!" || r.Thread != "1595926230.009600" || r.SourceID != "C111:1595926230.009600" {
		t.Fatalf("request from mention: %+v", r)
	}
	posts := e.fake.callsTo("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("%d posts; want 1", len(posts))
	}
	if p := posts[0]; p.Form.Get("channel") != "C111" || p.Form.Get("thread_ts") != "1595926230.009600" {
		t.Fatalf("posted to %q thread %q; want the mention's thread", p.Form.Get("channel"), p.Form.Get("thread_ts"))
	}
}

// TestRateLimitedPostArrivesAfterRetryAfter: Slack answers the first
// chat.postMessage with 429 Retry-After: 1; the post is retried after that
// second, not dropped, and arrives once.
func TestRateLimitedPostArrivesAfterRetryAfter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	e.fake.rateLimit("chat.postMessage", 1)
	if status, _ := e.slash("UTOM", "C1", "/request Printer on the 2nd floor is jammed"); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	e.adapter.Wait()
	tries := e.fake.attempts("chat.postMessage")
	if len(tries) != 2 || tries[0].Status != http.StatusTooManyRequests || tries[1].Status != http.StatusOK {
		t.Fatalf("attempts: %+v", tries)
	}
	if gap := tries[1].At.Sub(tries[0].At); gap < time.Second {
		t.Fatalf("retried after %v; Retry-After asked for 1s", gap)
	} else {
		t.Logf("retried after %v", gap)
	}
	if !strings.Contains(tries[1].Form.Get("text"), "#1001") {
		t.Fatalf("retried post: %q", tries[1].Form.Get("text"))
	}
	if r := e.request(1001); r.Thread == "" {
		t.Fatal("request does not follow the post's thread")
	}
}

// TestUsersMappedOnFirstContact: name, timezone and team come from users.info
// once; the second command uses the cache.
func TestUsersMappedOnFirstContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.fake.addUser("UNEW", "nina", testTeam, "Europe/Berlin")
	e.slash("UNEW", "C1", "/help")
	e.slash("UNEW", "C1", "/help")
	if n := len(e.fake.callsTo("users.info")); n != 1 {
		t.Fatalf("users.info called %d times; want 1 (cached)", n)
	}
	p, err := e.store.FindPerson(context.Background(), e.workspace(), "UNEW")
	if err != nil || p.Name != "nina" || p.Timezone != "Europe/Berlin" || p.Role != bot.RoleManager {
		t.Fatalf("person: %+v %v (first person on a fresh install is its manager)", p, err)
	}
}
