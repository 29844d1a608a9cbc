package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestConfigNeverShowsSecrets: however the config is printed or logged, and
// whatever a parse error says, no token, signing secret or database password
// appears.
func TestConfigNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"DATABASE_URL":         "postgres://bob:dbpass-1@db:5432/mspbot",
		"SLACK_BOT_TOKEN":      "xoxb-secret-2",
		"SLACK_APP_TOKEN":      "xapp-secret-3",
		"SLACK_SIGNING_SECRET": "signing-secret-4",
		"DISCORD_BOT_TOKEN":    "discord-secret-5",
		"MSPBOT_ADMINS":        "U1",
	}
	c, err := ParseConfig(env(secrets))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "cfg", c, "slack", c.Slack, "discord", c.Discord)
	shown := fmt.Sprintf("%v %+v %s %v %+v", c, c, c, c.Slack, c.Discord) + logged.String()
	for _, wrong := range []map[string]string{{"MSPBOT_TZ": "Nowhere/Land"}, {"MSPBOT_LOG_LEVEL": "loud"}, {"MSPBOT_DISCORD_STAFF_ROLES": "123,Staff"}} {
		bad := map[string]string{}
		for k, v := range secrets {
			bad[k] = v
		}
		for k, v := range wrong {
			bad[k] = v
		}
		if _, err := ParseConfig(env(bad)); err == nil {
			t.Fatalf("%v accepted", wrong)
		} else {
			shown += err.Error()
		}
	}
	for name, s := range secrets {
		if name != "MSPBOT_ADMINS" && strings.Contains(shown, s) {
			t.Errorf("%s shown: %s", name, shown)
		}
	}
	if !strings.Contains(shown, "[set]") {
		t.Errorf("a set secret should read [set]: %s", shown)
	}
}

// TestStaffRolesAreIDs: MSPBOT_DISCORD_STAFF_ROLES takes role ids; a name is refused.
func TestStaffRolesAreIDs(t *testing.T) {
	t.Parallel()
	c, err := ParseConfig(env(map[string]string{"MSPBOT_DISCORD_STAFF_ROLES": " 111, 222 "}))
	if err != nil || len(c.StaffRoles) != 2 || c.StaffRoles[1] != "222" {
		t.Fatalf("%v %v", c.StaffRoles, err)
	}
	if _, err := ParseConfig(env(map[string]string{"MSPBOT_DISCORD_STAFF_ROLES": "Staff"})); err == nil || !strings.Contains(err.Error(), "role ids") {
		t.Fatalf("a role name was accepted: %v", err)
	}
}

// TestInboxTuning: the inbox's worker count and streaming share are read as
// given, and a value outside their range is refused with what to type.
func TestInboxTuning(t *testing.T) {
	t.Parallel()
	c, err := ParseConfig(env(map[string]string{"MSPBOT_INBOX_WORKERS": "3", "MSPBOT_INBOX_SHARE": "0.25"}))
	if err != nil || c.InboxWorkers != 3 || c.InboxShare != 0.25 {
		t.Fatalf("workers %d, share %v, %v", c.InboxWorkers, c.InboxShare, err)
	}
	for _, bad := range []string{"0", "1.5", "half", "-0.5"} {
		if _, err := ParseConfig(env(map[string]string{"MSPBOT_INBOX_SHARE": bad})); err == nil || !strings.Contains(err.Error(), "such as 0.5") {
			t.Errorf("MSPBOT_INBOX_SHARE=%s: %v", bad, err)
		}
	}
	if c, err := ParseConfig(env(map[string]string{"MSPBOT_ACK_BUDGET": "5ms"})); err != nil || c.AckBudget != 5*time.Millisecond {
		t.Fatalf("MSPBOT_ACK_BUDGET=5ms: %v %v", c.AckBudget, err)
	}
	for _, bad := range []string{"0", "3", "-1ms", "soon"} {
		if _, err := ParseConfig(env(map[string]string{"MSPBOT_ACK_BUDGET": bad})); err == nil || !strings.Contains(err.Error(), "such as 3ms") {
			t.Errorf("MSPBOT_ACK_BUDGET=%s: %v", bad, err)
		}
	}
}
