package handlers

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// APIError is the body of every API error (docs/openapi.json: Error).
type APIError struct {
	Error APIErrorBody `json:"error"`
}

// APIErrorBody carries a code, a Chinese message and the fields in error.
type APIErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// classify maps an error to its status, code and message.
func classify(err error) (int, APIErrorBody) {
	var ve *models.ValidationError
	var ce *models.ConflictError
	var he *echo.HTTPError
	var te *models.ThrottledError
	switch {
	case models.DiskFull(err):
		return http.StatusInsufficientStorage, APIErrorBody{"disk_full", models.ErrDiskFull.Error(), nil}
	case models.Unavailable(err):
		return http.StatusServiceUnavailable, APIErrorBody{"unavailable", models.ErrUnavailable.Error(), nil}
	case errors.As(err, &te):
		return http.StatusTooManyRequests, APIErrorBody{"too_many_attempts", te.Error(), nil}
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, APIErrorBody{"invalid", ve.Error(), ve.Fields}
	case errors.As(err, &ce):
		return http.StatusConflict, APIErrorBody{"conflict", ce.Message, nil}
	case errors.Is(err, models.ErrNotFound):
		return http.StatusNotFound, APIErrorBody{"not_found", err.Error(), nil}
	case errors.Is(err, models.ErrForbidden):
		return http.StatusForbidden, APIErrorBody{"forbidden", err.Error(), nil}
	case errors.Is(err, models.ErrUnauthorized):
		return http.StatusUnauthorized, APIErrorBody{"unauthorized", err.Error(), nil}
	case errors.As(err, &he):
		return he.Code, httpErrorBody(he)
	}
	return http.StatusInternalServerError, APIErrorBody{"internal", "服务器内部错误，请稍后重试", nil}
}

func httpErrorBody(he *echo.HTTPError) APIErrorBody {
	msg, _ := he.Message.(string)
	switch he.Code {
	case http.StatusNotFound:
		return APIErrorBody{"not_found", "页面或对象不存在", nil}
	case http.StatusMethodNotAllowed:
		return APIErrorBody{"method_not_allowed", "不支持此请求方法", nil}
	case http.StatusRequestEntityTooLarge:
		return APIErrorBody{"too_large", "请求内容过大", nil}
	case http.StatusUnauthorized:
		return APIErrorBody{"unauthorized", "未登录或登录已失效", nil}
	case http.StatusForbidden:
		if msg == "" {
			msg = "您的角色无权执行此操作"
		}
		return APIErrorBody{"forbidden", msg, nil}
	case http.StatusBadRequest:
		if msg == "" || !isChinese(msg) {
			msg = "请求格式错误"
		}
		return APIErrorBody{"bad_request", msg, nil}
	}
	return APIErrorBody{"error", http.StatusText(he.Code), nil}
}

func isChinese(s string) bool {
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// badRequest is a 400 with a Chinese message.
func badRequest(msg string) error { return echo.NewHTTPError(http.StatusBadRequest, msg) }

// errorHandler answers every unhandled error: JSON on the API, a Chinese page elsewhere.
func (h *Handler) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := classify(err)
	if status == http.StatusServiceUnavailable || status == http.StatusInsufficientStorage {
		c.Response().Header().Set("Retry-After", RetryAfterSeconds)
	}
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		_ = c.JSON(status, APIError{Error: body})
		return
	}
	if status == http.StatusUnauthorized {
		h.toLogin(c)
		return
	}
	title := map[int]string{400: "请求有误", 401: "请先登录", 403: "无权操作", 404: "未找到",
		409: "操作冲突", 422: "输入有误", 500: "服务器错误", 503: "服务暂时不可用", 507: "磁盘空间已满"}[status]
	if title == "" {
		title = "出错了"
	}
	if rerr := h.render(c, status, "error", title, body.Message, nil); rerr != nil {
		h.logger().Error("error page", "error", rerr.Error())
		_ = c.String(status, body.Message)
	}
}

func encodeFlash(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodeFlash(s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}
