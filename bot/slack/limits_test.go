package slack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Slack's documented Block Kit and view limits, enforced by the fake Slack so a
// payload Slack would refuse fails the test that sent it (the fake answers
// invalid_blocks / invalid_arguments like Slack, and the test errors).
// Sources: api.slack.com/reference/block-kit/{blocks,block-elements,
// composition-objects,views}, api.slack.com/methods/chat.postMessage.
const (
	slackMaxMessageBlocks = 50
	slackMaxViewBlocks    = 100
	slackMaxBlockID       = 255
	slackMaxActionID      = 255
	slackMaxSectionText   = 3000
	slackMaxSectionFields = 10
	slackMaxFieldText     = 2000
	slackMaxHeaderText    = 150
	slackMaxButtonText    = 75
	slackMaxButtonValue   = 2000
	slackMaxURL           = 3000
	slackMaxActionsElems  = 25
	slackMaxContextElems  = 10
	slackMaxInputLabel    = 2000
	slackMaxHint          = 2000
	slackMaxPlaceholder   = 150
	slackMaxInputLength   = 3000 // plain_text_input max_length: 1–3000
	slackMaxOptions       = 100
	slackMaxOptionText    = 75
	slackMaxOptionValue   = 150
	slackMaxViewTitle     = 24 // title, submit and close of a view
	slackMaxCallbackID    = 255
	slackMaxPrivateMeta   = 3000
	slackMaxMessageText   = 40000
)

// slashName is a valid Slack slash command: lowercase, no spaces, ≤ 32 characters.
var slashName = regexp.MustCompile(`^/[a-z0-9_\-.]{1,31}$`)

// slackBuiltIns are Slack's own slash commands (its help centre's list of
// built-in commands, plus ones Slack has added since); "Create app from
// manifest" refuses an app that registers one.
var slackBuiltIns = []string{"/active", "/apps", "/archive", "/away", "/call", "/clips", "/collapse", "/dm", "/dnd",
	"/expand", "/feed", "/feedback", "/giphy", "/huddle", "/invite", "/invite_people", "/join", "/kick", "/leave",
	"/me", "/msg", "/mute", "/open", "/prefs", "/remind", "/remove", "/rename", "/search", "/shortcuts", "/shrug",
	"/star", "/status", "/topic", "/who", "/workflows"}

// limits collects the problems found in one payload.
type limits struct{ problems []string }

