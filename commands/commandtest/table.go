// Package commandtest is the one table of command-level cases that every
// adapter runs through its own intake path (console, Slack, Discord), so a
// command cannot work on one platform and break on another.
package commandtest

import "github.com/mspbot/mspbot/bot"

// Step is one command typed by one person, and what the reply must contain.
type Step struct {
	As     string   // person (console name / platform user id suffix)
	Role   bot.Role // their role, set before the table runs
	Client string   // client code for client users
	Line   string   // what they type, e.g. "/request Printer jammed"
	Want   []string // substrings every one of which the replies must contain
	Reject []string // substrings none of which may appear
}

// People are the people the table uses, with their roles.
var People = []struct {
	Name   string
	Role   bot.Role
	Client string
}{
	{"dana", bot.RoleManager, ""},
	{"cora", bot.RoleCoordinator, ""},
	{"tom", bot.RoleTech, ""},
	{"wile", bot.RoleClient, "ACME"},
	{"hank", bot.RoleClient, "GLOBEX"},
	{"sam", bot.RoleTech, ""},
}

// Steps run in order against one fresh database.
var Steps = []Step{
	{As: "tom", Line: "/request Outlook keeps asking for my password", Want: []string{"#1001", "support"}},
	{As: "cora", Line: "/request Move the Denver office to the new building in March, 30 staff", Want: []string{"#1002", "project"}},
	{As: "wile", Line: "/request Our printer is jammed", Want: []string{"#1003", "support"}},
	{As: "hank", Line: "/request VPN is down for our remote users", Want: []string{"#1004", "support"}},
	{As: "dana", Line: "/requests", Want: []string{"#1001", "#1002", "#1003", "#1004"}},
	{As: "wile", Line: "/requests", Want: []string{"#1003"}, Reject: []string{"#1004", "#1001"}},
	{As: "hank", Line: "/request show 1003", Want: []string{"no request #1003"}},
	{As: "dana", Line: "/request show 1002", Want: []string{"Denver", "project"}},
	{As: "tom", Line: `/reclassify 1002 support "covered by contract"`, Want: []string{"for coordinators"}},
	{As: "cora", Line: `/reclassify 1002 support "covered by contract"`, Want: []string{"#1002 is now support", "covered by contract"}},
	{As: "tom", Line: "/request take 1001", Want: []string{"#1001 taken by tom"}},
	{As: "wile", Line: "/request close 1003", Want: []string{"only staff"}},
	{As: "tom", Line: "/request close 1001", Want: []string{"Closed #1001"}},
	{As: "tom", Line: "/time 45m #1001 replaced the core switch", Want: []string{"Logged 45m on #1001"}},
	{As: "tom", Line: "/time 1h90 #1001", Want: []string{"write 2h30"}},
	{As: "wile", Line: "/time 30m #1003", Want: []string{"for techs"}},
	{As: "tom", Line: "/time today", Want: []string{"replaced the core switch", "Total 45m"}},
	{As: "tom", Line: "/timer start #1002", Want: []string{"Timer started on #1002"}},
	{As: "tom", Line: `/timer stop "site survey"`, Want: []string{"logged 1m on #1002"}},
	{As: "dana", Line: "/client sla ACME P1 15m 4h", Want: []string{"P1: respond within 15m, resolve within 4h"}},
	{As: "tom", Line: "/request priority 1003 P1", Want: []string{"#1003 is now P1"}},
	{As: "dana", Line: "/digest now", Want: []string{"Daily digest for dana", "Requests since yesterday"}},
	{As: "tom", Line: "/role @cora manager", Want: []string{"for managers"}},
	{As: "dana", Line: "/role @tom coordinator", Want: []string{"tom is now a coordinator"}},
	{As: "tom", Line: "/frobnicate", Want: []string{"not a command", "/help"}},
	{As: "tom", Line: "/request", Want: []string{"say what you need"}},
	{As: "dana", Line: "/help", Want: []string{"/request", "/requests", "/reclassify", "/role", "/help", "/time", "/timer", "/hours", "/digest"}},

	// Projects: dates far ahead so the steps do not depend on today.
	{As: "cora", Line: `/project new ACME "Firewall replacement" --start 2030-01-07 --end 2030-03-29 --budget 120h`, Want: []string{"Opened P1", "ACME", "120 h"}},
	{As: "sam", Line: `/project new ACME "Something else"`, Want: []string{"for coordinators"}},
	{As: "cora", Line: `/project milestone P1 "Design" 2030-01-20`, Want: []string{`milestone "Design"`, "20 Jan 2030"}},
	{As: "sam", Line: `/project progress P1 Design 50%`, Want: []string{"0% → 50%"}},
	{As: "cora", Line: `/project disruption P1 2030-01-12 18:00-22:00 "firewall swap, internet down for an hour"`, Want: []string{"18:00-22:00", "internet down"}},
	{As: "cora", Line: `/project oos P1 6h "extra VLAN for cameras" --approved-by client`, Want: []string{"item 1", "6 h", "approved by client"}},
	{As: "cora", Line: `/project oos P1 lots "x"`, Want: []string{"not a duration"}},
	{As: "sam", Line: "/project status P1", Want: []string{"Firewall replacement", "50% complete", "1 item, 6 h not invoiced"}},
	{As: "wile", Line: "/project status P1", Want: []string{"for techs"}},
	{As: "hank", Line: "/project update P1", Want: []string{"no project P1"}},
	{As: "wile", Line: "/project update P1", Want: []string{"no update for P1 has been posted yet"}},
	{As: "cora", Line: "/project close P1", Want: []string{"Closeout of P1", "documentation updated"}},
	{As: "cora", Line: "/project close P1", Want: []string{"Not closed", "signoff"}},
	{As: "sam", Line: `/lessons add P1 "Pre-staged the firewall config" "Check the ISP hand-off a week earlier"`, Want: []string{"saved"}},
	{As: "sam", Line: "/lessons search firewall ISP", Want: []string{"P1 Firewall replacement (ACME), by sam"}},
	{As: "dana", Line: "/help", Want: []string{"/project", "/lessons"}},
}
