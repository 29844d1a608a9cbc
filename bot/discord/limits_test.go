package discord_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// Discord's documented limits (discord.com/developers/docs: resources/message,
// resources/channel#embed-limits, interactions/message-components,
// interactions/receiving-and-responding, interactions/application-commands),
// enforced by the fake Discord and on every interaction response the tests
// receive: what Discord would answer 400 "Invalid Form Body" to fails the test.
const (
	dcMaxContent       = 2000
	dcMaxEmbeds        = 10
	dcMaxEmbedTotal    = 6000
	dcMaxEmbedTitle    = 256
	dcMaxEmbedDesc     = 4096
	dcMaxFields        = 25
	dcMaxFieldName     = 256
	dcMaxFieldValue    = 1024
	dcMaxFooter        = 2048
	dcMaxRows          = 5
	dcMaxButtonsPerRow = 5
	dcMaxLabel         = 80
	dcMaxCustomID      = 100
	dcMaxSelectOptions = 25
	dcMaxModalTitle    = 45
	dcMaxInputLabel    = 45
	dcMaxInputLength   = 4000
	dcMaxPlaceholder   = 100
	dcMaxChoices       = 25
	dcMaxOptions       = 25
	dcMaxCommandDesc   = 100
	dcMaxCommands      = 100
	dcMaxCommandTotal  = 4000 // name, description, options and choices of one command together
	dcMaxStringOption  = 6000
)

// commandName is Discord's pattern for chat command and option names (lowercase).
var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

type dcLimits struct{ problems []string }