func (l *limits) bad(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

func chars(s string) int { return utf8.RuneCountInString(s) }

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func obj(m map[string]any, k string) map[string]any { o, _ := m[k].(map[string]any); return o }

func list(m map[string]any, k string) []any { a, _ := m[k].([]any); return a }

// text checks a text object: its type, non-empty text and length.
func (l *limits) text(where string, t map[string]any, max int, plainOnly bool) {
	if t == nil {
		l.bad("%s: text object missing", where)
		return
	}
	typ := str(t, "type")
	if typ != "plain_text" && typ != "mrkdwn" {
		l.bad("%s: text type %q", where, typ)
	}
	if plainOnly && typ != "plain_text" {
		l.bad("%s: must be plain_text, is %s", where, typ)
	}
	if n := chars(str(t, "text")); n == 0 || n > max {
		l.bad("%s: text is %d characters; allowed 1–%d", where, n, max)
	}
}

// blocks checks a message's or view's blocks.
func (l *limits) blocks(where string, blocks []any, max int) {
	if len(blocks) > max {
		l.bad("%s: %d blocks; at most %d", where, len(blocks), max)
	}
	ids := map[string]bool{}
	for i, raw := range blocks {
		b, _ := raw.(map[string]any)
		actionIDs := map[string]bool{} // unique within their block
		w := fmt.Sprintf("%s: block %d (%s)", where, i, str(b, "type"))
		if id := str(b, "block_id"); id != "" {
			if chars(id) > slackMaxBlockID {
				l.bad("%s: block_id over %d characters", w, slackMaxBlockID)
			}
			if ids[id] {
				l.bad("%s: block_id %q repeated", w, id)
			}
			ids[id] = true
		}
		switch str(b, "type") {
		case "section":
			if b["text"] == nil && b["fields"] == nil {
				l.bad("%s: a section needs text or fields", w)
			}
			if t := obj(b, "text"); t != nil {
				l.text(w+" text", t, slackMaxSectionText, false)
			}
			fields := list(b, "fields")
			if len(fields) > slackMaxSectionFields {
				l.bad("%s: %d fields; at most %d", w, len(fields), slackMaxSectionFields)
			}
			for j, f := range fields {
				fo, _ := f.(map[string]any)
				l.text(fmt.Sprintf("%s field %d", w, j), fo, slackMaxFieldText, false)
			}
			if acc := obj(b, "accessory"); acc != nil {
				l.element(w+" accessory", acc, actionIDs)
			}
		case "header":
			l.text(w, obj(b, "text"), slackMaxHeaderText, true)
		case "divider":
		case "actions":
			els := list(b, "elements")
			if len(els) == 0 || len(els) > slackMaxActionsElems {
				l.bad("%s: %d elements; allowed 1–%d", w, len(els), slackMaxActionsElems)
			}
			for j, e := range els {
				eo, _ := e.(map[string]any)
				l.element(fmt.Sprintf("%s element %d", w, j), eo, actionIDs)
			}
		case "context":
			els := list(b, "elements")
			if len(els) == 0 || len(els) > slackMaxContextElems {
				l.bad("%s: %d elements; allowed 1–%d", w, len(els), slackMaxContextElems)
			}
			for j, e := range els {
				eo, _ := e.(map[string]any)
				if t := str(eo, "type"); t == "plain_text" || t == "mrkdwn" {
					l.text(fmt.Sprintf("%s element %d", w, j), eo, slackMaxSectionText, false)
				}
			}
		case "input":
			l.text(w+" label", obj(b, "label"), slackMaxInputLabel, true)
			if h := obj(b, "hint"); h != nil {
				l.text(w+" hint", h, slackMaxHint, true)
			}
			el := obj(b, "element")
			if el == nil {
				l.bad("%s: an input needs an element", w)
			} else {
				l.element(w+" element", el, actionIDs)
			}
		case "image", "file", "rich_text", "video":
		default:
			l.bad("%s: unknown block type", w)
		}
	}
}

// element checks an interactive element (button, select, input).
func (l *limits) element(where string, e map[string]any, actionIDs map[string]bool) {
	if id := str(e, "action_id"); id != "" {
		if chars(id) > slackMaxActionID {
			l.bad("%s: action_id over %d characters", where, slackMaxActionID)
		}
		if actionIDs[id] {
			l.bad("%s: action_id %q repeated", where, id)
		}
		actionIDs[id] = true
	}
	if p := obj(e, "placeholder"); p != nil {
		l.text(where+" placeholder", p, slackMaxPlaceholder, true)
	}
	switch typ := str(e, "type"); typ {
	case "button":
		l.text(where+" text", obj(e, "text"), slackMaxButtonText, true)
		if chars(str(e, "value")) > slackMaxButtonValue {
			l.bad("%s: value over %d characters", where, slackMaxButtonValue)
		}
		if chars(str(e, "url")) > slackMaxURL {
			l.bad("%s: url over %d characters", where, slackMaxURL)
		}
		if s := str(e, "style"); s != "" && s != "primary" && s != "danger" {
			l.bad("%s: style %q", where, s)
		}
	case "plain_text_input":
		maxLen, hasMax := e["max_length"].(float64)
		if hasMax && (maxLen < 1 || maxLen > slackMaxInputLength) {
			l.bad("%s: max_length %v; allowed 1–%d", where, maxLen, slackMaxInputLength)
		}
		minLen, _ := e["min_length"].(float64)
		if minLen < 0 || minLen > slackMaxInputLength || (hasMax && minLen > maxLen) {
			l.bad("%s: min_length %v", where, minLen)
		}
		limit := slackMaxInputLength
		if hasMax && int(maxLen) < limit {
			limit = int(maxLen)
		}
		if n := chars(str(e, "initial_value")); n > limit {
			l.bad("%s: initial_value is %d characters; at most %d", where, n, limit)
		}
	case "static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow":
		opts := list(e, "options")
		for _, g := range list(e, "option_groups") {
			opts = append(opts, list(g.(map[string]any), "options")...)
		}
		if len(opts) == 0 || len(opts) > slackMaxOptions {
			l.bad("%s: %d options; allowed 1–%d", where, len(opts), slackMaxOptions)
		}
		for j, o := range opts {
			oo, _ := o.(map[string]any)
			l.option(fmt.Sprintf("%s option %d", where, j), oo)
		}
		if io := obj(e, "initial_option"); io != nil {
			l.option(where+" initial_option", io)
		}
	case "users_select", "conversations_select", "channels_select", "multi_users_select", "multi_conversations_select", "multi_channels_select":
		l.picker(where, typ, e)
	case "external_select", "datepicker", "timepicker",
		"multi_external_select", "number_input", "email_text_input", "url_text_input":
	default:
		l.bad("%s: unknown element type %q", where, typ)
	}
}

func (l *limits) option(where string, o map[string]any) {
	l.text(where+" text", obj(o, "text"), slackMaxOptionText, false)
	if n := chars(str(o, "value")); n == 0 || n > slackMaxOptionValue {
		l.bad("%s: value is %d characters; allowed 1–%d", where, n, slackMaxOptionValue)
	}
}

// view checks a modal or Home tab view.
func (l *limits) view(v map[string]any) {
	if v == nil {
		l.bad("view missing")
		return
	}
	typ := str(v, "type")
	switch typ {
	case "modal":
		l.text("view title", obj(v, "title"), slackMaxViewTitle, true)
		for _, k := range []string{"submit", "close"} {
			if t := obj(v, k); t != nil {
				l.text("view "+k, t, slackMaxViewTitle, true)
			}
		}
		hasInput := false
		for _, b := range list(v, "blocks") {
			if bo, _ := b.(map[string]any); str(bo, "type") == "input" {
				hasInput = true
			}
		}
		if hasInput && obj(v, "submit") == nil {
			l.bad("view: a modal with inputs needs a submit button")
		}
	case "home":
	default:
		l.bad("view type %q", typ)
	}
	if chars(str(v, "callback_id")) > slackMaxCallbackID {
		l.bad("view callback_id over %d characters", slackMaxCallbackID)
	}
	if chars(str(v, "private_metadata")) > slackMaxPrivateMeta {
		l.bad("view private_metadata over %d characters", slackMaxPrivateMeta)
	}
	l.blocks("view", list(v, "blocks"), slackMaxViewBlocks)
}

// checkCall returns what Slack would refuse in a call, and the error it answers.
func checkCall(c apiCall) (problems []string, slackErr string) {
	var l limits
	switch c.Method {
	case "chat.postMessage", "chat.update", "chat.postEphemeral":
		slackErr = "invalid_blocks"
		if chars(c.Form.Get("text")) > slackMaxMessageText {
			l.bad("%s: text over %d characters", c.Method, slackMaxMessageText)
		}
		if raw := c.Form.Get("blocks"); raw != "" {
			var blocks []any
			if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
				l.bad("%s: blocks are not a JSON array: %v", c.Method, err)
			}
			l.blocks(c.Method, blocks, slackMaxMessageBlocks)
		} else if c.Form.Get("text") == "" {
			l.bad("%s: no text and no blocks", c.Method)
			slackErr = "no_text"
		}
	case "response_url":
		slackErr = "invalid_blocks"
		l.blocks(c.Method, list(c.JSON, "blocks"), slackMaxMessageBlocks)
	case "views.open", "views.push", "views.update", "views.publish":
		slackErr = "invalid_arguments"
		v := obj(c.JSON, "view")
		if v == nil && c.Form != nil && c.Form.Get("view") != "" {
			_ = json.Unmarshal([]byte(c.Form.Get("view")), &v)
		}
		l.view(v)
		if c.Method == "views.publish" && str(v, "type") != "home" {
			l.bad("views.publish: only a home view can be published")
		}
		if c.Method == "views.publish" && str(c.JSON, "user_id") == "" {
			l.bad("views.publish: user_id missing")
		}
	}
	return l.problems, slackErr
}

