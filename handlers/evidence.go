package handlers

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

func filesJSON(files []models.EvidenceFile) []map[string]any {
	out := make([]map[string]any, len(files))
	for i, f := range files {
		out[i] = map[string]any{"id": f.ID, "name": f.OriginalName, "content_type": f.ContentType, "size": f.Size,
			"sha256": f.SHA256, "url": "/api/v1/files/" + strconv.FormatUint(uint64(f.ID), 10)}
	}
	return out
}

// readUpload reads the multipart field "file", at most one byte over the limit.
func readUpload(c echo.Context) (string, []byte, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		return "", nil, models.Invalid("file", "请选择要上传的文件")
	}
	if fh.Size > models.MaxEvidenceBytes {
		return "", nil, models.Invalid("file", "文件超过 10 MB")
	}
	f, err := fh.Open()
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, models.MaxEvidenceBytes+1))
	if err != nil {
		return "", nil, err
	}
	return fh.Filename, data, nil
}

// upload attaches the uploaded file to a report's or a workshop's open draft.
func (h *Handler) upload(c echo.Context) (*models.EvidenceFile, error) {
	a := actorOf(c)
	if c.Param("id") != "" {
		id, err := pathID(c)
		if err != nil {
			return nil, err
		}
		if _, err := models.GetWorkshop(h.db(c), a, id); err != nil {
			return nil, err
		}
		name, data, err := readUpload(c)
		if err != nil {
			return nil, err
		}
		return models.AddWorkshopEvidence(h.db(c), a, h.FilesDir, id, name, data)
	}
	year, err := pathYear(c)
	if err != nil {
		return nil, err
	}
	if _, err := a.FindVillage(h.db(c), c.Param("code")); err != nil {
		return nil, err
	}
	name, data, err := readUpload(c)
	if err != nil {
		return nil, err
	}
	return models.AddReportEvidence(h.db(c), a, h.FilesDir, c.Param("code"), year, name, data)
}

// APIUpload is POST …/reports/:year/files and /workshops/:id/files (multipart "file").
func (h *Handler) APIUpload(c echo.Context) error {
	f, err := h.upload(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, filesJSON([]models.EvidenceFile{*f})[0])
}

// PageUpload is the page form's upload; it returns to the page it came from.
func (h *Handler) PageUpload(c echo.Context) error {
	back := "/workshops/" + c.Param("id")
	if c.Param("id") == "" {
		back = "/villages/" + c.Param("code") + "/reports/" + c.Param("year")
	}
	if _, err := h.upload(c); err != nil {
		status, body := classify(err)
		if status == http.StatusUnprocessableEntity || status == http.StatusConflict {
			msg := body.Message
			if m, ok := body.Fields["file"]; ok {
				msg = m
			}
			return redirectFlash(c, back, "!上传失败："+msg)
		}
		return err
	}
	return redirectFlash(c, back, "凭据已上传")
}

// FileDownload is GET /files/:id and /api/v1/files/:id: only for users whose scope
// includes the village; always a download, with the original name.
func (h *Handler) FileDownload(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, err := models.GetEvidence(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	fh, err := os.Open(models.EvidencePath(h.FilesDir, f))
	if err != nil {
		return fmt.Errorf("evidence %d: %w", f.ID, err)
	}
	defer fh.Close()
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="evidence-%d"; filename*=UTF-8''%s`, f.ID, url.PathEscape(f.OriginalName)))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Stream(http.StatusOK, f.ContentType, fh)
}
