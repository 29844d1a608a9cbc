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
		Usage:   "/help",
		Summary: "every command with one-line usage",
		MinRole: bot.RoleClient,
		Handler: func(ctx context.Context, ev bot.Event) ([]bot.Message, error) {
			var b strings.Builder
			for _, c := range list() {
				if c.Internal {
					continue
				}
				if c.Handler != nil || len(c.Subs) == 0 {
					line(&b, ev.Caller.Role, c.Usage, c.Summary, c.MinRole)
				}
				// Subcommands are read from the same table the Router enforces.
				for _, s := range c.Subs {
					line(&b, ev.Caller.Role, "  "+s.Usage, s.Summary, s.MinRole)
				}
			}
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
