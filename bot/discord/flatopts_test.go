package discord_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// TestFlatTypedOptions: a command that declares its arguments but no
// subcommands (/snooze, /away, /back) registers one typed option per
// argument, required first (the registration the strict fake accepted), and
// an interaction using them reaches the command as the line typing it gives.
func TestFlatTypedOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.a.RegisterCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	puts := e.fake.Answered("PUT /api/v9/applications/" + appID + "/guilds/" + guildID + "/commands")
	if len(puts) != 1 {
		t.Fatalf("%d registrations", len(puts))
	}
	var cmds []struct {
		Name    string
		Options []struct {
			Name     string
			Type     int
			Required bool
		}
	}
	if err := json.Unmarshal(puts[0].Body, &cmds); err != nil {
		t.Fatal(err)
	}
	shape := map[string]string{}
	for _, c := range cmds {
		var parts []string
		for _, o := range c.Options {
			p := o.Name + ":" + map[int]string{3: "string", 6: "user", 4: "integer"}[o.Type]
			if o.Required {
				p += "!"
			}
			parts = append(parts, p)
		}
		shape[c.Name] = strings.Join(parts, " ")
	}
	for name, want := range map[string]string{"snooze": "for:string", "back": "person:user", "away": "when:string! person:user"} {
		if shape[name] != want {
			t.Errorf("/%s options %q, want %q", name, shape[name], want)
		}
	}

	mia := person{ID: "80351110224678912", Name: "mia"}
	tom := person{ID: "80351110224678913", Name: "tom"}
	e.assume(mia, bot.RoleManager, "")
	e.assume(tom, bot.RoleTech, "")
	if _, r := e.reply(e.interaction(2, tom, commandData("snooze", opt("for", 3, "2h")), nil)); !strings.Contains(text(r), "Snoozed until") {
		t.Fatalf("/snooze for:2h → %s", text(r))
	}
	_, r := e.reply(e.interaction(2, mia, commandData("away", opt("when", 3, "today"), opt("person", 6, tom.ID)), nil))
	if got := text(r); !strings.Contains(got, "tom") || strings.Contains(strings.ToLower(got), "use /away") {
		t.Fatalf("/away when:today person:tom → %s", got)
	}
	if _, r := e.reply(e.interaction(2, tom, commandData("away", opt("when", 3, "today"), opt("person", 6, mia.ID)), nil)); !strings.Contains(text(r), "manager") {
		t.Fatalf("a tech setting a manager's absence must be refused: %s", text(r))
	}
	if _, r := e.reply(e.interaction(2, mia, commandData("back", opt("person", 6, tom.ID)), nil)); !strings.Contains(text(r), "tom") {
		t.Fatalf("/back person:tom → %s", text(r))
	}
}
