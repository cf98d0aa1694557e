package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"cunji/models"
	"cunji/seeds"
)

var (
	pdfBytes = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	exeBytes = []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
)

// upload posts a multipart file, with the bearer token or (page) the cookie and
// CSRF token.
func (en *env) upload(path, token, name string, data []byte, page bool) *httptest.ResponseRecorder {
	en.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if page {
		mw.WriteField("csrf", en.h.csrfToken(testCSRF, token))
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if page {
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: testCSRF})
		req.AddCookie(&http.Cookie{Name: tokenCookie, Value: token})
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	en.e.ServeHTTP(rec, req)
	return rec
}

func (en *env) storedFiles() int {
	entries, _ := os.ReadDir(en.h.FilesDir)
	return len(entries)
}

func TestEvidenceFiles(t *testing.T) {
	en := newEnv(t)
	if _, err := models.SaveDraft(en.db, en.actor("v1"), seeds.FixA1, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	api := "/api/v1/villages/" + seeds.FixA1 + "/reports/2025/files"
	rec := en.upload(api, en.token("v1"), `..\..\账册 "2025".pdf`, pdfBytes, false)
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
	}
	var f struct {
		ID          uint
		Name        string
		ContentType string `json:"content_type"`
	}
	json.Unmarshal(rec.Body.Bytes(), &f)
	if f.ContentType != "application/pdf" || strings.ContainsAny(f.Name, `\/"`) {
		t.Fatalf("stored as %+v", f)
	}
	refused := []struct {
		name, who, file string
		data            []byte
		status          int
	}{
		{"a renamed executable", "v1", "报表.pdf", exeBytes, 422},
		{"a text file", "v1", "a.png", []byte("hello"), 422},
		{"an empty file", "v1", "a.pdf", nil, 422},
		{"over 10 MB", "v1", "big.pdf", append(append([]byte{}, pdfBytes...), make([]byte, models.MaxEvidenceBytes)...), 422},
		{"another village's cadre", "v2", "a.pdf", pdfBytes, 404},
		{"another street's officer", "s2", "a.pdf", pdfBytes, 403},
		{"the street officer", "s1", "a.pdf", pdfBytes, 403},
	}
	for _, r := range refused {
		t.Run(r.name, func(t *testing.T) {
			before, files := en.state(), en.storedFiles()
			if rec := en.upload(api, en.token(r.who), r.file, r.data, false); rec.Code != r.status {
				t.Fatalf("%d, want %d: %s", rec.Code, r.status, rec.Body.String())
			}
			if en.state() != before || en.storedFiles() != files {
				t.Fatal("something was written")
			}
		})
	}
	// Downloads: only within scope, never inline, under a derived name (凭据-…; the
	// uploader's name is display text only).
	path := fmt.Sprintf("/api/v1/files/%d", f.ID)
	for who, want := range map[string]int{"v1": 200, "s1": 200, "d": 200, "v2": 404, "v4": 404, "s2": 404} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer "+en.token(who))
		rec := httptest.NewRecorder()
		en.e.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Fatalf("%s downloads: %d, want %d", who, rec.Code, want)
		}
		if want == 200 {
			cd := rec.Header().Get("Content-Disposition")
			if !bytes.Equal(rec.Body.Bytes(), pdfBytes) || !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "%E5%87%AD%E6%8D%AE-%E7%94%B2%E6%9D%91-2025-") {
				t.Fatalf("%s download: %q %q", who, cd, rec.Body.String())
			}
		}
	}
	if rec := en.page("GET", fmt.Sprintf("/files/%d", f.ID), en.token("s2"), nil, false); rec.Code != 404 {
		t.Fatalf("page download outside scope: %d", rec.Code)
	}
	// The stored name is not guessable from the original and nothing serves the folder.
	var stored models.EvidenceFile
	en.db.First(&stored, f.ID)
	if rec := en.page("GET", "/static/"+stored.StoredName, en.token("d"), nil, false); rec.Code != 404 {
		t.Fatalf("stored file served statically: %d", rec.Code)
	}
	// The default quota of files per version.
	for i := 2; i <= models.DefaultEvidencePerVersion; i++ {
		if rec := en.upload(api, en.token("v1"), "p.png", pngBytes, false); rec.Code != 201 {
			t.Fatalf("file %d: %d", i, rec.Code)
		}
	}
	if rec := en.upload(api, en.token("v1"), "p.png", pngBytes, false); rec.Code != 422 {
		t.Fatalf("one file over the quota: %d", rec.Code)
	}
	if en.storedFiles() != models.DefaultEvidencePerVersion {
		t.Fatalf("%d files stored", en.storedFiles())
	}
	// After submission the version takes no more files; the page form says why.
	models.Submit(en.db, en.actor("v1"), seeds.FixA2, 2025, nil)
	if _, err := models.SaveDraft(en.db, en.actor("v2"), seeds.FixA2, 2025, models.ReportInput{}); err != nil {
		t.Fatal(err)
	}
	models.Submit(en.db, en.actor("v2"), seeds.FixA2, 2025, nil)
	api2 := "/api/v1/villages/" + seeds.FixA2 + "/reports/2025/files"
	if rec := en.upload(api2, en.token("v2"), "a.pdf", pdfBytes, false); rec.Code != 409 {
		t.Fatalf("upload to a submitted version: %d", rec.Code)
	}
	page := "/villages/" + seeds.FixA2 + "/reports/2025/files"
	if rec := en.upload(page, en.token("v2"), "a.pdf", pdfBytes, true); rec.Code != 303 || !strings.Contains(rec.Header().Get("Set-Cookie"), "cunji_flash") {
		t.Fatalf("page upload to a submitted version: %d", rec.Code)
	}
	// The street officer sees the files beside the version under review.
	models.Submit(en.db, en.actor("v1"), seeds.FixA1, 2025, nil)
	html := en.page("GET", "/villages/"+seeds.FixA1+"/reports/2025", en.token("s1"), nil, false).Body.String()
	if !strings.Contains(html, fmt.Sprintf("/files/%d", f.ID)) {
		t.Fatal("the officer's review page does not link the evidence")
	}
}

