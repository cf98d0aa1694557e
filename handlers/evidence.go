package handlers

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"cunji/models"

	"github.com/labstack/echo/v4"
)

func filesJSON(files []models.EvidenceFile) []map[string]any {
	out := make([]map[string]any, len(files))
	for i, f := range files {
		out[i] = map[string]any{"id": f.ID, "name": f.DisplayName(), "content_type": f.ContentType, "size": f.Size,
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
func (h *Handler) upload(c echo.Context) (*models.EvidenceFile, *models.EvidenceUsage, error) {
	a := actorOf(c)
	if c.Param("id") != "" {
		id, err := pathID(c)
		if err != nil {
			return nil, nil, err
		}
		if _, err := models.GetWorkshop(h.db(c), a, id); err != nil {
			return nil, nil, err
		}
		name, data, err := readUpload(c)
		if err != nil {
			return nil, nil, err
		}
		return models.AddWorkshopEvidence(h.db(c), a, h.FilesDir, h.EvidenceLimits, id, name, data)
	}
	year, err := pathYear(c)
	if err != nil {
		return nil, nil, err
	}
	name, data, err := readUpload(c)
	if err != nil {
		return nil, nil, h.outOfScope(c, c.Param("code"), err)
	}
	return models.AddReportEvidence(h.db(c), a, h.FilesDir, h.EvidenceLimits, c.Param("code"), year, name, data)
}

// APIUpload is POST …/reports/:year/files and /workshops/:id/files (multipart "file").
// The answer carries the quotas' usage with the new file counted.
func (h *Handler) APIUpload(c echo.Context) error {
	f, u, err := h.upload(c)
	if err != nil {
		return err
	}
	out := filesJSON([]models.EvidenceFile{*f})[0]
	out["usage"] = u.JSON()
	return c.JSON(http.StatusCreated, out)
}

// PageUpload is the page form's upload; it returns to the page it came from.
func (h *Handler) PageUpload(c echo.Context) error {
	back := "/workshops/" + c.Param("id")
	if c.Param("id") == "" {
		back = "/villages/" + c.Param("code") + "/reports/" + c.Param("year")
	}
	_, u, err := h.upload(c)
	return uploadedBack(c, back, u, err)
}

// uploadedBack returns a page's upload to the page it came from, saying how much
// room is left, or why the file was refused (a refusal of the file itself is a
// flash, any other error goes to the error handler).
func uploadedBack(c echo.Context, back string, u *models.EvidenceUsage, err error) error {
	if err != nil {
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
	return redirectFlash(c, back, "凭据已上传。"+u.Text())
}

// FileDownload is GET /files/:id and /api/v1/files/:id: only for users whose scope
// includes the village; always a download, under a name the server derives, with
// the type detected at upload.
func (h *Handler) FileDownload(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	f, err := models.GetEvidence(h.db(c), actorOf(c), id)
	if err != nil {
		return err
	}
	fh, err := os.Open(models.EvidencePath(h.FilesDir, &f.EvidenceFile))
	if err != nil {
		return fmt.Errorf("evidence %d: %w", f.ID, err)
	}
	defer fh.Close()
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentDisposition, attachment(f.FileNames()))
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("X-Content-Type-Options", "nosniff")
	return c.Stream(http.StatusOK, f.ServedType(), fh)
}

// attachment is a Content-Disposition that downloads under name (RFC 6266, the
// UTF-8 name in filename* per RFC 5987) with an ASCII fallback for old clients.
func attachment(name, ascii string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		// RFC 5987 attr-char; everything else percent-encoded.
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + b.String()
}
