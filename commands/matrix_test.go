package commands_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands/commandtest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestRoleMatrixOnConsole: every entry of every command's table × every role,
// through the console adapter. The console is the operator's own terminal, so
// there is no outsider or unverified person on it: they are covered on Slack
// and Discord.
func TestRoleMatrixOnConsole(t *testing.T) {
	t.Parallel()
	var checked, refused, entries atomic.Int64
	t.Run("parts", func(t *testing.T) {
		for i := range commandtest.MatrixShards {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				c, r, n := consoleMatrixPart(t, i)
				checked.Add(c)
				refused.Add(r)
				entries.Add(n)
			})
		}
	})
	if checked.Load() < 5*45 {
		t.Fatalf("only %d cases: the table shrank or the generator broke", checked.Load())
	}
	t.Logf("%d console cases from %d table entries, %d refused", checked.Load(), entries.Load(), refused.Load())
}

// consoleMatrixPart runs part i of the console matrix on a bot of its own and
// returns how many cases it checked and refused, and its table entries.
func consoleMatrixPart(t *testing.T, i int) (checked, refused, entries int64) {
	h := newHarness(t)
	var gate commandtest.Gate
	h.router.OnDecision(gate.Record)
	consoles := map[string]*console.Console{}
	for _, w := range commandtest.Matrix {
		if w.Role != "" {
			consoles[w.Name] = h.as(w.Name, w.Role, w.Client)
		}
	}
	for _, line := range commandtest.MatrixSetup {
		run(consoles["dana"], line)
	}
	cases := commandtest.Shard(commandtest.Cases(h.router.Commands()), i, commandtest.MatrixShards)
	for _, c := range cases {
		con, ok := consoles[c.Who.Name]
		if !ok {
			continue
		}
		gate = commandtest.Gate{}
		// Only a refusal must store nothing: rows are counted around those.
		rows := func() int64 {
			if c.Allowed {
				return 0
			}
			return storagetest.Rows(t, h.store)
		}
		before := rows()
		out := run(con, c.Line)
		if p := gate.Problem(c, before, rows()); p != "" {
			t.Errorf("%s %q (allowed %v): %s\n%s", c.Who.Name, c.Line, c.Allowed, p, out)
		}
		checked++
		if !c.Allowed {
			refused++
		}
	}
	return checked, refused, int64(len(cases) / len(commandtest.Matrix))
}
