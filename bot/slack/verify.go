package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mspbot/mspbot/bot"
)

// MaxRequestAge is how old a signed request may be. Older ones are refused, so
// a captured request cannot be replayed later.
const MaxRequestAge = 5 * time.Minute

// Errors Verify returns; all of them mean 401.
var (
	ErrNoSignature  = errors.New("slack: missing X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrBadTimestamp = errors.New("slack: request timestamp is not a number")
	ErrStale        = errors.New("slack: request timestamp is more than 5 minutes from now")
	ErrBadSignature = errors.New("slack: signature does not match")
)

// Verifier checks Slack's v0 request signatures: hex HMAC-SHA256 of
// "v0:" + timestamp + ":" + raw body under the app's signing secret.
type Verifier struct {
	Secret []byte
	Clock  bot.Clock // the timestamp window is measured against it
}

// Verify checks a request's signature headers against its raw body. It does
// nothing else with the body, so it runs before any parsing.
func (v Verifier) Verify(h http.Header, body []byte) error {
	return v.check(h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature"), body)
}

func (v Verifier) check(ts, sig string, body []byte) error {
	if ts == "" || sig == "" || len(v.Secret) == 0 {
		return ErrNoSignature
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ErrBadTimestamp
	}
	now := v.Clock.Now()
	if d := now.Sub(time.Unix(secs, 0)); d > MaxRequestAge || d < -MaxRequestAge || secs <= 0 {
		return ErrStale
	}
	want := Sign(v.Secret, ts, body)
	// hmac.Equal compares in constant time; lengths leak nothing secret.
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return ErrBadSignature
	}
	return nil
}

// Sign returns the X-Slack-Signature value for a timestamp and body. Tests and
// fakes use it to sign requests the way Slack does.
func Sign(secret []byte, ts string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("v0:" + ts + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}
