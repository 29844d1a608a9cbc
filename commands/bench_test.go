// Figures from one short run, 2026-11-25: go test -run '^$' -benchtime 200x
// -benchmem -bench 'BenchmarkOpenRequestConsole|BenchmarkRequestsList'
// ./commands/, on a shared 2-core AMD EPYC VM with Postgres on loopback while
// other engineers worked on the same machine. Absolute times there are noisy
// (an earlier development run, before open-25 was added, gave
// baseline-open-10 1.58 ms, not 2.42 ms); read the ratios, and re-run
// before drawing conclusions.
//
//	OpenRequestConsole/baseline-help              962,709 ns/op   114 allocs/op
//	OpenRequestConsole/baseline-create-request  3,463,089 ns/op   209 allocs/op
//	OpenRequestConsole/request                  5,139,964 ns/op   515 allocs/op
//	  request / help   = 5.34x
//	  request / create = 1.48x  (identity + channel/client + classification
//	                             reads + reply on top of the insert)
//	RequestsList/baseline-open-10               2,417,560 ns/op   539 allocs/op
//	RequestsList/open-25                        1,776,522 ns/op  1158 allocs/op
//	RequestsList/open-1000                      7,467,121 ns/op  1183 allocs/op
//	  open-1000 / open-10 = 3.09x, open-1000 / open-25 = 4.20x
//	  (open-25 below open-10 is noise in this run; both list from a small table)

package commands_test

import (
	"context"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// benchTexts are requests as people type them: support and project work, some
// filed under a client, some with a priority, short and long.
var benchTexts = []string{
	"Outlook keeps asking for my password",
	"--client ACME Printer on the 2nd floor is jammed again",
	"Move the Denver office to the new building in March, 30 staff",
	"--client GLOBEX --priority P1 VPN is down for all our remote users",
	"New starter on Monday: laptop, email account and badge for Priya",
	"--client ACME Replace the core switch and re-cable the server room over a weekend",
	"Can't open the shared drive from home",
	"--priority P2 The accounting app crashes when I export to Excel",
	"--client GLOBEX Migrate 40 mailboxes from the old Exchange server to Microsoft 365 before the lease ends",
	"Wi-Fi in the board room drops every few minutes during calls, and the projector loses its connection too",
	"--client ACME Monthly patching visit for the file server",
	"Please reset MFA for jane@globex.example, she got a new phone",
}

// bare is a bench text without its leading --client/--priority options, as
// /request stores it.
func bare(text string) string {
	for strings.HasPrefix(text, "--") {
		_, text, _ = strings.Cut(text, " ")
		_, text, _ = strings.Cut(text, " ")
	}
	return text
}

// benchConsole is a console session as dana, a manager, on a fresh database
// with the clients ACME and GLOBEX.
func benchConsole(b *testing.B) (*console.Console, *storage.Store, bot.Person, int64) {
	b.Helper()
	ctx := context.Background()
	s := storagetest.New(b)
	router := commands.NewRouter(commands.Deps{Store: s}, nil)
	ws, err := s.EnsureWorkspace(ctx, bot.PlatformConsole, console.Workspace, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, code := range []string{"ACME", "GLOBEX"} {
		if _, err := s.CreateClient(ctx, ws, code, code+" Corp"); err != nil {
			b.Fatal(err)
		}
	}
	u := bot.User{ID: "dana", Name: "dana"}
	p, err := commands.Assume(ctx, s, bot.PlatformConsole, console.Workspace, u, bot.RoleManager, "")
	if err != nil {
		b.Fatal(err)
	}
	return &console.Console{Router: router, User: u}, s, p, ws
}

// BenchmarkOpenRequestConsole times "/request <text>" typed at the console:
// parse, identify the caller (workspace and person), resolve the client or the
// channel, classify (contract clauses and similar overrides are read), insert,
// and build the reply. The baselines in the same run are "/help" through the
// same path (identity, no write) and storage.CreateRequest alone with an
// already-classified request, so request/help and request/create show what
// identity + classification + the insert cost.
func BenchmarkOpenRequestConsole(b *testing.B) {
	c, s, p, ws := benchConsole(b)
	ctx := context.Background()

	b.Run("baseline-help", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			msgs := c.Handle(ctx, "/help")
			if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Text+msgs[len(msgs)-1].Title, "/request") {
				b.Fatalf("/help replied %+v", msgs)
			}
		}
	})
	b.Run("baseline-create-request", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			text := bare(benchTexts[i%len(benchTexts)])
			in := bot.Request{WorkspaceID: ws, Title: text, Body: text, Kind: bot.KindSupport, Type: "incident",
				Confidence: 0.9, Reasons: []string{`"jammed"`}, OpenedBy: p.ID, Channel: "console",
				SourcePlatform: bot.PlatformConsole}
			if _, _, err := s.CreateRequest(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("request", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			msgs := c.Handle(ctx, "/request "+benchTexts[i%len(benchTexts)])
			if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, "Opened #") {
				b.Fatalf("/request replied %+v", msgs)
			}
		}
	})
}

// BenchmarkRequestsList times "/requests" at the console with 10 open
// requests (the baseline) and with 1,000, on the same database, so the ratio
// shows how listing grows with the backlog. /requests shows at most 25, so the
// 1,000 case also renders 25 lines against 10; open-25 renders the same 25
// lines from a small table, which separates the two.
func BenchmarkRequestsList(b *testing.B) {
	c, s, p, ws := benchConsole(b)
	ctx := context.Background()
	seed := func(upTo int) {
		b.Helper()
		var have int
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM requests WHERE workspace_id = $1 AND status = 'open'`, ws).Scan(&have); err != nil {
			b.Fatal(err)
		}
		for n := have; n < upTo; n++ {
			text := bare(benchTexts[n%len(benchTexts)])
			in := bot.Request{WorkspaceID: ws, Title: text, Body: text, Kind: bot.KindSupport, Type: "incident",
				Confidence: 0.9, Reasons: []string{`"jammed"`}, OpenedBy: p.ID, Channel: "console",
				SourcePlatform: bot.PlatformConsole}
			if _, _, err := s.CreateRequest(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	}
	list := func(b *testing.B, want string) {
		for i := 0; i < b.N; i++ {
			msgs := c.Handle(ctx, "/requests")
			if len(msgs) != 1 || msgs[0].Title != want {
				b.Fatalf("/requests replied %+v", msgs)
			}
		}
	}
	seed(10)
	b.Run("baseline-open-10", func(b *testing.B) { list(b, "10 open requests") })
	seed(25)
	b.Run("open-25", func(b *testing.B) { list(b, "25 open requests") })
	seed(1000)
	b.Run("open-1000", func(b *testing.B) { list(b, "1000 open requests — showing 1–25") })
}
