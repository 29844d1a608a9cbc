package slack

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
)

type sigVector struct {
	Name        string `json:"name"`
	Secret      string `json:"signing_secret"`
	Timestamp   string `json:"timestamp"`
	BodyFile    string `json:"body_file"`
	Body        string `json:"body"`
	Expected    string `json:"expected_signature"`
	Presented   string `json:"presented_signature"`
	Valid       bool   `json:"valid"`
	ContentType string `json:"content_type"`
}

func loadVectors(t testing.TB) []sigVector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "signatures.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Vectors []sigVector }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	return f.Vectors
}

// TestVerifierPublishedVectors checks Sign and Verify against Slack's published
// vectors (with a clock set to each vector's time) and the negative cases.
func TestVerifierPublishedVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			body := []byte(v.Body)
			if v.BodyFile != "" {
				b, err := os.ReadFile(filepath.Join("testdata", v.BodyFile))
				if err != nil {
					t.Fatal(err)
				}
				if v.Valid && string(b) != v.Body {
					t.Fatalf("%s differs from the vector's body", v.BodyFile)
				}
			}
			sig := v.Presented
			if v.Valid {
				sig = v.Expected
				if got := Sign([]byte(v.Secret), v.Timestamp, body); got != v.Expected {
					t.Fatalf("Sign = %s; want %s", got, v.Expected)
				}
			}
			secs, _ := strconv.ParseInt(v.Timestamp, 10, 64)
			ver := Verifier{Secret: []byte(v.Secret), Clock: bot.NewFakeClock(time.Unix(secs, 0).Add(30 * time.Second))}
			h := http.Header{}
			h.Set("X-Slack-Request-Timestamp", v.Timestamp)
			h.Set("X-Slack-Signature", sig)
			err := ver.Verify(h, body)
			if v.Valid && err != nil {
				t.Fatalf("valid vector refused: %v", err)
			}
			if !v.Valid && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("invalid vector: %v; want ErrBadSignature", err)
			}
			// The same valid request six minutes later is stale.
			if v.Valid {
				late := Verifier{Secret: ver.Secret, Clock: bot.NewFakeClock(time.Unix(secs, 0).Add(6 * time.Minute))}
				if err := late.Verify(h, body); !errors.Is(err, ErrStale) {
					t.Fatalf("stale request: %v; want ErrStale", err)
				}
			}
		})
	}
}

// FuzzVerifier: only the exact signature of the exact body at a fresh
// timestamp passes; anything else is refused without a panic.
func FuzzVerifier(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Secret, v.Timestamp, v.Body, v.Expected+v.Presented)
	}
	f.Add("", "", "", "")
	f.Add("s", "-1", "{}", "v0=")
	f.Add("s", "99999999999999999999", "{}", "v0=00")
	f.Fuzz(func(t *testing.T, secret, ts, body, sig string) {
		now := time.Unix(1531420618, 0)
		ver := Verifier{Secret: []byte(secret), Clock: bot.NewFakeClock(now)}
		err := ver.check(ts, sig, []byte(body))
		if err == nil {
			if sig != Sign([]byte(secret), ts, []byte(body)) || secret == "" {
				t.Fatalf("accepted a wrong signature %q", sig)
			}
			secs, perr := strconv.ParseInt(ts, 10, 64)
			if perr != nil || now.Sub(time.Unix(secs, 0)).Abs() > MaxRequestAge {
				t.Fatalf("accepted timestamp %q", ts)
			}
		}
		if secret != "" {
			good := Sign([]byte(secret), "1531420618", []byte(body))
			if err := ver.check("1531420618", good, []byte(body)); err != nil {
				t.Fatalf("refused its own signature: %v", err)
			}
			if err := ver.check("1531420618", good, []byte(body+"x")); err == nil {
				t.Fatal("accepted a changed body")
			}
		}
	})
}
