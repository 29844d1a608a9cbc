package discord

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// formCommand is the request sub-command that opens the long request form.
const (
	formSub     = "form"
	formModalID = "request.form"
)

// Application commands are derived from the router's list: each command gets
// its name and summary, and typed options from its table (tableopts.go). An
// interaction is turned back into the command line the router expects, so
// commands never know they ran on Discord.

func strOpt(name, desc string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: required}
}

func choices(vals ...string) []*discordgo.ApplicationCommandOptionChoice {
	out := make([]*discordgo.ApplicationCommandOptionChoice, len(vals))
	for i, v := range vals {
		out[i] = &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v}
	}
	return out
}

func sub(name, desc string, opts ...*discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: name, Description: desc, Options: opts}
}

// discordSubs are sub-commands only Discord has: the long request form.
var discordSubs = map[string][]*discordgo.ApplicationCommandOption{
	"request": {sub(formSub, "open a request with the long form (title, description, client, priority)")},
}

// ApplicationCommands returns the application commands for the router's commands.
func ApplicationCommands(cmds []bot.Command) []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	for _, c := range cmds {
		if c.Internal {
			continue // raised by the adapters (thread comments), never typed
		}
		ac := &discordgo.ApplicationCommand{Type: discordgo.ChatApplicationCommand, Name: c.Name,
			Description: clip(bot.FirstNonEmpty(c.Summary, c.Usage, c.Name), 100)}
		if c.MinRole == bot.RoleManager {
			// Shown only to members who may manage the server (server admins
			// can grant it to others under Server Settings → Integrations);
			// the Router still checks the mspbot role of whoever runs it.
			perm := int64(discordgo.PermissionManageGuild)
			ac.DefaultMemberPermissions = &perm
		}
		if subs, ok := tableOptions(c); ok { // tableopts.go
			ac.Options = append(subs, discordSubs[c.Name]...)
		} else {
			args := strOpt("args", clip("arguments: "+strings.TrimSpace(strings.TrimPrefix(c.Usage, "/"+c.Name)), 100), false)
			args.MaxLength = bot.MaxTextLen
			ac.Options = []*discordgo.ApplicationCommandOption{args}
		}
		out = append(out, ac)
	}
	return out
}

// commandLine rebuilds the argument text from the options of the shapes
// registered before the table described every command (an older
// registration still answers, and the inbox reads it to guess whether a reply
// is public). It reports form when the caller asked for the request form.
func commandLine(d *CommandData) (args string, form bool) {
	opts := map[string]Option{}
	subName := ""
	for _, o := range d.Options {
		if o.Type == optSubCommand || o.Type == optSubCommandGroup {
			subName = o.Name
			for _, so := range o.Options {
				opts[so.Name] = so
			}
			continue
		}
		opts[o.Name] = o
	}
	get := func(name string) string { return strings.TrimSpace(opts[name].String()) }
	switch d.Name {
	case "request":
		switch subName {
		case formSub:
			return "", true
		case "show", "take", "close":
			return subName + " " + get("number"), false
		}
		text := get("text")
		if c := get("client"); c != "" && !strings.ContainsAny(c, " \t") {
			text = "--client " + c + " " + text
		}
		return text, false
	case "reclassify":
		parts := []string{get("number"), get("kind")}
		if t := get("type"); t != "" {
			parts = append(parts, t)
		}
		return strings.Join(parts, " ") + " " + quote(get("reason")), false
	case "rate":
		return get("number") + " " + get("rating"), false
	case "requests":
		var parts []string
		if v := get("show"); v != "" {
			parts = append(parts, v)
		}
		if c := get("client"); c != "" {
			parts = append(parts, "--client", quote(c))
		}
		if p := get("page"); p != "" {
			parts = append(parts, "page", p)
		}
		return strings.Join(parts, " "), false
	case "mspbot":
		switch subName {
		case "intake":
			return "intake " + get("state"), false
		case "client-link":
			return "client link " + quote(get("client")), false
		case "client-unlink":
			return "client unlink", false
		case "channel":
			return "channel", false
		}
	}
	return get("args"), false
}

// quote makes s one argument for bot.SplitArgs.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// focused returns the option being typed in an autocomplete interaction.
func focused(opts []Option) (Option, bool) {
	for _, o := range opts {
		if o.Focused {
			return o, true
		}
		if f, ok := focused(o.Options); ok {
			return f, true
		}
	}
	return Option{}, false
}

// formModal is the long request form.
func formModal() *discordgo.InteractionResponse {
	input := func(id, label string, style discordgo.TextInputStyle, required bool, max int, placeholder string) discordgo.ActionsRow {
		return discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
			CustomID: id, Label: label, Style: style, Required: required, MaxLength: max, Placeholder: placeholder,
		}}}
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: formModalID, Title: "Open a request",
		Components: []discordgo.MessageComponent{
			input("title", "Title", discordgo.TextInputShort, true, 100, "Outlook keeps asking for my password"),
			input("description", "Description", discordgo.TextInputParagraph, false, 3800, "What happened, who is affected, since when"),
			input("client", "Client code", discordgo.TextInputShort, false, 40, "ACME"),
			input("priority", "Priority (P1–P4)", discordgo.TextInputShort, false, 2, "P3"),
		},
	}}
}

// formLine builds the request text from a submitted form.
func formLine(values map[string]string) (string, error) {
	title := strings.TrimSpace(values["title"])
	desc := strings.TrimSpace(values["description"])
	client := strings.TrimSpace(values["client"])
	prio := strings.ToUpper(strings.TrimSpace(values["priority"]))
	if title == "" {
		return "", bot.Errorf(bot.EInvalid, "the form needs a title")
	}
	if strings.ContainsAny(client, " \t\n") {
		return "", bot.Errorf(bot.EInvalid, "a client code is one word, e.g. ACME")
	}
	if prio != "" && (len(prio) != 2 || prio[0] != 'P' || prio[1] < '1' || prio[1] > '4') {
		return "", bot.Errorf(bot.EInvalid, "priority is P1, P2, P3 or P4")
	}
	var b strings.Builder
	if client != "" {
		fmt.Fprintf(&b, "--client %s ", client)
	}
	if prio != "" {
		fmt.Fprintf(&b, "--priority %s ", prio)
	}
	b.WriteString(strings.ReplaceAll(title, "\n", " "))
	if desc != "" {
		b.WriteString("\n\n" + desc)
	}
	return b.String(), nil
}
