package commands_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestHelpWritesCommandsAsEachPlatformTakesThem: on Slack, Discord and the
// console, /help <command> for every command in the table prints each usage
// line the way that platform takes it (/mspbot time … on Slack, /time … on
// Discord and the console), and every alternative of every line, typed as
// printed on that platform, reaches that command and its subcommand (the
// Router's gate decides, never "is not a command"). Errors that name a
// command are spelled the same way.
func TestHelpWritesCommandsAsEachPlatformTakesThem(t *testing.T) {
	t.Parallel()
	store := storagetest.New(t)
	ctx := context.Background()
	clock := bot.NewFakeClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	router := commands.NewRouter(commands.Deps{Store: store, Clock: clock}, nil)
	var entry string
	var refusal error
	router.OnDecision(func(_ bot.Event, e string, err error) { entry, refusal = e, err })
	platforms := []struct {
		p         bot.Platform
		workspace string
		slash     string // how a command is typed: "/mspbot time" or "/time"
	}{{bot.PlatformSlack, "T1", "/mspbot "}, {bot.PlatformDiscord, "G1", "/"}, {bot.PlatformConsole, "console", "/"}}
	bare := regexp.MustCompile(`(^|[\s(])/(time|request|requests|help|project)\b`)
	tried := 0
	for _, pl := range platforms {
		user := bot.User{ID: "UMGR" + string(pl.p), Name: "mgr"}
		if _, err := commands.Assume(ctx, store, pl.p, pl.workspace, user, bot.RoleManager, ""); err != nil {
			t.Fatal(err)
		}
		run := func(command, args string) []bot.Message {
			entry, refusal = "", nil
			return router.Dispatch(ctx, bot.Event{Platform: pl.p, Workspace: pl.workspace, Channel: "C1", User: user, Command: command, Args: args})
		}
		// typed runs a line as the platform would hand it over.
		typed := func(line string) []bot.Message {
			if pl.p == bot.PlatformSlack {
				slash, text, _ := strings.Cut(line, " ")
				return run(bot.SlashCommand(slash, text))
			}
			name, args, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
			return run(name, args)
		}
		for _, c := range router.Commands() {
			if c.Internal {
				continue
			}
			msgs := typed(pl.slash + "help " + c.Name)
			if len(msgs) != 1 || msgs[0].IsError {
				t.Fatalf("%s /help %s: %+v", pl.p, c.Name, msgs)
			}
			lines := strings.Split(msgs[0].Text, "\n")
			if len(lines) != len(c.Entries()) {
				t.Fatalf("%s /help %s: %d lines for %d entries", pl.p, c.Name, len(lines), len(c.Entries()))
			}
			for i, e := range c.Entries() {
				usage, _, _ := strings.Cut(lines[i], " — ")
				for _, alt := range splitTop(usage) {
					alt = strings.TrimSpace(alt)
					if pl.p == bot.PlatformSlack && bare.MatchString(alt) {
						t.Errorf("slack: %q names a command bare", alt)
					}
					if !strings.HasPrefix(alt, pl.slash) {
						t.Errorf("%s /help %s: %q does not start %q", pl.p, c.Name, alt, pl.slash)
						continue
					}
					line := example(alt)
					typed(line)
					tried++
					if refusal != nil && strings.Contains(bot.ErrorMessage(refusal), "is not a command") || !strings.HasPrefix(entry, "/"+c.Name) {
						t.Errorf("%s: %q (from %q) reached %q: %v", pl.p, line, alt, entry, refusal)
					}
					if e.Name != "" && !e.YieldsToText && entry != "/"+c.Name+" "+e.Name && !strings.HasPrefix(e.Name, "-") {
						t.Errorf("%s: %q reached %q, want /%s %s", pl.p, line, entry, c.Name, e.Name)
					}
				}
			}
		}
		// An error that names a command names it as this platform takes it.
		msgs := typed(pl.slash + "rate 1001")
		if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "use "+pl.slash+"rate 1002 good") {
			t.Errorf("%s: error hint %+v", pl.p, msgs)
		}
	}
	t.Logf("%d usage alternatives typed as printed on 3 platforms", tried)
	if tried < 150 {
		t.Errorf("only %d usage lines tried", tried)
	}
}

// example turns a usage line into a line one could type: the first of each
// choice ("show|take" → show), placeholders filled (<number> → 1001), and
// optional parts left out.
func example(usage string) string {
	var out []string
	depth := 0
	for _, w := range strings.Fields(usage) {
		if strings.HasPrefix(w, "[") {
			depth += strings.Count(w, "[")
		}
		if depth > 0 {
			depth -= strings.Count(w, "]")
			continue
		}
		if strings.HasPrefix(w, "<") || strings.HasPrefix(w, `"<`) || strings.HasPrefix(w, "@") {
			out = append(out, "1001")
			continue
		}
		if first, _, ok := strings.Cut(w, "|"); ok && !strings.HasPrefix(w, "/") {
			w = first
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// splitTop splits a usage line at its " | " alternatives, not at the choices
// inside brackets ("[covers | project ...]").
func splitTop(usage string) []string {
	var out []string
	depth, from := 0, 0
	for i := 0; i < len(usage); i++ {
		switch usage[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case '|':
			if depth == 0 && i > 0 && usage[i-1] == ' ' {
				out = append(out, usage[from:i])
				from = i + 1
			}
		}
	}
	return append(out, usage[from:])
}
