package commands_test

import (
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
)

func TestContractClauseFlipsTheDecision(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	text := "Configure the new firewall rules for the guest wifi"
	if out := run(cora, "/request "+text); !strings.Contains(out, "— project") {
		t.Fatalf("without a contract this must be a project:\n%s", out)
	}
	if out := run(cora, `/contract ACME covers "firewall changes"`); !strings.Contains(out, "added to ACME's contract") {
		t.Fatalf("add clause:\n%s", out)
	}
	out := run(cora, "/request --client ACME "+text)
	if !strings.Contains(out, "— support") || !strings.Contains(out, "firewall changes") {
		t.Fatalf("covered work must be support and name the clause:\n%s", out)
	}
	small := "Install the new printer in the front office"
	if out := run(cora, "/request --client ACME "+small); !strings.Contains(out, "— support") {
		t.Fatalf("one printer is support without a clause:\n%s", out)
	}
	if out := run(cora, `/contract ACME project "printer installs"`); !strings.Contains(out, "always a project") {
		t.Fatalf("always-project clause:\n%s", out)
	}
	out = run(cora, "/request --client ACME "+small)
	if !strings.Contains(out, "— project") || !strings.Contains(out, "printer installs") {
		t.Fatalf("an always-project clause must make it a project and say so:\n%s", out)
	}
	if out := run(cora, "/contract ACME"); !strings.Contains(out, "covers: firewall changes") || !strings.Contains(out, "always a project: printer installs") {
		t.Fatalf("list:\n%s", out)
	}
	if out := run(cora, `/contract ACME covers "firewall changes"`); !strings.Contains(out, "already says") {
		t.Fatalf("duplicate clause:\n%s", out)
	}
	tech := h.as("tom", bot.RoleTech, "")
	if out := run(tech, `/contract ACME covers "everything"`); !strings.Contains(out, "for coordinators") {
		t.Fatalf("tech editing contract:\n%s", out)
	}
}

func TestOverrideTeachesNearDuplicatesOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	first := run(cora, "/request Set up a new workstation for Bob in accounting") // #1001
	if !strings.Contains(first, "#1001 — support") {
		t.Fatalf("first:\n%s", first)
	}
	run(cora, `/reclassify 1001 project "accounting workstations are quoted separately"`)

	out := run(cora, "/request Set up a new workstation for Jim in accounting") // #1002
	if !strings.Contains(out, "#1002 — project") || !strings.Contains(out, "#1001") {
		t.Fatalf("a near-duplicate must follow the override and name #1001:\n%s", out)
	}
	out = run(cora, "/request Outlook keeps asking for my password") // #1003
	if !strings.Contains(out, "#1003 — support") || strings.Contains(out, "#1001") {
		t.Fatalf("an unrelated request must not follow the override:\n%s", out)
	}
	if out := run(cora, "/classify rules"); !strings.Contains(out, "#1001 → project") || !strings.Contains(out, "quoted separately") {
		t.Fatalf("rules:\n%s", out)
	}
	if out := run(cora, "/classify forget #1001"); !strings.Contains(out, "Forgotten") {
		t.Fatalf("forget:\n%s", out)
	}
	out = run(cora, "/request Set up a new workstation for Ann in accounting")
	if !strings.Contains(out, "— support") || strings.Contains(out, "#1001") {
		t.Fatalf("after forgetting, the request must be classified on its own:\n%s", out)
	}
	if out := run(cora, "/classify forget 1001"); !strings.Contains(out, "nothing was learned from #1001") {
		t.Fatalf("forgetting twice:\n%s", out)
	}
}

func TestUnsureRequestAsksACoordinator(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tom := h.as("tom", bot.RoleTech, "")
	out := run(tom, "/request new laptop")
	if !strings.Contains(out, "#1001") || !strings.Contains(out, "project or support?") ||
		!strings.Contains(out, "[It's a project]") || !strings.Contains(out, "[It's support]") {
		t.Fatalf("a low-confidence request must ask with both buttons:\n%s", out)
	}
	cora := h.as("cora", bot.RoleCoordinator, "")
	out = run(cora, `/reclassify 1001 support "just a jam"`)
	if strings.Contains(out, "project or support?") {
		t.Fatalf("once a coordinator decided, the question goes away:\n%s", out)
	}
	if out := run(tom, "/request Outlook keeps asking for my password"); strings.Contains(out, "project or support?") {
		t.Fatalf("a confident request must not ask:\n%s", out)
	}
}

// Clients are created on purpose only: a mistyped code anywhere is refused
// with the way to add one, and nothing is stored.
func TestMistypedClientCodeCreatesNoClient(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	dana := h.as("dana", bot.RoleManager, "")
	for _, line := range []string{
		`/project new ACEM "Firewall" --start 2030-01-07 --end 2030-03-29 --budget 10h`,
		"/role @x client ACEM",
		"/client sla ACEM P1 15m 4h",
		`/contract ACEM covers "patching"`,
		"/request --client ACEM printer jammed",
	} {
		if out := run(dana, line); !strings.Contains(out, `no client "ACEM"`) || !strings.Contains(out, "/client add ACEM") {
			t.Errorf("%s:\n%s", line, out)
		}
	}
	if out := run(dana, "/client"); strings.Contains(out, "ACEM") || !strings.Contains(out, "2 clients") {
		t.Fatalf("a typo created a client:\n%s", out)
	}
	if out := run(dana, `/client add Initech "Initech LLC"`); !strings.Contains(out, "Client Initech (Initech LLC) added") {
		t.Fatalf("add:\n%s", out)
	}
	if out := run(dana, "/client add initech"); !strings.Contains(out, "already a client initech") {
		t.Fatalf("duplicate in another case:\n%s", out)
	}
	if out := run(dana, `/client add "two words"`); !strings.Contains(out, "a code of up to 32") {
		t.Fatalf("bad code:\n%s", out)
	}
	if out := run(dana, "/request --client initech printer jammed"); !strings.Contains(out, "Client: Initech") {
		t.Fatalf("request for the new client:\n%s", out)
	}
	tech := h.as("tom", bot.RoleTech, "")
	if out := run(tech, "/client add Hooli"); !strings.Contains(out, "for coordinators") {
		t.Fatalf("tech adding a client:\n%s", out)
	}
}

