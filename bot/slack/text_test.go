package slack

import (
	"strings"
	"testing"
)

func TestPlainText(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"<!channel> printer is down", "@channel printer is down"},
		{"<!subteam^S123|@helpdesk> help", "@helpdesk help"},
		{"<!subteam^S123> help", "@S123 help"},
		{"ask <@U123|tom> please", "ask <@U123> please"},
		{"in <#C1|general>", "in #general"},
		{"see <https://x.example/a|the doc>", "see the doc (https://x.example/a)"},
		{"see <https://x.example/a>", "see https://x.example/a"},
		{"mail <mailto:a@b.c|a@b.c>", "mail a@b.c"},
		{"a &lt;b&gt; &amp; c", "a <b> & c"},
		{"<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"},
	}
	for _, c := range cases {
		if got := plainText(c.in); got != c.want {
			t.Errorf("plainText(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func TestNeutralise(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"<!channel> help", "&lt;!channel&gt; help"},
		{"@here and @Everyone", "@\u2060here and @\u2060Everyone"},
		{"<@U123> <!subteam^S1>", "&lt;@U123&gt; &lt;!subteam^S1&gt;"},
		{"a & b", "a &amp; b"},
		{"plain", "plain"},
	}
	for _, c := range cases {
		if got := neutralise(c.in); got != c.want {
			t.Errorf("neutralise(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// FuzzNeutralise: whatever a person types, the posted markup has no mention or
// broadcast Slack would act on, and decoding it gives back what they typed.
func FuzzNeutralise(f *testing.F) {
	for _, s := range []string{"<!channel>", "<!here|here>", "@everyone", "<@U123|tom>", "<!subteam^S1|@ops>",
		"&lt;!channel&gt;", "a&amp;b", "@@here", "<<!channel>>", "日本 <#C1>", "@\u2060here"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := neutralise(s)
		for _, bad := range []string{"<!", "<@", "<#", "<"} {
			if strings.Contains(out, bad) {
				t.Fatalf("neutralise(%q) = %q contains %q", s, out, bad)
			}
		}
		if loc := broadcast.FindStringIndex(out); loc != nil {
			t.Fatalf("neutralise(%q) = %q still has a broadcast at %v", s, out, loc)
		}
		back := strings.ReplaceAll(unescaper.Replace(out), "@"+wordJoiner, "@")
		if back != strings.ReplaceAll(s, "@"+wordJoiner, "@") {
			t.Fatalf("round trip of %q gave %q", s, back)
		}
		// Decoding Slack markup never panics and never invents a broadcast
		// mention in markup once neutralised again.
		if p := neutralise(plainText(s)); strings.Contains(p, "<") {
			t.Fatalf("plainText then neutralise of %q left %q", s, p)
		}
	})
}
