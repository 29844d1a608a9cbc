package slack

import (
	"testing"

	"github.com/mspbot/mspbot/storage/storagetest"
)

// TestMain runs this package's tests several at a time (see storagetest.Main).
func TestMain(m *testing.M) { storagetest.Main(m) }
