package slack

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/mspbot/mspbot/commands"
)

type manifest struct {
	Display struct {
		Name string `yaml:"name"`
	} `yaml:"display_information"`
	Features struct {
		BotUser struct {
			DisplayName string `yaml:"display_name"`
		} `yaml:"bot_user"`
		Shortcuts []struct {
			Name, Type, Description string
			CallbackID              string `yaml:"callback_id"`
		} `yaml:"shortcuts"`
		SlashCommands []struct {
			Command, Description string
			UsageHint            string `yaml:"usage_hint"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		Events struct {
			BotEvents []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled bool `yaml:"is_enabled"`
		} `yaml:"interactivity"`
		SocketMode bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// TestManifestMatchesTheBot: manifest.yaml parses; every registered command
// has a slash command and every slash command is registered; the scopes are
// exactly those the adapter uses; events, shortcuts and Socket Mode are on.
func TestManifestMatchesTheBot(t *testing.T) {
	raw, err := os.ReadFile("../../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	if m.Display.Name == "" || m.Features.BotUser.DisplayName == "" {
		t.Fatal("manifest needs a display name and a bot user")
	}
	var registered, slash []string
	for _, c := range commands.List(commands.Deps{}) {
		registered = append(registered, "/"+c.Name)
	}
	for _, c := range m.Features.SlashCommands {
		slash = append(slash, c.Command)
		if c.Description == "" || len(c.Description) > 100 || len(c.UsageHint) > 100 {
			t.Errorf("%s: a description (≤100 chars) is required, usage hint ≤100", c.Command)
		}
	}
	sort.Strings(registered)
	sort.Strings(slash)
	if !slices.Equal(registered, slash) {
		t.Errorf("registered commands %v; manifest slash commands %v", registered, slash)
	}
	wantScopes := []string{"app_mentions:read", "channels:history", "chat:write", "commands", "files:write", "groups:history",
		"im:write", "reactions:read", "users:read"}
	if got := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot)); !slices.Equal(got, wantScopes) {
		t.Errorf("bot scopes %v; want exactly %v", got, wantScopes)
	}
	wantEvents := []string{"app_mention", "message.channels", "message.groups", "reaction_added"}
	if got := slices.Sorted(slices.Values(m.Settings.Events.BotEvents)); !slices.Equal(got, wantEvents) {
		t.Errorf("bot events %v; want %v", got, wantEvents)
	}
	callbacks := map[string]string{}
	for _, s := range m.Features.Shortcuts {
		callbacks[s.CallbackID] = s.Type
		if s.Name == "" || s.Description == "" {
			t.Errorf("shortcut %s needs a name and a description", s.CallbackID)
		}
	}
	if callbacks[CallbackOpenRequest] != "global" || callbacks[CallbackOpenRequestMessage] != "message" {
		t.Errorf("shortcuts %v; want %s (global) and %s (message)", callbacks, CallbackOpenRequest, CallbackOpenRequestMessage)
	}
	if !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode {
		t.Error("interactivity and Socket Mode must be on")
	}
}
