package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/commands/commandtest"
)

var renderCache commandtest.RenderCache

// reviewMessages are the messages people see, fed with hostile text (one
// list for every adapter: commandtest.RenderCases), the commands' replies as
// this adapter's Router gives them to a manager.
func reviewMessages(t *testing.T) map[string]bot.Message {
	return renderCache.Get(t, func(t testing.TB) commandtest.Run {
		e := newEnv(t)
		e.person("UDANA", "dana", testTeam, bot.RoleManager, "")
		router := e.adapter.router.(*bot.Router)
		n := 0
		return func(line string) []bot.Message {
			name, args, err := bot.ParseLine(line)
			if err != nil {
				t.Fatal(err)
			}
			n++
			return router.Dispatch(context.Background(), bot.Event{Platform: bot.PlatformSlack, Workspace: testTeam, Channel: "C1",
				SourceID: fmt.Sprintf("review:%d", n), User: bot.User{ID: "UDANA", Name: "dana"}, Command: name, Args: args})
		}
	})
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
	t.Parallel()
	for name, m := range reviewMessages(t) {
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
	t.Parallel()
	m := reviewMessages(t)["draft"]
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
	t.Parallel()
	for _, name := range []string{"requests"} {
		blocks, _ := render(reviewMessages(t)[name])
		sec := blocks[1].(*slack.SectionBlock)
		if s := sec.Text.Text; !strings.HasPrefix(s, "```") || !strings.HasSuffix(s, "```") {
			t.Errorf("%s: table not in a code block: %.60q", name, s)
		}
	}
	blocks, _ := render(reviewMessages(t)["digest"])
	if s := blocks[1].(*slack.SectionBlock).Text.Text; strings.HasPrefix(s, "```") {
		t.Errorf("the digest is prose, not a table: %.60q", s)
	}
}

// Several messages in one reply (Slack's ack carries one) keep their block
// ids distinct: Slack refuses a message that repeats one.
func TestRenderReviewCombinedMessages(t *testing.T) {
	t.Parallel()
	msgs := reviewMessages(t)
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
