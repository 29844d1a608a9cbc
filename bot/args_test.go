package bot

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseLine(t *testing.T) {
	cases := []struct{ in, cmd, args, err string }{
		{"/request Outlook keeps asking", "request", "Outlook keeps asking", ""},
		{"  /REQUESTS  ", "requests", "", ""},
		{"/request\tshow 1002", "request", "show 1002", ""},
		{"hello", "", "", "commands start with /"},
		{"/", "", "", "a command name must follow"},
		{"/ request", "", "", "a command name must follow"},
		{"", "", "", "commands start with /"},
		{"/x " + strings.Repeat("é", 5000), "", "", "the limit is 4000"},
		{"/x \xff", "", "", "not valid UTF-8"},
	}
	for _, c := range cases {
		cmd, args, err := ParseLine(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(ErrorMessage(err), c.err) || ErrorCode(err) != EInvalid {
				t.Errorf("ParseLine(%.20q) error = %v; want invalid containing %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || cmd != c.cmd || args != c.args {
			t.Errorf("ParseLine(%q) = %q, %q, %v; want %q, %q", c.in, cmd, args, err, c.cmd, c.args)
		}
	}
}

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  bool
	}{
		{`1002 support "covered by contract"`, []string{"1002", "support", "covered by contract"}, false},
		{`a  'b c'   d`, []string{"a", "'b", "c'", "d"}, false},
		{`30m #1001 fixed Bob's laptop`, []string{"30m", "#1001", "fixed", "Bob's", "laptop"}, false},
		{`1002 support it's covered`, []string{"1002", "support", "it's", "covered"}, false},
		{`it’s Bob’s ‘thing’`, []string{"it’s", "Bob’s", "‘thing’"}, false},
		{`a 27" monitor`, []string{"a", `27"`, "monitor"}, false},
		{`--desc="new text" x`, []string{"--desc=new text", "x"}, false},
		{`“mixed close"`, []string{"mixed close"}, false},
		{`"it's fine"`, []string{"it's fine"}, false},
		{`say “hello there”`, []string{"say", "hello there"}, false},
		{`x "a \"quoted\" word"`, []string{"x", `a "quoted" word`}, false},
		{`empty "" arg`, []string{"empty", "", "arg"}, false},
		{`joined"in side"word`, []string{"joinedin sideword"}, false},
		{`unclosed "quote`, nil, true},
		{``, nil, false},
		{`ünïcødé 日本`, []string{"ünïcødé", "日本"}, false},
	}
	for _, c := range cases {
		got, err := SplitArgs(c.in)
		if (err != nil) != c.err {
			t.Errorf("SplitArgs(%q) error = %v; want error %v", c.in, err, c.err)
			continue
		}
		if !c.err && !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitArgs(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// FuzzParse checks the typed-line parser never panics, returns only invalid
// errors, and that what it accepts is a lower-case name plus trimmed arguments
// which SplitArgs either splits or refuses cleanly.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/request Outlook keeps asking for my password", `/reclassify 1002 support "covered by contract"`,
		"/", "", "/x 'unclosed", "/日本 語", "/request \"a\\\"b\"", "/x “smart ‘nested’ quotes”", strings.Repeat("/a ", 2000),
		"/time 30m #1001 fixed Bob's laptop", `/x a 27" monitor`, `/x --desc="new text" it’s`, `/x “mixed close"`, `/x a"b"c"d`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, args, err := ParseLine(line)
		if err != nil {
			if ErrorCode(err) != EInvalid {
				t.Fatalf("ParseLine(%q) error code %s; want invalid", line, ErrorCode(err))
			}
			return
		}
		if cmd == "" || cmd != strings.ToLower(cmd) || strings.ContainsAny(cmd, " \t\n") {
			t.Fatalf("ParseLine(%q) gave command %q", line, cmd)
		}
		if args != strings.TrimSpace(args) || !utf8.ValidString(args) {
			t.Fatalf("ParseLine(%q) gave untrimmed or invalid args %q", line, args)
		}
		words, err := SplitArgs(args)
		if err != nil {
			if ErrorCode(err) != EInvalid {
				t.Fatalf("SplitArgs(%q) error code %s", args, ErrorCode(err))
			}
			return
		}
		for _, w := range words {
			if !utf8.ValidString(w) {
				t.Fatalf("SplitArgs(%q) produced invalid UTF-8 %q", args, w)
			}
		}
	})
}
