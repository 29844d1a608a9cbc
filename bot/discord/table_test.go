package discord_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands/commandtest"
)

// TestSharedTableThroughSignedInteractions runs the cross-platform command
// table as Discord users: each typed line becomes the signed slash-command
// interaction Discord would send for it, through the real endpoint; the reply
// is the response body plus any webhook follow-ups the fake received.
func TestSharedTableThroughSignedInteractions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	people := map[string]person{}
	for i, p := range commandtest.People {
		pp := person{fmt.Sprintf("2000000000000000%02d", i+1), p.Name}
		people[p.Name] = pp
		e.assume(pp, p.Role, p.Client)
	}
	for i, s := range commandtest.Steps {
		t.Run(fmt.Sprintf("%02d_%s_%s", i, s.As, strings.Fields(s.Line)[0]), func(t *testing.T) {
			data := lineToCommand(t, s.Line, people)
			code, resp := e.signed(e.interaction(2, people[s.As], data, nil))
			if code != 200 {
				t.Fatalf("status %d", code)
			}
			e.a.Wait()
			out := text(resp)
			for _, c := range e.fake.Calls("/webhooks/" + appID + "/" + e.lastToken()) {
				if c.Method == "POST" || c.Method == "PATCH" {
					out += text(jsonMap(t, c.Body))
				}
			}
			for _, w := range s.Want {
				if !strings.Contains(out, w) {
					t.Errorf("%s %q: reply lacks %q:\n%s", s.As, s.Line, w, out)
				}
			}
			for _, r := range s.Reject {
				if strings.Contains(out, r) {
					t.Errorf("%s %q: reply must not contain %q:\n%s", s.As, s.Line, r, out)
				}
			}
		})
	}
}

// lineToCommand is what a person's Discord client sends for a typed line: the
// structured options of the command's registered shape.
func lineToCommand(t *testing.T, line string, people map[string]person) map[string]any {
	t.Helper()
	name, args, err := bot.ParseLine(line)
	if err != nil {
		t.Fatal(err)
	}
	words, err := bot.SplitArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	switch name {
	case "request":
		if len(words) == 2 && (words[0] == "show" || words[0] == "take" || words[0] == "close") {
			var n int
			fmt.Sscan(words[1], &n)
			return commandData(name, subOpt(words[0], opt("number", 4, n)))
		}
		if args == "" {
			return commandData(name, subOpt("open"))
		}
		return commandData(name, subOpt("open", opt("text", 3, args)))
	case "reclassify":
		var n int
		fmt.Sscan(words[0], &n)
		return commandData(name, opt("number", 4, n), opt("kind", 3, words[1]), opt("reason", 3, strings.Join(words[2:], " ")))
	case "role":
		var opts []map[string]any
		if len(words) > 0 {
			opts = append(opts, opt("person", 6, people[strings.TrimPrefix(words[0], "@")].ID))
		}
		if len(words) > 1 {
			opts = append(opts, opt("role", 3, words[1]))
		}
		if len(words) > 2 {
			opts = append(opts, opt("client", 3, words[2]))
		}
		return commandData(name, opts...)
	case "requests", "help":
		return commandData(name)
	}
	return commandData(name, opt("args", 3, args))
}
