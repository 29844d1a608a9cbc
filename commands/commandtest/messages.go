package commandtest

import (
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/timekeeping/nudge"
)

// Run dispatches a command line as a manager of a workspace with no records
// yet, through a bot's Router, and returns the reply.
type Run func(line string) []bot.Message

// RenderCases are the messages people see, as the commands and jobs build
// them, fed with hostile user text: markup characters, broadcasts, and text far
// longer than any block may hold. What a handler answers is its real answer:
// run types the commands (a client, 25 requests with titles at the input
// limit, reclassifications with long reasons) and keeps their replies; the
// messages of pure builders (a request's card, a draft, a nudge) are built
// with text no command could carry.
func RenderCases(tb testing.TB, run Run) map[string]bot.Message {
	tb.Helper()
	nasty := "Q&A <!channel> server <b>down</b> & @here a<b "
	long := strings.Repeat(nasty, 4000) // ≈ 180 000 bytes, markup all the way: more than 50 sections hold
	msgs := map[string]bot.Message{}
	reply := func(line string) bot.Message {
		tb.Helper()
		out := run(line)
		if len(out) == 0 {
			tb.Fatalf("%s: no reply", line)
		}
		if strings.Contains(out[0].Text, "went wrong") || strings.HasPrefix(out[0].Title, "Not allowed") {
			tb.Fatalf("%s: %s %s", line, out[0].Title, out[0].Text)
		}
		return out[0]
	}
	reply(`/client add ACME "Acme & <Co> @here"`)
	// Titles as long as a line may be (bot.MaxTextLen), markup all the way.
	title := func(i int) string {
		t := fmt.Sprintf("%d printers & docks <for> new hires @channel ", i) + nasty
		for len([]rune(t))+len([]rune(nasty)) < 3900 {
			t += nasty
		}
		return t
	}
	reply("/request --client ACME " + title(0))
	msgs["requests-one"] = reply("/requests")
	for i := 1; i < 25; i++ {
		reply("/request --client ACME " + title(i))
	}
	msgs["requests"] = reply("/requests")
	why := strings.Repeat("covers <all> & more @here ", 140) // ≈ 3 600 runes
	for i := 0; i < 12; i++ {
		kind := []string{"project", "support"}[i%2]
		msgs["reclassify"] = reply(fmt.Sprintf("/reclassify 1001 %s %q", kind, why))
	}
	msgs["show"] = reply("/request show 1001")
	msgs["help"] = reply("/help")
	msgs["digest"] = reply("/digest now")
	reply(`/project new ACME "Office move & <new site> @channel" --start 2030-01-07 --end 2030-03-29 --budget 10h`)
	msgs["closeout"] = reply("/project close P1") // the checklist, its tick buttons

	req := bot.Request{Number: 1042, Title: "Printer & scanner <3rd floor> jammed", Kind: bot.KindSupport,
		Type: "incident", Confidence: 0.41, Reasons: []string{"'jammed' (break/fix)", "one device"},
		Status: bot.StatusOpen, AssigneeName: "tom <the tech>", ClientCode: "ACME"}
	msgs["opened"] = commands.OpenedMessage(req)
	msgs["opened-long"] = commands.OpenedMessage(bot.Request{Number: 1043, Title: long, Kind: bot.KindProject, Type: "project",
		Confidence: 1, Status: bot.StatusOpen, ClientCode: "ACME", Reasons: []string{long[:5000]}})

	p := bot.Project{Number: 12, Name: "Office move & <new site>", ClientCode: "ACME"}
	u := bot.WeeklyUpdate{ISOYear: 2026, ISOWeek: 48, Body: long, Deadline: time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)}
	msgs["draft"] = projects.DraftMessage(p, u, "Here is this week's draft.")

	msgs["nudge"] = nudge.Message("tom", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC), time.UTC, 1042)

	many := bot.Message{Title: "Many buttons", Text: "pick one"}
	for i := 0; i < 30; i++ {
		many.Actions = append(many.Actions, bot.Action{ID: fmt.Sprintf("pick.%d", i), Label: fmt.Sprintf("Pick %d", i),
			Value: fmt.Sprint(i), Command: fmt.Sprintf("/request take %d", 1000+i)})
	}
	msgs["many-actions"] = many
	msgs["nudge-no-request"] = nudge.Message("tom", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC), time.UTC, 0)
	return msgs
}

// RenderCache builds RenderCases once for the tests of a package: with a bot
// that start makes for the first test that asks, whose database the others
// then need not wait for.
type RenderCache struct {
	once sync.Once
	msgs map[string]bot.Message
}

// Get returns a copy of the cases.
func (c *RenderCache) Get(tb testing.TB, start func(tb testing.TB) Run) map[string]bot.Message {
	tb.Helper()
	c.once.Do(func() { c.msgs = RenderCases(tb, start(tb)) })
	if c.msgs == nil {
		tb.Fatal("the render cases could not be built: see the first test that asked for them")
	}
	return maps.Clone(c.msgs)
}
