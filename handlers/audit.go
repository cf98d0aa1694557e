package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

func auditFilter(c echo.Context) (models.AuditFilter, error) {
	f := models.AuditFilter{VillageCode: c.QueryParam("village"), Action: c.QueryParam("action")}
	var err error
	if f.Limit, err = queryInt(c, "limit", 100); err != nil {
		return f, err
	}
	if f.Offset, err = queryInt(c, "offset", 0); err != nil {
		return f, err
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	return f, nil
}

type auditPage struct {
	Entries []models.AuditEntry
	Total   int64
	Village string
	Next    int
}

// AuditShow is GET /audit: the audit log within the caller's scope.
func (h *Handler) AuditShow(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, total, err := models.ListAudit(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	p := auditPage{Entries: entries, Total: total, Village: f.VillageCode}
	if int64(f.Offset+len(entries)) < total {
		p.Next = f.Offset + len(entries)
	}
	return h.render(c, http.StatusOK, "audit", "审计日志", p, nil)
}
