package discord

import (
	"regexp"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/parse"
)

// Typed options from the command table. Every command becomes Discord options built from its table entries
// (bot.Subcommand, bot.Arg): a command with subcommands gets one sub-command
// per verb, plus one for what it does with no verb; each declared argument is
// an option: a person is a user picker, requests, projects and clients
// autocomplete (the Router decides what is offered), a choice is a list, a
// page is a whole number. An interaction is turned back into the same command
// line typing it would give, so the Router checks it exactly as typed.

// defaultSubs name the sub-command for what a command does with no verb.
var defaultSubs = map[string]string{"request": "open", "time": "log", "timer": "status", "project": "list", "hours": "set",
	"client": "show", "classify": "try", "team": "show"}

// defaultSub is the sub-command name of c's own action.
func defaultSub(c bot.Command) string { return bot.FirstNonEmpty(defaultSubs[c.Name], "run") }

var optionName = regexp.MustCompile(`[^-_\p{Ll}\p{N}]+`)

// argOptionName is the Discord option for an argument: "number" and "client"
// are the names the hand-made shapes use too.
func argOptionName(a bot.Arg) string {
	switch a.Kind {
	case bot.ArgRequest:
		return "number"
	case bot.ArgClient:
		return "client"
	}
	return clip(strings.Trim(optionName.ReplaceAllString(strings.ToLower(a.Name), "-"), "-"), 32)
}

// suggestKinds are what the Router's suggest command offers for an argument
// being typed.
var suggestKinds = map[bot.ArgKind]string{bot.ArgRequest: "number", bot.ArgClient: "client", bot.ArgProject: "project", bot.ArgRecord: "record"}

func argOption(a bot.Arg) *discordgo.ApplicationCommandOption {
	desc := bot.FirstNonEmpty(a.Help, strings.ReplaceAll(string(a.Kind), "_", " "))
	o := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: argOptionName(a),
		Description: clip(desc, 100), Required: a.Required}
	one := 1.0
	switch a.Kind {
	case bot.ArgPerson:
		o.Type = discordgo.ApplicationCommandOptionUser
	case bot.ArgSwitch:
		o.Type = discordgo.ApplicationCommandOptionBoolean
	case bot.ArgNumber:
		o.Type = discordgo.ApplicationCommandOptionInteger
		if a.Keyword {
			o.MinValue = &one // a page
		}
	case bot.ArgRequest:
		o.Type, o.Autocomplete, o.MinValue = discordgo.ApplicationCommandOptionInteger, true, &one
	case bot.ArgClient, bot.ArgProject, bot.ArgRecord:
		o.Autocomplete = true
	case bot.ArgChoice, bot.ArgRole:
		if len(a.Choices) > 0 && len(a.Choices) <= 25 {
			o.Choices = choices(a.Choices...)
		}
	}
	if o.Type == discordgo.ApplicationCommandOptionString {
		o.MaxLength = bot.MaxTextLen
		if a.Kind != bot.ArgText {
			o.MaxLength = 100
		}
	}
	return o
}

// argOptions are the options of one table entry, required ones first. An
// entry with a form takes every option as optional: left out, the form asks.
func argOptions(args []bot.Arg, form bool) ([]*discordgo.ApplicationCommandOption, bool) {
	var req, opt []*discordgo.ApplicationCommandOption
	names := map[string]bool{}
	for _, a := range args {
		o := argOption(a)
		if o.Name == "" || names[o.Name] {
			return nil, false // the table does not map onto options cleanly
		}
		names[o.Name] = true
		if form {
			o.Required = false
		}
		if o.Required {
			req = append(req, o) // Discord wants required options first
		} else {
			opt = append(opt, o)
		}
	}
	if len(req)+len(opt) > 25 {
		return nil, false
	}
	return append(req, opt...), true
}

// tableOptions are c's options from its table; ok is false when the table
// does not map onto Discord's options.
func tableOptions(c bot.Command) ([]*discordgo.ApplicationCommandOption, bool) {
	if len(c.Subs) == 0 {
		return argOptions(c.Args, c.Form != "")
	}
	var subs []*discordgo.ApplicationCommandOption
	seen := map[string]bool{}
	for _, s := range c.Subs {
		if s.Name == "" || seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		opts, ok := argOptions(s.Args, s.Form != "")
		if !ok {
			return nil, false
		}
		subs = append(subs, sub(s.Name, clip(bot.FirstNonEmpty(s.Summary, s.Usage, s.Name), 100), opts...))
	}
	if name := defaultSub(c); c.Handler != nil && !seen[name] && (len(c.Args) > 0 || defaultSubs[c.Name] != "") {
		opts, ok := argOptions(c.Args, c.Form != "")
		if !ok {
			return nil, false
		}
		subs = append([]*discordgo.ApplicationCommandOption{sub(name, clip(bot.FirstNonEmpty(c.Summary, c.Name), 100), opts...)}, subs...)
	}
	if len(subs) == 0 || len(subs) > 25 {
		return nil, false
	}
	return subs, true
}

// tableCall is a table-shaped interaction: the entry it names, the word that
// selects it ("" for the command's own action) and the options given.
type tableCall struct {
	cmd   bot.Command
	entry bot.Subcommand
	word  string
	opts  map[string]Option
}

