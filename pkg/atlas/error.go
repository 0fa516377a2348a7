package atlas

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the api package and to one
// exit status in the command; nothing else needs to know more kinds.
const (
	EINVALID  = "invalid"   // the input is wrong; the message says what and where
	ENOTFOUND = "not_found" // the thing does not exist (or the caller may not know it does)
	ECONFLICT = "conflict"  // the input is valid but contradicts the stored state
	ETOOLARGE = "too_large" // the input exceeds a configured limit
	EINTERNAL = "internal"  // a bug or an outage; the message is not for the client
	// EUNAUTHORIZED: no valid credentials; EFORBIDDEN: valid ones that do
	// not allow the action. (Indicators a caller may not see are ENOTFOUND.)
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
)

// Error is an error with a code and a message that is safe to show to users.
// Internal errors carry their cause in Err, which is logged, never shown.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internalf wraps an unexpected error; its text is kept from clients.
func Internalf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return err // already a user-facing error: keep its code
	}
	return &Error{Code: EINTERNAL, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of err, EINTERNAL for errors without one and ""
// for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the user-facing message of err. Internal errors yield
// a generic text so that no internal detail leaves the server.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "internal error"
}