func (l *dcLimits) bad(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

func runes(v any) int { s, _ := v.(string); return utf8.RuneCountInString(s) }

func m(v any) map[string]any { o, _ := v.(map[string]any); return o }

func arr(v any) []any { a, _ := v.([]any); return a }

// message checks a message body (a post, an edit, a follow-up, or an
// interaction response's data).
func (l *dcLimits) message(where string, msg map[string]any) {
	if n := runes(msg["content"]); n > dcMaxContent {
		l.bad("%s: content is %d characters; at most %d", where, n, dcMaxContent)
	}
	embeds := arr(msg["embeds"])
	if len(embeds) > dcMaxEmbeds {
		l.bad("%s: %d embeds; at most %d", where, len(embeds), dcMaxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		eo := m(e)
		w := fmt.Sprintf("%s: embed %d", where, i)
		total += runes(eo["title"]) + runes(eo["description"]) + runes(m(eo["footer"])["text"]) + runes(m(eo["author"])["name"])
		if n := runes(eo["title"]); n > dcMaxEmbedTitle {
			l.bad("%s: title is %d characters", w, n)
		}
		if n := runes(eo["description"]); n > dcMaxEmbedDesc {
			l.bad("%s: description is %d characters", w, n)
		}
		if n := runes(m(eo["footer"])["text"]); n > dcMaxFooter {
			l.bad("%s: footer is %d characters", w, n)
		}
		fields := arr(eo["fields"])
		if len(fields) > dcMaxFields {
			l.bad("%s: %d fields; at most %d", w, len(fields), dcMaxFields)
		}
		for j, f := range fields {
			fo := m(f)
			total += runes(fo["name"]) + runes(fo["value"])
			if n := runes(fo["name"]); n == 0 || n > dcMaxFieldName {
				l.bad("%s field %d: name is %d characters; allowed 1–%d", w, j, n, dcMaxFieldName)
			}
			if n := runes(fo["value"]); n == 0 || n > dcMaxFieldValue {
				l.bad("%s field %d: value is %d characters; allowed 1–%d", w, j, n, dcMaxFieldValue)
			}
		}
	}
	if total > dcMaxEmbedTotal {
		l.bad("%s: embeds hold %d characters in all; at most %d", where, total, dcMaxEmbedTotal)
	}
	l.components(where, arr(msg["components"]), false)
}

// components checks action rows: of a message (buttons, selects) or of a modal
// (one text input per row).
func (l *dcLimits) components(where string, rows []any, modal bool) {
	if len(rows) > dcMaxRows {
		l.bad("%s: %d rows; at most %d", where, len(rows), dcMaxRows)
	}
	ids := map[string]bool{}
	for i, r := range rows {
		ro := m(r)
		w := fmt.Sprintf("%s: row %d", where, i)
		if num(ro["type"]) != 1 {
			l.bad("%s: top-level component type %v; want an action row (1)", w, ro["type"])
		}
		comps := arr(ro["components"])
		if len(comps) == 0 || len(comps) > dcMaxButtonsPerRow {
			l.bad("%s: %d components; allowed 1–%d", w, len(comps), dcMaxButtonsPerRow)
		}
		for j, c := range comps {
			co := m(c)
			cw := fmt.Sprintf("%s component %d", w, j)
			id, _ := co["custom_id"].(string)
			if num(co["type"]) != 2 || num(co["style"]) != 5 { // all but link buttons carry an id
				if id == "" || runes(id) > dcMaxCustomID {
					l.bad("%s: custom_id is %d characters; allowed 1–%d", cw, runes(id), dcMaxCustomID)
				}
				if ids[id] {
					l.bad("%s: custom_id %q repeated", cw, id)
				}
				ids[id] = true
			}
			switch typ := num(co["type"]); {
			case typ == 2: // button
				if modal {
					l.bad("%s: a modal holds text inputs, not buttons", cw)
				}
				if n := runes(co["label"]); n > dcMaxLabel {
					l.bad("%s: label is %d characters; at most %d", cw, n, dcMaxLabel)
				}
			case typ == 3 || typ >= 5 && typ <= 8: // selects
				if len(comps) != 1 {
					l.bad("%s: a select fills its row alone", cw)
				}
				if n := len(arr(co["options"])); typ == 3 && (n == 0 || n > dcMaxSelectOptions) {
					l.bad("%s: %d options; allowed 1–%d", cw, n, dcMaxSelectOptions)
				}
			case typ == 4: // text input
				if !modal {
					l.bad("%s: a text input belongs in a modal", cw)
				}
				if len(comps) != 1 {
					l.bad("%s: a text input fills its row alone", cw)
				}
				if n := runes(co["label"]); n == 0 || n > dcMaxInputLabel {
					l.bad("%s: label is %d characters; allowed 1–%d", cw, n, dcMaxInputLabel)
				}
				maxLen, hasMax := co["max_length"].(float64)
				if hasMax && (maxLen < 1 || maxLen > dcMaxInputLength) {
					l.bad("%s: max_length %v; allowed 1–%d", cw, maxLen, dcMaxInputLength)
				}
				if minLen, ok := co["min_length"].(float64); ok && (minLen < 0 || minLen > dcMaxInputLength) {
					l.bad("%s: min_length %v", cw, minLen)
				}
				limit := dcMaxInputLength
				if hasMax && int(maxLen) < limit {
					limit = int(maxLen)
				}
				if n := runes(co["value"]); n > limit {
					l.bad("%s: value is %d characters; at most %d", cw, n, limit)
				}
				if st := num(co["style"]); st != 1 && st != 2 {
					l.bad("%s: text input style %d; 1 (short) or 2 (paragraph)", cw, st)
				}
				if minLen, ok := co["min_length"].(float64); ok && hasMax && minLen > maxLen {
					l.bad("%s: min_length %v above max_length %v", cw, minLen, maxLen)
				}
				if n := runes(co["placeholder"]); n > dcMaxPlaceholder {
					l.bad("%s: placeholder is %d characters; at most %d", cw, n, dcMaxPlaceholder)
				}
			default:
				l.bad("%s: unknown component type %d", cw, typ)
			}
		}
	}
}

// response checks an interaction response (the body of the HTTP answer, or a
// POST to interactions/{id}/{token}/callback).
func (l *dcLimits) response(resp map[string]any) {
	data := m(resp["data"])
	switch typ := num(resp["type"]); typ {
	case 1, 5, 6: // pong, deferred
	case 4, 7: // message, update
		l.message("response", data)
	case 8: // autocomplete result
		ch := arr(data["choices"])
		if len(ch) > dcMaxChoices {
			l.bad("autocomplete: %d choices; at most %d", len(ch), dcMaxChoices)
		}
		for i, c := range ch {
			if n := runes(m(c)["name"]); n == 0 || n > 100 {
				l.bad("autocomplete choice %d: name is %d characters; allowed 1–100", i, n)
			}
			if n := runes(m(c)["value"]); n > 100 {
				l.bad("autocomplete choice %d: value is %d characters; at most 100", i, n)
			}
		}
	case 9: // modal
		if n := runes(data["title"]); n == 0 || n > dcMaxModalTitle {
			l.bad("modal: title is %d characters; allowed 1–%d", n, dcMaxModalTitle)
		}
		if n := runes(data["custom_id"]); n == 0 || n > dcMaxCustomID {
			l.bad("modal: custom_id is %d characters", n)
		}
		rows := arr(data["components"])
		if len(rows) == 0 {
			l.bad("modal: no components")
		}
		l.components("modal", rows, true)
	default:
		l.bad("unknown interaction response type %d", typ)
	}
}

// commands checks a bulk overwrite of application commands.
func (l *dcLimits) commands(cmds []any) {
	if len(cmds) > dcMaxCommands {
		l.bad("%d commands; at most %d", len(cmds), dcMaxCommands)
	}
	names := map[string]bool{}
	for _, c := range cmds {
		co := m(c)
		name, _ := co["name"].(string)
		if !commandName.MatchString(name) {
			l.bad("command name %q: 1–32 lowercase letters, digits, - or _", name)
		}
		if names[name] {
			l.bad("command %q registered twice", name)
		}
		names[name] = true
		if n := runes(co["description"]); n == 0 || n > dcMaxCommandDesc {
			l.bad("/%s: description is %d characters; allowed 1–%d", name, n, dcMaxCommandDesc)
		}
		if p, ok := co["default_member_permissions"]; ok && p != nil {
			if s, isStr := p.(string); !isStr || strings.Trim(s, "0123456789") != "" {
				l.bad("/%s: default_member_permissions must be a string of digits, is %v", name, p)
			}
		}
		total := runes(name) + runes(co["description"]) + l.options("/"+name, arr(co["options"]), 0)
		if total > dcMaxCommandTotal {
			l.bad("/%s: %d characters in all; at most %d", name, total, dcMaxCommandTotal)
		}
	}
}

// options checks a command's options (recursively through sub-commands) and
// returns the characters they count towards the command's total.
func (l *dcLimits) options(where string, opts []any, depth int) int {
	if len(opts) > dcMaxOptions {
		l.bad("%s: %d options; at most %d", where, len(opts), dcMaxOptions)
	}
	total, optional := 0, false
	names := map[string]bool{}
	for _, o := range opts {
		oo := m(o)
		name, _ := oo["name"].(string)
		w := where + " " + name
		if !commandName.MatchString(name) {
			l.bad("%s: option name %q: 1–32 lowercase letters, digits, - or _", where, name)
		}
		if names[name] {
			l.bad("%s: option %q repeated", where, name)
		}
		names[name] = true
		if n := runes(oo["description"]); n == 0 || n > dcMaxCommandDesc {
			l.bad("%s: description is %d characters; allowed 1–%d", w, n, dcMaxCommandDesc)
		}
		total += runes(name) + runes(oo["description"])
		typ := num(oo["type"])
		if typ == 1 || typ == 2 { // sub-command (group)
			if depth >= 2 || typ == 2 && depth >= 1 {
				l.bad("%s: sub-commands nest at most two deep", w)
			}
			total += l.options(w, arr(oo["options"]), depth+1)
			continue
		}
		if req, _ := oo["required"].(bool); req && optional {
			l.bad("%s: a required option after an optional one", w)
		} else if !req {
			optional = true
		}
		ch := arr(oo["choices"])
		valued := typ == 3 || typ == 4 || typ == 10 // string, integer, number
		if !valued && (len(ch) > 0 || oo["autocomplete"] == true) {
			l.bad("%s: choices or autocomplete on an option of type %d (only strings and numbers)", w, typ)
		}
		if _, ok := oo["max_length"]; ok && typ != 3 {
			l.bad("%s: max_length on an option of type %d (strings only)", w, typ)
		}
		if _, ok := oo["min_value"]; ok && typ != 4 && typ != 10 {
			l.bad("%s: min_value on an option of type %d (numbers only)", w, typ)
		}
		if typ < 3 || typ > 11 {
			l.bad("%s: unknown option type %d", w, typ)
		}
		if len(ch) > dcMaxChoices {
			l.bad("%s: %d choices; at most %d", w, len(ch), dcMaxChoices)
		}
		if len(ch) > 0 && oo["autocomplete"] == true {
			l.bad("%s: choices and autocomplete together", w)
		}
		for _, c := range ch {
			n := runes(m(c)["name"])
			if n == 0 || n > 100 {
				l.bad("%s: choice name is %d characters; allowed 1–100", w, n)
			}
			if runes(m(c)["value"]) > 100 {
				l.bad("%s: choice value is %d characters; at most 100", w, runes(m(c)["value"]))
			}
			total += n + runes(m(c)["value"])
		}
		if ml, ok := oo["max_length"].(float64); ok && (ml < 1 || ml > dcMaxStringOption) {
			l.bad("%s: max_length %v; allowed 1–%d", w, ml, dcMaxStringOption)
		}
	}
	return total
}

// checkREST returns what Discord would refuse in a REST call's body.
func checkREST(method, path, contentType string, body []byte) []string {
	if method != "POST" && method != "PATCH" && method != "PUT" {
		return nil
	}
	if mt, params, err := mime.ParseMediaType(contentType); err == nil && strings.HasPrefix(mt, "multipart/") {
		body = payloadJSON(body, params["boundary"])
	}
	var l dcLimits
	parts := strings.Split(strings.TrimPrefix(path, "/api/v9/"), "/")
	switch {
	case parts[0] == "applications" && method == "PUT":
		var cmds []any
		if err := json.Unmarshal(body, &cmds); err != nil {
			l.bad("commands are not a JSON array: %v", err)
		}
		l.commands(cmds)
	case parts[0] == "interactions": // interactions/{id}/{token}/callback
		var resp map[string]any
		_ = json.Unmarshal(body, &resp)
		l.response(resp)
	case parts[0] == "channels" && len(parts) >= 3 && parts[2] == "messages", parts[0] == "webhooks":
		var msg map[string]any
		_ = json.Unmarshal(body, &msg)
		l.message(method+" "+path, msg)
		if n, ok := msg["nonce"].(string); ok && len(n) > 25 {
			l.bad("nonce of %d characters; at most 25", len(n))
		}
	}
	return l.problems
}

// payloadJSON is the JSON part of a multipart message (one with files).
func payloadJSON(body []byte, boundary string) []byte {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil
		}
		if p.FormName() == "payload_json" {
			b, _ := io.ReadAll(p)
			return b
		}
	}
}

