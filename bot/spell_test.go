package bot

import "testing"

func TestSpellCommands(t *testing.T) {
	known := func(n string) bool {
		return n == "time" || n == "help" || n == "request" || n == "home" || n == "mspbot"
	}
	for in, want := range map[string]string{
		"use /time 45m 1001, e.g. /time 1h":      "use /mspbot time 45m 1001, e.g. /mspbot time 1h",
		"type /help.":                            "type /mspbot help.",
		`("/request take 1001")`:                 `("/mspbot request take 1001")`,
		"More: /request show 1001\n/home":        "More: /mspbot request show 1001\n/mspbot home",
		"files in /home/dana and /etc":           "files in /home/dana and /etc",
		"https://example.com/help and a/time":    "https://example.com/help and a/time",
		"/timer start and /Time and /time_entry": "/timer start and /Time and /time_entry",
		"/mspbot intake on, /msp-time 45m":       "/mspbot intake on, /msp-time 45m",
		"/help.txt is a file":                    "/help.txt is a file",
	} {
		if got := SpellCommands(PlatformSlack, in, known); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
		if got := SpellCommands(PlatformDiscord, in, known); got != in {
			t.Errorf("discord changed %q to %q", in, got)
		}
	}
}
