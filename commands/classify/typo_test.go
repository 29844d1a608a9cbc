package classify

import "testing"

// Typos are folded to the words the model was trained on; names and words
// it knows are left alone.
func TestNormalizeTypos(t *testing.T) {
	m := Default()
	cases := []struct{ in, want string }{
		{"pls reset my pasword", "please reset my password"},
		{"new firewal for 3 ofice", "new firewall for 3 office"},
		{"20users need acess", "20 users need access"},
		{"Marsh Vets printer", "marsh vets printer"},
	}
	for _, c := range cases {
		toks := m.typos.normalize(c.in, tokenize(c.in))
		got := ""
		for i, tk := range toks {
			if i > 0 {
				got += " "
			}
			got += tk.word
		}
		if got != c.want {
			t.Errorf("normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
