package models

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Typed errors that the handlers map to HTTP status codes (docs/openapi.json).
var (
	// ErrNotFound: absent, or outside the caller's scope (404).
	ErrNotFound = errors.New("对象不存在或不在您的权限范围内")
	// ErrForbidden: the caller's role may not take this action (403).
	ErrForbidden = errors.New("您的角色无权执行此操作")
	// ErrUnauthorized: not logged in, or the credentials are wrong (401).
	ErrUnauthorized = errors.New("未登录或登录已失效")
)

// ConflictError is a stale version or a wrong state (409).
type ConflictError struct{ Message string }

func (e *ConflictError) Error() string { return e.Message }

// Conflict builds a ConflictError.
func Conflict(msg string) error { return &ConflictError{Message: msg} }

// ValidationError collects field messages in Chinese (422).
type ValidationError struct {
	Fields map[string]string
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, m := range e.Fields {
		parts = append(parts, m)
	}
	return "输入有误：" + strings.Join(parts, "；")
}

// Add records a message for a field, keeping the first one.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Merge adds the fields of err when it is a ValidationError (keeping the messages
// already there), and reports whether it was one or nil.
func (e *ValidationError) Merge(err error) bool {
	var v *ValidationError
	if err == nil {
		return true
	}
	if !errors.As(err, &v) {
		return false
	}
	for k, m := range v.Fields {
		e.Add(k, m)
	}
	return true
}

// Err returns the error when any field failed, else nil.
func (e *ValidationError) Err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid is a one-field ValidationError.
func Invalid(field, msg string) error {
	v := &ValidationError{}
	v.Add(field, msg)
	return v
}

// BadText reports whether text cannot be stored as typed: invalid UTF-8, or control
// characters other than tab and line breaks (PostgreSQL refuses NUL outright).
func BadText(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return true
		}
	}
	return false
}
