package timekeeping

import "testing"

func TestFormatMinutes(t *testing.T) {
	for m, want := range map[int]string{5: "5m", 60: "1h", 90: "1h30", 125: "2h05", -30: "-30m"} {
		if got := FormatMinutes(m); got != want {
			t.Errorf("FormatMinutes(%d) = %q; want %q", m, got, want)
		}
	}
}
