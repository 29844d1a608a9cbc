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
				fmt.Fprintf(&b, "%s — %s", c.Usage, c.Summary)
				if !ev.Caller.Role.AtLeast(c.MinRole) {
					fmt.Fprintf(&b, " (%ss and above)", c.MinRole)
				}
				b.WriteByte('\n')
			}
			return []bot.Message{{Title: "mspbot commands", Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}}, nil
		},
	}
}
