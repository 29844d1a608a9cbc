package commands_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
	"github.com/mspbot/mspbot/commands/commandtest"
)

// TestClientIsolation: ACME's client user runs every entry of the table a
// client may run (generated, so new ones are covered), aimed at ACME's and at
// GLOBEX's records, plus autocomplete; no reply, field, button or attachment
// may show anything of GLOBEX's.
func TestClientIsolation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dana := h.as("dana", bot.RoleManager, "")
	wile := h.as("wile", bot.RoleClient, "ACME")
	hank := h.as("hank", bot.RoleClient, "GLOBEX")
	for _, line := range commandtest.IsolationSetup {
		if out := run(dana, line); strings.Contains(out, "Not allowed") || strings.Contains(out, "went wrong") {
			t.Fatalf("setup %q: %s", line, out)
		}
	}
	run(hank, commandtest.IsolationByHank) // #1003, GLOBEX's own
	ctx := context.Background()
	show := func(msgs []bot.Message) string {
		var b strings.Builder
		for _, m := range msgs {
			fmt.Fprintf(&b, "%s\n%s\n", console.Render(m), m.Channel)
			for _, a := range m.Actions {
				fmt.Fprintf(&b, "button %s %s %s\n", a.ID, a.Value, a.Command)
			}
			for _, f := range m.Attachments {
				b.Write(f.Data)
			}
		}
		return b.String()
	}
	lines := commandtest.IsolationLines(h.router.Commands())
	for _, line := range lines {
		name, args, err := bot.ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		ev := bot.Event{Platform: bot.PlatformConsole, Workspace: console.Workspace, Channel: "console", User: wile.User, Command: name, Args: args}
		out := show(h.router.Dispatch(ctx, ev))
		if mark := commandtest.Leak(line, out); mark != "" {
			t.Errorf("%s shows %q to ACME's user:\n%s", line, mark, out)
		}
	}
	if len(lines) < 20 {
		t.Fatalf("only %d lines: the table shrank or the generator broke", len(lines))
	}
}
