package discord

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// Discord's limits on what one message may hold.
const (
	maxContent     = 2000
	maxTitle       = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxCustomID    = 100
	maxButtonLabel = 80
	buttonsPerRow  = 5
	maxRows        = 5
	maxEmbedTotal  = 6000                            // title, description and fields of one message's embeds together
	flagEphemeral  = discordgo.MessageFlagsEphemeral // 64
)

// Embed colours: an error is red, anything else the bot's blue.
const (
	colourInfo  = 0x3B82F6
	colourError = 0xDC2626
)

const zwsp = "\u200b"

// Neutralise stops @everyone and @here in user text from reaching anyone: a
// zero-width space after the @ keeps the words readable and unpingable. (Every
// message also goes out with allowed_mentions parse [], so user and role
// mentions do not ping either.)
func Neutralise(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return strings.NewReplacer("@everyone", "@"+zwsp+"everyone", "@here", "@"+zwsp+"here").Replace(s)
}

// noMentions is the allowed_mentions every message carries: ping nobody.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// rendered is a bot.Message in Discord's terms.
type rendered struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	Flags      discordgo.MessageFlags
	Files      []*discordgo.File
}

// render turns a message into content, an embed and button rows. A message with
// only text is plain content; one with a title or fields is an embed.
func render(m bot.Message) rendered {
	var r rendered
	if m.Ephemeral {
		r.Flags = flagEphemeral
	}
	if m.Title == "" && len(m.Fields) == 0 {
		r.Content = body(m.Text, maxContent)
	} else {
		e := &discordgo.MessageEmbed{
			Title: clipEscaped(EscapeMarkdown(Neutralise(m.Title)), maxTitle),
			Color: colourInfo,
		}
		if m.IsError {
			e.Color = colourError
		}
		// Discord refuses an embed over 6000 characters in all: the fields get
		// what the title and (up to half of) the description leave, and the
		// description the rest, cut with an ellipsis.
		used := utf8.RuneCountInString(e.Title)
		reserve := min(utf8.RuneCountInString(m.Text)+8, maxEmbedTotal/2)
		const note = 40 // room for the "+N more" field
		for i, f := range m.Fields {
			field := &discordgo.MessageEmbedField{
				Name:   clipEscaped(orDash(EscapeMarkdown(Neutralise(f.Label))), maxFieldName),
				Value:  clipEscaped(orDash(EscapeMarkdown(Neutralise(f.Value))), maxFieldValue),
				Inline: utf8.RuneCountInString(f.Value) <= 40,
			}
			n := utf8.RuneCountInString(field.Name) + utf8.RuneCountInString(field.Value)
			last := i == len(m.Fields)-1
			if (!last && (i == maxFields-1 || used+reserve+n+note > maxEmbedTotal)) || used+reserve+n > maxEmbedTotal {
				more := &discordgo.MessageEmbedField{Name: "…", Value: fmt.Sprintf("%d more not shown", len(m.Fields)-i)}
				e.Fields = append(e.Fields, more)
				used += utf8.RuneCountInString(more.Name) + utf8.RuneCountInString(more.Value)
				break
			}
			e.Fields = append(e.Fields, field)
			used += n
		}
		e.Description = body(m.Text, min(maxDescription, maxEmbedTotal-used))
		r.Embeds = []*discordgo.MessageEmbed{e}
	}
	var row discordgo.ActionsRow
	seen := map[string]bool{}
	for _, a := range m.Actions {
		id := customID(a)
		if id == "" || seen[id] { // Discord refuses a message repeating a custom_id
			continue
		}
		seen[id] = true
		row.Components = append(row.Components, discordgo.Button{
			Label:    clip(a.Label, maxButtonLabel),
			Style:    buttonStyle(a.Style),
			CustomID: id,
		})
		if len(row.Components) == buttonsPerRow {
			r.Components = append(r.Components, row)
			row = discordgo.ActionsRow{}
		}
	}
	if seen["request.resolve:"+strconv.FormatInt(m.RequestNumber, 10)] && m.RequestNumber != 0 {
		// An open request's message: staff log time on it from a form
		// (argsform.go) instead of typing /time with its number.
		row.Components = append(row.Components, logTimeButton(m.RequestNumber))
		if len(row.Components) == buttonsPerRow {
			r.Components = append(r.Components, row)
			row = discordgo.ActionsRow{}
		}
	}
	if len(row.Components) > 0 {
		r.Components = append(r.Components, row)
	}
	if len(r.Components) > maxRows {
		r.Components = r.Components[:maxRows]
	}
	for _, f := range m.Attachments {
		r.Files = append(r.Files, &discordgo.File{Name: f.Name, ContentType: f.ContentType, Reader: strings.NewReader(string(f.Data))})
	}
	return r
}

