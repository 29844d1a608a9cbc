// Figures from one short run, 2026-11-25: go test -run '^$' -benchtime 200x
// -benchmem -bench BenchmarkSignedInteraction ./bot/discord/, on a shared
// 2-core AMD EPYC VM with Postgres and the fake Discord on loopback while
// other engineers worked on the same machine. Absolute times there are noisy;
// read the ratios. ns/op is the time to the interaction response seen by the
// sender (loopback HTTP round trip, body read in full); the thread created
// after the response is not timed.
//
//	SignedInteraction/baseline-ping            231,325 ns/op   119 allocs/op
//	SignedInteraction/baseline-bad-signature   175,521 ns/op   110 allocs/op
//	SignedInteraction/help                   1,792,041 ns/op   393 allocs/op
//	SignedInteraction/request-open           6,649,674 ns/op  1056 allocs/op
//	  request-open / ping          = 28.7x
//	  request-open / bad-signature = 37.9x
//	  request-open / help          =  3.71x
//	  help / ping = 7.75x, ping / bad-signature = 1.32x

package discord_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
)

// benchDiscord wraps the test harness (newEnv: real Postgres, the fake
// Discord, the adapter mounted on the real web server over loopback).
type benchDiscord struct {
	a      *discord.Adapter
	fake   *fakeDiscord
	url    string
	priv   ed25519.PrivateKey
	clock  *bot.FakeClock
	client *http.Client
	seq    int
}

func newBenchDiscord(b *testing.B) *benchDiscord {
	b.Helper()
	e := newEnv(b)
	if _, err := commands.Assume(context.Background(), e.store, bot.PlatformDiscord, guildID,
		bot.User{ID: tom.ID, Name: tom.Name}, bot.RoleTech, ""); err != nil {
		b.Fatal(err)
	}
	ws, err := e.store.EnsureWorkspace(context.Background(), bot.PlatformDiscord, guildID, guildID)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.store.CreateClient(context.Background(), ws, "ACME", "ACME Corp"); err != nil {
		b.Fatal(err)
	}
	return &benchDiscord{a: e.a, fake: e.fake, url: e.http.URL, priv: e.priv, clock: e.clock, client: e.http.Client()}
}

// command is an application-command interaction (type 2) from tom, of the
// fixture's shape, with a fresh id and token.
func (e *benchDiscord) command(b *testing.B, data any) []byte {
	e.seq++
	body, err := json.Marshal(map[string]any{
		"type": 2, "id": fmt.Sprintf("9000000000000%05d", e.seq), "application_id": appID,
		"token": fmt.Sprintf("bench-tok-%d", e.seq), "guild_id": guildID, "channel_id": chanID, "version": 1,
		"member": map[string]any{"user": map[string]any{"id": tom.ID, "username": tom.Name}, "nick": nil, "roles": []string{}},
		"data":   data,
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// signedBody is an interaction body and its signature headers, made before
// the timer runs so signing on the sender's side is not counted.
type signedBody struct {
	body    []byte
	ts, sig string
}

// sign makes n signed bodies with key at the clock's time; body(i) gives the i-th.
func (e *benchDiscord) sign(key ed25519.PrivateKey, n int, body func(i int) []byte) []signedBody {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	out := make([]signedBody, n)
	for i := range out {
		bd := body(i)
		out[i] = signedBody{bd, ts, hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), bd...)))}
	}
	return out
}

// post sends a signed body and returns the response read back in full.
func (e *benchDiscord) post(b *testing.B, s signedBody, want int) map[string]any {
	req, err := http.NewRequest(http.MethodPost, e.url+"/discord/interactions", bytes.NewReader(s.body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Timestamp", s.ts)
	req.Header.Set("X-Signature-Ed25519", s.sig)
	resp, err := e.client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	if resp.StatusCode != want {
		b.Fatalf("status %d, want %d: %s", resp.StatusCode, want, raw)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// settle waits, off the clock, for the work started after a response (the
// thread an opened request's message gets), so it does not overlap the next
// timed request.
func (e *benchDiscord) settle(b *testing.B) {
	b.StopTimer()
	e.a.Wait()
	b.StartTimer()
}

var discordTexts = []string{
	"Outlook keeps asking for my password",
	"Printer on the 2nd floor is jammed again",
	"Move the Denver office to the new building in March, 30 staff",
	"VPN is down for all our remote users",
	"Replace the core switch and re-cable the server room over a weekend",
	"Wi-Fi in the board room drops every few minutes during calls",
}

// BenchmarkSignedInteraction times a signed POST /discord/interactions through
// the real web server to the interaction response read back in full, over
// loopback: Ed25519 check, parse, then for "/request open" the router
// (identity with the channel lookup, classification, insert) and the
// response with its buttons. The thread the request message gets afterwards is
// waited for outside the timer. Baseline in the same run: a signed PING (the
// signature check and a PONG); also a PING signed with the wrong key (the 401
// path) and a signed "/help" (identity, no write).
func BenchmarkSignedInteraction(b *testing.B) {
	e := newBenchDiscord(b)
	ping := readFixture(b, "interaction_ping.json")
	_, wrongKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("baseline-ping", func(b *testing.B) {
		reqs := e.sign(e.priv, b.N, func(int) []byte { return ping })
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if r := e.post(b, reqs[i], http.StatusOK); num(r["type"]) != 1 {
				b.Fatalf("PING answered %v", r)
			}
		}
	})
	b.Run("baseline-bad-signature", func(b *testing.B) {
		reqs := e.sign(wrongKey, b.N, func(int) []byte { return ping })
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			e.post(b, reqs[i], http.StatusUnauthorized)
		}
	})
	b.Run("help", func(b *testing.B) {
		reqs := e.sign(e.priv, b.N, func(int) []byte { return e.command(b, commandData("help")) })
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if r := e.post(b, reqs[i], http.StatusOK); !strings.Contains(text(r), "/request") {
				b.Fatalf("/help answered %v", r)
			}
			e.settle(b)
		}
	})
	b.Run("request-open", func(b *testing.B) {
		reqs := e.sign(e.priv, b.N, func(i int) []byte {
			return e.command(b, commandData("request", subOpt("open", opt("text", 3, discordTexts[i%len(discordTexts)]))))
		})
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if r := e.post(b, reqs[i], http.StatusOK); num(r["type"]) != 4 || !strings.Contains(text(r), "Opened #") {
				b.Fatalf("/request open answered %v", r)
			}
			e.settle(b)
		}
	})
}
