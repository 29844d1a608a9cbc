package timekeeping

import "github.com/mspbot/mspbot/parse"

// FormatMinutes writes minutes the way people say them: 45m, 1h, 1h30. Reading
// durations is parse.Duration's, the one grammar every command uses; the
// limits of a time entry are package timeentry's.
func FormatMinutes(m int) string { return parse.FormatMinutes(m) }
