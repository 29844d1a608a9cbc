package discord_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/discord"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/commands/commandtest"
	"github.com/mspbot/mspbot/storage/storagetest"
)

// staffRole is the test guild's server role mapped to staff (MSPBOT_DISCORD_STAFF_ROLES).
const staffRole = "900000000000000001"

// TestRoleMatrixOnDiscord: every line of the role matrix, typed by the people
// at its boundary and one in rotation (commandtest.AdapterCases: the console
// runs the whole cross product), on Discord. tom is staff by holding the staff server role; cora,
// dana, and the ACME and GLOBEX users were given roles; the unverified member
// holds only an unmapped role; the outsider reaches the bot from a direct
// message, not as a member. Commands whose Discord shape is one free-text
// option go as signed interactions through the endpoint; the others (typed
// options, built by the Discord adapter's shapes) go to the same Router with
// the event the adapter makes. What the gate refuses stores nothing.
func TestRoleMatrixOnDiscord(t *testing.T) {
	t.Parallel()
	var checked, refused, viaEndpoint atomic.Int64
	t.Run("parts", func(t *testing.T) {
		for i := range commandtest.AdapterShards {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				c, r, v := discordMatrixPart(t, i)
				checked.Add(c)
				refused.Add(r)
				viaEndpoint.Add(v)
			})
		}
	})
	if checked.Load() < 2*45 || refused.Load() < checked.Load()/3 || viaEndpoint.Load() < checked.Load()/3 {
		t.Fatalf("%d cases, %d refused, %d through the endpoint: the table shrank or the generator broke", checked.Load(), refused.Load(), viaEndpoint.Load())
	}
	t.Logf("%d Discord cases, %d refused, %d as signed interactions", checked.Load(), refused.Load(), viaEndpoint.Load())
}

// discordMatrixPart runs part i of the Discord matrix on a bot of its own and
// returns how many cases it checked, refused and sent through the endpoint.
func discordMatrixPart(t *testing.T, i int) (checked, refused, viaEndpoint int64) {
	e := newEnv(t, func(_ *discord.Config, d *commands.Deps, _ *[]bot.Command) { d.StaffRoles = []string{staffRole} })
	var gate commandtest.Gate
	e.router.OnDecision(gate.Record)
	people := map[string]person{}
	roles := map[string][]string{}
	for i, w := range commandtest.Matrix {
		p := person{fmt.Sprintf("3000000000000000%02d", i+1), w.Name}
		people[w.Name] = p
		switch {
		case w.Name == "tom":
			roles[w.Name] = []string{"555", staffRole}
		case w.Kind == "unverified":
			roles[w.Name] = []string{"555"}
		case w.Role != "":
			e.assume(p, w.Role, w.Client)
		}
	}
	freeText := map[string]bool{}
	byName := map[string]bot.Command{}
	for _, c := range e.router.Commands() {
		byName[c.Name] = c
	}
	for _, ac := range discord.ApplicationCommands(e.router.Commands()) {
		freeText[ac.Name] = len(ac.Options) == 1 && ac.Options[0].Name == "args"
		// Sub-commands built from the table go through the endpoint too, as
		// the typed sub-command Discord would send (tableData).
		if len(ac.Options) > 0 && ac.Options[0].Type == 1 && tableShaped(byName[ac.Name]) {
			freeText[ac.Name] = true
		}
	}
	dispatch := func(who commandtest.Who, line string) string {
		p := people[who.Name]
		name, args, err := bot.ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		if freeText[name] {
			extra := map[string]any{"member": map[string]any{"user": map[string]any{"id": p.ID, "username": p.Name}, "roles": roles[who.Name]}}
			if who.Kind == "outsider" {
				extra = map[string]any{"member": nil, "guild_id": nil, "user": map[string]any{"id": p.ID, "username": p.Name}}
			}
			data := commandData(name, opt("args", 3, args))
			if c := byName[name]; tableShaped(c) {
				data = tableData(t, c, args)
			}
			code, resp := e.signed(e.interaction(2, p, data, extra))
			if code != 200 {
				t.Errorf("%s %q: status %d", who.Name, line, code)
			}
			e.a.Wait()
			return text(resp)
		}
		ev := bot.Event{Platform: bot.PlatformDiscord, Workspace: guildID, Channel: chanID, SourceID: "matrix:" + line + ":" + p.ID,
			User: bot.User{ID: p.ID, Name: p.Name, Roles: roles[who.Name]}, Command: name, Args: args}
		var out []string
		for _, m := range e.router.Dispatch(context.Background(), ev) {
			out = append(out, m.Text)
		}
		return strings.Join(out, "\n")
	}
	for _, line := range commandtest.MatrixSetup {
		if out := dispatch(commandtest.Matrix[4], line); strings.Contains(out, "Not allowed") {
			t.Fatalf("setup %q: %s", line, out)
		}
	}
	for _, w := range commandtest.Matrix {
		dispatch(w, "/help") // first contact: a known person is stored now, not by the case under test
	}
	for _, c := range commandtest.Shard(commandtest.AdapterCases(e.router.Commands()), i, commandtest.AdapterShards) {
		gate = commandtest.Gate{}
		// Only a refusal must store nothing: rows are counted around those.
		rows := func() int64 {
			if c.Allowed {
				return 0
			}
			return storagetest.Rows(t, e.store)
		}
		before := rows()
		out := dispatch(c.Who, c.Line)
		if p := gate.Problem(c, before, rows()); p != "" {
			t.Errorf("%s %q (allowed %v): %s\n%s", c.Who.Name, c.Line, c.Allowed, p, out)
		}
		checked++
		if !c.Allowed {
			refused++
		}
		if name, _, _ := bot.ParseLine(c.Line); freeText[name] {
			viaEndpoint++
		}
	}
	return checked, refused, viaEndpoint
}

