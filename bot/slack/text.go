package slack

import (
	"regexp"
	"strings"
)

// Slack sends message text in its own markup: mentions and links in angle
// brackets, and &, <, > escaped. plainText turns it into what the person typed,
// which is what we store; neutralise turns any text back into markup that shows
// exactly that text and pings nobody.

var markup = regexp.MustCompile(`<([^<>]*)>`)

// plainText decodes Slack markup into plain text: <!here> becomes "@here",
// <#C1|general> "#general", <https://x|label> "label (https://x)". User
// mentions stay as <@U123> (without the label) because commands such as /role
// resolve people by that id.
func plainText(s string) string {
	s = markup.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			return "<" + target + ">"
		case strings.HasPrefix(target, "#"):
			if hasLabel && label != "" {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!subteam^"):
			if hasLabel && label != "" {
				return label
			}
			return "@" + strings.TrimPrefix(target, "!subteam^")
		case strings.HasPrefix(target, "!date^"):
			return label
		case strings.HasPrefix(target, "!"):
			return "@" + target[1:]
		case hasLabel && label != "" && label != target && label != strings.TrimPrefix(target, "mailto:"):
			return label + " (" + target + ")"
		default:
			return strings.TrimPrefix(target, "mailto:")
		}
	})
	return unescaper.Replace(s)
}

var unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// wordJoiner is an invisible character that stops Slack reading "@here" as a
// mention when it sits between the @ and the word.
const wordJoiner = "\u2060"

var broadcast = regexp.MustCompile(`(?i)@(channel|here|everyone)`)

// neutralise makes text safe to post: it escapes &, < and > as Slack asks, so
// <!channel>, <!here>, <!subteam^…> and <@U123> show as typed and notify nobody,
// and breaks bare @channel/@here/@everyone with an invisible word joiner.
func neutralise(s string) string {
	s = escaper.Replace(s)
	return broadcast.ReplaceAllString(s, "@"+wordJoiner+"$1")
}
