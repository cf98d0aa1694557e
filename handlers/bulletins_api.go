package handlers

import (
	"net/http"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

// bulletinJSON is a kept bulletin with its frozen document (when loaded).
type bulletinJSON struct {
	models.Bulletin
	Document *models.Document `json:"document,omitempty"`
}

// APIBulletinList is GET /api/v1/bulletins: the kept bulletins the caller may read,
// newest first, without their documents.
func (h *Handler) APIBulletinList(c echo.Context) error {
	list, err := models.ListBulletins(h.db(c), actorOf(c))
	if err != nil {
		return err
	}
	if list == nil {
		list = []models.Bulletin{}
	}
	return c.JSON(http.StatusOK, map[string]any{"bulletins": list})
}

// APIBulletinIssue is POST /api/v1/bulletins {"year","street","as_of","issuer",
// "document_no","issued_on"} (district): issues and keeps the 通报.
func (h *Handler) APIBulletinIssue(c echo.Context) error {
	m, err := decodeObject(c.Request().Body, false)
	if err != nil {
		return err
	}
	b := newBinder(m)
	in := models.BulletinInput{Issuer: b.text("issuer"), DocumentNo: b.text("document_no"), IssuedOn: b.text("issued_on"), Street: b.text("street")}
	if n := b.small("year", 2000, 2100); n != nil {
		in.Year = *n
	} else {
		b.v.Add("year", "请填写年度")
	}
	if _, ok := b.raw("as_of"); ok {
		in.AsOf = b.time("as_of")
	}
	if err := b.err(); err != nil {
		return err
	}
	kept, err := models.IssueBulletin(h.db(c), actorOf(c), in)
	if err != nil {
		return err
	}
	d, err := kept.Document()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, bulletinJSON{Bulletin: *kept, Document: d})
}

// APIBulletinShow is GET /api/v1/bulletins/:id: a kept bulletin with its document.
func (h *Handler) APIBulletinShow(c echo.Context) error {
	b, d, err := h.keptBulletin(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bulletinJSON{Bulletin: *b, Document: d})
}