// defaultSub is the Discord sub-command for a table command's verb-less line
// (bot/discord/tableopts.go).
var defaultSub = map[string]string{"request": "open", "time": "log", "timer": "status", "project": "list", "hours": "set",
	"client": "show", "classify": "try", "team": "show"}

// tableShaped reports whether the Discord adapter builds c's options from its
// table: every command now (the matrix sends each as Discord would).
func tableShaped(c bot.Command) bool {
	return c.Name != ""
}

// tableData is the interaction data Discord sends for a typed line of a
// table-shaped command: its verb as the sub-command, each argument as the
// option of its declared kind.
func tableData(t *testing.T, c bot.Command, line string) map[string]any {
	t.Helper()
	words, err := bot.SplitArgs(line)
	if err != nil {
		return commandData(c.Name, subOpt(bot.FirstNonEmpty(defaultSub[c.Name], "run"), opt("args", 3, line)))
	}
	if len(c.Subs) == 0 {
		return commandData(c.Name, typedOpts(c.Args, words)...)
	}
	if len(words) > 0 {
		for _, s := range c.Subs {
			if s.Name != "" && (strings.EqualFold(words[0], s.Name) || contains(s.Aliases, strings.ToLower(words[0]))) {
				return commandData(c.Name, subOpt(s.Name, typedOpts(s.Args, words[1:])...))
			}
		}
	}
	for _, s := range c.Subs {
		if s.Match != nil && s.Match(line) {
			return commandData(c.Name, subOpt(s.Name, typedOpts(s.Args, words)...))
		}
	}
	name := bot.FirstNonEmpty(defaultSub[c.Name], "run")
	for _, s := range c.Subs {
		if s.Name == name {
			// The command's own action has no sub-command of its own (/project's
			// "not something I can do"): sent as one line, as older
			// registrations did.
			return commandData(c.Name, subOpt(name, opt("args", 3, line)))
		}
	}
	return commandData(c.Name, subOpt(name, typedOpts(c.Args, words)...))
}

