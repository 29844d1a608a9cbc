package slack

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands/commandtest"
)

// TestSharedTableOverSignedSlashCommands runs the cross-platform command table
// as signed slash-command HTTP requests: each person is a Slack user, "@name"
// is typed the way Slack escapes a mention, and the replies are the ack plus
// whatever was posted.
func TestSharedTableOverSignedSlashCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := map[string]string{}
	for _, p := range commandtest.People {
		id := "U" + strings.ToUpper(p.Name)
		ids[p.Name] = id
		team := testTeam
		if p.Role == bot.RoleClient {
			team = "T" + p.Client // clients are Slack Connect guests from their own workspace
		}
		e.person(id, p.Name, team, p.Role, p.Client)
	}
	dana, err := e.store.FindPerson(context.Background(), e.workspace(), ids["dana"])
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range commandtest.People {
		if p.Client != "" {
			// Each client types in their shared channel, linked to their client.
			if _, err := e.store.LinkClient(context.Background(), e.workspace(), "C"+strings.ToUpper(p.Name), p.Client, dana.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	mention := regexp.MustCompile(`@([a-z]+)`)
	for i, s := range commandtest.Steps {
		line := mention.ReplaceAllStringFunc(s.Line, func(m string) string {
			if id, ok := ids[m[1:]]; ok {
				return "<@" + id + "|" + m[1:] + ">"
			}
			return m
		})
		if cmd, text, ok := strings.Cut(line, " "); ok {
			line = cmd + " " + escapeKeepingMentions(text) // Slack escapes &, <, > around its own markup
		}
		t.Run(strings.ReplaceAll(s.As+" "+s.Line, "/", "|"), func(t *testing.T) {
			before := len(e.fake.callsTo("chat.postMessage"))
			status, out := e.slash(ids[s.As], "C"+strings.ToUpper(s.As), line)
			if status != 200 {
				t.Fatalf("step %d: status %d", i, status)
			}
			e.adapter.Wait()
			for _, p := range e.fake.callsTo("chat.postMessage")[before:] {
				out += "\n" + postedText(p)
			}
			// Replies on Slack write commands after /mspbot (bot.SpellCommands);
			// the shared scenarios name them as Discord and the console do.
			out = strings.ReplaceAll(out, "/"+bot.SlashNamespace+" ", "/")
			for _, w := range s.Want {
				if !strings.Contains(out, w) {
					t.Errorf("reply lacks %q:\n%s", w, out)
				}
			}
			for _, r := range s.Reject {
				if strings.Contains(out, r) {
					t.Errorf("reply must not contain %q:\n%s", r, out)
				}
			}
		})
	}
}

var slackMarkup = regexp.MustCompile(`<@[A-Z0-9]+\|[a-z]+>`)

// escapeKeepingMentions escapes text as Slack does, leaving mention markup alone.
func escapeKeepingMentions(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range slackMarkup.FindAllStringIndex(s, -1) {
		b.WriteString(escaper.Replace(s[last:loc[0]]))
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	b.WriteString(escaper.Replace(s[last:]))
	return b.String()
}
