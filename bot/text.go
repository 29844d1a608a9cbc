package bot

import (
	"fmt"
	"strings"
	"time"
)

// Small text helpers that commands, features and adapters share, kept here so
// each exists once.

// FirstNonEmpty returns the first of s that is not empty, or "".
func FirstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Age renders how long ago something happened as a chat table shows it:
// "now", "45m", "30h", "12d" (hours up to two days, then days).
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// LooksTabular reports whether text is a column list (the /requests table)
// that reads best in monospace: most lines hold a run of two spaces. Every
// renderer asks it, so a table is a code block on every platform or on none.
func LooksTabular(s string) bool {
	lines := strings.Split(s, "\n")
	n := 0
	for _, l := range lines {
		if strings.Contains(l, "  ") {
			n++
		}
	}
	return n*2 > len(lines)
}
