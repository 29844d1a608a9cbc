package intake

import (
	"sync"
	"sync/atomic"
)

// waiter is the platform handler waiting for a row's reply. Offer and abandon
// race; the mutex makes exactly one of them win.
type waiter struct {
	mu        sync.Mutex
	abandoned bool
	// takenElsewhere: this waiter's task found its row held by another worker.
	takenElsewhere atomic.Bool
	reply          chan any
	fin            chan struct{}
}

func (w *waiter) offer(v any) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.abandoned {
		return false
	}
	w.abandoned = true // one reply per delivery
	w.reply <- v
	return true
}

// abandon stops waiting; a reply offered before that is returned.
func (w *waiter) abandon() (any, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.abandoned = true
	select {
	case v := <-w.reply:
		return v, true
	default:
		return nil, false
	}
}
