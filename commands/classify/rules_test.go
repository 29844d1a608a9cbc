package classify

import (
	"strings"
	"testing"
)

// The general rules added after the unseen batches (testdata/unseen2*.tsv),
// each checked on sentences that are not in those batches.
func TestGeneralRules(t *testing.T) {
	check(t, []want{
		// Urgency is support-ish only when nothing is planned.
		{"urgent: printer offline in reception", KindSupport, ""},
		{"URGENT need the Glasgow branch live by Monday, 12 PCs and a firewall", KindProject, ""},
		// A break word naming a control is not a fault.
		{"intrusion detection and threat protection rollout for all staff", KindProject, ""},
		{"data loss on the shared drive after the power cut", KindSupport, TypeIncident},
		// "are out of control" is no outage; "is out" is.
		{"our print costs are out of control, can you propose managed print for both offices", KindProject, ""},
		{"internet is out at the Leeds office", KindSupport, TypeIncident},
		// A phrasal verb with its object: "bring ... down" is no outage.
		{"help us bring licence spend down by consolidating tools across the group, happy to sign a separate engagement", KindProject, ""},
		// Billed outside the agreement.
		{"out of scope work: rewire the comms cabinet, billed separately", KindProject, ""},
		// Seasons are schedules.
		{"we want the phones swapped to Teams over the summer holidays, 40 handsets", KindProject, ""},
		// Leaving a place, building a thing.
		{"exit from the colo in Slough and wind down the racks there", KindProject, ""},
		{"app exits when I click save", KindSupport, ""},
		{"Windows build 22H2 update failing on one laptop", KindSupport, TypeIncident},
		// Rooms are spaces, not one device.
		{"fit out two meeting rooms with video conferencing kit", KindProject, ""},
		{"the boardroom screen is blank", KindSupport, TypeIncident},
		// Arrows between systems are transitions; menu paths are not.
		{"SBS2011 -> M365", KindProject, ""},
		{"Settings -> Accounts -> Email: mail not syncing on Sarah's phone", KindSupport, ""},
		// Acronyms that are also words count only in capitals.
		{"new SAN for the VMware hosts", KindProject, ""},
	})
}

func TestProductShaped(t *testing.T) {
	for w, want := range map[string]bool{
		"SharePoint": true, "M365": true, "VPN": true, "E5": true, "60F": true, "FortiGate": true,
		"Bob": false, "Xero": false, "printer": false, "2016": false, "A": false, "McDonald": true,
	} {
		toks := tokenize(w)
		if len(toks) != 1 {
			t.Fatalf("tokenize(%q) = %d tokens", w, len(toks))
		}
		if got := productShaped(w, toks[0]); got != want {
			t.Errorf("productShaped(%q) = %v, want %v", w, got, want)
		}
	}
}

// Product-shaped and device words after "for" are not a person: "deploy
// Defender for Endpoint" is not one person's request.
func TestProductNotName(t *testing.T) {
	for _, s := range []string{"deploy Defender for Endpoint", "set up licences for M365", "roll out SSO for SharePoint"} {
		a := analyse(s)
		if a.sc.single {
			t.Errorf("%q: read as one person (%q)", s, a.sc.singleLabel)
		}
	}
	if a := analyse("set up a laptop for Priya"); !a.sc.single {
		t.Error(`"for Priya" should still be one person`)
	}
}

// Mixed evidence lowers confidence: the same margin is less certain when
// the losing side has a lot to say.
func TestConflictDiscount(t *testing.T) {
	if d := conflictDiscount(5, 0); d != 1 {
		t.Errorf("one-sided discount = %v, want 1", d)
	}
	if d := conflictDiscount(4, 4); d != 0.5 {
		t.Errorf("even discount = %v, want 0.5", d)
	}
	if d := conflictDiscount(0, 0); d != 1 {
		t.Errorf("no evidence discount = %v, want 1", d)
	}
}

