package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// helpCommand lists the commands it is given; the registry hands it the full list
// so /help can never fall out of date.
func helpCommand(list func() []bot.Command) bot.Command {
	return bot.Command{
		Name:    "help",
		Usage:   "/help [command]",
		Summary: "every command with one-line usage",
		MinRole: bot.RoleClient,
		Args:    []bot.Arg{{Name: "command", Kind: bot.ArgWord, Help: "one command's subcommands and who may use them, e.g. project"}},
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			var b strings.Builder
			if name, _ := firstWord(ev.Args); name != "" {
				// /help project: the command's table, as the Router enforces it.
				for _, c := range list() {
					if c.Name == strings.ToLower(strings.TrimPrefix(name, "/")) && !c.Internal {
						for _, e := range c.Entries() {
							line(&b, ev.Caller.Role, e.Usage, e.Summary, e.MinRole)
						}
						return []bot.Message{{Title: "/" + c.Name, Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}}, nil
					}
				}
				return nil, bot.Errorf(bot.ENotFound, "there is no /%s; /help lists the commands", name)
			}
			for _, c := range list() {
				if !c.Internal {
					line(&b, ev.Caller.Role, c.Usage, c.Summary, c.MinRole)
				}
			}
			b.WriteString("/help <command> shows each of its subcommands and who may use them.\n")
			return []bot.Message{{Title: "mspbot commands", Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}}, nil
		},
	}
}

// line writes one /help line, saying the role needed when the caller lacks it.
func line(b *strings.Builder, caller bot.Role, usage, summary string, min bot.Role) {
	b.WriteString(usage)
	if summary != "" {
		fmt.Fprintf(b, " — %s", summary)
	}
	if !caller.AtLeast(min) {
		fmt.Fprintf(b, " (%ss and above)", min)
	}
	b.WriteByte('\n')
}
