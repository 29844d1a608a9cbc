package bot

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error so that one function can turn it into a reply.
type Code string

const (
	EInvalid   Code = "invalid"
	ENotFound  Code = "not_found"
	EForbidden Code = "forbidden"
	EConflict  Code = "conflict"
	EInternal  Code = "internal"
)

// ErrNotFound is returned (wrapped) when something asked for does not exist.
// Storage wraps it, so callers test errors.Is(err, bot.ErrNotFound) or
// bot.ErrorCode(err) == bot.ENotFound without importing storage.
var ErrNotFound = &Error{Code: ENotFound, Message: "not found"}

// ErrConflict is returned (wrapped) when a write would break a unique rule.
var ErrConflict = &Error{Code: EConflict, Message: "already exists"}

// Error is an application error whose Message is safe to show to a user.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an application error with a user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first application error in err's chain, or
// EInternal for anything else (a driver error, a bug).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// ErrorMessage returns what a user may read about err. Internal errors are never
// shown: their details go to the log only.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return "Something went wrong on our side; it has been logged. Please try again in a minute."
}

// ErrorReply is the one place an error becomes the message a user sees: short,
// polite, and private to the caller where the platform allows.
func ErrorReply(err error) Message {
	prefix := map[Code]string{
		EInvalid:   "That didn't work: ",
		ENotFound:  "Not found: ",
		EForbidden: "Not allowed: ",
		// Not "Already done": many conflicts are "not yet" (not in closeout, items open).
		EConflict: "Can't do that: ",
	}[ErrorCode(err)]
	return Message{Text: prefix + ErrorMessage(err), Ephemeral: true, IsError: true}
}

func asError(err error, target **Error) bool { return errors.As(err, target) }

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