func TestUnseenSets(t *testing.T) {
	// Floors at the level reached after fixing (2a-2c) or found (2d), less one row.
	evalFile(t, "testdata/unseen2a.tsv", 0.975)
	evalFile(t, "testdata/unseen2b.tsv", 0.975)
	evalFile(t, "testdata/unseen2c.tsv", 0.96)
	evalFile(t, "testdata/unseen2d.tsv", 0.96)
}

// The mechanisms added after the unseen3 batches (typos and SMS style,
// questions and hedges, MSP staff jargon and scale pairs), each checked on
// sentences that are in none of the batches.
func TestRound3Rules(t *testing.T) {
	check(t, []want{
		// Misspelt and shortened requests read like spelt-out ones.
		{"plese instal new firewal at the warehuose for all 25 staf", KindProject, ""},
		{"my keybord stoped workin after i spill coffe", KindSupport, TypeIncident},
		{"need acess to the acounts folder pls", KindSupport, ""},
		{"can u quote 18 new laptp for our sales ppl", KindProject, ""},
		{"we need 25laptops for the new intake", KindProject, ""},
		{"plz reset pwd for me", KindSupport, ""},
		// Scoping questions are planning; fault questions are not.
		{"How long would it take to get all the branches onto one phone system?", KindProject, ""},
		{"Why is the phone system so slow today?", KindSupport, ""},
		// Hedges carry no weight: the request under them decides.
		{"Would it be possible to move all 30 of us onto Teams?", KindProject, ""},
		{"Is it possible to get a list of who can open the finance share?", KindSupport, ""},
		// A break word after considering is a plan.
		{"we are considering dropping the landlines in favour of Teams Phone at every branch", KindProject, ""},
		// Closing any kind of site is a change.
		{"closing the Bristol depot at month end, need the kit brought back and lines cancelled", KindProject, ""},
		// "all 15" counts even when its noun is left out.
		{"all 15 in the design studio need new headsets and docks", KindProject, ""},
		// "from X to Y" in words is a transition when a system is named.
		{"we'd like to go from QuickBooks to Xero at the start of the next financial year", KindProject, ""},
		{"please move my desk phone from room 4 to room 9", KindSupport, ""},
		// A few is support-sized, dozens is a project.
		{"set up 2 laptops for the new interns", KindSupport, ""},
		{"set up 20 laptops for the new interns", KindProject, ""},
		// One person's mailbox migrated is a service request; all of them a project.
		{"migrate Priya's mailbox from the old domain to her new address", KindSupport, ""},
		{"migrate every mailbox from the old domain to the new one", KindProject, ""},
		// A device word naming a kind of system is not one device.
		{"time to replace the desk phone system, it's fifteen years old", KindProject, ""},
		{"the desk phone in reception has no dial tone", KindSupport, TypeIncident},
		// A company name is not a plan.
		{"the receptionist at Legacy Transformation Group cannot print", KindSupport, TypeIncident},
		{"New Horizon Dental's front desk PC is really slow", KindSupport, TypeIncident},
	})
}

func TestTypoCorrection(t *testing.T) {
	for w, want := range map[string]string{
		// slips of lexicon words
		"migraton": "migration", "deploymnet": "deployment", "passwrod": "password",
		"sheduled": "scheduled", "enviroment": "environment", "firewal": "firewall",
		// already known through its stem ("instal"), so nothing to correct
		"instalation": "",
		// a consonant dropped from a short word is not guessed
		"loked": "",
		// real words one edit from a lexicon word stay as they are
		"contact": "", "enable": "", "stuff": "", "remote": "", "folder": "", "though": "",
		"leaving": "", "charge": "", "lose": "", "compliant": "",
		// known words and their inflections are never touched
		"migrations": "", "printers": "",
	} {
		if got := typos.correct(w); got != want {
			t.Errorf("correct(%q) = %q, want %q", w, got, want)
		}
	}
	// A capitalised word inside a sentence may be a name.
	toks := normalize("onsite at Marsh Vets", tokenize("onsite at Marsh Vets"))
	if toks[2].word != "marsh" {
		t.Errorf("Marsh corrected to %q", toks[2].word)
	}
	toks = normalize("PASWORD EXPIRED", tokenize("PASWORD EXPIRED"))
	if toks[0].word != "password" {
		t.Errorf("PASWORD read as %q", toks[0].word)
	}
}

