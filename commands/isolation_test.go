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
	h := newHarness(t)
	dana := h.as("dana", bot.RoleManager, "")
	wile := h.as("wile", bot.RoleClient, "ACME")
	hank := h.as("hank", bot.RoleClient, "GLOBEX")
	for _, line := range []string{
		"/request --client ACME Printer ACMEMARK is jammed",                                          // #1001
		"/request --client GLOBEX VPN GLOBEXMARK is down",                                            // #1002
		`/project new ACME "ACMEMARK move" --start 2030-01-07 --end 2030-03-29 --budget 10h`,         // P1
		`/project new GLOBEX "GLOBEXMARK firewall" --start 2030-01-07 --end 2030-03-29 --budget 10h`, // P2
		`/lessons add P2 "GLOBEXMARK went well" "GLOBEXMARK do differently"`,
		"/request take 1002",
	} {
		if out := run(dana, line); strings.Contains(out, "Not allowed") || strings.Contains(out, "went wrong") {
			t.Fatalf("setup %q: %s", line, out)
		}
	}
	run(hank, "/request GLOBEXMARK the printer in Springfield too") // #1003, GLOBEX's own
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
	leaks := func(what, out string) {
		// Every GLOBEX record carries GLOBEXMARK (and #1003 Springfield): a
		// list, search, card or button that shows one shows the mark.
		for _, mark := range []string{"GLOBEX", "Springfield"} {
			if strings.Contains(out, mark) {
				t.Errorf("%s shows %q to ACME's user:\n%s", what, mark, out)
			}
		}
	}
	lines := []string{"/suggest number", "/suggest number 100", "/suggest client", "/suggest client G", "/requests", "/project", "/help"}
	for _, c := range commandtest.Cases(h.router.Commands()) {
		if c.Who.Name != "wile" || !c.Allowed {
			continue
		}
		lines = append(lines, c.Line)
		// The same entry aimed at GLOBEX's records: refused as if they did not exist.
		other := strings.NewReplacer(" 1001", " 1002", " P1", " P2").Replace(c.Line)
		lines = append(lines, other, strings.Replace(other, "1002", "1003", 1), strings.Replace(c.Line, "matrix check", "GLOBEX", 1))
	}
	for _, line := range lines {
		name, args, err := bot.ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		ev := bot.Event{Platform: bot.PlatformConsole, Workspace: console.Workspace, Channel: "console", User: wile.User, Command: name, Args: args}
		out := show(h.router.Dispatch(ctx, ev))
		// A refusal may repeat what was typed; anything else it says must not be GLOBEX's.
		out = strings.ReplaceAll(out, strings.TrimPrefix(line, "/"+name+" "), "")
		leaks(line, out)
	}
	if len(lines) < 20 {
		t.Fatalf("only %d lines: the table shrank or the generator broke", len(lines))
	}
}
