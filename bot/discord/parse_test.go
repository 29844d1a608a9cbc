package discord

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mspbot/mspbot/bot"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The recorded payloads parse, including the modal submit whose inputs sit in
// type-18 label wrappers that discordgo v0.29 does not know.
func TestParseFixtures(t *testing.T) {
	t.Parallel()
	in, err := ParseInteraction(fixture(t, "interaction_application_command.json"))
	if err != nil || in.Command.Name != "cardsearch" || in.Command.Options[0].String() != "The Gitrog Monster" || in.UserID() != "53908232506183680" {
		t.Fatalf("command: %+v %v", in, err)
	}
	in, err = ParseInteraction(fixture(t, "interaction_message_component.json"))
	if err != nil || in.Component.CustomID != "click_me" || in.Message.ID != "334385199974967042" {
		t.Fatalf("component: %+v %v", in, err)
	}
	in, err = ParseInteraction(fixture(t, "interaction_modal_submit.json"))
	if err != nil || in.Modal.Values()["game_feedback"] == "" {
		t.Fatalf("modal: %+v %v", in, err)
	}
	if in, err := ParseInteraction(fixture(t, "interaction_ping.json")); err != nil || in.Type != interactionPing {
		t.Fatalf("ping: %+v %v", in, err)
	}
	for _, bad := range []string{``, `null`, `[]`, `{"type":9}`, `{"type":2,"id":"1","token":"t","application_id":"a"}`,
		`{"type":3,"id":"1","token":"t","application_id":"a","user":{"id":"2"},"data":{}}`} {
		if _, err := ParseInteraction([]byte(bad)); !errors.Is(err, ErrBadInteraction) {
			t.Errorf("ParseInteraction(%q) = %v; want ErrBadInteraction", bad, err)
		}
	}
}

func TestCommandLineFromOptions(t *testing.T) {
	t.Parallel()
	o := func(name string, typ int, v string) Option {
		return Option{Name: name, Type: typ, Value: json.RawMessage(v)}
	}
	s := func(name string, opts ...Option) Option {
		return Option{Name: name, Type: optSubCommand, Options: opts}
	}
	cases := []struct {
		data CommandData
		want string
	}{
		{CommandData{Name: "request", Options: []Option{s("open", o("text", 3, `"Printer jammed"`), o("client", 3, `"ACME"`))}}, "--client ACME Printer jammed"},
		{CommandData{Name: "request", Options: []Option{s("show", o("number", 4, `1002`))}}, "show 1002"},
		{CommandData{Name: "request", Options: []Option{s("close", o("number", 4, `1002.0`))}}, "close 1002"},
		{CommandData{Name: "reclassify", Options: []Option{o("number", 4, `7`), o("kind", 3, `"support"`), o("reason", 3, `"say \"hi\" \\ ok"`), o("type", 3, `"mac"`)}},
			`7 support mac "say \"hi\" \\ ok"`},
		{CommandData{Name: "mspbot", Options: []Option{s("intake", o("state", 3, `"on"`))}}, "intake on"},
		{CommandData{Name: "mspbot", Options: []Option{s("client-link", o("client", 3, `"ACME"`))}}, `client link "ACME"`},
		{CommandData{Name: "time", Options: []Option{o("args", 3, `"45m #1001 replaced switch"`)}}, "45m #1001 replaced switch"},
	}
	for _, c := range cases {
		got, _ := commandLine(&c.data)
		if got != c.want {
			t.Errorf("%s %+v: %q; want %q", c.data.Name, c.data.Options, got, c.want)
		}
		// Whatever the options, the router's own parser reads the result back.
		if _, err := bot.SplitArgs(got); err != nil {
			t.Errorf("%q does not split: %v", got, err)
		}
	}
	if _, form := commandLine(&CommandData{Name: "request", Options: []Option{s("form")}}); !form {
		t.Error("request form not recognised")
	}
}

func TestRenderLimitsAndButtons(t *testing.T) {
	t.Parallel()
	m := bot.Message{Title: strings.Repeat("t", 300), Text: "@here " + strings.Repeat("x", 5000), Ephemeral: true, IsError: true,
		Fields:  []bot.Field{{Label: "Client", Value: "ACME"}, {Label: "", Value: ""}},
		Actions: []bot.Action{{ID: "a", Value: "1", Label: "One", Style: "primary"}, {ID: "b", Value: strings.Repeat("9", 120)}, {ID: "c", Value: "3", Style: "danger"}}}
	r := render(m)
	e := r.Embeds[0]
	if utf8.RuneCountInString(e.Title) != maxTitle || utf8.RuneCountInString(e.Description) != maxDescription || !strings.HasPrefix(e.Description, "@\u200bhere") {
		t.Fatalf("embed not clipped/neutralised: %d %d %q", len(e.Title), len(e.Description), e.Description[:10])
	}
	if e.Color != colourError || r.Flags != flagEphemeral || e.Fields[1].Name != "—" {
		t.Fatalf("colour %x flags %d fields %+v", e.Color, r.Flags, e.Fields)
	}
	b, _ := json.Marshal(r.Components)
	if !strings.Contains(string(b), `"custom_id":"a:1"`) || strings.Contains(string(b), `"custom_id":"b:`) || !strings.Contains(string(b), `"style":4`) {
		t.Fatalf("buttons: %s", b)
	}
	if plain := render(bot.Message{Text: "hi @everyone"}); plain.Content != "hi @\u200beveryone" || plain.Embeds != nil {
		t.Fatalf("plain text: %+v", plain)
	}
}

func TestInviteURL(t *testing.T) {
	t.Parallel()
	u := InviteURL("775799577604522054")
	if !strings.Contains(u, "client_id=775799577604522054") || !strings.Contains(u, "scope=bot+applications.commands") ||
		!strings.Contains(u, "permissions=309237763072") {
		t.Fatalf("invite URL %s", u)
	}
}