func TestNounOfIng(t *testing.T) {
	for w, want := range map[string]bool{"accounting": false, "hosting": false, "monitoring": false, "building": true, "laptops": true} {
		if _, ok := nounOf(tokenize(w)[0]); ok != want {
			t.Errorf("nounOf(%q) = %v, want %v", w, ok, want)
		}
	}
}

func TestRound3Sets(t *testing.T) {
	// Floors at the level reached after fixing, less one row.
	evalFile(t, "testdata/unseen3a.tsv", 0.96)
	evalFile(t, "testdata/unseen3b.tsv", 0.975)
	evalFile(t, "testdata/unseen3c.tsv", 0.975) // 79/80 since the destination rule of round 4
	evalFile(t, "testdata/unseen3d.tsv", 0.925) // a holdout: 38/40 after one fix, floor one row less
}

// The mechanisms added after the blind holdout testdata/unseen4.tsv, each
// checked on sentences that are in none of the batches.
func TestRound4Rules(t *testing.T) {
	check(t, []want{
		// A system named only as where a few things are added is not being
		// changed; a change verb, a count of a team or more, or the system
		// as the verb's own object still make it a project.
		{"enrol 2 tablets into Autopilot for the warehouse pickers", KindSupport, ""},
		{"connect two more handsets to the existing phone system", KindSupport, ""},
		{"install 3 label printers on the network in dispatch", KindSupport, TypeMAC},
		{"enrol every laptop in Intune across the company", KindProject, ""},
		{"roll out Intune and enrol the 3 laptops in it", KindProject, ""},
		{"install a second firewall in the comms room", KindProject, ""},
		// Pricing one thing for one person is a purchase; pricing
		// infrastructure, or one thing for everyone, is a project.
		{"can we get pricing on a webcam for Tom", KindSupport, ""},
		{"quote for one docking station for Priya please", KindSupport, ""},
		{"quote for a new firewall for the office", KindProject, ""},
		{"price up a replacement laptop for every member of the finance team", KindProject, ""},
		{"quote for a server for the accounts team", KindProject, ""},
	})
}

// A destination system gives no reason and no weight; the same system as
// the thing being changed does.
func TestDestinationDropped(t *testing.T) {
	r := Classify("connect two more handsets to the existing phone system")
	for _, why := range r.Reasons {
		if strings.Contains(why, "phone system") {
			t.Errorf("destination given as a reason: %q", r.Reasons)
		}
	}
	if a := analyse("connect 40 handsets to the phone system"); a.dest != nil {
		t.Error("at scale the destination should keep its weight")
	}
	if a := analyse("install two more cameras on our existing CCTV"); a.dest == nil {
		t.Error("two cameras installed on our existing CCTV: CCTV should be a destination")
	}
}

func TestRound4Sets(t *testing.T) {
	// A blind holdout: 117/120 at first contact, 120/120 after the fixes,
	// floor one row less.
	evalFile(t, "testdata/unseen4.tsv", 0.99)
}

