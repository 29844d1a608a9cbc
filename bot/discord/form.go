package discord

import (
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/mspbot/mspbot/bot"
)

// A reply carrying a bot.Form (the weekly draft's Edit button) opens as a
// Discord modal: one paragraph field holding the text to start from. Its
// custom_id carries the command the form runs ("form:/project update P12 edit
// 2026-W48"), so a submission needs nothing remembered; what was entered is
// appended as one quoted argument and dispatched through the Router.

const (
	formPrefix    = "form:"
	formField     = "text"
	maxModalTitle = 45
	maxInputLabel = 45
	maxInputValue = 4000
)

// formResponse is the modal for f, or nil when it does not fit Discord's
// limits (the reply's text then says how to type it).
func formResponse(f *bot.Form) *discordgo.InteractionResponse {
	id := formPrefix + f.Submit
	if f.Submit == "" || len(id) > maxCustomID || utf8.RuneCountInString(f.Initial) > maxInputValue {
		return nil
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: id, Title: clip(bot.FirstNonEmpty(f.Title, "Edit"), maxModalTitle),
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{
			CustomID: formField, Label: clip(bot.FirstNonEmpty(f.Label, "Text"), maxInputLabel), Style: discordgo.TextInputParagraph,
			Required: true, MaxLength: maxInputValue, Value: f.Initial,
		}}}},
	}}
}

// formOf returns the first form among msgs.
func formOf(msgs []bot.Message) *bot.Form {
	for _, m := range msgs {
		if m.Form != nil {
			return m.Form
		}
	}
	return nil
}

// formSubmitLine is the command line a submitted form runs; ok is false when
// the modal is not one of these forms.
func formSubmitLine(customID string, values map[string]string) (line string, ok bool, err error) {
	submit, ok := strings.CutPrefix(customID, formPrefix)
	if !ok {
		return "", false, nil
	}
	text := strings.TrimSpace(values[formField])
	if text == "" {
		return "", true, bot.Errorf(bot.EInvalid, "the form was empty; nothing changed")
	}
	return submit + " " + `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `”`, `\”`).Replace(text) + `"`, true, nil
}