// typedOpts reads typed words as the options of declared arguments: flags
// (--name value), keywords (name value), switches (their name), then
// positional arguments in order, free text last taking the rest.
func typedOpts(args []bot.Arg, rest []string) []map[string]any {
	var opts []map[string]any
	add := func(a bot.Arg, w string) {
		switch a.Kind {
		case bot.ArgPerson:
			opts = append(opts, opt(a.Name, 6, strings.Trim(w, "<@!>")))
		case bot.ArgRequest:
			opts = append(opts, opt("number", 4, strings.TrimPrefix(w, "#")))
		case bot.ArgNumber:
			opts = append(opts, opt(a.Name, 4, w))
		case bot.ArgSwitch:
			opts = append(opts, opt(a.Name, 5, true))
		case bot.ArgClient:
			opts = append(opts, opt("client", 3, w))
		default:
			opts = append(opts, opt(a.Name, 3, w))
		}
	}
	named := func(w string) (bot.Arg, bool) {
		for _, a := range args {
			if (a.Flag && strings.EqualFold(w, "--"+a.Name)) || (!a.Flag && (a.Keyword || a.Kind == bot.ArgSwitch) && strings.EqualFold(w, a.Name)) {
				return a, true
			}
		}
		return bot.Arg{}, false
	}
	var positional []bot.Arg
	for _, a := range args {
		if !a.Flag && !a.Keyword && a.Kind != bot.ArgSwitch {
			positional = append(positional, a)
		}
	}
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		if a, ok := named(w); ok {
			if a.Kind == bot.ArgSwitch {
				add(a, "")
				continue
			}
			if i+1 < len(rest) {
				add(a, rest[i+1])
				i++
			}
			continue
		}
		if len(positional) == 0 {
			break
		}
		a := positional[0]
		positional = positional[1:]
		if a.Kind == bot.ArgText && !a.Quoted && len(positional) == 0 {
			end := i
			for end < len(rest) {
				if _, ok := named(rest[end]); ok {
					break
				}
				end++
			}
			w = strings.Join(rest[i:end], " ")
			i = end - 1
		}
		add(a, w)
	}
	return opts
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestClientIsolationOnDiscord: ACME's client user runs the isolation lines;
// free-text commands as signed interactions (with the follow-ups the fake
// received), the others through the same Router; nothing shows GLOBEX's.
func TestClientIsolationOnDiscord(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dana, wile, hank := person{"300000000000000101", "dana"}, person{"300000000000000102", "wile"}, person{"300000000000000103", "hank"}
	e.assume(dana, bot.RoleManager, "")
	freeText := map[string]bool{}
	byName := map[string]bot.Command{}
	for _, c := range e.router.Commands() {
		byName[c.Name] = c
	}
	for _, ac := range discord.ApplicationCommands(e.router.Commands()) {
		freeText[ac.Name] = len(ac.Options) == 1 && ac.Options[0].Name == "args"
	}
	dispatch := func(p person, line string) string {
		name, args, err := bot.ParseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		if freeText[name] || tableShaped(byName[name]) {
			data := commandData(name, opt("args", 3, args))
			if c := byName[name]; tableShaped(c) {
				data = tableData(t, c, args)
			}
			code, resp := e.signed(e.interaction(2, p, data, nil))
			if code != 200 {
				t.Errorf("%q: status %d", line, code)
			}
			e.a.Wait()
			out := text(resp) + fmt.Sprint(resp)
			for _, c := range e.fake.Calls("/webhooks/" + appID + "/" + e.lastToken()) {
				out += string(c.Body)
			}
			return out
		}
		ev := bot.Event{Platform: bot.PlatformDiscord, Workspace: guildID, Channel: chanID, SourceID: "iso:" + line,
			User: bot.User{ID: p.ID, Name: p.Name}, Command: name, Args: args}
		return fmt.Sprintf("%+v", e.router.Dispatch(context.Background(), ev))
	}
	for _, line := range append([]string{`/client add ACME "Acme Corp"`, `/client add GLOBEX "Globex"`}, commandtest.IsolationSetup...) {
		if out := dispatch(dana, line); strings.Contains(out, "Not allowed") {
			t.Fatalf("setup %q: %s", line, out)
		}
	}
	e.assume(wile, bot.RoleClient, "ACME")
	e.assume(hank, bot.RoleClient, "GLOBEX")
	dispatch(hank, commandtest.IsolationByHank)
	for _, line := range commandtest.IsolationLines(e.router.Commands()) {
		if mark := commandtest.Leak(line, dispatch(wile, line)); mark != "" {
			t.Errorf("%s shows %q to ACME's user", line, mark)
		}
	}
}
