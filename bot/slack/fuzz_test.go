package slack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

func readSeeds(f *testing.F, glob string) {
	files, _ := filepath.Glob(filepath.Join("testdata", glob))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
}

// FuzzParseSlashForm: any form body either parses into a command that names
// its command, user and team, or is refused; never a panic.
func FuzzParseSlashForm(f *testing.F) {
	readSeeds(f, "slash_command*.txt")
	f.Add("command=%2Frequest&user_id=U1&team_id=T1&text=%3C%21channel%3E+help")
	f.Add("%zz&command=")
	f.Fuzz(func(t *testing.T, body string) {
		c, err := parseSlashForm([]byte(body))
		if err != nil {
			return
		}
		if c.Command == "" || c.UserID == "" || c.TeamID == "" {
			t.Fatalf("accepted %q without command, user or team: %+v", body, c)
		}
		if out := neutralise(plainText(c.Text)); utf8.ValidString(c.Text) && !utf8.ValidString(out) {
			t.Fatalf("text %q became invalid UTF-8", c.Text)
		}
	})
}

// FuzzInteractionPayload: any interactivity form either yields JSON that
// decodes into a callback whose modal state reads without a panic, or is refused.
func FuzzInteractionPayload(f *testing.F) {
	readSeeds(f, "interaction_*.form.txt")
	f.Add("payload=%7B%7D")
	f.Add("payload=null")
	f.Add(`payload={"type":"view_submission","view":{"callback_id":"open_request_modal","state":{"values":{"title":null}}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		raw, err := parseInteractionForm([]byte(body))
		if err != nil {
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("returned invalid JSON %q", raw)
		}
		var cb slack.InteractionCallback
		if json.Unmarshal(raw, &cb) != nil {
			return
		}
		in, problems := readModal(cb.View)
		for block := range problems {
			switch block {
			case "title", "description", "client", "priority":
			default:
				t.Fatalf("problem on unknown block %q", block)
			}
		}
		if len(problems) == 0 && (in.Title == "" || !contains(priorities, in.Priority)) {
			t.Fatalf("accepted %+v", in)
		}
		for _, a := range cb.ActionCallback.BlockActions {
			if a != nil { // a button's value is rendered back as text when refused
				_ = neutralise(plainText(a.Value))
			}
		}
	})
}

// FuzzEventsPayload: any Events API body either decodes (and, for an
// event_callback, names its envelope) or is refused; never a panic.
func FuzzEventsPayload(f *testing.F) {
	readSeeds(f, "event_*.json")
	readSeeds(f, "signed_event_app_mention_slackgo.json")
	readSeeds(f, "url_verification.json")
	f.Add(`{"type":"event_callback","event":null}`)
	f.Add(`{"type":"event_callback","event":{"type":"reaction_added","item":null}}`)
	f.Fuzz(func(t *testing.T, body string) {
		outer, cb, err := decodeEvents([]byte(body))
		if err != nil || cb == nil {
			return
		}
		if outer.Type != slackevents.CallbackEvent {
			t.Fatalf("callback from a %q envelope", outer.Type)
		}
		switch ev := outer.InnerEvent.Data.(type) {
		case *slackevents.AppMentionEvent:
			_ = neutralise(plainText(ev.Text))
		case *slackevents.MessageEvent:
			_ = posted{thread: ev.ThreadTimeStamp, ts: ev.TimeStamp}.where()
		case *slackevents.ReactionAddedEvent:
			_ = ev.Item.Channel
		}
	})
}
