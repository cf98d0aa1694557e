package handlers

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http/httptest"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

// A PDF that is also an HTML page and an HTA script.
var polyglot = []byte("%PDF-1.4\n<html><hta:application/><script>alert(document.cookie)</script></html>\n%%EOF\n")

var jpegBytes = []byte("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01")

// Evidence is served under a name the server derives, with the extension and type
// of its content; the uploader's name is only display text, without control or
// direction characters.
func TestEvidenceNames(t *testing.T) {
	en := newEnv(t)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	api := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025/files"
	cases := []struct {
		upload, display, ctype, ext string
		data                        []byte
	}{
		{"poc.hta", "poc.hta", "application/pdf", ".pdf", polyglot},
		{"poc.bat", "poc.bat", "application/pdf", ".pdf", polyglot},
		{"polyglot.html", "polyglot.html", "application/pdf", ".pdf", polyglot},
		{"invoice\u202Efdp.exe", "invoicefdp.exe", "application/pdf", ".pdf", polyglot},
		{"\u2066a\u2069\u200Eb\u200F\u202Ac\u202C\u061C\uFEFF\u200Bd\u2028.pdf", "abcd.pdf", "application/pdf", ".pdf", pdfBytes},
		{"photo.png", "photo.png", "image/jpeg", ".jpg", jpegBytes},
		{"扫描件.pdf", "扫描件.pdf", "image/png", ".png", pngBytes},
	}
	for _, c := range cases {
		t.Run(c.upload, func(t *testing.T) {
			rec := en.upload(api, en.token("v1"), c.upload, c.data, false)
			if rec.Code != 201 {
				t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
			}
			var f struct {
				ID          uint
				Name        string
				ContentType string `json:"content_type"`
			}
			json.Unmarshal(rec.Body.Bytes(), &f)
			if f.Name != c.display || f.ContentType != c.ctype {
				t.Fatalf("answered name %q type %q, want %q %q", f.Name, f.ContentType, c.display, c.ctype)
			}
			for _, path := range []string{fmt.Sprintf("/api/v1/files/%d", f.ID), fmt.Sprintf("/files/%d", f.ID)} {
				rec = en.page("GET", path, en.token("s1"), nil, false)
				if strings.HasPrefix(path, "/api/") {
					req := httptest.NewRequest("GET", path, nil)
					req.Header.Set("Authorization", "Bearer "+en.token("s1"))
					rec = httptest.NewRecorder()
					en.e.ServeHTTP(rec, req)
				}
				h := rec.Header()
				if rec.Code != 200 || h.Get("Content-Type") != c.ctype || h.Get("X-Content-Type-Options") != "nosniff" {
					t.Fatalf("%s: %d %q", path, rec.Code, h.Get("Content-Type"))
				}
				cd := h.Get("Content-Disposition")
				disp, params, err := mime.ParseMediaType(cd)
				ascii := fmt.Sprintf("evidence-%s-2025-%d%s", seeds.FixA1, f.ID, c.ext)
				utf := fmt.Sprintf("凭据-甲村-2025-%d%s", f.ID, c.ext)
				// Go's parser prefers filename* and drops filename; both must be there.
				if err != nil || disp != "attachment" || params["filename"] != utf || !strings.Contains(cd, `filename="`+ascii+`"`) {
					t.Fatalf("%s: Content-Disposition %q (%v %v)", path, cd, params, err)
				}
			}
		})
	}
	// The page shows the display names, escaped, and never the raw direction override.
	html := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), nil, false).Body.String()
	if !strings.Contains(html, "invoicefdp.exe") || strings.ContainsAny(html, "\u202E\u2066\u200F\u061C") {
		t.Fatal("the report page shows a name with direction characters, or not at all")
	}
	// A name stored before this rule is cleaned when shown.
	en.db.Model(&models.EvidenceFile{}).Where("id = 1").Update("original_name", "x\u202Egpj.hta")
	en.moveRevision()
	html = en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", en.token("v1"), nil, false).Body.String()
	if strings.Contains(html, "\u202E") || !strings.Contains(html, "xgpj.hta") {
		t.Fatal("an old name is shown with its direction override")
	}
}
