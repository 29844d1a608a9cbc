package discord

import "strings"

// markdownSpecial are the characters Discord reads as formatting anywhere in
// a line: emphasis, strike, spoilers, code, masked links ([text](url)) and
// mentions or timestamps (<@id>, <t:…>).
var markdownSpecial = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`,
	"[", `\[`, "]", `\]`, "<", `\<`)

// EscapeMarkdown makes text people typed show as typed in the bot's messages:
// a disguised link ("[your invoice](https://evil.example)") shows its address,
// an unclosed code block cannot swallow the rest of the message, and quotes,
// headings and subtext at a line's start stay plain text. The bot's own words
// carry no Markdown, so everything is escaped.
func EscapeMarkdown(s string) string {
	s = markdownSpecial.Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		if strings.HasPrefix(t, ">") || strings.HasPrefix(t, "-# ") || strings.HasPrefix(strings.TrimLeft(t, "#"), " ") && t[0] == '#' {
			lines[i] = l[:len(l)-len(t)] + `\` + t
		}
	}
	return strings.Join(lines, "\n")
}

// clipEscaped is clip for escaped text: it never leaves a lone backslash at
// the cut, which would escape the ellipsis instead.
func clipEscaped(s string, n int) string {
	c := clip(s, n)
	if c == s {
		return c
	}
	body := strings.TrimSuffix(c, "…")
	if trailing := len(body) - len(strings.TrimRight(body, `\`)); trailing%2 == 1 {
		body = body[:len(body)-1]
	}
	return body + "…"
}
