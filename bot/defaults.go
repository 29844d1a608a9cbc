package bot

import (
	"log/slog"
	"time"
)

// The services (projects, timekeeping/nudge, sla, digest) may be built with
// no clock or logger, as tests and tools do; these are the one place their
// defaults are decided.

// NowOf reads c, or the system clock when c is nil.
func NowOf(c Clock) time.Time {
	if c == nil {
		return time.Now()
	}
	return c.Now()
}

// LoggerOr is l, or a logger that discards when l is nil.
func LoggerOr(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// TimeOrZero is *t, or the zero time when t is nil (a nullable column).
func TimeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
