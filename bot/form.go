package bot

// Form asks for text in the platform's own form (a Slack modal) where typing
// it as a command argument would be error-prone: long, multi-line text such
// as a weekly update. A reply carrying a Form still has Text saying how to do
// the same by typing, for platforms (and the console) that show no form.
type Form struct {
	Title   string // the form's title: short (Slack allows 24 characters)
	Label   string // what the field is
	Initial string // the text to start from
	// Submit is the command line the form runs, with what was entered
	// appended as one quoted argument: "/project update P12 edit 2026-W48".
	Submit string
}