// TestFakeSlackRejectsWhatSlackRejects: the strict fake's checks catch each
// documented limit (so a passing adapter test means Slack would accept too).
func TestFakeSlackRejectsWhatSlackRejects(t *testing.T) {
	t.Parallel()
	section := func(n int) map[string]any {
		return map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": strings.Repeat("a", n)}}
	}
	button := func(label, actionID, value string) map[string]any {
		return map[string]any{"type": "button", "action_id": actionID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": label}}
	}
	input := func(el map[string]any) map[string]any {
		return map[string]any{"type": "input", "block_id": "b", "label": map[string]any{"type": "plain_text", "text": "L"}, "element": el}
	}
	modal := func(title string, blocks ...any) map[string]any {
		return map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": title},
			"submit": map[string]any{"type": "plain_text", "text": "Open"}, "blocks": blocks}
	}
	msg := func(blocks ...any) apiCall {
		raw, _ := json.Marshal(blocks)
		return apiCall{Method: "chat.postMessage", Form: map[string][]string{"text": {"x"}, "blocks": {string(raw)}}}
	}
	pick := func(el map[string]any) apiCall {
		return apiCall{Method: "views.open", JSON: map[string]any{"view": modal("People", input(el))}}
	}
	many := func(n int, b any) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = b
		}
		return out
	}
	cases := []struct {
		name string
		call apiCall
		ok   bool
	}{
		{"section at 3000", msg(section(3000)), true},
		{"section over 3000", msg(section(3001)), false},
		{"50 blocks", msg(many(50, map[string]any{"type": "divider"})...), true},
		{"51 blocks in a message", msg(many(51, map[string]any{"type": "divider"})...), false},
		{"button text over 75", msg(map[string]any{"type": "actions", "elements": []any{button(strings.Repeat("b", 76), "a", "v")}}), false},
		{"action_id over 255", msg(map[string]any{"type": "actions", "elements": []any{button("ok", strings.Repeat("a", 256), "v")}}), false},
		{"button value over 2000", msg(map[string]any{"type": "actions", "elements": []any{button("ok", "a", strings.Repeat("v", 2001))}}), false},
		{"repeated block_id", msg(map[string]any{"type": "divider", "block_id": "x"}, map[string]any{"type": "divider", "block_id": "x"}), false},
		{"modal input max_length 3000", apiCall{Method: "views.open", JSON: map[string]any{"view": modal("Open request",
			input(map[string]any{"type": "plain_text_input", "action_id": "d", "max_length": 3000.0}))}}, true},
		{"modal input max_length 4000", apiCall{Method: "views.open", JSON: map[string]any{"view": modal("Open request",
			input(map[string]any{"type": "plain_text_input", "action_id": "d", "max_length": 4000.0}))}}, false},
		{"initial_value over max_length", apiCall{Method: "views.open", JSON: map[string]any{"view": modal("Open request",
			input(map[string]any{"type": "plain_text_input", "action_id": "d", "max_length": 10.0, "initial_value": "eleven chars"}))}}, false},
		{"view title over 24", apiCall{Method: "views.open", JSON: map[string]any{"view": modal(strings.Repeat("t", 25))}}, false},
		{"101 blocks in a view", apiCall{Method: "views.publish", JSON: map[string]any{"user_id": "U1",
			"view": map[string]any{"type": "home", "blocks": many(101, map[string]any{"type": "divider"})}}}, false},
		{"100 blocks in a home view", apiCall{Method: "views.publish", JSON: map[string]any{"user_id": "U1",
			"view": map[string]any{"type": "home", "blocks": many(100, map[string]any{"type": "divider"})}}}, true},
		{"users_select", pick(map[string]any{"type": "users_select", "action_id": "p", "initial_user": "U0123"}), true},
		{"users_select with options", pick(map[string]any{"type": "users_select", "action_id": "p",
			"options": []any{map[string]any{"text": map[string]any{"type": "plain_text", "text": "dana"}, "value": "dana"}}}), false},
		{"users_select initial_user a name", pick(map[string]any{"type": "users_select", "action_id": "p", "initial_user": "dana"}), false},
		{"users_select placeholder over 150", pick(map[string]any{"type": "users_select", "action_id": "p",
			"placeholder": map[string]any{"type": "plain_text", "text": strings.Repeat("p", 151)}}), false},
		{"users_select mrkdwn placeholder", pick(map[string]any{"type": "users_select", "action_id": "p",
			"placeholder": map[string]any{"type": "mrkdwn", "text": "who"}}), false},
		{"conversations_select filter", pick(map[string]any{"type": "conversations_select", "action_id": "c",
			"filter": map[string]any{"include": []any{"public", "private"}, "exclude_bot_users": true}}), true},
		{"conversations_select bad filter", pick(map[string]any{"type": "conversations_select", "action_id": "c",
			"filter": map[string]any{"include": []any{"channels"}}}), false},
		{"channels_select with initial_conversation", pick(map[string]any{"type": "channels_select", "action_id": "c", "initial_conversation": "C1"}), false},
		{"multi_users_select max 0", pick(map[string]any{"type": "multi_users_select", "action_id": "m", "max_selected_items": 0.0}), false},
	}
	for _, c := range cases {
		problems, _ := checkCall(c.call)
		if ok := len(problems) == 0; ok != c.ok {
			t.Errorf("%s: accepted %v, want %v (problems %v)", c.name, ok, c.ok, problems)
		}
	}
}

