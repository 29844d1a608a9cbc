package commands_test

import (
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
	cases := commandtest.Cases(h.router.Commands())
	checked, refused := 0, 0
	for _, c := range cases {
		con, ok := consoles[c.Who.Name]
		if !ok {
			continue
		}
		gate = commandtest.Gate{}
		before := storagetest.Rows(t, h.store)
		out := run(con, c.Line)
		if p := gate.Problem(c, before, storagetest.Rows(t, h.store)); p != "" {
			t.Errorf("%s %q (allowed %v): %s\n%s", c.Who.Name, c.Line, c.Allowed, p, out)
		}
		checked++
		if !c.Allowed {
			refused++
		}
	}
	if checked < 5*45 {
		t.Fatalf("only %d cases: the table shrank or the generator broke", checked)
	}
	t.Logf("%d console cases from %d table entries, %d refused", checked, len(cases)/len(commandtest.Matrix), refused)
}
