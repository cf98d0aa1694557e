package handlers

import (
	"net/http"
	"time"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// APIAudit is GET /api/v1/audit?village=&actor=&action=&from=&to=&limit=&offset=.
func (h *Handler) APIAudit(c echo.Context) error {
	f, err := auditFilter(c)
	if err != nil {
		return err
	}
	entries, total, err := models.ListAudit(h.db(c), actorOf(c), f)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(entries))
	for i, e := range entries {
		out[i] = map[string]any{"id": e.ID, "at": e.At.UTC().Format(time.RFC3339Nano), "actor": e.ActorName,
			"actor_role": e.ActorRole, "ip": e.IP, "action": e.Action, "object_type": e.ObjectType,
			"object_key": e.ObjectKey, "village_code": e.VillageCode, "street_code": e.StreetCode,
			"before": rawOrNull(e.Before), "after": rawOrNull(e.After)}
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out, "total": total})
}

// rawOrNull embeds stored JSON as it is.
func rawOrNull(s string) any {
	if s == "" {
		return nil
	}
	return jsonRaw(s)
}
