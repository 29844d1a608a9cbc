package commands

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/mspbot/mspbot/bot"
)

// pageSize is how many rows one list reply shows.
const pageSize = 25

// paging is which page of a list a reply shows, and the command that lists
// (without "page N") so the reply can offer the next page: every list says
// "showing 26–50 of N" and carries a Next button rather than stopping silently.
type paging struct {
	page int    // 1-based
	base string // e.g. "/client" or "/requests --client ACME"
}

// cutPage takes "page N" out of a command's words. base is the list command
// the Next button repeats; usage is the error for a bad page number.
func cutPage(args []string, base string) ([]string, paging, error) {
	p := paging{page: 1, base: base}
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		// "--page 2" is how Discord's typed option arrives (a table flag).
		if (strings.EqualFold(args[i], "page") || strings.EqualFold(args[i], "--page")) && i+1 < len(args) {
			n, err := strconv.Atoi(args[i+1])
			if err != nil || n < 1 {
				return nil, p, bot.Errorf(bot.EInvalid, "%q is not a page number; use %s page 2", args[i+1], base)
			}
			p.page = n
			i++
			continue
		}
		rest = append(rest, args[i])
	}
	return rest, p, nil
}

// pageWords is an argument line that only asks for a page: "page 2".
var pageWords = regexp.MustCompile(`(?i)^\s*page\s+\S+\s*$`)

// offset is how many rows come before this page.
func (p paging) offset() int { return (p.page - 1) * pageSize }

// number is how the i-th row (0-based) of this page is numbered: lists number
// across pages, so page 2 starts at 26.
func (p paging) number(i int) int { return p.offset() + i + 1 }

// pastEnd explains a page number beyond the list instead of showing nothing.
func (p paging) pastEnd(total int, noun, nouns string) bot.Message {
	pages := (total + pageSize - 1) / pageSize
	return bot.Message{Text: fmt.Sprintf("There %s only %d %s of %d %s; %s shows the first.",
		plural(pages, "is", "are"), pages, plural(pages, "page", "pages"), total, plural(total, noun, nouns), p.base), Ephemeral: true}
}

// decorate says which rows m shows when they are not all of them, and adds
// the command and a button for the next page when there is one.
func (p paging) decorate(m *bot.Message, shown, total int) {
	if shown < total {
		m.Title += fmt.Sprintf(" — showing %d–%d of %d", p.offset()+1, p.offset()+shown, total)
	}
	if p.offset()+shown < total {
		next := fmt.Sprintf("%s page %d", p.base, p.page+1)
		m.Text += "\nMore: " + next
		m.Actions = append(m.Actions, bot.Action{ID: "list.next", Label: fmt.Sprintf("Next %d", pageSize), Command: next})
	}
}

// pageOf is this page's slice of a list loaded whole; ok is false when the
// page lies past the end.
func pageOf[T any](p paging, rows []T) (page []T, ok bool) {
	from := p.offset()
	if from >= len(rows) {
		return nil, len(rows) == 0
	}
	return rows[from:min(from+pageSize, len(rows))], true
}