func buttonStyle(s string) discordgo.ButtonStyle {
	switch s {
	case "primary":
		return discordgo.PrimaryButton
	case "danger":
		return discordgo.DangerButton
	}
	return discordgo.SecondaryButton
}

// customID is what a button carries: the action id and its value, when the
// value is one word of the command it runs (the adapter keeps the command as a
// template per action id); otherwise, as on Slack, the command line itself —
// "/project update P12 approve 2026-W48" has no one-word value, and
// "timer.start" runs "/timer start #1042" or plain "/timer start". Buttons
// whose id would not fit Discord's 100 characters are left out.
func customID(a bot.Action) string {
	if a.ID == "" || strings.Contains(a.ID, ":") {
		return ""
	}
	id := a.ID + ":" + a.Value
	if a.Command == "" || a.Value != "" && oneWord(a.Value) && strings.Contains(templateOf(a), templateValue) {
		if len(id) > maxCustomID {
			return ""
		}
		return id
	}
	if isCommandID(a.Command) && len(a.Command) <= maxCustomID {
		return a.Command
	}
	return ""
}

// isCommandID reports whether a custom_id is a command line ("/timer start").
func isCommandID(id string) bool { return strings.HasPrefix(id, "/") }

// body is message text within n characters: neutralised, a table (the
// /requests list) in a code block so its columns line up, and a cut marked
// with an ellipsis.
func body(text string, n int) string {
	s := Neutralise(strings.TrimSpace(text))
	if n <= 0 || s == "" {
		return ""
	}
	if strings.Contains(s, "\n") && bot.LooksTabular(s) && n > 8 {
		return "```\n" + clip(strings.ReplaceAll(s, "```", "`\u200b``"), n-8) + "\n```"
	}
	return clipEscaped(EscapeMarkdown(s), n)
}

// splitCustomID reverses customID.
func splitCustomID(s string) (id, value string, ok bool) {
	id, value, ok = strings.Cut(s, ":")
	return id, value, ok && id != ""
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// clip shortens s to at most n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// messageSend is a rendered message as a channel post.
func (r rendered) messageSend() *discordgo.MessageSend {
	return &discordgo.MessageSend{Content: r.Content, Embeds: r.Embeds, Components: r.Components,
		Files: r.Files, AllowedMentions: noMentions()}
}

// responseData is a rendered message as an interaction response.
func (r rendered) responseData() *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{Content: r.Content, Embeds: r.Embeds, Components: r.Components,
		Flags: r.Flags, AllowedMentions: noMentions()}
	if d.Components == nil {
		d.Components = []discordgo.MessageComponent{}
	}
	if d.Embeds == nil {
		d.Embeds = []*discordgo.MessageEmbed{}
	}
	return d
}

// webhookParams is a rendered message as an interaction follow-up.
func (r rendered) webhookParams() *discordgo.WebhookParams {
	return &discordgo.WebhookParams{Content: r.Content, Embeds: r.Embeds, Components: r.Components,
		Flags: r.Flags, Files: r.Files, AllowedMentions: noMentions()}
}

// webhookEdit is a rendered message replacing the original response.
func (r rendered) webhookEdit() *discordgo.WebhookEdit {
	content, embeds, comps := r.Content, r.Embeds, r.Components
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &comps,
		Files: r.Files, AllowedMentions: noMentions()}
}
