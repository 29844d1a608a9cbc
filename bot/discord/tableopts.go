package discord

import (
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// Typed options from the command table. A command without a hand-made shape
// (appcommands.go) but with subcommands in the table (bot.Subcommand) becomes
// Discord sub-commands, one per verb, each with an option per declared
// argument: a person is a user picker, a request number autocompletes, a
// client autocompletes, a choice is a list. What the command does with no
// verb ("/time 45m #1001 note") is one more sub-command taking the line as
// typed. An interaction is turned back into the same command line typing it
// would give, so the Router checks it exactly as typed.

// defaultSubs name the sub-command for what a command does with no verb.
var defaultSubs = map[string]string{"time": "log", "timer": "status", "project": "list"}

var optionName = regexp.MustCompile(`[^-_\p{Ll}\p{N}]+`)

// argOptionName is the Discord option for an argument: "number" and "client"
// are the names autocomplete answers to.
func argOptionName(a bot.Arg) string {
	switch a.Kind {
	case bot.ArgRequest:
		return "number"
	case bot.ArgClient:
		return "client"
	}
	return clip(strings.Trim(optionName.ReplaceAllString(strings.ToLower(a.Name), "-"), "-"), 32)
}

func argOption(a bot.Arg) *discordgo.ApplicationCommandOption {
	desc := bot.FirstNonEmpty(a.Help, strings.ReplaceAll(string(a.Kind), "_", " "))
	o := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: argOptionName(a),
		Description: clip(desc, 100), Required: a.Required}
	switch a.Kind {
	case bot.ArgPerson:
		o.Type = discordgo.ApplicationCommandOptionUser
	case bot.ArgNumber:
		o.Type = discordgo.ApplicationCommandOptionInteger
	case bot.ArgRequest:
		o.Type, o.Autocomplete = discordgo.ApplicationCommandOptionInteger, true
	case bot.ArgClient:
		o.Autocomplete = true
	case bot.ArgChoice, bot.ArgRole:
		if len(a.Choices) > 0 && len(a.Choices) <= 25 {
			o.Choices = choices(a.Choices...)
		}
	}
	return o
}

// tableOptions are the sub-commands of c from its table; ok is false when
// the table does not describe it (then it keeps one free-text option).
func tableOptions(c bot.Command) ([]*discordgo.ApplicationCommandOption, bool) {
	if len(c.Subs) == 0 {
		return flatOptions(c.Args)
	}
	var subs []*discordgo.ApplicationCommandOption
	seen := map[string]bool{}
	for _, s := range c.Subs {
		if s.Name == "" || seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		var req, opt []*discordgo.ApplicationCommandOption
		names := map[string]bool{}
		for _, a := range s.Args {
			o := argOption(a)
			if o.Name == "" || names[o.Name] {
				return nil, false // the table does not map onto options cleanly
			}
			names[o.Name] = true
			if o.Required {
				req = append(req, o) // Discord wants required options first
			} else {
				opt = append(opt, o)
			}
		}
		subs = append(subs, sub(s.Name, clip(bot.FirstNonEmpty(s.Summary, s.Usage, s.Name), 100), append(req, opt...)...))
	}
	if len(subs) == 0 {
		return nil, false
	}
	if name := bot.FirstNonEmpty(defaultSubs[c.Name], "run"); c.Handler != nil && !seen[name] {
		args := strOpt("args", clip("as typed: "+strings.TrimSpace(strings.TrimPrefix(c.Usage, "/"+c.Name)), 100), false)
		args.MaxLength = bot.MaxTextLen
		subs = append([]*discordgo.ApplicationCommandOption{sub(name, clip(bot.FirstNonEmpty(c.Summary, c.Name), 100), args)}, subs...)
	}
	if len(subs) > 25 {
		return nil, false
	}
	return subs, true
}

// tableLine rebuilds the command line from a table-shaped interaction.
func tableLine(c bot.Command, d *CommandData) string {
	var subName string
	opts := map[string]Option{}
	for _, o := range d.Options {
		if o.Type == optSubCommand {
			subName = o.Name
			for _, so := range o.Options {
				opts[so.Name] = so
			}
		}
	}
	if _, hasArgs := opts["args"]; hasArgs && subName == bot.FirstNonEmpty(defaultSubs[c.Name], "run") && c.Handler != nil {
		return strings.TrimSpace(opts["args"].String())
	}
	for _, s := range c.Subs {
		if s.Name != subName {
			continue
		}
		return strings.TrimSpace(s.Name + " " + argsLine(s.Args, opts))
	}
	return strings.TrimSpace(opts["args"].String())
}

// argsLine is the typed form of declared arguments' options.
func argsLine(args []bot.Arg, opts map[string]Option) string {
	// Positional arguments in their order, then flags; a value with spaces
	// is quoted unless it is free text with nothing after it (a line such
	// as "1001 looking at it" is read word by word).
	var positional, flags []string
	for _, a := range args {
		v := strings.TrimSpace(opts[argOptionName(a)].String())
		if v == "" {
			continue
		}
		if a.Kind == bot.ArgPerson {
			v = "<@" + v + ">"
		}
		if a.Flag {
			if strings.ContainsAny(v, " \t\n\"") {
				v = quote(v)
			}
			flags = append(flags, "--"+a.Name+" "+v)
			continue
		}
		positional = append(positional, v)
	}
	last := len(positional) - 1
	for i, v := range positional {
		if strings.ContainsAny(v, " \t\n\"") && (i < last || len(flags) > 0 || !lastIsText(args)) {
			positional[i] = quote(v)
		}
	}
	return strings.Join(append(positional, flags...), " ")
}

// tableArgs is the command line of a table-shaped interaction, or false when
// the command has a hand-made shape or the interaction names no sub-command.
func (a *Adapter) tableArgs(d *CommandData) (string, bool) {
	if _, shaped := shapes[d.Name]; shaped {
		return "", false
	}
	hasSub, opts := false, map[string]Option{}
	for _, o := range d.Options {
		hasSub = hasSub || o.Type == optSubCommand
		opts[o.Name] = o
	}
	for _, c := range a.cfg.Router.Commands() {
		if c.Name == d.Name && !hasSub && len(c.Subs) == 0 && len(c.Args) > 0 {
			if _, free := opts["args"]; free {
				return "", false // typed as one line (an older registration)
			}
			return argsLine(c.Args, opts), true
		}
		if c.Name == d.Name && hasSub {
			if _, ok := tableOptions(c); ok {
				return tableLine(c, d), true
			}
		}
	}
	return "", false
}

// lastIsText reports whether the last positional argument is free text.
func lastIsText(args []bot.Arg) bool {
	for i := len(args) - 1; i >= 0; i-- {
		if !args[i].Flag {
			return args[i].Kind == bot.ArgText
		}
	}
	return false
}

// flatOptions are the options of a command that declares arguments but no
// subcommands ("/snooze 2h"): one option per argument, required ones first.
func flatOptions(args []bot.Arg) ([]*discordgo.ApplicationCommandOption, bool) {
	if len(args) == 0 {
		return nil, false
	}
	var req, opt []*discordgo.ApplicationCommandOption
	names := map[string]bool{}
	for _, a := range args {
		o := argOption(a)
		if o.Name == "" || names[o.Name] {
			return nil, false
		}
		names[o.Name] = true
		if o.Required {
			req = append(req, o)
		} else {
			opt = append(opt, o)
		}
	}
	return append(req, opt...), true
}