// line is the command line typing the call would give.
func (t tableCall) line() string {
	return strings.TrimSpace(t.word + " " + argsLine(t.entry.Args, t.opts))
}

// missing reports whether a required argument was left out.
func (t tableCall) missing() bool {
	for _, a := range t.entry.Args {
		if a.Required && strings.TrimSpace(t.opts[argOptionName(a)].String()) == "" {
			return true
		}
	}
	return false
}

// tableCall finds the table entry of a command interaction; ok is false when
// the command is not in the table or was sent as one line.
func (a *Adapter) tableCall(d *CommandData) (tableCall, bool) {
	c, ok := a.lookup(d.Name)
	if !ok {
		return tableCall{}, false
	}
	if _, ok := tableOptions(c); !ok {
		return tableCall{}, false
	}
	subName, opts := "", map[string]Option{}
	for _, o := range d.Options {
		if o.Type == optSubCommand {
			subName = o.Name
			for _, so := range o.Options {
				opts[so.Name] = so
			}
			continue
		}
		opts[o.Name] = o
	}
	if _, free := opts["args"]; free {
		return tableCall{}, false // typed as one line (an older registration)
	}
	switch {
	case subName == "" && len(c.Subs) == 0:
		return tableCall{cmd: c, entry: c.Default(), opts: opts}, true
	case subName == "":
		return tableCall{}, false
	}
	for _, s := range c.Subs {
		if s.Name == subName {
			return tableCall{cmd: c, entry: s, word: s.Name, opts: opts}, true
		}
	}
	if c.Handler != nil && subName == defaultSub(c) {
		return tableCall{cmd: c, entry: c.Default(), opts: opts}, true
	}
	return tableCall{}, false
}

// argsLine is the typed form of declared arguments' options, in their order:
// a flag as --name value, a keyword as name value, a switch as its name. A
// value with spaces is quoted unless it is free text with nothing after it (a
// line such as "1001 looking at it" is read word by word).
func argsLine(args []bot.Arg, opts map[string]Option) string {
	var parts []string
	for i, a := range args {
		v := strings.TrimSpace(opts[argOptionName(a)].String())
		if v == "" {
			continue
		}
		switch a.Kind {
		case bot.ArgPerson:
			v = "<@" + v + ">"
		case bot.ArgSwitch:
			if v == "true" && a.Flag {
				parts = append(parts, "--"+a.Name)
			} else if v == "true" {
				parts = append(parts, a.Name)
			}
			continue
		}
		rest := !a.Flag && !a.Keyword && a.Kind == bot.ArgText && !a.Quoted && nothingAfter(args[i+1:], opts)
		if a.Quoted || strings.ContainsAny(v, " \t\n\"“”") && !rest {
			v = quote(v)
		}
		switch {
		case a.Flag:
			v = "--" + a.Name + " " + v
		case a.Keyword:
			v = a.Name + " " + v
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
}

// nothingAfter reports whether none of args was given.
func nothingAfter(args []bot.Arg, opts map[string]Option) bool {
	for _, a := range args {
		if v := strings.TrimSpace(opts[argOptionName(a)].String()); v != "" && (a.Kind != bot.ArgSwitch || v == "true") {
			return false
		}
	}
	return true
}

// checkArgs reads durations, dates, times of day and references with the one
// grammar (package parse) before anything runs, so a mistyped option is
// refused naming the option and saying what to type.
func checkArgs(args []bot.Arg, opts map[string]Option, now time.Time) error {
	for _, a := range args {
		v := strings.TrimSpace(opts[argOptionName(a)].String())
		if v == "" {
			continue
		}
		var err error
		switch a.Kind {
		case bot.ArgDuration:
			_, err = parse.LongDuration(v, parse.MaxMinutes, "check the number")
		case bot.ArgDate:
			_, err = parse.Date(v, now, parse.Past)
		case bot.ArgClock:
			_, err = parse.Clock(v)
		case bot.ArgProject:
			_, err = bot.ParseRef(bot.RefProject, v)
		case bot.ArgRecord:
			if _, ok := bot.ReadRef(v); !ok {
				err = bot.Errorf(bot.EInvalid, "%q is not a request or project: write 1001 or #1001 for a request, P12 for a project (pick one from the list)", clip(v, 24))
			}
		}
		if err != nil {
			return bot.Errorf(bot.ErrorCode(err), "%s: %s", argOptionName(a), bot.ErrorMessage(err))
		}
	}
	return nil
}

// argFor is the table argument behind an option of a command interaction
// (for autocomplete), if the table describes it.
func (a *Adapter) argFor(d *CommandData, name string) (bot.Arg, bool) {
	t, ok := a.tableCall(d)
	if !ok {
		return bot.Arg{}, false
	}
	for _, arg := range t.entry.Args {
		if argOptionName(arg) == name {
			return arg, true
		}
	}
	return bot.Arg{}, false
}

// lookup finds a command of the router by name.
func (a *Adapter) lookup(name string) (bot.Command, bool) {
	for _, c := range a.cfg.Router.Commands() {
		if c.Name == name {
			return c, true
		}
	}
	return bot.Command{}, false
}
