package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// titleJSON is the API form of a title register entry; dates are YYYY-MM-DD
// (Asia/Shanghai).
func titleJSON(e models.TitleEntry) map[string]any {
	out := map[string]any{"id": e.ID, "village_code": e.VillageCode, "kind": e.Kind, "title": e.Title,
		"level": e.Level, "year": e.Year, "document_no": e.DocumentNo, "migrated": e.Migrated,
		"recorded_at": e.RecordedAt, "recorded_by": e.RecordedBy}
	day := e.On.In(models.Shanghai).Format("2006-01-02")
	if e.Kind == models.TitleRevoked {
		out["revokes_id"], out["revoked_on"], out["reason"] = e.RevokesID, day, e.Reason
	} else {
		out["named_on"] = day
	}
	return out
}

// APITitleList is GET /api/v1/titles?village=&title=&year=: the register entries of
// the caller's villages.
func (h *Handler) APITitleList(c echo.Context) error {
	year, err := queryInt(c, "year", 0)
	if err != nil {
		return err
	}
	es, err := models.ListTitles(h.db(c), actorOf(c), models.TitleFilter{Village: c.QueryParam("village"), Title: c.QueryParam("title"), Year: year})
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(es))
	for i, e := range es {
		out[i] = titleJSON(e)
	}
	return c.JSON(http.StatusOK, map[string]any{"titles": out})
}

// APITitleCreate is POST /api/v1/titles {"village_code","title","level","year",
// "named_on","document_no"} (district): a naming.
func (h *Handler) APITitleCreate(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := models.TitleInput{NamedOn: dateField(b, "named_on")}
	if s := b.str("village_code"); s != nil {
		in.VillageCode = *s
	}
	if s := b.str("title"); s != nil {
		in.Title = *s
	}
	if n := b.small("level", 0, 3); n != nil {
		in.Level = *n
	}
	if n := b.small("year", 2000, 2100); n != nil {
		in.Year = *n
	}
	if s := b.str("document_no"); s != nil {
		in.DocumentNo = *s
	}
	if err := b.err(); err != nil {
		return err
	}
	e, err := models.NameTitle(h.db(c), actorOf(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, titleJSON(*e))
}

// APITitleRevoke is POST /api/v1/titles/:id/revoke {"revoked_on","reason"}
// (district): a later entry revoking the naming.
func (h *Handler) APITitleRevoke(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	on := dateField(b, "revoked_on")
	reason := ""
	if s := b.str("reason"); s != nil {
		reason = *s
	}
	if err := b.err(); err != nil {
		return err
	}
	e, err := models.RevokeTitle(h.db(c), actorOf(c), id, on, reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, titleJSON(*e))
}