// Overrides are training rows: /classify retrain refits the workspace's
// model, which then decides differently worded requests too (not only
// near-duplicates), and forgetting the last row drops the model again.
func TestRetrainLearnsFromOverrides(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	if out := run(cora, "/classify retrain"); !strings.Contains(out, "Nothing to learn from") {
		t.Fatalf("retrain with no overrides:\n%s", out)
	}
	probe := "/classify can accounting get a workstation for the temp"
	if out := run(cora, probe); !strings.Contains(out, "Would be support") {
		t.Fatalf("precondition: the committed model calls the probe support:\n%s", out)
	}
	for _, text := range []string{
		"Set up a new workstation for Bob in accounting", // #1001
		"accounting needs another workstation for Priya", // #1002
	} {
		if out := run(cora, "/request "+text); !strings.Contains(out, "— support") {
			t.Fatalf("precondition: the committed model calls %q support:\n%s", text, out)
		}
	}
	run(cora, `/reclassify 1001 project "accounting workstations are quoted separately"`)
	run(cora, `/reclassify 1002 project "accounting workstations are quoted separately"`)
	out := run(cora, "/classify retrain")
	if !strings.Contains(out, "Retrained on 2 override(s)") || !strings.Contains(out, "agrees with 2 of them (the committed model with 0)") {
		t.Fatalf("retrain:\n%s", out)
	}
	if out := run(cora, "/classify new laptop for Sam in sales"); !strings.Contains(out, "Would be support") {
		t.Fatalf("a request unlike the overrides keeps its class:\n%s", out)
	}
	out = run(cora, probe)
	if !strings.Contains(out, "Would be project") || strings.Contains(out, "follows #") {
		t.Fatalf("the refitted model must generalise, not only follow near-duplicates:\n%s", out)
	}
	if out := run(cora, "/classify Outlook keeps asking for my password"); !strings.Contains(out, "Would be support") {
		t.Fatalf("unrelated requests keep their class:\n%s", out)
	}
	// Once the workspace has a model, each new override refits it.
	run(cora, "/request Please reset the MFA for Dan") // #1003
	if out := run(cora, `/reclassify 1003 project "MFA resets are billed"`); !strings.Contains(out, "Retrained on 3 override(s)") {
		t.Fatalf("an override must refit an existing workspace model:\n%s", out)
	}
	if out := run(h.as("tom", bot.RoleTech, ""), "/classify retrain"); !strings.Contains(out, "for coordinators") {
		t.Fatalf("a tech may not retrain:\n%s", out)
	}
	if out := run(cora, "/classify forget 1001"); !strings.Contains(out, "Retrained on 2 override(s)") {
		t.Fatalf("forgetting refits without the row:\n%s", out)
	}
	run(cora, "/classify forget 1003")
	if out := run(cora, "/classify forget 1002"); !strings.Contains(out, "no overrides are left") {
		t.Fatalf("forgetting the last row drops the model:\n%s", out)
	}
	if out := run(cora, probe); !strings.Contains(out, "Would be support") {
		t.Fatalf("with the model dropped the committed one answers:\n%s", out)
	}
}

// Issue 13: /classify --client tries a client's contract, and a clause that
// matches none of the labelled requests is added with a warning.
func TestClassifyWithClientContract(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cora := h.as("cora", bot.RoleCoordinator, "")
	if out := run(cora, `/contract ACME project "anything involving new hardware"`); strings.Contains(out, "Warning") {
		t.Fatalf("a clause that matches labelled requests must not warn:\n%s", out)
	}
	run(cora, `/contract ACME covers "network changes such as VLANs and firewall rules"`)
	out := run(cora, "/classify --client ACME Please buy new hardware for the accounts team")
	if !strings.Contains(out, "Would be project") || !strings.Contains(out, `always a project per ACME's contract: "anything involving new hardware"`) {
		t.Fatalf("--client must apply the contract and name the clause:\n%s", out)
	}
	out = run(cora, "/classify --client ACME set up a new VLAN for the cameras")
	if !strings.Contains(out, "Would be support") || !strings.Contains(out, "covered by ACME's contract") {
		t.Fatalf("a new VLAN is a covered network change:\n%s", out)
	}
	if out := run(cora, "/classify --client NOPE printer jammed"); !strings.Contains(out, `no client "NOPE"`) {
		t.Fatalf("unknown client:\n%s", out)
	}
	out = run(cora, `/contract ACME covers "submarine periscope polishing"`)
	if !strings.Contains(out, "added to ACME's contract") || !strings.Contains(out, "Warning: it matches none of the") {
		t.Fatalf("a clause matching nothing must be added with a warning:\n%s", out)
	}
}
