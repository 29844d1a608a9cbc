package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/commands/commandtest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

var renderCache commandtest.RenderCache

// reviewMessages are the messages people see, fed with hostile text (one
// list for every adapter: commandtest.RenderCases), the commands' replies as
// this adapter's Router gives them to a manager.
func reviewMessages(t *testing.T) map[string]bot.Message {
	return renderCache.Get(t, func(t testing.TB) commandtest.Run {
		// This file is inside the package (render is unexported), where the
		// end-to-end harness is not: a Router on a database of its own, as
		// cmd/mspbot builds it, answers instead.
		store := storagetest.New(t)
		router := commands.NewRouter(commands.Deps{Store: store, Clock: bot.SystemClock{}, Log: slog.New(slog.DiscardHandler)}, nil)
		dana := bot.User{ID: "300000000000000099", Name: "dana"}
		if _, err := commands.Assume(context.Background(), store, bot.PlatformDiscord, "G1", dana, bot.RoleManager, ""); err != nil {
			t.Fatal(err)
		}
		n := 0
		return func(line string) []bot.Message {
			name, args, err := bot.ParseLine(line)
			if err != nil {
				t.Fatal(err)
			}
			n++
			return router.Dispatch(context.Background(), bot.Event{Platform: bot.PlatformDiscord, Workspace: "G1", Channel: "C1",
				SourceID: fmt.Sprintf("review:%d", n), User: dana, Command: name, Args: args})
		}
	})
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// checkDiscord fails on anything Discord would reject, and returns the custom
// ids of the buttons rendered.
func checkDiscord(t *testing.T, name string, r rendered) (ids []string) {
	t.Helper()
	if runes(r.Content) > maxContent {
		t.Errorf("%s: content %d > 2000", name, runes(r.Content))
	}
	for _, e := range r.Embeds {
		total := runes(e.Title) + runes(e.Description)
		if runes(e.Title) > 256 || runes(e.Description) > 4096 {
			t.Errorf("%s: title %d / description %d over 256 / 4096", name, runes(e.Title), runes(e.Description))
		}
		if len(e.Fields) > 25 {
			t.Errorf("%s: %d fields > 25", name, len(e.Fields))
		}
		for _, f := range e.Fields {
			total += runes(f.Name) + runes(f.Value)
			if runes(f.Name) > 256 || runes(f.Value) > 1024 || f.Name == "" || f.Value == "" {
				t.Errorf("%s: field name %d value %d", name, runes(f.Name), runes(f.Value))
			}
		}
		if total > 6000 {
			t.Errorf("%s: embed totals %d chars > 6000", name, total)
		}
		if strings.Count(e.Description, "```")%2 != 0 {
			t.Errorf("%s: unclosed code block in the description", name)
		}
	}
	if strings.Contains(r.Content+fmt.Sprint(r.Embeds), "@everyone") || strings.Contains(r.Content, "@here") {
		t.Errorf("%s: broadcast left unbroken", name)
	}
	if len(r.Components) > 5 {
		t.Errorf("%s: %d action rows > 5", name, len(r.Components))
	}
	seen := map[string]bool{}
	for _, c := range r.Components {
		row := c.(discordgo.ActionsRow)
		if len(row.Components) > 5 {
			t.Errorf("%s: row of %d buttons > 5", name, len(row.Components))
		}
		for _, b := range row.Components {
			btn := b.(discordgo.Button)
			if len(btn.CustomID) > 100 || btn.CustomID == "" || seen[btn.CustomID] {
				t.Errorf("%s: custom_id %q empty, too long or repeated", name, btn.CustomID)
			}
			if runes(btn.Label) > 80 {
				t.Errorf("%s: label %d > 80", name, runes(btn.Label))
			}
			seen[btn.CustomID] = true
			ids = append(ids, btn.CustomID)
		}
	}
	for _, send := range []any{r.messageSend().AllowedMentions, r.responseData().AllowedMentions, r.webhookParams().AllowedMentions, r.webhookEdit().AllowedMentions} {
		b, _ := json.Marshal(send)
		if !strings.HasPrefix(string(b), `{"parse":[]`) || strings.Contains(string(b), "users") || strings.Contains(string(b), "roles") || strings.Contains(string(b), `"replied_user":true`) {
			t.Errorf("%s: allowed_mentions %s; want parse []", name, b)
		}
	}
	return ids
}

func TestRenderReviewMessages(t *testing.T) {
	t.Parallel()
	for name, m := range reviewMessages(t) {
		t.Run(name, func(t *testing.T) {
			ids := checkDiscord(t, name, render(m))
			want := min(len(m.Actions), 25)
			for _, a := range m.Actions {
				if a.ID == "request.resolve" && m.RequestNumber != 0 {
					want++ // an open request's message also gets "Log time" (argsform.go)
				}
			}
			if len(ids) != want {
				t.Errorf("%d of %d buttons rendered", len(ids), want)
			}
		})
	}
}

// Every button, once its message is out, runs its own command when clicked:
// the adapter learns one template per action id from all the messages it sent
// (as learnTemplates does), then turns each custom_id back into a command line.
func TestRenderReviewButtonsRunTheirCommand(t *testing.T) {
	t.Parallel()
	msgs := reviewMessages(t)
	names := make([]string, 0, len(msgs))
	for n := range msgs {
		names = append(names, n)
	}
	sort.Strings(names)
	templates := map[string]string{}
	for _, n := range names {
		for _, a := range msgs[n].Actions {
			if id := customID(a); id != "" && !isCommandID(id) && a.Command != "" {
				templates[a.ID] = templateOf(a)
			}
		}
	}
	for _, n := range names {
		for _, a := range msgs[n].Actions {
			id := customID(a)
			var line string
			if isCommandID(id) {
				line = id
			} else if aid, value, ok := splitCustomID(id); ok {
				line = fillTemplate(templates[aid], value)
			}
			if line != a.Command {
				t.Errorf("%s: %q (custom_id %q) runs %q; want %q", n, a.Label, id, line, a.Command)
			}
		}
	}
}

// Tables (the /requests list) are in a code block so their columns line up;
// prose is not.
func TestRenderReviewTableInCodeBlock(t *testing.T) {
	t.Parallel()
	msgs := reviewMessages(t)
	if d := render(msgs["requests"]).Embeds[0].Description; !strings.HasPrefix(d, "```") || !strings.HasSuffix(d, "```") {
		t.Errorf("/requests not in a code block: %.80q", d)
	}
	if d := render(msgs["digest"]).Embeds[0].Description; strings.HasPrefix(d, "```") {
		t.Errorf("digest put in a code block: %.80q", d)
	}
}

// Long user text is cut with an ellipsis, not refused by Discord.
func TestRenderReviewLongTextTruncated(t *testing.T) {
	t.Parallel()
	r := render(reviewMessages(t)["show"])
	if d := r.Embeds[0].Description; !strings.HasSuffix(d, "…") {
		t.Errorf("long body not marked as cut: …%q", d[len(d)-20:])
	}
	if c := render(bot.Message{Text: strings.Repeat("x ", 3000)}).Content; runes(c) > 2000 || !strings.HasSuffix(c, "…") {
		t.Errorf("long content %d runes", runes(c))
	}
}