// pickerFields are the fields Slack documents for its user and conversation
// pickers; anything else (options, a typo) makes it answer invalid_arguments.
var pickerFields = map[string]map[string]bool{
	"users_select":               {"initial_user": true},
	"multi_users_select":         {"initial_users": true, "max_selected_items": true},
	"conversations_select":       {"initial_conversation": true, "default_to_current_conversation": true, "response_url_enabled": true, "filter": true},
	"multi_conversations_select": {"initial_conversations": true, "default_to_current_conversation": true, "max_selected_items": true, "filter": true},
	"channels_select":            {"initial_channel": true, "response_url_enabled": true},
	"multi_channels_select":      {"initial_channels": true, "max_selected_items": true},
}

// picker checks a user or conversation picker against Block Kit's reference:
// only its documented fields, ids where ids go, max_selected_items at least
// 1, a filter's include among im/mpim/private/public and not empty.
func (l *limits) picker(where, typ string, e map[string]any) {
	for k := range e {
		switch k {
		case "type", "action_id", "placeholder", "confirm", "focus_on_load":
		default:
			if !pickerFields[typ][k] {
				l.bad("%s: %s has no field %q", where, typ, k)
			}
		}
	}
	if u, ok := e["initial_user"]; ok {
		if s, _ := u.(string); s == "" || (s[0] != 'U' && s[0] != 'W') {
			l.bad("%s: initial_user %v is not a user id", where, u)
		}
	}
	if n, ok := e["max_selected_items"].(float64); ok && n < 1 {
		l.bad("%s: max_selected_items %v; at least 1", where, n)
	}
	if f, ok := e["filter"]; ok {
		fm, _ := f.(map[string]any)
		inc := list(fm, "include")
		if _, has := fm["include"]; has && len(inc) == 0 {
			l.bad("%s: filter.include is empty", where)
		}
		for _, v := range inc {
			if s, _ := v.(string); s != "im" && s != "mpim" && s != "private" && s != "public" {
				l.bad("%s: filter.include %v", where, v)
			}
		}
		for k := range fm {
			if k != "include" && k != "exclude_external_shared_channels" && k != "exclude_bot_users" {
				l.bad("%s: filter has no field %q", where, k)
			}
		}
	}
}
