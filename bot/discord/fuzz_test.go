package discord

import (
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

// FuzzParseInteraction: any body either parses into an interaction whose parts
// the adapter can use without panicking, or is refused with ErrBadInteraction.
func FuzzParseInteraction(f *testing.F) {
	for _, name := range []string{"interaction_application_command.json", "interaction_message_component.json",
		"interaction_modal_submit.json", "interaction_ping.json", "signed_application_command.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"type":2,"id":"1","token":"t","application_id":"a","user":{"id":"2"},"data":{"name":"x","options":[{"name":"a","type":1,"options":[{"name":"b","value":1e308}]}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := ParseInteraction(body)
		if err != nil {
			return
		}
		if in.Type < interactionPing || in.Type > interactionModalSubmit {
			t.Fatalf("accepted type %d", in.Type)
		}
		if in.Type == interactionPing {
			return
		}
		if in.ID == "" || in.Token == "" || in.UserID() == "" {
			t.Fatalf("accepted without id/token/user: %s", body)
		}
		switch {
		case in.Command != nil:
			args, _ := commandLine(in.Command)
			_, _ = bot.SplitArgs(args)
			focused(in.Command.Options)
		case in.Component != nil:
			splitCustomID(in.Component.CustomID)
		case in.Modal != nil:
			formLine(in.Modal.Values())
		default:
			t.Fatalf("type %d without data", in.Type)
		}
	})
}

// FuzzNeutralise: the output never contains @everyone or @here, and it is the
// input with zero-width spaces added — nothing else changes.
func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{"@everyone", "@here", "@@everyone@here", "hi @everyone!", "@evеryone (cyrillic e)", "@\u200beveryone", "", "no at sign", "@HERE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Neutralise(s)
		if strings.Contains(out, "@everyone") || strings.Contains(out, "@here") {
			t.Fatalf("Neutralise(%q) = %q still pings", s, out)
		}
		if strings.ReplaceAll(out, zwsp, "") != strings.ReplaceAll(s, zwsp, "") {
			t.Fatalf("Neutralise(%q) = %q changed more than mentions", s, out)
		}
	})
}
