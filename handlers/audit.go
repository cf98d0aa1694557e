package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// auditFilter reads the audit log's filters: village, actor (username), action,
// from and to (dates, Beijing time, both included), limit and offset.
func auditFilter(c echo.Context) (models.AuditFilter, error) {
	f := models.AuditFilter{VillageCode: c.QueryParam("village"), Action: c.QueryParam("action"),
		Actor: strings.TrimSpace(c.QueryParam("actor"))}
	var err error
	if f.Limit, err = queryInt(c, "limit", 100); err != nil {
		return f, err
	}
	if f.Limit < 1 {
		f.Limit = 100
	}
	if f.Offset, err = queryInt(c, "offset", 0); err != nil {
		return f, err
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
		days int
	}{{"from", &f.From, 0}, {"to", &f.To, 1}} {
		s := c.QueryParam(d.name)
		if s == "" {
			continue
		}
		t, err := time.ParseInLocation(time.DateOnly, s, models.Shanghai)
		if err != nil {
			return f, models.Invalid(d.name, "日期格式须为 2026-12-01")
		}
		*d.dst = t.AddDate(0, 0, d.days)
	}
	return f, nil
}

type auditPage struct {
	Entries    []models.AuditRow
	Total      int64
	Filter     url.Values
	Scopes     []models.ScopeGroup
	Actions    any
	Next       string
	Export     string
	ExportXLSX string
}

// AuditShow is GET /audit: the audit log within the caller's scope, in Chinese,
// with its filters.
func (h *Handler) AuditShow(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, total, err := models.ListAudit(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	scopes, err := models.ScopeChoices(h.db(c), actorOf(c))
	if err != nil {
		return err
	}
	q := url.Values{}
	for _, k := range []string{"village", "actor", "action", "from", "to"} {
		if v := c.QueryParam(k); v != "" {
			q.Set(k, v)
		}
	}
	p := auditPage{Entries: entries, Total: total, Filter: q, Scopes: scopes, Actions: models.AuditActions}
	if int64(f.Offset+len(entries)) < total {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("offset", strconv.Itoa(f.Offset+len(entries)))
		p.Next = "/audit?" + next.Encode()
	}
	q.Set("format", "csv")
	p.Export = "/audit/export?" + q.Encode()
	q.Set("format", "xlsx")
	p.ExportXLSX = "/audit/export?" + q.Encode()
	return h.render(c, http.StatusOK, "audit", "审计日志", p, nil)
}

// AuditExport is GET /audit/export?format=csv|xlsx with the page's filters: the same
// Chinese columns, one row per changed field.
func (h *Handler) AuditExport(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = -1, 0
	entries, _, err := models.ListAudit(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format == "" {
		format = "csv"
	}
	return sendTable(c, auditTable(entries), format)
}

// auditTable is the audit log as a sheet, as people read it.
func auditTable(entries []models.AuditRow) *views.Table {
	t := &views.Table{Name: "audit", Title: "审计日志",
		Header: []string{"时间", "操作人", "角色", "来源地址", "操作", "对象", "村", "字段", "变更前", "变更后"}}
	for i := range entries {
		e := &entries[i]
		head := []any{views.When(e.At), e.ActorName, models.RoleName(e.ActorRole), e.IP, models.ActionLabel(e.Action),
			models.ObjectLabel(e.ObjectType) + " " + e.ObjectKey, e.VillageName}
		changes := e.Changes()
		if len(changes) == 0 {
			t.Rows = append(t.Rows, append(head, "", "", ""))
		}
		for _, ch := range changes {
			t.Rows = append(t.Rows, append(append([]any(nil), head...), ch.Field, ch.Before, ch.After))
		}
	}
	return t
}
