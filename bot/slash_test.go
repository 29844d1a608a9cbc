package bot

import "testing"

func TestSlashCommand(t *testing.T) {
	cases := []struct{ slash, text, cmd, args string }{
		{"/mspbot", "time 45m #1042 replaced the switch", "time", "45m #1042 replaced the switch"},
		{"/mspbot", "  Request   printer is down\nsince 9am ", "request", "printer is down\nsince 9am"},
		{"/msp-time", " 45m #1042", "time", "45m #1042"},
		{"/MSP-Requests", "", "requests", ""},
		{"/mspbot", "intake on", "mspbot", "intake on"},
		{"/mspbot", "channel", "mspbot", "channel"},
		{"/mspbot", "client link ACME", "mspbot", "client link ACME"},
		{"/mspbot", "client unlink", "mspbot", "client unlink"},
		{"/mspbot", `client add ACME "Acme Corp"`, "client", `add ACME "Acme Corp"`},
		{"/mspbot", "client", "client", ""},
		{"/mspbot", "", "help", ""},
		{"/mspbot", "/timer start", "timer", "start"},
		{"/request", "show 1042", "request", "show 1042"},
		{"/msp-", "x", "msp-", "x"},
	}
	for _, c := range cases {
		cmd, args := SlashCommand(c.slash, c.text)
		if cmd != c.cmd || args != c.args {
			t.Errorf("SlashCommand(%q, %q) = %q, %q; want %q, %q", c.slash, c.text, cmd, args, c.cmd, c.args)
		}
	}
}
