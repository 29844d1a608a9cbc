package commands_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mspbot/mspbot/bot"
	"github.com/mspbot/mspbot/bot/console"
)

// numbered finds the numbers of a numbered list's rows ("26. …").
var numbered = regexp.MustCompile(`(?m)^(\d+)\. `)

// pageThrough follows a list's Next buttons from its first page to its last,
// checking each page's "showing a–b of N" and that every row appears once.
func pageThrough(t *testing.T, c *console.Console, first string, total int, row func(int) string) {
	t.Helper()
	line, pages := first, 0
	seen := map[string]bool{}
	for line != "" {
		pages++
		msgs := c.Handle(context.Background(), line)
		if len(msgs) != 1 {
			t.Fatalf("%s: %+v", line, msgs)
		}
		m := msgs[0]
		from := (pages-1)*25 + 1
		to := min(pages*25, total)
		if want := fmt.Sprintf("— showing %d–%d of %d", from, to, total); !strings.HasSuffix(m.Title, want) {
			t.Fatalf("%s: title %q, want it to end %q", line, m.Title, want)
		}
		// A numbered list numbers across pages: page 2 goes on from 26, so
		// "the 3rd one" means the same row whichever page it was read on.
		if nums := numbered.FindAllStringSubmatch(m.Text, -1); len(nums) > 0 {
			for k, n := range nums {
				if n[1] != strconv.Itoa(from+k) {
					t.Fatalf("%s: row %d of the page is numbered %s, want %d:\n%s", line, k+1, n[1], from+k, m.Text)
				}
			}
			if len(nums) != to-from+1 {
				t.Fatalf("%s: %d numbered rows, want %d", line, len(nums), to-from+1)
			}
		}
		for i := 1; i <= total; i++ {
			if strings.Contains(m.Text, row(i)) {
				if seen[row(i)] {
					t.Fatalf("%s: %s shown twice", line, row(i))
				}
				seen[row(i)] = true
			}
		}
		line = ""
		if to < total {
			want := fmt.Sprintf("%s page %d", first, pages+1)
			if len(m.Actions) != 1 || m.Actions[0].Command != want || !strings.Contains(m.Text, "More: "+want) {
				t.Fatalf("%s: next page should be %q: %+v", first, want, m)
			}
			line = m.Actions[0].Command
		} else if len(m.Actions) != 0 {
			t.Fatalf("%s: last page offers more: %+v", line, m.Actions)
		}
	}
	if len(seen) != total || pages != (total+24)/25 {
		t.Fatalf("%s: saw %d of %d rows on %d pages", first, len(seen), total, pages)
	}
	if out := run(c, fmt.Sprintf("%s page %d", first, pages+1)); !strings.Contains(out, fmt.Sprintf("only %d pages of %d", pages, total)) {
		t.Fatalf("past the end:\n%s", out)
	}
	if out := run(c, first+" page zero"); !strings.Contains(out, "not a page number") {
		t.Fatalf("bad page:\n%s", out)
	}
}

// TestEveryListPages: the client, role and project lists show 25 rows, say
// which of how many, and page to the rest with a Next button, like /requests.
func TestEveryListPages(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mgr := h.as("mia", bot.RoleManager, "")
	for i := 1; i <= 29; i++ { // with ACME and GLOBEX: 31 clients
		if out := run(mgr, fmt.Sprintf(`/client add C%02d "Client %02d"`, i, i)); !strings.Contains(out, "added") {
			t.Fatalf("add client:\n%s", out)
		}
	}
	pageThrough(t, mgr, "/client", 31, func(i int) string {
		if i > 29 {
			return []string{"ACME Corp", "GLOBEX Corp"}[i-30]
		}
		return fmt.Sprintf("Client %02d", i)
	})

	for i := 1; i <= 27; i++ { // with mia: 28 people
		h.as(fmt.Sprintf("tech%02d", i), bot.RoleTech, "")
	}
	pageThrough(t, mgr, "/role", 28, func(i int) string {
		if i == 28 {
			return " mia"
		}
		return fmt.Sprintf("tech%02d", i)
	})

	for i := 1; i <= 26; i++ {
		if out := run(mgr, fmt.Sprintf(`/project new ACME "Rollout %02d" --start 2026-11-02 --end 2027-03-31 --budget 20h`, i)); !strings.Contains(out, "Opened P") {
			t.Fatalf("new project:\n%s", out)
		}
	}
	pageThrough(t, mgr, "/project list", 26, func(i int) string { return fmt.Sprintf("Rollout %02d", i) })

	for i := 1; i <= 27; i++ {
		if out := run(mgr, fmt.Sprintf(`/lessons add P1 "Firewall cutover step %02d went well" ""`, i)); !strings.Contains(out, "saved") {
			t.Fatalf("lesson:\n%s", out)
		}
	}
	pageThrough(t, mgr, "/lessons search firewall cutover", 27, func(i int) string { return fmt.Sprintf("step %02d went", i) })
}
