package timekeeping

import "github.com/mspbot/mspbot/parse"

// MaxEntryMinutes is the longest single time entry and the most one person's
// day holds: 24h.
const MaxEntryMinutes = 24 * 60

// FormatMinutes writes minutes the way people say them: 45m, 1h, 1h30. Reading
// durations is parse.Duration's, the one grammar every command uses.
func FormatMinutes(m int) string { return parse.FormatMinutes(m) }
