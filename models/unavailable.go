package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// ErrUnavailable: the database cannot be reached or did not answer in time (503,
// try again shortly). It wraps nothing; Unavailable recognises the drivers' errors.
var ErrUnavailable = errors.New("数据库暂时无法访问，请稍后重试")

// ErrDiskFull: the database's disk is full; nothing was saved (507).
var ErrDiskFull = errors.New("服务器磁盘空间已满，本次保存未完成，请联系管理员")

// Unavailable reports whether err means the database is away or too slow rather
// than that the request is wrong: a connection refused, reset or closed, PostgreSQL
// shutting down or starting, a request's deadline passed, SQLite still locked after
// its busy timeout, or a disk error. Such requests answer 503 with Retry-After.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P0x: shutting down, crash, cannot
		// connect now; 53300: too many connections; 57014: statement cancelled.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P0") ||
			pe.Code == "53300" || pe.Code == "57014"
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked ||
			se.Code == sqlite3.ErrIoErr || se.Code == sqlite3.ErrInterrupt
	}
	// pgx reports a connection lost mid-query in words only.
	msg := err.Error()
	for _, s := range []string{"conn closed", "connection refused", "connection reset", "broken pipe",
		"failed to connect", "server closed the connection", "database is locked"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// DiskFull reports whether err is SQLite's "database or disk is full" (or the
// operating system's "no space left on device").
func DiskFull(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) && se.Code == sqlite3.ErrFull {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "53100" {
		return true
	}
	return errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) ||
		err != nil && strings.Contains(err.Error(), "disk is full")
}
