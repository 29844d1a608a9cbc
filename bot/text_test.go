package bot

import (
	"testing"
	"time"
)

func TestFirstNonEmpty(t *testing.T) {
	if got := FirstNonEmpty("", "", "b", "c"); got != "b" {
		t.Fatalf("got %q", got)
	}
	if got := FirstNonEmpty(); got != "" {
		t.Fatalf("got %q", got)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "now", 45 * time.Minute: "45m", 90 * time.Minute: "1h",
		47 * time.Hour: "47h", 49 * time.Hour: "2d", 12 * 24 * time.Hour: "12d",
	} {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestLooksTabular(t *testing.T) {
	table := "#1001  open  printer\n#1002  open  vpn\ntotal 2"
	if !LooksTabular(table) {
		t.Error("a column list should look tabular")
	}
	if LooksTabular("Opened #1001.\nWe will look at it today.") {
		t.Error("prose should not look tabular")
	}
}
