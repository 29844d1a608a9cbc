package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/storage"
)

// Team is a workspace of its own on a fake clock, whose posts are recorded:
// the fixture the nudge, SLA and digest services' tests share (each adds its
// Service beside it).
type Team struct {
	T     *testing.T
	Ctx   context.Context
	Store *storage.Store
	WS    int64
	Rec   *Recorder
	Clock *bot.FakeClock
}

// NewTeam gives t a fresh database, a console workspace and a clock at now.
func NewTeam(t *testing.T, now time.Time) *Team {
	store := New(t)
	return &Team{T: t, Ctx: context.Background(), Store: store, WS: Workspace(t, store, bot.PlatformConsole, "console"),
		Rec: &Recorder{}, Clock: bot.NewFakeClock(now)}
}

// Senders delivers everything to the recorder.
func (f *Team) Senders() bot.Senders { return bot.Senders{bot.PlatformConsole: f.Rec} }

// Person is name with role; people join when the database says, and these
// have been here a year.
func (f *Team) Person(name string, role bot.Role, tz string) bot.Person {
	f.T.Helper()
	return Member(f.T, f.Store, f.WS, name, role, tz, f.Clock.Now().AddDate(-1, 0, 0))
}

// Must fails the test on err.
func (f *Team) Must(err error) {
	f.T.Helper()
	if err != nil {
		f.T.Fatal(err)
	}
}

// Count runs a counting query on the team's database.
func (f *Team) Count(query string, args ...any) int {
	f.T.Helper()
	return Count(f.T, f.Store, query, args...)
}
