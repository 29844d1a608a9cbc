package discord

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// Forms built from the command table. An entry that declares a form
// (bot.Subcommand.Form: a new project, out-of-scope work, a time entry) opens
// it as a Discord modal when its command is run without what it needs, or
// from a button ("Log time" on a request message): one text box per argument
// a box can hold, filled with what was already given. The modal's custom_id
// names the command ("args:/project new") and carries the values no box
// shows (a person picked, a switch); its submission becomes the command line
// typing would give and goes through the Router like everything else.

const (
	argsFormPrefix = "args:"
	maxFormInputs  = 5 // a modal holds at most five rows
)

// formArgs are the arguments a form asks for: those a text box can hold.
func formArgs(args []bot.Arg) []bot.Arg {
	var out []bot.Arg
	for _, a := range args {
		if a.Kind == bot.ArgPerson || a.Kind == bot.ArgSwitch {
			continue
		}
		if out = append(out, a); len(out) == maxFormInputs {
			break
		}
	}
	return out
}

// formID is a form's custom_id: "args:/time" or "args:/project new", then the
// values given that no box shows, as a query ("?non-billable=true"). ok is
// false when it would not fit Discord's 100 characters.
func formID(t tableCall, given map[string]string) (string, bool) {
	id := argsFormPrefix + "/" + strings.TrimSpace(t.cmd.Name+" "+t.word)
	shown := map[string]bool{}
	for _, a := range formArgs(t.entry.Args) {
		shown[argOptionName(a)] = true
	}
	q := url.Values{}
	for k, v := range given {
		if !shown[k] && v != "" {
			q.Set(k, v)
		}
	}
	if len(q) > 0 {
		id += "?" + q.Encode()
	}
	return id, len(id) <= maxCustomID
}

// argsForm is the modal of a table entry with what was given filled in, or
// nil when the entry has no form.
func argsForm(t tableCall, given map[string]string) *discordgo.InteractionResponse {
	fields := formArgs(t.entry.Args)
	id, fits := formID(t, given)
	if t.entry.Form == "" || len(fields) == 0 || !fits {
		return nil
	}
	var rows []discordgo.MessageComponent
	for _, a := range fields {
		name := argOptionName(a)
		style, max := discordgo.TextInputShort, 100
		if a.Kind == bot.ArgText && !a.Flag {
			style, max = discordgo.TextInputParagraph, 1000
		}
		value := given[name]
		if len([]rune(value)) > max {
			value = ""
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
			CustomID: name, Label: clip(inputLabel(a), maxInputLabel), Style: style, Required: a.Required,
			MaxLength: max, Placeholder: clip(a.Help, 100), Value: value,
		}}})
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: id, Title: clip(t.entry.Form, maxModalTitle), Components: rows}}
}

// inputLabel is an argument's name as a label: "approved-by" → "Approved by".
func inputLabel(a bot.Arg) string {
	s := []rune(strings.ReplaceAll(a.Name, "-", " "))
	if len(s) == 0 {
		return "Value"
	}
	s[0] = unicode.ToUpper(s[0])
	label := string(s)
	switch a.Kind {
	case bot.ArgRecord:
		label += " (request or project)"
	case bot.ArgClient:
		label += " (code)"
	}
	return label
}

// optionsOf turns text values into options, as if typed into Discord's.
func optionsOf(values map[string]string) map[string]Option {
	out := map[string]Option{}
	for k, v := range values {
		b, _ := json.Marshal(v)
		out[k] = Option{Name: k, Type: optString, Value: b}
	}
	return out
}

// givenOf are the values of a command interaction's options, as text.
func givenOf(opts map[string]Option) map[string]string {
	out := map[string]string{}
	for k, o := range opts {
		if v := strings.TrimSpace(o.String()); v != "" {
			out[k] = v
		}
	}
	return out
}

// commandForm is the table entry whose form a command interaction opens
// instead of running: it has one and nothing was given ("/project new"
// alone). A command given some options runs, and the Router says what is
// missing.
func (a *Adapter) commandForm(d *CommandData) (tableCall, bool) {
	t, ok := a.tableCall(d)
	if !ok || t.entry.Form == "" || !t.missing() || len(givenOf(t.opts)) > 0 {
		return tableCall{}, false
	}
	return t, true
}

// errFormCheck stands in for the handler while the Router's gate decides
// whether a form may open (mayOpen).
var errFormCheck = bot.Errorf(bot.EInvalid, "a form is opening")