func TestWorkshopAndCompanyAPI(t *testing.T) {
	en := newEnv(t)
	code, w := en.api("POST", "/api/v1/villages/"+seeds.FixA1+"/workshops", en.token("v1"),
		map[string]any{"name": "甲村<b>竹编</b>工坊", "type": "来料加工", "state": "运营", "employed": 20, "low_income_employed": 4, "avg_income_increase_fen": 150000})
	if code != 201 {
		t.Fatalf("create workshop: %d %v", code, w)
	}
	id := int(w["id"].(float64))
	base := fmt.Sprintf("/api/v1/workshops/%d", id)
	steps := []struct {
		method, path, who string
		body              any
		want              int
	}{
		{"POST", base + "/approve", "s1", nil, 409},
		{"PUT", base, "v2", map[string]any{"employed": 1}, 404},
		{"PUT", base, "v1", map[string]any{"employed": -1, "version": 1}, 422},
		{"PUT", base, "v1", map[string]any{"employed": "many", "version": 1}, 422},
		{"PUT", base, "v1", map[string]any{"employed": 25, "version": 1}, 200},
		{"POST", base + "/submit", "s1", nil, 403},
		{"POST", base + "/submit", "v1", map[string]any{"version": 1}, 409},
		{"POST", base + "/submit", "v1", map[string]any{"version": 2}, 200},
		{"POST", base + "/approve", "s2", nil, 404},
		{"POST", base + "/approve", "v1", nil, 403},
		{"POST", base + "/reject", "s1", map[string]any{"reason": ""}, 422},
		{"POST", base + "/approve", "s1", nil, 200},
		{"PUT", base + "/star", "s1", map[string]any{"star_level": 3, "evaluated_on": "2026-01-05"}, 403},
		{"PUT", base + "/star", "v1", map[string]any{"star_level": 3, "evaluated_on": "2026-01-05"}, 403},
		{"PUT", base + "/star", "d", map[string]any{"star_level": 9, "evaluated_on": "2026-01-05"}, 422},
		{"PUT", base + "/star", "d", map[string]any{"star_level": 3, "evaluated_on": "2026-01-05"}, 200},
		{"GET", base, "v4", nil, 404},
		{"GET", base, "s1", nil, 200},
		{"GET", "/api/v1/workshops?star=3", "d", nil, 200},
		{"GET", "/api/v1/workshops", "v1", nil, 403},
		{"POST", "/api/v1/companies", "v1", map[string]any{"name": "x"}, 403},
		{"POST", "/api/v1/companies", "d", map[string]any{"name": "甲乙公司", "credit_code": "91350100M000100Y44", "model": "资产经营型",
			"founded_on": "2023-01-01", "members": []any{map[string]any{"village_code": seeds.FixA1, "share": 101, "from_year": 2023}}}, 422},
		{"POST", "/api/v1/companies", "d", map[string]any{"name": "甲乙公司", "credit_code": "91350100M000100Y43", "model": "资产经营型",
			"founded_on": "2023-01-01", "registered_capital_fen": 100000000,
			"members": []any{map[string]any{"village_code": seeds.FixA1, "share": 33.3333, "from_year": 2023}, map[string]any{"village_code": seeds.FixB1, "share": "66.6667", "from_year": 2023}}}, 201},
	}
	for i, s := range steps {
		before := en.state()
		code, body := en.api(s.method, s.path, en.token(s.who), s.body)
		if code != s.want {
			t.Fatalf("step %d %s %s as %s: %d, want %d (%v)", i, s.method, s.path, s.who, code, s.want, body)
		}
		if code >= 400 {
			errorShape(t, body)
			if en.state() != before {
				t.Fatalf("step %d changed the state", i)
			}
		}
	}
	_, list := en.api("GET", "/api/v1/companies", en.token("s2"), nil)
	if list["total"].(float64) != 1 {
		t.Fatalf("白云 sees %v companies (丁村 is a member)", list["total"])
	}
	cid := int(list["companies"].([]any)[0].(map[string]any)["id"].(float64))
	cp := fmt.Sprintf("/api/v1/companies/%d", cid)
	for _, s := range []struct {
		who  string
		body any
		want int
	}{
		{"s1", map[string]any{"version": 1, "members": []any{}}, 403}, // members span two streets
		{"d", map[string]any{"version": 7, "members": []any{}}, 409},
		{"d", map[string]any{"version": 1, "members": []any{map[string]any{"village_code": seeds.FixA1, "share": "100", "from_year": 2023}}}, 200},
	} {
		if code, b := en.api("PUT", cp+"/members", en.token(s.who), s.body); code != s.want {
			t.Fatalf("members as %s: %d, want %d (%v)", s.who, code, s.want, b)
		}
	}
	if code, b := en.api("PUT", cp+"/years/2025", en.token("d"), map[string]any{"revenue_fen": 100, "profit_fen": 10,
		"dividends": []any{map[string]any{"village_code": seeds.FixA1, "dividend_fen": 11}}}); code != 422 || !strings.Contains(fmt.Sprint(b), "reason") {
		t.Fatalf("dividends over profit: %d %v", code, b)
	}
	// HTML in a workshop name is stored as typed and shown escaped.
	html := en.page("GET", fmt.Sprintf("/workshops/%d", id), en.token("d"), nil, false).Body.String()
	if strings.Contains(html, "<b>竹编</b>") || !strings.Contains(html, "&lt;b&gt;竹编&lt;/b&gt;") {
		t.Fatal("workshop name not escaped on its page")
	}
	for _, p := range []string{"/workshops", "/villages/" + seeds.FixA1, "/companies", fmt.Sprintf("/companies/%d", cid), "/queue"} {
		who := "d"
		if p == "/queue" {
			who = "s1"
		}
		if rec := en.page("GET", p, en.token(who), nil, false); rec.Code != 200 || strings.Contains(rec.Body.String(), "<b>竹编</b>") {
			t.Fatalf("%s: %d or unescaped", p, rec.Code)
		}
	}
}
