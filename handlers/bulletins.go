package handlers

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cunji/models"
	"cunji/views"

	"github.com/labstack/echo/v4"
)

// bulletinPage is the data of the 通报 page: a preview composed now (with the form
// that issues it), or a kept one as it was issued.
type bulletinPage struct {
	Doc      *models.Document
	Kept     *models.Bulletin
	Year     int
	Street   string
	AsOf     time.Time
	Years    yearsView
	Streets  []models.Street
	District bool
	Form     bulletinForm
	// Query is the previewed year, street and as_of for the issuing form (a
	// template.URL: html/template would escape its = and & after a literal "?").
	Query template.URL
}

// bulletinForm is what the district enters to issue the 通报.
type bulletinForm struct {
	Issuer, DocumentNo, IssuedOn string
}

func (h *Handler) bulletinPreview(c echo.Context, form bulletinForm) (*bulletinPage, error) {
	year, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return nil, err
	}
	a := actorOf(c)
	p := &bulletinPage{Year: year, Street: street, AsOf: asOf, District: a.Role == models.RoleDistrict, Form: form}
	if p.Doc, err = models.ComposeBulletin(h.db(c), a, street, year, asOf); err != nil {
		return nil, err
	}
	if p.Years, err = h.yearsView(c, year, asOf); err != nil {
		return nil, err
	}
	if p.Streets, err = models.ListStreets(h.db(c), a); err != nil {
		return nil, err
	}
	q := url.Values{"year": {strconv.Itoa(year)}, "as_of": {asOf.Format(time.RFC3339Nano)}}
	if street != "" {
		q.Set("street", street)
	}
	p.Query = template.URL(q.Encode())
	if p.Form.Issuer == "" && p.District {
		p.Form.Issuer = p.Doc.ScopeName + "农业农村局"
	}
	if p.Form.IssuedOn == "" {
		p.Form.IssuedOn = time.Now().In(models.Shanghai).Format("2006-01-02")
	}
	return p, nil
}

// BulletinShow is GET /bulletin: the 通报 composed now (a preview, reproducible from
// its as_of), with the form that issues it for the district.
func (h *Handler) BulletinShow(c echo.Context) error {
	p, err := h.bulletinPreview(c, bulletinForm{})
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "bulletin", p.Doc.Title, p, nil)
}

// BulletinIssue is POST /bulletins: the district issues the 通报 of the year as of
// the preview's instant, with its 发文机关, 文号 and date; it is kept from then on.
func (h *Handler) BulletinIssue(c echo.Context) error {
	form := bulletinForm{Issuer: c.FormValue("issuer"), DocumentNo: c.FormValue("document_no"), IssuedOn: c.FormValue("issued_on")}
	year, street, asOf, err := h.rollupParams(c)
	if err != nil {
		return err
	}
	b, err := models.IssueBulletin(h.db(c), actorOf(c), models.BulletinInput{Street: street, Year: year, AsOf: asOf,
		Issuer: form.Issuer, DocumentNo: form.DocumentNo, IssuedOn: form.IssuedOn})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		p, perr := h.bulletinPreview(c, form)
		if perr != nil {
			return perr
		}
		return h.render(c, http.StatusUnprocessableEntity, "bulletin", p.Doc.Title, p, ve.Fields)
	}
	if err != nil {
		return err
	}
	return redirectFlash(c, fmt.Sprintf("/bulletins/%d", b.ID), "通报已印发并存档："+b.DocumentNo)
}

// BulletinList is GET /bulletins: the kept bulletins the caller may read.
func (h *Handler) BulletinList(c echo.Context) error {
	list, err := models.ListBulletins(h.db(c), actorOf(c))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "bulletins", "已印发的通报", list, nil)
}

func (h *Handler) keptBulletin(c echo.Context) (*models.Bulletin, *models.Document, error) {
	id, err := pathID(c)
	if err != nil {
		return nil, nil, err
	}
	b, err := models.GetBulletin(h.db(c), actorOf(c), id)
	if err != nil {
		return nil, nil, err
	}
	d, err := b.Document()
	return b, d, err
}

// BulletinKept is GET /bulletins/:id: a kept 通报, as it was issued.
func (h *Handler) BulletinKept(c echo.Context) error {
	b, d, err := h.keptBulletin(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "bulletin", d.Title, &bulletinPage{Doc: d, Kept: b, Year: b.Year, AsOf: b.AsOf}, nil)
}

// BulletinPDF is GET /bulletins/:id/pdf (and the API's): the kept 通报 as a PDF.
func (h *Handler) BulletinPDF(c echo.Context) error {
	return h.sendBulletin(c, "pdf", "application/pdf", views.WriteDocumentPDF)
}

// BulletinDOCX is GET /bulletins/:id/docx (and the API's): the kept 通报 as an
// editable Word document.
func (h *Handler) BulletinDOCX(c echo.Context) error {
	return h.sendBulletin(c, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", views.WriteDocumentDOCX)
}

func (h *Handler) sendBulletin(c echo.Context, ext, ctype string, write func(io.Writer, *models.Document, time.Time) error) error {
	b, d, err := h.keptBulletin(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(&buf, d, b.IssuedAt); err != nil {
		return err
	}
	name := fmt.Sprintf("通报-%s-%d.%s", b.DocumentNo, b.ID, ext)
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="bulletin-%d.%s"; filename*=UTF-8''%s`, b.ID, ext, url.PathEscape(name)))
	return c.Blob(http.StatusOK, ctype, buf.Bytes())
}