// mayOpen asks the Router's gate whether the caller may run the form's
// command (its handler does not run): a refusal, told privately, is the
// answer instead of the form, so nobody fills in a form they cannot submit.
func (a *Adapter) mayOpen(ctx context.Context, in *Interaction, t tableCall, given map[string]string) *discordgo.InteractionResponse {
	ev, err := a.interactionEvent(ctx, &Interaction{ID: in.ID, Type: interactionCommand, GuildID: in.GuildID, ChannelID: in.ChannelID,
		Channel: in.Channel, Member: in.Member, User: in.User, Command: &CommandData{Name: t.cmd.Name}})
	if err == nil {
		ev.Command, ev.Args, ev.BadInput = t.cmd.Name, strings.TrimSpace(t.word+" "+argsLine(t.entry.Args, optionsOf(given))), errFormCheck
		_, err = a.cfg.Router.Run(ctx, ev)
	}
	switch code := bot.ErrorCode(err); {
	case err == errFormCheck:
		return nil
	case code == bot.EForbidden || code == bot.ENotFound || code == bot.EInternal:
		return message(discordgo.InteractionResponseChannelMessageWithSource, bot.ErrorReply(err))
	}
	return nil // what is missing is the form's to ask
}

// formOpened is the form an interaction opens without running anything (a
// table command left without anything, or a button such as "Log time"), or
// the refusal of someone who may not run its command; nil otherwise.
func (a *Adapter) formOpened(ctx context.Context, in *Interaction) *discordgo.InteractionResponse {
	var (
		t     tableCall
		given map[string]string
		ok    bool
	)
	switch {
	case in.Type == interactionCommand && in.Command != nil:
		t, ok = a.commandForm(in.Command)
	case in.Type == interactionComponent && in.Component != nil && strings.HasPrefix(in.Component.CustomID, argsFormPrefix):
		if t, given, ok = a.formCall(in.Component.CustomID); !ok {
			return message(discordgo.InteractionResponseChannelMessageWithSource,
				bot.Message{Text: "This button no longer works; use /help to find the command.", Ephemeral: true, IsError: true})
		}
	}
	if !ok {
		return nil
	}
	form := argsForm(t, given)
	if form == nil {
		return nil
	}
	if refused := a.mayOpen(ctx, in, t, given); refused != nil {
		return refused
	}
	return form
}

// parseFormID splits a form's custom_id into its command line words and the
// values it carries; ok is false when it is not a table form.
func parseFormID(id string) (cmd, word string, given map[string]string, ok bool) {
	rest, ok := strings.CutPrefix(id, argsFormPrefix+"/")
	if !ok {
		return "", "", nil, false
	}
	head, query, _ := strings.Cut(rest, "?")
	cmd, word, _ = strings.Cut(head, " ")
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", nil, false
	}
	given = map[string]string{}
	for k := range q {
		given[k] = q.Get(k)
	}
	return cmd, word, given, true
}

// formCall is the table entry a form's custom_id names.
func (a *Adapter) formCall(id string) (tableCall, map[string]string, bool) {
	cmd, word, given, ok := parseFormID(id)
	if !ok {
		return tableCall{}, nil, false
	}
	d := &CommandData{Name: cmd}
	if word != "" {
		d.Options = []Option{{Name: word, Type: optSubCommand}}
	} else if c, found := a.lookup(cmd); found && len(c.Subs) > 0 {
		d.Options = []Option{{Name: defaultSub(c), Type: optSubCommand}}
	}
	t, ok := a.tableCall(d)
	return t, given, ok && t.entry.Form != ""
}

// argsFormSubmit is the command and line a submitted table form runs; ok is
// false when the modal is not one.
func (a *Adapter) argsFormSubmit(id string, values map[string]string) (cmd, line string, ok bool, err error) {
	t, given, ok := a.formCall(id)
	if !ok {
		if strings.HasPrefix(id, argsFormPrefix) {
			return "", "", true, bot.Errorf(bot.EInvalid, "this form is no longer supported; run the command again")
		}
		return "", "", false, nil
	}
	for _, f := range formArgs(t.entry.Args) {
		given[argOptionName(f)] = strings.TrimSpace(values[argOptionName(f)])
	}
	t.opts = optionsOf(given)
	// A value that does not parse comes back as err with the line: the
	// Router's gate decides first (interactionEvent).
	return t.cmd.Name, t.line(), true, checkArgs(t.entry.Args, t.opts, a.cfg.Clock.Now())
}

// logTimeButton is the button on a request message that opens the time form
// for that request.
func logTimeButton(number int64) discordgo.Button {
	return discordgo.Button{Label: "Log time", Style: discordgo.SecondaryButton,
		CustomID: argsFormPrefix + "/time?on=" + url.QueryEscape("#"+strconv.FormatInt(number, 10))}
}
