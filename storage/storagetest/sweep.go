package storagetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
)

// Recorder is a bot.Sender that keeps what a sweep or job posts, for the
// tests of the timekeeping services.
type Recorder struct {
	mu   sync.Mutex
	sent []recorded
}

type recorded struct {
	to  string
	msg bot.Message
}

// Send records msgs as sent to to.UserID.
func (r *Recorder) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range msgs {
		r.sent = append(r.sent, recorded{to: to.UserID, msg: m})
	}
	return "", nil
}

// To returns the messages sent to user whose title contains title.
func (r *Recorder) To(user, title string) []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []bot.Message
	for _, s := range r.sent {
		if s.to == user && strings.Contains(s.msg.Title, title) {
			out = append(out, s.msg)
		}
	}
	return out
}

// Member returns the person name in workspace ws with role (client users are
// ACME's), creating them as first contact would, as having joined at joined.
func Member(tb testing.TB, s *storage.Store, ws int64, name string, role bot.Role, tz string, joined time.Time) bot.Person {
	tb.Helper()
	ctx := context.Background()
	p, _, _, err := s.EnsurePerson(ctx, bot.NewPerson{WorkspaceID: ws, ExternalID: name, Name: name, Timezone: tz}, false)
	if err == nil && p.Role != role {
		p, err = s.SetRole(ctx, p.ID, role, "ACME")
	}
	if err == nil {
		_, err = s.DB().Exec(`UPDATE people SET created_at = $2 WHERE id = $1`, p.ID, joined)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// Count runs a counting query and fails the test on error.
func Count(tb testing.TB, s *storage.Store, query string, args ...any) int {
	tb.Helper()
	var n int
	if err := s.DB().QueryRow(query, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
