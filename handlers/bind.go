package handlers

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// binder reads optional fields out of a JSON object, collecting a Chinese message
// per unusable field, so that the answer is one 422 naming them all.
type binder struct {
	m map[string]json.RawMessage
	v *models.ValidationError
}

func newBinder(m map[string]json.RawMessage) *binder {
	return &binder{m: m, v: &models.ValidationError{}}
}

func (b *binder) raw(key string) (json.RawMessage, bool) {
	r, ok := b.m[key]
	if !ok || string(bytes.TrimSpace(r)) == "null" {
		return nil, false
	}
	return r, true
}

// str reads a text field.
func (b *binder) str(key string) *string {
	r, ok := b.raw(key)
	if !ok {
		return nil
	}
	var s string
	if json.Unmarshal(r, &s) != nil {
		b.v.Add(key, "须为文字")
		return nil
	}
	return &s
}

// text reads a text field, "" when it is absent.
func (b *binder) text(key string) string {
	if s := b.str(key); s != nil {
		return *s
	}
	return ""
}

// int reads an integer field within [min, max].
func (b *binder) int(key string, min, max int64) *int64 {
	r, ok := b.raw(key)
	if !ok {
		return nil
	}
	n, ok := jsonInt(r)
	if !ok || n < min || n > max {
		b.v.Add(key, "须为整数，且在合理范围内")
		return nil
	}
	return &n
}

// whole reads an integer field, converting only: its rules are the model's
// (Validate), so that a form, the API and an import say the same.
func (b *binder) whole(key string) *int64 { return b.int(key, math.MinInt64, math.MaxInt64) }

// count reads an integer field as an int, converting only (see whole).
func (b *binder) count(key string) *int { return b.small(key, math.MinInt32, math.MaxInt32) }

// small reads an int field within [min, max] as an int.
func (b *binder) small(key string, min, max int64) *int {
	n := b.int(key, min, max)
	if n == nil {
		return nil
	}
	v := int(*n)
	return &v
}

// boolean reads a true/false field.
func (b *binder) boolean(key string) *bool {
	r, ok := b.raw(key)
	if !ok {
		return nil
	}
	var v bool
	if json.Unmarshal(r, &v) != nil {
		b.v.Add(key, "须为 true 或 false")
		return nil
	}
	return &v
}

// list reads an array of objects.
func (b *binder) list(key string) []map[string]json.RawMessage {
	r, ok := b.raw(key)
	if !ok {
		return nil
	}
	var out []map[string]json.RawMessage
	if json.Unmarshal(r, &out) != nil {
		b.v.Add(key, "须为对象数组")
		return nil
	}
	return out
}

// time reads a required RFC 3339 time.
func (b *binder) time(key string) time.Time {
	var s string
	r, ok := b.raw(key)
	if ok && json.Unmarshal(r, &s) == nil {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
	}
	b.v.Add(key, "须为 RFC 3339 时间")
	return time.Time{}
}

func (b *binder) err() error { return b.v.Err() }

// parseShare reads a share given as a percentage with up to 4 decimals (a JSON
// number or text) into millionths, exactly.
func parseShare(s string) (int64, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(strings.Trim(s, `"`)), "%")
	v, err := models.ParseWan(s) // value × 10^6
	if err != nil || v%100 != 0 || v <= 0 || v/100 > models.ShareWhole {
		return 0, false
	}
	return v / 100, true
}

// scopedBody reads the :id of an object, checks it is in the caller's scope (404
// otherwise, before the body is even read) and binds the JSON body.
func scopedBody(c echo.Context, inScope func(uint) error, allowEmpty bool) (uint, *binder, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, nil, err
	}
	if err := inScope(id); err != nil {
		return 0, nil, err
	}
	m, err := decodeObject(c.Request().Body, allowEmpty)
	if err != nil {
		return 0, nil, err
	}
	return id, newBinder(m), nil
}

// decodeObject reads a JSON object into raw fields: 400 when the body is not one.
func decodeObject(body io.Reader, allowEmpty bool) (map[string]json.RawMessage, error) {
	// JSON bodies are small; files come as multipart on their own routes.
	b, err := io.ReadAll(io.LimitReader(body, 1<<20+1))
	if len(b) > 1<<20 {
		return nil, badRequest("请求体超过 1 MB")
	}
	if err != nil {
		return nil, badRequest("无法读取请求体")
	}
	if allowEmpty && len(bytes.TrimSpace(b)) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, badRequest("请求体须为 JSON 对象")
	}
	return m, nil
}

// jsonInt parses a JSON integer, refusing fractions, exponents, strings and overflow.
func jsonInt(raw json.RawMessage) (int64, bool) {
	s := string(bytes.TrimSpace(raw))
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// versionField reads an optional "version" field.
func versionField(m map[string]json.RawMessage) (*int, error) {
	raw, ok := m["version"]
	if !ok || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	n, ok := jsonInt(raw)
	if !ok || n < 0 || n > 1<<31 {
		return nil, models.Invalid("version", "版本号须为非负整数")
	}
	v := int(n)
	return &v, nil
}

// dateField reads a date: YYYY-MM-DD (Asia/Shanghai) or an RFC 3339 instant.
func dateField(b *binder, key string) time.Time {
	var s string
	if r, ok := b.raw(key); ok && json.Unmarshal(r, &s) == nil {
		if t, err := time.ParseInLocation("2006-01-02", s, models.Shanghai); err == nil {
			return t
		}
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
	}
	b.v.Add(key, "须为日期，如 2025-12-01")
	return time.Time{}
}

// optDate reads an optional date (YYYY-MM-DD, Asia/Shanghai): nil when absent.
func optDate(b *binder, key string) *time.Time {
	if _, ok := b.raw(key); !ok {
		return nil
	}
	t := dateField(b, key)
	if t.IsZero() {
		return nil
	}
	return &t
}
