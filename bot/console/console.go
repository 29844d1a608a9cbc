// Package console is the terminal adapter: a person types the same commands a
// tech types in Slack, and reads plain-text replies. It is the default adapter
// when no platform token is set, and the harness that command tests drive.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// Workspace is the workspace id every console session shares.
const Workspace = "console"

// Dispatcher is what the console sends events to (a *bot.Router).
type Dispatcher interface {
	Dispatch(ctx context.Context, ev bot.Event) []bot.Message
}

// Console reads commands line by line and prints the replies.
type Console struct {
	Router Dispatcher
	User   bot.User
	In     io.Reader
	Out    io.Writer
	// Prompt is printed before each line when set (interactive terminals).
	Prompt string
}

// Run reads until EOF or ctx ends. Blank lines and lines starting with # are skipped,
// so scripts can carry comments.
func (c *Console) Run(ctx context.Context) error {
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if c.Prompt != "" {
			fmt.Fprint(c.Out, c.Prompt)
		}
		if !sc.Scan() {
			break
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line == "/quit" || line == "/exit" {
			return nil
		}
		for _, m := range c.Handle(ctx, line) {
			fmt.Fprintln(c.Out, Render(m))
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return sc.Err()
}

// Handle runs one typed line and returns the replies.
func (c *Console) Handle(ctx context.Context, line string) []bot.Message {
	cmd, args, err := bot.ParseLine(line)
	if err != nil {
		return []bot.Message{bot.ErrorReply(err)}
	}
	return c.Router.Dispatch(ctx, bot.Event{
		Platform:  bot.PlatformConsole,
		Workspace: Workspace,
		Channel:   "console",
		User:      c.User,
		Command:   cmd,
		Args:      args,
	})
}

// Render writes a message as plain text: title, text, fields, then buttons.
func Render(m bot.Message) string {
	var b strings.Builder
	if m.Title != "" {
		fmt.Fprintf(&b, "== %s ==\n", m.Title)
	}
	if m.Text != "" {
		b.WriteString(m.Text)
		b.WriteByte('\n')
	}
	for _, f := range m.Fields {
		fmt.Fprintf(&b, "  %s: %s\n", f.Label, f.Value)
	}
	if len(m.Actions) > 0 {
		labels := make([]string, len(m.Actions))
		for i, a := range m.Actions {
			labels[i] = "[" + a.Label + "]"
		}
		b.WriteString("  " + strings.Join(labels, " ") + "\n")
	}
	for _, a := range m.Attachments {
		fmt.Fprintf(&b, "  (attachment %s, %d bytes)\n", a.Name, len(a.Data))
	}
	return strings.TrimRight(b.String(), "\n")
}

// Sender prints messages the bot starts (updates, nudges, digests) to Out, so
// scheduled work is visible when the console is the only adapter.
type Sender struct{ Out io.Writer }

// Send implements bot.Sender.
func (s Sender) Send(ctx context.Context, to bot.Destination, msgs ...bot.Message) (string, error) {
	where := to.Channel
	if where == "" {
		where = "@" + to.UserID
	}
	for _, m := range msgs {
		fmt.Fprintf(s.Out, "-> %s\n%s\n", where, Render(m))
	}
	return "", nil
}
