package slack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands"
	"github.com/mspbot/mspbot/projects"
	"github.com/mspbot/mspbot/timekeeping"
)

// reviewMessages are the messages people see, as the commands and jobs build
// them, fed with hostile user text: markup characters, broadcasts, and text far
// longer than any block may hold. Messages whose builders need a database are
// built here in the exact shape their handlers return (commands/request.go,
// commands/help.go, timekeeping/digest.go).
func reviewMessages() map[string]bot.Message {
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
		Text: "*Requests since yesterday*\nNew: 4 support (2 still open), 1 project (1 still open).\nBy client: ACME 3, B&B <Ltd> 2.\n" +
			"Open now: 6 support (oldest 3d). → /requests\n\n*SLA*\nBreached (1): #1001 ACME response 2h/1h\nAt risk (0): none\n→ /request sla <n>\n\n" +
			"*Time logged Tue 24 Nov*\ntom: 3h of 8h (answered 1 of 3 nudges)\n→ /time week @name",
		Actions: []bot.Action{{ID: "requests", Label: "Open requests", Command: "/requests"}}}
	msgs["nudge"] = timekeeping.NudgeMessage("tom", time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
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
	return msgs
}

var (
	entity        = regexp.MustCompile(`&(amp|lt|gt);`)
	broadcastPing = regexp.MustCompile(`(?i)<!(channel|here|everyone)>|(^|[^\x{2060}])@(channel|here|everyone)\b`)
)

// checkBlocks fails on anything Slack would reject or show wrongly.
func checkBlocks(t *testing.T, name string, blocks []slack.Block, fallback string) (buttons int) {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var bs []map[string]any
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatal(err)
	}
	if len(bs) > 50 {
		t.Errorf("%s: %d blocks > 50", name, len(bs))
	}
	if strings.TrimSpace(fallback) == "" {
		t.Errorf("%s: no fallback text for notifications", name)
	}
	mrkdwn := func(where, s string) {
		if strings.ContainsAny(entity.ReplaceAllString(s, ""), "<>&") {
			t.Errorf("%s: %s has unescaped markup: %.80q", name, where, s)
		}
		if broadcastPing.MatchString(s) {
			t.Errorf("%s: %s can ping a channel", name, where)
		}
	}
	blockIDs, actionIDs := map[string]bool{}, map[string]bool{}
	for i, b := range bs {
		where := fmt.Sprintf("block %d (%s)", i, b["type"])
		if id, _ := b["block_id"].(string); id != "" {
			if blockIDs[id] {
				t.Errorf("%s: %s repeats block_id %q", name, where, id)
			}
			blockIDs[id] = true
		}
		switch b["type"] {
		case "header":
			if n := utf8.RuneCountInString(b["text"].(map[string]any)["text"].(string)); n > 150 {
				t.Errorf("%s: header %d chars > 150", name, n)
			}
		case "section":
			if txt, ok := b["text"].(map[string]any); ok {
				s := txt["text"].(string)
				if n := utf8.RuneCountInString(s); n > 3000 || n == 0 {
					t.Errorf("%s: %s text %d chars, want 1..3000", name, where, n)
				}
				mrkdwn(where, s)
			}
			fields, _ := b["fields"].([]any)
			if len(fields) > 10 {
				t.Errorf("%s: %s has %d fields > 10", name, where, len(fields))
			}
			for _, f := range fields {
				s := f.(map[string]any)["text"].(string)
				if n := utf8.RuneCountInString(s); n > 2000 {
					t.Errorf("%s: %s field %d chars > 2000", name, where, n)
				}
				mrkdwn(where+" field", s)
			}
		case "actions":
			els, _ := b["elements"].([]any)
			if len(els) > 25 {
				t.Errorf("%s: %s has %d elements > 25", name, where, len(els))
			}
			for _, e := range els {
				el := e.(map[string]any)
				buttons++
				id, _ := el["action_id"].(string)
				if actionIDs[id] {
					t.Errorf("%s: action_id %q repeated", name, id)
				}
				actionIDs[id] = true
				if n := utf8.RuneCountInString(el["text"].(map[string]any)["text"].(string)); n > 75 {
					t.Errorf("%s: button text %d > 75", name, n)
				}
				v, _ := el["value"].(string)
				if n := utf8.RuneCountInString(v); n > 2000 {
					t.Errorf("%s: button value %d > 2000", name, n)
				}
				if _, _, err := bot.ParseLine(v); err != nil {
					t.Errorf("%s: button value %q is not a command line", name, v)
				}
			}
		}
	}
	return buttons
}

func TestRenderReviewMessages(t *testing.T) {
	for name, m := range reviewMessages() {
		t.Run(name, func(t *testing.T) {
			blocks, fallback := render(m)
			if got := checkBlocks(t, name, blocks, fallback); got != len(m.Actions) {
				t.Errorf("%d of %d buttons rendered", got, len(m.Actions))
			}
			// The post the bot makes carries the fallback text for notifications.
			_, vals, err := slack.UnsafeApplyMsgOptions("xoxb", "C1", "https://slack.test/api/", msgOptions(m)...)
			if err != nil {
				t.Fatal(err)
			}
			if vals.Get("text") == "" {
				t.Errorf("chat.postMessage without fallback text: %v", vals)
			}
		})
	}
}

// Long user text is cut with an ellipsis, and the buttons survive.
func TestRenderReviewLongTextTruncatedNotDropped(t *testing.T) {
	m := reviewMessages()["draft"]
	blocks, _ := render(m)
	raw, _ := json.Marshal(blocks)
	if !strings.Contains(string(raw), "…") {
		t.Errorf("long draft cut without an ellipsis")
	}
	if last := blocks[len(blocks)-1]; last.BlockType() != slack.MBTAction {
		t.Errorf("last block is %s; the Approve/Edit/Skip buttons were dropped", last.BlockType())
	}
}

// A table (the /requests list) is in a code block so its columns line up.
func TestRenderReviewTableInCodeBlock(t *testing.T) {
	for _, name := range []string{"requests"} {
		blocks, _ := render(reviewMessages()[name])
		sec := blocks[1].(*slack.SectionBlock)
		if s := sec.Text.Text; !strings.HasPrefix(s, "```") || !strings.HasSuffix(s, "```") {
			t.Errorf("%s: table not in a code block: %.60q", name, s)
		}
	}
	blocks, _ := render(reviewMessages()["digest"])
	if s := blocks[1].(*slack.SectionBlock).Text.Text; strings.HasPrefix(s, "```") {
		t.Errorf("the digest is prose, not a table: %.60q", s)
	}
}

// Several messages in one reply (Slack's ack carries one) keep their block
// ids distinct: Slack refuses a message that repeats one.
func TestRenderReviewCombinedMessages(t *testing.T) {
	msgs := reviewMessages()
	blocks, fallback := combine([]bot.Message{msgs["opened"], msgs["nudge"], msgs["digest"], msgs["opened"]})
	raw, _ := json.Marshal(blocks)
	var bs []map[string]any
	json.Unmarshal(raw, &bs)
	seen := map[string]bool{}
	for _, b := range bs {
		id, _ := b["block_id"].(string)
		if id != "" && seen[id] {
			t.Errorf("block_id %q repeated in a combined reply", id)
		}
		seen[id] = true
	}
	if fallback == "" {
		t.Error("no fallback")
	}
}
