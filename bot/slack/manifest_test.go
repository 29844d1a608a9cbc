package slack

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/storage/storagetest"
)

type manifest struct {
	Display struct {
		Name string `yaml:"name"`
	} `yaml:"display_information"`
	Features struct {
		AppHome struct {
			HomeTab          bool `yaml:"home_tab_enabled"`
			MessagesTab      bool `yaml:"messages_tab_enabled"`
			MessagesReadOnly bool `yaml:"messages_tab_read_only_enabled"`
		} `yaml:"app_home"`
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

func readManifest(t *testing.T) manifest {
	t.Helper()
	raw, err := os.ReadFile("../../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	return m
}

// TestManifestInstallsAsPasted: manifest.yaml parses; its slash commands are
// valid Slack names, none is one of Slack's built-ins, and each reaches a
// registered command (bot.SlashCommand); every registered command is reachable
// through /mspbot; the scopes are exactly those the adapter uses; App Home has
// the Home and Messages tabs and app_home_opened is subscribed.
func TestManifestInstallsAsPasted(t *testing.T) {
	t.Parallel()
	m := readManifest(t)
	if m.Display.Name == "" || m.Features.BotUser.DisplayName == "" {
		t.Fatal("manifest needs a display name and a bot user")
	}
	registered := map[string]bool{}
	for _, c := range commands.List(commands.Deps{}) {
		registered[c.Name] = true
		if cmd, _ := bot.SlashCommand("/"+bot.SlashNamespace, c.Name+" 1"); cmd != c.Name && c.Name != bot.SlashNamespace {
			t.Errorf("/%s %s reaches %q, not the command", bot.SlashNamespace, c.Name, cmd)
		}
	}
	var namespace bool
	for _, c := range m.Features.SlashCommands {
		if !slashName.MatchString(c.Command) {
			t.Errorf("%s: a slash command is / and 1–31 lowercase letters, digits, - _ or .", c.Command)
		}
		if slices.Contains(slackBuiltIns, c.Command) {
			t.Errorf("%s is a Slack built-in command; Slack refuses the manifest", c.Command)
		}
		if c.Description == "" || len([]rune(c.Description)) > 100 || len([]rune(c.UsageHint)) > 1000 {
			t.Errorf("%s: a description (≤100 characters) is required, usage hint ≤1000", c.Command)
		}
		namespace = namespace || c.Command == "/"+bot.SlashNamespace
		if cmd, _ := bot.SlashCommand(c.Command, ""); !registered[cmd] && c.Command != "/"+bot.SlashNamespace {
			t.Errorf("%s reaches %q, which is not a command", c.Command, cmd)
		}
	}
	if !namespace || len(m.Features.SlashCommands) > 6 {
		t.Errorf("want /%s and a few aliases; got %d slash commands", bot.SlashNamespace, len(m.Features.SlashCommands))
	}
	wantScopes := []string{"app_mentions:read", "channels:history", "channels:read", "chat:write", "commands", "files:write", "groups:history", "groups:read",
		"im:history", "im:write", "reactions:read", "users:read"}
	if got := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot)); !slices.Equal(got, wantScopes) {
		t.Errorf("bot scopes %v; want exactly %v", got, wantScopes)
	}
	wantEvents := []string{"app_home_opened", "app_mention", "message.channels", "message.groups", "message.im", "reaction_added"}
	if got := slices.Sorted(slices.Values(m.Settings.Events.BotEvents)); !slices.Equal(got, wantEvents) {
		t.Errorf("bot events %v; want %v", got, wantEvents)
	}
	if !m.Features.AppHome.HomeTab || !m.Features.AppHome.MessagesTab || m.Features.AppHome.MessagesReadOnly {
		t.Errorf("app_home %+v: the Home tab and a writable Messages tab must be on", m.Features.AppHome)
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

// TestManifestUsageHintsRunAsTyped: every alternative of every usage hint,
// typed after its slash command by a manager on a real database, reaches a
// command that understands it (it may find no such request, but never answers
// "not a command" or "wrong usage").
func TestManifestUsageHintsRunAsTyped(t *testing.T) {
	t.Parallel()
	m := readManifest(t)
	store := storagetest.New(t)
	ctx := context.Background()
	var code bot.Code
	var label string
	clock := bot.NewFakeClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	router := commands.NewRouter(commands.Deps{Store: store, Clock: clock, Log: slog.New(slog.DiscardHandler)},
		func(command string, c bot.Code, _ time.Duration) { label, code = command, c })
	if _, err := commands.Assume(ctx, store, bot.PlatformSlack, testTeam, bot.User{ID: "UMGR", Name: "mgr"}, bot.RoleManager, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := store.EnsureClient(ctx, storagetest.Workspace(t, store, bot.PlatformSlack, testTeam), "ACME"); err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, c := range m.Features.SlashCommands {
		for _, alt := range strings.Split(c.UsageHint, "|") {
			alt = strings.TrimSpace(alt)
			if alt == "" {
				continue
			}
			cmd, args := bot.SlashCommand(c.Command, alt)
			msgs := router.Dispatch(ctx, bot.Event{Platform: bot.PlatformSlack, Workspace: testTeam, Channel: "C1",
				User: bot.User{ID: "UMGR", Name: "mgr"}, Command: cmd, Args: args})
			tried++
			if label == "unknown" || code == bot.EInvalid || code == bot.EInternal {
				t.Errorf("%s %s → /%s %q: %s %v", c.Command, alt, cmd, args, code, msgs)
			}
		}
	}
	if tried < 10 {
		t.Errorf("only %d usage examples; every alias should show real ones", tried)
	}
}