// TestFakeDiscordRejectsWhatDiscordRejects: the strict checks catch each
// documented limit.
func TestFakeDiscordRejectsWhatDiscordRejects(t *testing.T) {
	t.Parallel()
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	field := func(n int) map[string]any { return map[string]any{"name": "n", "value": strings.Repeat("v", n)} }
	fields := func(k, n int) []any {
		out := make([]any, k)
		for i := range out {
			out[i] = field(n)
		}
		return out
	}
	button := func(id string) map[string]any {
		return map[string]any{"type": 2, "style": 1, "label": "Go", "custom_id": id}
	}
	row := func(k int, prefix string) map[string]any {
		var cs []any
		for i := 0; i < k; i++ {
			cs = append(cs, button(fmt.Sprintf("%s%d", prefix, i)))
		}
		return map[string]any{"type": 1, "components": cs}
	}
	modal := func(title string, maxLen int) map[string]any {
		return map[string]any{"type": 9, "data": map[string]any{"custom_id": "f", "title": title, "components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "t", "label": "Title", "style": 1, "max_length": maxLen}}}}}}
	}
	cmd := func(name, desc string, extra map[string]any) map[string]any {
		c := map[string]any{"name": name, "description": desc, "type": 1}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	post := "/api/v9/channels/1/messages"
	cases := []struct {
		name, method, path string
		body               []byte
		ok                 bool
	}{
		{"content 2000", "POST", post, js(map[string]any{"content": strings.Repeat("c", 2000)}), true},
		{"content 2001", "POST", post, js(map[string]any{"content": strings.Repeat("c", 2001)}), false},
		{"25 fields", "POST", post, js(map[string]any{"embeds": []any{map[string]any{"fields": fields(25, 10)}}}), true},
		{"26 fields", "POST", post, js(map[string]any{"embeds": []any{map[string]any{"fields": fields(26, 10)}}}), false},
		{"embeds over 6000", "POST", post, js(map[string]any{"embeds": []any{map[string]any{"fields": fields(7, 1000)}}}), false},
		{"5 rows of 5", "POST", post, js(map[string]any{"components": []any{row(5, "a"), row(5, "b"), row(5, "c"), row(5, "d"), row(5, "e")}}), true},
		{"6 rows", "POST", post, js(map[string]any{"components": []any{row(1, "a"), row(1, "b"), row(1, "c"), row(1, "d"), row(1, "e"), row(1, "f")}}), false},
		{"6 buttons in a row", "POST", post, js(map[string]any{"components": []any{row(6, "a")}}), false},
		{"modal title 45", "POST", "/api/v9/interactions/1/t/callback", js(modal(strings.Repeat("t", 45), 4000)), true},
		{"modal title 46", "POST", "/api/v9/interactions/1/t/callback", js(modal(strings.Repeat("t", 46), 4000)), false},
		{"text input max_length 4001", "POST", "/api/v9/interactions/1/t/callback", js(modal("Open", 4001)), false},
		{"command ok", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("request", "open a request", nil)}), true},
		{"command name upper case", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("Request", "open", nil)}), false},
		{"command name 33", "PUT", "/api/v9/applications/1/commands", js([]any{cmd(strings.Repeat("r", 33), "open", nil)}), false},
		{"description 101", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("request", strings.Repeat("d", 101), nil)}), false},
		{"26 options", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("request", "d", map[string]any{"options": func() []any {
			var o []any
			for i := 0; i < 26; i++ {
				o = append(o, map[string]any{"type": 3, "name": fmt.Sprintf("o%d", i), "description": "d"})
			}
			return o
		}()})}), false},
		{"choices on a user option", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("role", "d", map[string]any{"options": []any{
			map[string]any{"type": 6, "name": "person", "description": "d", "choices": []any{map[string]any{"name": "a", "value": "a"}}}}})}), false},
		{"autocomplete on a boolean", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("time", "d", map[string]any{"options": []any{
			map[string]any{"type": 5, "name": "non-billable", "description": "d", "autocomplete": true}}})}), false},
		{"max_length on an integer", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("requests", "d", map[string]any{"options": []any{
			map[string]any{"type": 4, "name": "page", "description": "d", "max_length": 10}}})}), false},
		{"text input style 3", "POST", "/api/v9/interactions/1/t/callback", js(map[string]any{"type": 9, "data": map[string]any{"custom_id": "f", "title": "T", "components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "t", "label": "L", "style": 3}}}}}}), false},
		{"modal of 6 rows", "POST", "/api/v9/interactions/1/t/callback", js(map[string]any{"type": 9, "data": map[string]any{"custom_id": "f", "title": "T", "components": func() []any {
			var rows []any
			for i := 0; i < 6; i++ {
				rows = append(rows, map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": fmt.Sprint("t", i), "label": "L", "style": 1}}})
			}
			return rows
		}()}}), false},
		{"modal custom_id 101", "POST", "/api/v9/interactions/1/t/callback", js(map[string]any{"type": 9, "data": map[string]any{"custom_id": strings.Repeat("f", 101), "title": "T", "components": []any{
			map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": "t", "label": "L", "style": 1}}}}}}), false},
		{"permissions not a string", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("role", "d", map[string]any{"default_member_permissions": 32})}), false},
		{"permissions string", "PUT", "/api/v9/applications/1/commands", js([]any{cmd("role", "d", map[string]any{"default_member_permissions": "32"})}), true},
	}
	for _, c := range cases {
		problems := checkREST(c.method, c.path, "application/json", c.body)
		if ok := len(problems) == 0; ok != c.ok {
			t.Errorf("%s: accepted %v, want %v (problems %v)", c.name, ok, c.ok, problems)
		}
	}
}