// The mechanisms added after the blind holdout testdata/unseen5.tsv
// (owners in plain words, monitoring alerts and vendor notices), each
// checked on sentences that are in none of the batches.
func TestRound5Rules(t *testing.T) {
	check(t, []want{
		// "out of date" is not "dated"; lifecycle words are reasons to replace.
		{"Office updates out of date on the reception PC", KindSupport, ""},
		{"[Patch] 2 laptops out of date on Chrome", KindSupport, ""},
		{"Sophos notice: XG firewall series discontinued, replace the units at both branches", KindProject, ""},
		// A wish to stop a practice is a change; the verb as a report is a fault.
		{"we'd like to stop printing every invoice and send them all by email instead", KindProject, ""},
		{"the label printer stopped printing this morning", KindSupport, TypeIncident},
		// "<group>-wide" is everyone in it.
		{"turn on SSO practice-wide for the dental group", KindProject, ""},
		// "N things, each one needs a device" counts N devices.
		{"we are adding eight new dental chairs and each one needs a screen", KindProject, ""},
		{"each one of the rooms has a phone that keeps ringing with no caller", KindSupport, ""},
		// A control not switched on is a gap: small for one, a project for many.
		{"BitLocker not enabled on Dave's laptop", KindSupport, ""},
		{"[Compliance] disk encryption not enabled on 60 laptops - roll out BitLocker", KindProject, ""},
		// The business's data as the object: the one device is where it sits.
		{"we want everything off the old PC under the desk and moved into the cloud", KindProject, ""},
		{"copy the files off my old laptop onto the new one", KindSupport, ""},
		// A wish to improve something for everyone is a change.
		{"we need to tighten up security for the whole firm before the audit", KindProject, ""},
		{"can you improve the wifi signal at my desk", KindSupport, ""},
	})
}

func TestRound5Sets(t *testing.T) {
	// A blind holdout: 92/100 at first contact, 99/100 after the fixes,
	// floor one row less.
	evalFile(t, "testdata/unseen5.tsv", 0.98)
}

// The mechanisms added after the blind holdout testdata/unseen6.tsv (the
// everyday service-desk mix), each checked on sentences that are in none
// of the batches.
func TestRound6Rules(t *testing.T) {
	check(t, []want{
		// "redesigned" is a change like "redesign"; a report about a
		// redesigned thing stays a fault.
		{"we'd like the comms room cabling redesigned before the new racks arrive", KindProject, ""},
		{"the redesigned expenses form keeps crashing", KindSupport, TypeIncident},
		// A business the client bought or took over is an acquisition;
		// merging one thing into another is a change only when it is one.
		{"merge the shared drives of the agency we took over into our SharePoint", KindProject, ""},
		{"merge these three spreadsheets into one for me please", KindSupport, ""},
		{"we bought a new printer for reception, can you set it up", KindSupport, ""},
		// Splitting or segregating a network is a change.
		{"segregate the guest wifi from the office network at every branch", KindProject, ""},
		// "need a proper X" wishes for something better: a project for a
		// system or a team, a small ask for one thing for one person.
		{"we need a proper VPN for the whole team instead of remote desktop over the internet", KindProject, ""},
		{"can I get a proper headset, this one crackles", KindSupport, ""},
		// A ticketing or asset system is a system, not a ticket about a fault.
		{"introduce a new asset management system for the whole company", KindProject, ""},
		{"I can't log any calls, the ticketing system keeps timing out", KindSupport, TypeIncident},
		// A negated purpose after a requested change is its goal; a result
		// after a fault or a change already made is still a fault.
		{"set up VLANs across the building so the CCTV can't talk to the PCs", KindProject, ""},
		{"the server rebooted so nobody could log in for an hour", KindSupport, TypeIncident},
		{"we upgraded the switch so now the printers can't be found", KindSupport, TypeIncident},
		{"it's so slow that I can't work", KindSupport, TypeIncident},
	})
}

// A break word that only states the goal of a change gives no reason.
func TestPurposeClauseDropped(t *testing.T) {
	r := Classify("split the office network so guest devices can't reach the servers")
	for _, why := range r.Reasons {
		if strings.Contains(why, "can't") {
			t.Errorf("goal of a change given as a fault: %q", r.Reasons)
		}
	}
	r = Classify("the VPN dropped so I can't work")
	found := false
	for _, why := range r.Reasons {
		found = found || strings.Contains(why, "can't")
	}
	if !found {
		t.Errorf("result of a fault lost its break word: %q", r.Reasons)
	}
}

func TestRound6Sets(t *testing.T) {
	// A blind holdout of the everyday mix: 145/150 at first contact,
	// 150/150 after the fixes, floor one row less (149/150).
	evalFile(t, "testdata/unseen6.tsv", 0.993)
}
