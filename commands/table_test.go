package commands_test

import (
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands/commandtest"
)

// TestSharedTableOnConsole runs the cross-platform command table through the
// console adapter; bot/slack and bot/discord run the same table.
func TestSharedTableOnConsole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	consoles := map[string]*console.Console{}
	for _, p := range commandtest.People {
		consoles[p.Name] = h.as(p.Name, p.Role, p.Client)
	}
	for i, s := range commandtest.Steps {
		out := run(consoles[s.As], s.Line)
		for _, w := range s.Want {
			if !strings.Contains(out, w) {
				t.Errorf("step %d %s %q: reply lacks %q:\n%s", i, s.As, s.Line, w, out)
			}
		}
		for _, r := range s.Reject {
			if strings.Contains(out, r) {
				t.Errorf("step %d %s %q: reply must not contain %q:\n%s", i, s.As, s.Line, r, out)
			}
		}
	}
}
