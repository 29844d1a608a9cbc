package bot

import (
	"strings"
	"unicode"
)

// On Slack a slash command name routes to one app in the whole workspace, and
// generic names (/time, /project, /help) collide with other apps or with
// Slack's own commands (/away). So mspbot registers one namespaced command,
// "/mspbot <command> …", plus a few distinctive aliases "/msp-<command> …".
// SlashCommand turns either form back into the router's command and
// arguments; the adapters call it before dispatching.
const (
	// SlashNamespace is the command every mspbot command is reached through.
	SlashNamespace = "mspbot"
	// SlashAliasPrefix starts an alias for one command: /msp-time is /mspbot time.
	SlashAliasPrefix = "msp-"
)

// namespaceOwn are the first words the "mspbot" command itself (channel
// settings) takes, so "/mspbot intake on" still configures the channel.
var namespaceOwn = map[string]bool{"intake": true, "channel": true}

// SlashCommand maps a slash command and its text to a command and its
// arguments:
//
//	/mspbot time 45m #1042    → time, "45m #1042"
//	/msp-time 45m #1042       → time, "45m #1042"
//	/mspbot intake on         → mspbot, "intake on"
//	/mspbot client link ACME  → mspbot, "client link ACME"
//	/mspbot client add ACME … → client, "add ACME …"
//	/mspbot                   → help, ""
//	/request show 1042        → request, "show 1042" (any other name as is)
func SlashCommand(slash, text string) (command, args string) {
	name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(slash), "/"))
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutPrefix(name, SlashAliasPrefix); ok && rest != "" {
		return rest, text
	}
	if name != SlashNamespace {
		return name, text
	}
	first, rest := cutWord(text)
	first = strings.ToLower(first)
	switch {
	case first == "":
		return "help", ""
	case namespaceOwn[first]:
		return SlashNamespace, text
	case first == "client":
		sub, _ := cutWord(rest)
		if s := strings.ToLower(sub); s == "link" || s == "unlink" {
			return SlashNamespace, text
		}
	}
	return strings.TrimPrefix(first, "/"), rest
}

// cutWord splits s at its first run of white space (a newline too).
func cutWord(s string) (word, rest string) {
	s = strings.TrimSpace(s)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}
