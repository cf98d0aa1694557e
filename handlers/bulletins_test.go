package handlers

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cunji/models"
	"cunji/seeds"
)

// docxBody returns the text of a .docx's word/document.xml after checking that
// every part is well-formed XML.
func docxBody(t *testing.T, raw []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatalf("docx is not a zip: %v", err)
	}
	var text strings.Builder
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			if cd, ok := tok.(xml.CharData); ok && f.Name == "word/document.xml" {
				text.Write(cd)
			}
		}
	}
	return text.String()
}

// TestBulletinIssueAndDownload: the district issues the 通报 on its page; the kept
// one shows, and downloads as a PDF and a Word file whose text holds the 发文机关,
// the 文号 and the sentence with the roll-up's figures; a street reads the
// district's, a cadre none; the API lists and shows it; a used 文号 answers 422.
// TestBulletinIssuesWhatWasPreviewed: the issuing form posts back the previewed
// year, street and as_of, so the kept 通报 is the one on screen (its action was once
// escaped whole, and every issue kept the whole district's latest year instead).
func TestBulletinIssuesWhatWasPreviewed(t *testing.T) {
	en := newEnv(t)
	en.approvedVia("v1", "s1", seeds.FixA1, 2024, 60_000_000)
	d := en.token("d")
	preview := en.page("GET", "/bulletin?year=2024&street=331002001", d, nil, false).Body.String()
	m := regexp.MustCompile(`<form class="card" method="post" action="([^"]+)"`).FindStringSubmatch(preview)
	if m == nil || !strings.Contains(preview, "关于") {
		t.Fatalf("no issuing form on the preview")
	}
	action := html.UnescapeString(m[1])
	u, err := url.Parse(action)
	if err != nil || u.Query().Get("year") != "2024" || u.Query().Get("street") != "331002001" || u.Query().Get("as_of") == "" {
		t.Fatalf("the form posts to %q", action)
	}
	form := url.Values{"issuer": {"椒江区农业农村局"}, "document_no": {"椒农〔2026〕99号"}, "issued_on": {"2026-12-01"}}
	rec := en.page("POST", action, d, form, true)
	if rec.Code != 303 {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body.String())
	}
	var b models.Bulletin
	if err := en.db.Order("id DESC").Take(&b).Error; err != nil {
		t.Fatal(err)
	}
	if b.Year != 2024 || b.ScopeCode != "331002001" || !b.AsOf.Equal(mustTime(t, u.Query().Get("as_of")).Truncate(time.Microsecond)) {
		t.Fatalf("kept %d %s as of %s, previewed 2024 331002001 as of %s", b.Year, b.ScopeCode, b.AsOf, u.Query().Get("as_of"))
	}
	// The oversight page's links carry its year and street the same way.
	page := en.page("GET", "/oversight?year=2024", d, nil, false).Body.String()
	if !strings.Contains(page, "/export/ranking?as_of=") || !strings.Contains(page, "&amp;year=2024&format=xlsx") || strings.Contains(page, "year%3d") {
		t.Fatalf("the oversight page's links lost their query")
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

func TestBulletinIssueAndDownload(t *testing.T) {
	en := newEnv(t)
	en.approvedVia("v1", "s1", seeds.FixA1, 2025, 60_000_000)
	d := en.token("d")
	ru, err := models.ComputeRollup(en.db, en.actor("d"), "", 2025, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sentence := fmt.Sprintf("全区 %d 个行政村中，%d 个村的 2025 年度数据经街道审核通过；经营性收入达 50 万元以上的村 %d 个，占 %s",
		ru.Villages, ru.Reported, ru.Income50w.Count, ru.Income50w.Share.Percent())
	preview := en.page("GET", "/bulletin?year=2025", d, nil, false).Body.String()
	if !strings.Contains(preview, sentence) || !strings.Contains(preview, `action="/bulletins?`) {
		t.Fatalf("preview lacks the sentence or the form")
	}
	form := url.Values{"issuer": {"椒江区农业农村局"}, "document_no": {"椒农〔2026〕12号"}, "issued_on": {"2026-12-01"}}
	rec := en.page("POST", "/bulletins?year=2025", d, form, true)
	if rec.Code != 303 {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	kept := en.page("GET", loc, d, nil, false).Body.String()
	for _, want := range []string{"椒江区农业农村局", "椒农〔2026〕12号", "二〇二六年十二月一日", sentence} {
		if !strings.Contains(kept, want) {
			t.Errorf("kept page lacks %q", want)
		}
	}
	pdf := en.page("GET", loc+"/pdf", d, nil, false)
	if pdf.Code != 200 || pdf.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %s", pdf.Code, pdf.Header().Get("Content-Type"))
	}
	if _, err := exec.LookPath("pdftotext"); err == nil || os.Getenv("CI") != "" {
		f := filepath.Join(t.TempDir(), "b.pdf")
		os.WriteFile(f, pdf.Body.Bytes(), 0o600)
		out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		flat := strings.Join(strings.Fields(string(out)), "")
		for _, want := range []string{"椒江区农业农村局", "椒农〔2026〕12号", strings.Join(strings.Fields(sentence), ""), "—1—"} {
			if !strings.Contains(flat, want) {
				t.Errorf("PDF text lacks %q:\n%s", want, out)
			}
		}
	}
	docx := en.page("GET", loc+"/docx", d, nil, false)
	if docx.Code != 200 {
		t.Fatalf("docx: %d", docx.Code)
	}
	body := docxBody(t, docx.Body.Bytes())
	for _, want := range []string{"椒江区农业农村局", "椒农〔2026〕12号", "二〇二六年十二月一日", sentence} {
		if !strings.Contains(body, want) {
			t.Errorf("docx lacks %q", want)
		}
	}
	// Later figures change the preview, never the kept one.
	en.approvedVia("v4", "s2", seeds.FixB1, 2025, 70_000_000)
	if again := en.page("GET", loc+"/docx", d, nil, false).Body.Bytes(); !bytes.Equal(again, docx.Body.Bytes()) {
		t.Errorf("the kept Word file changed after a later approval")
	}
	// Who reads it.
	if rec := en.page("GET", loc, en.token("s2"), nil, false); rec.Code != 200 {
		t.Errorf("street reads the district's 通报: %d", rec.Code)
	}
	if rec := en.page("GET", loc+"/pdf", en.token("v1"), nil, false); rec.Code != 403 {
		t.Errorf("cadre: %d", rec.Code)
	}
	if rec := en.page("POST", "/bulletins?year=2025", en.token("s1"), form, true); rec.Code != 403 {
		t.Errorf("street issues: %d", rec.Code)
	}
	// The same 文号 again: 422 with the message beside the field.
	if rec := en.page("POST", "/bulletins?year=2025", d, form, true); rec.Code != 422 || !strings.Contains(rec.Body.String(), "该文号已用于另一份通报") {
		t.Errorf("same 文号: %d", rec.Code)
	}
	// The API: issue one for street 2, list, show; street 1 does not see street 2's.
	code, b := en.api("POST", "/api/v1/bulletins", d, map[string]any{"year": 2025, "street": "331002002", "issuer": "椒江区农业农村局",
		"document_no": "椒农〔2026〕13号", "issued_on": "2026-12-02"})
	if code != 201 {
		t.Fatalf("api issue: %d %v", code, b)
	}
	id := fmt.Sprint(b["id"])
	if code, _ := en.api("GET", "/api/v1/bulletins/"+id, en.token("s1"), nil); code != 404 {
		t.Errorf("street 1 reads street 2's: %d", code)
	}
	if code, b := en.api("GET", "/api/v1/bulletins/"+id, en.token("s2"), nil); code != 200 || b["document"] == nil {
		t.Errorf("street 2 reads its own: %d", code)
	}
	if _, b := en.api("GET", "/api/v1/bulletins", en.token("s1"), nil); len(b["bulletins"].([]any)) != 1 {
		t.Errorf("street 1 list: %v", b)
	}
	if code, _ := en.api("GET", "/api/v1/bulletins", en.token("v1"), nil); code != 403 {
		t.Errorf("cadre list: %d", code)
	}
	if code, b := en.api("POST", "/api/v1/bulletins", d, map[string]any{"year": 2025}); code != 422 {
		t.Errorf("api empty: %d %v", code, b)
	} else {
		errorShape(t, b)
	}
	if list := en.page("GET", "/bulletins", d, nil, false).Body.String(); !strings.Contains(list, "椒农〔2026〕13号") || !strings.Contains(list, "椒农〔2026〕12号") {
		t.Errorf("list page lacks a bulletin")
	}
}
