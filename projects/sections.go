package projects

import (
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// A weekly update is structured text: a schedule and a budget line, then
// sections, each a heading line ending in ":" followed by "- item" lines, with a
// blank line between sections. Coordinators edit one section at a time, so an
// edit never flattens the update into one line.

// Section is one editable part of an update.
type Section struct {
	Key, Heading string
	Optional     bool // may be left out of an update
}

// Sections are the parts of an update in the order they appear.
func Sections() []Section {
	return []Section{
		{Key: "done", Heading: "Done this week:"},
		{Key: "next", Heading: "Planned next week:"},
		{Key: "disruptions", Heading: "Planned disruptions:", Optional: true},
		{Key: "oos", Heading: "Out-of-scope work:", Optional: true},
		{Key: "decisions", Heading: "Decisions needed from you:", Optional: true},
		{Key: "note", Heading: "A note from your coordinator:", Optional: true},
	}
}

// SectionKeys lists the section names an edit accepts.
func SectionKeys() []string {
	var keys []string
	for _, s := range Sections() {
		keys = append(keys, s.Key)
	}
	return keys
}

// FindSection reads a section name (done, next, …).
func FindSection(name string) (Section, bool) {
	for _, s := range Sections() {
		if strings.EqualFold(name, s.Key) {
			return s, true
		}
	}
	return Section{}, false
}

// Unresolved returns the first line of an update that still asks to be filled
// in before approving, or "".
func Unresolved(body string) string {
	for _, l := range strings.Split(body, "\n") {
		if strings.Contains(l, bot.UpdatePlaceholder) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// EditSection replaces the items of one section of body with text: items
// separated by new lines or ";". Empty text removes an optional section. The
// rest of the update is kept as it was; a section the update lacks is added in
// its place in the order.
func EditSection(body string, sec Section, text string) (string, error) {
	var items []string
	for _, part := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ';' }) {
		if p := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "- ")); p != "" {
			items = append(items, "- "+p)
		}
	}
	if len(items) == 0 && !sec.Optional {
		return "", bot.Errorf(bot.EInvalid, "%q needs at least one line; separate lines with ;", strings.TrimSuffix(sec.Heading, ":"))
	}
	head, blocks := splitSections(body)
	var replaced bool
	for i, b := range blocks {
		if b[0] == sec.Heading {
			blocks[i] = append([]string{sec.Heading}, items...)
			replaced = true
		}
	}
	if !replaced {
		at := len(blocks)
		order := map[string]int{}
		for i, s := range Sections() {
			order[s.Heading] = i
		}
		for i, b := range blocks {
			if o, ok := order[b[0]]; ok && o > order[sec.Heading] {
				at = i
				break
			}
		}
		blocks = append(blocks[:at], append([][]string{append([]string{sec.Heading}, items...)}, blocks[at:]...)...)
	}
	parts := []string{strings.Join(head, "\n")}
	for _, b := range blocks {
		if len(b) > 1 {
			parts = append(parts, strings.Join(b, "\n"))
		}
	}
	return strings.TrimSpace(strings.Join(parts, "\n\n")), nil
}

// KeepsStructure reports whether a whole new text still has every section
// heading the old one had: a full rewrite may change the words, not drop parts.
func KeepsStructure(old, text string) bool {
	_, blocks := splitSections(old)
	for _, b := range blocks {
		if !strings.Contains(text, b[0]) {
			return false
		}
	}
	return true
}

// splitSections cuts an update into the lines before the first section and the
// sections, each its heading followed by its lines.
func splitSections(body string) (head []string, blocks [][]string) {
	headings := map[string]bool{}
	for _, s := range Sections() {
		headings[s.Heading] = true
	}
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		t := strings.TrimRight(l, " \t\r")
		switch {
		case headings[strings.TrimSpace(t)]:
			blocks = append(blocks, []string{strings.TrimSpace(t)})
		case strings.TrimSpace(t) == "":
		case len(blocks) == 0:
			head = append(head, t)
		default:
			blocks[len(blocks)-1] = append(blocks[len(blocks)-1], t)
		}
	}
	return head, blocks
}
