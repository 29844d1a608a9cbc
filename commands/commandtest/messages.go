package commandtest

import (
	"fmt"
	"strings"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/timekeeping/nudge"
)

// RenderCases are the messages people see, as the commands and jobs build
// them, fed with hostile user text: markup characters, broadcasts, and text far
// longer than any block may hold. Messages whose builders need a database are
// built here in the exact shape their handlers return (commands/request.go,
// commands/help.go, timekeeping/digest/digest.go).
func RenderCases() map[string]bot.Message {
	nasty := "Q&A <!channel> server <b>down</b> & @here a<b "
	long := strings.Repeat(nasty, 4000) // ≈ 180 000 bytes, markup all the way: more than 50 sections hold
	req := bot.Request{Number: 1042, Title: "Printer & scanner <3rd floor> jammed", Kind: bot.KindSupport,
		Type: "incident", Confidence: 0.41, Reasons: []string{"'jammed' (break/fix)", "one device"},
		Status: bot.StatusOpen, AssigneeName: "tom <the tech>", ClientCode: "ACME"}
	msgs := map[string]bot.Message{}
	msgs["opened"] = commands.OpenedMessage(req)

	// /requests: 25 rows (its limit), titles at titleOf's 80 runes.
	var b strings.Builder
	for i := 0; i < 25; i++ {
		title := string([]rune(strings.Repeat("Laptops & docks <for> new hires, ", 3))[:79]) + "…"
		fmt.Fprintf(&b, "#%d  %-7s  %-15s  %-8s  %5s  %s\n", 1001+i, "project", "move/add/change", "ACME", "3d", title)
	}
	msgs["requests"] = bot.Message{Title: "25 open requests", Text: strings.TrimRight(b.String(), "\n"), Ephemeral: true}
	one := "#1001  support  incident         ACME         2h  VPN & <Outlook> down"
	msgs["requests-one"] = bot.Message{Title: "1 open request", Text: one, Ephemeral: true}

	// /request show with a very long body and a long history.
	show := bot.Message{Title: "#1042 " + strings.Repeat("Very long title & more ", 20), Text: long, Ephemeral: true, RequestNumber: 1042,
		Fields: []bot.Field{
			{Label: "Kind", Value: "support (incident), confidence 0.41"},
			{Label: "Why", Value: strings.Repeat("'down' <break/fix>; ", 200)},
			{Label: "Status", Value: "open"},
			{Label: "Client", Value: "ACME"},
			{Label: "Opened", Value: "Wed 25 Nov 2026 09:00 UTC by dana & co"},
			{Label: "Assignee", Value: "nobody yet"},
		}}
	for i := 0; i < 30; i++ {
		show.Fields = append(show.Fields, bot.Field{Label: "Reclassified",
			Value: "support → project (project) by cora on 2 Jan 15:04: " + strings.Repeat("covers <all> & more ", 30)})
	}
	msgs["show"] = show

	rec := commands.OpenedMessage(bot.Request{Number: 1042, Title: req.Title, Kind: bot.KindProject, Type: "project",
		Confidence: 1, Status: bot.StatusOpen, ClientCode: "ACME"})
	rec.Text = "#1042 is now project (project), was support — by cora: " + long[:5000]
	msgs["reclassify"] = rec

	p := bot.Project{Number: 12, Name: "Office move & <new site>", ClientCode: "ACME"}
	u := bot.WeeklyUpdate{ISOYear: 2026, ISOWeek: 48, Body: long, Deadline: time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)}
	msgs["draft"] = projects.DraftMessage(p, u, "Here is this week's draft.")

	msgs["digest"] = bot.Message{Title: "Daily digest for dana, Wed 25 Nov 2026",
		Text: "Requests since yesterday:\nNew: 4 support (2 still open), 1 project (1 still open).\nBy client: ACME 3, B&B <Ltd> 2.\n" +
			"Open now: 6 support (oldest 3d). → /requests\n\nSLA:\nBreached (1): #1001 ACME response 2h/1h\nAt risk (0): none\n→ /request sla <n>\n\n" +
			"Time logged Tue 24 Nov:\ntom: 3h of 8h (answered 1 of 3 nudges)\n→ /time week @name",
		Actions: []bot.Action{{ID: "requests", Label: "Open requests", Command: "/requests"}}}
	msgs["nudge"] = nudge.Message("tom", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC), time.UTC, 1042)

	var h strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&h, "/project update <ref> approve|edit|skip [week] — review the weekly draft (coordinators and above)\n")
	}
	msgs["help"] = bot.Message{Title: "mspbot commands", Text: strings.TrimRight(h.String(), "\n"), Ephemeral: true}

	many := bot.Message{Title: "Many buttons", Text: "pick one"}
	for i := 0; i < 30; i++ {
		many.Actions = append(many.Actions, bot.Action{ID: fmt.Sprintf("pick.%d", i), Label: fmt.Sprintf("Pick %d", i),
			Value: fmt.Sprint(i), Command: fmt.Sprintf("/request take %d", 1000+i)})
	}
	msgs["many-actions"] = many
	// The closeout checklist's tick buttons (commands/project.go checklistMessage).
	msgs["closeout"] = bot.Message{Title: "Closeout of P12 Office move (ACME)", Actions: []bot.Action{
		{ID: "project.tick.signoff", Label: "✓ support team sign-off", Value: "P12 signoff", Command: "/project tick P12 signoff"},
		{ID: "project.tick.acceptance", Label: "✓ client acceptance", Value: "P12 acceptance", Command: "/project tick P12 acceptance"}}}
	msgs["nudge-no-request"] = nudge.Message("tom", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC), time.UTC, 0)
	return msgs
}
