// Figures from one short run, 2026-11-25: go test -run '^$' -benchtime 200x
// -benchmem -bench BenchmarkSignedSlashCommand ./bot/slack/, on a shared
// 2-core AMD EPYC VM with Postgres and the fake Slack on loopback while other
// engineers worked on the same machine. Absolute times there are noisy; read
// the ratios. ns/op is the ack latency seen by the sender (loopback HTTP
// round trip, body read in full); the chat.postMessage after the ack is not
// timed.
//
//	SignedSlashCommand/baseline-healthz          96,997 ns/op    63 allocs/op
//	SignedSlashCommand/baseline-bad-signature   146,680 ns/op   111 allocs/op
//	SignedSlashCommand/help                   1,431,770 ns/op   308 allocs/op
//	SignedSlashCommand/request                6,514,447 ns/op   680 allocs/op
//	  request / healthz       = 67.2x
//	  request / bad-signature = 44.4x
//	  request / help          =  4.55x
//	  bad-signature / healthz =  1.51x, help / healthz = 14.8x

package slack

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// benchSlack wraps the test harness (newEnv: real Postgres, the fake Slack,
// the adapter's HTTP endpoints on loopback) with a trivial handler on a
// loopback server of its own as the floor.
type benchSlack struct {
	adapter *Adapter
	fake    *fakeSlack
	url     string
	floor   string
	clock   *bot.FakeClock
	client  *http.Client
	seq     int
}

func newBenchSlack(b *testing.B) *benchSlack {
	b.Helper()
	e := newEnv(b)
	e.person("UTOM", "tom", testTeam, bot.RoleTech, "")
	if _, err := e.store.CreateClient(context.Background(), e.workspace(), "ACME", "ACME Corp"); err != nil {
		b.Fatal(err)
	}
	floor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok\n") }))
	b.Cleanup(floor.Close)
	return &benchSlack{adapter: e.adapter, fake: e.fake, url: e.bot.URL, floor: floor.URL, clock: e.clock, client: e.bot.Client()}
}

// slashBody is the form Slack posts for a slash command, with a fresh trigger_id.
func (e *benchSlack) slashBody(line string) []byte {
	e.seq++
	cmd, text, _ := strings.Cut(line, " ")
	return []byte(url.Values{
		"token": {"verification_token"}, "team_id": {testTeam}, "team_domain": {"msp"},
		"channel_id": {"C1"}, "channel_name": {"support"}, "user_id": {"UTOM"}, "user_name": {"tom"},
		"command": {cmd}, "text": {text}, "response_url": {e.fake.responseURL("UTOM")},
		"trigger_id": {fmt.Sprintf("trig.bench.%d", e.seq)},
	}.Encode())
}

// do sends one request, reads the whole reply (the ack) and checks its status.
func (e *benchSlack) do(b *testing.B, req *http.Request, want int) []byte {
	resp, err := e.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != want {
		b.Fatalf("%s %s: status %d, want %d: %s", req.Method, req.URL.Path, resp.StatusCode, want, body)
	}
	return body
}

// signedSlash is a slash command's body and signature headers, made before
// the timer runs so signing on the sender's side is not counted.
type signedSlash struct {
	body    []byte
	ts, sig string
}

// sign makes n slash command bodies cycling through lines, signed with secret.
func (e *benchSlack) sign(secret string, n int, lines ...string) []signedSlash {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	out := make([]signedSlash, n)
	for i := range out {
		body := e.slashBody(lines[i%len(lines)])
		out[i] = signedSlash{body, ts, Sign([]byte(secret), ts, body)}
	}
	return out
}

// slash posts a signed slash command.
func (e *benchSlack) slash(b *testing.B, s signedSlash, want int) []byte {
	req, err := http.NewRequest(http.MethodPost, e.url+"/slack/commands", bytes.NewReader(s.body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", s.ts)
	req.Header.Set("X-Slack-Signature", s.sig)
	return e.do(b, req, want)
}

// settle waits, off the clock, for the work the adapter starts after an ack
// (the chat.postMessage of an opened request), so it does not run into the
// next timed request.
func (e *benchSlack) settle(b *testing.B) {
	b.StopTimer()
	e.adapter.Wait()
	b.StartTimer()
}

var slackTexts = []string{
	"/request Outlook keeps asking for my password",
	"/request --client ACME Printer on the 2nd floor is jammed again",
	"/request Move the Denver office to the new building in March, 30 staff",
	"/request --priority P1 VPN is down for all our remote users",
	"/request --client ACME Replace the core switch and re-cable the server room over a weekend",
	"/request Wi-Fi in the board room drops every few minutes during calls",
}

// BenchmarkSignedSlashCommand times a signed POST /slack/commands from send to
// the ack read back in full, over loopback HTTP: signature check, form parse,
// user lookup (cached after the first), then the router (identity,
// classification, insert) for "/request …". The chat.postMessage that follows
// the ack is waited for outside the timer. Baselines in the same run: GET
// /healthz on the same server (HTTP floor), the same /request body with a bad
// signature (the 401 path: read, HMAC, refuse), and a signed "/help" (the
// whole intake with identity but no write).
func BenchmarkSignedSlashCommand(b *testing.B) {
	e := newBenchSlack(b)

	b.Run("baseline-healthz", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			req, err := http.NewRequest(http.MethodGet, e.floor+"/healthz", nil)
			if err != nil {
				b.Fatal(err)
			}
			e.do(b, req, http.StatusOK)
		}
	})
	b.Run("baseline-bad-signature", func(b *testing.B) {
		reqs := e.sign("not-the-signing-secret", b.N, slackTexts...)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			e.slash(b, reqs[i], http.StatusUnauthorized)
		}
	})
	b.Run("help", func(b *testing.B) {
		reqs := e.sign(testSecret, b.N, "/help")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if ack := e.slash(b, reqs[i], http.StatusOK); !strings.Contains(string(ack), "/request") {
				b.Fatalf("/help ack: %s", ack)
			}
			e.settle(b)
		}
	})
	b.Run("request", func(b *testing.B) {
		before := len(e.fake.callsTo("chat.postMessage"))
		reqs := e.sign(testSecret, b.N, slackTexts...)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if ack := e.slash(b, reqs[i], http.StatusOK); len(ack) != 0 {
				b.Fatalf("/request ack: %s", ack) // the request is announced publicly after the ack
			}
			e.settle(b)
		}
		b.StopTimer()
		if posted := len(e.fake.callsTo("chat.postMessage")) - before; posted != b.N {
			b.Fatalf("%d requests announced; want %d", posted, b.N)
		}
	})
}
