package commands_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands"
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

// TestAdapterMatrixCoversTheTable: the subset the adapters type still sends
// every line of the role matrix through them, at its boundary (the most
// privileged person refused and the least privileged allowed), and types
// every person on many lines, allowed wherever the full matrix allows them
// somewhere, and refused wherever it refuses them somewhere.
func TestAdapterMatrixCoversTheTable(t *testing.T) {
	t.Parallel()
	cmds := commands.NewRouter(commands.Deps{}, nil).Commands()
	all, sub := commandtest.Cases(cmds), commandtest.AdapterCases(cmds)
	type line struct{ entry, line string }
	typed := map[line]map[string]bool{}
	for _, c := range sub {
		l := line{c.Entry, c.Line}
		if typed[l] == nil {
			typed[l] = map[string]bool{}
		}
		typed[l][c.Who.Name] = true
	}
	// What the full matrix says per line, and per person.
	lines := map[line][]commandtest.Case{}
	var order []line
	for _, c := range all {
		l := line{c.Entry, c.Line}
		if lines[l] == nil {
			order = append(order, l)
		}
		lines[l] = append(lines[l], c)
	}
	full := allowedRefused(all)
	level := map[string]int{}
	for i, name := range []string{"uma", "hank", "wile", "tom", "cora", "dana"} {
		level[name] = i // eve, the outsider, is uma's level: neither is known
	}
	for _, l := range order {
		if len(typed[l]) == 0 {
			t.Errorf("%s %q: not typed on the adapters", l.entry, l.line)
			continue
		}
		// The boundary: nobody more privileged is refused, nobody less
		// privileged allowed, than the ones the subset types.
		maxRefused, minAllowed := -1, 99
		for _, c := range lines[l] {
			if typed[l][c.Who.Name] && !c.Allowed {
				maxRefused = max(maxRefused, level[c.Who.Name])
			}
			if typed[l][c.Who.Name] && c.Allowed {
				minAllowed = min(minAllowed, level[c.Who.Name])
			}
		}
		for _, c := range lines[l] {
			if !c.Allowed && level[c.Who.Name] > maxRefused {
				t.Errorf("%s %q: refuses %s, but the subset's most privileged refused is below", l.entry, l.line, c.Who.Name)
			}
			if c.Allowed && level[c.Who.Name] < minAllowed {
				t.Errorf("%s %q: allows %s, but the subset's least privileged allowed is above", l.entry, l.line, c.Who.Name)
			}
		}
	}
	got := allowedRefused(sub)
	for _, w := range commandtest.Matrix {
		for k, what := range []string{"allowed", "refused"} {
			if want := min(full[w.Name][k], 7); got[w.Name][k] < want {
				t.Errorf("%s is %s on %d adapter lines; want at least %d of the %d", w.Name, what, got[w.Name][k], want, full[w.Name][k])
			}
		}
	}
	if len(sub)*2 > len(all) {
		t.Errorf("the adapters type %d of %d cases: no longer a subset worth having", len(sub), len(all))
	}
	t.Logf("adapters type %d of the %d cases, %d lines: %v", len(sub), len(all), len(order), got)
}

// allowedRefused counts, per person, the cases allowed and refused.
func allowedRefused(cases []commandtest.Case) map[string][2]int {
	out := map[string][2]int{}
	for _, c := range cases {
		n := out[c.Who.Name]
		if c.Allowed {
			n[0]++
		} else {
			n[1]++
		}
		out[c.Who.Name] = n
	}
	return out
}
