package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/mspbot/mspbot/bot"
)

// Block Kit limits we render within.
const (
	maxHeader      = 150
	maxSectionText = 3000
	maxFieldText   = 2000
	maxButtonText  = 75
	maxButtonValue = 2000
	maxFallback    = 3000
	maxBlocks      = 50
	maxActions     = 25 // elements in one actions block
)

// render turns a bot.Message into Block Kit blocks and the plain fallback text
// Slack shows in notifications. All text is neutralised: a message repeats what
// people typed, and nothing anyone typed may ping a channel or a person.
// Attachments are not rendered: a posted message's are uploaded after it
// (files.go); renderNoting names them where no file can follow.
func render(m bot.Message) (blocks []slack.Block, fallback string) {
	if m.Title != "" {
		blocks = append(blocks, slack.NewHeaderBlock(
			slack.NewTextBlockObject(slack.PlainTextType, clip(breakBroadcasts(m.Title), maxHeader), false, false)))
	}
	var fieldBlocks []slack.Block
	var fields []*slack.TextBlockObject
	for _, f := range m.Fields {
		v := fmt.Sprintf("*%s*\n%s", neutralise(f.Label), neutralise(f.Value))
		fields = append(fields, slack.NewTextBlockObject(slack.MarkdownType, clip(v, maxFieldText), false, true))
		if len(fields) == 10 { // a section holds at most 10 fields
			fieldBlocks = append(fieldBlocks, slack.NewSectionBlock(nil, fields, nil))
			fields = nil
		}
	}
	if len(fields) > 0 {
		fieldBlocks = append(fieldBlocks, slack.NewSectionBlock(nil, fields, nil))
	}
	var buttons []slack.BlockElement
	for _, a := range m.Actions {
		b := slack.NewButtonBlockElement(a.ID, clip(a.Command, maxButtonValue),
			slack.NewTextBlockObject(slack.PlainTextType, clip(breakBroadcasts(a.Label), maxButtonText), false, false))
		switch a.Style {
		case "primary":
			b.Style = slack.StylePrimary
		case "danger":
			b.Style = slack.StyleDanger
		}
		buttons = append(buttons, b)
	}
	var actionBlocks []slack.Block
	for i := 0; i < len(buttons); i += maxActions { // an actions block holds at most 25 elements
		blockID := bot.BlockOf(m.About()) // names the record, so a click can be checked against it
		if i > 0 {
			blockID += fmt.Sprintf(":%d", i/maxActions)
		}
		actionBlocks = append(actionBlocks, slack.NewActionBlock(blockID, buttons[i:min(i+maxActions, len(buttons))]...))
	}
	// Text is escaped before it is cut, so every section stays within its limit
	// once escaped; it gets the blocks the fields and buttons leave, and a cut
	// is marked rather than silently dropping the end (or the buttons).
	room := maxBlocks - len(blocks) - len(fieldBlocks) - len(actionBlocks)
	parts := chunks(neutralise(m.Text), maxSectionText-8)
	if len(parts) > room {
		parts = parts[:max(room, 0)]
		if len(parts) > 0 {
			last := clip(parts[len(parts)-1], maxSectionText-8-len("…"))
			if !strings.HasSuffix(last, "…") {
				last += "…"
			}
			parts[len(parts)-1] = last
		}
	}
	for _, text := range parts {
		if strings.Contains(text, "\n") && bot.LooksTabular(text) {
			text = "```" + text + "```"
		}
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, true), nil, nil))
	}
	blocks = append(blocks, fieldBlocks...)
	blocks = append(blocks, actionBlocks...)
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	fallback = m.Title
	if m.Text != "" {
		if fallback != "" {
			fallback += "\n"
		}
		fallback += m.Text
	}
	return blocks, clip(neutralise(fallback), maxFallback)
}

// breakBroadcasts keeps plain_text (headers, button labels) from announcing:
// Slack does not parse markup there, but a word joiner costs nothing.
func breakBroadcasts(s string) string { return broadcast.ReplaceAllString(s, "@"+wordJoiner+"$1") }

// chunks splits text at line ends into pieces of at most max bytes.
func chunks(s string, max int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for len(s) > max {
		cut := strings.LastIndex(s[:max], "\n")
		if cut <= 0 {
			cut = max
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			// Never cut an escape such as "&amp;" in two.
			if i := strings.LastIndexByte(s[:cut], '&'); i > 0 && !strings.Contains(s[i:cut], ";") {
				cut = i
			}
		}
		out = append(out, s[:cut])
		s = strings.TrimLeft(s[cut:], "\n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// clip shortens s to at most max bytes on a rune boundary, marking the cut.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// Never leave half an escape such as "&am" behind.
	if i := strings.LastIndexByte(s[:cut], '&'); i >= 0 && !strings.Contains(s[i:cut], ";") {
		cut = i
	}
	return s[:cut] + "…"
}

// renderNoting is render for a message whose files cannot be shared with it
// (ephemeral replies, response_url posts, in-place updates): a note names each.
func renderNoting(m bot.Message) ([]slack.Block, string) {
	blocks, fallback := render(m)
	if len(m.Attachments) == 0 {
		return blocks, fallback
	}
	blocks = append(blocks, attachmentNotes(m)...)
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	return blocks, fallback
}

// msgOptions are the chat.postMessage options for a message (its files follow it).
func msgOptions(m bot.Message) []slack.MsgOption {
	blocks, fallback := render(m)
	return []slack.MsgOption{slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)}
}

// updateOptions are the chat.update options for a message.
func updateOptions(m bot.Message) []slack.MsgOption {
	blocks, fallback := renderNoting(m)
	return []slack.MsgOption{slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)}
}

// uniqueBlockIDs renames action blocks whose block_id is already in ids (and
// records the new ones): Slack refuses a message or view that repeats a
// block_id, so the second "request:1042" or "actions" becomes "actions.2".
func uniqueBlockIDs(blocks []slack.Block, ids map[string]bool) {
	for _, blk := range blocks {
		if a, ok := blk.(*slack.ActionBlock); ok {
			id := a.BlockID
			for n := 2; ids[id]; n++ {
				id = fmt.Sprintf("%s.%d", a.BlockID, n)
			}
			a.BlockID, ids[id] = id, true
		}
	}
}

// combine merges several messages into one (Slack's ack carries one message).
func combine(msgs []bot.Message) ([]slack.Block, string) {
	var (
		blocks []slack.Block
		texts  []string
	)
	ids := map[string]bool{}
	for i, m := range msgs {
		b, t := renderNoting(m)
		if i > 0 && len(b) > 0 {
			blocks = append(blocks, slack.NewDividerBlock())
		}
		uniqueBlockIDs(b, ids)
		blocks = append(blocks, b...)
		texts = append(texts, t)
	}
	if len(blocks) > maxBlocks {
		blocks = blocks[:maxBlocks]
	}
	return blocks, clip(strings.Join(texts, "\n"), maxFallback)
}
